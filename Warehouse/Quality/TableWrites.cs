using System.Text.RegularExpressions;

namespace NackaInsights.Warehouse.Quality;

/// <summary>How a run wrote a table.</summary>
[Flags]
public enum TableWrite
{
    None = 0,

    /// <summary>Rows were appended.</summary>
    Inserted = 1,

    /// <summary>Rows were deleted or updated: a row that was there may be gone or different.</summary>
    Changed = 2,
}

/// <summary>How a run wrote one table: how, and which rows, when it knows them by a key column.</summary>
/// <param name="KeyColumn">The column that <paramref name="Keys"/> are values of: <c>initiative_id</c>.</param>
/// <param name="Keys">The values of <paramref name="KeyColumn"/> of every row written; null when the writes were not limited to known keys.</param>
public sealed record TableWriteInfo(TableWrite Kinds, string? KeyColumn, IReadOnlySet<object>? Keys)
{
    public static readonly TableWriteInfo Nothing = new(TableWrite.None, null, new HashSet<object>());

    /// <summary>The keys of the rows written, when they are values of <paramref name="column"/>; else null (any rows).</summary>
    public IReadOnlySet<object>? KeysOf(string column) => Kinds == TableWrite.None ? Keys : KeyColumn == column ? Keys : null;
}

/// <summary>
/// The tables a run wrote, how, and which rows by a key column where it knows them (the initiatives of the rows):
/// what decides which data checks it runs, and over which rows (<see cref="DataChecks.Plan"/>). Only writes that
/// took effect count: an insert of no rows, or a delete or update that matched none, is none.
/// </summary>
public sealed partial class TableWrites
{
    public const string InitiativeColumn = "initiative_id";

    private readonly Dictionary<string, (TableWrite Kinds, string? KeyColumn, HashSet<object>? Keys)> _tables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a write of the rows whose <paramref name="keyColumn"/> is one of <paramref name="keys"/>, or of any rows when either is null.</summary>
    public void Record(string table, TableWrite write, string? keyColumn = null, IEnumerable<object>? keys = null)
    {
        if (write == TableWrite.None)
        {
            return;
        }
        var entry = _tables.TryGetValue(table, out var found) ? found : (Kinds: TableWrite.None, KeyColumn: keyColumn, Keys: new HashSet<object>());
        var ids = entry.Keys;
        if (keys is null || keyColumn is null || (entry.Kinds != TableWrite.None && entry.KeyColumn != keyColumn))
        {
            ids = null;
        }
        else
        {
            ids?.UnionWith(keys);
        }
        _tables[table] = (entry.Kinds | write, ids is null ? null : keyColumn, ids);
    }

    /// <summary>Records a write of rows of <paramref name="initiatives"/>, or of any rows when null.</summary>
    public void RecordInitiatives(string table, TableWrite write, IEnumerable<string>? initiatives) =>
        Record(table, write, initiatives is null ? null : InitiativeColumn, initiatives);

    /// <summary>
    /// Records the write of one SQL statement that changed <paramref name="rowsAffected"/> rows: the table is
    /// the one the statement names (<c>INSERT INTO t</c>, <c>UPDATE t</c>, <c>DELETE FROM t</c>); the rows are
    /// those of <paramref name="initiatives"/>, or any when null.
    /// </summary>
    public void RecordStatement(string sql, int rowsAffected, IEnumerable<string>? initiatives = null)
    {
        var match = StatementPattern().Match(sql);
        if (!match.Success)
        {
            throw new ArgumentException($"Not an INSERT, UPDATE or DELETE of one table: {sql}", nameof(sql));
        }
        if (rowsAffected != 0)
        {
            var verb = match.Groups["verb"].Value;
            RecordInitiatives(match.Groups["table"].Value, verb.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) ? TableWrite.Inserted : TableWrite.Changed, initiatives);
        }
    }

    public TableWriteInfo Of(string table) =>
        _tables.TryGetValue(table, out var entry) ? new TableWriteInfo(entry.Kinds, entry.KeyColumn, entry.Keys) : TableWriteInfo.Nothing;

    public IReadOnlyDictionary<string, TableWriteInfo> Tables =>
        _tables.ToDictionary(t => t.Key, t => new TableWriteInfo(t.Value.Kinds, t.Value.KeyColumn, t.Value.Keys), StringComparer.OrdinalIgnoreCase);

    public bool Any => _tables.Count > 0;

    [GeneratedRegex(@"^\s*(?<verb>INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:dbo\.)?(?<table>[A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.IgnoreCase)]
    private static partial Regex StatementPattern();
}
