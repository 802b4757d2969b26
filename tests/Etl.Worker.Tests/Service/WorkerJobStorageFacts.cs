using Dapper;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.SqlServer;
using NackaInsights.Etl.Service;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Service;

/// <summary>Hangfire's job storage follows the warehouse database.</summary>
public sealed class WorkerJobStorageFacts(PostgresCluster cluster)
{
    [Fact]
    public void BesideSqlite_JobsAreKeptInMemory()
    {
        using var storage = Assert.IsType<InMemoryStorage>(WorkerJobStorage.Create(WarehouseOptions.ForSqliteFile("nacka-insights.db"), new WorkerOptions()));

        Assert.NotNull(storage.GetMonitoringApi());
    }

    [Fact]
    public void OnSqlServer_JobsAreKeptInTheHangFireSchemaOfTheWarehouseDatabase()
    {
        var warehouse = new WarehouseOptions
        {
            Provider = WarehouseProvider.SqlServer,
            ConnectionString = "Server=sql.example;Database=NackaInsights;Integrated Security=true;TrustServerCertificate=true",
        };

        // Without preparing the schema nothing connects; the options are those the service uses.
        var storage = Assert.IsType<SqlServerStorage>(WorkerJobStorage.Create(warehouse, new WorkerOptions(), prepareSchema: false));

        Assert.Contains("NackaInsights", storage.ToString());
        var options = WorkerJobStorage.SqlServerOptions(new WorkerOptions());
        Assert.Equal("HangFire", options.SchemaName);
        Assert.True(options.PrepareSchemaIfNecessary);
    }

    [Fact]
    public async Task OnPostgres_JobsAreKeptInTheirOwnSchemaOfTheWarehouseDatabase_CreatedByTheStorage()
    {
        cluster.SkipIfUnavailable();
        var warehouse = new WarehouseOptions { Provider = WarehouseProvider.Postgres, ConnectionString = await cluster.CreateDatabaseAsync() };

        Assert.IsType<PostgreSqlStorage>(WorkerJobStorage.Create(warehouse, new WorkerOptions()));

        await using var connection = await new WarehouseDatabase(warehouse).OpenAsync(TestContext.Current.CancellationToken);
        var tables = await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'hangfire'");
        Assert.Contains("job", tables);
        Assert.Contains("lock", tables);
    }
}
