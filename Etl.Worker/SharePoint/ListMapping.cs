namespace NackaInsights.Etl.SharePoint;

/// <summary>One contract field as a list has it: the column it is read from, and that column's definition when the source gives one.</summary>
/// <param name="Column">The column's internal name; null when the configuration says the list has none for the field.</param>
/// <param name="Definition">The column's definition; null when the source gives none (an offline export without <c>.columns.json</c>) or the list lacks the column.</param>
public sealed record MappedField(ListField Field, string? Column, ListColumn? Definition)
{
    /// <summary>Whether the value is a person column's user id, resolved through the site's user information list.</summary>
    public bool IsPerson => Definition?.Kind == ListColumnKind.Person;

    /// <summary>Whether the value is a lookup column's item id, resolved to the looked-up item's key (<see cref="ListField.RefersTo"/>).</summary>
    public bool IsKeyLookup => Definition?.Kind == ListColumnKind.Lookup && Field.RefersTo is not null;

    /// <summary>Whether the value is a number shown as a percentage, given as a fraction: multiplied by 100.</summary>
    public bool IsFraction => Field.Kind == ListFieldKind.Percent && Definition is { Kind: ListColumnKind.Number, IsPercentage: true };
}

/// <summary>
/// One list's mapping, resolved: for each contract field the column it reads (<see cref="GraphListOptions"/>) and, where
/// the source describes its columns, that column's kind; what the configuration asks for that the list does not have; and
/// the columns to ask Graph for (<c>$select</c>).
/// </summary>
public sealed class ListMapping
{
    private readonly Dictionary<string, MappedField> _byField;

    private ListMapping(string listName, GraphListOptions options, IReadOnlyList<ListColumn>? columns, IReadOnlyList<MappedField> fields, IReadOnlyList<string> problems)
    {
        ListName = listName;
        Options = options;
        Columns = columns;
        Fields = fields;
        Problems = problems;
        _byField = fields.ToDictionary(f => f.Field.Name, StringComparer.OrdinalIgnoreCase);
        _fingerprint = new Lazy<string?>(ComputeFingerprint);
    }

    private string? ComputeFingerprint()
    {
        var parts = new List<string>();
        foreach (var f in Fields)
        {
            if (!string.Equals(f.Column, f.Field.Name, StringComparison.Ordinal) || f.IsPerson || f.IsKeyLookup || f.IsFraction)
            {
                parts.Add($"{f.Field.Name}={f.Column}|{(f.IsPerson ? "person" : f.IsKeyLookup ? "lookup" : f.IsFraction ? "fraction" : "")}");
            }
        }
        foreach (var (field, values) in Options.Choices.OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase))
        {
            foreach (var (theirs, ours) in (values ?? []).OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase))
            {
                parts.Add($"{field}:{theirs.Trim().ToUpperInvariant()}={ours?.Trim()}");
            }
        }
        return parts.Count == 0
            ? null
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", parts))));
    }

    public string ListName { get; }

    public GraphListOptions Options { get; }

    /// <summary>The list's column definitions, or null when the source gives none.</summary>
    public IReadOnlyList<ListColumn>? Columns { get; }

    /// <summary>Every field of the list, in the contract's order.</summary>
    public IReadOnlyList<MappedField> Fields { get; }

    /// <summary>
    /// What cannot work as configured, in English for the operator, each naming the field, the column and the setting: a
    /// mapped column the list does not have, or one of a kind that cannot give the field. Empty without column definitions.
    /// </summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>A field by its contract name.</summary>
    public MappedField this[string field] => _byField[field];

    /// <summary>
    /// A fingerprint of how this mapping reads items differently from the contract's own reading: the fields read from a
    /// column of another name, as a person, a lookup or a fraction, and the choice values mapped. Null when it reads them
    /// the contract's way, so that an item read so keeps the fingerprint it had before mappings existed.
    /// </summary>
    public string? Fingerprint => _fingerprint.Value;

    private readonly Lazy<string?> _fingerprint;

    /// <summary>Whether any field is read from a person column (so the site's user information list is needed).</summary>
    public bool HasPersonColumns => Fields.Any(f => f.IsPerson);

    /// <summary>Whether any field is a lookup to another of the four lists (so that list's keys by item id are needed).</summary>
    public bool HasKeyLookups => Fields.Any(f => f.IsKeyLookup);

    /// <summary>
    /// The fields to ask Graph for (<c>$expand=fields($select=...)</c>): each mapped column, as Graph names its value: a
    /// single person or lookup column as <c>&lt;Column&gt;LookupId</c>, a multiple one by its name (Graph gives an array of
    /// <c>{LookupId, LookupValue}</c>). Null without column definitions: every field is asked for, as the kinds are unknown.
    /// </summary>
    public IReadOnlyList<string>? Select =>
        Columns is null
            ? null
            : Fields.Where(f => f.Column is not null && f.Definition is not null)
                .SelectMany(f => f.Definition!.IsLookupKind
                    ? f.Definition.AllowsMultiple ? [f.Column!] : f.Field.RefersTo is null && f.Definition.Kind == ListColumnKind.Lookup ? [f.Column!, f.Column + "LookupId"] : new[] { f.Column + "LookupId" }
                    : [f.Column!])
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();

    /// <summary>The mapping of <paramref name="listName"/> under <paramref name="options"/>, against the list's columns when known.</summary>
    public static ListMapping Create(string listName, GraphListOptions? options, IReadOnlyList<ListColumn>? columns)
    {
        options ??= new GraphListOptions();
        var setting = $"{GraphOptions.Section}:Lists:{listName}:Columns";
        var byName = columns?.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var fields = new List<MappedField>();
        var problems = new List<string>();
        foreach (var field in ListFields.Of(listName))
        {
            var column = options.ColumnOf(field.Name);
            ListColumn? definition = null;
            if (column is not null && byName is not null && !byName.TryGetValue(column, out definition))
            {
                var mapped = options.Columns.ContainsKey(field.Name);
                var near = columns!.FirstOrDefault(c => c.DisplayName.Equals(column, StringComparison.OrdinalIgnoreCase));
                problems.Add(
                    $"{field.Name}: the list has no column with the internal name {column}" +
                    (near is not null ? $" (the column shown as \"{near.DisplayName}\" is named {near.Name} inside; set {setting}:{field.Name} = {near.Name})"
                        : mapped ? $" ({setting}:{field.Name})" : $"; map the column that holds it with {setting}:{field.Name}"));
            }
            else if (definition is not null && Unfit(field, definition) is { } why)
            {
                problems.Add($"{field.Name}: the column {column} is a {definition.Describe()} column, which cannot give {why} ({setting}:{field.Name})");
            }
            fields.Add(new MappedField(field, column, definition));
        }
        return new ListMapping(listName, options, columns, fields, problems);
    }

    /// <summary>Why a column of this kind cannot feed the field, or null when it can.</summary>
    private static string? Unfit(ListField field, ListColumn column) => (field.Kind, column.Kind) switch
    {
        (_, ListColumnKind.Person) when field.Kind != ListFieldKind.Email => "anything but an e-mail address",
        (ListFieldKind.Email, ListColumnKind.Number or ListColumnKind.Currency or ListColumnKind.DateTime or ListColumnKind.Boolean) => "an e-mail address",
        (ListFieldKind.Key, ListColumnKind.DateTime or ListColumnKind.Boolean or ListColumnKind.Currency) => "a key",
        (ListFieldKind.Key, ListColumnKind.Lookup) when field.RefersTo is null => "the item's own key (a lookup gives another item's)",
        (ListFieldKind.Number or ListFieldKind.Percent, ListColumnKind.Lookup or ListColumnKind.DateTime or ListColumnKind.Boolean or ListColumnKind.Choice) => "a number",
        (ListFieldKind.Choice or ListFieldKind.MultiChoice, ListColumnKind.Number or ListColumnKind.Currency or ListColumnKind.DateTime or ListColumnKind.Boolean) => "a choice value",
        (ListFieldKind.Date, ListColumnKind.Number or ListColumnKind.Currency or ListColumnKind.Boolean or ListColumnKind.Lookup or ListColumnKind.Choice) => "a date",
        _ => null,
    };
}
