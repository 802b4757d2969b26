using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Runs;

/// <summary>The spellings of initiative ids, units and object ids: those stored, then those this run read first.</summary>
internal sealed class RunKeys
{
    public KeySpellings Initiatives { get; } = new();

    public KeySpellings Units { get; } = new();

    public KeySpellings Objects { get; } = new();

    public KeySpellings Of(KeyKind kind) => kind switch
    {
        KeyKind.Initiative => Initiatives,
        KeyKind.Unit => Units,
        _ => Objects,
    };

    public (int Initiatives, int Units, int Objects) Mark => (Initiatives.Mark, Units.Mark, Objects.Mark);

    public void Forget((int Initiatives, int Units, int Objects) mark)
    {
        Initiatives.Forget(mark.Initiatives);
        Units.Forget(mark.Units);
        Objects.Forget(mark.Objects);
    }

    /// <summary>
    /// The spellings the warehouse holds, and each spelling that a warehouse loaded before keys were folded holds beside
    /// the key's first one (<see cref="FoldAsync"/> rewrites them).
    /// </summary>
    public static async Task<(RunKeys Keys, List<StoredVariant> Variants)> ReadStoredAsync(RunTransaction sql, CancellationToken ct)
    {
        var keys = new RunKeys();
        var variants = new List<StoredVariant>();
        foreach (var (kind, spellings, stored) in new[]
                 {
                     (KeyKind.Initiative, keys.Initiatives, StoredInitiativeIds), (KeyKind.Unit, keys.Units, StoredUnits), (KeyKind.Object, keys.Objects, StoredObjectIds),
                 })
        {
            foreach (var (table, column) in stored)
            {
                var values = await sql.ReadAsync($"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL", r => Columns.Text(r, 0), ct);
                foreach (var value in values.Order(StringComparer.Ordinal))
                {
                    var known = spellings.KnowStored(value);
                    if (!string.Equals(known, value, StringComparison.Ordinal) && !variants.Any(v => v.Kind == kind && v.Spelling == value))
                    {
                        variants.Add(new StoredVariant(kind, value, known));
                    }
                }
            }
        }
        return (keys, variants);
    }

    /// <summary>
    /// Whether <paramref name="key"/> is stored as spelled, looked up in its dimension (an index seek). Where every key has
    /// one stored spelling (<c>etl_key_fold</c>), a key found so is stored so; one not found may be new, or stored
    /// otherwise, or stored outside its dimension (a list item naming an unknown initiative), and the caller reads every
    /// stored spelling (<see cref="ReadStoredAsync"/>).
    /// </summary>
    public static async Task<bool> IsStoredAsync(RunTransaction sql, KeyKind kind, string key, CancellationToken ct)
    {
        var (table, column) = kind switch
        {
            KeyKind.Initiative => ("dim_initiative", "initiative_id"),
            KeyKind.Unit => ("dim_unit", "unit"),
            _ => ("dim_object", "object_id"),
        };
        return await sql.CountAsync($"SELECT COUNT(*) FROM {table} WHERE {column} = @Key", ct, ("@Key", key)) > 0;
    }

    /// <summary>Whether a run has read every stored spelling and left one of each key (schema version 21).</summary>
    public static async Task<bool> AreFoldedAsync(RunTransaction sql, CancellationToken ct) =>
        await sql.CountAsync("SELECT COUNT(*) FROM etl_key_fold", ct) > 0;

    /// <summary>Records that this run read every stored spelling and left one of each key: later runs look keys up (<see cref="IsStoredAsync"/>).</summary>
    public static Task RecordFoldedAsync(RunTransaction sql, long runId, CancellationToken ct) =>
        // No pbi_* view reads it, and no data check.
        sql.ExecuteUnrecordedAsync("INSERT INTO etl_key_fold (run_id) VALUES (@RunId)", new { RunId = runId }, ct);

    /// <summary>
    /// Gives a warehouse loaded before keys were folded one spelling of each key: every stored spelling of a key is
    /// rewritten as its first (the list's where a list has it), and the caller rebuilds every computed fact from them. Otherwise
    /// its duplicates would fail every run's data checks. Where the other spelling holds a row of the same key (two
    /// histories, two survey values, two snapshots of one day), the first spelling's row is kept. Every list's count of
    /// items withheld for a shared key becomes unknown, since folding can make two staged items share one.
    /// </summary>
    public static async Task FoldAsync(RunTransaction sql, List<StoredVariant> variants, CancellationToken ct)
    {
        foreach (var (kind, table, column, restOfKey) in StoredKeyColumns)
        {
            foreach (var variant in variants.Where(v => v.Kind == kind))
            {
                var parameters = new List<(string Name, object? Value)> { ("@Spelling", variant.Spelling), ("@Key", variant.Key) };
                if (restOfKey is not null)
                {
                    await sql.ExecuteAsync(
                        $"DELETE FROM {table} WHERE {column} = @Spelling AND EXISTS (SELECT 1 FROM {table} k WHERE k.{column} = @Key AND "
                        + string.Join(" AND ", restOfKey.Select(c => $"k.{c} = {table}.{c}")) + ")", parameters, ct);
                }
                await sql.ExecuteAsync($"UPDATE {table} SET {column} = @Key WHERE {column} = @Spelling", parameters, ct);
            }
        }
        // Folded, two staged items of a list may now share a key: a run finding the list unchanged looks again
        // (RefreshRun.AddUnchangedListAsync). No pbi_* view shows the count.
        await sql.ExecuteUnrecordedAsync("UPDATE etl_list_state SET shared_key_items = NULL", new { }, ct);
    }

    /// <summary>
    /// Where spellings of each kind of key are stored, the lists' own first: a key stored in several spellings (by a
    /// warehouse loaded before keys were folded) takes the list's, and within one table the first in ordinal order.
    /// </summary>
    private static readonly (string Table, string Column)[] StoredInitiativeIds =
    [
        ("stg_list_initiative", "initiative_id"), ("dim_initiative", "initiative_id"), ("fct_business_case_version", "initiative_id"),
        ("stg_list_assessment", "initiative_id"), ("stg_list_status", "initiative_id"), ("fct_benefit_actual", "initiative_id"),
        ("dim_initiative_version", "initiative_id"), ("fct_project_status_snapshot", "initiative_id"),
    ];

    private static readonly (string Table, string Column)[] StoredUnits =
    [
        ("stg_list_object", "unit"), ("stg_list_initiative", "unit"), ("dim_unit", "unit"), ("fct_business_case_version", "unit"), ("fct_survey_result", "unit"),
        ("dim_initiative_version", "unit"),
    ];

    private static readonly (string Table, string Column)[] StoredObjectIds =
    [
        ("stg_list_object", "object_id"), ("dim_object", "object_id"), ("stg_list_initiative", "object_id"), ("fct_business_case_version", "object_id"),
        ("dim_initiative_version", "object_id"),
    ];

    /// <summary>
    /// The columns a stored spelling is rewritten in, with the rest of the table's primary key where the column is part
    /// of it. Tables the run rebuilds whole on a recompute (the dimensions, evaluations, status, realisation, index,
    /// access) are not among them: the recompute builds them from these.
    /// </summary>
    private static readonly (KeyKind Kind, string Table, string Column, string[]? RestOfKey)[] StoredKeyColumns =
    [
        (KeyKind.Initiative, "stg_list_initiative", "initiative_id", null), (KeyKind.Initiative, "stg_list_assessment", "initiative_id", null),
        (KeyKind.Initiative, "stg_list_status", "initiative_id", null), (KeyKind.Initiative, "fct_business_case_version", "initiative_id", null),
        (KeyKind.Initiative, "fct_business_case_year", "initiative_id", null), (KeyKind.Initiative, "fct_benefit_actual", "initiative_id", null),
        (KeyKind.Initiative, "dim_initiative_version", "initiative_id", ["version_no"]),
        (KeyKind.Initiative, "fct_project_status_snapshot", "initiative_id", ["snapshot_date"]),
        (KeyKind.Unit, "stg_list_object", "unit", null), (KeyKind.Unit, "stg_list_initiative", "unit", null), (KeyKind.Unit, "fct_business_case_version", "unit", null),
        (KeyKind.Unit, "dim_initiative_version", "unit", null), (KeyKind.Unit, "fct_survey_result", "unit", ["year", "dimension"]),
        (KeyKind.Object, "stg_list_object", "object_id", null), (KeyKind.Object, "stg_list_initiative", "object_id", null),
        (KeyKind.Object, "fct_business_case_version", "object_id", null), (KeyKind.Object, "dim_initiative_version", "object_id", null),
    ];
}

/// <summary>The kinds of key a source names.</summary>
internal enum KeyKind
{
    Initiative,
    Unit,
    Object,
}

/// <summary>A spelling a warehouse loaded before keys were folded holds beside the key's first one.</summary>
internal sealed record StoredVariant(KeyKind Kind, string Spelling, string Key);
