using System.Globalization;
using Dapper;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

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
    /// Rebuilds what depends on what the run changed: the current business cases, the initiative
    /// versions (type 2) and dimension, units, goals, objects, evaluations, project status and the
    /// calendar. Unchanged parts are left alone, so that a small change stays a small run.
    /// </summary>
    private async Task RebuildModelAsync(bool businessCasesChanged, CancellationToken ct)
    {
        if (businessCasesChanged)
        {
            // The latest loaded version is current: versions are numbered in processing order.
            await ExecuteAsync(
                """
                UPDATE fct_business_case_version
                SET is_current = CASE WHEN bc_version_id = (
                    SELECT MAX(l.bc_version_id) FROM fct_business_case_version l
                    WHERE l.initiative_id = fct_business_case_version.initiative_id) THEN 1 ELSE 0 END
                """, ct);
        }
        if (_listsChanged.Contains(Lists.Initiatives))
        {
            await UpdateInitiativeVersionsAsync(ct);
            // The initiatives that reached Förvaltning or Avslutad count in the digitaliseringsindex.
            _indexInputsChanged = true;
        }
        var initiativesChanged = false;
        if (businessCasesChanged || _listsChanged.Contains(Lists.Initiatives) || _listsChanged.Contains(Lists.Objects))
        {
            initiativesChanged = await RebuildInitiativesAsync(ct);
        }
        if (_listsChanged.Contains(Lists.Objects))
        {
            await RebuildObjectsAsync(ct);
        }
        if (initiativesChanged || _listsChanged.Contains(Lists.Objects))
        {
            await RebuildUnitsAsync(ct);
        }
        if (initiativesChanged || _listsChanged.Contains(Lists.Assessments))
        {
            await RebuildEvaluationsAsync(ct);
        }
        if (initiativesChanged || _listsChanged.Contains(Lists.ProjectStatus))
        {
            await RebuildProjectStatusAsync(ct);
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
    }

    private const string VersionColumns =
        """
        initiative_id AS InitiativeId, version_no AS VersionNo, valid_from AS ValidFrom, valid_to AS ValidTo, valid_from_utc AS ValidFromUtc,
        is_current AS IsCurrent, name AS Name, unit AS Unit, phase AS Phase, initiative_type AS InitiativeType, need_type AS NeedType,
        object_id AS ObjectId, owner_email AS OwnerEmail, goal_codes AS GoalCodes, hypothesis AS Hypothesis, decision_date AS DecisionDate,
        item_id AS ItemId, run_id AS RunId
        """;

    /// <summary>
    /// Type 2 history of the list Initiativ: a change of phase, unit, förvaltningsobjekt or owner closes
    /// the open version and opens a new one, valid from the item's last modification; other changes
    /// update the open version; an initiative gone from the list has its version closed.
    /// </summary>
    private async Task UpdateInitiativeVersionsAsync(CancellationToken ct)
    {
        // Two items with one InitiativId: the later modified one speaks for the initiative.
        var staged = (await QueryAsync<StagedInitiative>(
            """
            SELECT item_id AS ItemId, initiative_id AS InitiativeId, name AS Name, unit AS Unit, phase AS Phase, initiative_type AS InitiativeType,
                   need_type AS NeedType, object_id AS ObjectId, owner_email AS OwnerEmail, goal_codes AS GoalCodes, hypothesis AS Hypothesis,
                   decision_date AS DecisionDate, last_modified_utc AS LastModifiedUtc
            FROM stg_list_initiative
            """, ct))
            .GroupBy(s => s.InitiativeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.LastModifiedUtc).ThenBy(s => s.ItemId, StringComparer.Ordinal).Last(), StringComparer.Ordinal);
        var versions = (await QueryAsync<InitiativeVersionRow>($"SELECT {VersionColumns} FROM dim_initiative_version", ct))
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
            if (!staged.ContainsKey(id) && history.LastOrDefault(v => v.IsCurrent == 1) is { } gone)
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
            await _connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM dim_initiative_version WHERE {string.Join(" OR ", keys)}", parameters, Transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
        }
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.InitiativeVersion,
            touched.Select(v => new object?[]
            {
                v.InitiativeId, v.VersionNo, v.ValidFrom, v.ValidTo, v.ValidFromUtc, v.IsCurrent == 1,
                v.Name, v.Unit, v.Phase, v.InitiativeType, v.NeedType, v.ObjectId, v.OwnerEmail, v.GoalCodes, v.Hypothesis,
                v.DecisionDate, v.ItemId, v.RunId,
            }).ToList(),
            _database.CommandTimeoutSeconds, ct);
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

    /// <summary>
    /// The initiative dimension and its history: the list's versions, with what only a business case
    /// says filled in (the list is master for what it holds), and initiatives known only from a
    /// business case as one version from their first load. Returns whether the set of initiatives changed.
    /// </summary>
    private async Task<bool> RebuildInitiativesAsync(CancellationToken ct)
    {
        var before = (await QueryAsync<string>("SELECT initiative_id FROM dim_initiative", ct)).ToHashSet(StringComparer.Ordinal);
        var versions = (await QueryAsync<InitiativeVersionRow>($"SELECT {VersionColumns} FROM dim_initiative_version", ct))
            .GroupBy(v => v.InitiativeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(v => v.VersionNo).ToList(), StringComparer.Ordinal);
        var cases = (await QueryAsync<CurrentCase>(
            """
            SELECT v.initiative_id AS InitiativeId, v.bc_version_id AS BcVersionId, v.initiative_name AS InitiativeName, v.unit AS Unit,
                   v.object_id AS ObjectId, v.owner_email AS OwnerEmail, v.goal_codes AS GoalCodes,
                   (SELECT MIN(f.loaded_at_utc) FROM fct_business_case_version f WHERE f.initiative_id = v.initiative_id) AS FirstLoadedUtc
            FROM fct_business_case_version v
            WHERE v.is_current = 1
            """, ct)).ToDictionary(c => c.InitiativeId, StringComparer.Ordinal);

        var history = new List<object?[]>();
        var current = new List<object?[]>();
        var bridge = new List<object?[]>();
        foreach (var id in versions.Keys.Union(cases.Keys).Order(StringComparer.Ordinal))
        {
            var listVersions = versions.GetValueOrDefault(id) ?? [];
            var bc = cases.GetValueOrDefault(id);
            foreach (var v in listVersions)
            {
                history.Add(HistoryRow(id, v.VersionNo, v.Name ?? bc?.InitiativeName, v.Unit ?? bc?.Unit, v.Phase, v.InitiativeType, v.NeedType,
                    v.ObjectId ?? bc?.ObjectId, v.OwnerEmail ?? bc?.OwnerEmail, v.Hypothesis, v.DecisionDate,
                    v.ValidFrom, v.ValidTo, v.IsCurrent == 1, InitiativeSources.List));
            }
            var open = listVersions.LastOrDefault(v => v.IsCurrent == 1);
            if (open is not null)
            {
                current.Add(CurrentRow(id, open.Name ?? bc?.InitiativeName, open.Unit ?? bc?.Unit, open.Phase, open.InitiativeType, open.NeedType,
                    open.ObjectId ?? bc?.ObjectId, open.OwnerEmail ?? bc?.OwnerEmail, open.Hypothesis, open.DecisionDate, bc?.BcVersionId, InitiativeSources.List));
                AddGoals(bridge, id, open.GoalCodes ?? bc?.GoalCodes);
            }
            else if (bc is not null)
            {
                // Known from a business case only, or gone from the list: one version from where the list's ended.
                var from = listVersions.Count > 0 ? listVersions.Max(v => v.ValidTo) : DateOnly.FromDateTime(bc.FirstLoadedUtc);
                history.Add(HistoryRow(id, listVersions.Count + 1, bc.InitiativeName, bc.Unit, null, null, null, bc.ObjectId, bc.OwnerEmail, null, null,
                    from, OpenEnd, true, InitiativeSources.BusinessCase));
                current.Add(CurrentRow(id, bc.InitiativeName, bc.Unit, null, null, null, bc.ObjectId, bc.OwnerEmail, null, null, bc.BcVersionId, InitiativeSources.BusinessCase));
                AddGoals(bridge, id, bc.GoalCodes);
            }
        }

        await ExecuteAsync("DELETE FROM bridge_initiative_goal", ct);
        await ExecuteAsync("DELETE FROM dim_initiative_history", ct);
        await ExecuteAsync("DELETE FROM dim_initiative", ct);
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.InitiativeHistory, history, _database.CommandTimeoutSeconds, ct);
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.Initiative, current, _database.CommandTimeoutSeconds, ct);
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.BridgeInitiativeGoal, bridge, _database.CommandTimeoutSeconds, ct);
        return !before.SetEquals(current.Select(r => (string)r[0]!));
    }

    private static object?[] HistoryRow(string id, int versionNo, string? name, string? unit, string? phase, string? type, string? need, string? objectId,
        string? owner, string? hypothesis, DateOnly? decision, DateOnly validFrom, DateOnly validTo, bool isCurrent, string source) =>
        [id, versionNo, name ?? id, unit ?? NoUnit, phase, type, need, objectId, owner, hypothesis, decision, validFrom, validTo, isCurrent, source];

    private static object?[] CurrentRow(string id, string? name, string? unit, string? phase, string? type, string? need, string? objectId,
        string? owner, string? hypothesis, DateOnly? decision, long? bcVersionId, string source) =>
        [id, name ?? id, unit ?? NoUnit, phase, type, need, objectId, owner, hypothesis, decision, bcVersionId, source];

    private static void AddGoals(List<object?[]> bridge, string id, string? codes)
    {
        foreach (var code in (codes ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Distinct())
        {
            bridge.Add([id, code]);
        }
    }

    private async Task RebuildObjectsAsync(CancellationToken ct)
    {
        // Two items with one ObjektId: the later modified one speaks for the object.
        await ExecuteAsync("DELETE FROM dim_object", ct);
        await ExecuteAsync(
            """
            INSERT INTO dim_object (object_id, name, manager_email, unit, item_id)
            SELECT s.object_id, s.name, s.manager_email, s.unit, s.item_id
            FROM stg_list_object s
            WHERE NOT EXISTS (
                SELECT 1 FROM stg_list_object l
                WHERE l.object_id = s.object_id
                  AND (l.last_modified_utc > s.last_modified_utc OR (l.last_modified_utc = s.last_modified_utc AND l.item_id > s.item_id)))
            """, ct);
    }

    private async Task RebuildUnitsAsync(CancellationToken ct)
    {
        await ExecuteAsync("DELETE FROM dim_unit", ct);
        await ExecuteAsync(
            """
            INSERT INTO dim_unit (unit)
            SELECT unit FROM dim_initiative
            UNION
            SELECT unit FROM dim_initiative_history
            UNION
            SELECT unit FROM dim_object WHERE unit IS NOT NULL
            UNION
            SELECT unit FROM fct_digitalization_index_unit
            """, ct);
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
    /// The scores of every assessment, and each initiative's evaluation from its latest one. Scores of
    /// initiatives the warehouse does not know are left out and reported against their items.
    /// </summary>
    private async Task RebuildEvaluationsAsync(CancellationToken ct)
    {
        var known = (await QueryAsync<string>("SELECT initiative_id FROM dim_initiative", ct)).ToHashSet(StringComparer.Ordinal);
        var scores = (await QueryAsync<StagedScore>(
            """
            SELECT item_id AS ItemId, initiative_id AS InitiativeId, criterion_code AS CriterionCode, score AS Score,
                   assessed_on AS AssessedOn, last_modified_utc AS LastModifiedUtc
            FROM stg_list_assessment
            """, ct))
            .GroupBy(s => (s.InitiativeId, s.CriterionCode, s.AssessedOn))
            .Select(g => g.OrderBy(s => s.LastModifiedUtc).ThenBy(s => s.ItemId, StringComparer.Ordinal).Last())
            .ToList();
        ReportUnknownInitiatives(Lists.Assessments, scores.Where(s => !known.Contains(s.InitiativeId)).Select(s => (s.ItemId, s.InitiativeId)));
        scores.RemoveAll(s => !known.Contains(s.InitiativeId));

        await ExecuteAsync("DELETE FROM fct_evaluation_score", ct);
        await ExecuteAsync("DELETE FROM fct_evaluation", ct);
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.EvaluationScore,
            scores.Select(s => new object?[] { s.InitiativeId, s.CriterionCode, s.AssessedOn, s.Score, s.ItemId, RunId }).ToList(),
            _database.CommandTimeoutSeconds, ct);
        var evaluations = scores.GroupBy(s => s.InitiativeId)
            .Select(g => EvaluationCalculator.Evaluate(g.Key, g.Select(s => (s.CriterionCode, s.AssessedOn, s.Score)), _evaluation))
            .Select(e => new object?[]
            {
                e.InitiativeId, e.AssessedOn, e.BenefitScore, e.FeasibilityScore, e.ComplianceOk, e.PriorityClass, e.CriteriaScored, _evaluation.Threshold, RunId,
            })
            .ToList();
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.Evaluation, evaluations, _database.CommandTimeoutSeconds, ct);
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

    /// <summary>Every status report, the latest of each initiative marked; reports of unknown initiatives left out and reported.</summary>
    private async Task RebuildProjectStatusAsync(CancellationToken ct)
    {
        var known = (await QueryAsync<string>("SELECT initiative_id FROM dim_initiative", ct)).ToHashSet(StringComparer.Ordinal);
        var reports = (await QueryAsync<StagedStatus>(
            """
            SELECT item_id AS ItemId, initiative_id AS InitiativeId, report_date AS ReportDate, status AS Status, percent_complete AS PercentComplete,
                   budget_spent_sek AS BudgetSpentSek, comment AS Comment, last_modified_utc AS LastModifiedUtc
            FROM stg_list_status
            """, ct))
            .GroupBy(s => (s.InitiativeId, s.ReportDate))
            .Select(g => g.OrderBy(s => s.LastModifiedUtc).ThenBy(s => s.ItemId, StringComparer.Ordinal).Last())
            .ToList();
        ReportUnknownInitiatives(Lists.ProjectStatus, reports.Where(r => !known.Contains(r.InitiativeId)).Select(r => (r.ItemId, r.InitiativeId)));
        reports.RemoveAll(r => !known.Contains(r.InitiativeId));
        var latest = reports.GroupBy(r => r.InitiativeId).ToDictionary(g => g.Key, g => g.Max(r => r.ReportDate), StringComparer.Ordinal);

        await ExecuteAsync("DELETE FROM fct_project_status", ct);
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.ProjectStatus,
            reports.Select(r => new object?[]
            {
                r.InitiativeId, r.ReportDate, r.Status, r.PercentComplete, r.BudgetSpentSek,
                latest[r.InitiativeId] == r.ReportDate, r.Comment, r.ItemId, RunId,
            }).ToList(),
            _database.CommandTimeoutSeconds, ct);
    }

    /// <summary>Per list, the items left out for an unknown initiative, as the list's latest rebuild in this run found them.</summary>
    private readonly Dictionary<string, List<(string ItemId, string InitiativeId)>> _unknownInitiativeItems = [];

    // The model may be rebuilt more than once in a run (actuals are judged part way): the last rebuild of a list speaks for it.
    private void ReportUnknownInitiatives(string listName, IEnumerable<(string ItemId, string InitiativeId)> items) =>
        _unknownInitiativeItems[listName] = items.ToList();

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

    /// <summary>The year and date dimensions span every year of the facts, the histories and the runs.</summary>
    private async Task RebuildCalendarAsync(CancellationToken ct)
    {
        var years = new List<int> { StartedAtUtc.Year };
        foreach (var table in new[] { "fct_business_case_year", "fct_survey_result", "fct_digitalization_index_unit" })
        {
            var yearRange = await _connection.QuerySingleAsync<(int? From, int? To)>(new CommandDefinition(
                $"SELECT MIN(year), MAX(year) FROM {table}", transaction: Transaction, cancellationToken: ct));
            years.AddRange(new[] { yearRange.From, yearRange.To }.OfType<int>());
        }
        foreach (var (table, column) in new[]
        {
            ("etl_run", "started_at_utc"), ("dim_initiative_history", "valid_from"), ("dim_initiative", "decision_date"),
            ("fct_evaluation_score", "assessed_on"), ("fct_project_status", "report_date"), ("fct_project_status_snapshot", "snapshot_date"),
        })
        {
            var range = await _connection.QuerySingleAsync<(object? From, object? To)>(new CommandDefinition(
                $"SELECT MIN({column}), MAX({column}) FROM {table}", transaction: Transaction, cancellationToken: ct));
            years.AddRange(new[] { range.From, range.To }.Where(v => v is not null and not DBNull).Select(v => ReadTimestamp(v!).Year));
        }
        var from = years.Min();
        var to = years.Max();

        var existing = await _connection.QuerySingleAsync<(int? From, int? To, int Count)>(new CommandDefinition(
            "SELECT MIN(year), MAX(year), COUNT(*) FROM dim_year", transaction: Transaction, cancellationToken: ct));
        if (existing.From == from && existing.To == to && existing.Count == to - from + 1)
        {
            return;
        }
        await ExecuteAsync("DELETE FROM dim_date", ct);
        await ExecuteAsync("DELETE FROM dim_year", ct);
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.DimYear,
            Enumerable.Range(from, to - from + 1).Select(y => new object?[] { y }).ToList(), _database.CommandTimeoutSeconds, ct);
        await Dialect.BulkInsertAsync(_connection, Transaction, WarehouseTables.DimDate,
            Model.Calendar.Days(from, to)
                .Select(d => new object?[] { d.Date, d.Year, d.Quarter, d.Month, d.MonthNameSv, d.IsoWeek, d.DayOfWeek, d.DayOfWeekSv })
                .ToList(),
            _database.CommandTimeoutSeconds, ct);
    }

    private async Task ExecuteAsync(string sql, CancellationToken ct) =>
        await _connection.ExecuteAsync(new CommandDefinition(sql, transaction: Transaction, commandTimeout: _database.CommandTimeoutSeconds, cancellationToken: ct));

    private async Task<List<T>> QueryAsync<T>(string sql, CancellationToken ct) =>
        (await _connection.QueryAsync<T>(new CommandDefinition(sql, transaction: Transaction, commandTimeout: _database.CommandTimeoutSeconds, cancellationToken: ct))).ToList();

    internal static DateTime ReadTimestamp(object value) => value switch
    {
        DateTime dt => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        string s => DateTime.SpecifyKind(DateTime.Parse(s, CultureInfo.InvariantCulture), DateTimeKind.Utc),
        _ => throw new InvalidCastException($"Not a timestamp: {value}"),
    };
}
