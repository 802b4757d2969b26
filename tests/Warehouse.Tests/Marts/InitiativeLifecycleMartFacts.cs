using System.Data.Common;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;
using static NackaInsights.TestSupport.WarehouseBuilders;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// The lifecycle mart alone, from history rows staged by hand: it writes what the calculator says, and only what differs
/// from the stored rows, so that a history left as it was makes nothing downstream due and runs no check.
/// </summary>
public abstract class InitiativeLifecycleMartFacts : WarehouseFacts
{
    private static readonly DateTime DigOneCreatedUtc = new(2022, 12, 31, 23, 30, 0, DateTimeKind.Utc);

    private long _runId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await AddListsAsync(run);
        await run.AddBusinessCaseAsync(CaseFile("DIG-3", "v1"), Dig3(), Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        _runId = result.RunId;
    }

    /// <summary>
    /// Three histories: DIG-1 on a straight path but for a skipped Beredning, decided before it entered Beslutad and
    /// created on New Year's Eve in UTC; DIG-2 back from Projekt to Beredning; DIG-R rejected and gone from the list.
    /// </summary>
    private static readonly (string Id, LifecycleVersion Version)[] History =
    [
        ("DIG-1", new(1, new(2023, 1, 10), Phases.Idea, null, false)),
        ("DIG-1", new(2, new(2023, 3, 15), Phases.Decided, null, false)),
        ("DIG-1", new(3, new(2023, 4, 1), Phases.Project, new DateOnly(2023, 3, 10), true)),
        ("DIG-2", new(1, new(2023, 2, 1), Phases.Project, null, false)),
        ("DIG-2", new(2, new(2023, 5, 1), Phases.Preparation, null, true)),
        ("DIG-R", new(1, new(2023, 1, 10), Phases.Idea, null, false)),
        ("DIG-R", new(2, new(2023, 2, 1), Phases.Rejected, null, false)),
    ];

    [Fact]
    public async Task BuiltAlone_FromStagedHistory_ItWritesWhatTheCalculatorSays()
    {
        var rows = await InRolledBackTransactionAsync(async context =>
        {
            await StageHistoryAsync(context);
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(context, MartScope.Whole, Ct);
            return await RowsAsync(context);
        });

        var expected = History.GroupBy(h => h.Id)
            .Select(g => LifecycleCalculator.Calculate(g.Key, g.Select(h => h.Version), g.Key == "DIG-1" ? DigOneCreatedUtc : null))
            .ToList();
        Assert.Equal(expected, rows);
        // Registered on New Year's Day in Stockholm, decided by Beslutsdatum before it entered Beslutad; DIG-2 went back.
        Assert.Equal(new DateOnly(2023, 1, 1), rows[0].RegisteredOn);
        Assert.Equal(68, rows[0].DaysToDecision);
        Assert.True(rows[1].WentBack);
        Assert.Equal(Phases.Rejected, rows[2].CurrentPhase);
    }

    [Fact]
    public async Task AListVersionMadeLateOnAnEveningInUtc_StartsOnTheNextDayInStockholm()
    {
        var rows = await InRolledBackTransactionAsync(async context =>
        {
            await StageHistoryAsync(context);
            // DIG-2 went into Projekt at 23:30 UTC on 31 January: 00:30 on 1 February in Stockholm, where the history says 31 January.
            await context.Sql.ExecuteAsync("UPDATE dim_initiative_version SET valid_from_utc = @At WHERE initiative_id = 'DIG-2'",
                [("@At", context.Sql.Dialect.Timestamp(new DateTime(2023, 1, 31, 23, 30, 0, DateTimeKind.Utc)))], Ct);
            await context.Sql.ExecuteAsync("UPDATE dim_initiative_history SET valid_from = @Day WHERE initiative_id = 'DIG-2' AND version_no = 1",
                [("@Day", context.Sql.Dialect.ToDb(Storage.ColumnType.Date, new DateOnly(2023, 1, 31)))], Ct);
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(context, MartScope.Whole, Ct);
            return await RowsAsync(context);
        });

        var dig2 = rows.Single(r => r.InitiativeId == "DIG-2");
        Assert.Equal(new DateOnly(2023, 2, 1), dig2.EnteredProjektOn);
        Assert.Equal(new DateOnly(2023, 2, 1), dig2.RegisteredOn);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ASecondBuild_WritesNothing(bool whole)
    {
        var (first, second) = await InRolledBackTransactionAsync(async context =>
        {
            await StageHistoryAsync(context);
            var scope = whole ? MartScope.Whole : MartScope.Of(History.Select(h => h.Id));
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(context, scope, Ct);
            var first = context.Sql.TakePending();
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(context, scope, Ct);
            return (first, context.Sql.TakePending());
        });

        Assert.Equal(["DIG-1", "DIG-2", "DIG-R"], KeysOf(first));
        Assert.Equal(TableWrite.None, second.Of("fct_initiative_lifecycle").Kinds);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AChangeToOneInitiativesHistory_RewritesOnlyItsRow(bool whole)
    {
        var (written, runs, phase) = await InRolledBackTransactionAsync(async context =>
        {
            await StageHistoryAsync(context);
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(context, MartScope.Whole, Ct);
            // The next run's view of it: DIG-2 moves on from Beredning to Beslutad.
            var next = await NextRunAsync(context);
            await context.Sql.ExecuteAsync("UPDATE dim_initiative_history SET valid_to = '2023-09-01', is_current = 0 WHERE initiative_id = 'DIG-2' AND version_no = 2", Ct);
            await context.Sql.InsertAsync(WarehouseTables.InitiativeHistory, [HistoryRow("DIG-2", new(3, new(2023, 9, 1), Phases.Decided, null, true))], Ct);
            context.Sql.TakePending();
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(next, whole ? MartScope.Whole : MartScope.Of(["DIG-1", "DIG-2", "DIG-R"]), Ct);
            var written = context.Sql.TakePending();
            var runs = await context.Sql.ReadAsync("SELECT initiative_id, run_id FROM fct_initiative_lifecycle ORDER BY initiative_id",
                r => $"{Text(r, 0)}:{(Long(r, 1) == next.RunId ? "rebuild" : "first")}", ct: Ct);
            var phase = await context.Sql.ReadOneAsync("SELECT current_phase FROM fct_initiative_lifecycle WHERE initiative_id = 'DIG-2'", r => Text(r, 0), Ct);
            return (written, runs, phase);
        });

        Assert.Equal(["DIG-2"], KeysOf(written));
        Assert.Equal(["DIG-1:first", "DIG-2:rebuild", "DIG-R:first"], runs);
        Assert.Equal(Phases.Decided, phase);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnInitiativeGoneFromTheHistory_LosesItsRow(bool whole)
    {
        var (written, left) = await InRolledBackTransactionAsync(async context =>
        {
            await StageHistoryAsync(context);
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(context, MartScope.Whole, Ct);
            await context.Sql.ExecuteAsync("DELETE FROM dim_initiative_history WHERE initiative_id = 'DIG-R'", Ct);
            context.Sql.TakePending();
            await WarehouseMarts.InitiativeLifecycle.BuildAsync(context, whole ? MartScope.Whole : MartScope.Of(["DIG-R"]), Ct);
            return (context.Sql.TakePending(), (await RowsAsync(context)).Select(r => r.InitiativeId).ToList());
        });

        Assert.Equal(["DIG-1", "DIG-2"], left);
        Assert.Equal(TableWrite.Changed, written.Of("fct_initiative_lifecycle").Kinds & TableWrite.Changed);
    }

    [Fact]
    public async Task AWarehouseWithAHistoryButNoLifecycle_GetsItFromTheNextRun_EvenOneWithNothingNew()
    {
        var published = await QueryAsync<string>("SELECT initiative_id FROM pbi_fct_initiative_lifecycle ORDER BY initiative_id");
        Assert.Equal(await QueryAsync<string>("SELECT DISTINCT initiative_id FROM pbi_dim_initiative_history ORDER BY initiative_id"), published);
        // As a warehouse upgraded to schema version 11 stands: the history, and no lifecycle yet.
        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, new Dapper.CommandDefinition("DELETE FROM fct_initiative_lifecycle", cancellationToken: Ct));
        }

        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        var result = await run.CompleteAsync(Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains(result.Marts, m => m.Mart == "initiative_lifecycle" && m.Wrote.Contains("fct_initiative_lifecycle"));
        Assert.Equal(published, await QueryAsync<string>("SELECT initiative_id FROM pbi_fct_initiative_lifecycle ORDER BY initiative_id"));
    }

    private static List<string>? KeysOf(TableWrites written) =>
        written.Of("fct_initiative_lifecycle").KeysOf(TableWrites.InitiativeColumn)?.Cast<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>Replaces the register's history with <see cref="History"/>, and dates DIG-1's list item.</summary>
    private static async Task StageHistoryAsync(MartContext context)
    {
        await context.Sql.ExecuteAsync("DELETE FROM dim_initiative_history", Ct);
        await context.Sql.ExecuteAsync("DELETE FROM fct_initiative_lifecycle", Ct);
        await context.Sql.InsertAsync(WarehouseTables.InitiativeHistory, History.Select(h => HistoryRow(h.Id, h.Version)).ToList(), Ct);
        // The list's versions behind the staged history: the first of DIG-1 and of DIG-2, each made at 09:00 UTC on its day.
        await context.Sql.ExecuteAsync("DELETE FROM dim_initiative_version WHERE version_no <> 1 OR initiative_id NOT IN ('DIG-1', 'DIG-2')", Ct);
        foreach (var (id, day) in new[] { ("DIG-1", new DateTime(2023, 1, 10, 9, 0, 0, DateTimeKind.Utc)), ("DIG-2", new DateTime(2023, 2, 1, 9, 0, 0, DateTimeKind.Utc)) })
        {
            await context.Sql.ExecuteAsync("UPDATE dim_initiative_version SET valid_from_utc = @At WHERE initiative_id = @Id",
                [("@At", context.Sql.Dialect.Timestamp(day)), ("@Id", id)], Ct);
        }
        await context.Sql.ExecuteAsync("UPDATE dim_initiative_version SET created_at_utc = NULL", Ct);
        await context.Sql.ExecuteAsync("UPDATE dim_initiative_version SET created_at_utc = @At WHERE initiative_id = 'DIG-1'",
            [("@At", context.Sql.Dialect.Timestamp(DigOneCreatedUtc))], Ct);
        context.Sql.TakePending();
    }

    private static object?[] HistoryRow(string id, LifecycleVersion v) =>
    [
        id, v.VersionNo, $"Initiativ {id}", "Välfärd skola", v.Phase, null, null, null, null, null, v.DecisionDate, v.ValidFrom,
        v.IsCurrent ? RefreshRun.OpenEnd : v.ValidFrom.AddDays(30), v.IsCurrent, InitiativeSources.List,
    ];

    private static async Task<List<InitiativeLifecycle>> RowsAsync(MartContext context) =>
        await context.Sql.ReadAsync(
            """
            SELECT initiative_id, registered_on, entered_beredning_on, entered_beslutad_on, entered_projekt_on, entered_forvaltning_on, entered_avslutad_on,
                   entered_avslagen_on, decided_on, days_to_decision, days_decision_to_project, days_project_to_forvaltning, days_to_forvaltning,
                   current_phase, current_phase_since, phase_changes, went_back
            FROM fct_initiative_lifecycle ORDER BY initiative_id
            """, Read, Ct);

    private static InitiativeLifecycle Read(DbDataReader r) => new(
        Text(r, 0), Date(r, 1), DateOrNull(r, 2), DateOrNull(r, 3), DateOrNull(r, 4), DateOrNull(r, 5), DateOrNull(r, 6), DateOrNull(r, 7), DateOrNull(r, 8),
        IntOrNull(r, 9), IntOrNull(r, 10), IntOrNull(r, 11), IntOrNull(r, 12), TextOrNull(r, 13), DateOrNull(r, 14), Int(r, 15), Int(r, 16) == 1);

    /// <summary>Makes the context a run of its own, after the one that loaded the warehouse, so that the rows it rewrites can be told from those it leaves.</summary>
    private async Task<MartContext> NextRunAsync(MartContext context)
    {
        await context.Sql.ExecuteAsync(
            "INSERT INTO etl_run (run_id, run_kind, started_at_utc, status) SELECT run_id + 1, run_kind, started_at_utc, status FROM etl_run WHERE run_id = @RunId",
            [("@RunId", _runId)], Ct);
        return new MartContext { Sql = context.Sql, RunId = _runId + 1, StartedAtUtc = Listed };
    }

    private async Task<T> InRolledBackTransactionAsync<T>(Func<MartContext, Task<T>> work)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var context = new MartContext { Sql = new RunTransaction(Warehouse.Database, connection, transaction), RunId = _runId, StartedAtUtc = Listed };
        try
        {
            return await work(context);
        }
        finally
        {
            await transaction.RollbackAsync(Ct);
        }
    }
}

public sealed class SqliteInitiativeLifecycleMartFacts : InitiativeLifecycleMartFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresInitiativeLifecycleMartFacts(PostgresCluster cluster) : InitiativeLifecycleMartFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
