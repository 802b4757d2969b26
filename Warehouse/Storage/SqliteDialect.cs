using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace NackaInsights.Warehouse.Storage;

/// <summary>The embedded default: one file, no server.</summary>
public sealed class SqliteDialect : WarehouseDialect
{
    public static readonly SqliteDialect Instance = new();

    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff";

    private SqliteDialect()
    {
    }

    public override WarehouseProvider Provider => WarehouseProvider.Sqlite;

    public override string ScriptFolder => "sqlite";

    public override string ListViews => "SELECT name FROM sqlite_master WHERE type = 'view'";

    // One file, one user: nothing to grant.
    public override string? GrantReader(string objectName) => null;

    public override DbConnection CreateConnection(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true };
        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }
        return new SqliteConnection(builder.ToString());
    }

    public override Task<IAsyncDisposable?> TryAcquireRefreshLockAsync(DbConnection connection, CancellationToken ct)
    {
        // SQLite has no session locks: an exclusive lock on a file beside the database serves
        // every process on the machine, which is every process that can open the file.
        var dataSource = new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:")
        {
            return Task.FromResult<IAsyncDisposable?>(new Releaser(() => ValueTask.CompletedTask));
        }
        try
        {
            var stream = new FileStream(Path.GetFullPath(dataSource) + ".refresh-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return Task.FromResult<IAsyncDisposable?>(new Releaser(() => stream.DisposeAsync()));
        }
        catch (IOException)
        {
            return Task.FromResult<IAsyncDisposable?>(null);
        }
    }

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default) already excludes every other writer.
    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) => Task.CompletedTask;

    public override async Task BulkInsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, IReadOnlyList<object?[]> rows, int timeoutSeconds, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        await using var command = (SqliteCommand)connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandTimeout = timeoutSeconds;
        var names = table.Columns.Select(c => c.Name).ToList();
        command.CommandText = $"INSERT INTO {table.Name} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + i))})";
        var parameters = names.Select((_, i) => command.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        command.Prepare();
        foreach (var row in rows)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = ToDb(table.Columns[i].Type, row[i]) ?? DBNull.Value;
            }
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    public override object? ToDb(ColumnType type, object? value) => value switch
    {
        null => null,
        DBNull => null,
        _ => type switch
        {
            ColumnType.Decimal or ColumnType.Ratio => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            ColumnType.Date => value is DateOnly d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : ((DateTime)value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ColumnType.TimestampUtc => ((DateTime)value).ToString(TimestampFormat, CultureInfo.InvariantCulture),
            ColumnType.Flag => value is bool b ? (b ? 1L : 0L) : Convert.ToInt64(value, CultureInfo.InvariantCulture),
            ColumnType.Int32 or ColumnType.Int64 => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            _ => value,
        },
    };
}
