using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Model;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
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

    private RunKeys? _keys;

    /// <summary>The spellings of initiative ids, units and object ids: those stored, then those this run read first.</summary>
    private sealed class RunKeys
    {
        public KeySpellings Initiatives { get; } = new();

        public KeySpellings Units { get; } = new();

        public KeySpellings Objects { get; } = new();

        public (int Initiatives, int Units, int Objects) Mark => (Initiatives.Mark, Units.Mark, Objects.Mark);

        public void Forget((int Initiatives, int Units, int Objects) mark)
        {
            Initiatives.Forget(mark.Initiatives);
            Units.Forget(mark.Units);
            Objects.Forget(mark.Objects);
        }
    }

    /// <summary>The run's key spellings, the stored ones read once, as the first source naming a key comes.</summary>
    private async Task<RunKeys> KeysAsync(CancellationToken ct)
    {
        if (_keys is not null)
        {
            return _keys;
        }
        var keys = new RunKeys();
        var variants = new List<StoredVariant>();
        foreach (var (kind, spellings, stored) in new[]
                 {
                     (KeyKind.Initiative, keys.Initiatives, StoredInitiativeIds), (KeyKind.Unit, keys.Units, StoredUnits), (KeyKind.Object, keys.Objects, StoredObjectIds),
                 })
        {
            foreach (var (table, column) in stored)
            {
                var values = await ReadAsync($"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL", r => Text(r, 0), ct);
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
        _keys = keys;
        if (variants.Count > 0)
        {
            await FoldStoredVariantsAsync(variants, ct);
        }
        return keys;
    }

    private enum KeyKind
    {
        Initiative,
        Unit,
        Object,
    }

    /// <summary>A spelling a warehouse loaded before keys were folded holds beside the key's first one.</summary>
    private sealed record StoredVariant(KeyKind Kind, string Spelling, string Key);

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

    /// <summary>
    /// Gives a warehouse loaded before keys were folded one spelling of each key: every stored spelling of a key is
    /// rewritten as its first (the list's where a list has it), and every computed fact is rebuilt from them. Otherwise
    /// its duplicates would fail every run's data checks. Where the other spelling holds a row of the same key (two
    /// histories, two survey values, two snapshots of one day), the first spelling's row is kept.
    /// </summary>
    private async Task FoldStoredVariantsAsync(List<StoredVariant> variants, CancellationToken ct)
    {
        _logger.LogWarning("Run {RunId}: the warehouse holds {Count} key(s) in other letter case than the key's first spelling; folding them and recomputing every fact: {Variants}",
            RunId, variants.Count, string.Join(", ", variants.Select(v => $"{v.Spelling} -> {v.Key}")));
        foreach (var (kind, table, column, restOfKey) in StoredKeyColumns)
        {
            foreach (var variant in variants.Where(v => v.Kind == kind))
            {
                var parameters = new List<(string Name, object? Value)> { ("@Spelling", variant.Spelling), ("@Key", variant.Key) };
                if (restOfKey is not null)
                {
                    await ExecuteAsync(
                        $"DELETE FROM {table} WHERE {column} = @Spelling AND EXISTS (SELECT 1 FROM {table} k WHERE k.{column} = @Key AND "
                        + string.Join(" AND ", restOfKey.Select(c => $"k.{c} = {table}.{c}")) + ")", parameters, ct);
                }
                await ExecuteAsync($"UPDATE {table} SET {column} = @Key WHERE {column} = @Spelling", parameters, ct);
            }
        }
        RecomputeAll();
    }

    /// <summary>
    /// The spelling a key read from a source is stored with, and, when it was read otherwise, the problem that says so:
    /// the data is loaded as the key, so it is a note for whoever keeps the source, not a rejection.
    /// </summary>
    private static string? Spell(KeySpellings spellings, string? read, string what, Func<string, SourceProblem> problem, List<SourceProblem> problems)
    {
        if (read is null)
        {
            return null;
        }
        var spelled = spellings.Spell(read);
        if (!string.Equals(spelled, read, StringComparison.Ordinal))
        {
            problems.Add(problem(KeyVariantMessage(what, read, spelled)) with { IsNotice = true });
        }
        return spelled;
    }

    private static string KeyVariantMessage(string what, string read, string spelled) =>
        $"{what} \"{InputLimits.Excerpt(read)}\" läses som \"{InputLimits.Excerpt(spelled)}\", som samma nyckel redan stavas i lagret eller i en annan källa: "
        + "stora och små bokstäver skiljer inte nycklar åt, lika lite som i Power BI. Inget avvisades.";

    /// <summary>The sentence a file's message ends with when it spelled keys otherwise than they are stored.</summary>
    private static string KeyVariantsSentence(int variants) => variants switch
    {
        0 => "",
        1 => " 1 nyckel stavades med andra stora eller små bokstäver än i lagret och lästes som den stavas där.",
        _ => $" {variants} nycklar stavades med andra stora eller små bokstäver än i lagret och lästes som de stavas där.",
    };

    /// <summary>The card of a business case with its keys spelled as stored, and a problem naming the cell of each read otherwise.</summary>
    private InitiativeCard SpellKeys(RunKeys keys, SourceFile file, BusinessCase businessCase, List<SourceProblem> problems)
    {
        var card = businessCase.Initiative;
        Func<string, SourceProblem> At(string label)
        {
            var cell = businessCase.Attributes.FirstOrDefault(a => string.Equals(a.Label, label, StringComparison.OrdinalIgnoreCase))?.Cell;
            return message => cell is null ? SourceProblem.ForSheet(file.Name, BusinessCaseSheet, message) : SourceProblem.ForCell(file.Name, BusinessCaseSheet, cell, message);
        }
        return card with
        {
            InitiativeId = Spell(keys.Initiatives, card.InitiativeId, "Initiativ-ID", At("Initiativ-ID"), problems)!,
            Unit = Spell(keys.Units, card.Unit, "Verksamhet", At("Verksamhet"), problems)!,
            ObjectId = Spell(keys.Objects, card.ObjectId, "Förvaltningsobjekt", At("Förvaltningsobjekt"), problems),
        };
    }

    /// <summary>The sheet of a business case that holds its keys (business-case-workbook.md).</summary>
    private const string BusinessCaseSheet = "Initiativ";

    /// <summary>A list item with its keys spelled as stored, and a problem against the item for each read otherwise.</summary>
    private static object SpellKeys(RunKeys keys, string listName, object item, List<SourceProblem> problems)
    {
        Func<string, SourceProblem> Item(ListItemOrigin origin) => message => SourceProblem.ForItem(listName, origin.ItemId, message);
        return item switch
        {
            InitiativeItem i => i with
            {
                InitiativeId = Spell(keys.Initiatives, i.InitiativeId, "InitiativId", Item(i.Origin), problems)!,
                Unit = Spell(keys.Units, i.Unit, "Verksamhet", Item(i.Origin), problems),
                ObjectId = Spell(keys.Objects, i.ObjectId, "ForvaltningsobjektId", Item(i.Origin), problems),
            },
            ObjectItem o => o with
            {
                ObjectId = Spell(keys.Objects, o.ObjectId, "ObjektId", Item(o.Origin), problems)!,
                Unit = Spell(keys.Units, o.Unit, "Verksamhet", Item(o.Origin), problems),
            },
            AssessmentItem a => a with { InitiativeId = Spell(keys.Initiatives, a.InitiativeId, "InitiativId", Item(a.Origin), problems)! },
            StatusItem s => s with { InitiativeId = Spell(keys.Initiatives, s.InitiativeId, "InitiativId", Item(s.Origin), problems)! },
            _ => item,
        };
    }
}
