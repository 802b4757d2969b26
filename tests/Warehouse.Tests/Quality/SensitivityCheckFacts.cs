using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Quality;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Quality;

/// <summary>
/// The data checks of the sensitivity catch what the mart never writes: the reference case and the payback case built
/// by a run pass them all, then a row broken here directly fails its check.
/// </summary>
public abstract class SensitivityCheckFacts : WarehouseFacts
{
    private const string Filled = "expression:pbi_fct_business_case:range_is_filled";
    private const string InOrder = "expression:pbi_fct_business_case:pessimistic_expected_optimistic_in_order";
    private const string PaybackInOrder = "expression:pbi_fct_business_case:payback_years_in_order";
    private const string Unique = "unique:pbi_fct_business_case_sensitivity(initiative_id, line_no)";
    private const string LineName = "not_null:pbi_fct_business_case_sensitivity.line_name";
    private const string OfACase = "relationship:pbi_fct_business_case_sensitivity.initiative_id->pbi_fct_business_case.initiative_id";
    private const string OfTheVersion = "custom:sensitivity_rows_are_of_the_current_version";
    private const string Kind = "accepted_values:pbi_fct_business_case_sensitivity.line_kind";
    private const string Percentages = "expression:pbi_fct_business_case_sensitivity:percentages_in_range";
    private const string Swing = "expression:pbi_fct_business_case_sensitivity:swing_is_the_difference_of_the_two_npvs";
    private const string Between = "custom:expected_npv_lies_between_low_and_high";
    private const string EveryLine = "custom:every_sek_line_has_a_sensitivity_row";

    private static readonly string[] Sensitivity = [Filled, InOrder, PaybackInOrder, Unique, LineName, OfACase, OfTheVersion, Kind, Percentages, Swing, Between, EveryLine];

    private const string Nacka = ContractWorkbooks.ReferenceId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await run.AddBusinessCaseAsync(CaseFile(Nacka, "v1"), SensitivityCases.Reference(SensitivityCases.ReferenceSheet), Ct);
        await run.AddBusinessCaseAsync(CaseFile("DIG-PB", "v1"), SensitivityCases.Payback(), Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
    }

    [Fact]
    public async Task TheRowsTheMartWrites_PassEveryCheck()
    {
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM fct_business_case_range"));
        Assert.Equal(6L, await ScalarAsync<long>("SELECT COUNT(*) FROM fct_business_case_sensitivity"));
        Assert.Empty(await FailingAsync());
    }

    [Fact]
    public async Task ACurrentBusinessCaseWithoutARange_FailsTheFilledCheck()
    {
        await ExecuteAsync($"DELETE FROM fct_business_case_range WHERE initiative_id = '{Nacka}'");

        Assert.Equal(new Dictionary<string, int> { [Filled] = 1 }, await FailingAsync());
    }

    [Theory]
    // The pessimistic net above the expected (−508 800), the optimistic NPV below the expected (−507 119.10).
    [InlineData("net_benefit_total_pessimistic_sek = -500000")]
    [InlineData("npv_optimistic_sek = -600000")]
    public async Task CasesOutOfOrder_FailTheCheck(string broken)
    {
        await ExecuteAsync($"UPDATE fct_business_case_range SET {broken} WHERE initiative_id = '{Nacka}'");

        Assert.Equal(new Dictionary<string, int> { [InOrder] = 1 }, await FailingAsync());
    }

    [Theory]
    // The payback case pays back in 2026 as expected, in 2025 at best and never at worst.
    [InlineData("payback_year_pessimistic = 2025", 1)]
    [InlineData("payback_year_pessimistic = 2026", 0)]
    [InlineData("payback_year_optimistic = 2027", 1)]
    [InlineData("payback_year_optimistic = NULL", 1)]
    [InlineData("payback_year_optimistic = 2024", 0)]
    public async Task PaybackYearsOutOfOrder_FailTheCheck(string change, int failing)
    {
        await ExecuteAsync($"UPDATE fct_business_case_range SET {change} WHERE initiative_id = 'DIG-PB'");

        Assert.Equal(failing, (await FailingAsync()).GetValueOrDefault(PaybackInOrder));
    }

    [Fact]
    public async Task APaybackInTheWorstCaseOfACaseThatNeverPaysBack_FailsTheCheck()
    {
        await ExecuteAsync($"UPDATE fct_business_case_range SET payback_year_pessimistic = 2030 WHERE initiative_id = '{Nacka}'");

        Assert.Equal(new Dictionary<string, int> { [PaybackInOrder] = 1 }, await FailingAsync());
    }

    [Fact]
    public async Task ARowOfAnotherInitiativesVersion_FailsTheVersionCheck()
    {
        // Nacka's first line made out of the payback case's version, which is current: the view still shows it.
        await ExecuteAsync(
            $"UPDATE fct_business_case_sensitivity SET bc_version_id = (SELECT bc_version_id FROM fct_business_case_version WHERE initiative_id = 'DIG-PB') " +
            $"WHERE initiative_id = '{Nacka}' AND line_no = 1");

        Assert.Equal(new Dictionary<string, int> { [OfTheVersion] = 1 }, await FailingAsync());
    }

    [Fact]
    public async Task ALineOfAnotherKindOrWithPercentagesOutOfRange_FailsItsCheck()
    {
        await ExecuteAsync($"UPDATE fct_business_case_sensitivity SET line_kind = 'Förflyttning' WHERE initiative_id = '{Nacka}' AND line_no = 1");
        await ExecuteAsync($"UPDATE fct_business_case_sensitivity SET low_pct = 110 WHERE initiative_id = '{Nacka}' AND line_no = 2");
        await ExecuteAsync($"UPDATE fct_business_case_sensitivity SET high_pct = 1001 WHERE initiative_id = '{Nacka}' AND line_no = 3");
        await ExecuteAsync("UPDATE fct_business_case_sensitivity SET high_pct = 99 WHERE initiative_id = 'DIG-PB' AND line_no = 1");

        // Line 1 of another kind is also no longer the row of its Kostnad line.
        Assert.Equal(new Dictionary<string, int> { [Kind] = 1, [Percentages] = 3, [EveryLine] = 1 }, await FailingAsync());
    }

    [Theory]
    [InlineData("npv_swing_sek = npv_swing_sek + 1", 1, 0)]
    [InlineData("npv_swing_sek = -npv_swing_sek", 1, 0)]
    // Both NPVs above the expected one: the swing still their difference, but the expected NPV is not between them.
    [InlineData("npv_at_low_sek = npv_at_low_sek + 500000, npv_at_high_sek = npv_at_high_sek + 500000", 0, 1)]
    public async Task ASwingThatIsNotTheDifference_OrNpvsThatDoNotHoldTheExpectedOne_FailTheirCheck(string change, int swing, int between)
    {
        await ExecuteAsync($"UPDATE fct_business_case_sensitivity SET {change} WHERE initiative_id = '{Nacka}' AND line_no = 4");

        var failing = await FailingAsync();
        Assert.Equal((swing, between), (failing.GetValueOrDefault(Swing), failing.GetValueOrDefault(Between)));
        Assert.Equal(swing + between, failing.Values.Sum());
    }

    [Fact]
    public async Task ASekLineWithoutARow_IsMissing_AlsoWhenOnlyItsInitiativesRowsAreChecked()
    {
        await ExecuteAsync($"DELETE FROM fct_business_case_sensitivity WHERE initiative_id = '{Nacka}' AND line_no = 3");
        var check = DataChecks.All.Single(c => c.Name == EveryLine);

        Assert.Equal(new Dictionary<string, int> { [EveryLine] = 1 }, await FailingAsync());
        Assert.Equal(1, await RunAsync(new PlannedCheck(check, new HashSet<object> { Nacka })));
        Assert.Equal(0, await RunAsync(new PlannedCheck(check, new HashSet<object> { "DIG-PB" })));
    }

    [Fact]
    public async Task ARowSpellingItsLinesNameInOtherLetterCase_IsStillTheLinesRow_AlsoWhenOnlyItsInitiativesRowsAreChecked()
    {
        // No exact match is left for the line, so only the folded comparison can find its row.
        await ExecuteAsync($"UPDATE fct_business_case_sensitivity SET line_name = UPPER(line_name) WHERE initiative_id = '{Nacka}' AND line_no = 3");
        Assert.Equal(0L, await ScalarAsync<long>(
            "SELECT COUNT(*) FROM pbi_fct_business_case_line l JOIN fct_business_case_sensitivity s ON s.initiative_id = l.initiative_id " +
            $"AND s.line_kind = l.line_kind AND s.line_name = l.line_name WHERE s.initiative_id = '{Nacka}' AND s.line_no = 3"));
        var check = DataChecks.All.Single(c => c.Name == EveryLine);

        Assert.Empty(await FailingAsync());
        Assert.Equal(0, await RunAsync(new PlannedCheck(check, new HashSet<object> { Nacka })));
    }

    [Fact]
    public async Task ARowOfAnInitiativeWithoutACurrentBusinessCase_IsAnOrphan()
    {
        await ExecuteAsync("UPDATE fct_business_case_sensitivity SET initiative_id = 'DIG-GONE' WHERE initiative_id = 'DIG-PB' AND line_no = 1");

        // The view joins the row to its version, which is DIG-PB's: DIG-PB's line lacks its row, and the row names an
        // initiative with no business case.
        Assert.Equal(new Dictionary<string, int> { [OfACase] = 1, [EveryLine] = 1 }, await FailingAsync());
    }

    /// <summary>The sensitivity's checks that fail over every row, with their failing rows.</summary>
    private async Task<Dictionary<string, int>> FailingAsync()
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        var checks = DataChecks.All.Where(c => Sensitivity.Contains(c.Name)).Select(PlannedCheck.EveryRow).ToList();
        Assert.Equal(Sensitivity.Length, checks.Count);
        return (await DataChecks.RunAsync(connection, null, checks, 60, Ct)).Where(c => !c.Passed).ToDictionary(c => c.Name, c => c.FailingRows);
    }

    private async Task<int> RunAsync(PlannedCheck check)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        return (await DataChecks.RunAsync(connection, null, [check], 60, Ct)).Single().FailingRows;
    }
}

public sealed class SqliteSensitivityCheckFacts : SensitivityCheckFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresSensitivityCheckFacts(PostgresCluster cluster) : SensitivityCheckFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
