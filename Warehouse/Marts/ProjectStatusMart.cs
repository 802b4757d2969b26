using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The status reports of the list Projektstatus.</summary>
public sealed class ProjectStatusMart : IMart
{
    public string Name => "project_status";

    public string Grain => "one row per initiative and report date";

    public IReadOnlyList<string> Reads { get; } = ["stg_list_status", KeySet.Of("dim_initiative"), "fct_project_status"];

    public IReadOnlyList<string> Writes { get; } = ["fct_project_status"];

    public bool ByInitiative => true;

    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildProjectStatusAsync(scope.Initiatives, ct);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        private sealed class StagedStatus
        {
            public string ItemId { get; init; } = "";
            public string InitiativeId { get; init; } = "";
            public DateOnly ReportDate { get; init; }
            public string Status { get; init; } = "";
            public double? PercentComplete { get; init; }
            public decimal? BudgetSpentSek { get; init; }
            public string? Comment { get; init; }
            public DateTime LastModifiedUtc { get; init; }
        }

        /// <summary>
        /// Every status report of the initiatives of <paramref name="scope"/> (newly known ones) or of all, the latest
        /// of each initiative marked; reports of unknown initiatives left out and reported. A date that two reports of
        /// an initiative carry keeps its published report (<see cref="ListKeys.OnePerKey"/>).
        /// </summary>
        public async Task RebuildProjectStatusAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
        {
            // Read before the rows are deleted: what the shared keys keep.
            var kept = await ReadScopedAsync(
                """
                SELECT f.item_id, f.initiative_id, f.report_date, f.status, f.percent_complete, f.budget_spent_sek, f.comment
                FROM fct_project_status f
                JOIN (SELECT initiative_id, report_date FROM stg_list_status GROUP BY initiative_id, report_date HAVING COUNT(*) > 1) d
                  ON d.initiative_id = f.initiative_id AND d.report_date = f.report_date
                WHERE {scope}
                """, "f.initiative_id", scope,
                r => new StagedStatus
                {
                    ItemId = Text(r, 0), InitiativeId = Text(r, 1), ReportDate = Date(r, 2), Status = Text(r, 3), PercentComplete = DoubleOrNull(r, 4),
                    BudgetSpentSek = DecOrNull(r, 5), Comment = TextOrNull(r, 6),
                }, ct);
            var keptOf = kept.ToLookup(k => k.InitiativeId, StringComparer.Ordinal);
            if (scope is null)
            {
                var straight = await WritesStraightAsync(["fct_project_status"], ct);
                if (Context.RecomputesAll)
                {
                    await ExecuteScopedAsync("DELETE FROM fct_project_status WHERE {scope}", "initiative_id", null, ct);
                }
                else if (!straight)
                {
                    // Initiatives no list item reports on any more lose their rows; the others are compared part by part below.
                    var gone = await ReadAsync(
                        "SELECT DISTINCT initiative_id FROM fct_project_status WHERE initiative_id NOT IN (SELECT initiative_id FROM stg_list_status)",
                        r => Text(r, 0), ct);
                    if (gone.Count > 0)
                    {
                        await ExecuteScopedAsync("DELETE FROM fct_project_status WHERE {scope}", "initiative_id", gone, ct);
                    }
                }
                Context.UnknownInitiatives.Reset(RefreshRun.Lists.ProjectStatus);
                foreach (var part in await PartsAsync("stg_list_status", ct))
                {
                    await RebuildProjectStatusOfAsync(part, keptOf, straight, ct);
                }
                return;
            }
            await RebuildProjectStatusOfAsync(scope, keptOf, straight: false, ct);
        }

        /// <param name="straight">Part of a rebuild of every initiative's that writes without comparing (<see cref="MartWork.WritesStraightAsync"/>).</param>
        private async Task RebuildProjectStatusOfAsync(IReadOnlyCollection<string> scope, ILookup<string, StagedStatus> kept, bool straight, CancellationToken ct)
        {
            var known = (await ReadScopedAsync("SELECT initiative_id FROM dim_initiative WHERE {scope}", "initiative_id", scope, r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
            var reports = ListKeys.OnePerKey(await ReadScopedAsync(
                """
                SELECT item_id, initiative_id, report_date, status, percent_complete, budget_spent_sek, comment, last_modified_utc
                FROM stg_list_status
                WHERE {scope}
                """, "initiative_id", scope,
                r => new StagedStatus
                {
                    ItemId = Text(r, 0), InitiativeId = Text(r, 1), ReportDate = Date(r, 2), Status = Text(r, 3), PercentComplete = DoubleOrNull(r, 4),
                    BudgetSpentSek = DecOrNull(r, 5), Comment = TextOrNull(r, 6), LastModifiedUtc = Timestamp(r, 7),
                }, ct), s => (KeyCase.Fold(s.InitiativeId), s.ReportDate), out _);
            Context.UnknownInitiatives.Report(RefreshRun.Lists.ProjectStatus, scope, reports.Where(r => !known.Contains(r.InitiativeId)).Select(r => (r.ItemId, r.InitiativeId)));
            reports.RemoveAll(r => !known.Contains(r.InitiativeId));
            reports.AddRange(scope.Where(known.Contains).SelectMany(id => kept[id]));
            var latest = reports.GroupBy(r => r.InitiativeId).ToDictionary(g => g.Key, g => g.Max(r => r.ReportDate), StringComparer.Ordinal);

            // Only the initiatives whose rows differ from the stored ones are rewritten (all when writing straight): a list
            // changed in one item then writes that item's initiative alone, and the data checks follow those writes.
            var differing = straight ? scope : await DifferingAsync(scope, reports, latest, ct);
            if (differing.Count == 0)
            {
                return;
            }
            var rewritten = differing.ToHashSet(StringComparer.Ordinal);
            if (!straight)
            {
                await ExecuteScopedAsync("DELETE FROM fct_project_status WHERE {scope}", "initiative_id", differing, ct);
            }
            await InsertAsync(WarehouseTables.ProjectStatus,
                reports.Where(r => rewritten.Contains(r.InitiativeId)).Select(r => new object?[]
                {
                    r.InitiativeId, r.ReportDate, r.Status, r.PercentComplete, r.BudgetSpentSek,
                    latest[r.InitiativeId] == r.ReportDate, r.Comment, r.ItemId, RunId,
                }).ToList(),
                ct);
        }

        /// <summary>The initiatives of <paramref name="scope"/> whose stored reports differ from those computed (the run id aside: it says which run last wrote a row).</summary>
        private async Task<IReadOnlyCollection<string>> DifferingAsync(IReadOnlyCollection<string> scope, IReadOnlyList<StagedStatus> reports,
            IReadOnlyDictionary<string, DateOnly> latest, CancellationToken ct)
        {
            var stored = (await ReadScopedAsync(
                """
                SELECT initiative_id, report_date, status, percent_complete, budget_spent_sek, is_latest, comment, item_id
                FROM fct_project_status WHERE {scope}
                """, "initiative_id", scope,
                r => new StatusRow(Text(r, 0), Date(r, 1), Text(r, 2), DoubleOrNull(r, 3), DecOrNull(r, 4), Convert.ToBoolean(r.GetValue(5), CultureInfo.InvariantCulture),
                    TextOrNull(r, 6), Text(r, 7)), ct))
                .ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
            var wanted = reports
                .Select(r => new StatusRow(r.InitiativeId, r.ReportDate, r.Status, r.PercentComplete, r.BudgetSpentSek, latest[r.InitiativeId] == r.ReportDate, r.Comment, r.ItemId))
                .ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
            return scope.Where(id => wanted[id].ToHashSet() is var w && stored[id].ToList() is var s && (s.Count != w.Count || !s.All(w.Contains))).ToList();
        }

        private sealed record StatusRow(string InitiativeId, DateOnly ReportDate, string Status, double? PercentComplete, decimal? BudgetSpentSek, bool IsLatest,
            string? Comment, string ItemId);
    }
}
