using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.KeySpelling;

namespace NackaInsights.Warehouse.Loads;

/// <summary>
/// What a run does as one of its list reads completes: its ledger records the read, its observer hears of it, and its
/// buffer is written once full. The run implements it; the list load knows the run by nothing else.
/// </summary>
internal interface IListReadRecorder
{
    /// <param name="sharedKeys">How many items the read withheld for a key another item of the list has.</param>
    Task ListReadAsync(ListResult result, int sharedKeys, CancellationToken ct);
}

/// <summary>
/// One read of a list being taken into a run, in parts of any size (<see cref="AddAsync"/>), so that a long list is
/// never held whole. Every item whose content differs from what was last read lands in <c>raw_list_item</c>; a valid
/// one replaces the item's current content in its staging table (<see cref="ListStaging"/>), a removed one (or, for a
/// complete read, one no longer there) deletes it, and a rejected one is skipped, keeping its last valid content, with
/// its problems recorded against the list and the item. It writes only through the run's transaction and buffer.
/// </summary>
public sealed class ListLoad
{
    private static readonly ContentSha RemovedSha = ContentSha.Of("@removed");

    private readonly ListReadInfo _read;
    private readonly BulkTable _staging;
    private readonly Dictionary<string, ContentSha> _lastSeen;
    private readonly RunTransaction _sql;
    private readonly RowBuffer _buffer;
    private readonly RunLedger _ledger;
    private readonly Func<CancellationToken, Task<RunKeys>> _keys;
    private readonly long _runId;
    private readonly TimeProvider _time;
    private readonly IListReadRecorder _recorder;

    // What this read said of each item, by its last mention: Graph may return an item twice across the pages of one delta.
    // Both maps hold an entry for every item of the list, so a fingerprint is kept as its 32 bytes, not as its 64-character
    // text (about 150 bytes more an item: Bedomningar has 88,000 items at scale 4).
    private readonly Dictionary<string, (ContentSha Sha, ItemOutcome Outcome)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<SourceProblem>> _problems = new(StringComparer.Ordinal);
    private bool _completed;

    private enum ItemOutcome
    {
        Same,
        Changed,
        Removed,
        Rejected,
    }

    private ListLoad(ListReadInfo read, Dictionary<string, ContentSha> lastSeen, RunTransaction sql, RowBuffer buffer, RunLedger ledger,
        Func<CancellationToken, Task<RunKeys>> keys, long runId, TimeProvider time, IListReadRecorder recorder)
    {
        _read = read;
        _staging = ListStaging.TableOf(read.ListName);
        _lastSeen = lastSeen;
        _sql = sql;
        _buffer = buffer;
        _ledger = ledger;
        _keys = keys;
        _runId = runId;
        _time = time;
        _recorder = recorder;
    }

    /// <summary>
    /// Begins a read of a list in run <paramref name="runId"/>, knowing each item's content as last landed.
    /// </summary>
    /// <param name="keys">
    /// The run's key spellings, asked for as the first part comes: the run reads the stored ones only when a source first
    /// names a key.
    /// </param>
    internal static async Task<ListLoad> BeginAsync(ListReadInfo read, RunTransaction sql, RowBuffer buffer, RunLedger ledger,
        Func<CancellationToken, Task<RunKeys>> keys, long runId, TimeProvider time, IListReadRecorder recorder, CancellationToken ct)
    {
        var lastSeen = new Dictionary<string, ContentSha>(StringComparer.Ordinal);
        // Read unbuffered into the map, so that the rows are never held beside it.
        using var rows = await sql.Connection.ExecuteReaderAsync(new CommandDefinition(
            """
            SELECT r.item_id, r.content_sha256
            FROM raw_list_item r
            JOIN (SELECT item_id, MAX(run_id) AS run_id FROM raw_list_item WHERE list_name = @ListName GROUP BY item_id) last
              ON last.item_id = r.item_id AND last.run_id = r.run_id
            WHERE r.list_name = @ListName
            """, new { read.ListName }, sql.Transaction, sql.CommandTimeoutSeconds, cancellationToken: ct));
        while (await rows.ReadAsync(ct))
        {
            lastSeen.Add(rows.GetString(0), ContentSha.Parse(rows.GetString(1)));
        }
        return new ListLoad(read, lastSeen, sql, buffer, ledger, keys, runId, time, recorder);
    }

    /// <summary>Takes the next part of the read, in the order the source gave it.</summary>
    public async Task AddAsync(IReadOnlyList<ListItemChange> changes, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var keys = await _keys(ct);
        var latest = changes.GroupBy(c => c.ItemId).Select(g => g.Last()).ToList();
        var raw = new List<object?[]>();
        var deletes = new List<string>();
        var inserts = new List<object?[]>();
        var repeated = new List<string>();
        foreach (var change in latest)
        {
            var sha = change.Removed ? RemovedSha : Fingerprint(change);
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
            raw.Add([_read.ListName, change.ItemId, _runId, change.LastModifiedUtc, change.Removed, sha.ToString(), change.Removed ? null : change.FieldsJson]);
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
                inserts.Add(ListStaging.Row(SpellKeys(keys, _read.ListName, change.Item, notes), _runId));
                if (notes.Count > 0)
                {
                    _problems[change.ItemId] = notes;
                }
                _seen[change.ItemId] = (sha, ItemOutcome.Changed);
            }
        }
        // An item this read already landed is landed again as it now reads.
        await _sql.ExecuteScopedAsync("DELETE FROM raw_list_item WHERE list_name = @ListName AND run_id = @RunId AND {scope}", "item_id", repeated, ct,
            ("@ListName", _read.ListName), ("@RunId", _runId));
        await _sql.InsertAsync(WarehouseTables.RawListItem, raw, ct);
        await _sql.ExecuteScopedAsync($"DELETE FROM {_staging.Name} WHERE {{scope}}", "item_id", deletes, ct);
        await _sql.InsertAsync(_staging, inserts, ct);
        HeapCompaction.WhenGrown();
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
                    raw.Add([_read.ListName, itemId, _runId, null, true, RemovedSha.ToString(), null]);
                    removedNow.Add(itemId);
                }
            }
            await _sql.InsertAsync(WarehouseTables.RawListItem, raw, ct);
            await _sql.ExecuteScopedAsync($"DELETE FROM {_staging.Name} WHERE {{scope}}", "item_id", removedNow, ct);
        }

        var changed = _seen.Values.Count(v => v.Outcome == ItemOutcome.Changed);
        var removed = _seen.Values.Count(v => v.Outcome == ItemOutcome.Removed) + removedNow.Count;
        var rejected = _seen.Values.Count(v => v.Outcome == ItemOutcome.Rejected);
        var shared = await ListSharedKeys.ProblemsAsync(_sql, _read.ListName, ct);
        // With how many items share a key, so that a run finding the file unchanged knows whether to look again (RefreshRun.AddUnchangedListAsync).
        await _sql.ExecuteAsync("DELETE FROM etl_list_state WHERE list_name = @ListName", [("@ListName", _read.ListName)], ct);
        await _sql.InsertAsync(WarehouseTables.EtlListState, [[_read.ListName, _read.DeltaLink, _read.ContentSha256, _runId, _time.UtcNowToTheMillisecond(), shared.Count]], ct);
        // An item withheld for a key another item shares gets no note that its spelling was read as the key's:
        // that note ends "Inget avvisades", and the item was not read in.
        var withheld = shared.Select(p => p.ItemId).ToHashSet(StringComparer.Ordinal);
        var problems = _problems.Values.SelectMany(p => p).Where(p => !(p.IsNotice && withheld.Contains(p.ItemId))).ToList();
        problems.AddRange(shared);
        ListStaging.RecordProblems(_buffer, _ledger, _runId, _read.ListName, problems);
        var message = $"{_seen.Count} objekt lästa: {changed} nya eller ändrade, {removed} borttagna, {rejected} avvisade." + ListSharedKeys.Sentence(shared);
        _buffer.Add(WarehouseTables.EtlListRead, _runId, _read.ListName, _read.Mode, _seen.Count, changed, removed, rejected, message);
        var result = new ListResult(_read.ListName, _read.Mode, _seen.Count, changed, removed, rejected, message, problems);
        await _recorder.ListReadAsync(result, sharedKeys: shared.Count, ct);
    }

    /// <summary>
    /// What says whether an item changed since it was last landed: its fields, and its creation time where it has one (an
    /// item without one is fingerprinted as before the creation time was read, so that no stored item seems changed).
    /// </summary>
    /// <remarks>An item read through a mapping adds what it resolved to (<see cref="ListItemChange.Resolution"/>); one read the contract's way is fingerprinted as before.</remarks>
    private static ContentSha Fingerprint(ListItemChange change) =>
        ContentSha.Of(change.FieldsJson
               + (change.CreatedUtc is { } created ? "\n@createdDateTime:" + created.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "")
               + (change.Resolution is { } resolution ? "\n@resolved:" + resolution : ""));
}

/// <summary>
/// The fingerprint of a list item's content, which says whether it changed since it was last landed: the SHA-256 of its
/// UTF-8 text, kept as its 32 bytes and stored (<c>raw_list_item.content_sha256</c>) as their lowercase hex.
/// </summary>
internal readonly record struct ContentSha(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>The fingerprint of <paramref name="text"/>.</summary>
    public static ContentSha Of(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        // Encoded into a rented buffer, not an array per item: the lists' items were 7 MB of the 820 MB a scale-1 full
        // refresh allocated, each array a first-generation collection's worth sooner.
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            SHA256.HashData(rented.AsSpan(0, length), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return FromBytes(hash);
    }

    /// <summary>
    /// A stored fingerprint. Only the lowercase hex this type writes equals a computed one, as the stored text was compared
    /// before; anything else reads as all zero bytes, which no SHA-256 of a text is found to be.
    /// </summary>
    public static ContentSha Parse(string stored)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (stored.Length != 2 * SHA256.HashSizeInBytes || stored.AsSpan().ContainsAnyExcept(LowerHex)
            || Convert.FromHexString(stored, hash, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return default;
        }
        return FromBytes(hash);
    }

    /// <summary>The stored form: 64 lowercase hex digits.</summary>
    public override string ToString()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        BinaryPrimitives.WriteUInt64BigEndian(hash, A);
        BinaryPrimitives.WriteUInt64BigEndian(hash[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(hash[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(hash[24..], D);
        return Convert.ToHexStringLower(hash);
    }

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private static ContentSha FromBytes(ReadOnlySpan<byte> hash) => new(
        BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(hash[16..]), BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));
}
