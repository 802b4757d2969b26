using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;
using static NackaInsights.TestSupport.WarehouseBuilders;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// The digitaliseringsindex built for some initiatives, over generated histories, realisations and surveys of several units
/// and years: it leaves all three tables as a whole build does, writes exactly when a whole build writes, and is whole
/// when the initiatives' units may have moved.
/// </summary>
public abstract class DigitalizationIndexMartFacts : WarehouseFacts
{
    private static readonly string[] Units = ["Enhet A", "Enhet B", "Enhet C", "Enhet D"];

    private static readonly string[] PhaseOrder = [Phases.Idea, Phases.Preparation, Phases.Decided, Phases.Project, Phases.Operation, Phases.Closed];

    private static readonly string[] BenefitTypes = [Labels.Financial, Labels.Redistribution, "Förflyttning"];

    private static readonly string[] IndexTables = ["fct_digitalization_index", "fct_digitalization_index_unit", "fct_digitalization_index_total"];

    private long _runId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await AddListsAsync(run);
        // A business case version and a survey file, for the generated realisation and survey rows to name.
        await run.AddBusinessCaseAsync(CaseFile("DIG-3", "v1"), Dig3(), Ct);
        await run.AddSurveyAsync(SurveyFile("index/2024.csv"), Survey(Survey(2, 2024, "Välfärd skola", "Digital kompetens", 61)), Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        _runId = result.RunId;
    }

    /// <summary>What a run changes of one initiative before the index is built again.</summary>
    public enum Change
    {
        /// <summary>A comment on its realisation: nothing the index reads.</summary>
        Comment,

        /// <summary>Its first economic actual doubled.</summary>
        Actual,

        /// <summary>Its first line's plan up by a third.</summary>
        Planned,

        /// <summary>Its realisation gone.</summary>
        RealizationRemoved,

        /// <summary>A new version in another unit and in Förvaltning, its dimension row moved with it.</summary>
        NewUnitAndPhase,
    }

    public static TheoryData<int, Change> Cases()
    {
        var cases = new TheoryData<int, Change>();
        foreach (var seed in new[] { 1, 2, 3, 4, 5, 6 })
        {
            foreach (var change in Enum.GetValues<Change>())
            {
                cases.Add(seed, change);
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BuiltForTheChangedInitiative_ItLeavesTheRowsAWholeBuildLeaves_AndWritesWhatAWholeBuildWrites(int seed, Change change)
    {
        var whole = await AfterChangeAsync(seed, change, MartScope.Whole, dueFrom: null);
        var scoped = await AfterChangeAsync(seed, change, null, dueFrom: new HashSet<string> { "fct_benefit_realization" });

        Assert.Equal(whole.Rows, scoped.Rows);
        Assert.Equal(whole.Wrote, scoped.Wrote);
        Assert.NotEmpty(whole.Rows["fct_digitalization_index_total"]);
        if (change == Change.Comment)
        {
            Assert.Empty(scoped.Wrote);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task WhenTheInitiativesDimensionWasWritten_ItIsBuiltWhole_ForItsUnitMayHaveLeftNoTrace(int seed)
    {
        // The unit is moved in place, as a business case's unit moves an initiative the list does not know: the unit
        // it had is nowhere in the tables any more, so only a whole build can take its rows out of that unit.
        var whole = await AfterChangeAsync(seed, null, MartScope.Whole, dueFrom: null);
        var scoped = await AfterChangeAsync(seed, null, null, dueFrom: new HashSet<string> { "fct_benefit_realization", "dim_initiative", "dim_initiative_history" });

        Assert.Equal(whole.Rows, scoped.Rows);
        Assert.Equal(whole.Wrote, scoped.Wrote);
        Assert.NotEmpty(whole.Wrote);
    }

    /// <summary>
    /// Stages the generated warehouse, builds the index whole, makes <paramref name="change"/> to one initiative (null:
    /// moves its every row to another unit in place), builds it again in a later run with <paramref name="scope"/> (null:
    /// that initiative), and returns the index's rows and the tables the second build wrote.
    /// </summary>
    private async Task<(Dictionary<string, List<string>> Rows, List<string> Wrote)> AfterChangeAsync(
        int seed, Change? change, MartScope? scope, IReadOnlySet<string>? dueFrom)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var sql = new RunTransaction(Warehouse.Database, connection, transaction);
        try
        {
            var first = new MartContext { Sql = sql, RunId = _runId, StartedAtUtc = Listed };
            var changed = await StageAsync(sql, seed);
            await WarehouseMarts.DigitalizationIndex.BuildAsync(first, MartScope.Whole, Ct);

            await sql.ExecuteAsync(
                "INSERT INTO etl_run (run_id, run_kind, started_at_utc, status) SELECT run_id + 1, run_kind, started_at_utc, status FROM etl_run WHERE run_id = @RunId",
                [("@RunId", _runId)], Ct);
            await ChangeAsync(sql, changed, change, seed);
            sql.TakePending();
            var next = new MartContext { Sql = sql, RunId = _runId + 1, StartedAtUtc = Listed, DueFrom = dueFrom };
            await WarehouseMarts.DigitalizationIndex.BuildAsync(next, scope ?? MartScope.Of([changed]), Ct);
            var wrote = sql.TakePending().Tables.Where(t => t.Value.Kinds != TableWrite.None).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();

            var rows = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var table in IndexTables)
            {
                // Every column but the run that wrote the row (the last): a whole build rewrites a table whole, a scoped one its units' rows.
                rows[table] = (await sql.ReadAsync($"SELECT * FROM {table}", r => string.Join("|", Enumerable.Range(0, r.FieldCount - 1).Select(i => Cell(r, i))), Ct))
                    .Order(StringComparer.Ordinal).ToList();
            }
            return (rows, wrote);
        }
        finally
        {
            await transaction.RollbackAsync(Ct);
        }
    }

    /// <summary>A value as stored, to the last bit: a double as it round-trips, the municipality's mean among them.</summary>
    private static string Cell(System.Data.Common.DbDataReader r, int i) =>
        r.IsDBNull(i) ? "∅" : r.GetValue(i) switch
        {
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            decimal m => m.ToString(System.Globalization.CultureInfo.InvariantCulture),
            var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };

    /// <summary>
    /// Replaces what the index reads with a generated municipality: 30 initiatives over four units, each with one to five
    /// versions that move on (now and then back) through the phases and now and then to another unit, realisations of
    /// every kind with actuals reported or not, and a survey of most units and years. Returns the initiative to change:
    /// one with economic actuals, and with versions in two units where the seed gives one.
    /// </summary>
    private async Task<string> StageAsync(RunTransaction sql, int seed)
    {
        foreach (var table in new[] { "fct_digitalization_index", "fct_digitalization_index_unit", "fct_digitalization_index_total", "fct_benefit_realization",
                     "fct_survey_result", "bridge_initiative_goal", "dim_initiative_history", "dim_initiative", "dim_initiative_version" })
        {
            await sql.ExecuteAsync($"DELETE FROM {table}", Ct);
        }
        var random = new Random(seed);
        var versions = new List<object?[]>();
        var history = new List<object?[]>();
        var current = new List<object?[]>();
        var realization = new List<object?[]>();
        var candidates = new List<(string Id, bool Moved)>();
        var version = await sql.CountAsync("SELECT MIN(bc_version_id) FROM fct_business_case_version", Ct);
        for (var n = 1; n <= 30; n++)
        {
            var id = $"DIG-{n:00}";
            var unit = Units[random.Next(Units.Length)];
            var phase = random.Next(3);
            var at = new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(random.Next(400));
            var count = 1 + random.Next(5);
            var moved = false;
            for (var no = 1; no <= count; no++)
            {
                var isCurrent = no == count;
                // Some begin on New Year's Eve late in UTC: already the next year in Stockholm.
                var validFromUtc = random.Next(6) == 0 ? new DateTime(at.Year, 12, 31, 23, 30, 0, DateTimeKind.Utc) : at;
                var from = DateOnly.FromDateTime(validFromUtc);
                var next = validFromUtc.AddDays(30 + random.Next(300));
                var to = isCurrent ? RefreshRun.OpenEnd : DateOnly.FromDateTime(next);
                versions.Add([id, no, from, to, validFromUtc, isCurrent, $"Initiativ {id}", unit, PhaseOrder[phase], null, null, null, null, null, null, null, $"item-{id}", _runId, null]);
                history.Add([id, no, $"Initiativ {id}", unit, PhaseOrder[phase], null, null, null, null, null, null, from, to, isCurrent, InitiativeSources.List]);
                if (isCurrent)
                {
                    current.Add([id, $"Initiativ {id}", unit, PhaseOrder[phase], null, null, null, null, null, null, null, InitiativeSources.List]);
                }
                at = next;
                phase = random.Next(5) == 0 ? Math.Max(0, phase - 2) : Math.Min(PhaseOrder.Length - 1, phase + 1 + random.Next(2));
                if (random.Next(4) == 0)
                {
                    unit = Units[random.Next(Units.Length)];
                    moved = true;
                }
            }
            var economic = false;
            for (var line = 1; line <= 1 + random.Next(3); line++)
            {
                var type = BenefitTypes[random.Next(BenefitTypes.Length)];
                for (var year = 2021; year <= 2024; year++)
                {
                    var planned = random.Next(4) == 0 ? 0m : 1_000m * random.Next(1, 200);
                    decimal? actual = random.Next(3) == 0 ? null : 1_000m * random.Next(0, 250) + 0.25m * random.Next(4);
                    economic |= actual is not null && type != "Förflyttning";
                    realization.Add([id, $"Rad {line}", type, year, planned, actual, actual is null ? null : actual - planned, null, planned, actual,
                        null, null, null, version, n * 10 + line, null, _runId]);
                }
            }
            if (economic)
            {
                candidates.Add((id, moved));
            }
        }
        var survey = new List<object?[]>();
        var file = await sql.CountAsync("SELECT MIN(file_id) FROM etl_file WHERE source_kind = 'index'", Ct);
        foreach (var unit in Units)
        {
            for (var year = 2021; year <= 2024; year++)
            {
                if (random.Next(4) == 0)
                {
                    continue;
                }
                for (var dimension = 1; dimension <= 1 + random.Next(3); dimension++)
                {
                    survey.Add([year, unit, $"Dimension {dimension}", 20m + random.Next(0, 800) / 10m, 10, file, _runId, "Enkät", "B2", 2]);
                }
            }
        }
        await sql.InsertAsync(WarehouseTables.InitiativeVersion, versions, Ct);
        await sql.InsertAsync(WarehouseTables.InitiativeHistory, history, Ct);
        await sql.InsertAsync(WarehouseTables.Initiative, current, Ct);
        await sql.InsertAsync(WarehouseTables.BenefitRealization, realization, Ct);
        await sql.InsertAsync(WarehouseTables.SurveyResult, survey, Ct);
        var movers = candidates.Where(c => c.Moved).ToList();
        return (seed % 2 == 0 && movers.Count > 0 ? movers : candidates)[random.Next(seed % 2 == 0 && movers.Count > 0 ? movers.Count : candidates.Count)].Id;
    }

    private async Task ChangeAsync(RunTransaction sql, string id, Change? change, int seed)
    {
        var parameters = new (string, object?)[] { ("@Id", id) };
        switch (change)
        {
            case Change.Comment:
                await sql.ExecuteAsync("UPDATE fct_benefit_realization SET comment = 'Bekräftat' WHERE initiative_id = @Id", parameters, Ct);
                break;
            case Change.Actual:
                await sql.ExecuteAsync(
                    """
                    UPDATE fct_benefit_realization SET actual_value = actual_value * 2 + 1000
                    WHERE initiative_id = @Id AND actual_value IS NOT NULL AND benefit_type <> 'Förflyttning'
                      AND benefit_line = (SELECT MIN(benefit_line) FROM fct_benefit_realization WHERE initiative_id = @Id AND actual_value IS NOT NULL AND benefit_type <> 'Förflyttning')
                    """, parameters, Ct);
                break;
            case Change.Planned:
                await sql.ExecuteAsync("UPDATE fct_benefit_realization SET planned_value = planned_value * 4 / 3 + 500 WHERE initiative_id = @Id AND benefit_line = 'Rad 1'", parameters, Ct);
                break;
            case Change.RealizationRemoved:
                await sql.ExecuteAsync("DELETE FROM fct_benefit_realization WHERE initiative_id = @Id", parameters, Ct);
                break;
            case Change.NewUnitAndPhase:
                var unit = Units[seed % Units.Length];
                var at = new DateTime(2024, 6, 1, 8, 0, 0, DateTimeKind.Utc);
                await sql.ExecuteAsync("UPDATE dim_initiative_version SET is_current = 0, valid_to = '2024-06-01' WHERE initiative_id = @Id", parameters, Ct);
                await sql.ExecuteAsync("UPDATE dim_initiative_history SET is_current = 0, valid_to = '2024-06-01' WHERE initiative_id = @Id", parameters, Ct);
                var no = (int)await sql.CountAsync("SELECT MAX(version_no) + 1 FROM dim_initiative_version WHERE initiative_id = @Id", Ct, parameters);
                await sql.InsertAsync(WarehouseTables.InitiativeVersion,
                    [[id, no, DateOnly.FromDateTime(at), RefreshRun.OpenEnd, at, true, $"Initiativ {id}", unit, Phases.Operation, null, null, null, null, null, null, null, $"item-{id}", _runId, null]], Ct);
                await sql.InsertAsync(WarehouseTables.InitiativeHistory,
                    [[id, no, $"Initiativ {id}", unit, Phases.Operation, null, null, null, null, null, null, DateOnly.FromDateTime(at), RefreshRun.OpenEnd, true, InitiativeSources.List]], Ct);
                await sql.ExecuteAsync("UPDATE dim_initiative SET unit = @Unit, phase = @Phase WHERE initiative_id = @Id",
                    [("@Id", id), ("@Unit", unit), ("@Phase", Phases.Operation)], Ct);
                break;
            case null:
                // Moved in place to a unit of its own: no version keeps the unit it had.
                const string moved = "Enhet E";
                foreach (var table in new[] { "dim_initiative_version", "dim_initiative_history", "dim_initiative" })
                {
                    await sql.ExecuteAsync($"UPDATE {table} SET unit = @Unit WHERE initiative_id = @Id", [("@Id", id), ("@Unit", moved)], Ct);
                }
                break;
        }
    }
}

public sealed class SqliteDigitalizationIndexMartFacts : DigitalizationIndexMartFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresDigitalizationIndexMartFacts(PostgresCluster cluster) : DigitalizationIndexMartFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
