using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>
/// The lifecycle of every initiative in the register (lifecycle.md): an accumulating snapshot of its way through the
/// phases, from the register's history and when its list item was created, computed by <see cref="LifecycleCalculator"/>.
/// </summary>
public sealed class InitiativeLifecycleMart : IMart
{
    public string Name => "initiative_lifecycle";

    public string Grain => "one row per initiative in the register, past or present: its way through the phases (an accumulating snapshot)";

    public IReadOnlyList<string> Reads { get; } = ["dim_initiative_history", "dim_initiative_version", "fct_initiative_lifecycle"];

    public IReadOnlyList<string> Writes { get; } = ["fct_initiative_lifecycle"];

    public bool ByInitiative => true;

    /// <summary>Rebuilds the scope's rows, writing only the initiatives whose row differs from the stored one (all of them on a recompute).</summary>
    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildAsync(scope.Initiatives, ct);

    /// <summary>
    /// Due whole when it holds nothing while the register has a history: a warehouse upgraded to schema version 11 gets
    /// its lifecycle from the first run after the upgrade, even one that loads nothing new.
    /// </summary>
    public async Task<bool> IsDueAsync(MartContext context, CancellationToken ct) =>
        await context.Sql.CountAsync(
            """
            SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM fct_initiative_lifecycle) AND EXISTS (SELECT 1 FROM dim_initiative_history) THEN 1 ELSE 0 END
            """, ct) == 1;

    private sealed class Work(MartContext context) : MartWork(context)
    {
        private sealed record HistoryVersion(string InitiativeId, LifecycleVersion Version);

        private sealed record Created(string InitiativeId, DateTime CreatedAtUtc);

        private const string LifecycleColumns =
            """
            initiative_id, registered_on, entered_beredning_on, entered_beslutad_on, entered_projekt_on, entered_forvaltning_on, entered_avslutad_on,
            entered_avslagen_on, decided_on, days_to_decision, days_decision_to_project, days_project_to_forvaltning, days_to_forvaltning,
            current_phase, current_phase_since, phase_changes, went_back
            """;

        public async Task RebuildAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
        {
            if (scope is not null)
            {
                await RebuildOfAsync(scope, emptied: false, ct);
                return;
            }
            var straight = await WritesStraightAsync(["fct_initiative_lifecycle"], ct);
            if (Context.RecomputesAll)
            {
                await ExecuteScopedAsync("DELETE FROM fct_initiative_lifecycle WHERE {scope}", "initiative_id", null, ct);
            }
            else if (!straight)
            {
                // An initiative gone from the history loses its row; the others are compared part by part below.
                var gone = await ReadAsync(
                    "SELECT initiative_id FROM fct_initiative_lifecycle WHERE initiative_id NOT IN (SELECT initiative_id FROM dim_initiative_history)",
                    r => Text(r, 0), ct);
                if (gone.Count > 0)
                {
                    await ExecuteScopedAsync("DELETE FROM fct_initiative_lifecycle WHERE {scope}", "initiative_id", gone, ct);
                }
            }
            // Part by part, so that a large municipality's history is never held whole.
            var initiatives = await ReadAsync("SELECT DISTINCT initiative_id FROM dim_initiative_history", r => Text(r, 0), ct);
            foreach (var part in initiatives.Order(StringComparer.Ordinal).Chunk(RebuildPart))
            {
                await RebuildOfAsync(part, emptied: straight, ct);
            }
        }

        /// <summary>
        /// The rows of the initiatives of <paramref name="scope"/>: computed from their history, compared with the stored
        /// ones, and only those that differ rewritten (an initiative without history loses its row). <paramref name="emptied"/>:
        /// part of a rebuild of every initiative's that writes straight away (<see cref="MartWork.WritesStraightAsync"/>):
        /// nothing is stored to compare with, or it is already deleted.
        /// </summary>
        private async Task RebuildOfAsync(IReadOnlyCollection<string> scope, bool emptied, CancellationToken ct)
        {
            // A list version starts on the Stockholm day of the modification that made it (lifecycle.md: dates are calendar
            // dates in Stockholm time); the history's valid_from is that moment's UTC date, a day early late on a Swedish evening.
            var versions = await ReadScopedAsync(
                """
                SELECT h.initiative_id, h.version_no, h.valid_from, h.phase, h.decision_date, h.is_current, v.valid_from_utc
                FROM dim_initiative_history h
                LEFT JOIN dim_initiative_version v ON v.initiative_id = h.initiative_id AND v.version_no = h.version_no
                WHERE {scope}
                """, "h.initiative_id", scope,
                r => new HistoryVersion(Text(r, 0), new LifecycleVersion(Int(r, 1), r.IsDBNull(6) ? Date(r, 2) : LifecycleCalculator.StockholmDate(Timestamp(r, 6)),
                    TextOrNull(r, 3), DateOrNull(r, 4), Int(r, 5) == 1)), ct);
            // The earliest creation of the initiative's list items: a replaced item does not move its registration.
            var created = (await ReadScopedAsync(
                    "SELECT initiative_id, MIN(created_at_utc) FROM dim_initiative_version WHERE created_at_utc IS NOT NULL AND {scope} GROUP BY initiative_id",
                    "initiative_id", scope, r => new Created(Text(r, 0), Timestamp(r, 1)), ct))
                .ToDictionary(c => c.InitiativeId, c => c.CreatedAtUtc, StringComparer.Ordinal);
            var rows = versions.GroupBy(v => v.InitiativeId, StringComparer.Ordinal)
                .Select(g => LifecycleCalculator.Calculate(g.Key, g.Select(v => v.Version), created.TryGetValue(g.Key, out var at) ? at : null))
                .ToDictionary(r => r.InitiativeId, StringComparer.Ordinal);

            IReadOnlyCollection<string> differing = scope;
            if (!emptied && !Context.RecomputesAll)
            {
                var stored = (await ReadScopedAsync($"SELECT {LifecycleColumns} FROM fct_initiative_lifecycle WHERE {{scope}}", "initiative_id", scope, Read, ct))
                    .ToDictionary(s => s.InitiativeId, StringComparer.Ordinal);
                differing = scope.Where(id => rows.GetValueOrDefault(id) != stored.GetValueOrDefault(id)).ToList();
            }
            if (differing.Count == 0)
            {
                return;
            }
            if (!emptied)
            {
                await ExecuteScopedAsync("DELETE FROM fct_initiative_lifecycle WHERE {scope}", "initiative_id", differing, ct);
            }
            await InsertAsync(WarehouseTables.InitiativeLifecycle,
                differing.Select(id => rows.GetValueOrDefault(id)).OfType<InitiativeLifecycle>().Select(Values).ToList(), ct);
        }

        private object?[] Values(InitiativeLifecycle l) =>
        [
            l.InitiativeId, l.RegisteredOn, l.EnteredBeredningOn, l.EnteredBeslutadOn, l.EnteredProjektOn, l.EnteredForvaltningOn, l.EnteredAvslutadOn,
            l.EnteredAvslagenOn, l.DecidedOn, l.DaysToDecision, l.DaysDecisionToProject, l.DaysProjectToForvaltning, l.DaysToForvaltning,
            l.CurrentPhase, l.CurrentPhaseSince, l.PhaseChanges, l.WentBack, RunId,
        ];

        /// <summary>A stored row of <see cref="LifecycleColumns"/>, as the calculator gives it, to compare (the run id aside: it says which run last wrote the row).</summary>
        private static InitiativeLifecycle Read(System.Data.Common.DbDataReader r) => new(
            Text(r, 0), Date(r, 1), DateOrNull(r, 2), DateOrNull(r, 3), DateOrNull(r, 4), DateOrNull(r, 5), DateOrNull(r, 6), DateOrNull(r, 7), DateOrNull(r, 8),
            IntOrNull(r, 9), IntOrNull(r, 10), IntOrNull(r, 11), IntOrNull(r, 12), TextOrNull(r, 13), DateOrNull(r, 14), Int(r, 15), Int(r, 16) == 1);
    }
}
