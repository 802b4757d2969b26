using Dapper;
using NackaInsights.TestSupport;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// What the views add for the model's presentation (migration 010), on every database: the phases' process order,
/// which the model sorts Fas by, and a run's finish in Swedish time.
/// </summary>
public abstract class PresentationViewFacts : WarehouseFacts
{
    /// <summary>lifecycle.md's order; a phase the process does not name sorts last.</summary>
    private static readonly (string Phase, long Order)[] ProcessOrder =
        [("Idé", 1), ("Beredning", 2), ("Beslutad", 3), ("Projekt", 4), ("Förvaltning", 5), ("Avslutad", 6), ("Avslagen", 7), ("Pausad", 99)];

    [Fact]
    public async Task Phases_SortInProcessOrder_InTheInitiativesTheirHistoryAndTheDailySnapshot()
    {
        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync("INSERT INTO etl_run (run_id, run_kind, started_at_utc, status) VALUES (1, 'test', @At, 'Lyckad')", new { At = Warehouse.Database.Dialect.Timestamp(new DateTime(2025, 3, 2, 5, 0, 0, DateTimeKind.Utc)) });
            var day = Warehouse.Database.Dialect.ToDb(NackaInsights.Warehouse.Storage.ColumnType.Date, new DateTime(2025, 3, 2));
            var from = Warehouse.Database.Dialect.Timestamp(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            var to = Warehouse.Database.Dialect.Timestamp(new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc));
            // Inserted in alphabetical order of the id, which is not the process order.
            foreach (var (phase, i) in ProcessOrder.Select((p, i) => (p.Phase, i)).OrderBy(p => p.Phase, StringComparer.Ordinal))
            {
                var id = $"DIG-{i}";
                await connection.ExecuteAsync("INSERT INTO dim_initiative (initiative_id, name, unit, phase) VALUES (@id, @id, 'Skola', @phase)", new { id, phase });
                await connection.ExecuteAsync(
                    "INSERT INTO dim_initiative_history (initiative_id, version_no, name, unit, phase, valid_from, valid_to, is_current, source) VALUES (@id, 1, @id, 'Skola', @phase, @from, @to, 1, 'Lista')",
                    new { id, phase, from, to });
                await connection.ExecuteAsync(
                    "INSERT INTO fct_project_status_snapshot (snapshot_date, initiative_id, phase, status, report_date, days_since_report, run_id) VALUES (@day, @id, @phase, 'Grön', @day, 0, 1)",
                    new { day, id, phase });
            }
        }

        foreach (var view in new[] { "pbi_dim_initiative", "pbi_dim_initiative_history", "pbi_fct_project_status_snapshot" })
        {
            var rows = await QueryAsync<(string Phase, long Order)>($"SELECT phase, phase_order FROM {view} ORDER BY phase_order, phase");
            Assert.Equal(ProcessOrder, rows);
        }
    }

    [Fact]
    public async Task AFinishedRun_RecordsItsFinish_InStockholmTime_BesideUtc()
    {
        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct))
        {
            Assert.True((await run.CompleteAsync(Ct)).Succeeded);
        }

        var (utc, local) = (await QueryAsync<(DateTime Utc, DateTime Local)>("SELECT finished_at_utc, finished_at_local FROM pbi_etl_run")).Single();

        // Stockholm is UTC+1 in winter (CET) and UTC+2 in summer (CEST): the local time is the UTC time plus the
        // offset that the zone has at that instant.
        var offset = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm").GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        Assert.Contains(offset, new[] { TimeSpan.FromHours(1), TimeSpan.FromHours(2) });
        Assert.Equal(utc + offset, local);
    }
}

public sealed class SqlitePresentationViewFacts : PresentationViewFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresPresentationViewFacts(PostgresCluster cluster) : PresentationViewFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
