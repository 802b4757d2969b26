using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.TestSupport;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// A few business cases with their pessimistic and optimistic cases and their lines' swings, written straight into the
/// tables of an SQLite warehouse whose schema the production scripts installed (migration 012). The rows are what the
/// sensitivity mart would write (business-case-workbook.md, sheet Känslighet), worked out here by hand; the measures
/// only aggregate them.
/// <list type="bullet">
/// <item>KS-A "Digital signering", Skola, rate 10 %, discounted to 2024. Kostnader: Licens (Investering) 2024 100 000.
/// Nyttor: Tidsvinst (Finansiell) 2025 220 000. Expected: NPV −100 000 + 220 000 / 1.1 = 100 000; net benefit 120 000;
/// payback 2025. Känslighet: Licens 80 / 150 (B2, C2), Tidsvinst 50 / 110 (B3, C3).
/// <list type="bullet">
/// <item>Licens alone at 80 %: −80 000 + 200 000 = 120 000; at 150 %: −150 000 + 200 000 = 50 000; swing 70 000.</item>
/// <item>Tidsvinst alone at 50 %: −100 000 + 110 000 / 1.1 = 0; at 110 %: −100 000 + 242 000 / 1.1 = 120 000; swing 120 000 (rank 1).</item>
/// <item>Pessimistic (Licens 150 %, Tidsvinst 50 %): NPV −150 000 + 100 000 = −50 000; net −150 000 + 110 000 = −40 000; no payback.</item>
/// <item>Optimistic (Licens 80 %, Tidsvinst 110 %): NPV −80 000 + 220 000 = 140 000; net −80 000 + 242 000 = 162 000; payback 2025.</item>
/// </list></item>
/// <item>KS-B "E-arkiv", Omsorg, no sheet Känslighet: Licens (Investering) 2024 50 000, Arkivyta (Finansiell) 2024 30 000.
/// All three cases −20 000 (one year, nothing discounted); both lines at 100 / 100 with NPV −20 000 either way, swing 0.
/// Its cost line has the name of KS-A's.</item>
/// <item>KS-C "Chattbot", Skola: a current business case (NPV 10 000) whose range the mart has not written yet.</item>
/// <item>KS-D "Portal", Omsorg: no business case.</item>
/// </list>
/// </summary>
public sealed class SmallSensitivityWarehouse : IAsyncLifetime
{
    private readonly SqliteTestWarehouse _warehouse = new();

    public Warehouse.Storage.WarehouseDatabase Database => _warehouse.Database;

    public async ValueTask InitializeAsync()
    {
        await _warehouse.MigratedAsync();
        await using var c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        await c.ExecuteAsync("""
            INSERT INTO etl_run (run_id, run_kind, started_at_utc, finished_at_utc, status) VALUES (1, 'test', '2025-03-02 05:00:00.000', '2025-03-02 05:01:00.000', 'Lyckad');
            INSERT INTO etl_file (file_id, run_id, source_kind, file_name, content_sha256, size_bytes, status, rows_loaded, rows_rejected, processed_at_utc)
            VALUES (1, 1, 'BusinessCase', 'a.xlsx', 'aa', 1, 'Inläst', 1, 0, '2025-03-02 05:00:00.000'),
                   (2, 1, 'BusinessCase', 'b.xlsx', 'bb', 1, 'Inläst', 1, 0, '2025-03-02 05:00:00.000'),
                   (3, 1, 'BusinessCase', 'c.xlsx', 'cc', 1, 'Inläst', 1, 0, '2025-03-02 05:00:00.000');
            INSERT INTO dim_unit (unit) VALUES ('Skola'), ('Omsorg');
            INSERT INTO dim_initiative (initiative_id, name, unit, phase) VALUES
                ('KS-A', 'Digital signering', 'Skola', 'Projekt'), ('KS-B', 'E-arkiv', 'Omsorg', 'Beslutad'),
                ('KS-C', 'Chattbot', 'Skola', 'Beredning'), ('KS-D', 'Portal', 'Omsorg', 'Idé');

            INSERT INTO fct_business_case_version (bc_version_id, initiative_id, file_id, run_id, loaded_at_utc, is_current, initiative_name, unit, owner_email,
                                                   first_year, last_year, cost_total_sek, economic_benefit_total_sek, net_benefit_total_sek, payback_year, npv_sek, discount_rate)
            VALUES (1, 'KS-A', 1, 1, '2025-03-02 05:00:00.000', 1, 'Digital signering', 'Skola', 'a@nacka.se', 2024, 2025, -100000, 220000, 120000, 2025, 100000, 0.10),
                   (2, 'KS-B', 2, 1, '2025-03-02 05:00:00.000', 1, 'E-arkiv', 'Omsorg', 'b@nacka.se', 2024, 2024, -50000, 30000, -20000, NULL, -20000, 0.03),
                   (3, 'KS-C', 3, 1, '2025-03-02 05:00:00.000', 1, 'Chattbot', 'Skola', 'c@nacka.se', 2024, 2024, -10000, 20000, 10000, 2024, 10000, 0.03);

            INSERT INTO fct_business_case_range (initiative_id, bc_version_id, net_benefit_total_pessimistic_sek, net_benefit_total_optimistic_sek,
                                                 npv_pessimistic_sek, npv_optimistic_sek, payback_year_pessimistic, payback_year_optimistic, run_id)
            VALUES ('KS-A', 1, -40000, 162000, -50000, 140000, NULL, 2025, 1),
                   ('KS-B', 2, -20000, -20000, -20000, -20000, NULL, NULL, 1);

            INSERT INTO fct_business_case_sensitivity (initiative_id, line_no, line_kind, line_name, bc_version_id, low_pct, high_pct,
                                                       npv_at_low_sek, npv_at_high_sek, npv_swing_sek, swing_rank, low_cell, high_cell, run_id)
            VALUES ('KS-A', 1, 'Kostnad', 'Licens', 1, 80, 150, 120000, 50000, 70000, 2, 'B2', 'C2', 1),
                   ('KS-A', 2, 'Nytta', 'Tidsvinst', 1, 50, 110, 0, 120000, 120000, 1, 'B3', 'C3', 1),
                   ('KS-B', 1, 'Kostnad', 'Licens', 2, 100, 100, -20000, -20000, 0, 1, NULL, NULL, 1),
                   ('KS-B', 2, 'Nytta', 'Arkivyta', 2, 100, 100, -20000, -20000, 0, 2, NULL, NULL, 1);
            """);
    }

    public ValueTask DisposeAsync()
    {
        _warehouse.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The sensitivity measures over <see cref="SmallSensitivityWarehouse"/>, each mirrored in SQL as
/// <see cref="SmallWarehouseMeasureFacts"/> does: the initiatives a report selects (one, several, or a unit through
/// Initiativ → Verksamhet) reach Nyttokalkyl and Känslighet through their relationships to Initiativ, and a line on the
/// tornado's axis (Känslighet[Post]) filters Känslighet alone, never Nyttokalkyl. The DAX text is pinned so that the
/// two cannot drift apart; the figures are worked out by hand in the warehouse's summary.
/// </summary>
public sealed partial class SmallWarehouseSensitivityMeasureFacts(SmallSensitivityWarehouse small) : IClassFixture<SmallSensitivityWarehouse>
{
    private const double Precision = 1e-6;

    /// <summary>The format FORMAT gives the two ends of Nettonuvärde intervall, as the measure writes it.</summary>
    private const string IntervalFormat = "#,0;\\−#,0";

    private static readonly CultureInfo Swedish = CultureInfo.GetCultureInfo("sv-SE");

    /// <summary>The DAX that the SQL below mirrors, white space normalised.</summary>
    private static readonly Dictionary<string, string> MirroredDax = new()
    {
        ["Nettonuvärde förväntat"] = "SUM('Nyttokalkyl'[Nuvärde])",
        ["Nettonuvärde pessimistiskt"] = "IF(ISEMPTY(FILTER('Nyttokalkyl', ISBLANK('Nyttokalkyl'[Nuvärde pessimistiskt]))), SUM('Nyttokalkyl'[Nuvärde pessimistiskt]))",
        ["Nettonuvärde optimistiskt"] = "IF(ISEMPTY(FILTER('Nyttokalkyl', ISBLANK('Nyttokalkyl'[Nuvärde optimistiskt]))), SUM('Nyttokalkyl'[Nuvärde optimistiskt]))",
        ["Nettonuvärde intervall"] = $"VAR Low = [Nettonuvärde pessimistiskt] VAR High = [Nettonuvärde optimistiskt] RETURN IF(NOT ISBLANK(Low) && NOT ISBLANK(High), FORMAT(Low, \"{IntervalFormat}\") & \" – \" & FORMAT(High, \"{IntervalFormat}\") & \" kr\")",
        ["Avvikelse vid lägsta"] = "VAR Cases = COUNTROWS('Nyttokalkyl') VAR ExpectedNpv = SUM('Nyttokalkyl'[Nuvärde]) RETURN IF(Cases = 1, SUMX('Känslighet', 'Känslighet'[Nuvärde vid lägsta] - ExpectedNpv))",
        ["Avvikelse vid högsta"] = "VAR Cases = COUNTROWS('Nyttokalkyl') VAR ExpectedNpv = SUM('Nyttokalkyl'[Nuvärde]) RETURN IF(Cases = 1, SUMX('Känslighet', 'Känslighet'[Nuvärde vid högsta] - ExpectedNpv))",
        ["Svängning i nettonuvärde"] = "IF(COUNTROWS('Nyttokalkyl') = 1, SUM('Känslighet'[Svängning]))",
    };

    /// <summary>The initiatives selected: those listed in @Initiatives (comma-separated; all when null) of @Unit (any when null).</summary>
    private const string Selected = """
        (@Initiatives IS NULL OR ',' || @Initiatives || ',' LIKE '%,' || i.initiative_id || ',%') AND (@Unit IS NULL OR i.unit = @Unit)
        """;

    /// <summary>
    /// The three net present values over the selected current business cases: SUMs; the pessimistic and the optimistic
    /// one only when no selected case lacks it (ISEMPTY(FILTER(…, ISBLANK(…)))), else blank; and how many cases there are.
    /// </summary>
    private const string RangeSql = $"""
        WITH c AS (SELECT b.* FROM pbi_fct_business_case b JOIN pbi_dim_initiative i ON i.initiative_id = b.initiative_id WHERE {Selected})
        SELECT SUM(npv_sek) AS Expected,
               CASE WHEN SUM(CASE WHEN npv_pessimistic_sek IS NULL THEN 1 ELSE 0 END) = 0 THEN SUM(npv_pessimistic_sek) END AS Pessimistic,
               CASE WHEN SUM(CASE WHEN npv_optimistic_sek IS NULL THEN 1 ELSE 0 END) = 0 THEN SUM(npv_optimistic_sek) END AS Optimistic,
               COUNT(*) AS Cases
          FROM c
        """;

    /// <summary>
    /// The tornado's measures for the selected initiatives and, where @Line is set, the line of that name on the axis:
    /// blank unless exactly one business case is selected (the axis does not filter Nyttokalkyl); then, over the
    /// selected lines, the sums of each one's NPV at its low and at its high less the expected NPV, and of its swing.
    /// </summary>
    private const string TornadoSql = $"""
        WITH c AS (SELECT b.* FROM pbi_fct_business_case b JOIN pbi_dim_initiative i ON i.initiative_id = b.initiative_id WHERE {Selected}),
             s AS (SELECT s.* FROM pbi_fct_business_case_sensitivity s JOIN pbi_dim_initiative i ON i.initiative_id = s.initiative_id
                    WHERE {Selected} AND (@Line IS NULL OR s.line_name = @Line)),
             e AS (SELECT COUNT(*) AS cases, SUM(npv_sek) AS npv FROM c)
        SELECT CASE WHEN e.cases = 1 THEN (SELECT SUM(s.npv_at_low_sek - e.npv) FROM s) END AS AtLow,
               CASE WHEN e.cases = 1 THEN (SELECT SUM(s.npv_at_high_sek - e.npv) FROM s) END AS AtHigh,
               CASE WHEN e.cases = 1 THEN (SELECT SUM(s.npv_swing_sek) FROM s) END AS Swing
          FROM e
        """;

    /// <summary>Settable properties, not records: SQLite declares no type for a computed column, which Dapper's constructor matching needs.</summary>
    private sealed class Range
    {
        public double? Expected { get; set; }
        public double? Pessimistic { get; set; }
        public double? Optimistic { get; set; }
        public long Cases { get; set; }
    }

    private sealed class Tornado
    {
        public double? AtLow { get; set; }
        public double? AtHigh { get; set; }
        public double? Swing { get; set; }
    }

    [Fact]
    public void SensitivityMeasureDefinitions_AreTheOnesTheSqlMirrors()
    {
        foreach (var (name, dax) in MirroredDax)
        {
            var measure = ModelNames.Model.Measures.Single(m => m.Name == name);
            Assert.True(Normalised(measure.Expression) == dax, $"[{name}] changed; update its SQL mirror in {nameof(SmallWarehouseSensitivityMeasureFacts)}:\n{Normalised(measure.Expression)}");
        }
        // What the SQL reads is what the model's columns read.
        var nyttokalkyl = ModelNames.Model.Table("Nyttokalkyl");
        var kanslighet = ModelNames.Model.Table("Känslighet");
        Assert.Equal(
            ["npv_sek", "npv_pessimistic_sek", "npv_optimistic_sek", "npv_at_low_sek", "npv_at_high_sek", "npv_swing_sek", "line_name"],
            new[] { nyttokalkyl.Column("Nuvärde"), nyttokalkyl.Column("Nuvärde pessimistiskt"), nyttokalkyl.Column("Nuvärde optimistiskt"),
                    kanslighet.Column("Nuvärde vid lägsta"), kanslighet.Column("Nuvärde vid högsta"), kanslighet.Column("Svängning"), kanslighet.Column("Post") }
                .Select(c => c!.SourceColumn));
    }

    [Fact]
    public async Task OneBusinessCase_ShowsItsPessimisticExpectedAndOptimisticNetPresentValue_AndTheRangeAsText()
    {
        // KS-A: pessimistic −50 000, expected 100 000, optimistic 140 000 (the warehouse's summary has the arithmetic).
        var range = await RangeAsync("KS-A");

        Assert.Equal((-50_000.0, 100_000.0, 140_000.0), (range.Pessimistic!.Value, range.Expected!.Value, range.Optimistic!.Value));
        Assert.Equal("−50\u00A0000 – 140\u00A0000 kr", Interval(range));
        // The contract's example, as FORMAT writes it in sv-SE: a minus sign (U+2212) and no-break spaces.
        Assert.Equal("−1\u00A0045\u00A0772 – −370\u00A0742 kr", Interval(new Range { Pessimistic = -1_045_772, Optimistic = -370_742 }));
    }

    [Fact]
    public async Task TheTornado_ForOneCase_DrawsEachLinesDeviationFromTheExpectedValue_LeftAndRightOfZero_LargestSwingFirst()
    {
        // KS-A, expected NPV 100 000. Licens: at 80 % 120 000 − 100 000 = +20 000; at 150 % 50 000 − 100 000 = −50 000.
        var licens = await TornadoAsync("KS-A", line: "Licens");
        Assert.Equal((20_000.0, -50_000.0, 70_000.0), (licens.AtLow!.Value, licens.AtHigh!.Value, licens.Swing!.Value));
        // Tidsvinst: at 50 % 0 − 100 000 = −100 000; at 110 % 120 000 − 100 000 = +20 000.
        var tidsvinst = await TornadoAsync("KS-A", line: "Tidsvinst");
        Assert.Equal((-100_000.0, 20_000.0, 120_000.0), (tidsvinst.AtLow!.Value, tidsvinst.AtHigh!.Value, tidsvinst.Swing!.Value));
        // The swing is the distance between the two bars: |−50 000 − 20 000| = 70 000, |20 000 − (−100 000)| = 120 000;
        // sorted by it, Tidsvinst (120 000) comes before Licens (70 000).
        Assert.Equal(licens.Swing.Value, Math.Abs(licens.AtHigh.Value - licens.AtLow.Value), Precision);
        Assert.Equal(tidsvinst.Swing.Value, Math.Abs(tidsvinst.AtHigh.Value - tidsvinst.AtLow.Value), Precision);
        Assert.True(tidsvinst.Swing > licens.Swing);

        // Without a line (a card, a total): the sums, the change if every line were at its low (or high) at once:
        // low 20 000 − 100 000 = −80 000, high −50 000 + 20 000 = −30 000, swings 190 000.
        var all = await TornadoAsync("KS-A");
        Assert.Equal((-80_000.0, -30_000.0, 190_000.0), (all.AtLow!.Value, all.AtHigh!.Value, all.Swing!.Value));
        // The net present value is linear in each line, so the pessimistic case is the expected one plus the benefit's
        // deviation at its low and the cost's at its high: 100 000 − 100 000 − 50 000 = −50 000; the optimistic one
        // 100 000 + 20 000 + 20 000 = 140 000.
        var range = await RangeAsync("KS-A");
        Assert.Equal(range.Pessimistic!.Value, range.Expected!.Value + tidsvinst.AtLow.Value + licens.AtHigh.Value, Precision);
        Assert.Equal(range.Optimistic!.Value, range.Expected.Value + tidsvinst.AtHigh.Value + licens.AtLow.Value, Precision);
    }

    [Fact]
    public async Task ACaseWithoutTheSheet_HasThreeEqualCases_AndBarsOfZero()
    {
        // KS-B: −20 000 in every case; each line's NPV at 100 % is the expected −20 000: deviations 0, swing 0, not blank.
        var range = await RangeAsync("KS-B");
        Assert.Equal((-20_000.0, -20_000.0, -20_000.0), (range.Pessimistic!.Value, range.Expected!.Value, range.Optimistic!.Value));
        Assert.Equal("−20\u00A0000 – −20\u00A0000 kr", Interval(range));
        var licens = await TornadoAsync("KS-B", line: "Licens");
        Assert.Equal((0.0, 0.0, 0.0), (licens.AtLow!.Value, licens.AtHigh!.Value, licens.Swing!.Value));
    }

    [Fact]
    public async Task OverSeveralCases_TheNetPresentValuesAdd_ButTheTornadoIsBlank()
    {
        // KS-A and KS-B: pessimistic −50 000 − 20 000 = −70 000, expected 100 000 − 20 000 = 80 000, optimistic
        // 140 000 − 20 000 = 120 000: the portfolio if both turned out pessimistic (optimistic) at once.
        var both = await RangeAsync("KS-A,KS-B");
        Assert.Equal((-70_000.0, 80_000.0, 120_000.0, 2L), (both.Pessimistic!.Value, both.Expected!.Value, both.Optimistic!.Value, both.Cases));
        Assert.Equal("−70\u00A0000 – 120\u00A0000 kr", Interval(both));
        // Both have a line Licens (KS-A's at 80 / 150, KS-B's at 100 / 100): not one estimate, so no bar; nor for
        // Tidsvinst, which only KS-A has, so that the chart does not show some lines of some cases.
        Assert.Null((await TornadoAsync("KS-A,KS-B", line: "Licens")).AtLow);
        Assert.Null((await TornadoAsync("KS-A,KS-B", line: "Tidsvinst")).AtHigh);
        Assert.Null((await TornadoAsync("KS-A,KS-B")).Swing);
        // Omsorg holds one business case, KS-B (KS-D has none): its tornado shows.
        Assert.Equal((double?)0.0, (await TornadoAsync(unit: "Omsorg", line: "Arkivyta")).AtLow);
    }

    [Fact]
    public async Task ACaseWhoseRangeIsMissing_BlanksTheRange_SoThatItNeverCoversFewerCasesThanTheExpectedValue()
    {
        // Skola: KS-A (range written) and KS-C (not yet): expected 100 000 + 10 000 = 110 000; a pessimistic sum of KS-A
        // alone (−50 000) would compare one case with two, so the range is blank, and with it the text.
        var skola = await RangeAsync(unit: "Skola");
        Assert.Equal((110_000.0, 2L), (skola.Expected!.Value, skola.Cases));
        Assert.Null(skola.Pessimistic);
        Assert.Null(skola.Optimistic);
        Assert.Null(Interval(skola));
        // No business case in the selection (KS-D): everything blank.
        var none = await RangeAsync("KS-D");
        Assert.Equal(((double?)null, (double?)null, (double?)null, 0L), (none.Expected, none.Pessimistic, none.Optimistic, none.Cases));
        Assert.Null(Interval(none));
        Assert.Null((await TornadoAsync("KS-D")).AtLow);
    }

    /// <summary>Nettonuvärde intervall: both ends formatted as FORMAT does with the model's culture sv-SE, or blank.</summary>
    private static string? Interval(Range range) =>
        range.Pessimistic is { } low && range.Optimistic is { } high
            ? $"{low.ToString(IntervalFormat, Swedish)} – {high.ToString(IntervalFormat, Swedish)} kr"
            : null;

    private async Task<Range> RangeAsync(string? initiatives = null, string? unit = null)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<Range>(RangeSql, new { Initiatives = initiatives, Unit = unit });
    }

    private async Task<Tornado> TornadoAsync(string? initiatives = null, string? unit = null, string? line = null)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<Tornado>(TornadoSql, new { Initiatives = initiatives, Unit = unit, Line = line });
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private static string Normalised(string dax) => WhiteSpace().Replace(dax, " ").Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Trim();
}
