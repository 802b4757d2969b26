using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// The rows a run's loads have taken in and not yet written: bulk-inserted table by table in <see cref="WarehouseTables.FlushOrder"/>
/// (parents first), so that many small sources cost a few large inserts.
/// </summary>
public sealed class RowBuffer
{
    /// <summary>Beyond this many rows the buffer is written (<see cref="IsFull"/>): a large source is never held whole.</summary>
    public const int FlushThreshold = 20_000;

    private readonly Dictionary<BulkTable, List<object?[]>> _rows = [];

    /// <summary>How many rows it holds.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count >= FlushThreshold;

    public void Add(BulkTable table, params object?[] row)
    {
        if (!_rows.TryGetValue(table, out var rows))
        {
            _rows[table] = rows = [];
        }
        rows.Add(row);
        Count++;
    }

    /// <summary>Whether it holds a row of any of <paramref name="tables"/> (by name).</summary>
    public bool Holds(IReadOnlySet<string> tables) => _rows.Any(r => r.Value.Count > 0 && tables.Contains(r.Key.Name));

    /// <summary>Writes every row it holds in the run's transaction.</summary>
    public async Task FlushAsync(RunTransaction sql, CancellationToken ct)
    {
        foreach (var table in WarehouseTables.FlushOrder)
        {
            if (_rows.TryGetValue(table, out var rows) && rows.Count > 0)
            {
                await sql.InsertAsync(table, rows, ct);
                rows.Clear();
            }
        }
        Count = 0;
        HeapCompaction.WhenGrown();
    }

    /// <summary>How many rows of each table it holds, to go back to (<see cref="Forget"/>) when a file's staging is undone.</summary>
    public sealed record Mark(IReadOnlyDictionary<BulkTable, int> Rows, int Count);

    public Mark Marked() => new(_rows.ToDictionary(r => r.Key, r => r.Value.Count), Count);

    /// <summary>Forgets every row added since <paramref name="mark"/>, which must be since the last flush.</summary>
    public void Forget(Mark mark)
    {
        foreach (var (table, rows) in _rows)
        {
            var keep = mark.Rows.GetValueOrDefault(table);
            if (rows.Count > keep)
            {
                rows.RemoveRange(keep, rows.Count - keep);
            }
        }
        Count = mark.Count;
    }
}
