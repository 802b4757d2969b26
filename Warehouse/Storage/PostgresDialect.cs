using System.Data.Common;
using System.Globalization;
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

    /// <summary>How many rows per 300 ANALYZE samples (and histogram buckets it keeps) inside a run: see <see cref="AnalyzeTables"/>.</summary>
    public const int RunStatisticsTarget = 10;

    /// <summary>
    /// ANALYZE may run in a transaction block, and samples the rows the transaction sees, its own uncommitted ones included.
    /// What the run's plans need is the tables' sizes and their keys' spread, not fine histograms: with a statistics
    /// target of <see cref="RunStatisticsTarget"/> (3,000 rows sampled, not 30,000) for the run's transaction only, ANALYZE
    /// of raw_business_case_value took 28 ms instead of 577 ms, of fct_benefit_realization 33 ms instead of 767 ms.
    /// Autovacuum takes the full statistics again once the run has committed. A run that bulk-loaded also has data checks
    /// that group and join hundreds of thousands of its rows (the object access view: 700,000 at scale 4): at the default
    /// work_mem of 4 MB their hashes spilled 80 MB to disk, so the run's transaction gets <see cref="RunWorkMem"/>, for
    /// its one connection. And the marts read the rows just loaded, which are in memory, a chunk of initiatives at a time:
    /// priced at the default random_page_cost of 4 (a disk's seek), an index lookup per version lost to a scan of all
    /// 390,000 amount cells per chunk of 500 initiatives (97 ms against 35 ms, sixteen times per query at scale 4), so
    /// the run's transaction prices a random read at <see cref="RunRandomPageCost"/>, as for data in memory or on SSD.
    /// </summary>
    public override string? AnalyzeTables(IReadOnlyList<string> tables) => tables.Count == 0 ? null
        : $"SET LOCAL default_statistics_target = {RunStatisticsTarget}; SET LOCAL work_mem = '{RunWorkMem}'; "
          + $"SET LOCAL random_page_cost = {RunRandomPageCost}; ANALYZE " + string.Join(", ", tables);

    /// <summary>The planner's price of a random page read inside a run that bulk-loaded: see <see cref="AnalyzeTables"/>.</summary>
    public const string RunRandomPageCost = "1.1";

    /// <summary>The memory a sort or hash of a run's transaction may take before it spills to disk: see <see cref="AnalyzeTables"/>.</summary>
    public const string RunWorkMem = "64MB";

    /// <summary>
    /// COPY in binary form, each value written as its own type (<see cref="WriteValue"/>) and synchronously: Npgsql
    /// buffers the rows and only a full buffer goes to the server. Each value written through <c>WriteAsync</c> as an
    /// object cost an awaited task and the value's type resolved anew; in a profile of a full refresh at scale 1 that
    /// client side was about three quarters of the bulk inserts' time.
    /// </summary>
    public override async Task BulkInsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, IReadOnlyList<object?[]> rows, int timeoutSeconds, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var npgsql = (NpgsqlConnection)connection;
        var columns = table.Columns.Select(c => c.Type).ToArray();
        var copy = $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";
        await using var writer = await npgsql.BeginBinaryImportAsync(copy, ct);
        writer.Timeout = TimeSpan.FromSeconds(timeoutSeconds);
        for (var r = 0; r < rows.Count; r++)
        {
            if ((r & 1023) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
            var row = rows[r];
            writer.StartRow();
            for (var i = 0; i < columns.Length; i++)
            {
                WriteValue(writer, columns[i], row[i]);
            }
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>Writes a value as <see cref="WarehouseDialect.ToDb"/> converts it, without boxing it again; what it does not know goes as before.</summary>
    private static void WriteValue(NpgsqlBinaryImporter writer, ColumnType type, object? value)
    {
        if (value is null or DBNull)
        {
            writer.WriteNull();
            return;
        }
        switch (type)
        {
            case ColumnType.Int32:
                writer.Write(value is int i ? i : Convert.ToInt32(value, CultureInfo.InvariantCulture), NpgsqlDbType.Integer);
                break;
            case ColumnType.Int64:
                writer.Write(value is long l ? l : Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint);
                break;
            case ColumnType.Text when value is string text:
                writer.Write(text, NpgsqlDbType.Text);
                break;
            case ColumnType.Decimal:
                writer.Write(value is decimal m ? m : Convert.ToDecimal(value, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric);
                break;
            case ColumnType.Ratio:
                writer.Write(value is double d ? d : Convert.ToDouble(value, CultureInfo.InvariantCulture), NpgsqlDbType.Double);
                break;
            case ColumnType.Date when value is DateOnly date:
                writer.Write(date, NpgsqlDbType.Date);
                break;
            case ColumnType.Date when value is DateTime dateTime:
                writer.Write(DateOnly.FromDateTime(dateTime), NpgsqlDbType.Date);
                break;
            case ColumnType.TimestampUtc:
                writer.Write(DateTime.SpecifyKind((DateTime)value, DateTimeKind.Unspecified), NpgsqlDbType.Timestamp);
                break;
            case ColumnType.Flag:
                writer.Write(value is bool b ? (short)(b ? 1 : 0) : Convert.ToInt16(value, CultureInfo.InvariantCulture), NpgsqlDbType.Smallint);
                break;
            default:
                writer.Write(Instance.ToDb(type, value), TypeOf(type));
                break;
        }
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
