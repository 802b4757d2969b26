using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>
/// A run that loads only business cases and actuals rebuilds only their initiatives' rows and runs only the checks
/// that read what it wrote; what the pbi_* views then show is what a recompute of everything shows.
/// </summary>
public abstract class IncrementalRebuildFacts : WarehouseFacts
{
    /// <summary>Lineage that legitimately differs between an incremental run and a recompute: the run that computed a row.</summary>
    private static readonly HashSet<string> Lineage = ["run_id"];

    /// <summary>Lineage that differs between two warehouses loaded alike: the run, and when each was loaded.</summary>
    private static readonly HashSet<string> LoadedAt = [.. Lineage, "loaded_at_utc"];

    private long _loadRunId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Configure(Warehouse);
        var load = await RunAsync(LoadAsync);
        _loadRunId = load.RunId;
    }

    /// <summary>Who may upload actuals for any initiative, and who reads a unit's rows.</summary>
    private static void Configure(TestWarehouse warehouse)
    {
        warehouse.Actuals.Administrators.Add(Controller);
        warehouse.Access.Units["Välfärd skola"] = ["rektor@nacka.se"];
    }

    /// <summary>The first load of every test: the lists, three business cases, an upload of actuals and a survey.</summary>
    private static async Task LoadAsync(RefreshRun run)
    {
        await AddListsAsync(run);
        await run.AddBusinessCaseAsync(CaseFile("DIG-1", "v1"), Dig1(), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-2", "v1"), Dig2(), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-3", "v1"), Dig3(), Ct);
        await run.AddActualsAsync(ActualsFile("actuals/jan.xlsx", "jan"), Upload(
            Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "90000"),
            Row(3, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "45000"),
            Row(4, "DIG-2", "Digital post", "Finansiell", 2024, "8000"),
            Row(5, "DIG-3", "Frigjord tid", "Omfördelning", 2023, "20000"),
            Row(6, "DIG-3", "Nöjdare brukare", "Förflyttning", 2024, "7")), Ct);
        await run.AddSurveyAsync(SurveyFile("index/2024.csv"), Survey(
            Survey(2, 2023, "Välfärd skola", "Digital kompetens", 55),
            Survey(3, 2024, "Välfärd skola", "Digital kompetens", 61),
            Survey(4, 2024, "Stadsledningskontoret", "Digital kompetens", 70)), Ct);
    }

    [Fact]
    public async Task AFirstLoadTakenInPartsOfOneInitiative_ShowsWhatTheFirstLoadInOnePartShows()
    {
        var inOnePart = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), LoadedAt);
        using var other = await (await CreateWarehouseAsync()).MigratedAsync();
        Configure(other);

        RunResult load;
        await using (var run = await other.Loader().StartRunAsync("test", null, ct: Ct))
        {
            run.RebuildPart = 1;
            await LoadAsync(run);
            load = await run.CompleteAsync(Ct);
        }

        Assert.True(load.Succeeded, load.Message);
        var inParts = await ViewSnapshot.ReadAsync(other.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), LoadedAt);
        Assert.True(ViewSnapshot.Diff(inOnePart, inParts).Length == 0, ViewSnapshot.Diff(inOnePart, inParts));
        // The list's four initiatives, built in four parts.
        Assert.Equal(4, inParts["pbi_dim_initiative"].Count);
        Assert.NotEmpty(inParts["pbi_fct_benefit_realization"]);
    }

    [Fact]
    public async Task ARevisedBusinessCase_ShowsWhatARecomputeShows_WithoutRebuildingTheOtherInitiatives()
    {
        // DIG-3 moves unit (Fritid leaves the warehouse), drops a line with an actual, changes goals and runs to 2031.
        var revised = await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-3", "v2"), Case("DIG-3", "Kultur", "OBJ-1", 2023, 2031, "v2", ["STARK_TILLVAXT"],
            Benefit(2, "Minskad administration", BenefitType.Financial, (2025, 15_000), (2031, 15_000)),
            Benefit(3, "Nöjdare brukare", BenefitType.Movement, (2024, 5), (2025, 6))), Ct));

        Assert.DoesNotContain("Fritid", await QueryAsync<string>("SELECT unit FROM pbi_dim_unit"));
        Assert.Equal("Nyttoposten finns inte längre i den gällande nyttokalkylen.",
            await ScalarAsync<string>("SELECT reason FROM pbi_fct_benefit_actual_unmatched WHERE initiative_id = 'DIG-3'"));
        await AssertUntouchedAsync("DIG-1", "DIG-2");
        // The dimension changed, so the relationships to it were checked; the evaluations themselves were not written.
        Assert.Contains("relationship:pbi_fct_evaluation.initiative_id->pbi_dim_initiative.initiative_id", revised.Checks.Select(c => c.Name));
        Assert.DoesNotContain("unique:pbi_fct_evaluation(initiative_id)", revised.Checks.Select(c => c.Name));
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task BusinessCasesWithASensitivitySheet_ShowTheRangeAndSwingsARecomputeShows()
    {
        // A new initiative with the demo's sheet, and DIG-1 revised with a sheet of its own; DIG-2 and DIG-3 keep theirs.
        var revised = await RunAsync(async run =>
        {
            await run.AddBusinessCaseAsync(CaseFile(ContractWorkbooks.ReferenceId, "v1"), SensitivityCases.Reference(SensitivityCases.ReferenceSheet), Ct);
            await run.AddBusinessCaseAsync(CaseFile("DIG-1", "v2"), Dig1(version: "v2") with
            {
                Sensitivity =
                [
                    SensitivityCases.Line(2, "Införande", SensitivityLine.CostKind, 90, 150),
                    SensitivityCases.Line(3, "frigjord tid", SensitivityLine.BenefitKind, 40, 100),
                ],
            }, Ct);
        });

        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(DISTINCT initiative_id) FROM pbi_fct_business_case_sensitivity WHERE low_cell IS NOT NULL"));
        Assert.Contains(revised.Checks, c => c.Name == "custom:every_sek_line_has_a_sensitivity_row");
        Assert.Equal([_loadRunId], await QueryAsync<long>("SELECT DISTINCT run_id FROM fct_business_case_sensitivity WHERE initiative_id IN ('DIG-2', 'DIG-3')"));
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task ABusinessCaseWithOnlyNewAmounts_UpdatesTheRealisationAndTheIndex_AsARecomputeWould()
    {
        var indexBefore = await QueryAsync<decimal>("SELECT index_value FROM pbi_fct_digitalization_index_unit WHERE unit = 'Välfärd skola' ORDER BY year");

        var revised = await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-1", "v2"), Dig1(scale: 1.1m, version: "v2"), Ct));

        Assert.Equal(110_000m, await ScalarAsync<decimal>(
            "SELECT planned_value FROM pbi_fct_benefit_realization WHERE initiative_id = 'DIG-1' AND benefit_line = 'Minskad administration' AND year = 2023"));
        Assert.NotEqual(indexBefore, await QueryAsync<decimal>("SELECT index_value FROM pbi_fct_digitalization_index_unit WHERE unit = 'Välfärd skola' ORDER BY year"));
        await AssertUntouchedAsync("DIG-2", "DIG-3");
        // The dimension's rows are as they were (only its lineage to the business case version moved): no check of it ran.
        Assert.Empty(ChecksReading(revised, "pbi_dim_initiative"));
        Assert.DoesNotContain("relationship:pbi_fct_evaluation.initiative_id->pbi_dim_initiative.initiative_id", revised.Checks.Select(c => c.Name));
        Assert.Contains(revised.Checks, c => c.Name.StartsWith("unique:pbi_fct_benefit_realization", StringComparison.Ordinal));
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task ANewActualsUpload_ShowsWhatARecomputeShows_WithoutRebuildingTheOtherInitiatives()
    {
        var upload = await RunAsync(run => run.AddActualsAsync(ActualsFile("actuals/feb.xlsx", "feb"), Upload(
            Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "95000", "Rättat"),
            Row(3, "DIG-1", "Minskad administration", "Finansiell", 2024, "150000")), Ct));

        Assert.Equal([(2023, 95_000m), (2024, 150_000m)], (await QueryAsync<(long Year, decimal Actual)>(
            "SELECT year, actual_value FROM pbi_fct_benefit_realization WHERE initiative_id = 'DIG-1' AND benefit_line = 'Minskad administration' AND actual_value IS NOT NULL ORDER BY year"))
            .Select(r => ((int)r.Year, r.Actual)));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual WHERE initiative_id = 'DIG-1' AND year = 2023 AND is_current = 0"));
        await AssertUntouchedAsync("DIG-2", "DIG-3");
        Assert.Empty(ChecksReading(upload, "pbi_fct_business_case_year"));
        Assert.NotEmpty(ChecksReading(upload, "pbi_fct_benefit_actual"));
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task TheBusinessCaseOfANewInitiative_TakesInItsEvaluationsAndStatusReports_AsARecomputeWould()
    {
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-N'"));

        await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-N", "v1"), Case("DIG-N", "Välfärd skola", "OBJ-2", 2024, 2026, "v1", [],
            Benefit(2, "Digital post", BenefitType.Financial, (2025, 4_000))), Ct));

        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-N'"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_evaluation_score WHERE initiative_id = 'DIG-N'"));
        Assert.Equal("Gul", await ScalarAsync<string>("SELECT status FROM pbi_fct_project_status WHERE initiative_id = 'DIG-N' AND is_latest = 1"));
        // DIG-1's evaluation and reports were not rewritten: they still name the load that computed them.
        Assert.Equal([_loadRunId], await QueryAsync<long>("SELECT DISTINCT run_id FROM fct_evaluation_score WHERE initiative_id = 'DIG-1'"));
        Assert.Equal([_loadRunId], await QueryAsync<long>("SELECT DISTINCT run_id FROM fct_project_status WHERE initiative_id = 'DIG-1'"));
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task ARevisedBusinessCaseOfAListedInitiative_FillsInWhatTheListLeavesOpen_AsARecomputeWould()
    {
        // The list names no unit or owner for DIG-2: its business case does, and now names others.
        var revised = Case("DIG-2", "Kultur", "OBJ-2", 2024, 2026, "v2", ["STARK_TILLVAXT"], Benefit(2, "Digital post", BenefitType.Financial, (2024, 10_000)));

        await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-2", "v2"), revised, Ct));

        Assert.Equal("Kultur", await ScalarAsync<string>("SELECT unit FROM pbi_dim_initiative WHERE initiative_id = 'DIG-2'"));
        Assert.Equal(Phases.Project, await ScalarAsync<string>("SELECT phase FROM pbi_dim_initiative WHERE initiative_id = 'DIG-2'"));
        await AssertUntouchedAsync("DIG-1", "DIG-3");
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task BusinessCasesAndActualsInOneRun_ShowWhatARecomputeShows()
    {
        await RunAsync(async run =>
        {
            await run.AddBusinessCaseAsync(CaseFile("DIG-3", "v2"), Case("DIG-3", "Fritid", "OBJ-1", 2023, 2026, "v2", ["BASTA_UTVECKLING"],
                Benefit(2, "Frigjord tid", BenefitType.Redistribution, (2023, 30_000), (2026, 30_000))), Ct);
            await run.AddActualsAsync(ActualsFile("actuals/mar.xlsx", "mar"), Upload(
                Row(2, "DIG-3", "Frigjord tid", "Omfördelning", 2026, "31000"),
                Row(3, "DIG-2", "Digital post", "Finansiell", 2025, "9500")), Ct);
        });

        Assert.Equal(2L, await ScalarAsync<long>(
            "SELECT COUNT(*) FROM pbi_fct_benefit_realization WHERE initiative_id = 'DIG-3' AND benefit_line = 'Frigjord tid' AND actual_value IS NOT NULL"));
        await AssertUntouchedAsync("DIG-1");
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task ListsWithSharedKeys_KeepWhatWasPublished_AndABusinessCaseAfterThemShowsWhatARecomputeShows()
    {
        var published = await ViewSnapshot.ReadAsync(Warehouse.Database, v => v is "pbi_dim_object" or "pbi_dim_initiative_history" or "pbi_fct_evaluation_score" or "pbi_fct_project_status"
            or "pbi_fct_evaluation" or "pbi_sec_unit_access", Lineage);

        var shared = await RunAsync(run => AddListsAsync(run, withSharedKeys: true));

        Assert.Equal(8, shared.Lists.Sum(l => l.Problems.Count));
        var now = await ViewSnapshot.ReadAsync(Warehouse.Database, published.ContainsKey, Lineage);
        Assert.True(ViewSnapshot.Diff(published, now).Length == 0, "A shared key changed what was published:" + Environment.NewLine + ViewSnapshot.Diff(published, now));
        await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-1", "v2"), Dig1(scale: 1.1m, version: "v2"), Ct));
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task ARunWithNothingNew_WritesNoFactRows_AndRunsOnlyTheChecksOfTheEtlTablesItWrote()
    {
        var factRows = await FactRowCountsAsync();

        var noOp = await RunAsync(async run =>
        {
            foreach (var list in new[] { RefreshRun.Lists.Objects, RefreshRun.Lists.Initiatives, RefreshRun.Lists.Assessments, RefreshRun.Lists.ProjectStatus })
            {
                await run.AddUnchangedListAsync(list, (await run.GetListStateAsync(list, Ct))!, Ct);
            }
            foreach (var file in new[] { CaseFile("DIG-1", "v1"), CaseFile("DIG-2", "v1"), CaseFile("DIG-3", "v1"), ActualsFile("actuals/jan.xlsx", "jan"), SurveyFile("index/2024.csv") })
            {
                Assert.True(run.IsUnchanged(file), file.Name);
                await run.AddUnchangedAsync(file, Ct);
            }
            Assert.False(run.ChecksAll);
        });

        Assert.Equal(factRows, await FactRowCountsAsync());
        Assert.All(noOp.Checks, c => Assert.Contains(":pbi_etl_", c.Name, StringComparison.Ordinal));
        Assert.NotEmpty(noOp.Checks);
        Assert.InRange(noOp.Checks.Count, 1, DataChecks.All.Count - 1);
        Assert.Equal(noOp.Checks.Select(c => c.Name).Order(StringComparer.Ordinal),
            await QueryAsync<string>("SELECT check_name FROM pbi_etl_check WHERE run_id = @RunId ORDER BY check_name", new { noOp.RunId }));
        Assert.Contains($"{noOp.Checks.Count} av {DataChecks.All.Count} datakontroller kördes", noOp.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangedPhase_RewritesThatInitiativesLifecycleOnly_AndShowsWhatARecomputeShows()
    {
        // DIG-L moves from Beredning to Beslutad three weeks after the list was first read.
        var moved = Listed.AddDays(20);
        var item = new InitiativeItem(new ListItemOrigin(RefreshRun.Lists.Initiatives, "i3", moved), "DIG-L", "Chattbot", "Socialtjänst", Phases.Decided,
            null, null, null, null, [], null, null);

        var changed = await RunAsync(run => run.AddListAsync(new ListReadInfo(RefreshRun.Lists.Initiatives, ListReadModes.Delta, false, "delta-2", null),
            [new ListItemChange("i3", moved, """{"id":"i3","phase":"Beslutad"}""", false, item, [])], Ct));

        Assert.Equal(
            [("DIG-1", _loadRunId), ("DIG-2", _loadRunId), ("DIG-3", _loadRunId), ("DIG-L", changed.RunId)],
            (await QueryAsync<(string Id, long RunId)>("SELECT initiative_id, run_id FROM fct_initiative_lifecycle ORDER BY initiative_id")).Select(r => (r.Id, r.RunId)));
        Assert.Equal((Phases.Decided, "2024-03-21", "2024-03-21", 1L), await QuerySingleAsync<(string, string, string, long)>(
            """
            SELECT current_phase, CAST(current_phase_since AS VARCHAR(10)), CAST(entered_beslutad_on AS VARCHAR(10)), CAST(phase_changes AS BIGINT)
            FROM pbi_fct_initiative_lifecycle WHERE initiative_id = 'DIG-L'
            """));
        Assert.Contains("custom:every_initiative_has_a_lifecycle", changed.Checks.Select(c => c.Name));
        await AssertAsARecomputeShowsAsync();
    }

    [Fact]
    public async Task ARunWithNothingNew_WritesNoLifecycleRows()
    {
        var noOp = await RunAsync(async run =>
        {
            foreach (var list in new[] { RefreshRun.Lists.Objects, RefreshRun.Lists.Initiatives, RefreshRun.Lists.Assessments, RefreshRun.Lists.ProjectStatus })
            {
                await run.AddUnchangedListAsync(list, (await run.GetListStateAsync(list, Ct))!, Ct);
            }
            foreach (var file in new[] { CaseFile("DIG-1", "v1"), CaseFile("DIG-2", "v1"), CaseFile("DIG-3", "v1"), ActualsFile("actuals/jan.xlsx", "jan"), SurveyFile("index/2024.csv") })
            {
                await run.AddUnchangedAsync(file, Ct);
            }
        });

        Assert.DoesNotContain(noOp.Marts, m => m.Mart == "initiative_lifecycle");
        Assert.Equal([_loadRunId], await QueryAsync<long>("SELECT DISTINCT run_id FROM fct_initiative_lifecycle"));
        Assert.Equal(4L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_initiative_lifecycle"));
        Assert.DoesNotContain(noOp.Checks, c => c.Name.Contains("lifecycle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunGivenNothingToLoad_RunsEveryCheck_AndSoDoesARecompute()
    {
        await using (var run = await Warehouse.Loader().StartRunAsync("checks", null, ct: Ct))
        {
            Assert.True(run.ChecksAll);
            var checks = await run.CompleteAsync(Ct);
            Assert.True(checks.Succeeded, checks.Message);
            Assert.Equal(DataChecks.All.Select(c => c.Name), checks.Checks.Select(c => c.Name));
            Assert.Equal((long)DataChecks.All.Count, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_check WHERE run_id = @RunId", new { checks.RunId }));
        }

        var recompute = await RecomputeAsync();

        Assert.Equal(DataChecks.All.Select(c => c.Name), recompute.Checks.Select(c => c.Name));
    }

    [Fact]
    public async Task ARecomputeTakenInPartsOfOneInitiative_ShowsWhatARecomputeInOnePartShows()
    {
        var whole = await RecomputeAsync();
        Assert.True(whole.Succeeded, whole.Message);
        var inOnePart = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), Lineage);

        var parts = await RecomputeAsync(rebuildPart: 1);

        Assert.True(parts.Succeeded, parts.Message);
        var inParts = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), Lineage);
        Assert.True(ViewSnapshot.Diff(inOnePart, inParts).Length == 0, ViewSnapshot.Diff(inOnePart, inParts));
        Assert.NotEmpty(inParts["pbi_fct_benefit_realization"]);
        Assert.NotEmpty(inParts["pbi_fct_evaluation"]);
        // The list item of an initiative the warehouse does not know is still reported, once, by the rebuild in parts.
        Assert.Equal(
            await ScalarAsync<long>($"SELECT COUNT(*) FROM etl_problem WHERE run_id = {whole.RunId}"),
            await ScalarAsync<long>($"SELECT COUNT(*) FROM etl_problem WHERE run_id = {parts.RunId}"));
    }

    [Fact]
    public async Task AFailingCheckOfTheRowsTheRunWrote_RollsTheRunBack()
    {
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

        RunResult failed;
        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct))
        {
            // A score of 12 where a movement benefit is 0–10: the workbook reader would have refused it, the checks are the last line.
            await run.AddBusinessCaseAsync(CaseFile("DIG-1", "v2"), Case("DIG-1", "Välfärd skola", "OBJ-1", 2023, 2025, "v2", ["MAXIMALT_VARDE"],
                Benefit(2, "Minskad administration", BenefitType.Financial, (2023, 100_000)),
                Benefit(3, "Nöjdare medarbetare", BenefitType.Movement, (2024, 12))), Ct);
            failed = await CompleteOrFailAsync(run);
        }

        Assert.False(failed.Succeeded);
        Assert.Equal("expression:pbi_fct_benefit_realization:movement_is_a_score", Assert.Single(failed.Checks, c => !c.Passed).Name);
        var after = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));
        Assert.True(ViewSnapshot.Diff(before, after).Length == 0, ViewSnapshot.Diff(before, after));
        Assert.Equal("Misslyckad", await ScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @RunId", new { failed.RunId }));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_check WHERE run_id = @RunId AND passed = 0", new { failed.RunId }));
    }

    [Fact]
    public async Task BrokenRowsTheRunDidNotWrite_AreLeftToTheChecksRun_WhichChecksEveryRow()
    {
        // Rows no run wrote like this: DIG-2's realisation (a table the next run writes, for DIG-1 only) and an evaluation (a table it does not write).
        await ExecuteAsync("UPDATE fct_benefit_realization SET planned_value = -1 WHERE initiative_id = 'DIG-2'");
        await ExecuteAsync("UPDATE fct_evaluation SET priority_class = 'Okänd' WHERE initiative_id = 'DIG-1'");

        var revised = await RunAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-1", "v2"), Dig1(scale: 1.1m, version: "v2"), Ct));
        await using var checks = await Warehouse.Loader().StartRunAsync("checks", null, ct: Ct);
        var checkedAll = await CompleteOrFailAsync(checks);

        Assert.Contains("expression:pbi_fct_benefit_realization:values_are_not_negative", revised.Checks.Select(c => c.Name));
        Assert.DoesNotContain("accepted_values:pbi_fct_evaluation.priority_class", revised.Checks.Select(c => c.Name));
        Assert.Contains("bara över de rader som körningen skrev (1 initiativ)", revised.Message, StringComparison.Ordinal);
        Assert.False(checkedAll.Succeeded);
        Assert.Equal(
            ["accepted_values:pbi_fct_evaluation.priority_class", "expression:pbi_fct_benefit_realization:values_are_not_negative"],
            checkedAll.Checks.Where(c => !c.Passed).Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>Completes a run, or fails it as the pipeline does when a data check fails.</summary>
    private static async Task<RunResult> CompleteOrFailAsync(RefreshRun run)
    {
        try
        {
            return await run.CompleteAsync(Ct);
        }
        catch (DataCheckFailedException e)
        {
            return await run.FailAsync(e);
        }
    }

    /// <summary>The checks a run ran that count rows of <paramref name="view"/> (not those that only look keys up in it).</summary>
    private static List<string> ChecksReading(RunResult result, string view) =>
        DataChecks.All.Where(c => c.Reads.Contains(view) && result.Checks.Any(r => r.Name == c.Name)).Select(c => c.Name).ToList();

    /// <summary>Every pbi_* view but the etl ones, lineage left out; then a recompute of everything, and the same again.</summary>
    private async Task AssertAsARecomputeShowsAsync()
    {
        var incremental = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), Lineage);
        Assert.Contains("pbi_fct_benefit_realization", incremental.Keys);

        var recompute = await RecomputeAsync();

        Assert.True(recompute.Succeeded, recompute.Message);
        var recomputed = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal), Lineage);
        var diff = ViewSnapshot.Diff(recomputed, incremental);
        Assert.True(diff.Length == 0, "The incremental run left (−) or added (+) rows a recompute does not:" + Environment.NewLine + diff);
        Assert.Equal(recomputed.Keys, incremental.Keys);
        Assert.All(recomputed, v => Assert.Equal(v.Value, incremental[v.Key]));
    }

    /// <summary>The initiatives' realisation, evaluation and dimension rows were not rewritten: they name the load.</summary>
    private async Task AssertUntouchedAsync(params string[] initiatives)
    {
        foreach (var id in initiatives)
        {
            Assert.Equal([_loadRunId], await QueryAsync<long>("SELECT DISTINCT run_id FROM fct_benefit_realization WHERE initiative_id = @id", new { id }));
        }
    }

    private async Task<RunResult> RecomputeAsync(int? rebuildPart = null)
    {
        await using var run = await Warehouse.Loader().StartRunAsync("recompute", null, ct: Ct);
        if (rebuildPart is { } part)
        {
            run.RebuildPart = part;
        }
        run.RecomputeAll();
        return await run.CompleteAsync(Ct);
    }

    private async Task<Dictionary<string, long>> FactRowCountsAsync()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in (await SchemaCatalog.ReadAsync(Warehouse.Database))
                     .Where(o => o.Kind == SchemaObject.Table && (o.Name.StartsWith("fct_", StringComparison.Ordinal) || o.Name.StartsWith("dim_", StringComparison.Ordinal)
                         || o.Name.StartsWith("bridge_", StringComparison.Ordinal) || o.Name.StartsWith("sec_", StringComparison.Ordinal))))
        {
            counts[table.Name] = await ScalarAsync<long>($"SELECT COUNT(*) FROM {table.Name}");
        }
        return counts;
    }
}

public sealed class SqliteIncrementalRebuildFacts : IncrementalRebuildFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresIncrementalRebuildFacts(PostgresCluster cluster) : IncrementalRebuildFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
