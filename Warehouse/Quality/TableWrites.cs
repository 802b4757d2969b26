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

/// <summary>
/// The tables a run wrote, and how: what decides which data checks it runs (<see cref="DataChecks.AffectedBy"/>).
/// Only writes that took effect count: an insert of no rows, or a delete or update that matched none, is none.
/// </summary>
public sealed partial class TableWrites
{
    private readonly Dictionary<string, TableWrite> _tables = new(StringComparer.OrdinalIgnoreCase);

    public void Record(string table, TableWrite write)
    {
        if (write != TableWrite.None)
        {
            _tables[table] = _tables.GetValueOrDefault(table) | write;
        }
    }

    /// <summary>
    /// Records the write of one SQL statement that changed <paramref name="rowsAffected"/> rows: the table is
    /// the one the statement names (<c>INSERT INTO t</c>, <c>UPDATE t</c>, <c>DELETE FROM t</c>).
    /// </summary>
    public void RecordStatement(string sql, int rowsAffected)
    {
        var match = StatementPattern().Match(sql);
        if (!match.Success)
        {
            throw new ArgumentException($"Not an INSERT, UPDATE or DELETE of one table: {sql}", nameof(sql));
        }
        if (rowsAffected != 0)
        {
            var verb = match.Groups["verb"].Value;
            Record(match.Groups["table"].Value, verb.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) ? TableWrite.Inserted : TableWrite.Changed);
        }
    }

    public TableWrite Of(string table) => _tables.GetValueOrDefault(table);

    public IReadOnlyDictionary<string, TableWrite> Tables => _tables;

    public bool Any => _tables.Count > 0;

    [GeneratedRegex(@"^\s*(?<verb>INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:dbo\.)?(?<table>[A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.IgnoreCase)]
    private static partial Regex StatementPattern();
}
