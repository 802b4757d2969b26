using NackaInsights.Etl.Commands;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>
/// The demo warehouse, built once per test class by the real demo command (the whole pipeline) into a temporary SQLite
/// file, with what the demo printed and the source folder it wrote.
/// </summary>
public sealed class DemoReportWarehouse : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("nacka-report-demo");

    public WarehouseDatabase Database { get; private set; } = null!;

    /// <summary>What the demo printed: its summary has the realisation and index figures the report must equal.</summary>
    public string Printed { get; private set; } = "";

    public string SourceDir => Path.Combine(_dir.Path, "demo-source");

    public async ValueTask InitializeAsync()
    {
        var db = Path.Combine(_dir.Path, "nacka-insights.db");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await NackaInsightsCommandLine.InvokeAsync(["demo", "--db", db, "--source-dir", SourceDir], stdout, stderr, TestContext.Current.CancellationToken);
        Assert.True(exit == ExitCodes.Success, $"demo exited {exit}: {stderr}");
        Printed = stdout.ToString();
        Database = new WarehouseDatabase(WarehouseOptions.ForSqliteFile(db));
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
