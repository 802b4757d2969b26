using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>The recompute run the worker continues a load with: every computed fact rebuilt from what is loaded, on each database.</summary>
public abstract class RecomputeFacts : PipelineFacts
{
    private static readonly DateTimeOffset January = new(2024, 1, 2, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _source = new("nacka-recompute");

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        new RawXlsx()
            .Sheet("Initiativ", [.. ContractWorkbooks.InitiativeRows(), ["Förvaltningsobjekt", "FO-SIGN"]])
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .Save(_source.File($"business-cases/{ContractWorkbooks.ReferenceId}.xlsx"));
        ListFiles.Write(_source.Path, "Initiativ",
            ListFiles.Initiative("1", ContractWorkbooks.ReferenceId, "Förvaltning", January),
            ListFiles.Initiative("2", "DIG-2", "Beredning", January));
        ListFiles.Write(_source.Path, "Forvaltningsobjekt", ListFiles.Object("1", "FO-SIGN", "E-signering", "maria.objekt@nacka.se", "Stadsledningskontoret"));
        // Benefit 3.0 and feasibility 3.0: above the default threshold 2.5, below 3.5.
        ListFiles.Write(_source.Path, "Bedomningar", ListFiles.Assessment("1", "DIG-2", "2024-01-20", [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]));
        ListFiles.Write(_source.Path, "Projektstatus", ListFiles.Status("1", ContractWorkbooks.ReferenceId, "2024-01-31", "Grön", 100));
        var load = await RunAsync(RunSources.FromFolder(new SourceFolder(_source.Path)));
        Assert.True(load.Succeeded, load.Message);
    }

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Recompute_RebuildsEveryFactFromWhatIsLoaded_AndChangesNothingWhenNothingChanged()
    {
        // A rebuilt fact names the run that computed it; everything else stays as it was.
        var lineage = new HashSet<string> { "run_id" };
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), lineage);

        var recompute = await RunAsync(RunSources.Recompute);

        Assert.True(recompute.Succeeded, recompute.Message);
        Assert.Contains("Alla beräknade fakta beräknades om", recompute.Message);
        Assert.Empty(recompute.Files);
        var after = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), lineage);
        Assert.True(ViewSnapshot.Diff(before, after).Length == 0, ViewSnapshot.Diff(before, after));
    }

    [Fact]
    public async Task Recompute_BringsTheEvaluationsToAChangedThreshold_WhichARunWithNothingNewDoesNot()
    {
        Assert.Equal("Genomför", await ScalarAsync<string>("SELECT priority_class FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-2'"));
        Warehouse.Evaluation.Threshold = 3.5m;

        var nothingNew = await RunAsync(RunSources.FromFolder(new SourceFolder(_source.Path)));
        var classAfterNothingNew = await ScalarAsync<string>("SELECT priority_class FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-2'");
        var recompute = await RunAsync(RunSources.Recompute);

        Assert.True(nothingNew.Succeeded, nothingNew.Message);
        Assert.Equal("Genomför", classAfterNothingNew);
        Assert.True(recompute.Succeeded, recompute.Message);
        Assert.Equal("Avvakta", await ScalarAsync<string>("SELECT priority_class FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-2'"));
        Assert.Equal(3.5m, await ScalarAsync<decimal>("SELECT threshold FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-2'"));
    }

    [Fact]
    public async Task AChecksOnlyRun_ChecksThePublishedFacts_AndChangesNothing()
    {
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

        var checks = await RunAsync(RunSources.ChecksOnly);

        Assert.True(checks.Succeeded, checks.Message);
        Assert.NotEmpty(checks.Checks);
        Assert.All(checks.Checks, c => Assert.True(c.Passed, c.Name));
        Assert.Equal((long)checks.Checks.Count, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_check WHERE run_id = @Run", new { Run = checks.RunId }));
        Assert.Equal(before, await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal)));
    }
}

public sealed class SqliteRecomputeFacts : RecomputeFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresRecomputeFacts(PostgresCluster cluster) : RecomputeFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
