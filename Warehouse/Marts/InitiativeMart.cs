using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The initiative dimension, its history and its goals, from the list and the current business cases.</summary>
public sealed class InitiativeMart : IMart
{
    public string Name => "initiative";

    public string Grain => "one row per initiative (dim_initiative), per initiative and version (dim_initiative_history), per initiative and goal (bridge_initiative_goal)";

    public IReadOnlyList<string> Reads { get; } = ["dim_initiative_version", "fct_business_case_version", "dim_initiative", "dim_initiative_history", "bridge_initiative_goal"];

    public IReadOnlyList<string> Writes { get; } = ["dim_initiative", "dim_initiative_history", "bridge_initiative_goal"];

    public bool ByInitiative => true;

    /// <summary>Rebuilds the scope's rows, and records which initiatives the dimension gained or lost: what the marts that read only its keys follow.</summary>
    public async Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct)
    {
        var changes = await RebuildAsync(context, scope, ct);
        context.Sql.RecordKeysChanged("dim_initiative", [.. changes.Added, .. changes.Removed]);
    }

    /// <summary>Rebuilds the initiatives' rows and tells what changed: evaluations and status reports follow the initiatives added and removed.</summary>
    internal async Task<InitiativeChanges> RebuildAsync(MartContext context, MartScope scope, CancellationToken ct) =>
        await new Work(context).RebuildInitiativesAsync(scope.Initiatives, ct);

    /// <summary>What a rebuild of the initiative dimension changed.</summary>
    /// <param name="Added">Initiatives the dimension did not hold before.</param>
    /// <param name="Removed">Initiatives it no longer holds.</param>
    public sealed record InitiativeChanges(IReadOnlyCollection<string> Added, IReadOnlyCollection<string> Removed);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        private const string NoUnit = "(ingen verksamhet angiven)";

        private static readonly string[] Written = ["dim_initiative", "dim_initiative_history", "bridge_initiative_goal"];

        private sealed class CurrentCase
        {
            public string InitiativeId { get; init; } = "";
            public long BcVersionId { get; init; }
            public string InitiativeName { get; init; } = "";
            public string Unit { get; init; } = "";
            public string? ObjectId { get; init; }
            public string OwnerEmail { get; init; } = "";
            public string? GoalCodes { get; init; }
            public DateTime FirstLoadedUtc { get; init; }
        }


        /// <summary>A row of <c>dim_initiative</c>, as stored and as rebuilt.</summary>
        private sealed record InitiativeRow
        {
            public string InitiativeId { get; init; } = "";
            public string Name { get; init; } = "";
            public string Unit { get; init; } = "";
            public string? Phase { get; init; }
            public string? InitiativeType { get; init; }
            public string? NeedType { get; init; }
            public string? ObjectId { get; init; }
            public string? OwnerEmail { get; init; }
            public string? Hypothesis { get; init; }
            public DateOnly? DecisionDate { get; init; }
            public long? BcVersionId { get; init; }
            public string Source { get; init; } = "";

            public object?[] Values() => [InitiativeId, Name, Unit, Phase, InitiativeType, NeedType, ObjectId, OwnerEmail, Hypothesis, DecisionDate, BcVersionId, Source];

            /// <summary>A row of <see cref="InitiativeColumns"/>.</summary>
            public static InitiativeRow Read(DbDataReader r) => new()
            {
                InitiativeId = Text(r, 0), Name = Text(r, 1), Unit = Text(r, 2), Phase = TextOrNull(r, 3), InitiativeType = TextOrNull(r, 4),
                NeedType = TextOrNull(r, 5), ObjectId = TextOrNull(r, 6), OwnerEmail = TextOrNull(r, 7), Hypothesis = TextOrNull(r, 8),
                DecisionDate = DateOrNull(r, 9), BcVersionId = LongOrNull(r, 10), Source = Text(r, 11),
            };
        }

        /// <summary>A row of <c>dim_initiative_history</c>, as stored and as rebuilt.</summary>
        private sealed record HistoryRow
        {
            public string InitiativeId { get; init; } = "";
            public int VersionNo { get; init; }
            public string Name { get; init; } = "";
            public string Unit { get; init; } = "";
            public string? Phase { get; init; }
            public string? InitiativeType { get; init; }
            public string? NeedType { get; init; }
            public string? ObjectId { get; init; }
            public string? OwnerEmail { get; init; }
            public string? Hypothesis { get; init; }
            public DateOnly? DecisionDate { get; init; }
            public DateOnly ValidFrom { get; init; }
            public DateOnly ValidTo { get; init; }
            public int IsCurrent { get; init; }
            public string Source { get; init; } = "";

            public object?[] Values() =>
                [InitiativeId, VersionNo, Name, Unit, Phase, InitiativeType, NeedType, ObjectId, OwnerEmail, Hypothesis, DecisionDate, ValidFrom, ValidTo, IsCurrent == 1, Source];

            /// <summary>A row of <see cref="HistoryColumns"/>.</summary>
            public static HistoryRow Read(DbDataReader r) => new()
            {
                InitiativeId = Text(r, 0), VersionNo = Int(r, 1), Name = Text(r, 2), Unit = Text(r, 3), Phase = TextOrNull(r, 4), InitiativeType = TextOrNull(r, 5),
                NeedType = TextOrNull(r, 6), ObjectId = TextOrNull(r, 7), OwnerEmail = TextOrNull(r, 8), Hypothesis = TextOrNull(r, 9),
                DecisionDate = DateOrNull(r, 10), ValidFrom = Date(r, 11), ValidTo = Date(r, 12), IsCurrent = Int(r, 13), Source = Text(r, 14),
            };
        }

        private const string InitiativeColumns =
            "initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date, bc_version_id, source";

        private const string HistoryColumns =
            """
            initiative_id, version_no, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date,
            valid_from, valid_to, is_current, source
            """;

        /// <summary>
        /// The initiative dimension and its history: the list's versions, with what only a business case
        /// says filled in (the list is master for what it holds), and initiatives known only from a
        /// business case as one version from their first load. Builds the rows of the initiatives of
        /// <paramref name="scope"/> (of all when null), compares them with the stored ones, and rewrites only
        /// the initiatives whose rows differ.
        /// </summary>
        public async Task<InitiativeChanges> RebuildInitiativesAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
        {
            if (scope is not null)
            {
                return await RebuildPartAsync(scope, emptied: false, ct);
            }
            // Every initiative's, in parts, as the realisation's and the sensitivities' marts go: built whole, a scale-4
            // full refresh held 8,000 initiatives' versions, business cases and rows at once, about 40 MB that lived long
            // enough to be promoted to the oldest generation (the peak of a traced PostgreSQL run, 257 MB). The stored
            // rows are read only when a table holds one: on a first build nothing can differ.
            var emptied = await HoldNoRowAsync(Written, ct);
            var initiatives = await ReadAsync(
                """
                SELECT initiative_id FROM dim_initiative_version
                UNION SELECT initiative_id FROM fct_business_case_version WHERE is_current = 1
                UNION SELECT initiative_id FROM dim_initiative
                UNION SELECT initiative_id FROM dim_initiative_history
                UNION SELECT initiative_id FROM bridge_initiative_goal
                """,
                r => Text(r, 0), ct);
            var added = new List<string>();
            var removed = new List<string>();
            foreach (var part in initiatives.Order(StringComparer.Ordinal).Chunk(RebuildPart))
            {
                var changes = await RebuildPartAsync(part, emptied, ct);
                added.AddRange(changes.Added);
                removed.AddRange(changes.Removed);
            }
            return new InitiativeChanges(added, removed);
        }

        /// <summary>
        /// Rebuilds the rows of <paramref name="scope"/>'s initiatives (<see cref="RebuildInitiativesAsync"/>).
        /// <paramref name="emptied"/>: the tables it writes hold no row, so none is read to compare or deleted.
        /// </summary>
        private async Task<InitiativeChanges> RebuildPartAsync(IReadOnlyCollection<string> scope, bool emptied, CancellationToken ct)
        {
            var versions = (await ReadScopedAsync($"SELECT {InitiativeVersionMart.VersionColumns} FROM dim_initiative_version WHERE {{scope}}", "initiative_id", scope, InitiativeVersionMart.InitiativeVersionRow.Read, ct))
                .GroupBy(v => v.InitiativeId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.OrderBy(v => v.VersionNo).ToList(), StringComparer.Ordinal);
            var cases = (await ReadScopedAsync(
                """
                SELECT v.initiative_id, v.bc_version_id, v.initiative_name, v.unit, v.object_id, v.owner_email, v.goal_codes,
                       (SELECT MIN(f.loaded_at_utc) FROM fct_business_case_version f WHERE f.initiative_id = v.initiative_id)
                FROM fct_business_case_version v
                WHERE v.is_current = 1 AND {scope}
                """, "v.initiative_id", scope,
                r => new CurrentCase
                {
                    InitiativeId = Text(r, 0), BcVersionId = Long(r, 1), InitiativeName = Text(r, 2), Unit = Text(r, 3), ObjectId = TextOrNull(r, 4),
                    OwnerEmail = Text(r, 5), GoalCodes = TextOrNull(r, 6), FirstLoadedUtc = Timestamp(r, 7),
                }, ct)).ToDictionary(c => c.InitiativeId, StringComparer.Ordinal);

            var history = new List<HistoryRow>();
            var current = new List<InitiativeRow>();
            var bridge = new List<GoalRow>();
            foreach (var id in versions.Keys.Union(cases.Keys).Order(StringComparer.Ordinal))
            {
                var listVersions = versions.GetValueOrDefault(id) ?? [];
                var bc = cases.GetValueOrDefault(id);
                foreach (var v in listVersions)
                {
                    history.Add(History(id, v.VersionNo, v.Name ?? bc?.InitiativeName, v.Unit ?? bc?.Unit, v.Phase, v.InitiativeType, v.NeedType,
                        v.ObjectId ?? bc?.ObjectId, v.OwnerEmail ?? bc?.OwnerEmail, v.Hypothesis, v.DecisionDate,
                        v.ValidFrom, v.ValidTo, v.IsCurrent == 1, InitiativeSources.List));
                }
                var open = listVersions.LastOrDefault(v => v.IsCurrent == 1);
                if (open is not null)
                {
                    current.Add(Current(id, open.Name ?? bc?.InitiativeName, open.Unit ?? bc?.Unit, open.Phase, open.InitiativeType, open.NeedType,
                        open.ObjectId ?? bc?.ObjectId, open.OwnerEmail ?? bc?.OwnerEmail, open.Hypothesis, open.DecisionDate, bc?.BcVersionId, InitiativeSources.List));
                    AddGoals(bridge, id, open.GoalCodes ?? bc?.GoalCodes);
                }
                else if (bc is not null)
                {
                    // Known from a business case only, or gone from the list: one version from where the list's ended.
                    var from = listVersions.Count > 0 ? listVersions.Max(v => v.ValidTo) : DateOnly.FromDateTime(bc.FirstLoadedUtc);
                    history.Add(History(id, listVersions.Count + 1, bc.InitiativeName, bc.Unit, null, null, null, bc.ObjectId, bc.OwnerEmail, null, null,
                        from, RefreshRun.OpenEnd, true, InitiativeSources.BusinessCase));
                    current.Add(Current(id, bc.InitiativeName, bc.Unit, null, null, null, bc.ObjectId, bc.OwnerEmail, null, null, bc.BcVersionId, InitiativeSources.BusinessCase));
                    AddGoals(bridge, id, bc.GoalCodes);
                }
            }

            var storedCurrent = (emptied ? [] : await ReadScopedAsync($"SELECT {InitiativeColumns} FROM dim_initiative WHERE {{scope}}", "initiative_id", scope, InitiativeRow.Read, ct))
                .ToDictionary(r => r.InitiativeId, StringComparer.Ordinal);
            var storedHistory = (emptied ? [] : await ReadScopedAsync($"SELECT {HistoryColumns} FROM dim_initiative_history WHERE {{scope}}", "initiative_id", scope, HistoryRow.Read, ct))
                .ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
            var storedBridge = (emptied ? [] : await ReadScopedAsync(
                    "SELECT initiative_id, goal_code FROM bridge_initiative_goal WHERE {scope}", "initiative_id", scope, r => new GoalRow(Text(r, 0), Text(r, 1)), ct))
                .ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
            var currentOf = current.ToDictionary(r => r.InitiativeId, StringComparer.Ordinal);
            var historyOf = history.ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
            var bridgeOf = bridge.ToLookup(r => r.InitiativeId, StringComparer.Ordinal);

            // Per initiative: its rows are rewritten when anything a view shows differs. Only the business case
            // version differing (a revised business case) is an update of that column: no pbi_* view shows it.
            var rewrite = new List<string>();
            var versionOnly = new List<InitiativeRow>();
            foreach (var id in currentOf.Keys.Union(storedCurrent.Keys).Union(storedHistory.Select(g => g.Key)).Union(storedBridge.Select(g => g.Key))
                         .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var wanted = currentOf.GetValueOrDefault(id);
                var stored = storedCurrent.GetValueOrDefault(id);
                var same = historyOf[id].SequenceEqual(storedHistory[id].OrderBy(h => h.VersionNo))
                    && bridgeOf[id].Select(b => b.GoalCode).Order(StringComparer.Ordinal).SequenceEqual(storedBridge[id].Select(b => b.GoalCode).Order(StringComparer.Ordinal), StringComparer.Ordinal)
                    && (wanted is null ? stored is null : stored is not null && wanted == stored with { BcVersionId = wanted.BcVersionId });
                if (!same)
                {
                    rewrite.Add(id);
                }
                else if (wanted is not null && wanted.BcVersionId != stored!.BcVersionId)
                {
                    versionOnly.Add(wanted);
                }
            }

            if (rewrite.Count > 0)
            {
                var rewritten = rewrite.ToHashSet(StringComparer.Ordinal);
                if (!emptied)
                {
                    await ExecuteScopedAsync("DELETE FROM bridge_initiative_goal WHERE {scope}", "initiative_id", rewrite, ct);
                    await ExecuteScopedAsync("DELETE FROM dim_initiative_history WHERE {scope}", "initiative_id", rewrite, ct);
                    await ExecuteScopedAsync("DELETE FROM dim_initiative WHERE {scope}", "initiative_id", rewrite, ct);
                }
                await InsertAsync(WarehouseTables.InitiativeHistory, history.Where(h => rewritten.Contains(h.InitiativeId)).Select(h => h.Values()).ToList(), ct);
                await InsertAsync(WarehouseTables.Initiative, current.Where(c => rewritten.Contains(c.InitiativeId)).Select(c => c.Values()).ToList(), ct);
                await InsertAsync(WarehouseTables.BridgeInitiativeGoal,
                    bridge.Where(b => rewritten.Contains(b.InitiativeId)).Select(b => new object?[] { b.InitiativeId, b.GoalCode }).ToList(), ct);
            }
            if (versionOnly.Count > 0)
            {
                // Not recorded as a write for the data checks: bc_version_id is the dimension's own lineage, in no pbi_* view.
                await Sql.ExecuteUnrecordedAsync(
                    "UPDATE dim_initiative SET bc_version_id = @BcVersionId WHERE initiative_id = @InitiativeId",
                    versionOnly.Select(v => new { v.InitiativeId, v.BcVersionId }), ct);
            }
            return new InitiativeChanges(
                currentOf.Keys.Where(id => !storedCurrent.ContainsKey(id)).ToList(),
                storedCurrent.Keys.Where(id => !currentOf.ContainsKey(id)).ToList());
        }

        private static HistoryRow History(string id, int versionNo, string? name, string? unit, string? phase, string? type, string? need, string? objectId,
            string? owner, string? hypothesis, DateOnly? decision, DateOnly validFrom, DateOnly validTo, bool isCurrent, string source) => new()
        {
            InitiativeId = id, VersionNo = versionNo, Name = name ?? id, Unit = unit ?? NoUnit, Phase = phase, InitiativeType = type, NeedType = need,
            ObjectId = objectId, OwnerEmail = owner, Hypothesis = hypothesis, DecisionDate = decision, ValidFrom = validFrom, ValidTo = validTo,
            IsCurrent = isCurrent ? 1 : 0, Source = source,
        };

        private static InitiativeRow Current(string id, string? name, string? unit, string? phase, string? type, string? need, string? objectId,
            string? owner, string? hypothesis, DateOnly? decision, long? bcVersionId, string source) => new()
        {
            InitiativeId = id, Name = name ?? id, Unit = unit ?? NoUnit, Phase = phase, InitiativeType = type, NeedType = need, ObjectId = objectId,
            OwnerEmail = owner, Hypothesis = hypothesis, DecisionDate = decision, BcVersionId = bcVersionId, Source = source,
        };

        private sealed record GoalRow(string InitiativeId, string GoalCode);

        private static void AddGoals(List<GoalRow> bridge, string id, string? codes)
        {
            foreach (var code in (codes ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Distinct())
            {
                bridge.Add(new GoalRow(id, code));
            }
        }
    }
}
