using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Model;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// A run builds the marts the graph makes due from what it wrote, and no other: those that read a table a load wrote,
/// then, in the graph's order, those that read a table a mart built before them changed.
/// </summary>
public abstract class MartBuildsFacts : WarehouseFacts
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Warehouse.Actuals.Administrators.Add(Controller);
        Warehouse.Access.Units["Välfärd skola"] = ["rektor@nacka.se"];
        await RunAsync(async run =>
        {
            await AddListsAsync(run);
            await run.AddBusinessCaseAsync(CaseFile("DIG-1", "v1"), Dig1(), Ct);
            await run.AddBusinessCaseAsync(CaseFile("DIG-2", "v1"), Dig2(), Ct);
            await run.AddActualsAsync(ActualsFile("actuals/jan.xlsx", "jan"), Upload(
                Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "90000"),
                Row(3, "DIG-2", "Digital post", "Finansiell", 2024, "8000")), Ct);
            await run.AddSurveyAsync(SurveyFile("index/2024.csv"), Survey(Survey(2, 2024, "Välfärd skola", "Digital kompetens", 61)), Ct);
        });
    }

    /// <summary>One changed item of each list: what the run then builds, worked out by hand from the marts' declarations.</summary>
    public static TheoryData<string, string[]> OneChangedItem => new()
    {
        // A score: the evaluation mart alone (and the calendar, which spans every run's day).
        { RefreshRun.Lists.Assessments, ["evaluation", "calendar"] },
        // A status report: the project status; no snapshot, which is taken on request only.
        { RefreshRun.Lists.ProjectStatus, ["project_status", "calendar"] },
        // Another förvaltare: the objects, the units (which stay as they were) and who may see them.
        { RefreshRun.Lists.Objects, ["object", "unit", "unit_access", "calendar"] },
        // An initiative's phase: its versions, dimension and lifecycle, and the index, which counts initiatives in förvaltning;
        // not the evaluations and status reports, which read only which initiatives exist.
        { RefreshRun.Lists.Initiatives, ["initiative_version", "initiative", "initiative_lifecycle", "digitalization_index", "unit", "unit_access", "calendar"] },
    };

    [Theory]
    [MemberData(nameof(OneChangedItem))]
    public async Task AChangedListItem_BuildsTheMartsThatReadItsList_AndThoseTheyChangeInTurn(string list, string[] expected)
    {
        var result = await RunAsync(run => run.AddListAsync(new ListReadInfo(list, ListReadModes.Delta, false, "delta-2", null), [Changed(list)], Ct));

        Assert.Equal(expected, result.Marts.Select(m => m.Mart));
        AssertBuiltAsTheGraphSays(result, written: [StagingTableOf(list)]);
    }

    [Fact]
    public async Task ANewInitiative_BuildsTheEvaluationsAndStatusReportsOfItAlone_WhichReadOnlyWhichInitiativesExist()
    {
        var result = await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-N", "v1"), Case("DIG-N", "Välfärd skola", "OBJ-2", 2024, 2026, "v1", [],
            Benefit(2, "Digital post", BenefitType.Financial, (2025, 4_000))), Ct));

        var built = result.Marts.ToDictionary(m => m.Mart);
        Assert.Contains(KeySet.Of("dim_initiative"), built["initiative"].Wrote);
        Assert.Equal(["DIG-N"], built["evaluation"].Scope.Initiatives);
        Assert.Equal(["DIG-N"], built["project_status"].Scope.Initiatives);
        // The list's staged scores and reports of DIG-N count now that it exists.
        Assert.Contains("fct_evaluation_score", built["evaluation"].Wrote);
        Assert.Contains("fct_project_status", built["project_status"].Wrote);
        AssertBuiltAsTheGraphSays(result, written: ["fct_business_case_version", "fct_business_case_year", "raw_business_case_line", "raw_business_case_value"]);
    }

    [Fact]
    public async Task ABusinessCase_BuildsItsInitiativesRowsOnly()
    {
        var result = await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-1", "v2"), Dig1(scale: 1.1m, version: "v2"), Ct));

        var built = result.Marts.ToDictionary(m => m.Mart);
        Assert.Equal(["DIG-1"], built["business_case_version"].Scope.Initiatives);
        Assert.Equal(["DIG-1"], built["realization"].Scope.Initiatives);
        Assert.Contains("fct_benefit_realization", built["realization"].Wrote);
        // A new version: its range and its lines' rows, of its initiative alone.
        Assert.Equal(["DIG-1"], built["business_case_sensitivity"].Scope.Initiatives);
        Assert.Equal(["fct_business_case_range", "fct_business_case_sensitivity"], built["business_case_sensitivity"].Wrote.Order(StringComparer.Ordinal));
        AssertBuiltAsTheGraphSays(result, written: ["fct_business_case_version", "fct_business_case_year", "raw_business_case_line", "raw_business_case_value"]);
    }

    [Fact]
    public async Task AnActualsUpload_BuildsTheRealisationOfItsInitiatives_AndTheIndexThatCountsIt()
    {
        var result = await RunAsync(run => run.AddActualsAsync(ActualsFile("actuals/feb.xlsx", "feb"), Upload(
            Row(2, "DIG-1", "Minskad administration", "Finansiell", 2024, "150000")), Ct));

        Assert.Equal(["realization", "digitalization_index"], result.Marts.Select(m => m.Mart).Take(2));
        Assert.Equal(["DIG-1"], result.Marts[0].Scope.Initiatives);
        AssertBuiltAsTheGraphSays(result, written: ["fct_benefit_actual"]);
    }

    [Fact]
    public async Task AnActualReportedAgainWithAComment_RewritesItsRealisation_ButTheIndexWhichReadsNoComment_ChangesNothing()
    {
        var result = await RunAsync(run => run.AddActualsAsync(ActualsFile("actuals/jan-2.xlsx", "jan-2"), Upload(
            Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "90000", "Bekräftat")), Ct));

        var built = result.Marts.ToDictionary(m => m.Mart);
        Assert.Contains("fct_benefit_realization", built["realization"].Wrote);
        Assert.Empty(built["digitalization_index"].Wrote);
        Assert.DoesNotContain("unit", built.Keys);
        Assert.DoesNotContain(result.Checks, c => c.Name.Contains("digitalization_index", StringComparison.Ordinal));
        AssertBuiltAsTheGraphSays(result, written: ["fct_benefit_actual"]);
    }

    [Fact]
    public async Task ASurveyRepeatingTheStoredValues_BuildsTheIndex_WhichChangesNothing()
    {
        var result = await RunAsync(run => run.AddSurveyAsync(SurveyFile("index/2024-again.csv"), Survey(Survey(2, 2024, "Välfärd skola", "Digital kompetens", 61)), Ct));

        var index = Assert.Single(result.Marts, m => m.Mart == "digitalization_index");
        Assert.Empty(index.Wrote);
        Assert.Equal(["digitalization_index", "calendar"], result.Marts.Select(m => m.Mart));
    }

    [Fact]
    public async Task ASurvey_BuildsTheIndex_AndWhatReadsIt()
    {
        var result = await RunAsync(run => run.AddSurveyAsync(SurveyFile("index/2025.csv"), Survey(Survey(2, 2025, "Välfärd skola", "Digital kompetens", 64)), Ct));

        Assert.Equal("digitalization_index", result.Marts[0].Mart);
        Assert.Contains("fct_digitalization_index_unit", result.Marts[0].Wrote);
        AssertBuiltAsTheGraphSays(result, written: ["fct_survey_result"]);
    }

    [Fact]
    public async Task ARunGivenNothingNew_BuildsOnlyTheCalendar_WhichChangesNothing()
    {
        var result = await RunAsync(_ => Task.CompletedTask);

        var calendar = Assert.Single(result.Marts);
        Assert.Equal("calendar", calendar.Mart);
        Assert.Empty(calendar.Wrote);
    }

    [Fact]
    public async Task ASnapshot_IsBuiltWhenAsked_AfterTheStatusReportsItReads()
    {
        var result = await RunAsync(async run =>
        {
            await run.AddListAsync(new ListReadInfo(RefreshRun.Lists.ProjectStatus, ListReadModes.Delta, false, "delta-2", null), [Changed(RefreshRun.Lists.ProjectStatus)], Ct);
            run.TakeProjectStatusSnapshot(new DateOnly(2024, 3, 1));
        });

        Assert.Equal(["project_status", "project_status_snapshot", "calendar"], result.Marts.Select(m => m.Mart));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_project_status_snapshot WHERE snapshot_date = '2024-03-01'"));
    }

    [Fact]
    public async Task ARecompute_BuildsEveryMartWhole_ExceptTheSnapshot()
    {
        await using var run = await Warehouse.Loader().StartRunAsync("recompute", null, ct: Ct);
        run.RecomputeAll();
        var result = await run.CompleteAsync(Ct);

        Assert.Equal(WarehouseMarts.Graph.Order.Where(m => !m.OnRequest).Select(m => m.Name), result.Marts.Select(m => m.Mart));
        Assert.All(result.Marts, m => Assert.True(m.Scope.IsWhole, m.Mart));
    }

    /// <summary>
    /// Each mart built read a table the loads wrote or a mart built before it changed, and each mart that read such a
    /// table was built: exactly what the graph's declarations make due, in the graph's order.
    /// </summary>
    private static void AssertBuiltAsTheGraphSays(RunResult result, string[] written)
    {
        var changed = new HashSet<string>([.. written, "etl_run"], StringComparer.Ordinal);
        var built = result.Marts.ToDictionary(m => m.Mart);
        var expected = new List<string>();
        foreach (var mart in WarehouseMarts.Graph.Order.Where(m => !m.OnRequest))
        {
            if (mart.Reads.Any(changed.Contains))
            {
                expected.Add(mart.Name);
                changed.UnionWith(built.TryGetValue(mart.Name, out var build) ? build.Wrote : []);
            }
        }
        Assert.Equal(expected, result.Marts.Select(m => m.Mart));
    }

    private static string StagingTableOf(string list) => list switch
    {
        RefreshRun.Lists.Initiatives => "stg_list_initiative",
        RefreshRun.Lists.Assessments => "stg_list_assessment",
        RefreshRun.Lists.ProjectStatus => "stg_list_status",
        _ => "stg_list_object",
    };

    private static ListItemChange Changed(string list) => list switch
    {
        RefreshRun.Lists.Assessments => Item("a1-N1", new AssessmentItem(Origin(list, "a1-N1"), "DIG-1", "N1", 4, new DateOnly(2023, 2, 1), "Omprövad")),
        RefreshRun.Lists.ProjectStatus => Item("s3", new StatusItem(Origin(list, "s3"), "DIG-2", new DateOnly(2024, 2, 29), ProjectStatuses.Yellow, 20, null, null)),
        RefreshRun.Lists.Objects => Item("o2", new ObjectItem(Origin(list, "o2"), "OBJ-2", "Ärendesystem", "cecilia@nacka.se", "Stadsledningskontoret")),
        _ => Item("i3", new InitiativeItem(Origin(list, "i3"), "DIG-L", "Chattbot", "Socialtjänst", Phases.Operation, null, null, null, null, [], null, null)),
    };
}

public sealed class SqliteMartBuildsFacts : MartBuildsFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresMartBuildsFacts(PostgresCluster cluster) : MartBuildsFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
