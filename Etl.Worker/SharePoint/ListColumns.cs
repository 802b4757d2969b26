using System.Text.Json;

namespace NackaInsights.Etl.SharePoint;

/// <summary>What kind of column a SharePoint list column is, from the facet of its Graph <c>columnDefinition</c>.</summary>
public enum ListColumnKind
{
    Text,

    /// <summary>Several lines of text (<c>text.allowMultipleLines</c>).</summary>
    Note,

    Number,

    Currency,

    Choice,

    DateTime,

    Boolean,

    /// <summary>A person or group (<c>personOrGroup</c>): Graph gives <c>&lt;Column&gt;LookupId</c>, the id in the site's user information list.</summary>
    Person,

    /// <summary>A lookup to another list (<c>lookup</c>): Graph gives <c>&lt;Column&gt;LookupId</c>, the looked-up item's id.</summary>
    Lookup,

    Calculated,

    /// <summary>Any other facet (hyperlink, managed metadata, location, …): read as the text Graph gives, if any.</summary>
    Other,
}

/// <summary>
/// One column of a SharePoint list, as Graph's <c>GET /sites/{site}/lists/{list}/columns</c> describes it
/// (https://learn.microsoft.com/graph/api/list-list-columns) and as the offline form keeps it in <c>lists/&lt;list&gt;.columns.json</c>.
/// </summary>
/// <param name="Name">The internal name: the key under an item's <c>fields</c>.</param>
/// <param name="DisplayName">The name SharePoint shows.</param>
/// <param name="AllowsMultiple">A multi-choice, multi-person or multi-lookup column.</param>
/// <param name="IsPercentage">A number column shown as a percentage (<c>number.displayAs</c> <c>percentage</c>): Graph gives the fraction, 0.45 for 45 %.</param>
/// <param name="LookupListId">For a lookup column, the id of the list it looks up.</param>
/// <param name="Choices">For a choice column, the values the column offers.</param>
public sealed record ListColumn(string Name, string DisplayName, ListColumnKind Kind)
{
    public bool AllowsMultiple { get; init; }

    public bool IsPercentage { get; init; }

    public string? LookupListId { get; init; }

    /// <summary>For a lookup column, the column of the looked-up list it shows (<c>lookup.columnName</c>).</summary>
    public string? LookupColumnName { get; init; }

    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Whether Graph gives the value as <c>&lt;Name&gt;LookupId</c> (a person or lookup column).</summary>
    public bool IsLookupKind => Kind is ListColumnKind.Person or ListColumnKind.Lookup;

    /// <summary>The kind as an operator reads it in <c>sources check</c>.</summary>
    public string Describe() => Kind switch
    {
        ListColumnKind.Person => AllowsMultiple ? "person (multi)" : "person",
        ListColumnKind.Lookup => AllowsMultiple ? "lookup (multi)" : "lookup",
        ListColumnKind.Choice => AllowsMultiple ? "multi-choice" : "choice",
        ListColumnKind.Number when IsPercentage => "number (percentage)",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>Reads Graph's column definitions, <c>{"value": [columnDefinition, ...]}</c>, from Graph and from the offline form alike.</summary>
public static class ListColumnJson
{
    /// <exception cref="JsonException">Not JSON of that shape; the message says what is wrong.</exception>
    public static IReadOnlyList<ListColumn> Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 32 });
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("Kolumndefinitionerna har ingen lista \"value\".");
        }
        var columns = new List<ListColumn>();
        foreach (var column in value.EnumerateArray())
        {
            if (column.ValueKind == JsonValueKind.Object && Text(column, "name") is { Length: > 0 } name)
            {
                columns.Add(Column(column, name));
            }
        }
        return columns;
    }

    private static ListColumn Column(JsonElement column, string name)
    {
        var display = Text(column, "displayName") ?? name;
        if (Facet(column, "personOrGroup") is { } person)
        {
            return new ListColumn(name, display, ListColumnKind.Person) { AllowsMultiple = Bool(person, "allowMultipleSelection") };
        }
        if (Facet(column, "lookup") is { } lookup)
        {
            return new ListColumn(name, display, ListColumnKind.Lookup)
            {
                AllowsMultiple = Bool(lookup, "allowMultipleValues"), LookupListId = Text(lookup, "listId"), LookupColumnName = Text(lookup, "columnName"),
            };
        }
        if (Facet(column, "choice") is { } choice)
        {
            var choices = choice.TryGetProperty("choices", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
                : [];
            // Graph describes a multi-choice column with the choice facet and displayAs "checkBoxes".
            var multiple = string.Equals(Text(choice, "displayAs"), "checkBoxes", StringComparison.OrdinalIgnoreCase);
            return new ListColumn(name, display, ListColumnKind.Choice) { Choices = choices, AllowsMultiple = multiple };
        }
        if (Facet(column, "number") is { } number)
        {
            return new ListColumn(name, display, ListColumnKind.Number) { IsPercentage = string.Equals(Text(number, "displayAs"), "percentage", StringComparison.OrdinalIgnoreCase) };
        }
        if (Facet(column, "text") is { } text)
        {
            return new ListColumn(name, display, Bool(text, "allowMultipleLines") ? ListColumnKind.Note : ListColumnKind.Text);
        }
        var kind = Facet(column, "currency") is not null ? ListColumnKind.Currency
            : Facet(column, "dateTime") is not null ? ListColumnKind.DateTime
            : Facet(column, "boolean") is not null ? ListColumnKind.Boolean
            : Facet(column, "calculated") is not null ? ListColumnKind.Calculated
            : ListColumnKind.Other;
        return new ListColumn(name, display, kind);
    }

    private static JsonElement? Facet(JsonElement column, string name) =>
        column.TryGetProperty(name, out var facet) && facet.ValueKind == JsonValueKind.Object ? facet : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
