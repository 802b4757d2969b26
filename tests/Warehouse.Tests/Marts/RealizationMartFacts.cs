using System.Globalization;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;
using static NackaInsights.TestSupport.WarehouseBuilders;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// The realisation mart writes only what differs: the mart graph decides from a run's writes what is due downstream
/// (the digitaliseringsindex reads the realisation) and which data checks run, so a rebuild that finds its rows as
/// they are writes nothing.
/// </summary>
public abstract class RealizationMartFacts : WarehouseFacts
{
    private static readonly string[] Initiatives = ["DIG-1", "DIG-2", "DIG-3", "DIG-4"];

    private long _runId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Warehouse.Actuals.Administrators.Add(Controller);
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await AddListsAsync(run);
        await run.AddBusinessCaseAsync(CaseFile("DIG-1", "v1"), Dig1(), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-2", "v1"), Dig2(), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-3", "v1"), Dig3(), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-2", "v2"), Dig2("v2"), Ct);
        // No actuals: its realisation is its plan alone.
        await run.AddBusinessCaseAsync(CaseFile("DIG-4", "v1"), Case("DIG-4", "Fritid", "OBJ-2", 2024, 2025, "v1", [],
            Benefit(2, "Digital post", BenefitType.Financial, (2024, 5_000), (2025, 7_500))), Ct);
        await run.AddActualsAsync(ActualsFile("actuals/jan.xlsx", "jan"), Upload(
            Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "90000"),
            Row(3, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "45000", "Halvår"),
            Row(4, "DIG-2", "Digital post", "Finansiell", 2024, "8000"),
            Row(5, "DIG-3", "Frigjord tid", "Omfördelning", 2023, "20000"),
            Row(6, "DIG-3", "Nöjdare brukare", "Förflyttning", 2031, "7")), Ct);
        // A later upload replaces DIG-1's 2023 value; values with decimals and a rate that does not terminate
        // prove the comparison reads them back as the database keeps them.
        await run.AddActualsAsync(ActualsFile("actuals/feb.xlsx", "feb"), Upload(
            Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "95000.1234"),
            Row(3, "DIG-2", "Digital post", "Finansiell", 2025, "3333.3333")), Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        _runId = result.RunId;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheRealizationMart_RewritesOnlyTheInitiativesWhoseRowsDiffer(bool whole)
    {
        var scope = whole ? MartScope.Whole : MartScope.Of(Initiatives);
        var (again, changed, runs, revised) = await InRolledBackTransactionAsync(async (context, rebuildRunId) =>
        {
            await WarehouseMarts.Realization.BuildAsync(context, scope, Ct);
            context.Sql.TakePending();
            await WarehouseMarts.Realization.BuildAsync(context, scope, Ct);
            var again = context.Sql.TakePending();

            // DIG-1's current actual of 2024 corrected in place.
            await context.Sql.ExecuteAsync("UPDATE fct_benefit_actual SET value = 46000 WHERE initiative_id = 'DIG-1' AND year = 2024", Ct);
            context.Sql.TakePending();
            await WarehouseMarts.Realization.BuildAsync(context, scope, Ct);
            var changed = context.Sql.TakePending();

            var runs = await context.Sql.ReadAsync("SELECT DISTINCT initiative_id, run_id FROM fct_benefit_realization ORDER BY initiative_id",
                r => new WrittenBy(Text(r, 0), Long(r, 1) == rebuildRunId ? "rebuild" : Long(r, 1) == _runId ? "run" : "other"), Ct);
            var revised = await context.Sql.ReadAsync(
                "SELECT actual_value FROM fct_benefit_realization WHERE initiative_id = 'DIG-1' AND benefit_line = 'Frigjord tid' AND year = 2024",
                r => Dec(r, 0).ToString("0.######", CultureInfo.InvariantCulture), Ct);
            return (again, changed, runs, revised);
        });

        Assert.Equal(TableWrite.None, again.Of("fct_benefit_realization").Kinds);
        Assert.Equal(TableWrite.None, again.Of("fct_benefit_actual").Kinds);
        Assert.Equal(["DIG-1"], changed.Of("fct_benefit_realization").KeysOf(TableWrites.InitiativeColumn)?.Cast<string>().Order(StringComparer.Ordinal));
        Assert.Equal(TableWrite.None, changed.Of("fct_benefit_actual").Kinds);
        Assert.Equal([new("DIG-1", "rebuild"), new("DIG-2", "run"), new("DIG-3", "run"), new("DIG-4", "run")], runs);
        Assert.Equal(["46000"], revised);
    }

    [Fact]
    public async Task MarkingTheCurrentActuals_ChangesAndCountsOnlyTheFlagsThatDiffer()
    {
        var (published, marked, changed, again, written) = await InRolledBackTransactionAsync(async (context, _) =>
        {
            var published = await FlagsAsync(context);
            // DIG-1's replaced value of 2023 marked current and its replacement not: two flags wrong, the others right.
            await context.Sql.ExecuteAsync("UPDATE fct_benefit_actual SET is_current = 1 - is_current WHERE initiative_id = 'DIG-1' AND year = 2023", Ct);
            var changed = await WarehouseMarts.Realization.MarkCurrentActualsAsync(context, null, Ct);
            var marked = await FlagsAsync(context);
            context.Sql.TakePending();
            var again = await WarehouseMarts.Realization.MarkCurrentActualsAsync(context, Initiatives, Ct);
            return (published, marked, changed, again, context.Sql.TakePending());
        });

        Assert.Equal(2, published.Count(f => f.InitiativeId == "DIG-1" && f.Year == 2023));
        Assert.Equal(1, published.Count(f => f.InitiativeId == "DIG-1" && f.Year == 2023 && f.IsCurrent == 1));
        Assert.True(published.Count > 2, "the test needs actuals whose flags are right to stay as they are");
        Assert.Equal(published, marked);
        Assert.Equal(2, changed);
        Assert.Equal(0, again);
        Assert.Equal(TableWrite.None, written.Of("fct_benefit_actual").Kinds);
    }

    [Fact]
    public async Task TheRealizationMart_BuiltWhole_DropsTheRowsOfAnInitiativeThatHasNeitherActualsNorACurrentBusinessCase()
    {
        var (before, after) = await InRolledBackTransactionAsync(async (context, _) =>
        {
            var before = await InitiativesAsync(context);
            await context.Sql.ExecuteAsync("UPDATE fct_business_case_version SET is_current = 0 WHERE initiative_id = 'DIG-4'", Ct);
            await WarehouseMarts.Realization.BuildAsync(context, MartScope.Whole, Ct);
            return (before, await InitiativesAsync(context));
        });

        Assert.Equal(Initiatives, before);
        Assert.Equal(["DIG-1", "DIG-2", "DIG-3"], after);
    }

    private static async Task<List<string>> InitiativesAsync(MartContext context) =>
        await context.Sql.ReadAsync("SELECT DISTINCT initiative_id FROM fct_benefit_realization ORDER BY initiative_id", r => Text(r, 0), Ct);

    private static async Task<List<Flag>> FlagsAsync(MartContext context) =>
        await context.Sql.ReadAsync("SELECT actual_id, initiative_id, year, is_current FROM fct_benefit_actual ORDER BY actual_id",
            r => new Flag(Long(r, 0), Text(r, 1), Int(r, 2), Int(r, 3)), Ct);

    /// <summary>Runs <paramref name="work"/> as a run other than the one that loaded the warehouse, rolled back after it.</summary>
    private Task<T> InRolledBackTransactionAsync<T>(Func<MartContext, long, Task<T>> work) =>
        InRolledBackRunAsync(_runId, context => work(context, context.RunId));

    private sealed record WrittenBy(string InitiativeId, string Run);

    private sealed record Flag(long ActualId, string InitiativeId, int Year, int IsCurrent);
}

public sealed class SqliteRealizationMartFacts : RealizationMartFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresRealizationMartFacts(PostgresCluster cluster) : RealizationMartFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
