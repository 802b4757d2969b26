using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The daily snapshot of every initiative's latest status report, taken when the run is asked to.</summary>
public sealed class ProjectStatusSnapshotMart : IMart
{
    public string Name => "project_status_snapshot";

    public string Grain => "one row per snapshot date and initiative";

    public IReadOnlyList<string> Reads { get; } = ["fct_project_status", "dim_initiative"];

    public IReadOnlyList<string> Writes { get; } = ["fct_project_status_snapshot"];

    public bool ByInitiative => false;

    /// <summary>A snapshot is of a day the run is asked for, whatever changed: the daily job asks.</summary>
    public bool OnRequest => true;

    /// <summary>The snapshot of the day the run was asked for (of the run's day when built without a request, as a test may).</summary>
    public async Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct)
    {
        var rows = await WriteAsync(context, context.Snapshot?.Date ?? DateOnly.FromDateTime(context.StartedAtUtc), ct);
        context.Snapshot?.Rows = rows;
    }

    /// <summary>Records every initiative's latest report as of <paramref name="date"/>, replacing a snapshot of that day; returns its rows.</summary>
    internal Task<int> WriteAsync(MartContext context, DateOnly date, CancellationToken ct) => new Work(context).WriteAsync(date, ct);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        private sealed class SnapshotSource
        {
            public string InitiativeId { get; init; } = "";
            public DateOnly ReportDate { get; init; }
            public string Status { get; init; } = "";
            public double? PercentComplete { get; init; }
            public decimal? BudgetSpentSek { get; init; }
            public string? Phase { get; init; }
        }

        public async Task<int> WriteAsync(DateOnly date, CancellationToken ct)
        {
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
            return rows.Count;
        }
    }
}
