using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Loads;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Loading;

/// <summary>What the warehouse keeps about reading a list: Graph's delta link, or an offline file's fingerprint.</summary>
public sealed class ListState
{
    public string? DeltaLink { get; init; }

    public string? ContentSha256 { get; init; }

    public long LastRunId { get; init; }

    /// <summary>
    /// How many items the list's last read withheld for a key another item shares; null when not known (a list read before
    /// schema version 20, or since a run folded the stored spellings of keys).
    /// </summary>
    public int? SharedKeyItems { get; init; }
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

// The run's side of the lists: the list names, how each list was last read, and its entry points. A read itself is
// taken in by a ListLoad, through the run's transaction, buffer and ledger.
public sealed partial class RefreshRun : IListReadRecorder
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

    /// <summary>How the list was last read in a published run, or null when it never was.</summary>
    /// <remarks>
    /// Through the run's reader (SQLite's own API there) rather than Dapper, whose row mapping every process compiles anew:
    /// every run asks for the four lists' states. A scale-4 one-changed-workbook run, the same build with either, 4 pairs
    /// interleaved: the four unchanged lists 59-75 -> 59-68 ms of CPU.
    /// </remarks>
    public async Task<ListState?> GetListStateAsync(string listName, CancellationToken ct) =>
        (await _sql.ReadAsync("SELECT delta_link, content_sha256, last_run_id, shared_key_items FROM etl_list_state WHERE list_name = @listName",
            r => new ListState
            {
                DeltaLink = Columns.TextOrNull(r, 0), ContentSha256 = Columns.TextOrNull(r, 1), LastRunId = Columns.Long(r, 2), SharedKeyItems = Columns.IntOrNull(r, 3),
            }, ct, ("@listName", listName)))
        .SingleOrDefault();

    /// <summary>
    /// The keys of the list Forvaltningsobjekt (<c>ObjektId</c>) or Initiativ (<c>InitiativId</c>) by their item ids, as
    /// the run now stands: what a lookup column to one of their items gives. Read after the run's buffered writes, so that
    /// a list read earlier in the run (objects first, initiatives next) is seen with its changes. An item gone or never
    /// valid has no key here.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ListKeysByItemAsync(string listName, CancellationToken ct)
    {
        var sql = listName switch
        {
            Lists.Objects => "SELECT item_id, object_id FROM stg_list_object",
            Lists.Initiatives => "SELECT item_id, initiative_id FROM stg_list_initiative",
            _ => throw new ArgumentOutOfRangeException(nameof(listName), listName, "Only the items of Forvaltningsobjekt and Initiativ are looked up by key."),
        };
        await FlushAsync(ct);
        // Through the run's reader (SQLite's own API there) rather than Dapper, whose row mapping every process compiles
        // anew, as the fingerprints of the files are read (WarehouseLoader): a scale-4 run reads the 8,000 initiatives'
        // keys for the fingerprints of two lists, unchanged or not.
        var rows = await _sql.ReadAsync(sql, r => new ItemKey(r.GetString(0), r.GetString(1)), ct);
        return rows.ToDictionary(r => r.ItemId, r => r.Key, StringComparer.Ordinal);
    }

    /// <summary>Records that an offline list file has the content it had when it was last read (<paramref name="state"/>).</summary>
    /// <remarks>
    /// Keys the list's current items share are reported again: every run that takes the list in says so while they last.
    /// Its staged items are those its last read left, so they are grouped by their key again only when that read withheld
    /// some, or its count is not known, which is then recorded (schema version 20): at scale 4 the four lists' groupings
    /// took about 60 ms of every small run, growing with the warehouse.
    /// </remarks>
    public async Task AddUnchangedListAsync(string listName, ListState state, CancellationToken ct)
    {
        _sourcesOffered = true;
        var shared = state.SharedKeyItems == 0 ? [] : await ListSharedKeys.ProblemsAsync(_sql, listName, ct);
        if (state.SharedKeyItems is null)
        {
            // No pbi_* view shows the count, and no data check reads it.
            await _sql.ExecuteUnrecordedAsync("UPDATE etl_list_state SET shared_key_items = @Count WHERE list_name = @ListName",
                new { Count = shared.Count, ListName = listName }, ct);
        }
        ListStaging.RecordProblems(_buffer, _ledger, RunId, listName, shared);
        var message = $"Samma innehåll som vid läsningen i körning {state.LastRunId}; inte läst igen." + ListSharedKeys.Sentence(shared);
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
    /// that a long list is never held whole (<see cref="ListLoad"/>).
    /// </summary>
    public async Task<ListLoad> BeginListAsync(ListReadInfo read, CancellationToken ct)
    {
        _sourcesOffered = true;
        return await ListLoad.BeginAsync(read, _sql, _buffer, _ledger, KeysAsync, RunId, _time, this, ct);
    }

    /// <summary>
    /// Takes a list read into the run once its load is complete: the run's ledger gets its result. What it staged makes
    /// the marts built from the list due (<see cref="RunTransaction.Pending"/>).
    /// </summary>
    async Task IListReadRecorder.ListReadAsync(ListResult result, int sharedKeys, CancellationToken ct)
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

    private sealed record ItemKey(string ItemId, string Key);
}
