using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>
/// Two or more current items of a list with one key fail closed: none of them changes the warehouse, the key keeps
/// what the last published run gave it (or stays unknown), every run that takes the list in reports the key with all
/// the items' ids, and once only one item has the key, it applies.
/// </summary>
public abstract class ListDuplicateKeyFacts : WarehouseFacts
{
    private const string Unit = "Välfärd skola";
    private static readonly DateTime Monday = new(2024, 3, 4, 8, 0, 0, DateTimeKind.Utc);

    private sealed record AccessRow(string Unit, string UserPrincipalName);

    private sealed record VersionRow(long VersionNo, string? Phase, string ValidFrom, string ValidTo);

    private sealed record ProblemRow(string SourceName, string? ItemId, string Message);

    private static ListReadInfo Read(string list, int content) => new(list, ListReadModes.File, true, null, $"{list}-{content}");

    private static ListItemChange Object(string itemId, string objectId, string manager, DateTime modified) =>
        new(itemId, modified, $$"""{"ObjektId":"{{objectId}}","ForvaltareEpost":"{{manager}}"}""", false,
            new ObjectItem(new ListItemOrigin(RefreshRun.Lists.Objects, itemId, modified), objectId, $"Objekt {objectId}", manager, Unit), []);

    private static ListItemChange Initiative(string itemId, string initiativeId, string phase, DateTime modified) =>
        new(itemId, modified, $$"""{"InitiativId":"{{initiativeId}}","Fas":"{{phase}}"}""", false,
            new InitiativeItem(new ListItemOrigin(RefreshRun.Lists.Initiatives, itemId, modified), initiativeId, $"Initiativ {initiativeId}", Unit, phase,
                null, null, null, "agare@nacka.se", [], null, null), []);

    private static ListItemChange Score(string itemId, string criterion, int score, DateTime modified) =>
        new(itemId, modified, $$"""{"Kriterium":"{{criterion}}","Poang":{{score}}}""", false,
            new AssessmentItem(new ListItemOrigin(RefreshRun.Lists.Assessments, itemId, modified), "DIG-1", criterion, score, new DateOnly(2024, 2, 12), null), []);

    private static ListItemChange Report(string itemId, string status, DateTime modified) =>
        new(itemId, modified, $$"""{"Status":"{{status}}"}""", false,
            new StatusItem(new ListItemOrigin(RefreshRun.Lists.ProjectStatus, itemId, modified), "DIG-1", new DateOnly(2024, 9, 30), status, 40, null, null), []);

    /// <summary>One run taking in a list's whole content, as an offline file of that content gives it.</summary>
    private async Task<RunResult> RunAsync(string list, int content, params ListItemChange[] items)
    {
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await run.AddListAsync(Read(list, content), items, Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        return result;
    }

    /// <summary>A run in which the list's file is as it was when last read.</summary>
    private async Task<RunResult> RunUnchangedAsync(string list)
    {
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        var state = await run.GetListStateAsync(list, Ct);
        await run.AddUnchangedListAsync(list, state!, Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        return result;
    }

    private Task<List<AccessRow>> AccessAsync() => QueryAsync<AccessRow>(
        "SELECT unit AS Unit, user_principal_name AS UserPrincipalName FROM pbi_sec_unit_access ORDER BY user_principal_name");

    private Task<List<string>> ManagersAsync(string objectId) => QueryAsync<string>(
        "SELECT manager_email FROM pbi_dim_object WHERE object_id = @objectId ORDER BY manager_email", new { objectId });

    private async Task<List<VersionRow>> VersionsAsync(string initiativeId) =>
        (await QueryAsync<(long VersionNo, string? Phase, object ValidFrom, object ValidTo)>(
            "SELECT version_no, phase, valid_from, valid_to FROM pbi_dim_initiative_history WHERE initiative_id = @initiativeId ORDER BY version_no", new { initiativeId }))
        .Select(v => new VersionRow(v.VersionNo, v.Phase, Day(v.ValidFrom), Day(v.ValidTo)))
        .ToList();

    private static string Day(object value) => value switch
    {
        DateTime d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => ((string)value)[..10],
    };

    private Task<List<ProblemRow>> ProblemsAsync(long runId) => QueryAsync<ProblemRow>(
        "SELECT source_name AS SourceName, item_id AS ItemId, message AS Message FROM pbi_etl_problem WHERE run_id = @runId ORDER BY item_id", new { runId });

    /// <summary>Asserts that the run reported the key against the list, once for each item, each naming every item.</summary>
    private async Task AssertReportedAsync(RunResult result, string list, string key, params string[] itemIds)
    {
        var problems = (await ProblemsAsync(result.RunId)).Where(p => p.Message.StartsWith(key + " finns i", StringComparison.Ordinal)).ToList();
        Assert.Equal(itemIds.Order(StringComparer.Ordinal), problems.Select(p => p.ItemId!).Order(StringComparer.Ordinal));
        foreach (var problem in problems)
        {
            Assert.Equal(list, problem.SourceName);
            Assert.Contains($"({string.Join(", ", itemIds)})", problem.Message);
        }
        var listResult = Assert.Single(result.Lists, l => l.ListName == list);
        Assert.Equal(problems.Select(p => (p.ItemId, p.Message)).Order(),
            listResult.Problems.Where(p => p.Message.StartsWith(key + " finns i", StringComparison.Ordinal)).Select(p => (p.ItemId, p.Message)).Order());
    }

    [Fact]
    public async Task ASecondObjectWithAnExistingObjektId_ChangesNeitherTheManagerNorWhoMaySeeTheUnit()
    {
        await RunAsync(RefreshRun.Lists.Objects, 1, Object("1", "OBJ-1", "anna@nacka.se", Monday));

        var result = await RunAsync(RefreshRun.Lists.Objects, 2,
            Object("1", "OBJ-1", "anna@nacka.se", Monday), Object("7", "OBJ-1", "mallory@example.com", Monday.AddDays(1)));

        Assert.Equal(["anna@nacka.se"], await ManagersAsync("OBJ-1"));
        Assert.Equal([new AccessRow(Unit, "anna@nacka.se")], await AccessAsync());
        await AssertReportedAsync(result, RefreshRun.Lists.Objects, "ObjektId \"OBJ-1\"", "1", "7");
        // What was withheld counts as a rejection: the command line exits with its code for rejections.
        Assert.True(result.HasRejections);
    }

    [Fact]
    public async Task ADuplicateObjektId_IsReportedInEveryRunWhileItLasts_AndTheSurvivingItemAppliesOnceResolved()
    {
        await RunAsync(RefreshRun.Lists.Objects, 1, Object("1", "OBJ-1", "anna@nacka.se", Monday));
        await RunAsync(RefreshRun.Lists.Objects, 2,
            Object("1", "OBJ-1", "anna@nacka.se", Monday), Object("7", "OBJ-1", "bo@nacka.se", Monday.AddDays(1)));

        var unchanged = await RunUnchangedAsync(RefreshRun.Lists.Objects);
        await AssertReportedAsync(unchanged, RefreshRun.Lists.Objects, "ObjektId \"OBJ-1\"", "1", "7");
        Assert.Equal(["anna@nacka.se"], await ManagersAsync("OBJ-1"));

        // The older item is removed: the new one is the object's only item, and applies.
        var resolved = await RunAsync(RefreshRun.Lists.Objects, 3, Object("7", "OBJ-1", "bo@nacka.se", Monday.AddDays(1)));

        Assert.Empty(await ProblemsAsync(resolved.RunId));
        Assert.Equal(["bo@nacka.se"], await ManagersAsync("OBJ-1"));
        Assert.Equal([new AccessRow(Unit, "bo@nacka.se")], await AccessAsync());
    }

    [Fact]
    public async Task ADuplicateObjektIdNeverPublished_LeavesTheObjectOut()
    {
        var result = await RunAsync(RefreshRun.Lists.Objects, 1,
            Object("1", "OBJ-1", "anna@nacka.se", Monday), Object("7", "OBJ-1", "bo@nacka.se", Monday), Object("8", "OBJ-2", "cecilia@nacka.se", Monday));

        Assert.Empty(await ManagersAsync("OBJ-1"));
        Assert.Equal(["cecilia@nacka.se"], await ManagersAsync("OBJ-2"));
        Assert.Equal([new AccessRow(Unit, "cecilia@nacka.se")], await AccessAsync());
        await AssertReportedAsync(result, RefreshRun.Lists.Objects, "ObjektId \"OBJ-1\"", "1", "7");
    }

    [Fact]
    public async Task ADuplicateInitiativId_CreatesNoVersion_AndKeepsThePublishedOne()
    {
        await RunAsync(RefreshRun.Lists.Initiatives, 1, Initiative("1", "DIG-1", Phases.Project, Monday));
        var published = await VersionsAsync("DIG-1");

        var first = await RunAsync(RefreshRun.Lists.Initiatives, 2,
            Initiative("1", "DIG-1", Phases.Project, Monday), Initiative("7", "DIG-1", Phases.Idea, Monday.AddDays(1)));
        // The items change on the same day, each by turns the later modified one.
        var second = await RunAsync(RefreshRun.Lists.Initiatives, 3,
            Initiative("1", "DIG-1", Phases.Closed, Monday.AddDays(1).AddHours(1)), Initiative("7", "DIG-1", Phases.Idea, Monday.AddDays(1)));

        Assert.Equal([new VersionRow(1, Phases.Project, "2024-03-04", "9999-12-31")], published);
        Assert.Equal(published, await VersionsAsync("DIG-1"));
        Assert.Equal(Phases.Project, await ScalarAsync<string>("SELECT phase FROM pbi_dim_initiative WHERE initiative_id = 'DIG-1'"));
        await AssertReportedAsync(first, RefreshRun.Lists.Initiatives, "InitiativId \"DIG-1\"", "1", "7");
        await AssertReportedAsync(second, RefreshRun.Lists.Initiatives, "InitiativId \"DIG-1\"", "1", "7");
    }

    [Fact]
    public async Task ADuplicateInitiativId_AppliesTheSurvivingItem_OnceTheOtherHasAnotherKey()
    {
        await RunAsync(RefreshRun.Lists.Initiatives, 1, Initiative("1", "DIG-1", Phases.Project, Monday));
        await RunAsync(RefreshRun.Lists.Initiatives, 2,
            Initiative("1", "DIG-1", Phases.Project, Monday), Initiative("7", "DIG-1", Phases.Idea, Monday.AddDays(1)));

        var resolved = await RunAsync(RefreshRun.Lists.Initiatives, 3,
            Initiative("1", "DIG-1", Phases.Operation, Monday.AddDays(2)), Initiative("7", "DIG-2", Phases.Idea, Monday.AddDays(2)));

        Assert.Empty(await ProblemsAsync(resolved.RunId));
        Assert.Equal(
            [new VersionRow(1, Phases.Project, "2024-03-04", "2024-03-06"), new VersionRow(2, Phases.Operation, "2024-03-06", "9999-12-31")],
            await VersionsAsync("DIG-1"));
        Assert.Equal([new VersionRow(1, Phases.Idea, "2024-03-06", "9999-12-31")], await VersionsAsync("DIG-2"));
    }

    [Fact]
    public async Task ADuplicateInitiativIdNeverPublished_LeavesTheInitiativeOut()
    {
        var result = await RunAsync(RefreshRun.Lists.Initiatives, 1,
            Initiative("1", "DIG-1", Phases.Project, Monday), Initiative("7", "DIG-1", Phases.Idea, Monday), Initiative("8", "DIG-2", Phases.Idea, Monday));

        Assert.Empty(await VersionsAsync("DIG-1"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative WHERE initiative_id = 'DIG-1'"));
        Assert.Single(await VersionsAsync("DIG-2"));
        await AssertReportedAsync(result, RefreshRun.Lists.Initiatives, "InitiativId \"DIG-1\"", "1", "7");
    }
    private sealed record ScoreRow(string CriterionCode, long Score, string ItemId);

    private Task<List<ScoreRow>> ScoresAsync() => QueryAsync<ScoreRow>(
        "SELECT criterion_code AS CriterionCode, CAST(score AS bigint) AS Score, item_id AS ItemId FROM pbi_fct_evaluation_score WHERE initiative_id = 'DIG-1' ORDER BY criterion_code");

    [Fact]
    public async Task TwoScoresOfOneCriterionAndDate_ChangeNeitherTheScoreNorTheEvaluation_UntilOneIsLeft()
    {
        await RunAsync(RefreshRun.Lists.Initiatives, 1, Initiative("1", "DIG-1", Phases.Preparation, Monday));
        await RunAsync(RefreshRun.Lists.Assessments, 1, Score("11", "G4", 2, Monday), Score("12", "G1", 3, Monday));
        var benefit = await ScalarAsync<string>("SELECT priority_class FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-1'");

        var shared = await RunAsync(RefreshRun.Lists.Assessments, 2,
            Score("11", "G4", 2, Monday), Score("12", "G1", 3, Monday), Score("17", "G4", 4, Monday.AddDays(1)), Score("18", "G3", 1, Monday.AddDays(1)), Score("19", "G3", 4, Monday));

        // G4 keeps its published score; G3 was never published, and stays out.
        Assert.Equal([new ScoreRow("G1", 3, "12"), new ScoreRow("G4", 2, "11")], await ScoresAsync());
        Assert.Equal(benefit, await ScalarAsync<string>("SELECT priority_class FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-1'"));
        await AssertReportedAsync(shared, RefreshRun.Lists.Assessments, "InitiativId \"DIG-1\", Kriterium \"Finansiering\", Bedomningsdatum 2024-02-12", "11", "17");
        Assert.Contains(shared.Lists.Single().Problems, p => p.ItemId == "18" && p.Message.Contains("Kriterium \"Projektets komplexitet\"", StringComparison.Ordinal));

        var resolved = await RunAsync(RefreshRun.Lists.Assessments, 3, Score("12", "G1", 3, Monday), Score("17", "G4", 4, Monday.AddDays(1)), Score("18", "G3", 1, Monday.AddDays(1)));

        Assert.Empty(await ProblemsAsync(resolved.RunId));
        Assert.Equal([new ScoreRow("G1", 3, "12"), new ScoreRow("G3", 1, "18"), new ScoreRow("G4", 4, "17")], await ScoresAsync());
    }

    [Fact]
    public async Task TwoStatusReportsOfOneDate_KeepThePublishedReport()
    {
        await RunAsync(RefreshRun.Lists.Initiatives, 1, Initiative("1", "DIG-1", Phases.Project, Monday));
        await RunAsync(RefreshRun.Lists.ProjectStatus, 1, Report("21", ProjectStatuses.Green, Monday));

        var shared = await RunAsync(RefreshRun.Lists.ProjectStatus, 2, Report("21", ProjectStatuses.Green, Monday), Report("27", ProjectStatuses.Red, Monday.AddDays(1)));

        Assert.Equal([(ProjectStatuses.Green, "21")], await QueryAsync<(string, string)>("SELECT status, item_id FROM pbi_fct_project_status WHERE initiative_id = 'DIG-1'"));
        await AssertReportedAsync(shared, RefreshRun.Lists.ProjectStatus, "InitiativId \"DIG-1\", Rapportdatum 2024-09-30", "21", "27");
    }
    [Fact]
    public async Task TwoLongKeysThatReadAlikeAsExcerpts_AreReportedApart()
    {
        var one = "OBJ-" + new string('x', 80) + "-1";
        var other = "OBJ-" + new string('x', 80) + "-2";

        var result = await RunAsync(RefreshRun.Lists.Objects, 1,
            Object("1", one, "a@nacka.se", Monday), Object("2", one, "b@nacka.se", Monday),
            Object("3", other, "c@nacka.se", Monday), Object("4", other, "d@nacka.se", Monday));

        var problems = await ProblemsAsync(result.RunId);
        Assert.Equal(4, problems.Count);
        Assert.All(problems.Where(p => p.ItemId is "1" or "2"), p => Assert.Contains("finns i 2 objekt (1, 2).", p.Message));
        Assert.All(problems.Where(p => p.ItemId is "3" or "4"), p => Assert.Contains("finns i 2 objekt (3, 4).", p.Message));
        Assert.All(problems, p => Assert.True(p.Message.Length < 400, p.Message));
    }

    private Task<int?> SharedKeyItemsAsync(string list) =>
        ScalarAsync<int?>("SELECT shared_key_items FROM etl_list_state WHERE list_name = @list", new { list });

    [Fact]
    public async Task ARead_RecordsHowManyItemsItWithheld_ForTheRunsThatFindTheFileUnchanged()
    {
        await RunAsync(RefreshRun.Lists.Objects, 1,
            Object("1", "OBJ-1", "anna@nacka.se", Monday), Object("7", "OBJ-1", "bo@nacka.se", Monday), Object("8", "OBJ-2", "cecilia@nacka.se", Monday));
        Assert.Equal(2, await SharedKeyItemsAsync(RefreshRun.Lists.Objects));

        await RunAsync(RefreshRun.Lists.Objects, 2, Object("1", "OBJ-1", "anna@nacka.se", Monday), Object("8", "OBJ-2", "cecilia@nacka.se", Monday));
        Assert.Equal(0, await SharedKeyItemsAsync(RefreshRun.Lists.Objects));

        // Nothing to report, and nothing looked for: the count stays as the read left it.
        var unchanged = await RunUnchangedAsync(RefreshRun.Lists.Objects);
        Assert.Empty(await ProblemsAsync(unchanged.RunId));
        Assert.Equal(0, await SharedKeyItemsAsync(RefreshRun.Lists.Objects));
    }

    [Fact]
    public async Task AnUnchangedList_WhoseCountIsNotKnown_IsLookedAtAgain_AndTheCountRecorded()
    {
        await RunAsync(RefreshRun.Lists.Objects, 1, Object("1", "OBJ-1", "anna@nacka.se", Monday), Object("7", "OBJ-1", "bo@nacka.se", Monday));
        // As a list read before schema version 20 left it.
        await ExecuteAsync("UPDATE etl_list_state SET shared_key_items = NULL");

        var unchanged = await RunUnchangedAsync(RefreshRun.Lists.Objects);

        await AssertReportedAsync(unchanged, RefreshRun.Lists.Objects, "ObjektId \"OBJ-1\"", "1", "7");
        Assert.Equal(2, await SharedKeyItemsAsync(RefreshRun.Lists.Objects));
    }

    [Fact]
    public async Task AnUnchangedList_ReportsTheItems_ThatFoldingTheStoredSpellingsMadeShareAKey()
    {
        await RunAsync(RefreshRun.Lists.Objects, 1, Object("1", "OBJ-1", "anna@nacka.se", Monday), Object("7", "OBJ-2", "bo@nacka.se", Monday));
        Assert.Equal(0, await SharedKeyItemsAsync(RefreshRun.Lists.Objects));
        // What a warehouse loaded before keys were folded may hold: one object's key in two spellings, and, upgraded to
        // schema version 21, no record that a run folded them.
        await ExecuteAsync("UPDATE stg_list_object SET object_id = 'obj-1' WHERE item_id = '7'");
        await ExecuteAsync("DELETE FROM etl_key_fold");

        // This run folds the spellings (as it completes, after it took the list in), and so no longer knows the count.
        var folding = await RunUnchangedAsync(RefreshRun.Lists.Objects);
        Assert.Equal("OBJ-1", await ScalarAsync<string>("SELECT object_id FROM stg_list_object WHERE item_id = '7'"));
        Assert.Null(await SharedKeyItemsAsync(RefreshRun.Lists.Objects));
        Assert.DoesNotContain((await ProblemsAsync(folding.RunId)).Select(p => p.ItemId), id => id == "1");

        var next = await RunUnchangedAsync(RefreshRun.Lists.Objects);

        await AssertReportedAsync(next, RefreshRun.Lists.Objects, "ObjektId \"OBJ-1\"", "1", "7");
        Assert.Equal(2, await SharedKeyItemsAsync(RefreshRun.Lists.Objects));
    }
}



public sealed class SqliteListDuplicateKeyFacts : ListDuplicateKeyFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresListDuplicateKeyFacts(PostgresCluster cluster) : ListDuplicateKeyFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
