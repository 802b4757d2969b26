using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Tests.Quality;

/// <summary>
/// The data checks of the lifecycle catch what the mart never writes: rows written here directly, beside a history of
/// two initiatives (DIG-1 and DIG-2).
/// </summary>
public abstract class LifecycleCheckFacts : WarehouseFacts
{
    private const string Unique = "unique:pbi_fct_initiative_lifecycle(initiative_id)";
    private const string InHistory = "relationship:pbi_fct_initiative_lifecycle.initiative_id->pbi_dim_initiative_history.initiative_id";
    private const string EveryInitiative = "custom:every_initiative_has_a_lifecycle";
    private const string NotNegative = "expression:pbi_fct_initiative_lifecycle:lead_times_are_not_negative";
    private const string InOrder = "expression:pbi_fct_initiative_lifecycle:entered_in_phase_order_unless_it_went_back";

    private static readonly string[] Lifecycle = [Unique, InHistory, EveryInitiative, NotNegative, InOrder];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await ExecuteAsync(
            """
            INSERT INTO etl_run (run_id, run_kind, started_at_utc, status) VALUES (1, 'test', '2024-03-01 08:00:00', 'Lyckad');
            INSERT INTO dim_initiative_history (initiative_id, version_no, name, unit, phase, valid_from, valid_to, is_current, source) VALUES
                ('DIG-1', 1, 'Digital skolskjuts', 'Välfärd skola', 'Idé', '2023-01-10', '2023-03-15', 0, 'Initiativlistan'),
                ('DIG-1', 2, 'Digital skolskjuts', 'Välfärd skola', 'Beslutad', '2023-03-15', '9999-12-31', 1, 'Initiativlistan'),
                ('DIG-2', 1, 'Chattbot', 'Socialtjänst', 'Beredning', '2023-02-01', '9999-12-31', 1, 'Initiativlistan');
            """);
    }

    [Fact]
    public async Task ALifecycleAsTheMartWritesIt_PassesEveryCheck()
    {
        await InsertAsync("DIG-1", beslutad: "'2023-03-15'", daysToDecision: "64");
        await InsertAsync("DIG-2", beredning: "'2023-02-01'");

        Assert.Empty(await FailingAsync());
    }

    [Fact]
    public async Task AnInitiativeTwice_InAnotherLetterCase_IsNotUnique()
    {
        await InsertAsync("DIG-1");
        await InsertAsync("dig-1");
        await InsertAsync("DIG-2");

        // dig-1 is also no initiative of the history: the relationship compares exactly.
        Assert.Equal(new Dictionary<string, int> { [Unique] = 1, [InHistory] = 1 }, await FailingAsync());
    }

    [Fact]
    public async Task ARowOfAnInitiativeTheHistoryDoesNotHold_IsAnOrphan()
    {
        await InsertAsync("DIG-1");
        await InsertAsync("DIG-2");
        await InsertAsync("DIG-GONE");

        Assert.Equal(new Dictionary<string, int> { [InHistory] = 1 }, await FailingAsync());
    }

    [Fact]
    public async Task AnInitiativeOfTheHistoryWithoutARow_IsMissing_AlsoWhenOnlyItsRowsAreChecked()
    {
        await InsertAsync("DIG-1");
        var check = DataChecks.All.Single(c => c.Name == EveryInitiative);

        Assert.Equal(new Dictionary<string, int> { [EveryInitiative] = 1 }, await FailingAsync());
        Assert.Equal(1, await RunAsync(new PlannedCheck(check, new HashSet<object> { "DIG-2" })));
        Assert.Equal(0, await RunAsync(new PlannedCheck(check, new HashSet<object> { "DIG-1" })));
    }

    [Theory]
    [InlineData("days_to_decision")]
    [InlineData("days_decision_to_project")]
    [InlineData("days_project_to_forvaltning")]
    [InlineData("days_to_forvaltning")]
    public async Task ANegativeLeadTime_FailsTheCheck(string column)
    {
        await InsertAsync("DIG-1");
        await InsertAsync("DIG-2");
        await ExecuteAsync($"UPDATE fct_initiative_lifecycle SET {column} = -3 WHERE initiative_id = 'DIG-1'");

        Assert.Equal(new Dictionary<string, int> { [NotNegative] = 1 }, await FailingAsync());
    }

    [Theory]
    // A later phase entered before an earlier one, next to each other or across a skipped phase.
    [InlineData("'2023-05-01'", "NULL", "'2023-03-01'", 0, 1)]
    [InlineData("'2023-05-01'", "'2023-04-01'", "NULL", 0, 1)]
    // The same, by an initiative that went back: no rule to break.
    [InlineData("'2023-05-01'", "NULL", "'2023-03-01'", 1, 0)]
    // In order, a phase skipped or not.
    [InlineData("'2023-02-01'", "NULL", "'2023-03-01'", 0, 0)]
    [InlineData("'2023-02-01'", "'2023-02-01'", "'2023-03-01'", 0, 0)]
    public async Task EnteredDatesOutOfPhaseOrder_FailTheCheck_UnlessTheInitiativeWentBack(string beredning, string beslutad, string projekt, int wentBack, int failing)
    {
        await InsertAsync("DIG-1", beredning: beredning, beslutad: beslutad, projekt: projekt, wentBack: wentBack);
        await InsertAsync("DIG-2");

        Assert.Equal(failing, (await FailingAsync()).GetValueOrDefault(InOrder));
    }

    private Task InsertAsync(string id, string beredning = "NULL", string beslutad = "NULL", string projekt = "NULL", string daysToDecision = "NULL", int wentBack = 0) =>
        ExecuteAsync(
            $"""
            INSERT INTO fct_initiative_lifecycle (initiative_id, registered_on, entered_beredning_on, entered_beslutad_on, entered_projekt_on, days_to_decision,
                                                  current_phase, phase_changes, went_back, run_id)
            VALUES ('{id}', '2023-01-10', {beredning}, {beslutad}, {projekt}, {daysToDecision}, 'Beslutad', 1, {wentBack}, 1)
            """);

    /// <summary>The lifecycle's checks that fail over every row, with their failing rows.</summary>
    private async Task<Dictionary<string, int>> FailingAsync()
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        var checks = DataChecks.All.Where(c => Lifecycle.Contains(c.Name)).Select(PlannedCheck.EveryRow).ToList();
        Assert.Equal(Lifecycle.Length, checks.Count);
        return (await DataChecks.RunAsync(connection, null, checks, 60, Ct)).Where(c => !c.Passed).ToDictionary(c => c.Name, c => c.FailingRows);
    }

    private async Task<int> RunAsync(PlannedCheck check)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        return (await DataChecks.RunAsync(connection, null, [check], 60, Ct)).Single().FailingRows;
    }
}

public sealed class SqliteLifecycleCheckFacts : LifecycleCheckFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresLifecycleCheckFacts(PostgresCluster cluster) : LifecycleCheckFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
