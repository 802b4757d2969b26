using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>
/// The report's figures against the views on every database: the demo's sources loaded as the demo loads them (the
/// register of February, then June's with the actuals) by the real refresh command, into SQLite and into PostgreSQL.
/// </summary>
public abstract class ReportFigureFacts : WarehouseFacts
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(FixedTime.ReportDay.UtcDateTime);

    private readonly TempDirectory _source = new("nacka-report-source");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        DemoSourceWriter.Write(_source.Path);
        DemoListWriter.Write(_source.Path, DemoListWriter.Snapshot.February);
        await RefreshAsync();
        DemoListWriter.Write(_source.Path, DemoListWriter.Snapshot.June);
        DemoActualsWriter.Write(_source.Path);
        await RefreshAsync();
        // Daily snapshots of the project status, as the service's daily job takes them: two in May, one in April.
        foreach (var day in new DateOnly[] { new(2024, 4, 30), new(2024, 5, 15), new(2024, 5, 31) })
        {
            var snapshot = await new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance)
                .RunAsync(RunSources.ChecksOnly with { ProjectStatusSnapshot = day }, "test", null, Ct);
            Assert.True(snapshot.Succeeded, snapshot.Message);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _source.Dispose();
    }

    [Fact]
    public async Task EveryFigure_OfTheMunicipalitysReport_EqualsTheSameFigureComputedBySqlFromTheViews()
    {
        var page = await ReportPage.WriteAsync(Warehouse.Database, ReportRequest.Municipality);
        var expected = await ExpectedFigures.ComputeAsync(Warehouse.Database, [], null, Today);

        Assert.Equal(2024, expected.Year);
        // The months come from the snapshots (Power BI's measure), and the data quality from the last run that read sources.
        Assert.Equal("2024-05-31", page.Figure("status.month.2024-05.day").GetAttribute("data-value"));
        Assert.True(page.Value("quality.run") < page.Value("overview.run"));
        Assert.True(page.Value("quality.files") > 0);
        Assert.True(page.Figures.Count > 100, $"only {page.Figures.Count} figures");
        FigureAssert.EqualsExpected(page, expected);
    }

    [Fact]
    public async Task EveryFigure_OfTwoUnitsReport_EqualsTheirFiguresComputedBySql_AndNoOtherUnitIsNamed()
    {
        string[] units = ["Välfärd skola", "Kultur och fritid"];
        var page = await ReportPage.WriteAsync(Warehouse.Database, new ReportRequest(units, 2023));
        var expected = await ExpectedFigures.ComputeAsync(Warehouse.Database, units, 2023, Today);

        FigureAssert.EqualsExpected(page, expected, name => !name.StartsWith("quality.", StringComparison.Ordinal));
        var (sql, parameters) = ExpectedFigures.ExpandUnits(
            "SELECT unit FROM pbi_dim_unit WHERE unit NOT IN @Units UNION SELECT initiative_id FROM pbi_dim_initiative WHERE unit NOT IN @Units UNION SELECT object_id FROM pbi_dim_object WHERE unit NOT IN @Units",
            new { }, units);
        var others = await QueryAsync<string>(sql, parameters);
        Assert.NotEmpty(others);
        Assert.All(others, other => Assert.DoesNotContain(other, page.AllText, StringComparison.Ordinal));
    }

    private async Task RefreshAsync()
    {
        var result = await CliRunner.RunAsync("refresh", "--source-dir", _source.Path,
            "--provider", Warehouse.Options.Provider.ToString().ToLowerInvariant(), "--connection", Warehouse.Options.ConnectionString);
        Assert.True(result.ExitCode is NackaInsights.Etl.Commands.ExitCodes.Success or NackaInsights.Etl.Commands.ExitCodes.Rejections, result.ToString());
    }
}

public sealed class SqliteReportFigureFacts : ReportFigureFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresReportFigureFacts(PostgresCluster cluster) : ReportFigureFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
