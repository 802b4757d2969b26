using System.Globalization;
using System.Text.Json;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Sources.SharePoint;

/// <summary>
/// Turns list items, from Graph or an offline file alike, into the warehouse's validated items.
/// An item that lacks its key, has an unknown choice value, a score outside 1–4, a percentage outside
/// 0–100 or a value of the wrong kind is rejected with every reason, each naming the list and the item.
/// </summary>
public static class ListItemParser
{
    private static readonly TimeZoneInfo Stockholm = FindStockholm();

    private static readonly string[] InitiativeTypes = ["Verksamhetsutveckling", "Innovation"];
    private static readonly string[] NeedTypes = ["Kommungemensamt", "Verksamhetsbehov"];

    /// <param name="fallbackModified">When the item lacks <c>lastModifiedDateTime</c>: the time the list was read as of.</param>
    public static ListItemChange Parse(string listName, ListItemData data, DateTime fallbackModified)
    {
        var fieldsJson = data.Fields.GetRawText();
        var modified = data.LastModified?.UtcDateTime ?? DateTime.SpecifyKind(fallbackModified, DateTimeKind.Utc);
        if (data.Removed)
        {
            return new ListItemChange(data.Id, modified, fieldsJson, Removed: true, null, []);
        }
        var item = new Fields(listName, data.Id, data.Fields);
        var origin = new ListItemOrigin(listName, data.Id, modified);
        object? parsed = listName switch
        {
            ListNames.Initiatives => Initiative(item, origin),
            ListNames.Assessments => Assessment(item, origin),
            ListNames.ProjectStatus => Status(item, origin),
            ListNames.Objects => Object(item, origin),
            _ => throw new ArgumentOutOfRangeException(nameof(listName), listName, "Not one of the four lists."),
        };
        return item.Problems.Count > 0
            ? new ListItemChange(data.Id, modified, fieldsJson, false, null, item.Problems)
            : new ListItemChange(data.Id, modified, fieldsJson, false, parsed, []);
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
                f.Problem($"StrategiskaMal: \"{goal}\" är inte ett av de övergripande målen ({string.Join("; ", StrategicGoals.All.Select(g => g.Name))}).");
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
        var criterionText = f.Required(f.Text("Kriterium"), "Kriterium");
        string code = "";
        if (criterionText is not null)
        {
            if (Criteria.TryFind(criterionText, out var criterion))
            {
                code = criterion.Code;
            }
            else
            {
                f.Problem($"Kriterium: \"{criterionText}\" är inget av utvärderingsmodellens elva kriterier.");
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
        return new ObjectItem(origin, id ?? "", f.Text("Title") ?? id ?? "", f.Text("ForvaltareEpost"), f.Text("Verksamhet"));
    }

    private static TimeZoneInfo FindStockholm()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById("W. Europe Standard Time");
        }
    }

    /// <summary>An item's fields, read with the problems found in them.</summary>
    private sealed class Fields(string listName, string itemId, JsonElement fields)
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
            var key = Text(name);
            if (key is null && !_reported.Contains(name))
            {
                Problem($"{name} saknas: objektet har ingen nyckel.");
            }
            else if (key is { Length: > 100 })
            {
                Problem($"{name} är längre än 100 tecken.");
            }
            return key;
        }

        public string? Text(string name)
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
            var text = Text(name);
            if (text is null)
            {
                return null;
            }
            var match = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                _reported.Add(name);
                Problem($"{name}: \"{text}\" är inget av valen {string.Join(", ", allowed)}.");
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
            return (Text(name) ?? "").Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
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
            var text = Text(name);
            if (text is null)
            {
                return null;
            }
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                return date;
            }
            if (text.Length > 10 && text[10] is ('T' or ' ')
                && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var local) && local.Kind == DateTimeKind.Unspecified)
                {
                    return DateOnly.FromDateTime(local);
                }
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp))
                {
                    return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(timestamp, Stockholm).DateTime);
                }
            }
            Invalid(name, "är inget datum");
            return null;
        }

        private string? Invalid(string name, string what)
        {
            _reported.Add(name);
            var raw = fields.GetProperty(name).GetRawText();
            Problem($"{name}: {(raw.Length > 60 ? raw[..60] + "…" : raw)} {what}.");
            return null;
        }
    }
}
