using Dapper;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    private DateOnly? _snapshotDate;
    private int _snapshotRows;

    /// <summary>
    /// Makes this run record, as it completes, every initiative's latest project status report as of
    /// <paramref name="date"/> (the worker's daily snapshot job). A second snapshot of the same day replaces the first.
    /// </summary>
    public void TakeProjectStatusSnapshot(DateOnly date)
    {
        _snapshotDate = date;
        _sourcesOffered = true;
    }

    private sealed class SnapshotSource
    {
        public string InitiativeId { get; init; } = "";
        public DateOnly ReportDate { get; init; }
        public string Status { get; init; } = "";
        public double? PercentComplete { get; init; }
        public decimal? BudgetSpentSek { get; init; }
        public string? Phase { get; init; }
    }

    private async Task WriteProjectStatusSnapshotAsync(CancellationToken ct)
    {
        if (_snapshotDate is not { } date)
        {
            return;
        }
        var reports = await QueryDapperAsync<SnapshotSource>(
            """
            SELECT s.initiative_id AS InitiativeId, s.report_date AS ReportDate, s.status AS Status,
                   s.percent_complete AS PercentComplete, s.budget_spent_sek AS BudgetSpentSek, i.phase AS Phase
            FROM fct_project_status s
            LEFT JOIN dim_initiative i ON i.initiative_id = s.initiative_id
            """, ct);
        var rows = reports
            .Where(r => r.ReportDate <= date)
            .GroupBy(r => r.InitiativeId, StringComparer.Ordinal)
            .Select(g => g.MaxBy(r => r.ReportDate)!)
            .OrderBy(r => r.InitiativeId, StringComparer.Ordinal)
            .Select(r => new object?[]
            {
                date, r.InitiativeId, r.Phase, r.Status, r.ReportDate, date.DayNumber - r.ReportDate.DayNumber,
                r.PercentComplete, r.BudgetSpentSek, RunId,
            })
            .ToList();
        await ExecuteDapperAsync("DELETE FROM fct_project_status_snapshot WHERE snapshot_date = @Date", new { Date = Dialect.ToDb(Storage.ColumnType.Date, date) }, ct);
        await InsertAsync(WarehouseTables.ProjectStatusSnapshot, rows, ct);
        _snapshotRows = rows.Count;
        // The snapshot's day may open a year the calendar does not hold yet.
        await RebuildCalendarAsync(ct);
    }
}
