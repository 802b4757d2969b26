namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// Per list, the items left out of the model because their initiative is unknown, as the list's latest rebuild in the
/// run found them. The model may be rebuilt more than once in a run (actuals are judged part way): the last rebuild of a
/// list speaks for it, and a rebuild of some initiatives (newly known ones) speaks for their items only.
/// </summary>
public sealed class UnknownInitiativeItems
{
    private readonly Dictionary<string, List<(string ItemId, string InitiativeId)>> _items = [];

    /// <summary>A rebuild of every initiative's rows of a list: what it found replaces all that was found before.</summary>
    public void Reset(string listName) => _items[listName] = [];

    public void Report(string listName, IReadOnlyCollection<string>? scope, IEnumerable<(string ItemId, string InitiativeId)> items)
    {
        if (scope is null || !_items.TryGetValue(listName, out var reported))
        {
            _items[listName] = items.ToList();
            return;
        }
        var rebuilt = scope.ToHashSet(StringComparer.Ordinal);
        reported.RemoveAll(i => rebuilt.Contains(i.InitiativeId));
        reported.AddRange(items);
    }

    /// <summary>Every item left out, by list, and forgets them.</summary>
    public IReadOnlyList<(string ListName, string ItemId, string InitiativeId)> Take()
    {
        var all = _items.SelectMany(l => l.Value.Select(i => (l.Key, i.ItemId, i.InitiativeId))).ToList();
        _items.Clear();
        return all;
    }
}
