using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Service;

/// <summary>
/// Hangfire's job storage follows the warehouse database: in memory beside the embedded SQLite file
/// (one process; jobs do not outlive it), and in its own schema of the warehouse's own database on
/// PostgreSQL and SQL Server (shared by every worker process, so the refresh lock spans them).
/// </summary>
public static class WorkerJobStorage
{
    /// <summary>The schema Hangfire creates and owns in a PostgreSQL warehouse database.</summary>
    public const string PostgresSchema = "hangfire";

    /// <summary>The schema Hangfire creates and owns in a SQL Server warehouse database (Hangfire's own default).</summary>
    public const string SqlServerSchema = "HangFire";

    /// <summary>
    /// The storage for <paramref name="warehouse"/>. With <paramref name="prepareSchema"/> a database
    /// storage creates or upgrades its schema now, and so connects.
    /// </summary>
    public static JobStorage Create(WarehouseOptions warehouse, WorkerOptions worker, bool prepareSchema = true) => warehouse.Provider switch
    {
        WarehouseProvider.Sqlite => new InMemoryStorage(new InMemoryStorageOptions()),
        WarehouseProvider.Postgres => CreatePostgres(warehouse.ConnectionString, PostgresOptions(worker, prepareSchema)),
        WarehouseProvider.SqlServer => new SqlServerStorage(warehouse.ConnectionString, SqlServerOptions(worker, prepareSchema)),
        _ => throw new ArgumentOutOfRangeException(nameof(warehouse), warehouse.Provider, "Unknown warehouse provider."),
    };

    private static PostgreSqlStorage CreatePostgres(string connectionString, PostgreSqlStorageOptions options) =>
        new(new NpgsqlConnectionFactory(connectionString, options, null), options);

    public static PostgreSqlStorageOptions PostgresOptions(WorkerOptions worker, bool prepareSchema = true) => new()
    {
        SchemaName = PostgresSchema,
        PrepareSchemaIfNecessary = prepareSchema,
        QueuePollInterval = TimeSpan.FromSeconds(worker.PollingIntervalSeconds),
        // A fetched job stays invisible to other workers while its server is alive (heartbeats slide the
        // timeout); the job of a server that died is fetched again once the timeout has passed.
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(5),
        // A lock row left by a process that died is removed after this long; the warehouse's own
        // session lock guards a refresh that outlives it.
        DistributedLockTimeout = TimeSpan.FromMinutes(10),
    };

    public static SqlServerStorageOptions SqlServerOptions(WorkerOptions worker, bool prepareSchema = true) => new()
    {
        SchemaName = SqlServerSchema,
        PrepareSchemaIfNecessary = prepareSchema,
        // Hangfire's recommended settings for SQL Server: blocking fetch, sliding invisibility.
        QueuePollInterval = TimeSpan.Zero,
        SlidingInvisibilityTimeout = TimeSpan.FromMinutes(5),
        CommandBatchMaxTimeout = TimeSpan.FromMinutes(5),
        UseRecommendedIsolationLevel = true,
        DisableGlobalLocks = true,
    };
}
