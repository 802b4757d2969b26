using NackaInsights.Etl.Commands;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Reports.Tests;

/// <summary>The demo warehouse, built once per test class by the real demo command (the whole pipeline) into a temporary SQLite file.</summary>
public sealed class DemoWarehouse : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("nacka-pbi-demo");

    public WarehouseDatabase Database { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var db = Path.Combine(_dir.Path, "nacka-insights.db");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await NackaInsightsCommandLine.InvokeAsync(["demo", "--db", db], stdout, stderr, TestContext.Current.CancellationToken);
        Assert.True(exit == ExitCodes.Success, $"demo exited {exit}: {stderr}");
        Database = new WarehouseDatabase(WarehouseOptions.ForSqliteFile(db));
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
