using System.Text.RegularExpressions;
using Dapper;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// The measures Nettonytta (and ackumulerad), Ekonomisk nyttokvot, Nyttokvot totalt and Realiseringsgrad, checked
/// against the warehouse: no DAX engine runs here, so each measure's aggregation is written out in SQL over the demo
/// warehouse (built by the real demo pipeline) and compared with the contract's figures (the reference case
/// DIG-2023-014, per year and over all its years), with the warehouse's own precomputed figures, and with an
/// independent computation from the view's rows.
///
/// What "the same aggregation" means here: a DAX measure is evaluated in a filter context; the filters a report
/// sets (an initiative, a year, a unit) reach the fact tables through the model's relationships
/// (fact.initiative_id → Initiativ → Initiativ[Verksamhet], fact.year → År). The SQL below applies exactly those
/// filters as WHERE conditions on the same view columns the measures' columns read (their sourceColumn) and then
/// computes what the DAX computes: SUMs, DIVIDE (blank when the divisor is 0 or blank: NULLIF/CASE), AVERAGE.
/// It cannot prove DAX semantics; it proves the definitions produce the contract's figures. So that the two
/// cannot drift apart, <see cref="MeasureDefinitions_AreTheOnesTheSqlMirrors"/> pins the DAX text: change a
/// measure and that fact fails until its SQL mirror here is changed with it.
/// </summary>
public sealed partial class MeasureWarehouseFacts(DemoWarehouse demo) : IClassFixture<DemoWarehouse>
{
    private const string Reference = "DIG-2023-014";

    /// <summary>The DAX that the SQL below mirrors, white space normalised.</summary>
    private static readonly Dictionary<string, string> MirroredDax = new()
    {
        ["Kostnad totalt"] = "SUM('Nyttokalkyl per år'[cost_total_sek])",
        ["Ekonomisk nytta"] = "SUM('Nyttokalkyl per år'[economic_benefit_sek])",
        ["Nettonytta"] = "[Ekonomisk nytta] + [Kostnad totalt]",
        ["Nettonytta ackumulerad"] = "SUMX(VALUES('Nyttokalkyl per år'[initiative_id]), VAR LastCaseYear = CALCULATE(MAX('Nyttokalkyl per år'[year])) RETURN IF(NOT ISBLANK(LastCaseYear), CALCULATE([Nettonytta], REMOVEFILTERS('År'), 'År'[År] <= LastCaseYear)))",
        ["Ekonomisk nyttokvot"] = "DIVIDE(10 * [Ekonomisk nytta], ABS([Kostnad totalt]))",
        ["Förflyttning (snitt)"] = "AVERAGE('Nyttokalkyl per år'[Förflyttning])",
        ["Nyttokvot totalt"] = "VAR Ratio = [Ekonomisk nyttokvot] RETURN IF(NOT ISBLANK(Ratio), Ratio + [Förflyttning (snitt)])",
        ["Planerad nytta"] = "CALCULATE(SUM('Nyttorealisering'[planned_value]), KEEPFILTERS('Nyttorealisering'[Nyttotyp] IN {\"Finansiell\", \"Omfördelning\"}))",
        ["Realiserad nytta"] = "CALCULATE(SUM('Nyttorealisering'[actual_value]), KEEPFILTERS('Nyttorealisering'[Nyttotyp] IN {\"Finansiell\", \"Omfördelning\"}))",
        ["Avvikelse"] = "CALCULATE(SUM('Nyttorealisering'[variance_value]), KEEPFILTERS('Nyttorealisering'[Nyttotyp] IN {\"Finansiell\", \"Omfördelning\"}))",
        ["Planerad nytta rapporterade år"] = "CALCULATE([Planerad nytta], KEEPFILTERS('Nyttorealisering'[is_reported] = 1))",
        ["Realiseringsgrad"] = "DIVIDE([Realiserad nytta], [Planerad nytta rapporterade år])",
    };

    /// <summary>
    /// The business case measures for a selection. Kostnad totalt = SUM(cost_total_sek); Ekonomisk nytta =
    /// SUM(economic_benefit_sek); Nettonytta = their sum; Ekonomisk nyttokvot = DIVIDE(10 × nytta, |kostnad|);
    /// Nyttokvot totalt = that + Förflyttning (snitt) = AVERAGE(movement_score) when the quotient is not blank.
    /// Nettonytta ackumulerad = per initiative with a case row in the selected years, Nettonytta with the year filter
    /// replaced by year ≤ Y, Y being the latest selected year that its case has (the other filters kept); summed.
    /// Förflyttning (movement_score) reads the same view column as the DAX's 'Nyttokalkyl per år'[Förflyttning].
    /// </summary>
    internal const string BusinessCaseSql = """
        SELECT SUM(y.cost_total_sek) AS Cost,
               SUM(y.economic_benefit_sek) AS Benefit,
               SUM(y.economic_benefit_sek) + SUM(y.cost_total_sek) AS Net,
               CASE WHEN SUM(y.cost_total_sek) <> 0 THEN 10.0 * SUM(y.economic_benefit_sek) / ABS(SUM(y.cost_total_sek)) END AS Ratio,
               AVG(y.movement_score) AS Movement,
               CASE WHEN SUM(y.cost_total_sek) <> 0 THEN 10.0 * SUM(y.economic_benefit_sek) / ABS(SUM(y.cost_total_sek)) + AVG(y.movement_score) END AS RatioTotal,
               (SELECT SUM(a.economic_benefit_sek) + SUM(a.cost_total_sek)
                  FROM pbi_fct_business_case_year a JOIN pbi_dim_initiative ai ON ai.initiative_id = a.initiative_id
                 WHERE (@Initiative IS NULL OR a.initiative_id = @Initiative) AND (@Unit IS NULL OR ai.unit = @Unit)
                   AND a.year <= (SELECT MAX(s.year) FROM pbi_fct_business_case_year s WHERE s.initiative_id = a.initiative_id AND (@Year IS NULL OR s.year = @Year))) AS NetAccumulated
          FROM pbi_fct_business_case_year y
          JOIN pbi_dim_initiative i ON i.initiative_id = y.initiative_id
         WHERE (@Initiative IS NULL OR y.initiative_id = @Initiative)
           AND (@Year IS NULL OR y.year = @Year)
           AND (@Unit IS NULL OR i.unit = @Unit)
        """;

    /// <summary>
    /// The realisation measures for a selection: Planerad/Realiserad nytta and Avvikelse sum planned_value,
    /// actual_value and variance_value over the monetary benefit types only (KEEPFILTERS … IN {"Finansiell",
    /// "Omfördelning"}); Planerad nytta rapporterade år = Planerad nytta of the reported rows (is_reported = 1);
    /// Realiseringsgrad = DIVIDE(Realiserad nytta, Planerad nytta rapporterade år).
    /// </summary>
    internal const string RealisationSql = """
        SELECT SUM(r.planned_value) AS Planned,
               SUM(r.actual_value) AS Actual,
               SUM(r.variance_value) AS Variance,
               SUM(CASE WHEN r.is_reported = 1 THEN r.planned_value END) AS PlannedReported,
               SUM(r.actual_value) / NULLIF(SUM(CASE WHEN r.is_reported = 1 THEN r.planned_value END), 0) AS Rate
          FROM pbi_fct_benefit_realization r
          JOIN pbi_dim_initiative i ON i.initiative_id = r.initiative_id
         WHERE r.benefit_type IN ('Finansiell', 'Omfördelning')
           AND (@Initiative IS NULL OR r.initiative_id = @Initiative)
           AND (@Year IS NULL OR r.year = @Year)
           AND (@Unit IS NULL OR i.unit = @Unit)
           AND (@Line IS NULL OR r.benefit_line = @Line)
        """;

    internal sealed class BusinessCase
    {
        public double? Movement { get; set; }
        public double? Cost { get; set; }
        public double? Benefit { get; set; }
        public double? Net { get; set; }
        public double? Ratio { get; set; }
        public double? RatioTotal { get; set; }
        public double? NetAccumulated { get; set; }
    }

    internal sealed class Realisation
    {
        public double? Planned { get; set; }
        public double? Actual { get; set; }
        public double? Variance { get; set; }
        public double? PlannedReported { get; set; }
        public double? Rate { get; set; }
    }

    private sealed record Selection(string? Initiative = null, long? Year = null, string? Unit = null, string? Line = null);

    [Fact]
    public void MeasureDefinitions_AreTheOnesTheSqlMirrors()
    {
        foreach (var (name, dax) in MirroredDax)
        {
            var measure = ModelNames.Model.Measures.Single(m => m.Name == name);
            Assert.True(Normalised(measure.Expression) == dax, $"'{measure.Table}'[{name}] changed; update its SQL mirror in {nameof(MeasureWarehouseFacts)}:\n{Normalised(measure.Expression)}");
        }
    }

    [Fact]
    public async Task ReferenceCase_OneYearAtATime_GivesTheContractsTable()
    {
        // The contract's reference table: year, cost total, economic benefit, net benefit, ratio, ratio total (ratios to one decimal).
        (long Year, double Cost, double Benefit, double Net, double Ratio, double RatioTotal)[] contract =
        [
            (2023, -520_000, 86_400, -433_600, 1.7, 1.7), (2024, -160_000, 86_400, -73_600, 5.4, 5.9),
            (2025, -95_000, 86_400, -8_600, 9.1, 9.6), (2026, -85_000, 86_400, 1_400, 10.2, 10.2),
            (2027, -85_000, 86_400, 1_400, 10.2, 10.2), (2028, -85_000, 86_400, 1_400, 10.2, 10.2),
            (2029, -85_000, 86_400, 1_400, 10.2, 10.2), (2030, -85_000, 86_400, 1_400, 10.2, 10.2),
        ];
        var accumulated = 0.0;
        foreach (var row in contract)
        {
            var measures = await BusinessCaseAsync(new Selection(Reference, row.Year));
            accumulated += row.Net;

            Assert.Equal(row.Cost, measures.Cost);
            Assert.Equal(row.Benefit, measures.Benefit);
            Assert.Equal(row.Net, measures.Net);
            Assert.Equal(row.Ratio, Math.Round(measures.Ratio!.Value, 1, MidpointRounding.AwayFromZero));
            Assert.Equal(row.RatioTotal, Math.Round(measures.RatioTotal!.Value, 1, MidpointRounding.AwayFromZero));
            Assert.Equal(accumulated, measures.NetAccumulated);
        }
    }

    [Fact]
    public async Task ReferenceCase_AllYears_GivesTheContractsTotals()
    {
        var measures = await BusinessCaseAsync(new Selection(Reference));

        // The contract's 2030 column: cost total acc −1 200 000, economic benefit acc 691 200.
        Assert.Equal(-1_200_000, measures.Cost);
        Assert.Equal(691_200, measures.Benefit);
        Assert.Equal(-508_800, measures.Net);
        Assert.Equal(-508_800, measures.NetAccumulated);
        // Over the selected years: 10 × 691 200 / 1 200 000 = 5.76, shown 5.8; plus the average movement score of
        // the eight years (0.5 + 0.5) / 8 = 0.125: 5.885, shown 5.9.
        Assert.Equal(5.76, measures.Ratio!.Value, 9);
        Assert.Equal(5.885, measures.RatioTotal!.Value, 9);
    }

    [Fact]
    public async Task OneUnit_AllYears_AgreesWithTheWarehousesPerInitiativeTotals()
    {
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        var unit = await connection.ExecuteScalarAsync<string>("SELECT unit FROM pbi_dim_initiative WHERE initiative_id = @Reference", new { Reference });
        var totals = await connection.QuerySingleAsync<(double Cost, double Benefit, double Net, long Initiatives)>("""
            SELECT SUM(b.cost_total_sek), SUM(b.economic_benefit_total_sek), SUM(b.net_benefit_total_sek), COUNT(*)
              FROM pbi_fct_business_case b JOIN pbi_dim_initiative i ON i.initiative_id = b.initiative_id WHERE i.unit = @unit
            """, new { unit });

        var measures = await BusinessCaseAsync(new Selection(Unit: unit));

        Assert.True(totals.Initiatives >= 2, $"the demo has {totals.Initiatives} business cases in {unit}");
        Assert.Equal(totals.Cost, measures.Cost!.Value, 6);
        Assert.Equal(totals.Benefit, measures.Benefit!.Value, 6);
        Assert.Equal(totals.Net, measures.Net!.Value, 6);
        Assert.Equal(10 * totals.Benefit / Math.Abs(totals.Cost), measures.Ratio!.Value, 9);
    }

    [Fact]
    public async Task OneYear_AllInitiatives_NettonyttaAckumulerad_IsTheSumOfTheWarehousesAccumulatedFigures()
    {
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        // The warehouse accumulates per initiative from its first year; an initiative whose case has no 2024 (ended
        // earlier or starts later) is blank that year, so the total is the sum over the cases that run in 2024.
        var expected = await connection.ExecuteScalarAsync<double>("SELECT SUM(y.net_benefit_acc_sek) FROM pbi_fct_business_case_year y WHERE y.year = 2024");

        var measures = await BusinessCaseAsync(new Selection(Year: 2024));

        Assert.Equal(expected, measures.NetAccumulated!.Value, 6);
    }

    [Fact]
    public async Task Realiseringsgrad_ForOneBenefitLineAndYear_IsTheContractsActualOverPlanned()
    {
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        var rows = (await connection.QueryAsync<(string Initiative, string Line, long Year, double Rate, double Variance)>("""
            SELECT initiative_id, benefit_line, year, realization_rate, variance_value FROM pbi_fct_benefit_realization
             WHERE is_reported = 1 AND benefit_type IN ('Finansiell', 'Omfördelning') AND planned_value <> 0
            """)).ToList();
        Assert.True(rows.Count >= 20, $"only {rows.Count} reported rows in the demo");

        foreach (var row in rows)
        {
            var measures = await RealisationAsync(new Selection(row.Initiative, row.Year, Line: row.Line));
            Assert.Equal(row.Rate, measures.Rate!.Value, 9);
            Assert.Equal(row.Variance, measures.Variance!.Value, 6);
        }
    }

    [Fact]
    public async Task Realiseringsgrad_OverSelections_IsRealisedOverPlannedOfTheReportedRows_AndMayExceed100Percent()
    {
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        var rows = (await connection.QueryAsync<(string Initiative, string Unit, long Year, double Planned, double? Actual)>("""
            SELECT r.initiative_id, i.unit, r.year, r.planned_value, r.actual_value
              FROM pbi_fct_benefit_realization r JOIN pbi_dim_initiative i ON i.initiative_id = r.initiative_id
             WHERE r.benefit_type IN ('Finansiell', 'Omfördelning')
            """)).ToList();
        // The same definition computed here, independently, from the rows.
        double? Expected(Func<(string Initiative, string Unit, long Year, double Planned, double? Actual), bool> selected)
        {
            var reported = rows.Where(r => selected(r) && r.Actual is not null).ToList();
            var planned = reported.Sum(r => r.Planned);
            return reported.Count == 0 || planned == 0 ? null : reported.Sum(r => r.Actual!.Value) / planned;
        }
        var unit = rows.Single(r => r.Initiative == Reference && r.Year == 2023 && r.Actual is not null && r.Planned == 6_400).Unit;

        foreach (var (selection, expected) in new[]
                 {
                     (new Selection(Reference), Expected(r => r.Initiative == Reference)),
                     (new Selection(Reference, 2023), Expected(r => r.Initiative == Reference && r.Year == 2023)),
                     (new Selection(Year: 2023), Expected(r => r.Year == 2023)),
                     (new Selection(Unit: unit), Expected(r => r.Unit == unit)),
                     (new Selection(Reference, 2027), Expected(r => r.Initiative == Reference && r.Year == 2027)),
                 })
        {
            var measures = await RealisationAsync(selection);
            if (expected is null)
            {
                Assert.Null(measures.Rate);
            }
            else
            {
                Assert.Equal(expected.Value, measures.Rate!.Value, 9);
            }
        }
        Assert.Null((await RealisationAsync(new Selection(Reference, 2027))).Rate); // planned, nothing reported yet: blank, not 0 %

        var initiatives = rows.Select(r => r.Initiative).Distinct().ToList();
        var rates = new List<double>();
        foreach (var initiative in initiatives)
        {
            if ((await RealisationAsync(new Selection(initiative))).Rate is { } rate)
            {
                rates.Add(rate);
            }
        }
        Assert.Contains(rates, r => r > 1.0); // shown as over 100 %: nothing caps it
        Assert.Contains(rates, r => r < 1.0);
    }

    /// <summary>A current business case's three net present values and, from its lines, the deviations that add up to the two cases.</summary>
    private sealed class CaseRange
    {
        public string InitiativeId { get; set; } = "";
        public double Expected { get; set; }
        public double? Pessimistic { get; set; }
        public double? Optimistic { get; set; }
        public double? PessimisticFromLines { get; set; }
        public double? OptimisticFromLines { get; set; }
        public long Lines { get; set; }
    }

    [Fact]
    public async Task TheDemosRanges_PutTheExpectedValueBetweenThePessimisticAndTheOptimistic_AndTheTornadosBarsAddUpToThem()
    {
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        // The pessimistic case is every benefit at its low and every cost at its high. The net present value is linear in
        // each line's amounts, so it is the expected one plus the deviations that Avvikelse vid lägsta shows for the
        // benefit lines and Avvikelse vid högsta for the cost lines (line − expected); the optimistic one the other way round.
        var cases = (await connection.QueryAsync<CaseRange>("""
            SELECT b.initiative_id AS InitiativeId, b.npv_sek AS Expected, b.npv_pessimistic_sek AS Pessimistic, b.npv_optimistic_sek AS Optimistic,
                   b.npv_sek + (SELECT SUM(CASE WHEN s.line_kind = 'Nytta' THEN s.npv_at_low_sek ELSE s.npv_at_high_sek END - b.npv_sek)
                                  FROM pbi_fct_business_case_sensitivity s WHERE s.initiative_id = b.initiative_id) AS PessimisticFromLines,
                   b.npv_sek + (SELECT SUM(CASE WHEN s.line_kind = 'Nytta' THEN s.npv_at_high_sek ELSE s.npv_at_low_sek END - b.npv_sek)
                                  FROM pbi_fct_business_case_sensitivity s WHERE s.initiative_id = b.initiative_id) AS OptimisticFromLines,
                   (SELECT COUNT(*) FROM pbi_fct_business_case_sensitivity s WHERE s.initiative_id = b.initiative_id) AS Lines
              FROM pbi_fct_business_case b
            """)).ToList();
        Assert.True(cases.Count >= 20, $"only {cases.Count} business cases in the demo");
        foreach (var c in cases)
        {
            Assert.True(c.Pessimistic is not null && c.Optimistic is not null, $"{c.InitiativeId}: no range");
            Assert.True(c.Pessimistic <= c.Expected + 0.01 && c.Expected <= c.Optimistic + 0.01, $"{c.InitiativeId}: {c.Pessimistic} ≤ {c.Expected} ≤ {c.Optimistic} does not hold");
            Assert.True(c.Lines > 0, $"{c.InitiativeId}: no line in pbi_fct_business_case_sensitivity");
            // To the krona: each figure is rounded on its own.
            Assert.Equal(c.Pessimistic!.Value, c.PessimisticFromLines!.Value, 1.0);
            Assert.Equal(c.Optimistic!.Value, c.OptimisticFromLines!.Value, 1.0);
        }
        // Each line's two bars lie on either side of the expected value (or on it), and its swing is the distance between them.
        var crossing = await connection.QueryAsync<string>("""
            SELECT s.initiative_id || ' ' || s.line_name FROM pbi_fct_business_case_sensitivity s JOIN pbi_fct_business_case b ON b.initiative_id = s.initiative_id
             WHERE (s.npv_at_low_sek - b.npv_sek) * (s.npv_at_high_sek - b.npv_sek) > 1 OR ABS(s.npv_swing_sek - ABS(s.npv_at_high_sek - s.npv_at_low_sek)) > 1
            """);
        Assert.Empty(crossing);
    }

    private async Task<BusinessCase> BusinessCaseAsync(Selection s)
    {
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<BusinessCase>(BusinessCaseSql, new { s.Initiative, s.Year, s.Unit });
    }

    private async Task<Realisation> RealisationAsync(Selection s)
    {
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<Realisation>(RealisationSql, new { s.Initiative, s.Year, s.Unit, s.Line });
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private static string Normalised(string dax) => WhiteSpace().Replace(dax, " ").Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Trim();
}
