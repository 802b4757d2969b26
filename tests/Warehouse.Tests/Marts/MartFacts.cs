using System.Globalization;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// Each mart on its own: given the tables it reads as a run published them, and its own tables emptied, it writes the rows
/// the run published; and a mart that builds by initiative writes the same whether asked for every row or for every
/// initiative.
/// </summary>
public abstract class MartFacts : WarehouseFacts
{
    private static readonly DateOnly SnapshotDay = new(2024, 3, 1);

    /// <summary>Columns that name the run that wrote a row, which a rebuild in another run legitimately changes.</summary>
    private static readonly HashSet<string> Lineage = new(StringComparer.OrdinalIgnoreCase) { "run_id" };

    /// <summary>How a mart's table is emptied before it is built alone: the tables the loads write keep their rows and lose what the mart sets.</summary>
    private static readonly Dictionary<string, string> Emptying = new(StringComparer.Ordinal)
    {
        ["fct_business_case_version"] = "UPDATE fct_business_case_version SET is_current = 0, npv_sek = 0, discount_rate = -1",
        ["fct_benefit_actual"] = "UPDATE fct_benefit_actual SET is_current = 0, unmatched_reason = 'stale'",
    };

    private long _runId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Warehouse.Actuals.Administrators.Add(Controller);
        Warehouse.Access.Units["Välfärd skola"] = ["rektor@nacka.se"];
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await AddListsAsync(run);
        await run.AddBusinessCaseAsync(CaseFile("DIG-1", "v1"), Dig1(), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-2", "v1"), Dig2(), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-3", "v1"), Dig3(), Ct);
        // Revised: its first version is no longer current.
        await run.AddBusinessCaseAsync(CaseFile("DIG-2", "v2"), Dig2("v2"), Ct);
        await run.AddActualsAsync(ActualsFile("actuals/jan.xlsx", "jan"), Upload(
            Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "90000"),
            Row(3, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "45000"),
            Row(4, "DIG-2", "Digital post", "Finansiell", 2024, "8000"),
            Row(5, "DIG-3", "Frigjord tid", "Omfördelning", 2023, "20000"),
            Row(6, "DIG-3", "Nöjdare brukare", "Förflyttning", 2031, "7")), Ct);
        await run.AddSurveyAsync(SurveyFile("index/2024.csv"), Survey(
            Survey(2, 2023, "Välfärd skola", "Digital kompetens", 55),
            Survey(3, 2024, "Välfärd skola", "Digital kompetens", 61),
            Survey(4, 2024, "Stadsledningskontoret", "Digital kompetens", 70)), Ct);
        run.TakeProjectStatusSnapshot(SnapshotDay);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        _runId = result.RunId;
    }

    public static TheoryData<string> AllMarts => new(WarehouseMarts.All.Select(m => m.Name));

    public static TheoryData<string> MartsByInitiative => new(WarehouseMarts.All.Where(m => m.ByInitiative).Select(m => m.Name));

    [Theory]
    [MemberData(nameof(AllMarts))]
    public async Task AMartBuiltAlone_FromWhatItReads_WritesTheRowsTheRunPublished(string name)
    {
        var mart = WarehouseMarts.All.Single(m => m.Name == name);
        var published = await RowsAsync(null, mart.Writes);
        Assert.NotEmpty(published.Values.SelectMany(rows => rows));

        var rebuilt = await InRolledBackTransactionAsync(async context =>
        {
            await EmptyAsync(context, mart);
            Assert.NotEqual(published, await RowsAsync(context, mart.Writes));
            await mart.BuildAsync(context, MartScope.Whole, Ct);
            return await RowsAsync(context, mart.Writes);
        });

        Assert.Equal(published, rebuilt);
    }

    [Theory]
    [MemberData(nameof(MartsByInitiative))]
    public async Task AMartBuiltForEveryInitiative_WritesWhatItWritesWhole(string name)
    {
        var mart = WarehouseMarts.All.Single(m => m.Name == name);
        var initiatives = await QueryAsync<string>(
            """
            SELECT initiative_id FROM stg_list_initiative UNION SELECT initiative_id FROM stg_list_assessment UNION SELECT initiative_id FROM stg_list_status
            UNION SELECT initiative_id FROM fct_business_case_version UNION SELECT initiative_id FROM fct_benefit_actual
            """);

        var whole = await InRolledBackTransactionAsync(async context =>
        {
            await EmptyAsync(context, mart);
            await mart.BuildAsync(context, MartScope.Whole, Ct);
            return await RowsAsync(context, mart.Writes);
        });
        var byInitiative = await InRolledBackTransactionAsync(async context =>
        {
            await EmptyAsync(context, mart);
            await mart.BuildAsync(context, MartScope.Of(initiatives), Ct);
            return await RowsAsync(context, mart.Writes);
        });

        Assert.Equal(whole, byInitiative);
    }

    /// <summary>The marts that compare with their stored rows, and write straight away when their tables hold none.</summary>
    public static TheoryData<string> MartsThatCompare => new("realization", "business_case_sensitivity", "evaluation", "project_status", "initiative_lifecycle");

    [Theory]
    [MemberData(nameof(MartsThatCompare))]
    public async Task AMartRebuiltWhole_WritesNothingOverItsOwnRows_AndEveryTableAgainOverEmptiedOnes(string name)
    {
        var mart = WarehouseMarts.All.Single(m => m.Name == name);
        var published = await RowsAsync(null, mart.Writes);

        var (overOwnRows, overEmptied, rows) = await InRolledBackTransactionAsync(async context =>
        {
            context.Sql.TakePending();
            await mart.BuildAsync(context, MartScope.Whole, Ct);
            var overOwnRows = Written(context);
            await EmptyAsync(context, mart);
            context.Sql.TakePending();
            await mart.BuildAsync(context, MartScope.Whole, Ct);
            return (overOwnRows, Written(context), await RowsAsync(context, mart.Writes));
        });

        Assert.Empty(overOwnRows);
        Assert.Equal(mart.Writes.Where(t => published[t].Count > 0).Order(StringComparer.Ordinal), overEmptied);
        Assert.Equal(published, rows);
    }

    private static List<string> Written(MartContext context) =>
        [.. context.Sql.TakePending().Tables.Where(t => t.Value.Kinds != TableWrite.None && !t.Key.Contains('(')).Select(t => t.Key).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task TheObjectMart_TakesEachStagedObject_AndLeavesOutAKeyTwoItemsShare()
    {
        var objects = await InRolledBackTransactionAsync(async context =>
        {
            await context.Sql.ExecuteAsync("DELETE FROM stg_list_object", Ct);
            await context.Sql.InsertAsync(WarehouseTables.StgListObject,
            [
                ["o1", "OBJ-A", "Ekonomisystem", "eva@nacka.se", "Stadsledningskontoret", Listed, _runId],
                ["o2", "OBJ-B", "Bibliotekssystem", "bo@nacka.se", "Kultur", Listed, _runId],
                ["o3", "OBJ-B", "Bibliotekssystem", "mallory@example.com", "Kultur", Listed, _runId],
            ], Ct);
            await WarehouseMarts.Object.BuildAsync(context, MartScope.Whole, Ct);
            return (await context.Sql.Connection.QueryAsync<(string, string)>(new CommandDefinition(
                "SELECT object_id, manager_email FROM dim_object ORDER BY object_id", transaction: context.Sql.Transaction, cancellationToken: Ct))).ToList();
        });

        Assert.Equal([("OBJ-A", "eva@nacka.se")], objects);
    }

    [Fact]
    public async Task TheEvaluationMart_EvaluatesTheStagedScoresOfKnownInitiativesOnly()
    {
        var evaluated = await InRolledBackTransactionAsync(async context =>
        {
            await context.Sql.ExecuteAsync("DELETE FROM stg_list_assessment", Ct);
            await context.Sql.InsertAsync(WarehouseTables.StgListAssessment,
            [
                ["a1", "DIG-1", "N1", 4, new DateOnly(2024, 5, 2), null, Listed, _runId],
                ["a2", "DIG-UNKNOWN", "N1", 2, new DateOnly(2024, 5, 2), null, Listed, _runId],
            ], Ct);
            await WarehouseMarts.Evaluation.BuildAsync(context, MartScope.Whole, Ct);
            var unknown = context.UnknownInitiatives.Take();
            Assert.Equal([(RefreshRun.Lists.Assessments, "a2", "DIG-UNKNOWN")], unknown);
            return (await context.Sql.Connection.QueryAsync<string>(new CommandDefinition(
                "SELECT initiative_id FROM fct_evaluation_score", transaction: context.Sql.Transaction, cancellationToken: Ct))).ToList();
        });

        Assert.Equal(["DIG-1"], evaluated);
    }

    [Fact]
    public async Task TheEvaluationMart_RewritesOnlyTheInitiativesWhoseScoresDiffer()
    {
        var (stored, written) = await InRolledBackTransactionAsync(async context =>
        {
            var stored = (await context.Sql.Connection.QueryAsync<string>(new CommandDefinition(
                "SELECT DISTINCT initiative_id FROM fct_evaluation_score ORDER BY initiative_id", transaction: context.Sql.Transaction, cancellationToken: Ct))).ToList();
            // One assessment of DIG-1 rescored: the list changed, so the mart is built whole.
            await context.Sql.ExecuteAsync(
                """
                UPDATE stg_list_assessment SET score = CASE WHEN score = 5 THEN 1 ELSE score + 1 END
                WHERE item_id = (SELECT MIN(item_id) FROM stg_list_assessment WHERE initiative_id = 'DIG-1')
                """, Ct);
            var before = context.Sql.Written.Of("fct_evaluation_score");
            Assert.Equal(TableWrite.None, before.Kinds);
            await WarehouseMarts.Evaluation.BuildAsync(context, MartScope.Whole, Ct);
            return (stored, context.Sql.Written.Of("fct_evaluation_score").KeysOf("initiative_id")?.Cast<string>().Order(StringComparer.Ordinal).ToList());
        });

        Assert.Contains("DIG-1", stored);
        Assert.True(stored.Count > 1, "the test needs evaluations of other initiatives that stay as they are");
        Assert.Equal(["DIG-1"], written);
    }

    [Fact]
    public async Task TheProjectStatusMart_RewritesOnlyTheInitiativesWhoseReportsDiffer()
    {
        var (stored, written) = await InRolledBackTransactionAsync(async context =>
        {
            var stored = (await context.Sql.Connection.QueryAsync<string>(new CommandDefinition(
                "SELECT DISTINCT initiative_id FROM fct_project_status ORDER BY initiative_id", transaction: context.Sql.Transaction, cancellationToken: Ct))).ToList();
            // One report of DIG-1 commented anew: the list changed, so the mart is built whole.
            await context.Sql.ExecuteAsync(
                """
                UPDATE stg_list_status SET comment = 'Omplanerad'
                WHERE item_id = (SELECT MIN(item_id) FROM stg_list_status WHERE initiative_id = 'DIG-1')
                """, Ct);
            Assert.Equal(TableWrite.None, context.Sql.Written.Of("fct_project_status").Kinds);
            await WarehouseMarts.ProjectStatus.BuildAsync(context, MartScope.Whole, Ct);
            return (stored, context.Sql.Written.Of("fct_project_status").KeysOf("initiative_id")?.Cast<string>().Order(StringComparer.Ordinal).ToList());
        });

        Assert.Contains("DIG-1", stored);
        Assert.True(stored.Count > 1, "the test needs reports of other initiatives that stay as they are");
        Assert.Equal(["DIG-1"], written);
    }

    private Task<T> InRolledBackTransactionAsync<T>(Func<MartContext, Task<T>> work) =>
        InRolledBackContextAsync(_runId, SnapshotDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), work);

    private static async Task EmptyAsync(MartContext context, IMart mart)
    {
        foreach (var table in mart.Writes)
        {
            await context.Sql.ExecuteAsync(Emptying.GetValueOrDefault(table) ?? $"DELETE FROM {table}", Ct);
        }
    }

    /// <summary>Every row of the tables, as text without their lineage, in order: in the transaction of <paramref name="context"/>, or published.</summary>
    private async Task<Dictionary<string, List<string>>> RowsAsync(MartContext? context, IEnumerable<string> tables)
    {
        var rows = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using var own = context is null ? await Warehouse.Database.OpenAsync(Ct) : null;
        var connection = context?.Sql.Connection ?? own!;
        foreach (var table in tables)
        {
            var read = await connection.QueryAsync(new CommandDefinition($"SELECT * FROM {table}", transaction: context?.Sql.Transaction, cancellationToken: Ct));
            rows[table] = read.Cast<IDictionary<string, object?>>()
                .Select(r => string.Join("|", r.Where(c => !Lineage.Contains(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => $"{c.Key}={Text(c.Value)}")))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        return rows;
    }

    /// <summary>A value as text that compares the same however the database returned it (SQLite's long and double, PostgreSQL's int and decimal).</summary>
    private static string Text(object? value) => value switch
    {
        null or DBNull => "∅",
        bool b => b ? "1" : "0",
        decimal d => d.ToString("0.######", CultureInfo.InvariantCulture),
        double d => ((decimal)d).ToString("0.######", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

public sealed class SqliteMartFacts : MartFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresMartFacts(PostgresCluster cluster) : MartFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
