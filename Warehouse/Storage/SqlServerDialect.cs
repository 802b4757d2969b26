using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.SqlClient;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// SQL Server. It cannot run on the development machines, so this class holds only what must
/// differ; the scripts are checked against the other databases' live schema in the tests.
/// </summary>
public sealed partial class SqlServerDialect : WarehouseDialect
{
    public static readonly SqlServerDialect Instance = new();

    private const string RefreshLockResource = "nacka-insights-refresh";
    private const string MigrationLockResource = "nacka-insights-migrate";

    private SqlServerDialect()
    {
    }

    public override WarehouseProvider Provider => WarehouseProvider.SqlServer;

    public override string ScriptFolder => "sqlserver";

    // The scripts create everything in dbo. A view's text names its tables without a schema, as on the other
    // databases: SQL Server looks for such a name in the creator's default schema, then in dbo.
    public override string ObjectName(string name) => $"dbo.{name}";

    public override string ListViews => "SELECT name FROM sys.views WHERE schema_id = SCHEMA_ID(N'dbo')";

    public override DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);

    public override IEnumerable<string> SplitBatches(string script) =>
        GoSeparator().Split(script).Where(batch => !string.IsNullOrWhiteSpace(batch));

    public override string Limit(int rows) => $"OFFSET 0 ROWS FETCH NEXT {rows} ROWS ONLY";

    public override string InsertRunReturningId =>
        """
        INSERT INTO etl_run (run_kind, source, host_name, started_at_utc, status)
        OUTPUT INSERTED.run_id
        VALUES (@RunKind, @Source, @HostName, @StartedAtUtc, @Status)
        """;

    public override async Task<IAsyncDisposable?> TryAcquireRefreshLockAsync(DbConnection connection, CancellationToken ct)
    {
        const string sql = """
            DECLARE @result int;
            EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0;
            SELECT @result;
            """;
        if (!await ScalarTrueAsync(connection, sql, new { Resource = RefreshLockResource }, ct))
        {
            return null;
        }
        return new Releaser(async () =>
        {
            if (connection.State == ConnectionState.Open)
            {
                await ScalarTrueAsync(connection, "EXEC sp_releaseapplock @Resource = @Resource, @LockOwner = 'Session'; SELECT 0;", new { Resource = RefreshLockResource }, CancellationToken.None);
            }
        });
    }

    public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        const string sql = """
            DECLARE @result int;
            EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 120000;
            SELECT @result;
            """;
        if (!await ScalarTrueAsync(connection, sql, new { Resource = MigrationLockResource }, ct, transaction))
        {
            throw new TimeoutException("Another process has been migrating the warehouse schema for two minutes.");
        }
    }

    public override async Task BulkInsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, IReadOnlyList<object?[]> rows, int timeoutSeconds, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        using var data = new DataTable(table.Name) { Locale = CultureInfo.InvariantCulture };
        foreach (var column in table.Columns)
        {
            data.Columns.Add(column.Name, ClrTypeOf(column.Type));
        }
        foreach (var row in rows)
        {
            data.Rows.Add(row.Select((value, i) => ToDb(table.Columns[i].Type, value) ?? DBNull.Value).ToArray());
        }
        using var bulk = new SqlBulkCopy((SqlConnection)connection, SqlBulkCopyOptions.KeepNulls | SqlBulkCopyOptions.CheckConstraints, (SqlTransaction)transaction)
        {
            DestinationTableName = table.Name,
            BulkCopyTimeout = timeoutSeconds,
            BatchSize = 0,
        };
        foreach (var column in table.Columns)
        {
            bulk.ColumnMappings.Add(column.Name, column.Name);
        }
        await bulk.WriteToServerAsync(data, ct);
    }

    protected override object ToDate(object value) => value is DateOnly d ? d.ToDateTime(TimeOnly.MinValue) : (DateTime)value;

    private static Type ClrTypeOf(ColumnType type) => type switch
    {
        ColumnType.Int32 => typeof(int),
        ColumnType.Int64 => typeof(long),
        ColumnType.Text => typeof(string),
        ColumnType.Decimal => typeof(decimal),
        ColumnType.Ratio => typeof(double),
        ColumnType.Date or ColumnType.TimestampUtc => typeof(DateTime),
        ColumnType.Flag => typeof(short),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    [GeneratedRegex(@"^\s*GO\s*;?\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex GoSeparator();
}
