using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.TestSupport;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// A handful of rows, written into the warehouse's tables of an SQLite file whose schema the production scripts
/// installed, small enough that every figure the corrected measures should give can be worked out by hand. The
/// initiatives:
/// <list type="bullet">
/// <item>DIG-A "Digital signering", Skola, in Projekt; a business case 2024–2026; benefits reported for 2024 and 2025.</item>
/// <item>DIG-B "Digital signering" (the same name), Omsorg, in Projekt; no business case.</item>
/// <item>DIG-C "E-arkiv", Skola, closed (Avslutad) on 2025-03-02 with a last report Röd; a business case 2023–2024.</item>
/// <item>DIG-D … DIG-I: one initiative in each other phase, and one in a phase the process does not name.</item>
/// </list>
/// </summary>
public sealed class SmallWarehouse : IAsyncLifetime
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
                   (2, 1, 'BusinessCase', 'c.xlsx', 'cc', 1, 'Inläst', 1, 0, '2025-03-02 05:00:00.000'),
                   (3, 1, 'Actuals', 'utfall.xlsx', 'dd', 1, 'Inläst', 1, 0, '2025-03-02 05:00:00.000');
            INSERT INTO dim_unit (unit) VALUES ('Skola'), ('Omsorg');
            INSERT INTO dim_year (year) VALUES (2023), (2024), (2025), (2026), (2027);
            INSERT INTO dim_initiative (initiative_id, name, unit, phase) VALUES
                ('DIG-A', 'Digital signering', 'Skola', 'Projekt'), ('DIG-B', 'Digital signering', 'Omsorg', 'Projekt'),
                ('DIG-C', 'E-arkiv', 'Skola', 'Avslutad'), ('DIG-D', 'Chattbot', 'Omsorg', 'Idé'),
                ('DIG-E', 'E-tjänst', 'Omsorg', 'Beredning'), ('DIG-F', 'Robot', 'Skola', 'Beslutad'),
                ('DIG-G', 'Portal', 'Skola', 'Förvaltning'), ('DIG-H', 'Drönare', 'Omsorg', 'Avslagen'), ('DIG-I', 'Paus', 'Skola', 'Pausad');

            -- The daily snapshot: each initiative's latest report as of the day, with its phase that day.
            INSERT INTO fct_project_status_snapshot (snapshot_date, initiative_id, phase, status, report_date, days_since_report, run_id) VALUES
                ('2025-03-01', 'DIG-A', 'Projekt', 'Grön', '2025-02-20', 9, 1), ('2025-03-01', 'DIG-B', 'Projekt', 'Röd', '2025-02-25', 4, 1),
                ('2025-03-01', 'DIG-C', 'Projekt', 'Gul', '2025-02-27', 2, 1),
                ('2025-03-02', 'DIG-A', 'Projekt', 'Röd', '2025-03-02', 0, 1), ('2025-03-02', 'DIG-B', 'Projekt', 'Grön', '2025-03-02', 0, 1),
                ('2025-03-02', 'DIG-C', 'Avslutad', 'Röd', '2025-03-02', 0, 1);

            INSERT INTO fct_business_case_version (bc_version_id, initiative_id, file_id, run_id, loaded_at_utc, is_current, initiative_name, unit, owner_email,
                                                   first_year, last_year, cost_total_sek, economic_benefit_total_sek, net_benefit_total_sek, npv_sek, discount_rate)
            VALUES (1, 'DIG-A', 1, 1, '2025-03-02 05:00:00.000', 1, 'Digital signering', 'Skola', 'a@nacka.se', 2024, 2026, -120, 140, 20, 0, 0.03),
                   (2, 'DIG-C', 2, 1, '2025-03-02 05:00:00.000', 1, 'E-arkiv', 'Skola', 'c@nacka.se', 2023, 2024, -60, 50, -10, 0, 0.03);
            -- Per year: cost total, economic benefit, net, movement score (the accumulated columns are not what the measures read).
            INSERT INTO fct_business_case_year (bc_version_id, year, initiative_id, investment_sek, operating_cost_sek, cost_total_sek, investment_acc_sek,
                                                operating_cost_acc_sek, cost_total_acc_sek, financial_benefit_sek, redistribution_benefit_sek,
                                                economic_benefit_sek, economic_benefit_acc_sek, net_benefit_sek, net_benefit_acc_sek, movement_score)
            VALUES (1, 2024, 'DIG-A', -100, 0, -100, 0, 0, 0, 20, 0, 20, 0, -80, 0, 1),
                   (1, 2025, 'DIG-A', 0, -10, -10, 0, 0, 0, 60, 0, 60, 0, 50, 0, 0),
                   (1, 2026, 'DIG-A', 0, -10, -10, 0, 0, 0, 60, 0, 60, 0, 50, 0, 2),
                   (2, 2023, 'DIG-C', -50, 0, -50, 0, 0, 0, 10, 0, 10, 0, -40, 0, 0),
                   (2, 2024, 'DIG-C', 0, -10, -10, 0, 0, 0, 40, 0, 40, 0, 30, 0, 4);

            INSERT INTO fct_benefit_actual (actual_id, initiative_id, benefit_line, benefit_line_key, benefit_type, year, value, reported_at_utc,
                                            file_id, run_id, sheet_name, cell, is_current)
            VALUES (1, 'DIG-A', 'Tid', 'tid', 'Finansiell', 2024, 8, '2024-05-20 08:00:00.000', 3, 1, 'Utfall', 'E2', 1),
                   (2, 'DIG-A', 'Papper', 'papper', 'Omfördelning', 2024, 12, '2024-09-01 08:00:00.000', 3, 1, 'Utfall', 'E3', 1),
                   (3, 'DIG-A', 'Tid', 'tid', 'Finansiell', 2025, 12, '2025-06-15 08:00:00.000', 3, 1, 'Utfall', 'E4', 1),
                   (4, 'DIG-A', 'Nöjdhet', 'nojdhet', 'Förflyttning', 2025, 5, '2025-06-15 08:00:00.000', 3, 1, 'Utfall', 'E5', 1),
                   (5, 'DIG-C', 'Arkiv', 'arkiv', 'Finansiell', 2024, 25, '2024-12-01 08:00:00.000', 3, 1, 'Utfall', 'E6', 1);
            INSERT INTO fct_benefit_realization (initiative_id, benefit_line, benefit_type, year, planned_value, actual_value, variance_value,
                                                 planned_acc_value, reported_at_utc, bc_version_id, line_row, actual_id, run_id)
            VALUES ('DIG-A', 'Tid', 'Finansiell', 2024, 10, 8, -2, 0, '2024-05-20 08:00:00.000', 1, 2, 1, 1),
                   ('DIG-A', 'Tid', 'Finansiell', 2025, 30, 12, -18, 0, '2025-06-15 08:00:00.000', 1, 2, 3, 1),
                   ('DIG-A', 'Tid', 'Finansiell', 2026, 30, NULL, NULL, 0, NULL, 1, 2, NULL, 1),
                   ('DIG-A', 'Papper', 'Omfördelning', 2024, 10, 12, 2, 0, '2024-09-01 08:00:00.000', 1, 3, 2, 1),
                   ('DIG-A', 'Papper', 'Omfördelning', 2025, 30, NULL, NULL, 0, NULL, 1, 3, NULL, 1),
                   ('DIG-A', 'Papper', 'Omfördelning', 2026, 30, NULL, NULL, 0, NULL, 1, 3, NULL, 1),
                   ('DIG-A', 'Nöjdhet', 'Förflyttning', 2025, 5, 5, 0, 0, '2025-06-15 08:00:00.000', 1, 4, 4, 1),
                   ('DIG-C', 'Arkiv', 'Finansiell', 2024, 20, 25, 5, 0, '2024-12-01 08:00:00.000', 2, 2, 5, 1);

            INSERT INTO fct_digitalization_index_unit (unit, year, index_value, components_used, run_id) VALUES
                ('Skola', 2023, 5.0, 4, 1), ('Skola', 2024, 6.0, 4, 1), ('Skola', 2025, 6.5, 4, 1),
                ('Omsorg', 2023, 4.0, 4, 1), ('Omsorg', 2024, 7.0, 4, 1);
            INSERT INTO fct_digitalization_index_total (year, index_value, units, run_id) VALUES (2023, 4.5, 2, 1), (2024, 6.5, 2, 1), (2025, 6.5, 1, 1);
            """);
    }

    public ValueTask DisposeAsync()
    {
        _warehouse.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The corrected and new measures over <see cref="SmallWarehouse"/>, each mirrored in SQL as
/// <see cref="MeasureWarehouseFacts"/> does (the filters the relationships apply become WHERE conditions on the same
/// view columns; the DAX text is pinned so that the two cannot drift apart), and compared with figures worked out by
/// hand from the rows, with the arithmetic beside them.
/// </summary>
public sealed partial class SmallWarehouseMeasureFacts(SmallWarehouse small) : IClassFixture<SmallWarehouse>
{
    private const double Precision = 1e-9;

    /// <summary>The DAX that the SQL below mirrors, white space normalised.</summary>
    private static readonly Dictionary<string, string> MirroredDax = new()
    {
        ["Andel röda projekt"] = "VAR AsOf = CALCULATE(MAX('Projektstatus per dag'[Dag]), REMOVEFILTERS('Projektstatus per dag'[Status])) VAR InProject = CALCULATETABLE('Projektstatus per dag', REMOVEFILTERS('Projektstatus per dag'[Status]), 'Projektstatus per dag'[Dag] = AsOf, 'Projektstatus per dag'[Fas] = \"Projekt\") RETURN DIVIDE(COUNTROWS(FILTER(InProject, 'Projektstatus per dag'[Status] = \"Röd\")), COUNTROWS(InProject))",
        ["Antal projekt"] = "VAR AsOf = CALCULATE(MAX('Projektstatus per dag'[Dag]), REMOVEFILTERS('Projektstatus per dag'[Status])) RETURN CALCULATE(COUNTROWS('Projektstatus per dag'), 'Projektstatus per dag'[Dag] = AsOf, KEEPFILTERS('Projektstatus per dag'[Fas] = \"Projekt\"))",
        ["Uppföljningsår"] = "VAR LatestReported = CALCULATE(MAX('Nyttorealisering'[year]), 'Nyttorealisering'[is_reported] = 1) RETURN IF(HASONEVALUE('År'[År]), VALUES('År'[År]), LatestReported)",
        ["Planerad nytta uppföljningsår"] = "VAR FollowUpYear = [Uppföljningsår] RETURN CALCULATE([Planerad nytta], REMOVEFILTERS('År'), 'År'[År] = FollowUpYear)",
        ["Realiserad nytta uppföljningsår"] = "VAR FollowUpYear = [Uppföljningsår] RETURN CALCULATE([Realiserad nytta], REMOVEFILTERS('År'), 'År'[År] = FollowUpYear)",
        ["Realiserad nytta samma tid i fjol"] = "VAR FollowUpYear = [Uppföljningsår] VAR AsOf = CALCULATE(MAX('Nyttorealisering'[Rapporterad (UTC)]), REMOVEFILTERS('År'), 'År'[År] = FollowUpYear) VAR SameDayLastYear = EDATE(AsOf, -12) RETURN IF(NOT ISBLANK(AsOf), CALCULATE([Realiserad nytta], REMOVEFILTERS('År'), 'År'[År] = FollowUpYear - 1, 'Nyttorealisering'[Rapporterad (UTC)] <= SameDayLastYear))",
        ["Realiserad nytta mot i fjol"] = "VAR ThisYear = [Realiserad nytta uppföljningsår] VAR LastYear = [Realiserad nytta samma tid i fjol] RETURN IF(NOT ISBLANK(ThisYear) && NOT ISBLANK(LastYear), ThisYear - LastYear)",
        ["Digitaliseringsindex"] = "VAR LastYear = MAX('Index per verksamhet'[year]) RETURN CALCULATE(AVERAGE('Index per verksamhet'[Indexvärde]), 'Index per verksamhet'[year] = LastYear)",
        ["Digitaliseringsindex förändring"] = "VAR LastYear = MAX('Index per verksamhet'[year]) VAR ThisYear = [Digitaliseringsindex] VAR PreviousYear = CALCULATE(AVERAGE('Index per verksamhet'[Indexvärde]), REMOVEFILTERS('År'), 'Index per verksamhet'[year] = LastYear - 1) RETURN IF(NOT ISBLANK(ThisYear) && NOT ISBLANK(PreviousYear), ThisYear - PreviousYear)",
        ["Digitaliseringsindex kommun"] = "VAR LastYear = MAX('Index kommun'[year]) RETURN CALCULATE(AVERAGE('Index kommun'[Indexvärde]), 'Index kommun'[year] = LastYear)",
        ["Digitaliseringsindex kommun förändring"] = "VAR LastYear = MAX('Index kommun'[year]) VAR ThisYear = [Digitaliseringsindex kommun] VAR PreviousYear = CALCULATE(AVERAGE('Index kommun'[Indexvärde]), REMOVEFILTERS('År'), 'Index kommun'[year] = LastYear - 1) RETURN IF(NOT ISBLANK(ThisYear) && NOT ISBLANK(PreviousYear), ThisYear - PreviousYear)",
    };

    /// <summary>
    /// Andel röda projekt and Antal projekt for a unit (Initiativ → Verksamhet) and the dates up to @Through (Datum):
    /// the latest snapshot day in that selection, then the rows of that day in phase Projekt.
    /// </summary>
    private const string StatusSql = """
        WITH selected AS (
            SELECT s.* FROM pbi_fct_project_status_snapshot s JOIN pbi_dim_initiative i ON i.initiative_id = s.initiative_id
             WHERE (@Unit IS NULL OR i.unit = @Unit) AND (@Through IS NULL OR s.snapshot_date <= @Through)),
        day AS (SELECT * FROM selected WHERE snapshot_date = (SELECT MAX(snapshot_date) FROM selected) AND phase = 'Projekt')
        SELECT 1.0 * SUM(CASE WHEN status = 'Röd' THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0) AS RedShare,
               SUM(CASE WHEN status = @Status THEN 1 ELSE 0 END) AS WithStatus,
               COUNT(*) AS Projects
          FROM day
        """;

    /// <summary>
    /// Uppföljningsår (the one selected year, else the latest reported year of the selection) and the follow-up
    /// measures over the monetary benefit types, for a unit; samma tid i fjol counts the year before's actuals
    /// reported no later than twelve months before the follow-up year's latest report (EDATE(…, -12)).
    /// </summary>
    private const string FollowUpSql = """
        WITH r AS (
            SELECT r.* FROM pbi_fct_benefit_realization r JOIN pbi_dim_initiative i ON i.initiative_id = r.initiative_id
             WHERE @Unit IS NULL OR i.unit = @Unit),
        y AS (SELECT COALESCE(@Year, (SELECT MAX(year) FROM r WHERE is_reported = 1)) AS year),
        m AS (SELECT * FROM r WHERE benefit_type IN ('Finansiell', 'Omfördelning')),
        asof AS (SELECT MAX(reported_at_utc) AS at FROM r WHERE year = (SELECT year FROM y))
        SELECT (SELECT year FROM y) AS FollowUpYear,
               (SELECT SUM(planned_value) FROM m WHERE year = (SELECT year FROM y)) AS Planned,
               (SELECT SUM(actual_value) FROM m WHERE year = (SELECT year FROM y)) AS Actual,
               (SELECT SUM(actual_value) FROM m WHERE year = (SELECT year FROM y) - 1
                   AND julianday(reported_at_utc) <= julianday((SELECT at FROM asof), '-12 months')) AS SameTimeLastYear
        """;

    /// <summary>
    /// Digitaliseringsindex over a unit's or all units' rows, with the years up to @Through: the average of the rows of
    /// the latest year among them, and that minus the average of the year before's rows (the year filter removed).
    /// </summary>
    private const string IndexSql = """
        WITH u AS (SELECT * FROM pbi_fct_digitalization_index_unit WHERE (@Unit IS NULL OR unit = @Unit)),
             last AS (SELECT MAX(year) AS year FROM u WHERE @Through IS NULL OR year <= @Through),
             t AS (SELECT * FROM pbi_fct_digitalization_index_total),
             tlast AS (SELECT MAX(year) AS year FROM t WHERE @Through IS NULL OR year <= @Through)
        SELECT (SELECT AVG(index_value) FROM u WHERE year = (SELECT year FROM last)) AS UnitIndex,
               (SELECT AVG(index_value) FROM u WHERE year = (SELECT year FROM last))
                 - (SELECT AVG(index_value) FROM u WHERE year = (SELECT year FROM last) - 1) AS UnitChange,
               (SELECT AVG(index_value) FROM t WHERE year = (SELECT year FROM tlast)) AS TotalIndex,
               (SELECT AVG(index_value) FROM t WHERE year = (SELECT year FROM tlast))
                 - (SELECT AVG(index_value) FROM t WHERE year = (SELECT year FROM tlast) - 1) AS TotalChange
        """;

    private sealed record Status(double? RedShare, long? WithStatus, long Projects);

    /// <summary>Settable properties, not a record: SQLite declares no type for a computed column, which Dapper's constructor matching needs.</summary>
    private sealed class FollowUp
    {
        public long? FollowUpYear { get; set; }
        public double? Planned { get; set; }
        public double? Actual { get; set; }
        public double? SameTimeLastYear { get; set; }

        public (long?, double?, double?, double?) Figures => (FollowUpYear, Planned, Actual, SameTimeLastYear);
    }

    private sealed class IndexFigures
    {
        public double? UnitIndex { get; set; }
        public double? UnitChange { get; set; }
        public double? TotalIndex { get; set; }
        public double? TotalChange { get; set; }
    }

    [Fact]
    public void NewMeasureDefinitions_AreTheOnesTheSqlMirrors()
    {
        foreach (var (name, dax) in MirroredDax)
        {
            var measure = ModelNames.Model.Measures.Single(m => m.Name == name);
            Assert.True(Normalised(measure.Expression) == dax, $"[{name}] changed; update its SQL mirror in {nameof(SmallWarehouseMeasureFacts)}:\n{Normalised(measure.Expression)}");
        }
    }

    [Fact]
    public async Task AndelRodaProjekt_AsOfTheLatestDay_CountsOnlyTheInitiativesInProjektThatDay()
    {
        // 2025-03-02: in Projekt DIG-A (Röd) and DIG-B (Grön); DIG-C, closed that day with a last report Röd, does not
        // count: 1 / 2 = 0.5 (counting every latest report would give 2 / 3).
        var latest = await StatusAsync();
        Assert.Equal(0.5, latest.RedShare!.Value, Precision);
        Assert.Equal(2, latest.Projects);

        // As of 2025-03-01: DIG-A Grön, DIG-B Röd, DIG-C Gul, all three in Projekt: 1 / 3.
        Assert.Equal(1.0 / 3, (await StatusAsync(through: "2025-03-01")).RedShare!.Value, Precision);

        // Skola on 2025-03-02: DIG-A Röd in Projekt; DIG-C Avslutad: 1 / 1.
        Assert.Equal(1.0, (await StatusAsync(unit: "Skola")).RedShare!.Value, Precision);

        // Omsorg's only project, DIG-B, was Röd on 2025-03-01 and Grön on 2025-03-02: 0 / 1.
        Assert.Equal(0.0, (await StatusAsync(unit: "Omsorg")).RedShare!.Value, Precision);
    }

    [Fact]
    public async Task AntalProjekt_PerStatus_CountsTheProjectsOfTheDay()
    {
        // 2025-03-02: DIG-A Röd, DIG-B Grön (DIG-C Avslutad): Röd 1, Grön 1, Gul 0.
        Assert.Equal(1, (await StatusAsync(status: "Röd")).WithStatus);
        Assert.Equal(1, (await StatusAsync(status: "Grön")).WithStatus);
        Assert.Equal(0, (await StatusAsync(status: "Gul")).WithStatus);
        // 2025-03-01: Grön (DIG-A), Röd (DIG-B), Gul (DIG-C): one each, three projects.
        Assert.Equal((1L, 3L), ((await StatusAsync(through: "2025-03-01", status: "Gul")).WithStatus!.Value, (await StatusAsync(through: "2025-03-01")).Projects));
    }

    [Fact]
    public async Task ForflyttningSnitt_IsWhatNyttokvotTotaltAdds_SoTheMatrixTotalsAgree()
    {
        // DIG-A, all years (the matrix's total row): benefit 20 + 60 + 60 = 140, cost −100 − 10 − 10 = −120;
        // Ekonomisk nyttokvot 10 × 140 / 120 = 11.667; Förflyttning (snitt) (1 + 0 + 2) / 3 = 1; Nyttokvot totalt 12.667.
        var total = await BusinessCaseAsync("DIG-A", null);
        Assert.Equal(1400.0 / 120, total.Ratio!.Value, Precision);
        Assert.Equal(1.0, total.Movement!.Value, Precision);
        Assert.Equal(1400.0 / 120 + 1, total.RatioTotal!.Value, Precision);
        Assert.Equal(total.Ratio.Value + total.Movement.Value, total.RatioTotal.Value, Precision); // the total row adds up

        // DIG-A 2024: 10 × 20 / 100 = 2, movement 1: 3.
        var year = await BusinessCaseAsync("DIG-A", 2024);
        Assert.Equal((2.0, 1.0, 3.0), (year.Ratio!.Value, year.Movement!.Value, year.RatioTotal!.Value));

        // Both cases in 2024: 10 × (20 + 40) / (100 + 10) = 5.4545; movement (1 + 4) / 2 = 2.5, not the sum 5: 7.9545.
        var both = await BusinessCaseAsync(null, 2024);
        Assert.Equal(600.0 / 110, both.Ratio!.Value, Precision);
        Assert.Equal(2.5, both.Movement!.Value, Precision);
        Assert.Equal(600.0 / 110 + 2.5, both.RatioTotal!.Value, Precision);
    }

    [Fact]
    public async Task NettonyttaAckumulerad_IsBlankOutsideACasesYears_AndTotalsTheCasesThatRunThatYear()
    {
        // Net per year: DIG-A 2024 −80, 2025 +50, 2026 +50; DIG-C 2023 −40, 2024 +30.
        Assert.Equal(-40, (await BusinessCaseAsync(null, 2023)).NetAccumulated); // DIG-C −40; DIG-A has not started: blank
        Assert.Null((await BusinessCaseAsync("DIG-A", 2023)).NetAccumulated);
        Assert.Equal(-90, (await BusinessCaseAsync(null, 2024)).NetAccumulated); // DIG-A −80, DIG-C −40 + 30 = −10
        Assert.Equal(-30, (await BusinessCaseAsync(null, 2025)).NetAccumulated); // DIG-A −80 + 50; DIG-C ended in 2024: blank, not −10
        Assert.Null((await BusinessCaseAsync("DIG-C", 2025)).NetAccumulated);
        Assert.Equal(20, (await BusinessCaseAsync(null, 2026)).NetAccumulated); // DIG-A −80 + 50 + 50
        Assert.Null((await BusinessCaseAsync(null, 2027)).NetAccumulated); // both ended
        Assert.Equal(10, (await BusinessCaseAsync(null, null)).NetAccumulated); // all years: DIG-A to 2026, 20, DIG-C to 2024, −10
    }

    [Fact]
    public async Task PlaneradNyttaRapporteradeAr_SetsTheRealisedBenefitAgainstThePlanOfTheReportedYearsOnly()
    {
        var all = await RealisationAsync(null, null);

        // Planned, monetary types, all years: DIG-A Tid 10 + 30 + 30, Papper 10 + 30 + 30, DIG-C Arkiv 20 = 160.
        Assert.Equal(160, all.Planned);
        // Reported: DIG-A Tid 2024 (10), Tid 2025 (30), Papper 2024 (10), DIG-C Arkiv 2024 (20) = 70; Nöjdhet is Förflyttning.
        Assert.Equal(70, all.PlannedReported);
        // Realised 8 + 12 + 12 + 25 = 57: 57 / 70 = 81.4 %, where the whole plan would have said 57 / 160 = 35.6 %.
        Assert.Equal(57, all.Actual);
        Assert.Equal(57.0 / 70, all.Rate!.Value, Precision);

        // DIG-A 2025: only Tid was reported, planned 30, realised 12: 40 %.
        var year = await RealisationAsync("DIG-A", 2025);
        Assert.Equal((30.0, 12.0), (year.PlannedReported!.Value, year.Actual!.Value));
        Assert.Equal(0.4, year.Rate!.Value, Precision);
    }

    [Fact]
    public async Task Uppfoljningsar_IsTheSelectedYearElseTheLatestReported_AndTheRealisedBenefitIsSetAgainstTheSameTimeLastYear()
    {
        // No year selected: the latest year with a reported actual is 2025. Planned 2025: Tid 30 + Papper 30 = 60;
        // realised so far: Tid 12. The latest 2025 report is 2025-06-15, so last year counts the 2024 actuals reported
        // by 2024-06-15: Tid 8 (2024-05-20); Papper (2024-09-01) and Arkiv (2024-12-01) came later. Change 12 − 8 = 4.
        var latest = await FollowUpAsync(null, null);
        Assert.Equal((2025L, 60.0, 12.0, 8.0), latest.Figures);
        Assert.Equal(4, latest.Actual - latest.SameTimeLastYear);

        // 2024 selected: planned Tid 10 + Papper 10 + Arkiv 20 = 40, realised 8 + 12 + 25 = 45; nothing for 2023.
        Assert.Equal((2024L, 40.0, 45.0, (double?)null), (await FollowUpAsync(2024, null)).Figures);

        // Omsorg has no benefit rows: no follow-up year, everything blank.
        Assert.Equal(((long?)null, (double?)null, (double?)null, (double?)null), (await FollowUpAsync(null, "Omsorg")).Figures);
    }

    [Fact]
    public async Task Digitaliseringsindex_OverSeveralYears_ShowsTheLatest_AndItsChangeAgainstTheYearBefore()
    {
        // Skola's row total over 2023–2025: the 2025 index 6.5, not the average (5 + 6 + 6.5) / 3; change 6.5 − 6.0 = 0.5.
        var skola = await IndexAsync("Skola", null);
        Assert.Equal(6.5, skola.UnitIndex!.Value, Precision);
        Assert.Equal(0.5, skola.UnitChange!.Value, Precision);
        // Omsorg's latest year is 2024: 7.0; change 7.0 − 4.0 = 3.0.
        var omsorg = await IndexAsync("Omsorg", null);
        Assert.Equal((7.0, 3.0), (omsorg.UnitIndex!.Value, omsorg.UnitChange!.Value));
        // Every unit up to 2024: (6.0 + 7.0) / 2 = 6.5 against (5.0 + 4.0) / 2 = 4.5: change 2.0.
        var units2024 = await IndexAsync(null, 2024);
        Assert.Equal((6.5, 2.0), (units2024.UnitIndex!.Value, units2024.UnitChange!.Value));
        // The municipality: 2025 6.5 against 2024 6.5: change 0; up to 2024: 6.5 against 4.5: 2.0.
        var kommun = await IndexAsync(null, null);
        Assert.Equal((6.5, 0.0), (kommun.TotalIndex!.Value, kommun.TotalChange!.Value));
        var kommun2024 = await IndexAsync(null, 2024);
        Assert.Equal((6.5, 2.0), (kommun2024.TotalIndex!.Value, kommun2024.TotalChange!.Value));
        // 2023 has no year before it: blank.
        Assert.Null((await IndexAsync(null, 2023)).TotalChange);
    }

    private async Task<Status> StatusAsync(string? unit = null, string? through = null, string? status = null)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<Status>(StatusSql, new { Unit = unit, Through = through, Status = status });
    }

    private async Task<MeasureWarehouseFacts.BusinessCase> BusinessCaseAsync(string? initiative, long? year)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<MeasureWarehouseFacts.BusinessCase>(MeasureWarehouseFacts.BusinessCaseSql, new { Initiative = initiative, Year = year, Unit = (string?)null });
    }

    private async Task<MeasureWarehouseFacts.Realisation> RealisationAsync(string? initiative, long? year)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<MeasureWarehouseFacts.Realisation>(MeasureWarehouseFacts.RealisationSql, new { Initiative = initiative, Year = year, Unit = (string?)null, Line = (string?)null });
    }

    private async Task<FollowUp> FollowUpAsync(long? year, string? unit)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<FollowUp>(FollowUpSql, new { Year = year, Unit = unit });
    }

    private async Task<IndexFigures> IndexAsync(string? unit, long? through)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<IndexFigures>(IndexSql, new { Unit = unit, Through = through });
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private static string Normalised(string dax) => WhiteSpace().Replace(dax, " ").Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Trim();
}
