using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// What differs between the three databases, and nothing more. Everything else, the SQL of the
/// loads, the checks and the queries, is shared: it is written in the subset all three accept.
/// </summary>
public abstract class WarehouseDialect
{
    public abstract WarehouseProvider Provider { get; }

    /// <summary>The folder of <c>sql/</c> that holds this database's scripts.</summary>
    public abstract string ScriptFolder { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>Splits a migration script into the batches the database executes one by one.</summary>
    public virtual IEnumerable<string> SplitBatches(string script) => [script];

    /// <summary>Power BI's role: it may read the pbi_* views and nothing else.</summary>
    public const string ReaderRole = "nacka_insights_reader";

    /// <summary>The name a view of the warehouse is created, granted and dropped under.</summary>
    public virtual string ObjectName(string name) => name;

    /// <summary>Lists the names of the views in the warehouse's schema, to drop the pbi_* ones before a migration.</summary>
    public abstract string ListViews { get; }

    /// <summary>Lets <see cref="ReaderRole"/> read a view; null where the database has no roles.</summary>
    public virtual string? GrantReader(string objectName) => $"GRANT SELECT ON {objectName} TO {ReaderRole}";

    /// <summary>The clause that keeps the first <paramref name="rows"/> rows of an ordered query.</summary>
    public virtual string Limit(int rows) => $"LIMIT {rows}";

    /// <summary>Inserts a row into <c>etl_run</c> and returns its generated <c>run_id</c>.</summary>
    public virtual string InsertRunReturningId =>
        """
        INSERT INTO etl_run (run_kind, source, host_name, started_at_utc, status)
        VALUES (@RunKind, @Source, @HostName, @StartedAtUtc, @Status)
        RETURNING run_id
        """;

    /// <summary>
    /// Takes the warehouse-wide refresh lock for as long as the returned handle lives, or returns
    /// null at once when another process holds it. Held across the whole run, so that a run can
    /// tell that a run still marked <c>Pågår</c> is one that died.
    /// </summary>
    public abstract Task<IAsyncDisposable?> TryAcquireRefreshLockAsync(DbConnection connection, CancellationToken ct);

    /// <summary>Serialises migrations of the same database by several processes.</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct);

    /// <summary>
    /// The statement that takes the planner's statistics of <paramref name="tables"/> again inside a transaction, or null
    /// where the planner needs none (SQLite plans without statistics unless asked; SQL Server updates them itself).
    /// </summary>
    public virtual string? AnalyzeTables(IReadOnlyList<string> tables) => null;

    /// <summary>
    /// Commits a run's transaction. What the COMMIT would otherwise do on the user's clock and need not (SQLite's copy of
    /// its log into the database file) may be left running: disposing the returned handle, on the connection's own flow
    /// and before the connection, waits for it and never throws. The data is published and durable once this method has
    /// returned, whatever becomes of that work.
    /// </summary>
    public virtual async Task<IAsyncDisposable> PublishAsync(WarehouseDatabase database, DbConnection connection, DbTransaction transaction, ILogger logger, CancellationToken ct)
    {
        await transaction.CommitAsync(ct);
        return NothingLeft.Instance;
    }

    private sealed class NothingLeft : IAsyncDisposable
    {
        public static readonly NothingLeft Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public abstract Task BulkInsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, IReadOnlyList<object?[]> rows, int timeoutSeconds, CancellationToken ct);

    /// <summary>Converts a value to what this database's driver takes for a column of <paramref name="type"/>.</summary>
    public virtual object? ToDb(ColumnType type, object? value) => value is null or DBNull ? null : type switch
    {
        ColumnType.Decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
        ColumnType.Ratio => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        ColumnType.Date => ToDate(value),
        // Timestamps are stored without a time zone, always UTC: the drivers want Kind=Unspecified for that.
        ColumnType.TimestampUtc => DateTime.SpecifyKind((DateTime)value, DateTimeKind.Unspecified),
        ColumnType.Flag => value is bool b ? (short)(b ? 1 : 0) : Convert.ToInt16(value, CultureInfo.InvariantCulture),
        ColumnType.Int32 => Convert.ToInt32(value, CultureInfo.InvariantCulture),
        ColumnType.Int64 => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    /// <summary>A calendar date as the driver takes it.</summary>
    protected virtual object ToDate(object value) => value is DateTime dt ? DateOnly.FromDateTime(dt) : value;

    /// <summary>A UTC timestamp as a parameter value.</summary>
    public object? Timestamp(DateTime? utc) => ToDb(ColumnType.TimestampUtc, utc);

    /// <summary>An exact decimal (SEK, a rate) as a parameter value.</summary>
    public object? Decimal(decimal? value) => ToDb(ColumnType.Decimal, value);

    public static WarehouseDialect For(WarehouseProvider provider) => provider switch
    {
        WarehouseProvider.Sqlite => SqliteDialect.Instance,
        WarehouseProvider.Postgres => PostgresDialect.Instance,
        WarehouseProvider.SqlServer => SqlServerDialect.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    protected static async Task<bool> ScalarTrueAsync(DbConnection connection, string sql, object? parameters, CancellationToken ct, DbTransaction? transaction = null)
    {
        var result = await connection.ExecuteScalarAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: ct));
        return result switch
        {
            bool b => b,
            null => false,
            _ => Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture) >= 0,
        };
    }

    /// <summary>Runs <paramref name="release"/> once, when disposed.</summary>
    protected sealed class Releaser(Func<ValueTask> release) : IAsyncDisposable
    {
        private Func<ValueTask>? _release = release;

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _release, null)?.Invoke() ?? ValueTask.CompletedTask;
    }
}
