using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;

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

    private const int DeleteBatch = 500;
    private static readonly string RemovedSha = Sha256("@removed");

    private readonly HashSet<string> _listsChanged = [];
    private readonly List<ListResult> _lists = [];

    /// <summary>How the list was last read in a published run, or null when it never was.</summary>
    public async Task<ListState?> GetListStateAsync(string listName, CancellationToken ct) =>
        await _connection.QuerySingleOrDefaultAsync<ListState>(new CommandDefinition(
            "SELECT delta_link AS DeltaLink, content_sha256 AS ContentSha256, last_run_id AS LastRunId FROM etl_list_state WHERE list_name = @listName",
            new { listName }, Transaction, cancellationToken: ct));

    /// <summary>Records that an offline list file has the content it had when it was last read.</summary>
    public Task AddUnchangedListAsync(string listName, long lastRunId, CancellationToken ct)
    {
        _sourcesOffered = true;
        var message = $"Samma innehåll som vid läsningen i körning {lastRunId}; inte läst igen.";
        Buffer(WarehouseTables.EtlListRead, RunId, listName, ListReadModes.Unchanged, 0, 0, 0, 0, message);
        var result = new ListResult(listName, ListReadModes.Unchanged, 0, 0, 0, 0, message, []);
        _lists.Add(result);
        _observer?.ListProcessed(RunId, result);
        return FlushIfFullAsync(ct);
    }

    /// <summary>
    /// Takes one read of a list into the run. Every item whose content differs from what was last read
    /// lands in <c>raw_list_item</c>; a valid one replaces the item's current content, a removed one
    /// (or, for a complete read, one no longer there) deletes it, and a rejected one is skipped, keeping
    /// its last valid content, with its problems recorded against the list and the item.
    /// </summary>
    public async Task AddListAsync(ListReadInfo read, IReadOnlyList<ListItemChange> changes, CancellationToken ct)
    {
        _sourcesOffered = true;
        var staging = StagingTableOf(read.ListName);
        // Graph may return an item twice across the pages of one delta: the last one counts.
        var latest = changes.GroupBy(c => c.ItemId).Select(g => g.Last()).ToList();
        var lastSeen = (await _connection.QueryAsync<(string ItemId, string Sha)>(new CommandDefinition(
            """
            SELECT r.item_id, r.content_sha256
            FROM raw_list_item r
            JOIN (SELECT item_id, MAX(run_id) AS run_id FROM raw_list_item WHERE list_name = @ListName GROUP BY item_id) last
              ON last.item_id = r.item_id AND last.run_id = r.run_id
            WHERE r.list_name = @ListName
            """, new { read.ListName }, Transaction, _database.CommandTimeoutSeconds, cancellationToken: ct)))
            .ToDictionary(r => r.ItemId, r => r.Sha, StringComparer.Ordinal);

        var raw = new List<object?[]>();
        var deletes = new List<string>();
        var inserts = new List<object?[]>();
        var problems = new List<SourceProblem>();
        int changed = 0, removed = 0, rejected = 0;
        foreach (var change in latest)
        {
            var sha = change.Removed ? RemovedSha : Sha256(change.FieldsJson);
            if (lastSeen.TryGetValue(change.ItemId, out var last) && last == sha)
            {
                continue;
            }
            raw.Add([read.ListName, change.ItemId, RunId, change.LastModifiedUtc, change.Removed, sha, change.Removed ? null : change.FieldsJson]);
            if (change.Removed)
            {
                deletes.Add(change.ItemId);
                removed++;
            }
            else if (change.Item is null)
            {
                problems.AddRange(change.Problems);
                rejected++;
            }
            else
            {
                deletes.Add(change.ItemId);
                inserts.Add(StagingRow(change.Item));
                changed++;
            }
        }
        if (read.IsComplete)
        {
            var present = latest.Select(c => c.ItemId).ToHashSet(StringComparer.Ordinal);
            foreach (var (itemId, sha) in lastSeen)
            {
                if (sha != RemovedSha && !present.Contains(itemId))
                {
                    raw.Add([read.ListName, itemId, RunId, null, true, RemovedSha, null]);
                    deletes.Add(itemId);
                    removed++;
                }
            }
        }

        await InsertAsync(WarehouseTables.RawListItem, raw, ct);
        foreach (var batch in deletes.Chunk(DeleteBatch))
        {
            var parameters = new DynamicParameters();
            var names = batch.Select((id, i) =>
            {
                parameters.Add($"i{i}", id);
                return $"@i{i}";
            });
            await ExecuteDapperAsync($"DELETE FROM {staging.Name} WHERE item_id IN ({string.Join(", ", names)})", parameters, ct);
        }
        await InsertAsync(staging, inserts, ct);

        await ExecuteAsync("DELETE FROM etl_list_state WHERE list_name = @ListName", [("@ListName", read.ListName)], ct);
        await InsertAsync(WarehouseTables.EtlListState, [[read.ListName, read.DeltaLink, read.ContentSha256, RunId, Clock.UtcNow()]], ct);

        foreach (var p in problems)
        {
            Buffer(WarehouseTables.EtlProblem, _nextProblemId++, RunId, null, ListSourceKind, read.ListName, null, null, p.Message, p.ItemId);
        }
        var message = $"{latest.Count} objekt lästa: {changed} nya eller ändrade, {removed} borttagna, {rejected} avvisade.";
        Buffer(WarehouseTables.EtlListRead, RunId, read.ListName, read.Mode, latest.Count, changed, removed, rejected, message);
        if (changed + removed > 0)
        {
            _listsChanged.Add(read.ListName);
            _catalogue = null;
        }
        if (rejected > 0)
        {
            _logger.LogWarning("Run {RunId}: list {List}: {Rejected} item(s) skipped: {Problems}", RunId, read.ListName, rejected,
                string.Join(" | ", problems.Select(p => $"item {p.ItemId}: {p.Message}")));
        }
        var result = new ListResult(read.ListName, read.Mode, latest.Count, changed, removed, rejected, message, problems);
        _lists.Add(result);
        _observer?.ListProcessed(RunId, result);
        await FlushIfFullAsync(ct);
    }

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
