using System.Globalization;
using System.Text.Json.Nodes;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// What an item's JSON says, after the contract's normalisation (sharepoint-lists.md): texts trimmed, choices matched
/// case-insensitively, numbers as JSON numbers or as text, dates as <c>yyyy-MM-dd</c> or as SharePoint's UTC midnight in
/// Stockholm time, all dates within <see cref="InputLimits"/>' window and texts cut to its length (issue 13). Either
/// the values a valid reading must produce, field by field, or why the item must be rejected.
/// </summary>
public static class ListReference
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private static readonly InputLimits Limits = new();

    public sealed class Expected
    {
        public Dictionary<string, object?> Values { get; } = [];

        public List<string> MustReject { get; } = [];
    }

    public static Expected For(string listName, JsonObject fields, string? lastModified, string? created = null)
    {
        var e = new Expected();
        var f = new Reader(fields, e);
        foreach (var (name, stamp) in new[] { ("lastModifiedDateTime", lastModified), ("createdDateTime", created) })
        {
            if (stamp is not null && DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                && !Limits.Contains(DateOnly.FromDateTime(time.UtcDateTime)))
            {
                e.MustReject.Add($"{name} {stamp} outside {Limits.Window}");
            }
        }
        switch (listName)
        {
            case "Initiativ":
                e.Values["InitiativeId"] = f.Key("InitiativId");
                e.Values["Name"] = f.Text("Title");
                e.Values["Unit"] = f.Text("Verksamhet");
                e.Values["Phase"] = f.Choice("Fas", Phases.All);
                e.Values["InitiativeType"] = f.Choice("Typ", ["Verksamhetsutveckling", "Innovation"]);
                e.Values["NeedType"] = f.Choice("Behov", ["Kommungemensamt", "Verksamhetsbehov"]);
                e.Values["ObjectId"] = f.Text("ForvaltningsobjektId");
                e.Values["OwnerEmail"] = f.Text("AgareEpost");
                e.Values["GoalCodes"] = f.Goals("StrategiskaMal");
                e.Values["Hypothesis"] = f.Text("Hypotes");
                e.Values["DecisionDate"] = f.Date("Beslutsdatum");
                break;
            case "Bedomningar":
                e.Values["InitiativeId"] = f.Key("InitiativId");
                var criterion = f.Required(f.Text("Kriterium"), "Kriterium");
                if (criterion is not null)
                {
                    e.Values["CriterionCode"] = Criteria.TryFind(criterion, out var found) ? found.Code : f.Reject($"Kriterium {criterion}");
                }
                var score = f.Required(f.Number("Poang"), "Poang");
                e.Values["Score"] = score is { } s && s is >= 1 and <= 4 && s == decimal.Truncate(s) ? (int)s : score is null ? null : f.Reject($"Poang {score}");
                e.Values["AssessedOn"] = f.Required(f.Date("Bedomningsdatum"), "Bedomningsdatum");
                e.Values["Comment"] = f.Text("Kommentar");
                break;
            case "Projektstatus":
                e.Values["InitiativeId"] = f.Key("InitiativId");
                e.Values["ReportDate"] = f.Required(f.Date("Rapportdatum"), "Rapportdatum");
                e.Values["Status"] = f.Required(f.Choice("Status", ProjectStatuses.All), "Status");
                var percent = f.Number("Fardiggrad");
                e.Values["PercentComplete"] = percent is < 0 or > 100 ? f.Reject($"Fardiggrad {percent}") : percent;
                var budget = f.Number("BudgetForbrukad");
                e.Values["BudgetSpentSek"] = budget is < 0 ? f.Reject($"BudgetForbrukad {budget}") : budget;
                e.Values["Comment"] = f.Text("Kommentar");
                break;
            case "Forvaltningsobjekt":
                var id = f.Key("ObjektId");
                e.Values["ObjectId"] = id;
                e.Values["Name"] = f.Text("Title") ?? id;
                e.Values["ManagerEmail"] = f.Text("ForvaltareEpost");
                e.Values["Unit"] = f.Text("Verksamhet");
                break;
        }
        return e;
    }

    private sealed class Reader(JsonObject fields, Expected e)
    {
        public object? Reject(string why)
        {
            e.MustReject.Add(why);
            return null;
        }

        public T? Required<T>(T? value, string name)
        {
            if (value is null)
            {
                e.MustReject.Add($"{name} missing");
            }
            return value;
        }

        /// <summary>A text as the JSON holds it, trimmed, before any cut.</summary>
        private string? Raw(string name)
        {
            if (!fields.TryGetPropertyValue(name, out var node) || node is null)
            {
                return null;
            }
            string? text;
            switch (node)
            {
                case JsonValue value when value.TryGetValue<string>(out var s):
                    text = s;
                    break;
                case JsonValue value when value.GetValueKind() is System.Text.Json.JsonValueKind.Number:
                    text = value.ToJsonString();
                    break;
                case JsonValue value when value.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False:
                    text = value.GetValueKind() == System.Text.Json.JsonValueKind.True ? "true" : "false";
                    break;
                default:
                    e.MustReject.Add($"{name} is no text");
                    return null;
            }
            text = text?.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }

        public string? Text(string name) => Raw(name) is { } text ? Limits.Cut(text) : null;

        public string? Key(string name)
        {
            var key = Raw(name);
            if (key is null)
            {
                e.MustReject.Add($"{name} missing");
            }
            else if (key.Length > 100)
            {
                e.MustReject.Add($"{name} longer than 100");
            }
            return key;
        }

        public string? Choice(string name, IReadOnlyList<string> allowed)
        {
            var text = Raw(name);
            if (text is null)
            {
                return null;
            }
            var match = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                e.MustReject.Add($"{name} \"{Cut(text)}\" is no choice");
            }
            return match;
        }

        public List<string> Goals(string name)
        {
            var codes = new List<string>();
            if (!fields.TryGetPropertyValue(name, out var node) || node is null)
            {
                return codes;
            }
            IEnumerable<string> parts = node is JsonArray array
                ? array.Select(a => a is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : a?.ToJsonString() ?? "null").Where(s => s.Length > 0)
                : (Raw(name) ?? "").Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var part in parts)
            {
                if (StrategicGoals.TryFind(part, out var goal))
                {
                    if (!codes.Contains(goal.Code))
                    {
                        codes.Add(goal.Code);
                    }
                }
                else
                {
                    e.MustReject.Add($"{name} \"{Cut(part)}\" is no goal");
                }
            }
            return codes;
        }

        public decimal? Number(string name)
        {
            if (!fields.TryGetPropertyValue(name, out var node) || node is null)
            {
                return null;
            }
            if (node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number)
            {
                if (decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return number;
                }
            }
            else if (node is JsonValue text && text.TryGetValue<string>(out var s))
            {
                s = s.Trim();
                if (s.Length == 0)
                {
                    return null;
                }
                if (decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || SwedishNumber.TryParse(s, out number))
                {
                    return number;
                }
            }
            e.MustReject.Add($"{name} is no number");
            return null;
        }

        public DateOnly? Date(string name)
        {
            var text = Raw(name);
            if (text is null)
            {
                return null;
            }
            DateOnly? date = null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var plain))
            {
                date = plain;
            }
            else if (text.Length > 10 && text[10] is 'T' or ' ' && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var local) && local.Kind == DateTimeKind.Unspecified)
                {
                    date = DateOnly.FromDateTime(local);
                }
                else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var stamp))
                {
                    date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(stamp, Stockholm).DateTime);
                }
            }
            if (date is null)
            {
                e.MustReject.Add($"{name} \"{Cut(text)}\" is no date");
            }
            else if (!Limits.Contains(date.Value))
            {
                e.MustReject.Add($"{name} {date:yyyy-MM-dd} outside {Limits.Window}");
            }
            return date;
        }

        private static string Cut(string text) => text.Length > 40 ? text[..40] + "…" : text;
    }
}
