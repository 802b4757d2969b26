using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The year and date dimensions.</summary>
public sealed class CalendarMart : IMart
{
    public string Name => "calendar";

    public string Grain => "one row per year (dim_year) and per day (dim_date) from the first to the last year of the facts, the histories and the runs";

    public IReadOnlyList<string> Reads { get; } = ["fct_business_case_year", "fct_survey_result", "fct_digitalization_index_unit", "etl_run", "dim_initiative_history", "dim_initiative", "fct_evaluation_score", "fct_project_status", "fct_project_status_snapshot", "fct_initiative_lifecycle", "dim_year"];

    public IReadOnlyList<string> Writes { get; } = ["dim_year", "dim_date"];

    public bool ByInitiative => false;

    public async Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct)
    {
        var work = new Work(context);
        if (context.DueFrom is { Count: > 0 } from && from.All(t => string.Equals(t, "etl_run", StringComparison.OrdinalIgnoreCase))
            && !context.RecomputesAll && await work.RunsWithinAsync(ct))
        {
            return;
        }
        await work.RebuildCalendarAsync(ct);
    }

    /// <summary>The columns whose first and last year or day the calendar spans.</summary>
    internal static readonly CalendarSource[] Sources =
    [
        new("fct_business_case_year", "year", true), new("fct_survey_result", "year", true), new("fct_digitalization_index_unit", "year", true),
        new("etl_run", "started_at_utc", false), new("dim_initiative_history", "valid_from", false), new("dim_initiative", "decision_date", false),
        new("fct_evaluation_score", "assessed_on", false), new("fct_project_status", "report_date", false), new("fct_project_status_snapshot", "snapshot_date", false),
        // A list item created before the register's first version, or the decision of an initiative gone from the list.
        new("fct_initiative_lifecycle", "registered_on", false), new("fct_initiative_lifecycle", "decided_on", false),
    ];

    /// <summary>
    /// The first and last value of each of <see cref="Sources"/>, then dim_year's first and last year and its count. On
    /// SQLite each MIN and MAX reads an end of an index (sql/sqlite/018) or of a key that leads with its column, not the
    /// table: the calendar is due after every run that wrote one of them, a one-changed-workbook run included.
    /// </summary>
    internal static readonly string SpanSql = "SELECT " + string.Join(", ", Sources.Select(s => $"(SELECT MIN({s.Column}) FROM {s.Table}), (SELECT MAX({s.Column}) FROM {s.Table})"))
        + ", (SELECT MIN(year) FROM dim_year), (SELECT MAX(year) FROM dim_year), (SELECT COUNT(*) FROM dim_year)";

    internal sealed record CalendarSource(string Table, string Column, bool IsYear);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        /// <summary>
        /// Whether every run's year, this one's included, is within the stored calendar. When only runs were added since it
        /// was built (a run that changed nothing else), that is all that can have moved its span: the other tables' years
        /// are as they were, and a whole rebuild would find the span it has. Reads the small etl_run and dim_year only, not
        /// every fact table.
        /// </summary>
        public async Task<bool> RunsWithinAsync(CancellationToken ct)
        {
            var span = await ReadOneAsync(
                "SELECT (SELECT MIN(started_at_utc) FROM etl_run), (SELECT MAX(started_at_utc) FROM etl_run), (SELECT MIN(year) FROM dim_year), (SELECT MAX(year) FROM dim_year), (SELECT COUNT(*) FROM dim_year)",
                r => new RunSpan(
                    [StartedAtUtc.Year, .. r.IsDBNull(0) ? Array.Empty<int>() : [Timestamp(r, 0).Year], .. r.IsDBNull(1) ? Array.Empty<int>() : [Timestamp(r, 1).Year]],
                    new YearRange(IntOrNull(r, 2), IntOrNull(r, 3), Int(r, 4))), ct);
            return span.Existing is { From: { } from, To: { } to } existing && existing.Count == to - from + 1
                && span.Years.Select(y => Math.Clamp(y, Limits.EarliestYear, Limits.LatestYear)).All(y => y >= from && y <= to);
        }

        /// <summary>
        /// The year and date dimensions span every year of the facts, the histories and the runs, within the
        /// <see cref="Limits">window</see>: a date of year 1 or 9999 that reached a table costs no calendar of thousands of years.
        /// </summary>
        public async Task RebuildCalendarAsync(CancellationToken ct)
        {
            // One query: the first and last year, or day, of each, and what dim_year holds.
            var (years, existing) = await ReadOneAsync(SpanSql, r =>
            {
                var found = new List<int> { StartedAtUtc.Year };
                for (var i = 0; i < Sources.Length * 2; i++)
                {
                    if (!r.IsDBNull(i))
                    {
                        found.Add(Sources[i / 2].IsYear ? Int(r, i) : Timestamp(r, i).Year);
                    }
                }
                var n = Sources.Length * 2;
                return new CalendarSpan(found, new YearRange(IntOrNull(r, n), IntOrNull(r, n + 1), Int(r, n + 2)));
            }, ct);
            var from = Math.Clamp(years.Min(), Limits.EarliestYear, Limits.LatestYear);
            var to = Math.Clamp(years.Max(), Limits.EarliestYear, Limits.LatestYear);
            if (existing.From == from && existing.To == to && existing.Count == to - from + 1)
            {
                return;
            }
            await ExecuteAsync("DELETE FROM dim_date", ct);
            await ExecuteAsync("DELETE FROM dim_year", ct);
            await InsertAsync(WarehouseTables.DimYear, Enumerable.Range(from, to - from + 1).Select(y => new object?[] { y }).ToList(), ct);
            await InsertAsync(WarehouseTables.DimDate,
                Model.Calendar.Days(from, to)
                    .Select(d => new object?[] { d.Date, d.Year, d.Quarter, d.Month, d.MonthNameSv, d.IsoWeek, d.DayOfWeek, d.DayOfWeekSv })
                    .ToList(),
                ct);
        }

        private sealed record YearRange(int? From, int? To, int Count);

        private sealed record RunSpan(int[] Years, YearRange Existing);

        private sealed record CalendarSpan(List<int> Years, YearRange Existing);
    }
}
