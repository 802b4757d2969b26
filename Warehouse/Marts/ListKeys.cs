namespace NackaInsights.Warehouse.Marts;

/// <summary>How the marts built from the lists take their items: one item per key, or none.</summary>
public static class ListKeys
{
    /// <summary>
    /// The one current item of each key, leaving out every key that two or more current items share, and giving those
    /// keys in <paramref name="shared"/>. Such items fail closed: the caller keeps what the key had in the last published
    /// run (or leaves it unknown), rather than letting the latest modified item win, which let any second item with a key
    /// take it over. The list reports the keys with their items. Keys that differ only in letter case are one key
    /// (<see cref="Model.KeyCase"/>): the items are staged with one spelling, and a warehouse staged before that is compared
    /// with <paramref name="comparer"/>, or with a key holding the initiative folded.
    /// </summary>
    public static List<T> OnePerKey<T, TKey>(IEnumerable<T> items, Func<T, TKey> key, out HashSet<TKey> shared, IEqualityComparer<TKey>? comparer = null)
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

    /// <summary>
    /// The same rule in SQL, for a mart that copies a list's items by statement: the keys of <paramref name="column"/> that two
    /// or more staged items of <paramref name="stagingTable"/> share.
    /// </summary>
    public static string SharedKeysSql(string stagingTable, string column) =>
        $"SELECT {column} FROM {stagingTable} GROUP BY {column} HAVING COUNT(*) > 1";
}
