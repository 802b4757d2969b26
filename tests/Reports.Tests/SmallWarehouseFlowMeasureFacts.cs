using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.TestSupport;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// A handful of initiatives' lifecycle rows and history, written straight into the tables of an SQLite warehouse whose
/// schema the production scripts installed, small enough that every flow figure can be worked out by hand. The
/// lifecycle rows are what the lifecycle mart would write (lifecycle.md); the measures only aggregate them. Looked at
/// on 2025-06-30:
/// <list type="bullet">
/// <item>FL-A, Skola: the straight path; registered 2024-01-01, Beredning 01-11, Beslutad 02-10 (decided then), Projekt 03-01, Förvaltning 09-01: 40, 20, 184 and 244 days. Its history has two versions starting 2024-03-01, the first of no length.</item>
/// <item>FL-B, Skola: skipped Beslutad and has no Beslutsdatum; registered 2024-02-01, Beredning 02-15, Projekt 04-01, Förvaltning 2025-01-15: no decision, 289 and 349 days.</item>
/// <item>FL-C, Omsorg: went back; registered 2024-03-01, Beredning 03-10, Beslutad 05-01 (Beslutsdatum 04-20), Projekt 06-01, back in Beredning since 2025-02-01 (149 days).</item>
/// <item>FL-D, Omsorg: in Beslutad since 2025-05-15 (46 days); registered 2025-01-10, Beredning 02-01: 125 days to decision.</item>
/// <item>FL-E, Skola: in Beredning since 2025-01-20 (161 days); registered 2024-12-01.</item>
/// <item>FL-F, Omsorg: turned down (Avslagen) on 2024-10-01; registered 2024-06-01, Beredning 06-20.</item>
/// <item>FL-G, Skola: an idea since 2025-06-01 (29 days).</item>
/// <item>FL-X: removed from the list on 2024-01-31 while Beslutad (decided 2023-09-01, 123 days after it was registered on 2023-05-01): a lifecycle row and a history, no row in the register.</item>
/// </list>
/// </summary>
public sealed class SmallFlowWarehouse : IAsyncLifetime
{
    private readonly SqliteTestWarehouse _warehouse = new();

    public Warehouse.Storage.WarehouseDatabase Database => _warehouse.Database;

    public async ValueTask InitializeAsync()
    {
        await _warehouse.MigratedAsync();
        await using var c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        await c.ExecuteAsync("""
            INSERT INTO etl_run (run_id, run_kind, started_at_utc, finished_at_utc, status) VALUES (1, 'test', '2025-06-30 05:00:00.000', '2025-06-30 05:01:00.000', 'Lyckad');
            INSERT INTO dim_unit (unit) VALUES ('Skola'), ('Omsorg');
            INSERT INTO dim_initiative (initiative_id, name, unit, phase) VALUES
                ('FL-A', 'Rak väg', 'Skola', 'Förvaltning'), ('FL-B', 'Hoppade över', 'Skola', 'Förvaltning'), ('FL-C', 'Gick tillbaka', 'Omsorg', 'Beredning'),
                ('FL-D', 'Beslutad', 'Omsorg', 'Beslutad'), ('FL-E', 'I beredning', 'Skola', 'Beredning'), ('FL-F', 'Avslagen', 'Omsorg', 'Avslagen'),
                ('FL-G', 'Idé', 'Skola', 'Idé');

            INSERT INTO fct_initiative_lifecycle (initiative_id, registered_on, entered_beredning_on, entered_beslutad_on, entered_projekt_on, entered_forvaltning_on,
                                                  entered_avslutad_on, entered_avslagen_on, decided_on, days_to_decision, days_decision_to_project,
                                                  days_project_to_forvaltning, days_to_forvaltning, current_phase, current_phase_since, phase_changes, went_back, run_id)
            VALUES ('FL-A', '2024-01-01', '2024-01-11', '2024-02-10', '2024-03-01', '2024-09-01', NULL, NULL, '2024-02-10', 40, 20, 184, 244, 'Förvaltning', '2024-09-01', 4, 0, 1),
                   ('FL-B', '2024-02-01', '2024-02-15', NULL, '2024-04-01', '2025-01-15', NULL, NULL, NULL, NULL, NULL, 289, 349, 'Förvaltning', '2025-01-15', 3, 0, 1),
                   ('FL-C', '2024-03-01', '2024-03-10', '2024-05-01', '2024-06-01', NULL, NULL, NULL, '2024-04-20', 50, 42, NULL, NULL, 'Beredning', '2025-02-01', 4, 1, 1),
                   ('FL-D', '2025-01-10', '2025-02-01', '2025-05-15', NULL, NULL, NULL, NULL, '2025-05-15', 125, NULL, NULL, NULL, 'Beslutad', '2025-05-15', 2, 0, 1),
                   ('FL-E', '2024-12-01', '2025-01-20', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Beredning', '2025-01-20', 1, 0, 1),
                   ('FL-F', '2024-06-01', '2024-06-20', NULL, NULL, NULL, NULL, '2024-10-01', NULL, NULL, NULL, NULL, NULL, 'Avslagen', '2024-10-01', 2, 0, 1),
                   ('FL-G', '2025-06-01', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Idé', '2025-06-01', 0, 0, 1),
                   ('FL-X', '2023-05-01', '2023-06-01', '2023-09-01', NULL, NULL, NULL, NULL, '2023-09-01', 123, NULL, NULL, NULL, 'Beslutad', '2023-09-01', 2, 0, 1);

            -- Validity is half-open, [valid_from, valid_to): a version ends the day the next one starts.
            INSERT INTO dim_initiative_history (initiative_id, version_no, name, unit, phase, valid_from, valid_to, is_current, source) VALUES
                ('FL-A', 1, 'Rak väg', 'Skola', 'Idé', '2024-01-01', '2024-01-11', 0, 'Lista'),
                ('FL-A', 2, 'Rak väg', 'Skola', 'Beredning', '2024-01-11', '2024-02-10', 0, 'Lista'),
                ('FL-A', 3, 'Rak väg', 'Skola', 'Beslutad', '2024-02-10', '2024-03-01', 0, 'Lista'),
                ('FL-A', 4, 'Rak väg', 'Skola', 'Projekt', '2024-03-01', '2024-03-01', 0, 'Lista'),
                ('FL-A', 5, 'Rak väg', 'Skola', 'Projekt', '2024-03-01', '2024-09-01', 0, 'Lista'),
                ('FL-A', 6, 'Rak väg', 'Skola', 'Förvaltning', '2024-09-01', '9999-12-31', 1, 'Lista'),
                ('FL-C', 1, 'Gick tillbaka', 'Omsorg', 'Idé', '2024-03-01', '2024-03-10', 0, 'Lista'),
                ('FL-C', 2, 'Gick tillbaka', 'Omsorg', 'Beredning', '2024-03-10', '2024-05-01', 0, 'Lista'),
                ('FL-C', 3, 'Gick tillbaka', 'Omsorg', 'Beslutad', '2024-05-01', '2024-06-01', 0, 'Lista'),
                ('FL-C', 4, 'Gick tillbaka', 'Omsorg', 'Projekt', '2024-06-01', '2025-02-01', 0, 'Lista'),
                ('FL-C', 5, 'Gick tillbaka', 'Omsorg', 'Beredning', '2025-02-01', '9999-12-31', 1, 'Lista'),
                ('FL-X', 1, 'Borttaget', 'Omsorg', 'Idé', '2023-05-01', '2023-06-01', 0, 'Lista'),
                ('FL-X', 2, 'Borttaget', 'Omsorg', 'Beredning', '2023-06-01', '2023-09-01', 0, 'Lista'),
                ('FL-X', 3, 'Borttaget', 'Omsorg', 'Beslutad', '2023-09-01', '2024-01-31', 0, 'Lista');
            """);
    }

    public ValueTask DisposeAsync()
    {
        _warehouse.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The Flöde measures over <see cref="SmallFlowWarehouse"/>, each mirrored in SQL as <see cref="SmallWarehouseMeasureFacts"/>
/// does (a unit is the filter Verksamhet puts on Initiativ and through it on Livscykel and Initiativhistorik; a year or
/// quarter of Datum reaches Livscykel through the date that the measure activates with USERELATIONSHIP; TODAY() is a
/// parameter, so that nothing depends on the day the test runs; the DAX text is pinned so that the two cannot drift
/// apart), and compared with figures worked out by hand from the rows, with the arithmetic beside them.
/// </summary>
public sealed partial class SmallWarehouseFlowMeasureFacts(SmallFlowWarehouse small) : IClassFixture<SmallFlowWarehouse>
{
    private const double Precision = 1e-9;

    /// <summary>The lead times: the measure's stem, the Livscykel column and the view column it reads.</summary>
    private static readonly (string Stem, string Column, string Source)[] LeadTimes =
    [
        ("Dagar till beslut", "Dagar till beslut", "days_to_decision"),
        ("Dagar beslut till projekt", "Dagar beslut till projekt", "days_decision_to_project"),
        ("Dagar projekt till förvaltning", "Dagar projekt till förvaltning", "days_project_to_forvaltning"),
        ("Dagar till förvaltning", "Dagar till förvaltning", "days_to_forvaltning"),
    ];

    /// <summary>The throughput measures: the measure, the Livscykel date column and the view column it reads.</summary>
    private static readonly (string Measure, string Column, string Source)[] Throughput =
    [
        ("Nya initiativ", "Registrerad", "registered_on"),
        ("Till Beredning", "Beredning från", "entered_beredning_on"),
        ("Till Beslutad", "Beslutad från", "entered_beslutad_on"),
        ("Till Projekt", "Projekt från", "entered_projekt_on"),
        ("Till Förvaltning", "Förvaltning från", "entered_forvaltning_on"),
        ("Till Avslutad", "Avslutad från", "entered_avslutad_on"),
        ("Till Avslagen", "Avslagen från", "entered_avslagen_on"),
    ];

    private const string StandStillFilter =
        "FILTER('Livscykel', RELATED('Initiativ'[Fas]) IN {\"Beredning\", \"Beslutad\"} && NOT ISBLANK('Livscykel'[I fasen sedan]) && DATEDIFF('Livscykel'[I fasen sedan], AsOf, DAY) > Threshold)";

    /// <summary>The DAX that the SQL below mirrors, white space normalised.</summary>
    private static readonly Dictionary<string, string> MirroredDax = LeadTimes
        .SelectMany(l => new[]
        {
            KeyValuePair.Create($"{l.Stem} (median)", $"CALCULATE(MEDIAN('Livscykel'[{l.Column}]), USERELATIONSHIP('Livscykel'[Beslutad den], 'Datum'[Datum]))"),
            KeyValuePair.Create($"{l.Stem} (80:e percentil)", $"CALCULATE(PERCENTILE.INC('Livscykel'[{l.Column}], 0.8), USERELATIONSHIP('Livscykel'[Beslutad den], 'Datum'[Datum]))"),
        })
        .Concat(Throughput.Select(t => KeyValuePair.Create(t.Measure,
            $"CALCULATE(COUNTROWS('Livscykel'), USERELATIONSHIP('Livscykel'[{t.Column}], 'Datum'[Datum]), KEEPFILTERS(NOT ISBLANK('Livscykel'[{t.Column}])))")))
        .Concat(new Dictionary<string, string>
        {
            ["Dagar i nuvarande fas"] = "VAR AsOf = TODAY() RETURN MEDIANX(FILTER('Livscykel', NOT ISBLANK('Livscykel'[I fasen sedan]) && NOT ISBLANK(RELATED('Initiativ'[Initiativ-ID]))), DATEDIFF('Livscykel'[I fasen sedan], AsOf, DAY))",
            ["Tröskel stillastående värde"] = "SELECTEDVALUE('Tröskel stillastående'[Tröskel stillastående], 90)",
            ["Stillastående initiativ"] = $"VAR AsOf = TODAY() VAR Threshold = [Tröskel stillastående värde] RETURN COUNTROWS({StandStillFilter})",
            ["Dagar stillastående"] = $"VAR AsOf = TODAY() VAR Threshold = [Tröskel stillastående värde] RETURN MAXX({StandStillFilter}, DATEDIFF('Livscykel'[I fasen sedan], AsOf, DAY))",
            ["Initiativ på dag"] = "VAR OnDate = MAX('Datum'[Datum]) RETURN CALCULATE(DISTINCTCOUNT('Initiativhistorik'[initiative_id]), 'Initiativhistorik'[Giltig från] <= OnDate, 'Initiativhistorik'[Giltig till] > OnDate)",
            ["Antal som gått tillbaka"] = "CALCULATE(COUNTROWS('Livscykel'), KEEPFILTERS('Livscykel'[went_back] = 1))",
        })
        .ToDictionary(p => p.Key, p => p.Value);

    /// <summary>
    /// The lifecycle rows a unit and a year of decision select: the unit through Initiativ (a row whose initiative is not
    /// in the register finds none, and goes with any unit filter), the year through decided_on on Datum (a row without
    /// a decision date finds no day, and goes with any year filter).
    /// </summary>
    private const string SelectedSql = """
        SELECT l.* FROM pbi_fct_initiative_lifecycle l LEFT JOIN pbi_dim_initiative i ON i.initiative_id = l.initiative_id
         WHERE (@Unit IS NULL OR i.unit = @Unit) AND (@Year IS NULL OR CAST(strftime('%Y', l.decided_on) AS INTEGER) = @Year)
        """;

    /// <summary>
    /// PERCENTILE.INC (and MEDIAN, its k = 0.5) over the non-blank values: rank k × (n − 1) from 0, interpolated linearly
    /// between the values either side of it.
    /// </summary>
    private static string PercentileSql(string column) => $"""
        WITH l AS ({SelectedSql}),
             v AS (SELECT x, ROW_NUMBER() OVER (ORDER BY x) - 1 AS i, COUNT(*) OVER () AS n FROM (SELECT l.{column} AS x FROM l WHERE l.{column} IS NOT NULL) s),
             r AS (SELECT @K * (MAX(n) - 1) AS rank FROM v),
             b AS (SELECT rank, CAST(rank AS INTEGER) AS lo FROM r)
        SELECT (SELECT x FROM v WHERE i = b.lo)
               + (b.rank - b.lo) * (COALESCE((SELECT x FROM v WHERE i = b.lo + 1), (SELECT x FROM v WHERE i = b.lo)) - (SELECT x FROM v WHERE i = b.lo))
          FROM b
        """;

    /// <summary>The rows with the date of <paramref name="column"/> in [@From, @To] (all dates when no range), for a unit: COUNTROWS, blank (here 0) for none.</summary>
    private static string ThroughputSql(string column) => $"""
        SELECT COUNT(*) FROM pbi_fct_initiative_lifecycle l LEFT JOIN pbi_dim_initiative i ON i.initiative_id = l.initiative_id
         WHERE l.{column} IS NOT NULL AND (@Unit IS NULL OR i.unit = @Unit) AND (@From IS NULL OR l.{column} BETWEEN @From AND @To)
        """;

    /// <summary>
    /// Days since current_phase_since as of @Today, for the rows of the unit whose initiative is in the register
    /// (RELATED finds its row); those standing still are in Beredning or Beslutad in the register for more than @Threshold days.
    /// </summary>
    private const string DaysSql = """
        SELECT l.initiative_id AS InitiativeId, i.phase AS Phase,
               CAST(julianday(@Today) - julianday(l.current_phase_since) AS INTEGER) AS Days
          FROM pbi_fct_initiative_lifecycle l JOIN pbi_dim_initiative i ON i.initiative_id = l.initiative_id
         WHERE l.current_phase_since IS NOT NULL AND (@Unit IS NULL OR i.unit = @Unit)
        """;

    /// <summary>Initiativ på dag: the initiatives whose version valid on @OnDate (valid_from ≤ day &lt; valid_to) is in @Phase (any when null), for a unit.</summary>
    private const string OnDateSql = """
        SELECT COUNT(DISTINCT h.initiative_id) FROM pbi_dim_initiative_history h LEFT JOIN pbi_dim_initiative i ON i.initiative_id = h.initiative_id
         WHERE h.valid_from <= @OnDate AND h.valid_to > @OnDate AND (@Phase IS NULL OR h.phase = @Phase) AND (@Unit IS NULL OR i.unit = @Unit)
        """;

    private sealed class PhaseDays
    {
        public string InitiativeId { get; set; } = "";
        public string? Phase { get; set; }
        public long Days { get; set; }
    }

    [Fact]
    public void FlowMeasureDefinitions_AreTheOnesTheSqlMirrors()
    {
        var flow = ModelNames.Model.Table(ModelNames.MeasureTable).Measures.Where(m => m.Node.Property("displayFolder") == "Flöde").Select(m => m.Name);
        Assert.Equal(MirroredDax.Keys.Order(StringComparer.Ordinal), flow.Order(StringComparer.Ordinal));
        foreach (var (name, dax) in MirroredDax)
        {
            var measure = ModelNames.Model.Measures.Single(m => m.Name == name);
            Assert.True(Normalised(measure.Expression) == dax, $"[{name}] changed; update its SQL mirror in {nameof(SmallWarehouseFlowMeasureFacts)}:\n{Normalised(measure.Expression)}");
        }
        // What the SQL reads is what the model's columns read.
        var livscykel = ModelNames.Model.Table("Livscykel");
        Assert.All(LeadTimes, l => Assert.Equal(l.Source, livscykel.Column(l.Column)!.SourceColumn));
        Assert.All(Throughput, t => Assert.Equal(t.Source, livscykel.Column(t.Column)!.SourceColumn));
        Assert.Equal("decided_on", livscykel.Column("Beslutad den")!.SourceColumn);
    }

    [Fact]
    public async Task LeadTimes_MedianAndEightiethPercentile_IgnoreEmptyLeadTimes_AndFollowTheYearOfDecision()
    {
        // Days to decision, every row: FL-A 40, FL-C 50, FL-X 123, FL-D 125 (FL-B skipped Beslutad without a decision
        // date; the others have none yet). Median (50 + 123) / 2 = 86.5; the 80th percentile has rank 0.8 × 3 = 2.4:
        // 123 + 0.4 × (125 − 123) = 123.8.
        Assert.Equal(86.5, await PercentileAsync("days_to_decision", 0.5), Precision);
        Assert.Equal(123.8, await PercentileAsync("days_to_decision", 0.8), Precision);
        // Decided in 2024: FL-A (2024-02-10) 40 and FL-C (Beslutsdatum 2024-04-20) 50: median 45, 80th 40 + 0.8 × 10 = 48.
        Assert.Equal(45, await PercentileAsync("days_to_decision", 0.5, year: 2024), Precision);
        Assert.Equal(48, await PercentileAsync("days_to_decision", 0.8, year: 2024), Precision);
        // Omsorg: FL-C 50 and FL-D 125: median 87.5, 80th 50 + 0.8 × 75 = 110. FL-X, no longer in the register, is no unit's.
        Assert.Equal(87.5, await PercentileAsync("days_to_decision", 0.5, unit: "Omsorg"), Precision);
        Assert.Equal(110, await PercentileAsync("days_to_decision", 0.8, unit: "Omsorg"), Precision);

        // Days to förvaltning: FL-A 244, FL-B 349: median 296.5, 80th 244 + 0.8 × 105 = 328. By year of decision, FL-B,
        // which has none, counts in the total only: 2024 holds FL-A alone, 244.
        Assert.Equal(296.5, await PercentileAsync("days_to_forvaltning", 0.5), Precision);
        Assert.Equal(328, await PercentileAsync("days_to_forvaltning", 0.8), Precision);
        Assert.Equal(244, await PercentileAsync("days_to_forvaltning", 0.5, year: 2024), Precision);
        // Decision to project: FL-A 20, FL-C 42 (FL-D has no project yet): median 31; project to förvaltning FL-A 184, FL-B 289.
        Assert.Equal(31, await PercentileAsync("days_decision_to_project", 0.5), Precision);
        Assert.Equal(184 + 0.8 * 105, await PercentileAsync("days_project_to_forvaltning", 0.8), Precision);
        // Nothing decided in 2022: blank.
        Assert.Null(await PercentileOrNullAsync("days_to_decision", 0.5, year: 2022));
    }

    [Fact]
    public async Task Throughput_CountsTheInitiativesEnteringEachPhaseInThePeriod_ByItsOwnDate()
    {
        // Into Beredning in 2024 Q1: FL-A 01-11, FL-B 02-15, FL-C 03-10; in Q2 FL-F 06-20; in 2025 Q1 FL-E 01-20, FL-D 02-01.
        Assert.Equal(3, await ThroughputAsync("entered_beredning_on", "2024-01-01", "2024-03-31"));
        Assert.Equal(1, await ThroughputAsync("entered_beredning_on", "2024-04-01", "2024-06-30"));
        Assert.Equal(2, await ThroughputAsync("entered_beredning_on", "2025-01-01", "2025-03-31"));
        // Registered in 2024: FL-A, FL-B, FL-C, FL-F and FL-E (12-01): 5.
        Assert.Equal(5, await ThroughputAsync("registered_on", "2024-01-01", "2024-12-31"));
        // Into Förvaltning: FL-A in 2024 Q3, FL-B in 2025 Q1; none in 2024 Q4.
        Assert.Equal(1, await ThroughputAsync("entered_forvaltning_on", "2024-07-01", "2024-09-30"));
        Assert.Equal(0, await ThroughputAsync("entered_forvaltning_on", "2024-10-01", "2024-12-31"));
        // With no period, every initiative that ever entered: Beslutad FL-A, FL-C, FL-D, FL-X (FL-B skipped it): 4;
        // for Skola only FL-A. Avslagen: FL-F; Avslutad: none.
        Assert.Equal(4, await ThroughputAsync("entered_beslutad_on"));
        Assert.Equal(1, await ThroughputAsync("entered_beslutad_on", unit: "Skola"));
        Assert.Equal(1, await ThroughputAsync("entered_avslagen_on"));
        Assert.Equal(0, await ThroughputAsync("entered_avslutad_on"));
    }

    [Fact]
    public async Task DaysInPhase_AndStandingStill_CountFromCurrentPhaseSince_InTheRegistersCurrentPhase()
    {
        // On 2025-06-30: FL-A 302, FL-B 166, FL-C 149, FL-D 46, FL-E 161, FL-F 272, FL-G 29 days; FL-X (668), gone from
        // the register, has no current phase to stand in.
        var days = await DaysAsync("2025-06-30");
        Assert.Equal([302L, 166, 149, 46, 161, 272, 29], days.OrderBy(d => d.InitiativeId).Select(d => d.Days));
        // Dagar i nuvarande fas, the median: of all 29, 46, 149, 161, 166, 272, 302: 161; Skola 29, 161, 166, 302: 163.5.
        Assert.Equal(161, Median(days.Select(d => d.Days)), Precision);
        Assert.Equal(163.5, Median((await DaysAsync("2025-06-30", "Skola")).Select(d => d.Days)), Precision);

        // Standing still past 90 days: FL-C (Beredning, 149) and FL-E (Beredning, 161); FL-D (Beslutad, 46) is not yet.
        Assert.Equal(["FL-C", "FL-E"], StandingStill(days, 90));
        // The threshold moved to 30 takes FL-D in; to 150 leaves FL-E alone (149 is not more than 150).
        Assert.Equal(["FL-C", "FL-D", "FL-E"], StandingStill(days, 30));
        Assert.Equal(["FL-E"], StandingStill(days, 150));
        // Skola at 90: FL-E. Dagar stillastående per initiative is its days when it stands still, else blank; over them, the longest.
        Assert.Equal(["FL-E"], StandingStill(await DaysAsync("2025-06-30", "Skola"), 90));
        Assert.Equal(161, days.Where(d => StandingStill(days, 90).Contains(d.InitiativeId)).Max(d => d.Days));
        // A month earlier FL-C had 118 days and FL-E 130; FL-D, decided 2025-05-15, had 15.
        Assert.Equal(["FL-C", "FL-E"], StandingStill(await DaysAsync("2025-05-30"), 90));
    }

    [Fact]
    public async Task InitiativPaDag_CountsEachInitiativeOnceInTheVersionValidThatDay()
    {
        // 2024-01-15: FL-A in Beredning, FL-X in Beslutad (until it left the list on 2024-01-31); FL-C not yet registered.
        Assert.Equal(1, await OnDateAsync("2024-01-15", "Beredning"));
        Assert.Equal(1, await OnDateAsync("2024-01-15", "Beslutad"));
        Assert.Equal(2, await OnDateAsync("2024-01-15"));
        // 2024-03-01, the day FL-A went to Projekt through a version of no length and one that lasted: FL-A counts once,
        // in Projekt (its Beslutad version ended that day); FL-C was registered that day, as an idea.
        Assert.Equal(1, await OnDateAsync("2024-03-01", "Projekt"));
        Assert.Equal(0, await OnDateAsync("2024-03-01", "Beslutad"));
        Assert.Equal(1, await OnDateAsync("2024-03-01", "Idé"));
        // 2024-02-15: FL-X had left the list: FL-A alone, in Beslutad.
        Assert.Equal(1, await OnDateAsync("2024-02-15"));
        // 2025-06-30: FL-A in Förvaltning, FL-C back in Beredning; Omsorg: FL-C.
        Assert.Equal((1L, 1L, 2L), (await OnDateAsync("2025-06-30", "Förvaltning"), await OnDateAsync("2025-06-30", "Beredning"), await OnDateAsync("2025-06-30")));
        Assert.Equal(1, await OnDateAsync("2025-06-30", unit: "Omsorg"));
        Assert.Equal(0, await OnDateAsync("2025-06-30", "Projekt"));
    }

    [Fact]
    public async Task AntalSomGattTillbaka_CountsTheInitiativesThatEverMovedToAnEarlierPhase()
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        const string sql = """
            SELECT COUNT(*) FROM pbi_fct_initiative_lifecycle l LEFT JOIN pbi_dim_initiative i ON i.initiative_id = l.initiative_id
             WHERE l.went_back = 1 AND (@Unit IS NULL OR i.unit = @Unit)
            """;

        // FL-C went from Projekt back to Beredning; Omsorg holds it, Skola none.
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(sql, new { Unit = (string?)null }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(sql, new { Unit = "Omsorg" }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(sql, new { Unit = "Skola" }));
    }

    private static List<string> StandingStill(IEnumerable<PhaseDays> days, long threshold) =>
        days.Where(d => d.Phase is "Beredning" or "Beslutad" && d.Days > threshold).Select(d => d.InitiativeId).Order(StringComparer.Ordinal).ToList();

    private static double Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2.0;
    }

    private async Task<double> PercentileAsync(string column, double k, string? unit = null, long? year = null) =>
        await PercentileOrNullAsync(column, k, unit, year) ?? throw new InvalidOperationException($"{column}: blank");

    private async Task<double?> PercentileOrNullAsync(string column, double k, string? unit = null, long? year = null)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<double?>(PercentileSql(column), new { K = k, Unit = unit, Year = year });
    }

    private async Task<long> ThroughputAsync(string column, string? from = null, string? to = null, string? unit = null)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<long>(ThroughputSql(column), new { From = from, To = to, Unit = unit });
    }

    private async Task<List<PhaseDays>> DaysAsync(string today, string? unit = null)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<PhaseDays>(DaysSql, new { Today = today, Unit = unit })).ToList();
    }

    private async Task<long> OnDateAsync(string onDate, string? phase = null, string? unit = null)
    {
        await using var connection = await small.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<long>(OnDateSql, new { OnDate = onDate, Phase = phase, Unit = unit });
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private static string Normalised(string dax) => WhiteSpace().Replace(dax, " ").Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Trim();
}
