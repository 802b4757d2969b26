using System.Data.Common;
using System.Globalization;
using Dapper;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

/// <summary>The <c>source</c> of an initiative row: which source its attributes come from.</summary>
public static class InitiativeSources
{
    public const string List = "Initiativlistan";
    public const string BusinessCase = "Nyttokalkyl";
}

public sealed partial class RefreshRun
{
    /// <summary>The end of a current version's validity.</summary>
    public static readonly DateOnly OpenEnd = new(9999, 12, 31);

    private const string NoUnit = "(ingen verksamhet angiven)";

    /// <summary>
    /// The window of plausible dates: the calendar covers no day outside it, whatever a fact or a history carries.
    /// Given by <see cref="WarehouseLoader"/> from the configuration section <c>InputLimits</c>.
    /// </summary>
    internal InputLimits Limits { get; init; } = new();

    /// <summary>
    /// Rebuilds what depends on what the run changed: the current business cases, the initiative
    /// versions (type 2) and dimension, units, goals, objects, evaluations, project status and the
    /// calendar. Unchanged parts are left alone, so that a small change stays a small run: with a
    /// <paramref name="scope"/>, only business cases of those initiatives changed, and only their rows are
    /// rebuilt; without one (a list changed, a recompute), whole tables are.
    /// </summary>
    private async Task RebuildModelAsync(bool businessCasesChanged, IReadOnlyCollection<string>? scope, CancellationToken ct)
    {
        if (businessCasesChanged)
        {
            // The latest loaded version is current: versions are numbered in processing order.
            await ExecuteScopedAsync(
                """
                UPDATE fct_business_case_version
                SET is_current = CASE WHEN bc_version_id = (
                    SELECT MAX(l.bc_version_id) FROM fct_business_case_version l
                    WHERE l.initiative_id = fct_business_case_version.initiative_id) THEN 1 ELSE 0 END
                WHERE {scope}
                """, "initiative_id", scope, ct);
        }
        if (_listsChanged.Contains(Lists.Initiatives))
        {
            await UpdateInitiativeVersionsAsync(ct);
            // The initiatives that reached Förvaltning or Avslutad count in the digitaliseringsindex.
            _indexInputsChanged = true;
        }
        var initiatives = InitiativeChanges.None;
        if (businessCasesChanged || _listsChanged.Contains(Lists.Initiatives) || _listsChanged.Contains(Lists.Objects))
        {
            initiatives = await RebuildInitiativesAsync(scope, ct);
        }
        if (_listsChanged.Contains(Lists.Objects))
        {
            await RebuildObjectsAsync(ct);
        }
        if (initiatives.RowsChanged || _listsChanged.Contains(Lists.Objects))
        {
            await RebuildUnitsAsync(ct);
        }
        if (initiatives.RowsChanged)
        {
            // The index reads each initiative's unit and its versions' units.
            _indexInputsChanged = true;
        }
        // An evaluation or a status report counts once its initiative is known: a new initiative takes its own in,
        // a changed list or an initiative gone from the register rebuilds them all.
        IReadOnlyCollection<string>? known = initiatives.Removed.Count > 0 || scope is null ? null : initiatives.Added;
        if (_listsChanged.Contains(Lists.Assessments) || initiatives.Removed.Count > 0 || initiatives.Added.Count > 0)
        {
            await RebuildEvaluationsAsync(_listsChanged.Contains(Lists.Assessments) ? null : known, ct);
        }
        if (_listsChanged.Contains(Lists.ProjectStatus) || initiatives.Removed.Count > 0 || initiatives.Added.Count > 0)
        {
            await RebuildProjectStatusAsync(_listsChanged.Contains(Lists.ProjectStatus) ? null : known, ct);
        }
        await RebuildCalendarAsync(ct);
    }

    private sealed class StagedInitiative
    {
        public string ItemId { get; init; } = "";
        public string InitiativeId { get; init; } = "";
        public string? Name { get; init; }
        public string? Unit { get; init; }
        public string? Phase { get; init; }
        public string? InitiativeType { get; init; }
        public string? NeedType { get; init; }
        public string? ObjectId { get; init; }
        public string? OwnerEmail { get; init; }
        public string? GoalCodes { get; init; }
        public string? Hypothesis { get; init; }
        public DateOnly? DecisionDate { get; init; }
        public DateTime LastModifiedUtc { get; init; }

        public static StagedInitiative Read(DbDataReader r) => new()
        {
            ItemId = Text(r, 0), InitiativeId = Text(r, 1), Name = TextOrNull(r, 2), Unit = TextOrNull(r, 3), Phase = TextOrNull(r, 4),
            InitiativeType = TextOrNull(r, 5), NeedType = TextOrNull(r, 6), ObjectId = TextOrNull(r, 7), OwnerEmail = TextOrNull(r, 8),
            GoalCodes = TextOrNull(r, 9), Hypothesis = TextOrNull(r, 10), DecisionDate = DateOrNull(r, 11), LastModifiedUtc = Timestamp(r, 12),
        };
    }

    private sealed class InitiativeVersionRow
    {
        public string InitiativeId { get; init; } = "";
        public int VersionNo { get; init; }
        public DateOnly ValidFrom { get; init; }
        public DateOnly ValidTo { get; set; }
        public DateTime ValidFromUtc { get; init; }
        public int IsCurrent { get; set; }
        public string? Name { get; set; }
        public string? Unit { get; init; }
        public string? Phase { get; init; }
        public string? InitiativeType { get; set; }
        public string? NeedType { get; set; }
        public string? ObjectId { get; init; }
        public string? OwnerEmail { get; init; }
        public string? GoalCodes { get; set; }
        public string? Hypothesis { get; set; }
        public DateOnly? DecisionDate { get; set; }
        public string ItemId { get; set; } = "";
        public long RunId { get; init; }

        /// <summary>A row of <see cref="VersionColumns"/>.</summary>
        public static InitiativeVersionRow Read(DbDataReader r) => new()
        {
            InitiativeId = Text(r, 0), VersionNo = Int(r, 1), ValidFrom = Date(r, 2), ValidTo = Date(r, 3), ValidFromUtc = Timestamp(r, 4),
            IsCurrent = Int(r, 5), Name = TextOrNull(r, 6), Unit = TextOrNull(r, 7), Phase = TextOrNull(r, 8), InitiativeType = TextOrNull(r, 9),
            NeedType = TextOrNull(r, 10), ObjectId = TextOrNull(r, 11), OwnerEmail = TextOrNull(r, 12), GoalCodes = TextOrNull(r, 13),
            Hypothesis = TextOrNull(r, 14), DecisionDate = DateOrNull(r, 15), ItemId = Text(r, 16), RunId = Long(r, 17),
        };
    }

    private const string VersionColumns =
        """
        initiative_id, version_no, valid_from, valid_to, valid_from_utc, is_current, name, unit, phase, initiative_type, need_type,
        object_id, owner_email, goal_codes, hypothesis, decision_date, item_id, run_id
        """;

    /// <summary>
    /// Type 2 history of the list Initiativ: a change of phase, unit, förvaltningsobjekt or owner closes
    /// the open version and opens a new one, valid from the item's last modification; other changes
    /// update the open version; an initiative gone from the list has its version closed.
    /// </summary>
    private async Task UpdateInitiativeVersionsAsync(CancellationToken ct)
    {
        // Two items with one InitiativId: neither speaks for the initiative, whose versions stay as they are.
        var staged = OnePerKey(await ReadAsync(
            """
            SELECT item_id, initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, goal_codes, hypothesis,
                   decision_date, last_modified_utc
            FROM stg_list_initiative
            """, StagedInitiative.Read, ct), s => s.InitiativeId, out var shared, KeyCase.Comparer)
            .ToDictionary(s => s.InitiativeId, StringComparer.Ordinal);
        var versions = (await ReadAsync($"SELECT {VersionColumns} FROM dim_initiative_version", InitiativeVersionRow.Read, ct))
            .GroupBy(v => v.InitiativeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(v => v.VersionNo).ToList(), StringComparer.Ordinal);

        var touched = new List<InitiativeVersionRow>();
        var today = DateOnly.FromDateTime(StartedAtUtc);
        foreach (var (id, item) in staged)
        {
            var history = versions.GetValueOrDefault(id) ?? [];
            var open = history.LastOrDefault(v => v.IsCurrent == 1);
            if (open is not null && SameTrackedAttributes(open, item))
            {
                if (UpdateOtherAttributes(open, item))
                {
                    touched.Add(open);
                }
                continue;
            }
            var validFromUtc = item.LastModifiedUtc;
            var previousEnd = history.Count == 0 ? (DateTime?)null : history.Max(v => v.IsCurrent == 1 ? v.ValidFromUtc : v.ValidTo.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            if (previousEnd is { } end && validFromUtc < end)
            {
                // A modification time before the open version's start (a clock, a restored item): keep the history in order.
                validFromUtc = end;
            }
            if (open is not null)
            {
                open.ValidTo = DateOnly.FromDateTime(validFromUtc);
                open.IsCurrent = 0;
                touched.Add(open);
            }
            touched.Add(new InitiativeVersionRow
            {
                InitiativeId = id,
                VersionNo = history.Count == 0 ? 1 : history.Max(v => v.VersionNo) + 1,
                ValidFrom = DateOnly.FromDateTime(validFromUtc),
                ValidTo = OpenEnd,
                ValidFromUtc = validFromUtc,
                IsCurrent = 1,
                Name = item.Name,
                Unit = item.Unit,
                Phase = item.Phase,
                InitiativeType = item.InitiativeType,
                NeedType = item.NeedType,
                ObjectId = item.ObjectId,
                OwnerEmail = item.OwnerEmail,
                GoalCodes = item.GoalCodes,
                Hypothesis = item.Hypothesis,
                DecisionDate = item.DecisionDate,
                ItemId = item.ItemId,
                RunId = RunId,
            });
        }
        foreach (var (id, history) in versions)
        {
            if (!staged.ContainsKey(id) && !shared.Contains(id) && history.LastOrDefault(v => v.IsCurrent == 1) is { } gone)
            {
                gone.ValidTo = today < gone.ValidFrom ? gone.ValidFrom : today;
                gone.IsCurrent = 0;
                touched.Add(gone);
            }
        }
        if (touched.Count == 0)
        {
            return;
        }
        foreach (var batch in touched.Chunk(200))
        {
            var parameters = new DynamicParameters();
            var keys = batch.Select((v, i) =>
            {
                parameters.Add($"id{i}", v.InitiativeId);
                parameters.Add($"no{i}", v.VersionNo);
                return $"(initiative_id = @id{i} AND version_no = @no{i})";
            });
            await ExecuteDapperAsync($"DELETE FROM dim_initiative_version WHERE {string.Join(" OR ", keys)}", parameters, ct);
        }
        await InsertAsync(WarehouseTables.InitiativeVersion,
            touched.Select(v => new object?[]
            {
                v.InitiativeId, v.VersionNo, v.ValidFrom, v.ValidTo, v.ValidFromUtc, v.IsCurrent == 1,
                v.Name, v.Unit, v.Phase, v.InitiativeType, v.NeedType, v.ObjectId, v.OwnerEmail, v.GoalCodes, v.Hypothesis,
                v.DecisionDate, v.ItemId, v.RunId,
            }).ToList(),
            ct);
    }

    private static bool SameTrackedAttributes(InitiativeVersionRow open, StagedInitiative item) =>
        open.Phase == item.Phase && open.Unit == item.Unit && open.ObjectId == item.ObjectId
        && string.Equals(open.OwnerEmail, item.OwnerEmail, StringComparison.OrdinalIgnoreCase);

    private static bool UpdateOtherAttributes(InitiativeVersionRow open, StagedInitiative item)
    {
        var changed = open.Name != item.Name || open.InitiativeType != item.InitiativeType || open.NeedType != item.NeedType
            || open.GoalCodes != item.GoalCodes || open.Hypothesis != item.Hypothesis || open.DecisionDate != item.DecisionDate || open.ItemId != item.ItemId;
        open.Name = item.Name;
        open.InitiativeType = item.InitiativeType;
        open.NeedType = item.NeedType;
        open.GoalCodes = item.GoalCodes;
        open.Hypothesis = item.Hypothesis;
        open.DecisionDate = item.DecisionDate;
        open.ItemId = item.ItemId;
        return changed;
    }

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

    /// <summary>What a rebuild of the initiative dimension changed.</summary>
    /// <param name="Added">Initiatives the dimension did not hold before.</param>
    /// <param name="Removed">Initiatives it no longer holds.</param>
    /// <param name="RowsChanged">Whether any row a pbi_* view shows, of the dimension, its history or the goal bridge, changed.</param>
    private sealed record InitiativeChanges(IReadOnlyCollection<string> Added, IReadOnlyCollection<string> Removed, bool RowsChanged)
    {
        public static readonly InitiativeChanges None = new([], [], false);
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
    private async Task<InitiativeChanges> RebuildInitiativesAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
    {
        var versions = (await ReadScopedAsync($"SELECT {VersionColumns} FROM dim_initiative_version WHERE {{scope}}", "initiative_id", scope, InitiativeVersionRow.Read, ct))
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
                    from, OpenEnd, true, InitiativeSources.BusinessCase));
                current.Add(Current(id, bc.InitiativeName, bc.Unit, null, null, null, bc.ObjectId, bc.OwnerEmail, null, null, bc.BcVersionId, InitiativeSources.BusinessCase));
                AddGoals(bridge, id, bc.GoalCodes);
            }
        }

        var storedCurrent = (await ReadScopedAsync($"SELECT {InitiativeColumns} FROM dim_initiative WHERE {{scope}}", "initiative_id", scope, InitiativeRow.Read, ct))
            .ToDictionary(r => r.InitiativeId, StringComparer.Ordinal);
        var storedHistory = (await ReadScopedAsync($"SELECT {HistoryColumns} FROM dim_initiative_history WHERE {{scope}}", "initiative_id", scope, HistoryRow.Read, ct))
            .ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
        var storedBridge = (await ReadScopedAsync(
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
            // Most of the whole dimension differs (a first load, a new list): rewriting the tables is cheaper than deleting by key.
            var whole = scope is null && rewrite.Count > ScopedRebuildLimit;
            var rewritten = whole ? currentOf.Keys.Concat(historyOf.Select(g => g.Key)).ToHashSet(StringComparer.Ordinal) : rewrite.ToHashSet(StringComparer.Ordinal);
            IReadOnlyCollection<string>? keys = whole ? null : rewrite;
            await ExecuteScopedAsync("DELETE FROM bridge_initiative_goal WHERE {scope}", "initiative_id", keys, ct);
            await ExecuteScopedAsync("DELETE FROM dim_initiative_history WHERE {scope}", "initiative_id", keys, ct);
            await ExecuteScopedAsync("DELETE FROM dim_initiative WHERE {scope}", "initiative_id", keys, ct);
            await InsertAsync(WarehouseTables.InitiativeHistory, history.Where(h => rewritten.Contains(h.InitiativeId)).Select(h => h.Values()).ToList(), ct);
            await InsertAsync(WarehouseTables.Initiative, current.Where(c => rewritten.Contains(c.InitiativeId)).Select(c => c.Values()).ToList(), ct);
            await InsertAsync(WarehouseTables.BridgeInitiativeGoal,
                bridge.Where(b => rewritten.Contains(b.InitiativeId)).Select(b => new object?[] { b.InitiativeId, b.GoalCode }).ToList(), ct);
        }
        if (versionOnly.Count > 0)
        {
            // Not recorded as a write for the data checks: bc_version_id is the dimension's own lineage, in no pbi_* view.
            await _connection.ExecuteAsync(new CommandDefinition(
                "UPDATE dim_initiative SET bc_version_id = @BcVersionId WHERE initiative_id = @InitiativeId",
                versionOnly.Select(v => new { v.InitiativeId, v.BcVersionId }), Transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
        }
        return new InitiativeChanges(
            currentOf.Keys.Where(id => !storedCurrent.ContainsKey(id)).ToList(),
            storedCurrent.Keys.Where(id => !currentOf.ContainsKey(id)).ToList(),
            rewrite.Count > 0);
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

    /// <summary>
    /// The objects of the list. Two items with one ObjektId: neither speaks for the object (<see cref="OnePerKey"/>), whose
    /// row, with its objektsförvaltare, stays as it was; one never published stays out.
    /// </summary>
    private async Task RebuildObjectsAsync(CancellationToken ct)
    {
        const string Shared = "SELECT object_id FROM stg_list_object GROUP BY object_id HAVING COUNT(*) > 1";
        await ExecuteAsync($"DELETE FROM dim_object WHERE object_id NOT IN ({Shared})", ct);
        await ExecuteAsync(
            $"""
            INSERT INTO dim_object (object_id, name, manager_email, unit, item_id)
            SELECT s.object_id, s.name, s.manager_email, s.unit, s.item_id
            FROM stg_list_object s
            WHERE s.object_id NOT IN ({Shared})
            """, ct);
    }

    /// <summary>
    /// The one current item of each key, leaving out every key that two or more current items share, and giving those
    /// keys in <paramref name="shared"/>. Such items fail closed: the caller keeps what the key had in the last published
    /// run (or leaves it unknown), rather than letting the latest modified item win, which let any second item with a key
    /// take it over. The list reports the keys with their items (<see cref="SharedKeyProblemsAsync"/>). Keys that differ only in
    /// letter case are one key (<see cref="KeyCase"/>): the items are staged with one spelling, and a warehouse staged before
    /// that is compared with <paramref name="comparer"/>, or with a key holding the initiative folded.
    /// </summary>
    private static List<T> OnePerKey<T, TKey>(IEnumerable<T> items, Func<T, TKey> key, out HashSet<TKey> shared, IEqualityComparer<TKey>? comparer = null)
        where TKey : notnull
    {
        shared = new HashSet<TKey>(comparer);
        var one = new List<T>();
        foreach (var group in items.GroupBy(key, comparer))
        {
            if (group.Skip(1).Any())
            {
                shared.Add(group.Key);
            }
            else
            {
                one.Add(group.First());
            }
        }
        return one;
    }

    /// <summary>Every unit the initiatives, their history, the objects and the index name; only the difference to what is stored is written.</summary>
    private async Task RebuildUnitsAsync(CancellationToken ct)
    {
        var wanted = (await ReadAsync(
            """
            SELECT unit FROM dim_initiative
            UNION
            SELECT unit FROM dim_initiative_history
            UNION
            SELECT unit FROM dim_object WHERE unit IS NOT NULL
            UNION
            SELECT unit FROM fct_digitalization_index_unit
            """, r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
        var stored = (await ReadAsync("SELECT unit FROM dim_unit", r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
        var gone = stored.Where(u => !wanted.Contains(u)).ToList();
        if (gone.Count > 0)
        {
            await ExecuteScopedAsync("DELETE FROM dim_unit WHERE {scope}", "unit", gone, ct);
        }
        await InsertAsync(WarehouseTables.Unit, wanted.Where(u => !stored.Contains(u)).Order(StringComparer.Ordinal).Select(u => new object?[] { u }).ToList(), ct);
    }

    private sealed class StagedScore
    {
        public string ItemId { get; init; } = "";
        public string InitiativeId { get; init; } = "";
        public string CriterionCode { get; init; } = "";
        public int Score { get; init; }
        public DateOnly AssessedOn { get; init; }
        public DateTime LastModifiedUtc { get; init; }
    }

    /// <summary>
    /// The scores of every assessment, and each initiative's evaluation from its latest one, of the initiatives
    /// of <paramref name="scope"/> (newly known ones) or of all. Scores of initiatives the warehouse does not
    /// know are left out and reported against their items. A criterion and date that two items score keeps its
    /// published score (<see cref="OnePerKey"/>).
    /// </summary>
    private async Task RebuildEvaluationsAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
    {
        // Read before the rows are deleted: what the shared keys keep.
        var kept = await ReadScopedAsync(
            """
            SELECT f.item_id, f.initiative_id, f.criterion_code, f.score, f.assessed_on
            FROM fct_evaluation_score f
            JOIN (SELECT initiative_id, criterion_code, assessed_on FROM stg_list_assessment
                  GROUP BY initiative_id, criterion_code, assessed_on HAVING COUNT(*) > 1) d
              ON d.initiative_id = f.initiative_id AND d.criterion_code = f.criterion_code AND d.assessed_on = f.assessed_on
            WHERE {scope}
            """, "f.initiative_id", scope,
            r => new StagedScore { ItemId = Text(r, 0), InitiativeId = Text(r, 1), CriterionCode = Text(r, 2), Score = Int(r, 3), AssessedOn = Date(r, 4) }, ct);
        var keptOf = kept.ToLookup(k => k.InitiativeId, StringComparer.Ordinal);
        if (scope is null)
        {
            await ExecuteScopedAsync("DELETE FROM fct_evaluation_score WHERE {scope}", "initiative_id", null, ct);
            await ExecuteScopedAsync("DELETE FROM fct_evaluation WHERE {scope}", "initiative_id", null, ct);
            _unknownInitiativeItems[Lists.Assessments] = [];
            foreach (var part in await PartsAsync("stg_list_assessment", ct))
            {
                await RebuildEvaluationsOfAsync(part, keptOf, ct);
            }
            return;
        }
        await RebuildEvaluationsOfAsync(scope, keptOf, ct);
    }

    private async Task RebuildEvaluationsOfAsync(IReadOnlyCollection<string> scope, ILookup<string, StagedScore> kept, CancellationToken ct)
    {
        var known = (await ReadScopedAsync("SELECT initiative_id FROM dim_initiative WHERE {scope}", "initiative_id", scope, r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
        var scores = OnePerKey(await ReadScopedAsync(
            """
            SELECT item_id, initiative_id, criterion_code, score, assessed_on, last_modified_utc
            FROM stg_list_assessment
            WHERE {scope}
            """, "initiative_id", scope,
            r => new StagedScore
            {
                ItemId = Text(r, 0), InitiativeId = Text(r, 1), CriterionCode = Text(r, 2), Score = Int(r, 3), AssessedOn = Date(r, 4), LastModifiedUtc = Timestamp(r, 5),
            }, ct), s => (KeyCase.Fold(s.InitiativeId), s.CriterionCode, s.AssessedOn), out _);
        ReportUnknownInitiatives(Lists.Assessments, scope, scores.Where(s => !known.Contains(s.InitiativeId)).Select(s => (s.ItemId, s.InitiativeId)));
        scores.RemoveAll(s => !known.Contains(s.InitiativeId));
        scores.AddRange(scope.Where(known.Contains).SelectMany(id => kept[id]));

        await ExecuteScopedAsync("DELETE FROM fct_evaluation_score WHERE {scope}", "initiative_id", scope, ct);
        await ExecuteScopedAsync("DELETE FROM fct_evaluation WHERE {scope}", "initiative_id", scope, ct);
        await InsertAsync(WarehouseTables.EvaluationScore,
            scores.Select(s => new object?[] { s.InitiativeId, s.CriterionCode, s.AssessedOn, s.Score, s.ItemId, RunId }).ToList(), ct);
        var evaluations = scores.GroupBy(s => s.InitiativeId)
            .Select(g => EvaluationCalculator.Evaluate(g.Key, g.Select(s => (s.CriterionCode, s.AssessedOn, s.Score)), _evaluation))
            .Select(e => new object?[]
            {
                e.InitiativeId, e.AssessedOn, e.BenefitScore, e.FeasibilityScore, e.ComplianceOk, e.PriorityClass, e.CriteriaScored, _evaluation.Threshold, RunId,
            })
            .ToList();
        await InsertAsync(WarehouseTables.Evaluation, evaluations, ct);
    }

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
    /// an initiative carry keeps its published report (<see cref="OnePerKey"/>).
    /// </summary>
    private async Task RebuildProjectStatusAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
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
            await ExecuteScopedAsync("DELETE FROM fct_project_status WHERE {scope}", "initiative_id", null, ct);
            _unknownInitiativeItems[Lists.ProjectStatus] = [];
            foreach (var part in await PartsAsync("stg_list_status", ct))
            {
                await RebuildProjectStatusOfAsync(part, keptOf, ct);
            }
            return;
        }
        await RebuildProjectStatusOfAsync(scope, keptOf, ct);
    }

    private async Task RebuildProjectStatusOfAsync(IReadOnlyCollection<string> scope, ILookup<string, StagedStatus> kept, CancellationToken ct)
    {
        var known = (await ReadScopedAsync("SELECT initiative_id FROM dim_initiative WHERE {scope}", "initiative_id", scope, r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
        var reports = OnePerKey(await ReadScopedAsync(
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
        ReportUnknownInitiatives(Lists.ProjectStatus, scope, reports.Where(r => !known.Contains(r.InitiativeId)).Select(r => (r.ItemId, r.InitiativeId)));
        reports.RemoveAll(r => !known.Contains(r.InitiativeId));
        reports.AddRange(scope.Where(known.Contains).SelectMany(id => kept[id]));
        var latest = reports.GroupBy(r => r.InitiativeId).ToDictionary(g => g.Key, g => g.Max(r => r.ReportDate), StringComparer.Ordinal);

        await ExecuteScopedAsync("DELETE FROM fct_project_status WHERE {scope}", "initiative_id", scope, ct);
        await InsertAsync(WarehouseTables.ProjectStatus,
            reports.Select(r => new object?[]
            {
                r.InitiativeId, r.ReportDate, r.Status, r.PercentComplete, r.BudgetSpentSek,
                latest[r.InitiativeId] == r.ReportDate, r.Comment, r.ItemId, RunId,
            }).ToList(),
            ct);
    }

    /// <summary>How many initiatives' rows a rebuild of every initiative's reads and writes at a time.</summary>
    internal int RebuildPart { get; set; } = 1_000;

    /// <summary>
    /// The initiatives a list's staged items name, in parts of <see cref="RebuildPart"/>: a rebuild of every
    /// initiative's rows goes part by part, so that a large municipality's lists are never held whole.
    /// </summary>
    private async Task<IEnumerable<string[]>> PartsAsync(string stagingTable, CancellationToken ct) =>
        (await ReadAsync($"SELECT DISTINCT initiative_id FROM {stagingTable}", r => Text(r, 0), ct))
            .Order(StringComparer.Ordinal)
            .Chunk(RebuildPart);

    /// <summary>Per list, the items left out for an unknown initiative, as the list's latest rebuild in this run found them.</summary>
    private readonly Dictionary<string, List<(string ItemId, string InitiativeId)>> _unknownInitiativeItems = [];

    // The model may be rebuilt more than once in a run (actuals are judged part way): the last rebuild of a list speaks for it.
    // A rebuild of some initiatives (newly known ones) speaks for their items only.
    private void ReportUnknownInitiatives(string listName, IReadOnlyCollection<string>? scope, IEnumerable<(string ItemId, string InitiativeId)> items)
    {
        if (scope is null || !_unknownInitiativeItems.TryGetValue(listName, out var reported))
        {
            _unknownInitiativeItems[listName] = items.ToList();
            return;
        }
        var rebuilt = scope.ToHashSet(StringComparer.Ordinal);
        reported.RemoveAll(i => rebuilt.Contains(i.InitiativeId));
        reported.AddRange(items);
    }

    /// <summary>Records, once the model is final, each item left out because its initiative is unknown.</summary>
    private void RecordUnknownInitiatives()
    {
        foreach (var (listName, items) in _unknownInitiativeItems)
        {
            foreach (var (itemId, initiativeId) in items)
            {
                var message = $"Initiativet {initiativeId} finns varken i listan Initiativ eller i någon nyttokalkyl; objektet räknas inte med.";
                Buffer(WarehouseTables.EtlProblem, _nextProblemId++, RunId, null, ListSourceKind, listName, null, null, message, itemId);
            }
        }
        _unknownInitiativeItems.Clear();
    }

    /// <summary>
    /// The year and date dimensions span every year of the facts, the histories and the runs, within the
    /// <see cref="Limits">window</see>: a date of year 1 or 9999 that reached a table costs no calendar of thousands of years.
    /// </summary>
    private async Task RebuildCalendarAsync(CancellationToken ct)
    {
        // One query: the first and last year, or day, of each, and what dim_year holds.
        CalendarSource[] sources =
        [
            new("fct_business_case_year", "year", true), new("fct_survey_result", "year", true), new("fct_digitalization_index_unit", "year", true),
            new("etl_run", "started_at_utc", false), new("dim_initiative_history", "valid_from", false), new("dim_initiative", "decision_date", false),
            new("fct_evaluation_score", "assessed_on", false), new("fct_project_status", "report_date", false), new("fct_project_status_snapshot", "snapshot_date", false),
        ];
        var sql = "SELECT " + string.Join(", ", sources.Select(s => $"(SELECT MIN({s.Column}) FROM {s.Table}), (SELECT MAX({s.Column}) FROM {s.Table})"))
            + ", (SELECT MIN(year) FROM dim_year), (SELECT MAX(year) FROM dim_year), (SELECT COUNT(*) FROM dim_year)";
        var (years, existing) = await ReadOneAsync(sql, r =>
        {
            var found = new List<int> { StartedAtUtc.Year };
            for (var i = 0; i < sources.Length * 2; i++)
            {
                if (!r.IsDBNull(i))
                {
                    found.Add(sources[i / 2].IsYear ? Int(r, i) : Timestamp(r, i).Year);
                }
            }
            var n = sources.Length * 2;
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

    private sealed record CalendarSource(string Table, string Column, bool IsYear);

    private sealed record YearRange(int? From, int? To, int Count);

    private sealed record CalendarSpan(List<int> Years, YearRange Existing);
}
