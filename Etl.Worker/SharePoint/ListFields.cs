using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.SharePoint;

/// <summary>What a field of the contract holds, which decides what kinds of SharePoint column may feed it.</summary>
public enum ListFieldKind
{
    /// <summary>A single line of text.</summary>
    Text,

    /// <summary>Several lines of text.</summary>
    Note,

    /// <summary>A key: the item's own (<c>InitiativId</c>, <c>ObjektId</c>), or another list's (<see cref="ListField.RefersTo"/>), which a lookup column may give.</summary>
    Key,

    /// <summary>An e-mail address, which a person column may give.</summary>
    Email,

    Number,

    /// <summary>A percentage 0–100, which a number column shown as a percentage gives as a fraction.</summary>
    Percent,

    Choice,

    MultiChoice,

    Date,
}

/// <summary>One field of a list of sharepoint-lists.md, by its contract name (the column's default internal name).</summary>
/// <param name="Choices">For a choice field, the contract's values (matched case-insensitively); else empty.</param>
/// <param name="RefersTo">For a key of another list (<c>ForvaltningsobjektId</c>, an assessment's <c>InitiativId</c>): that list, whose key a lookup column to it gives.</param>
/// <param name="IsRequired">Whether an item without it is rejected.</param>
public sealed record ListField(string Name, ListFieldKind Kind, IReadOnlyList<string> Choices, string? RefersTo = null, bool IsRequired = false)
{
    public bool IsChoice => Kind is ListFieldKind.Choice or ListFieldKind.MultiChoice;
}

/// <summary>
/// The fields of the four lists, as sharepoint-lists.md names them: what the configuration maps
/// (<c>GraphOptions:Lists:&lt;list&gt;:Columns:&lt;field&gt;</c>) and what <c>sources check</c> reports on.
/// </summary>
public static class ListFields
{
    public static readonly IReadOnlyList<string> InitiativeTypes = ["Verksamhetsutveckling", "Innovation"];

    public static readonly IReadOnlyList<string> NeedTypes = ["Kommungemensamt", "Verksamhetsbehov"];

    private static readonly Dictionary<string, IReadOnlyList<ListField>> ByList = new(StringComparer.OrdinalIgnoreCase)
    {
        [ListNames.Initiatives] =
        [
            new("Title", ListFieldKind.Text, []),
            new("InitiativId", ListFieldKind.Key, [], IsRequired: true),
            new("Verksamhet", ListFieldKind.Text, []),
            new("Fas", ListFieldKind.Choice, Phases.All),
            new("Typ", ListFieldKind.Choice, InitiativeTypes),
            new("Behov", ListFieldKind.Choice, NeedTypes),
            new("ForvaltningsobjektId", ListFieldKind.Key, [], RefersTo: ListNames.Objects),
            new("AgareEpost", ListFieldKind.Email, []),
            new("StrategiskaMal", ListFieldKind.MultiChoice, [.. StrategicGoals.All.Select(g => g.Name)]),
            new("Hypotes", ListFieldKind.Note, []),
            new("Beslutsdatum", ListFieldKind.Date, []),
        ],
        [ListNames.Assessments] =
        [
            new("InitiativId", ListFieldKind.Key, [], RefersTo: ListNames.Initiatives, IsRequired: true),
            new("Kriterium", ListFieldKind.Choice, [.. Criteria.All.Select(c => c.Name)], IsRequired: true),
            new("Poang", ListFieldKind.Number, [], IsRequired: true),
            new("Bedomningsdatum", ListFieldKind.Date, [], IsRequired: true),
            new("Kommentar", ListFieldKind.Note, []),
        ],
        [ListNames.ProjectStatus] =
        [
            new("InitiativId", ListFieldKind.Key, [], RefersTo: ListNames.Initiatives, IsRequired: true),
            new("Rapportdatum", ListFieldKind.Date, [], IsRequired: true),
            new("Status", ListFieldKind.Choice, ProjectStatuses.All, IsRequired: true),
            new("Fardiggrad", ListFieldKind.Percent, []),
            new("BudgetForbrukad", ListFieldKind.Number, []),
            new("Kommentar", ListFieldKind.Note, []),
        ],
        [ListNames.Objects] =
        [
            new("Title", ListFieldKind.Text, []),
            new("ObjektId", ListFieldKind.Key, [], IsRequired: true),
            new("ForvaltareEpost", ListFieldKind.Email, []),
            new("Verksamhet", ListFieldKind.Text, []),
        ],
    };

    /// <summary>The fields of one of the four lists (<see cref="ListNames.All"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not one of the four lists.</exception>
    public static IReadOnlyList<ListField> Of(string listName) =>
        ByList.TryGetValue(listName, out var fields) ? fields : throw new ArgumentOutOfRangeException(nameof(listName), listName, "Not one of the four lists.");

    /// <summary>A field of a list by its contract name (case-insensitive), or null.</summary>
    public static ListField? Find(string listName, string field) =>
        ByList.TryGetValue(listName, out var fields) ? fields.FirstOrDefault(f => f.Name.Equals(field, StringComparison.OrdinalIgnoreCase)) : null;

    /// <summary>
    /// Whether <paramref name="value"/> is one of a choice field's values, as the parser matches them: ignoring case, and for
    /// <c>Kriterium</c> and <c>StrategiskaMal</c> the spellings <see cref="Criteria.TryFind"/> and <see cref="StrategicGoals.TryFind"/> accept.
    /// </summary>
    public static bool IsValue(ListField field, string value) => field.Name switch
    {
        "Kriterium" => Criteria.TryFind(value, out _),
        "StrategiskaMal" => StrategicGoals.TryFind(value, out _),
        _ => field.Choices.Any(c => c.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase)),
    };

    /// <summary>The key field of a list: the field a lookup to one of its items gives (<c>ObjektId</c>, <c>InitiativId</c>).</summary>
    public static ListField KeyOf(string listName) => Of(listName).First(f => f.Kind == ListFieldKind.Key && f.RefersTo is null);
}
