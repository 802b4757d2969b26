using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace NackaInsights.Etl.SharePoint;

/// <summary>
/// One of the four lists as the site has it: which SharePoint list it is, and how the contract's fields and choice values
/// map to that list's own columns and values. Bound from <c>GraphOptions:Lists:&lt;list&gt;</c>, as an object, or in the
/// short form of earlier versions, a text naming the list (<c>"GraphOptions:Lists:Initiativ": "Register"</c>).
/// </summary>
/// <remarks>The mapping applies to the offline files too, so that an export of the site's own lists reads as the site does.</remarks>
[TypeConverter(typeof(GraphListOptionsConverter))]
public sealed class GraphListOptions
{
    /// <summary>The SharePoint list's title or id; empty for the list of the contract's name.</summary>
    public string? List { get; set; }

    /// <summary>
    /// Contract field (<see cref="ListFields"/>) to the list's own column, by its internal name. A field not named reads the
    /// column of its own name; a field named with an empty value is one the list does not have (only for a field that is
    /// not required), so that its own name may feed another field.
    /// </summary>
    public Dictionary<string, string> Columns { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// For a choice field, the list's own value to the contract's value
    /// (<c>GraphOptions:Lists:Initiativ:Choices:Fas:Pågående = Projekt</c>). A value not named must be the contract's own.
    /// </summary>
    public Dictionary<string, Dictionary<string, string>> Choices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The short form: only the list's title or id, every field and value the contract's own.</summary>
    public static implicit operator GraphListOptions(string list) => new() { List = list };

    /// <summary>
    /// Binds what a later configuration source gives under a list that an earlier one gives in the short form: the shipped
    /// appsettings.json names each list (<c>"Initiativ": "Initiativ"</c>), and an operator's environment variable
    /// <c>GraphOptions__Lists__Initiativ__Columns__AgareEpost=Owner</c> adds a child to that text. The binder takes such a
    /// section by its text alone (<see cref="GraphListOptionsConverter"/>) and would drop the child without a word.
    /// </summary>
    public static void BindOverShortForms(IConfigurationSection lists, IDictionary<string, GraphListOptions> options)
    {
        foreach (var list in lists.GetChildren())
        {
            if (list.Value is null || !list.GetChildren().Any())
            {
                continue;
            }
            if (!options.TryGetValue(list.Key, out var bound) || bound is null)
            {
                bound = new GraphListOptions { List = list.Value };
                options[list.Key] = bound;
            }
            bound.List = list[nameof(List)] ?? list.Value;
            list.GetSection(nameof(Columns)).Bind(bound.Columns);
            list.GetSection(nameof(Choices)).Bind(bound.Choices);
        }
    }

    /// <summary>The column a contract field is read from: as mapped, else the field's own name; null when it is mapped to none.</summary>
    public string? ColumnOf(string field) =>
        !Columns.TryGetValue(field, out var column) ? field
        : string.IsNullOrWhiteSpace(column) ? null
        : column.Trim();

    /// <summary>The contract value a list's own choice value maps to, or null when none is configured for it (it must then be the contract's own).</summary>
    public string? ChoiceOf(string field, string value) =>
        Choices.TryGetValue(field, out var values) && values.FirstOrDefault(v => v.Key.Trim().Equals(value.Trim(), StringComparison.OrdinalIgnoreCase)) is { Value: { } mapped }
            ? mapped.Trim()
            : null;

    /// <summary>
    /// Every problem of this list's mapping, each naming its setting: a field the list does not have, a column given
    /// twice, a choice mapping for a field that is no choice, or to a value that is not the contract's.
    /// </summary>
    internal IEnumerable<string> Validate(string listName)
    {
        var setting = $"{GraphOptions.Section}:Lists:{listName}";
        var fields = ListFields.Of(listName);
        var known = string.Join(", ", fields.Select(f => f.Name));
        foreach (var (field, column) in Columns)
        {
            if (ListFields.Find(listName, field) is null)
            {
                yield return $"{setting}:Columns:{field} is not a field of the list {listName} ({known})";
            }
            else if (string.IsNullOrWhiteSpace(column))
            {
                if (ListFields.Find(listName, field)!.IsRequired)
                {
                    yield return $"{setting}:Columns:{field} is empty, but every item needs {field}; name the column that holds it";
                }
            }
            else if (column.Trim().Any(c => char.IsControl(c) || c is '/' or '\\' or ',' or '(' or ')' or '$' or '\'' or '"'))
            {
                yield return $"{setting}:Columns:{field} must be a column's internal name as Graph returns it under fields (such as field_3), or empty for none, not \"{column}\"";
            }
        }
        foreach (var twice in fields.Select(f => (Field: f.Name, Column: ColumnOf(f.Name))).Where(m => m.Column is not null).GroupBy(m => m.Column, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            yield return $"{setting}:Columns reads the column {twice.Key} for {string.Join(" and ", twice.Select(m => m.Field))}; each field needs a column of its own";
        }
        foreach (var (field, values) in Choices)
        {
            var target = ListFields.Find(listName, field);
            if (target is null)
            {
                yield return $"{setting}:Choices:{field} is not a field of the list {listName} ({known})";
                continue;
            }
            if (!target.IsChoice)
            {
                yield return $"{setting}:Choices:{field} maps values of a field that is no choice; only {string.Join(", ", fields.Where(f => f.IsChoice).Select(f => f.Name))} have choices";
                continue;
            }
            foreach (var (theirs, ours) in values ?? [])
            {
                if (string.IsNullOrWhiteSpace(ours) || !ListFields.IsValue(target, ours))
                {
                    yield return $"{setting}:Choices:{field}:{theirs} must be one of {string.Join(", ", target.Choices)}, not \"{ours}\"";
                }
            }
        }
    }
}

/// <summary>Reads the short form, a text naming the list, as a <see cref="GraphListOptions"/>.</summary>
public sealed class GraphListOptionsConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string list ? new GraphListOptions { List = list } : base.ConvertFrom(context, culture, value);
}
