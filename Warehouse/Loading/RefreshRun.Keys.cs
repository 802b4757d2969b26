using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    private RunKeys? _keys;

    /// <summary>Whether <see cref="_keys"/> holds every stored spelling, not only the keys this run looked up.</summary>
    private bool _keysWhole;

    /// <summary>Whether every stored key has one spelling (<c>etl_key_fold</c>); null until asked.</summary>
    private bool? _keysFolded;

    /// <summary>
    /// The run's key spellings with every stored one, read once. A warehouse loaded before keys were folded has its
    /// stored spellings folded to one, and every fact recomputed from them.
    /// </summary>
    private async Task<RunKeys> KeysAsync(CancellationToken ct)
    {
        if (_keys is not null && _keysWhole)
        {
            return _keys;
        }
        // Keys looked up before are stored spellings, so they are among these; the run has added none of its own yet.
        var (keys, variants) = await RunKeys.ReadStoredAsync(_sql, ct);
        _keys = keys;
        _keysWhole = true;
        _logger.LogDebug("Run {RunId}: read every stored spelling of the keys: {Initiatives} initiative ids, {Units} units, {Objects} object ids",
            RunId, keys.Initiatives.Count, keys.Units.Count, keys.Objects.Count);
        if (variants.Count > 0)
        {
            _logger.LogWarning("Run {RunId}: the warehouse holds {Count} key(s) in other letter case than the key's first spelling; folding them and recomputing every fact: {Variants}",
                RunId, variants.Count, string.Join(", ", variants.Select(v => $"{v.Spelling} -> {v.Key}")));
            await RunKeys.FoldAsync(_sql, variants, ct);
            RecomputeAll();
        }
        return keys;
    }

    /// <summary>
    /// The run's key spellings, enough to spell <paramref name="wanted"/> as the warehouse does. Once every stored key has
    /// one spelling (<c>etl_key_fold</c>), a key the run does not know yet is looked up as spelled in its dimension, and
    /// found there it is stored so. Every stored spelling is read (<see cref="KeysAsync"/>) only for a key not found: a
    /// new key, one spelled otherwise, or one stored outside its dimension. A run changing one business case of a known
    /// initiative so makes three index seeks rather than read 19 tables' keys (issue 21).
    /// </summary>
    private async Task<RunKeys> KeysForAsync(IEnumerable<(KeyKind Kind, string? Key)> wanted, CancellationToken ct)
    {
        if (_keys is not null && _keysWhole)
        {
            return _keys;
        }
        if (!await KeysFoldedAsync(ct))
        {
            return await KeysAsync(ct);
        }
        _keys ??= new RunKeys();
        foreach (var (kind, key) in wanted)
        {
            if (key is null || _keys.Of(kind).Knows(key))
            {
                continue;
            }
            if (!await RunKeys.IsStoredAsync(_sql, kind, key, ct))
            {
                return await KeysAsync(ct);
            }
            _keys.Of(kind).KnowStored(key);
        }
        return _keys;
    }

    private async Task<bool> KeysFoldedAsync(CancellationToken ct) => _keysFolded ??= await RunKeys.AreFoldedAsync(_sql, ct);

    /// <summary>
    /// Reads every stored spelling once in a warehouse's life, for a run given no key to spell too: an upgraded warehouse
    /// loaded before keys were folded gets one spelling of each, and the run records that later runs may look keys up.
    /// </summary>
    private async Task FoldStoredKeysOnceAsync(CancellationToken ct)
    {
        if (await KeysFoldedAsync(ct))
        {
            return;
        }
        await KeysAsync(ct);
        await RunKeys.RecordFoldedAsync(_sql, RunId, ct);
        _keysFolded = true;
    }
}
