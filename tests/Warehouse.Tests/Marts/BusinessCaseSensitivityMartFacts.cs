using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Model;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// The sensitivity mart fills the range of pbi_fct_business_case and the tornado's rows of
/// pbi_fct_business_case_sensitivity for each current business case, from the rows the loads wrote.
/// </summary>
public abstract class BusinessCaseSensitivityMartFacts : WarehouseFacts
{
    private const string Nacka = ContractWorkbooks.ReferenceId;

    private Task<RunResult> LoadAsync(BusinessCase businessCase, string version) =>
        RunAsync(run => run.AddBusinessCaseAsync(CaseFile(businessCase.Initiative.InitiativeId, version), businessCase, Ct));

    private async Task<Range> RangeAsync(string initiativeId) => (await QueryAsync<Range>(
        """
        SELECT net_benefit_total_sek AS Net, npv_sek AS Npv, payback_year AS Payback,
               net_benefit_total_pessimistic_sek AS NetPessimistic, net_benefit_total_optimistic_sek AS NetOptimistic,
               npv_pessimistic_sek AS NpvPessimistic, npv_optimistic_sek AS NpvOptimistic,
               payback_year_pessimistic AS PaybackPessimistic, payback_year_optimistic AS PaybackOptimistic
        FROM pbi_fct_business_case WHERE initiative_id = @initiativeId
        """, new { initiativeId })).Single();

    private Task<List<Swing>> SwingsAsync(string initiativeId) => QueryAsync<Swing>(
        """
        SELECT line_no AS LineNo, line_kind AS Kind, line_name AS Name, low_pct AS LowPct, high_pct AS HighPct, npv_at_low_sek AS NpvAtLow,
               npv_at_high_sek AS NpvAtHigh, npv_swing_sek AS NpvSwing, swing_rank AS SwingRank, low_cell AS LowCell, high_cell AS HighCell
        FROM pbi_fct_business_case_sensitivity WHERE initiative_id = @initiativeId ORDER BY line_no
        """, new { initiativeId });

    private static decimal Sek(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    [Fact]
    public async Task TheReferenceCase_GetsItsHandComputedRangeAndSwings()
    {
        await LoadAsync(SensitivityCases.Reference(SensitivityCases.ReferenceSheet), "v1");

        // As in SensitivityCalculatorFacts, by hand at 3 % to 2023: expected net −508 800, NPV −507 119.10; pessimistic
        // −1 094 900 and −1 045 771.66; optimistic −363 700 and −370 741.87; no payback in any case.
        var range = await RangeAsync(Nacka);
        Assert.Equal((-508_800m, -507_119.10m, (int?)null), (range.Net, Sek(range.Npv), range.Payback));
        Assert.Equal((-1_094_900m, -363_700m), (range.NetPessimistic!.Value, range.NetOptimistic!.Value));
        Assert.Equal((-1_045_771.66m, -370_741.87m), (Sek(range.NpvPessimistic!.Value), Sek(range.NpvOptimistic!.Value)));
        Assert.Equal(((int?)null, (int?)null), (range.PaybackPessimistic, range.PaybackOptimistic));

        // Each line's present value × its (percent − 100) % moves the expected NPV (see SensitivityCalculatorFacts); the
        // Förflyttning line has no row; the cells are the sheet's.
        Assert.Equal(
            [
                (1, "Kostnad", "Licens och införande", 90m, 120m, -451_721.04m, -617_915.21m, 166_194.17m, 3, "B2", "C2"),
                (2, "Kostnad", "Drift och förvaltning", 100m, 130m, -507_119.10m, -680_469.59m, 173_350.49m, 2, "B3", "C3"),
                (3, "Nytta", "Minskade porto- och papperskostnader", 50m, 150m, -530_256.00m, -483_982.19m, 46_273.81m, 4, "B4", "C4"),
                (4, "Nytta", "Frigjord handläggartid", 60m, 110m, -738_488.15m, -449_276.83m, 289_211.32m, 1, "B5", "C5"),
            ],
            (await SwingsAsync(Nacka)).Select(s => (s.LineNo, s.Kind, s.Name, s.LowPct, s.HighPct, Sek(s.NpvAtLow), Sek(s.NpvAtHigh), Sek(s.NpvSwing),
                s.SwingRank, s.LowCell, s.HighCell)));
    }

    [Fact]
    public async Task AWorkbookWithoutTheSheet_HasEqualCasesAndZeroSwings()
    {
        await LoadAsync(SensitivityCases.Reference(sheet: null), "v1");

        var range = await RangeAsync(Nacka);
        // The expected case by hand: net −508 800, NPV −507 119.10, no payback; the two others equal it.
        Assert.Equal((-508_800m, -508_800m, -508_800m), (range.Net, range.NetPessimistic!.Value, range.NetOptimistic!.Value));
        Assert.Equal((-507_119.10m, -507_119.10m, -507_119.10m), (Sek(range.Npv), Sek(range.NpvPessimistic!.Value), Sek(range.NpvOptimistic!.Value)));
        Assert.Equal(((int?)null, (int?)null), (range.PaybackPessimistic, range.PaybackOptimistic));
        var swings = await SwingsAsync(Nacka);
        Assert.Equal([(1, 1), (2, 2), (3, 3), (4, 4)], swings.Select(s => (s.LineNo, s.SwingRank)));
        Assert.All(swings, s => Assert.Equal((100m, 100m, 0m, -507_119.10m, -507_119.10m, (string?)null, (string?)null),
            (s.LowPct, s.HighPct, s.NpvSwing, Sek(s.NpvAtLow), Sek(s.NpvAtHigh), s.LowCell, s.HighCell)));
    }

    [Fact]
    public async Task ANewVersion_ReplacesTheRows_AndTheOldOnesGo()
    {
        await LoadAsync(SensitivityCases.Reference(SensitivityCases.ReferenceSheet), "v1");
        await LoadAsync(SensitivityCases.Payback(Nacka, "v2"), "v2");

        // The payback case at 3 % (factors 1, 1/1.03, 1/1.03²): expected net −60 000, 40 000, 40 000: payback 2026.
        // Pessimistic net −100 000, 20 000, 20 000 (total −60 000, no payback); optimistic −20 000, 60 000, 60 000
        // (total 100 000, payback 2025).
        var range = await RangeAsync(Nacka);
        Assert.Equal((20_000m, (int?)2026), (range.Net, range.Payback));
        Assert.Equal((-60_000m, (int?)null, 100_000m, (int?)2025), (range.NetPessimistic!.Value, range.PaybackPessimistic, range.NetOptimistic!.Value, range.PaybackOptimistic));
        Assert.Equal([(1, "Införande"), (2, "Frigjord tid")], (await SwingsAsync(Nacka)).Select(s => (s.LineNo, s.Name)));
        // No row of the first version is left in the tables behind the views.
        var current = await ScalarAsync<long>("SELECT bc_version_id FROM fct_business_case_version WHERE is_current = 1 AND initiative_id = @Nacka", new { Nacka });
        Assert.Equal([current], await QueryAsync<long>("SELECT DISTINCT bc_version_id FROM fct_business_case_range"));
        Assert.Equal([current], await QueryAsync<long>("SELECT DISTINCT bc_version_id FROM fct_business_case_sensitivity"));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM fct_business_case_sensitivity"));
    }

    [Fact]
    public async Task ADiscountRateChange_RestatesTheRange()
    {
        await LoadAsync(SensitivityCases.Payback(), "v1");
        Warehouse.Calculation.DiscountRate = 0.25m;

        await RunAsync();

        // At 25 % (factors 1, 0.8, 0.64): expected −60 000 + 32 000 + 25 600 = −2 400; pessimistic −100 000 + 16 000 +
        // 12 800 = −71 200; optimistic −20 000 + 48 000 + 38 400 = 66 400.
        var range = await RangeAsync("DIG-PB");
        Assert.Equal((-2_400m, -71_200m, 66_400m), (range.Npv, range.NpvPessimistic!.Value, range.NpvOptimistic!.Value));
        // Införande 80/120 moves the expected NPV by ∓100 000 × 20 %: −2 400 + 20 000 = 17 600 and −22 400; swing 40 000.
        // Frigjord tid 50/150: its present value 40 000 × 2.44 = 97 600, × 50 % = 48 800: −51 200 and 46 400; swing 97 600.
        Assert.Equal([(17_600m, -22_400m, 40_000m, 2), (-51_200m, 46_400m, 97_600m, 1)],
            (await SwingsAsync("DIG-PB")).Select(s => (s.NpvAtLow, s.NpvAtHigh, s.NpvSwing, s.SwingRank)));
    }

    [Fact]
    public async Task AWarehouseWithBusinessCasesButNoRange_GetsItOnTheNextRun()
    {
        await LoadAsync(SensitivityCases.Reference(SensitivityCases.ReferenceSheet), "v1");
        await LoadAsync(SensitivityCases.Payback(), "v1");
        var built = await SnapshotAsync();
        // As a warehouse upgraded to version 12 is: business cases, and nothing in the two tables.
        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM fct_business_case_sensitivity; DELETE FROM fct_business_case_range;";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await RunAsync();

        Assert.Equal(built, await SnapshotAsync());
    }

    [Fact]
    public async Task ARunWithNothingNew_RewritesNoRow_AndARecomputeGivesTheSameRows()
    {
        var load = await LoadAsync(SensitivityCases.Reference(SensitivityCases.ReferenceSheet), "v1");
        await LoadAsync(SensitivityCases.Payback(), "v1");
        var built = await SnapshotAsync();

        await RunAsync();
        // The rows as rounded by the database compare equal to those computed again: nothing was rewritten, neither by
        // the run that loaded the other case nor by the run with nothing new.
        var writers = await QueryAsync<long>(
            "SELECT run_id FROM fct_business_case_sensitivity WHERE initiative_id = @Nacka UNION SELECT run_id FROM fct_business_case_range WHERE initiative_id = @Nacka", new { Nacka });
        var again = await SnapshotAsync();
        await RunAsync(recompute: true);

        Assert.Equal([load.RunId], writers);
        Assert.Equal(built, again);
        Assert.Equal(built, await SnapshotAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheMartBuiltAgain_WritesNothing_ThoughTheDatabaseRoundedWhatItStored(bool whole)
    {
        // NPVs at 3 % do not terminate: the stored rows hold them rounded (4 decimals, or a double in SQLite).
        await LoadAsync(SensitivityCases.Reference(SensitivityCases.ReferenceSheet), "v1");
        var last = await LoadAsync(SensitivityCases.Payback(), "v1");

        var (written, changed) = await InRolledBackRunAsync(last.RunId, async context =>
        {
            var scope = whole ? MartScope.Whole : MartScope.Of([Nacka, "DIG-PB"]);
            context.Sql.TakePending();
            await WarehouseMarts.BusinessCaseSensitivity.BuildAsync(context, scope, Ct);
            var written = context.Sql.TakePending();
            // One line's high case changed in place: only that initiative's swings are rewritten, its range too.
            await context.Sql.ExecuteAsync("UPDATE raw_business_case_sensitivity SET high_pct = 140 WHERE line_name = 'Drift och förvaltning'", Ct);
            await WarehouseMarts.BusinessCaseSensitivity.BuildAsync(context, scope, Ct);
            return (written, context.Sql.TakePending());
        });

        Assert.Equal(TableWrite.None, written.Of("fct_business_case_range").Kinds);
        Assert.Equal(TableWrite.None, written.Of("fct_business_case_sensitivity").Kinds);
        Assert.Equal([Nacka], changed.Of("fct_business_case_sensitivity").KeysOf(TableWrites.InitiativeColumn)?.Cast<string>());
        Assert.Equal([Nacka], changed.Of("fct_business_case_range").KeysOf(TableWrites.InitiativeColumn)?.Cast<string>());
    }

    /// <summary>The two tables' rows, without the run that wrote them.</summary>
    private async Task<string> SnapshotAsync() =>
        string.Join(Environment.NewLine, (await QueryAsync<string>(
            """
            SELECT initiative_id || '|' || bc_version_id || '|' || CAST(net_benefit_total_pessimistic_sek AS TEXT) || '|' || CAST(npv_optimistic_sek AS TEXT)
                   || '|' || COALESCE(CAST(payback_year_optimistic AS TEXT), '-')
            FROM fct_business_case_range
            UNION ALL
            SELECT initiative_id || '|' || line_no || '|' || line_name || '|' || CAST(npv_at_low_sek AS TEXT) || '|' || CAST(npv_swing_sek AS TEXT) || '|' || swing_rank
            FROM fct_business_case_sensitivity
            """)).Order(StringComparer.Ordinal));

    /// <summary>Classes that Dapper fills by property: the providers give the columns different types.</summary>
    private sealed class Range
    {
        public decimal Net { get; set; }
        public decimal Npv { get; set; }
        public int? Payback { get; set; }
        public decimal? NetPessimistic { get; set; }
        public decimal? NetOptimistic { get; set; }
        public decimal? NpvPessimistic { get; set; }
        public decimal? NpvOptimistic { get; set; }
        public int? PaybackPessimistic { get; set; }
        public int? PaybackOptimistic { get; set; }
    }

    private sealed class Swing
    {
        public int LineNo { get; set; }
        public string Kind { get; set; } = "";
        public string Name { get; set; } = "";
        public decimal LowPct { get; set; }
        public decimal HighPct { get; set; }
        public decimal NpvAtLow { get; set; }
        public decimal NpvAtHigh { get; set; }
        public decimal NpvSwing { get; set; }
        public int SwingRank { get; set; }
        public string? LowCell { get; set; }
        public string? HighCell { get; set; }
    }
}

public sealed class SqliteBusinessCaseSensitivityMartFacts : BusinessCaseSensitivityMartFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresBusinessCaseSensitivityMartFacts(PostgresCluster cluster) : BusinessCaseSensitivityMartFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
