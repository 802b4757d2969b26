using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace NackaInsights.Warehouse.Storage;

public sealed class PostgresDialect : WarehouseDialect
{
    public static readonly PostgresDialect Instance = new();

    // Advisory lock keys: "NACKA" + 1 for refreshes, + 2 for migrations.
    private const long RefreshLockKey = 0x4E41434B41_01;
    private const long MigrationLockKey = 0x4E41434B41_02;

    private PostgresDialect()
    {
    }

    public override WarehouseProvider Provider => WarehouseProvider.Postgres;

    public override string ScriptFolder => "postgres";

    public override string ListViews => "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()";

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public override async Task<IAsyncDisposable?> TryAcquireRefreshLockAsync(DbConnection connection, CancellationToken ct)
    {
        if (!await ScalarTrueAsync(connection, "SELECT pg_try_advisory_lock(@Key)", new { Key = RefreshLockKey }, ct))
        {
            return null;
        }
        return new Releaser(async () =>
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ScalarTrueAsync(connection, "SELECT pg_advisory_unlock(@Key)", new { Key = RefreshLockKey }, CancellationToken.None);
            }
        });
    }

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) =>
        ScalarTrueAsync(connection, "SELECT pg_advisory_xact_lock(@Key) IS NULL", new { Key = MigrationLockKey }, ct, transaction);

    /// <summary>ANALYZE may run in a transaction block, and samples the rows the transaction sees, its own uncommitted ones included.</summary>
    public override string? AnalyzeTables(IReadOnlyList<string> tables) => tables.Count == 0 ? null : "ANALYZE " + string.Join(", ", tables);

    public override async Task BulkInsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, IReadOnlyList<object?[]> rows, int timeoutSeconds, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var npgsql = (NpgsqlConnection)connection;
        var types = table.Columns.Select(c => TypeOf(c.Type)).ToArray();
        var copy = $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await npgsql.BeginBinaryImportAsync(copy, ct);
        writer.Timeout = TimeSpan.FromSeconds(timeoutSeconds);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            for (var i = 0; i < types.Length; i++)
            {
                var value = ToDb(table.Columns[i].Type, row[i]);
                if (value is null)
                {
                    await writer.WriteNullAsync(ct);
                }
                else
                {
                    await writer.WriteAsync(value, types[i], ct);
                }
            }
        }
        await writer.CompleteAsync(ct);
    }


    private static NpgsqlDbType TypeOf(ColumnType type) => type switch
    {
        ColumnType.Int32 => NpgsqlDbType.Integer,
        ColumnType.Int64 => NpgsqlDbType.Bigint,
        ColumnType.Text => NpgsqlDbType.Text,
        ColumnType.Decimal => NpgsqlDbType.Numeric,
        ColumnType.Ratio => NpgsqlDbType.Double,
        ColumnType.Date => NpgsqlDbType.Date,
        ColumnType.TimestampUtc => NpgsqlDbType.Timestamp,
        ColumnType.Flag => NpgsqlDbType.Smallint,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
