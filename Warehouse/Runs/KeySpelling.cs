using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// How a key read from a source is spelled as the warehouse already spells it (keys differ not by letter case, as in
/// Power BI), and the notices that say so to whoever keeps the source.
/// </summary>
internal static class KeySpelling
{
    /// <summary>
    /// The spelling a key read from a source is stored with, and, when it was read otherwise, the problem that says so:
    /// the data is loaded as the key, so it is a note for whoever keeps the source, not a rejection.
    /// </summary>
    internal static string? Spell(KeySpellings spellings, string? read, string what, Func<string, SourceProblem> problem, List<SourceProblem> problems)
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

    internal static string KeyVariantMessage(string what, string read, string spelled) =>
        $"{what} {InputLimits.Excerpt(read)} läses som {InputLimits.Excerpt(spelled)}, som samma nyckel redan stavas i lagret eller i en annan källa: "
        + "stora och små bokstäver skiljer inte nycklar åt, lika lite som i Power BI. Inget avvisades.";

    /// <summary>The sentence a file's message ends with when it spelled keys otherwise than they are stored.</summary>
    internal static string KeyVariantsSentence(int variants) => variants switch
    {
        0 => "",
        1 => " 1 nyckel stavades med andra stora eller små bokstäver än i lagret och lästes som den stavas där.",
        _ => $" {variants} nycklar stavades med andra stora eller små bokstäver än i lagret och lästes som de stavas där.",
    };

    /// <summary>The card of a business case with its keys spelled as stored, and a problem naming the cell of each read otherwise.</summary>
    internal static InitiativeCard SpellKeys(RunKeys keys, SourceFile file, BusinessCase businessCase, List<SourceProblem> problems)
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
    internal const string BusinessCaseSheet = "Initiativ";

    /// <summary>A list item with its keys spelled as stored, and a problem against the item for each read otherwise.</summary>
    internal static object SpellKeys(RunKeys keys, string listName, object item, List<SourceProblem> problems)
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
