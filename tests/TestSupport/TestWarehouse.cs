using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.TestSupport;

/// <summary>
/// A warehouse for one test, on one database: the same tests run on each through a subclass per
/// provider, as Dapper's tests do. The schema is installed with the production scripts.
/// </summary>
public abstract class TestWarehouse : IDisposable
{
    public abstract WarehouseOptions Options { get; }

    public WarehouseDatabase Database => new(Options);

    public CalculationOptions Calculation { get; } = new();

    public EvaluationOptions Evaluation { get; } = new();

    public ActualsOptions Actuals { get; } = new();

    public IndexOptions Index { get; } = new();

    public AccessOptions Access { get; } = new();

    public SchemaMigrator Migrator() => new(Database, NullLogger<SchemaMigrator>.Instance);

    public WarehouseLoader Loader() => new(Database, Calculation, Evaluation, Actuals, Index, Access, NullLogger<WarehouseLoader>.Instance);

    public async Task<TestWarehouse> MigratedAsync()
    {
        await Migrator().MigrateAsync();
        return this;
    }

    public virtual void Dispose()
    {
    }
}

/// <summary>A warehouse in an SQLite file of its own.</summary>
public sealed class SqliteTestWarehouse : TestWarehouse
{
    private readonly TempDirectory _directory = new("nacka-sqlite");

    public SqliteTestWarehouse()
    {
        Options = WarehouseOptions.ForSqliteFile(FilePath);
        Options.RefreshLockTimeoutSeconds = 30;
    }

    public string FilePath => Path.Combine(_directory.Path, "nacka-insights.db");

    public override WarehouseOptions Options { get; }

    public override void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}

/// <summary>A warehouse in a PostgreSQL database of its own, in the test run's cluster.</summary>
public sealed class PostgresTestWarehouse : TestWarehouse
{
    private PostgresTestWarehouse(string connectionString)
    {
        Options = new WarehouseOptions { Provider = WarehouseProvider.Postgres, ConnectionString = connectionString, RefreshLockTimeoutSeconds = 30 };
    }

    public override WarehouseOptions Options { get; }

    public static async Task<PostgresTestWarehouse> CreateAsync(PostgresCluster cluster) => new(await cluster.CreateDatabaseAsync());

    /// <summary>
    /// Closes the database's pooled connections: Npgsql keeps idle ones for five minutes, and with a database per test the
    /// run's cluster otherwise reaches its max_connections ("53300: sorry, too many clients already").
    /// </summary>
    public override void Dispose()
    {
        using var connection = new Npgsql.NpgsqlConnection(Options.ConnectionString);
        Npgsql.NpgsqlConnection.ClearPool(connection);
    }
}
