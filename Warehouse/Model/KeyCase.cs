namespace NackaInsights.Warehouse.Model;

/// <summary>
/// Initiative ids, units and object ids compared as Power BI compares text: regardless of letter case, but not of
/// accents (<c>Välfärd</c> is not <c>Valfard</c>). Two spellings the warehouse kept apart would be one key to Power BI,
/// and a duplicate on the one side of a relationship fails its refresh.
/// </summary>
public static class KeyCase
{
    /// <summary>Whether two spellings are one key.</summary>
    public static readonly StringComparer Comparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>
    /// The form all spellings of one key share: what <see cref="Comparer"/> compares, culture-invariant, so that
    /// <c>ä</c> and <c>Ä</c> fold alike (SQLite's own <c>upper()</c> folds ASCII only).
    /// </summary>
    public static string Fold(string key) => key.ToUpperInvariant();

    /// <summary>
    /// The object key of initiatives without a known förvaltningsobjekt (<c>pbi_dim_initiative.object_key</c>), and of
    /// the row the Power BI model adds to Förvaltningsobjekt for them, so that row-level security on that table never
    /// hides them. No object of the list may have it.
    /// </summary>
    public const string NoObject = "(inget)";
}

/// <summary>
/// The one spelling each key of a kind (initiative ids, units, object ids) is stored with: the spelling first known,
/// which is the one already stored in the warehouse and otherwise the first read in the run. Every other spelling
/// is read as it.
/// </summary>
public sealed class KeySpellings
{
    private readonly Dictionary<string, string> _spellings = new(KeyCase.Comparer);

    /// <summary>The keys this run added, in order, so that a file's staging can be undone.</summary>
    private readonly List<string> _added = [];

    /// <summary>
    /// A spelling already stored: known without counting as the run's. An earlier stored spelling of the key wins;
    /// returns the spelling the key is known by.
    /// </summary>
    public string KnowStored(string spelling) => _spellings.TryAdd(spelling, spelling) ? spelling : _spellings[spelling];

    /// <summary>How many keys are known.</summary>
    public int Count => _spellings.Count;

    /// <summary>Whether a spelling of <paramref name="key"/>'s key is known, stored or the run's.</summary>
    public bool Knows(string key) => _spellings.ContainsKey(key);

    /// <summary>The spelling <paramref name="read"/> is stored with; a key not known yet becomes known as read.</summary>
    public string Spell(string read)
    {
        if (_spellings.TryGetValue(read, out var known))
        {
            return known;
        }
        _spellings[read] = read;
        _added.Add(read);
        return read;
    }

    /// <summary>How many keys the run has added: what <see cref="Forget"/> takes back to.</summary>
    public int Mark => _added.Count;

    /// <summary>Forgets the keys added since <paramref name="mark"/>: a file whose staging was undone leaves no spelling behind.</summary>
    public void Forget(int mark)
    {
        for (var i = _added.Count - 1; i >= mark; i--)
        {
            _spellings.Remove(_added[i]);
            _added.RemoveAt(i);
        }
    }
}
