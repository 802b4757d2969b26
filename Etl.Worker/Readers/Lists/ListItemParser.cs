using System.Globalization;
using System.Text.Json;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers.Lists;

/// <summary>
/// Turns list items, from Graph or an offline file alike, into the warehouse's validated items.
/// An item that lacks its key, has an unknown choice value, a score outside 1–4, a percentage outside
/// 0–100, a date (its own modification time included) outside the <see cref="InputLimits"/> window or a value
/// of the wrong kind is rejected with every reason, each naming the list and the item and quoting at most an
/// excerpt of the value. Texts are cut to <see cref="InputLimits.MaxTextLength"/>; keys keep their 100 characters.
/// </summary>
public static class ListItemParser
{
    private static readonly TimeZoneInfo Stockholm = StockholmTime.Zone;

    private static readonly string[] InitiativeTypes = ["Verksamhetsutveckling", "Innovation"];
    private static readonly string[] NeedTypes = ["Kommungemensamt", "Verksamhetsbehov"];

    /// <summary>The limits a caller that gives none parses with: the configuration's defaults.</summary>
    private static readonly InputLimits DefaultLimits = new();

    /// <param name="fallbackModified">When the item lacks <c>lastModifiedDateTime</c>: the time the list was read as of.</param>
    public static ListItemChange Parse(string listName, ListItemData data, DateTime fallbackModified) =>
        Parse(listName, data, fallbackModified, DefaultLimits);

    /// <summary>TEMPORARY stub for the sources check branch; the mapping-aware parser replaces it.</summary>
    public static ListItemChange Parse(string listName, ListItemData data, DateTime fallbackModified, InputLimits limits, ListItemContext? context) =>
        Parse(listName, data, fallbackModified, limits);

    /// <param name="fallbackModified">When the item lacks <c>lastModifiedDateTime</c>: the time the list was read as of.</param>
    /// <param name="limits">The window every date, the item's own modification time included, must lie in, and the longest text kept.</param>
    public static ListItemChange Parse(string listName, ListItemData data, DateTime fallbackModified, InputLimits limits)
    {
        var fieldsJson = data.Fields.GetRawText();
        var stated = data.LastModified?.UtcDateTime;
        // A modification time in year 1 or 9999 is no time SharePoint gives, and would start a history version
        // there. It is not clamped, which would invent a time: the item is rejected naming it, as for a field. Its
        // landed row, and a removal, carry the time the list was read as of instead.
        DateOnly? outside = stated is { } s && !limits.Contains(DateOnly.FromDateTime(s)) ? DateOnly.FromDateTime(s) : null;
        var modified = stated is { } t && outside is null ? t : DateTime.SpecifyKind(fallbackModified, DateTimeKind.Utc);
        if (data.Removed)
        {
            return new ListItemChange(data.Id, modified, fieldsJson, Removed: true, null, []);
        }
        var item = new Fields(listName, data.Id, data.Fields, limits);
        if (outside is { } date)
        {
            item.Problem($"lastModifiedDateTime: {limits.OutsideWindow(date)}");
        }
        else if (data.UnreadableLastModified is { } unreadable)
        {
            item.Problem($"lastModifiedDateTime: {InputLimits.Excerpt(unreadable)} är ingen tidpunkt.");
        }
        // The creation time is held to the same rule as the modification time: it would be the initiative's registration,
        // and one outside the window or unreadable is no time SharePoint gives. Read in without it, the item would be
        // taken as registered when its first version began, a date the source never said; so the item is rejected, keeping
        // its last valid content, as for a bad lastModifiedDateTime.
        var created = data.Created?.UtcDateTime;
        if (created is { } c && !limits.Contains(DateOnly.FromDateTime(c)))
        {
            item.Problem($"createdDateTime: {limits.OutsideWindow(DateOnly.FromDateTime(c))}");
            created = null;
        }
        else if (data.UnreadableCreated is { } unreadableCreated)
        {
            item.Problem($"createdDateTime: {InputLimits.Excerpt(unreadableCreated)} är ingen tidpunkt.");
        }
        var origin = new ListItemOrigin(listName, data.Id, modified) { CreatedUtc = created };
        object? parsed = listName switch
        {
            ListNames.Initiatives => Initiative(item, origin),
            ListNames.Assessments => Assessment(item, origin),
            ListNames.ProjectStatus => Status(item, origin),
            ListNames.Objects => Object(item, origin),
            _ => throw new ArgumentOutOfRangeException(nameof(listName), listName, "Not one of the four lists."),
        };
        return item.Problems.Count > 0
            ? new ListItemChange(data.Id, modified, fieldsJson, false, null, item.Problems) { CreatedUtc = created }
            : new ListItemChange(data.Id, modified, fieldsJson, false, parsed, []) { CreatedUtc = created };
    }

    private static InitiativeItem Initiative(Fields f, ListItemOrigin origin)
    {
        var id = f.Key("InitiativId");
        var goals = new List<string>();
        foreach (var goal in f.Choices("StrategiskaMal"))
        {
            if (StrategicGoals.TryFind(goal, out var found))
            {
                goals.Add(found.Code);
            }
            else
            {
                f.Problem($"StrategiskaMal: {InputLimits.Excerpt(goal)} är inte ett av de övergripande målen ({string.Join("; ", StrategicGoals.All.Select(g => g.Name))}).");
            }
        }
        return new InitiativeItem(
            origin,
            id ?? "",
            f.Text("Title"),
            f.Text("Verksamhet"),
            f.Choice("Fas", Phases.All),
            f.Choice("Typ", InitiativeTypes),
            f.Choice("Behov", NeedTypes),
            f.Text("ForvaltningsobjektId"),
            f.Text("AgareEpost"),
            goals.Distinct().ToList(),
            f.Text("Hypotes"),
            f.Date("Beslutsdatum"));
    }

    private static AssessmentItem Assessment(Fields f, ListItemOrigin origin)
    {
        var id = f.Key("InitiativId");
        var criterionText = f.Required(f.FullText("Kriterium"), "Kriterium");
        string code = "";
        if (criterionText is not null)
        {
            if (Criteria.TryFind(criterionText, out var criterion))
            {
                code = criterion.Code;
            }
            else
            {
                f.Problem($"Kriterium: {InputLimits.Excerpt(criterionText)} är inget av utvärderingsmodellens elva kriterier.");
            }
        }
        var score = f.Required(f.Number("Poang"), "Poang");
        var wholeScore = 0;
        if (score is { } value)
        {
            if (value is < 1 or > 4)
            {
                f.Problem($"Poang: {SwedishNumber.Format(value)} ligger utanför 1–4.");
            }
            else if (value != decimal.Truncate(value))
            {
                f.Problem($"Poang: {SwedishNumber.Format(value)} är inget heltal; poängen är 1, 2, 3 eller 4.");
            }
            else
            {
                wholeScore = (int)value;
            }
        }
        var date = f.Required(f.Date("Bedomningsdatum"), "Bedomningsdatum");
        return new AssessmentItem(origin, id ?? "", code, wholeScore, date ?? default, f.Text("Kommentar"));
    }

    private static StatusItem Status(Fields f, ListItemOrigin origin)
    {
        var id = f.Key("InitiativId");
        var date = f.Required(f.Date("Rapportdatum"), "Rapportdatum");
        var status = f.Required(f.Choice("Status", ProjectStatuses.All), "Status");
        var percent = f.Number("Fardiggrad");
        if (percent is < 0 or > 100)
        {
            f.Problem($"Fardiggrad: {SwedishNumber.Format(percent.Value)} ligger utanför 0–100.");
        }
        var budget = f.Number("BudgetForbrukad");
        if (budget is < 0)
        {
            f.Problem($"BudgetForbrukad: {SwedishNumber.Format(budget.Value)} är negativ.");
        }
        return new StatusItem(origin, id ?? "", date ?? default, status ?? "", percent, budget, f.Text("Kommentar"));
    }

    private static ObjectItem Object(Fields f, ListItemOrigin origin)
    {
        var id = f.Key("ObjektId");
        if (id is not null && KeyCase.Comparer.Equals(id, KeyCase.NoObject))
        {
            f.Problem($"ObjektId: \"{id}\" är reserverad för initiativ utan förvaltningsobjekt i Power BI-modellen; ge objektet en annan nyckel.");
        }
        return new ObjectItem(origin, id ?? "", f.Text("Title") ?? id ?? "", f.Text("ForvaltareEpost"), f.Text("Verksamhet"));
    }

    /// <summary>An item's fields, read with the problems found in them.</summary>
    private sealed class Fields(string listName, string itemId, JsonElement fields, InputLimits limits)
    {
        // Fields given with a value that was reported as unreadable or unknown, so not also as missing.
        private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

        public List<SourceProblem> Problems { get; } = [];

        public void Problem(string message) => Problems.Add(SourceProblem.ForItem(listName, itemId, message));

        /// <summary>
        /// Reports a required field without a value: absent, null, or empty text. A value that could not be
        /// read has been reported as such already.
        /// </summary>
        public T? Required<T>(T? value, string name)
        {
            if (value is null && !_reported.Contains(name))
            {
                Problem($"{name} saknas.");
            }
            return value;
        }

        public string? Key(string name)
        {
            // Uncut: a key cut to the text limit could collide with another.
            var key = FullText(name);
            if (key is null && !_reported.Contains(name))
            {
                Problem($"{name} saknas: objektet har ingen nyckel.");
            }
            else if (key is { Length: > 100 })
            {
                Problem($"{name} är längre än 100 tecken: {InputLimits.Excerpt(key)}.");
            }
            return key;
        }

        /// <summary>A text, cut to the longest text kept (<see cref="InputLimits.MaxTextLength"/>).</summary>
        public string? Text(string name) => FullText(name) is { } text ? limits.Cut(text) : null;

        /// <summary>A text as the item gives it, trimmed; null when absent or empty.</summary>
        public string? FullText(string name)
        {
            if (!fields.TryGetProperty(name, out var value))
            {
                return null;
            }
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => Invalid(name, "är ingen text"),
            };
            text = text?.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }

        /// <summary>A choice value, matched case-insensitively and given back in the list's own spelling.</summary>
        public string? Choice(string name, IReadOnlyList<string> allowed)
        {
            var text = FullText(name);
            if (text is null)
            {
                return null;
            }
            var match = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                _reported.Add(name);
                Problem($"{name}: {InputLimits.Excerpt(text)} är inget av valen {string.Join(", ", allowed)}.");
            }
            return match;
        }

        /// <summary>A multi-choice value: Graph gives an array; a text with ';' is read too.</summary>
        public IEnumerable<string> Choices(string name)
        {
            if (!fields.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return [];
            }
            if (value.ValueKind == JsonValueKind.Array)
            {
                return value.EnumerateArray()
                    .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()?.Trim() : e.GetRawText())
                    .Where(s => !string.IsNullOrEmpty(s))
                    .Select(s => s!)
                    .ToList();
            }
            return (FullText(name) ?? "").Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        public decimal? Number(string name)
        {
            if (!fields.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
            {
                return number;
            }
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = value.GetString()?.Trim();
                if (string.IsNullOrEmpty(text))
                {
                    return null;
                }
                if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number) || SwedishNumber.TryParse(text, out number))
                {
                    return number;
                }
            }
            Invalid(name, "är inget tal");
            return null;
        }

        /// <summary>
        /// A date column. SharePoint stores a date as midnight in the site's time zone, given in UTC
        /// (2023-05-08T22:00:00Z is 9 May in Stockholm): the date is taken in Stockholm time. A plain
        /// <c>yyyy-MM-dd</c>, or a timestamp without offset, is that date as written. Nothing else is a date:
        /// a lenient parse would read <c>1/2/2024</c> as 2 January and <c>10:00</c> as today.
        /// </summary>
        public DateOnly? Date(string name)
        {
            var text = FullText(name);
            if (text is null)
            {
                return null;
            }
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return InWindow(name, date);
            }
            if (text.Length > 10 && text[10] is ('T' or ' ')
                && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var local) && local.Kind == DateTimeKind.Unspecified)
                {
                    return InWindow(name, DateOnly.FromDateTime(local));
                }
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
                {
                    // Checked in UTC first: Stockholm time of 9999-12-31T23:00Z lies past the last DateTime.
                    var utc = DateOnly.FromDateTime(timestamp.UtcDateTime);
                    return limits.Contains(utc)
                        ? InWindow(name, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(timestamp, Stockholm).DateTime))
                        : InWindow(name, utc);
                }
            }
            Invalid(name, "är inget datum");
            return null;
        }

        /// <summary>The date, or null with a problem naming the field when it lies outside the window.</summary>
        private DateOnly? InWindow(string name, DateOnly date)
        {
            if (limits.Contains(date))
            {
                return date;
            }
            _reported.Add(name);
            Problem($"{name}: {limits.OutsideWindow(date)}");
            return null;
        }

        private string? Invalid(string name, string what)
        {
            _reported.Add(name);
            var value = fields.GetProperty(name);
            var shown = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
            Problem($"{name}: {InputLimits.Excerpt(shown)} {what}.");
            return null;
        }
    }
}
