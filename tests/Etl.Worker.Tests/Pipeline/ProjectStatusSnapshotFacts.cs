using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>The daily project status snapshot: each initiative's latest report as of the day, on each database.</summary>
public abstract class ProjectStatusSnapshotFacts : PipelineFacts
{
    private static readonly DateTimeOffset January = new(2024, 1, 2, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _source = new("nacka-snapshot");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        ListFiles.Write(_source.Path, "Initiativ",
            ListFiles.Initiative("1", "DIG-1", "Projekt", January),
            ListFiles.Initiative("2", "DIG-2", "Projekt", January));
        ListFiles.Write(_source.Path, "Projektstatus",
            ListFiles.Status("1", "DIG-1", "2024-01-31", "Grön", 20),
            ListFiles.Status("2", "DIG-1", "2024-02-29", "Röd", 35),
            ListFiles.Status("3", "DIG-2", "2024-03-15", "Gul", 10));
    }

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task ASnapshot_HoldsEachInitiativesLatestReportAsOfItsDay_AndASecondOfTheSameDayReplacesIt()
    {
        var february = await RunAsync(new DateOnly(2024, 2, 15));
        var march = await RunAsync(new DateOnly(2024, 3, 20));
        var marchAgain = await RunAsync(new DateOnly(2024, 3, 20));
        var withoutSnapshot = await RunAsync(null);

        Assert.All([february, march, marchAgain, withoutSnapshot], r => Assert.True(r.Succeeded, r.Message));
        Assert.Contains("Ögonblicksbild av projektstatus 2024-03-20: 2 initiativ.", march.Message);
        var rows = await QueryAsync<(DateOnly SnapshotDate, string InitiativeId, string Status, DateOnly ReportDate, int DaysSinceReport, string Phase)>(
            """
            SELECT snapshot_date, initiative_id, status, report_date, days_since_report, phase
            FROM pbi_fct_project_status_snapshot ORDER BY snapshot_date, initiative_id
            """);
        Assert.Equal(
            [
                (new DateOnly(2024, 2, 15), "DIG-1", "Grön", new DateOnly(2024, 1, 31), 15, "Projekt"),
                (new DateOnly(2024, 3, 20), "DIG-1", "Röd", new DateOnly(2024, 2, 29), 20, "Projekt"),
                (new DateOnly(2024, 3, 20), "DIG-2", "Gul", new DateOnly(2024, 3, 15), 5, "Projekt"),
            ],
            rows);
        // The second snapshot of 20 March is the one kept.
        Assert.Equal(marchAgain.RunId, await ScalarAsync<long>("SELECT MIN(run_id) FROM pbi_fct_project_status_snapshot WHERE snapshot_date = @Day", new { Day = Warehouse.Database.Dialect.ToDb(NackaInsights.Warehouse.Storage.ColumnType.Date, new DateOnly(2024, 3, 20)) }));
    }

    private Task<RunResult> RunAsync(DateOnly? snapshot) =>
        RunAsync(RunSources.FromFolder(new SourceFolder(_source.Path)) with { ProjectStatusSnapshot = snapshot });
}

public sealed class SqliteProjectStatusSnapshotFacts : ProjectStatusSnapshotFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresProjectStatusSnapshotFacts(PostgresCluster cluster) : ProjectStatusSnapshotFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
