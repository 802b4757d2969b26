using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    private RunKeys? _keys;

    /// <summary>
    /// The run's key spellings, the stored ones read once, as the first source naming a key comes. A warehouse loaded
    /// before keys were folded has its stored spellings folded to one, and every fact recomputed from them.
    /// </summary>
    private async Task<RunKeys> KeysAsync(CancellationToken ct)
    {
        if (_keys is not null)
        {
            return _keys;
        }
        var (keys, variants) = await RunKeys.ReadStoredAsync(_sql, ct);
        _keys = keys;
        if (variants.Count > 0)
        {
            _logger.LogWarning("Run {RunId}: the warehouse holds {Count} key(s) in other letter case than the key's first spelling; folding them and recomputing every fact: {Variants}",
                RunId, variants.Count, string.Join(", ", variants.Select(v => $"{v.Spelling} -> {v.Key}")));
            await RunKeys.FoldAsync(_sql, variants, ct);
            RecomputeAll();
        }
        return keys;
    }
}
