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

/// <summary>How a run wrote one table: how, and the initiatives of the rows written, when they are known.</summary>
/// <param name="Initiatives">The initiatives of every row written; null when the writes were not limited to known initiatives.</param>
public sealed record TableWriteInfo(TableWrite Kinds, IReadOnlySet<string>? Initiatives)
{
    public static readonly TableWriteInfo Nothing = new(TableWrite.None, new HashSet<string>());
}

/// <summary>
/// The tables a run wrote, how, and of which initiatives: what decides which data checks it runs, and over which
/// rows (<see cref="DataChecks.Plan"/>). Only writes that took effect count: an insert of no rows, or a delete or
/// update that matched none, is none.
/// </summary>
public sealed partial class TableWrites
{
    private readonly Dictionary<string, (TableWrite Kinds, HashSet<string>? Initiatives)> _tables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a write of rows of <paramref name="initiatives"/>, or of any rows when null.</summary>
    public void Record(string table, TableWrite write, IEnumerable<string>? initiatives = null)
    {
        if (write == TableWrite.None)
        {
            return;
        }
        if (!_tables.TryGetValue(table, out var entry))
        {
            entry = (TableWrite.None, new HashSet<string>(StringComparer.Ordinal));
        }
        var ids = entry.Initiatives;
        if (initiatives is null)
        {
            ids = null;
        }
        else
        {
            ids?.UnionWith(initiatives);
        }
        _tables[table] = (entry.Kinds | write, ids);
    }

    /// <summary>
    /// Records the write of one SQL statement that changed <paramref name="rowsAffected"/> rows: the table is
    /// the one the statement names (<c>INSERT INTO t</c>, <c>UPDATE t</c>, <c>DELETE FROM t</c>).
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
            Record(match.Groups["table"].Value, verb.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) ? TableWrite.Inserted : TableWrite.Changed, initiatives);
        }
    }

    public TableWriteInfo Of(string table) =>
        _tables.TryGetValue(table, out var entry) ? new TableWriteInfo(entry.Kinds, entry.Initiatives) : TableWriteInfo.Nothing;

    public IReadOnlyDictionary<string, TableWriteInfo> Tables => _tables.ToDictionary(t => t.Key, t => new TableWriteInfo(t.Value.Kinds, t.Value.Initiatives), StringComparer.OrdinalIgnoreCase);

    public bool Any => _tables.Count > 0;

    [GeneratedRegex(@"^\s*(?<verb>INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:dbo\.)?(?<table>[A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.IgnoreCase)]
    private static partial Regex StatementPattern();
}
