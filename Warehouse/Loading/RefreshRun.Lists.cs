using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.Columns;
using static NackaInsights.Warehouse.Runs.KeySpelling;

namespace NackaInsights.Warehouse.Loading;

/// <summary>What the warehouse keeps about reading a list: Graph's delta link, or an offline file's fingerprint.</summary>
public sealed class ListState
{
    public string? DeltaLink { get; init; }

    public string? ContentSha256 { get; init; }

    public long LastRunId { get; init; }
}

/// <summary>How a list was read, as the warehouse records it.</summary>
/// <param name="Mode">In Swedish, for the Datakvalitet page: <see cref="ListReadModes"/>.</param>
/// <param name="IsComplete">Whether the items are the whole list, so that an item not among them is gone.</param>
public sealed record ListReadInfo(string ListName, string Mode, bool IsComplete, string? DeltaLink, string? ContentSha256);

/// <summary>The read modes of <c>pbi_etl_list</c>.</summary>
public static class ListReadModes
{
    public const string Full = "Fullständig";
    public const string Delta = "Ändringar";
    public const string File = "Fil";
    public const string Unchanged = "Oförändrad";
}

public sealed partial class RefreshRun
{
    /// <summary>The list names of sharepoint-lists.md, as the warehouse knows them.</summary>
    public static class Lists
    {
        public const string Initiatives = "Initiativ";
        public const string Assessments = "Bedomningar";
        public const string ProjectStatus = "Projektstatus";
        public const string Objects = "Forvaltningsobjekt";
    }

    /// <summary>The <c>source_kind</c> of a list item's problem in <c>pbi_etl_problem</c>.</summary>
    public const string ListSourceKind = "list";

    private static readonly string RemovedSha = Sha256("@removed");


    /// <summary>How the list was last read in a published run, or null when it never was.</summary>
    public async Task<ListState?> GetListStateAsync(string listName, CancellationToken ct) =>
        await _connection.QuerySingleOrDefaultAsync<ListState>(new CommandDefinition(
            "SELECT delta_link AS DeltaLink, content_sha256 AS ContentSha256, last_run_id AS LastRunId FROM etl_list_state WHERE list_name = @listName",
            new { listName }, Transaction, cancellationToken: ct));

    /// <summary>Records that an offline list file has the content it had when it was last read.</summary>
    /// <remarks>Keys the list's current items share are reported again: every run that takes the list in says so while they last.</remarks>
    public async Task AddUnchangedListAsync(string listName, long lastRunId, CancellationToken ct)
    {
        _sourcesOffered = true;
        var shared = await SharedKeyProblemsAsync(listName, ct);
        RecordProblems(listName, shared);
        var message = $"Samma innehåll som vid läsningen i körning {lastRunId}; inte läst igen." + SharedKeysSentence(shared);
        Buffer(WarehouseTables.EtlListRead, RunId, listName, ListReadModes.Unchanged, 0, 0, 0, 0, message);
        var result = new ListResult(listName, ListReadModes.Unchanged, 0, 0, 0, 0, message, shared);
        _ledger.Add(result);
        _observer?.ListProcessed(RunId, result);
        await FlushIfFullAsync(ct);
    }

    /// <summary>
    /// Takes one read of a list into the run, all at once. See <see cref="BeginListAsync"/>, which takes a
    /// long list in parts.
    /// </summary>
    public async Task AddListAsync(ListReadInfo read, IReadOnlyList<ListItemChange> changes, CancellationToken ct)
    {
        var load = await BeginListAsync(read, ct);
        await load.AddAsync(changes, ct);
        await load.CompleteAsync(ct);
    }

    /// <summary>
    /// Begins taking one read of a list into the run, in parts of any size (<see cref="ListLoad.AddAsync"/>), so
    /// that a long list is never held whole. Every item whose content differs from what was last read lands in
    /// <c>raw_list_item</c>; a valid one replaces the item's current content, a removed one (or, for a complete
    /// read, one no longer there) deletes it, and a rejected one is skipped, keeping its last valid content, with
    /// its problems recorded against the list and the item.
    /// </summary>
    public async Task<ListLoad> BeginListAsync(ListReadInfo read, CancellationToken ct)
    {
        _sourcesOffered = true;
        var lastSeen = (await _connection.QueryAsync<(string ItemId, string Sha)>(new CommandDefinition(
            """
            SELECT r.item_id, r.content_sha256
            FROM raw_list_item r
            JOIN (SELECT item_id, MAX(run_id) AS run_id FROM raw_list_item WHERE list_name = @ListName GROUP BY item_id) last
              ON last.item_id = r.item_id AND last.run_id = r.run_id
            WHERE r.list_name = @ListName
            """, new { read.ListName }, Transaction, _database.CommandTimeoutSeconds, cancellationToken: ct)))
            .ToDictionary(r => r.ItemId, r => r.Sha, StringComparer.Ordinal);
        return new ListLoad(this, read, lastSeen);
    }

    /// <summary>One read of a list being taken into the run (<see cref="BeginListAsync"/>).</summary>
    public sealed class ListLoad
    {
        private readonly RefreshRun _run;
        private readonly ListReadInfo _read;
        private readonly BulkTable _staging;
        private readonly Dictionary<string, string> _lastSeen;

        // What this read said of each item, by its last mention: Graph may return an item twice across the pages of one delta.
        private readonly Dictionary<string, (string Sha, ItemOutcome Outcome)> _seen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IReadOnlyList<SourceProblem>> _problems = new(StringComparer.Ordinal);
        private bool _completed;

        private enum ItemOutcome
        {
            Same,
            Changed,
            Removed,
            Rejected,
        }

        internal ListLoad(RefreshRun run, ListReadInfo read, Dictionary<string, string> lastSeen)
        {
            _run = run;
            _read = read;
            _staging = StagingTableOf(read.ListName);
            _lastSeen = lastSeen;
        }

        /// <summary>Takes the next part of the read, in the order the source gave it.</summary>
        public async Task AddAsync(IReadOnlyList<ListItemChange> changes, CancellationToken ct)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            var keys = await _run.KeysAsync(ct);
            var latest = changes.GroupBy(c => c.ItemId).Select(g => g.Last()).ToList();
            var raw = new List<object?[]>();
            var deletes = new List<string>();
            var inserts = new List<object?[]>();
            var repeated = new List<string>();
            foreach (var change in latest)
            {
                var sha = change.Removed ? RemovedSha : Sha256(change.FieldsJson);
                var landedBefore = false;
                if (_seen.TryGetValue(change.ItemId, out var earlier))
                {
                    if (earlier.Sha == sha)
                    {
                        continue;
                    }
                    // Landed earlier in this read: land it again as it now reads, even if that is as it was before the run.
                    landedBefore = earlier.Outcome != ItemOutcome.Same;
                    if (landedBefore)
                    {
                        repeated.Add(change.ItemId);
                    }
                    _problems.Remove(change.ItemId);
                }
                if (!landedBefore && _lastSeen.TryGetValue(change.ItemId, out var last) && last == sha)
                {
                    _seen[change.ItemId] = (sha, ItemOutcome.Same);
                    continue;
                }
                raw.Add([_read.ListName, change.ItemId, _run.RunId, change.LastModifiedUtc, change.Removed, sha, change.Removed ? null : change.FieldsJson]);
                // Only an item landed before can have a staged row to replace: a first load deletes nothing.
                var staged = landedBefore || _lastSeen.ContainsKey(change.ItemId);
                if (change.Removed)
                {
                    if (staged)
                    {
                        deletes.Add(change.ItemId);
                    }
                    _seen[change.ItemId] = (sha, ItemOutcome.Removed);
                }
                else if (change.Item is null)
                {
                    _problems[change.ItemId] = change.Problems;
                    _seen[change.ItemId] = (sha, ItemOutcome.Rejected);
                }
                else
                {
                    if (staged)
                    {
                        deletes.Add(change.ItemId);
                    }
                    // Staged with its keys as already spelled, so that two items whose keys differ only in case share a key.
                    var notes = new List<SourceProblem>();
                    inserts.Add(_run.StagingRow(SpellKeys(keys, _read.ListName, change.Item, notes)));
                    if (notes.Count > 0)
                    {
                        _problems[change.ItemId] = notes;
                    }
                    _seen[change.ItemId] = (sha, ItemOutcome.Changed);
                }
            }
            // An item this read already landed is landed again as it now reads.
            await _run.ExecuteScopedAsync("DELETE FROM raw_list_item WHERE list_name = @ListName AND run_id = @RunId AND {scope}", "item_id", repeated, ct,
                ("@ListName", _read.ListName), ("@RunId", _run.RunId));
            await _run.InsertAsync(WarehouseTables.RawListItem, raw, ct);
            await _run.ExecuteScopedAsync($"DELETE FROM {_staging.Name} WHERE {{scope}}", "item_id", deletes, ct);
            await _run.InsertAsync(_staging, inserts, ct);
        }

        /// <summary>Finishes the read: for a complete one, removes what it no longer holds, and records the read.</summary>
        public async Task CompleteAsync(CancellationToken ct)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            _completed = true;
            var removedNow = new List<string>();
            if (_read.IsComplete)
            {
                var raw = new List<object?[]>();
                foreach (var (itemId, sha) in _lastSeen)
                {
                    if (sha != RemovedSha && !_seen.ContainsKey(itemId))
                    {
                        raw.Add([_read.ListName, itemId, _run.RunId, null, true, RemovedSha, null]);
                        removedNow.Add(itemId);
                    }
                }
                await _run.InsertAsync(WarehouseTables.RawListItem, raw, ct);
                await _run.ExecuteScopedAsync($"DELETE FROM {_staging.Name} WHERE {{scope}}", "item_id", removedNow, ct);
            }

            await _run.ExecuteAsync("DELETE FROM etl_list_state WHERE list_name = @ListName", [("@ListName", _read.ListName)], ct);
            await _run.InsertAsync(WarehouseTables.EtlListState, [[_read.ListName, _read.DeltaLink, _read.ContentSha256, _run.RunId, _run.UtcNow()]], ct);

            var changed = _seen.Values.Count(v => v.Outcome == ItemOutcome.Changed);
            var removed = _seen.Values.Count(v => v.Outcome == ItemOutcome.Removed) + removedNow.Count;
            var rejected = _seen.Values.Count(v => v.Outcome == ItemOutcome.Rejected);
            var shared = await _run.SharedKeyProblemsAsync(_read.ListName, ct);
            // An item withheld for a key another item shares gets no note that its spelling was read as the key's:
            // that note ends "Inget avvisades", and the item was not read in.
            var withheld = shared.Select(p => p.ItemId).ToHashSet(StringComparer.Ordinal);
            var problems = _problems.Values.SelectMany(p => p).Where(p => !(p.IsNotice && withheld.Contains(p.ItemId))).ToList();
            problems.AddRange(shared);
            _run.RecordProblems(_read.ListName, problems);
            var message = $"{_seen.Count} objekt lästa: {changed} nya eller ändrade, {removed} borttagna, {rejected} avvisade." + SharedKeysSentence(shared);
            _run.Buffer(WarehouseTables.EtlListRead, _run.RunId, _read.ListName, _read.Mode, _seen.Count, changed, removed, rejected, message);
            var result = new ListResult(_read.ListName, _read.Mode, _seen.Count, changed, removed, rejected, message, problems);
            await _run.ListReadAsync(result, sharedKeys: shared.Count, ct);
        }
    }

    /// <summary>
    /// Takes a list read into the run once its load is complete: the run's ledger gets its result. What it staged makes
    /// the marts built from the list due (<see cref="RunTransaction.Pending"/>).
    /// </summary>
    private async Task ListReadAsync(ListResult result, int sharedKeys, CancellationToken ct)
    {
        if (result.ItemsRejected > 0 || sharedKeys > 0)
        {
            _logger.LogWarning("Run {RunId}: list {List}: {Rejected} item(s) skipped, {Shared} withheld for a key another item has: {Problems}",
                RunId, result.ListName, result.ItemsRejected, sharedKeys, string.Join(" | ", result.Problems.Select(p => $"item {p.ItemId}: {p.Message}")));
        }
        _ledger.Add(result);
        _observer?.ListProcessed(RunId, result);
        await FlushIfFullAsync(ct);
    }

    private void RecordProblems(string listName, IEnumerable<SourceProblem> problems)
    {
        foreach (var p in problems)
        {
            Buffer(WarehouseTables.EtlProblem, _ledger.TakeProblemId(), RunId, null, ListSourceKind, listName, null, null, p.Message, p.ItemId);
        }
    }

    /// <summary>A column of a list's key, with the field that fills it and whether it holds a date.</summary>
    private sealed record KeyColumn(string Column, string Field, bool IsDate = false);

    /// <summary>
    /// The key no two current items of a list may share: the register's keys, and what makes one score or one status
    /// report (sharepoint-lists.md: one assessment item per initiative, criterion and date). Where items share one,
    /// none of them changes the warehouse (<see cref="OnePerKey"/>): the latest modified item winning silently let a
    /// second item make its author the objektsförvaltare, or flip an initiative's phase back and forth.
    /// </summary>
    private static readonly Dictionary<string, KeyColumn[]> UniqueKeys = new(StringComparer.Ordinal)
    {
        [Lists.Initiatives] = [new("initiative_id", "InitiativId")],
        [Lists.Objects] = [new("object_id", "ObjektId")],
        [Lists.Assessments] = [new("initiative_id", "InitiativId"), new("criterion_code", "Kriterium"), new("assessed_on", "Bedomningsdatum", IsDate: true)],
        [Lists.ProjectStatus] = [new("initiative_id", "InitiativId"), new("report_date", "Rapportdatum", IsDate: true)],
    };

    /// <summary>How many item ids a problem of a shared key names; an item can be copied thousands of times.</summary>
    private const int SharedKeyIdsShown = 10;

    /// <summary>
    /// One problem for each current item of the list whose key another current item has, each naming the key and
    /// all the items that share it, so that whichever item a reader looks at tells what to mend.
    /// </summary>
    private async Task<List<SourceProblem>> SharedKeyProblemsAsync(string listName, CancellationToken ct)
    {
        if (!UniqueKeys.TryGetValue(listName, out var columns))
        {
            return [];
        }
        var table = StagingTableOf(listName).Name;
        var names = string.Join(", ", columns.Select(c => c.Column));
        var rows = await ReadAsync(
            $"""
            SELECT {string.Join(", ", columns.Select(c => "s." + c.Column))}, s.item_id
            FROM {table} s
            JOIN (SELECT {names} FROM {table} GROUP BY {names} HAVING COUNT(*) > 1) d
              ON {string.Join(" AND ", columns.Select(c => $"d.{c.Column} = s.{c.Column}"))}
            """,
            r => new SharedItem(
                // Grouped by the values themselves: two long keys may read alike as excerpts.
                string.Join('\u001f', columns.Select((c, i) => c.IsDate ? DayText(Date(r, i)) : Text(r, i))),
                string.Join(", ", columns.Select((c, i) => KeyPart(c, r, i))),
                Text(r, columns.Length)), ct);
        var problems = new List<SourceProblem>();
        foreach (var key in rows.GroupBy(r => r.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ids = key.Select(r => r.ItemId).OrderBy(id => id.Length).ThenBy(id => id, StringComparer.Ordinal).ToList();
            // An offline export's ids are any text: a long one is quoted as an excerpt, as any value is.
            var shown = string.Join(", ", ids.Take(SharedKeyIdsShown).Select(id => id.Length > InputLimits.ExcerptCharacters ? InputLimits.Excerpt(id) : id)) + (ids.Count > SharedKeyIdsShown ? $" och {ids.Count - SharedKeyIdsShown} till" : "");
            var message = $"{key.First().Shown} finns i {ids.Count} objekt ({shown}). Inget av dem läses in förrän bara ett objekt har den nyckeln; "
                + "till dess gäller det som senast lästes in för den, eller inget om inget har lästs in.";
            problems.AddRange(ids.Select(id => SourceProblem.ForItem(listName, id, message)));
        }
        return problems;
    }

    private sealed record SharedItem(string Key, string Shown, string ItemId);

    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string KeyPart(KeyColumn column, System.Data.Common.DbDataReader r, int i)
    {
        if (column.IsDate)
        {
            return $"{column.Field} {DayText(Date(r, i))}";
        }
        var value = Text(r, i);
        if (column.Field == "Kriterium" && Criteria.All.FirstOrDefault(c => c.Code == value) is { } criterion)
        {
            value = criterion.Name;
        }
        return $"{column.Field} {InputLimits.Excerpt(value)}";
    }

    private static string SharedKeysSentence(IReadOnlyCollection<SourceProblem> shared) => shared.Count switch
    {
        0 => "",
        1 => " 1 objekt har en nyckel som ett annat objekt också har, och läses inte in.",
        _ => $" {shared.Count} objekt har en nyckel som ett annat objekt också har, och läses inte in.",
    };

    private static BulkTable StagingTableOf(string listName) => listName switch
    {
        Lists.Initiatives => WarehouseTables.StgListInitiative,
        Lists.Assessments => WarehouseTables.StgListAssessment,
        Lists.ProjectStatus => WarehouseTables.StgListStatus,
        Lists.Objects => WarehouseTables.StgListObject,
        _ => throw new ArgumentOutOfRangeException(nameof(listName), listName, "Not one of the four lists."),
    };

    private object?[] StagingRow(object item) => item switch
    {
        InitiativeItem i => [i.Origin.ItemId, i.InitiativeId, i.Name, i.Unit, i.Phase, i.InitiativeType, i.NeedType, i.ObjectId, i.OwnerEmail,
            i.GoalCodes.Count == 0 ? null : string.Join(';', i.GoalCodes), i.Hypothesis, i.DecisionDate, i.Origin.LastModifiedUtc, RunId],
        AssessmentItem a => [a.Origin.ItemId, a.InitiativeId, a.CriterionCode, a.Score, a.AssessedOn, a.Comment, a.Origin.LastModifiedUtc, RunId],
        StatusItem s => [s.Origin.ItemId, s.InitiativeId, s.ReportDate, s.Status, s.PercentComplete, s.BudgetSpentSek, s.Comment, s.Origin.LastModifiedUtc, RunId],
        ObjectItem o => [o.Origin.ItemId, o.ObjectId, o.Name, o.ManagerEmail, o.Unit, o.Origin.LastModifiedUtc, RunId],
        _ => throw new ArgumentException($"Not a list item: {item.GetType().Name}", nameof(item)),
    };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
