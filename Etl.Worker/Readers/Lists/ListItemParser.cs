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

    /// <summary>Each list's contract reading, made once: what a caller that gives no context parses with.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ListItemContext> ContractContexts = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="fallbackModified">When the item lacks <c>lastModifiedDateTime</c>: the time the list was read as of.</param>
    public static ListItemChange Parse(string listName, ListItemData data, DateTime fallbackModified) =>
        Parse(listName, data, fallbackModified, DefaultLimits);

    /// <param name="fallbackModified">When the item lacks <c>lastModifiedDateTime</c>: the time the list was read as of.</param>
    /// <param name="limits">The window every date, the item's own modification time included, must lie in, and the longest text kept.</param>
    public static ListItemChange Parse(string listName, ListItemData data, DateTime fallbackModified, InputLimits limits) =>
        Parse(listName, data, fallbackModified, limits, null);

    /// <param name="fallbackModified">When the item lacks <c>lastModifiedDateTime</c>: the time the list was read as of.</param>
    /// <param name="limits">The window every date, the item's own modification time included, must lie in, and the longest text kept.</param>
    /// <param name="context">
    /// The list's mapping to its own columns and values, the site's people and the other lists' keys; null for the
    /// contract's own columns and values (<see cref="ListItemContext.ContractOf"/>).
    /// </param>
    public static ListItemChange Parse(string listName, ListItemData data, DateTime fallbackModified, InputLimits limits, ListItemContext? context)
    {
        context ??= ContractContexts.GetOrAdd(listName, ListItemContext.ContractOf);
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
        var item = new Fields(listName, data.Id, data.Fields, limits, context);
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
        // The raw fields land as the source gave them; what the mapping and the site made of them is fingerprinted beside
        // them, so that a changed mapping, person or looked-up key is taken in though the item itself did not change.
        var resolution = item.Resolution();
        return item.Problems.Count > 0
            ? new ListItemChange(data.Id, modified, fieldsJson, false, null, item.Problems) { CreatedUtc = created, Resolution = resolution }
            : new ListItemChange(data.Id, modified, fieldsJson, false, parsed, []) { CreatedUtc = created, Resolution = resolution };
    }

    private static InitiativeItem Initiative(Fields f, ListItemOrigin origin)
    {
        var id = f.Key("InitiativId");
        var goals = new List<string>();
        foreach (var value in f.Choices("StrategiskaMal"))
        {
            var goal = f.Mapped("StrategiskaMal", value);
            if (StrategicGoals.TryFind(goal, out var found))
            {
                goals.Add(found.Code);
            }
            else
            {
                f.UnknownChoice("StrategiskaMal", value);
                f.Problem($"{f.Label("StrategiskaMal")}: {InputLimits.Excerpt(value)} är inte ett av de övergripande målen ({string.Join("; ", StrategicGoals.All.Select(g => g.Name))}).");
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
            if (Criteria.TryFind(f.Mapped("Kriterium", criterionText), out var criterion))
            {
                code = criterion.Code;
            }
            else
            {
                f.UnknownChoice("Kriterium", criterionText);
                f.Problem($"{f.Label("Kriterium")}: {InputLimits.Excerpt(criterionText)} är inget av utvärderingsmodellens elva kriterier.");
            }
        }
        var score = f.Required(f.Number("Poang"), "Poang");
        var wholeScore = 0;
        if (score is { } value)
        {
            if (value is < 1 or > 4)
            {
                f.Problem($"{f.Label("Poang")}: {SwedishNumber.Format(value)} ligger utanför 1–4.");
            }
            else if (value != decimal.Truncate(value))
            {
                f.Problem($"{f.Label("Poang")}: {SwedishNumber.Format(value)} är inget heltal; poängen är 1, 2, 3 eller 4.");
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
            f.Problem($"{f.Label("Fardiggrad")}: {SwedishNumber.Format(percent.Value)} ligger utanför 0–100.");
        }
        var budget = f.Number("BudgetForbrukad");
        if (budget is < 0)
        {
            f.Problem($"{f.Label("BudgetForbrukad")}: {SwedishNumber.Format(budget.Value)} är negativ.");
        }
        return new StatusItem(origin, id ?? "", date ?? default, status ?? "", percent, budget, f.Text("Kommentar"));
    }

    private static ObjectItem Object(Fields f, ListItemOrigin origin)
    {
        var id = f.Key("ObjektId");
        if (id is not null && KeyCase.Comparer.Equals(id, KeyCase.NoObject))
        {
            f.Problem($"{f.Label("ObjektId")}: \"{id}\" är reserverad för initiativ utan förvaltningsobjekt i Power BI-modellen; ge objektet en annan nyckel.");
        }
        return new ObjectItem(origin, id ?? "", f.Text("Title") ?? id ?? "", f.Text("ForvaltareEpost"), f.Text("Verksamhet"));
    }

    /// <summary>The contract field that names an object's one förvaltare, which a multi-person column must not give more than one of.</summary>
    private const string ManagerField = "ForvaltareEpost";

    /// <summary>
    /// An item's fields, read through the list's mapping (<see cref="ListItemContext"/>) with the problems found in them:
    /// each field from its own column, a person column as the person's e-mail, a lookup as the looked-up item's key, a
    /// percentage as 0–100, a choice as the contract's value.
    /// </summary>
    private sealed class Fields(string listName, string itemId, JsonElement fields, InputLimits limits, ListItemContext context)
    {
        private readonly ListMapping _mapping = context.Mapping;

        // Fields given with a value that was reported as unreadable or unknown, so not also as missing.
        private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

        // What a person or lookup column resolved to: part of the item's fingerprint, so that a changed user or key is seen.
        private readonly List<string> _resolutions = [];

        public List<SourceProblem> Problems { get; } = [];

        public void Problem(string message) => Problems.Add(SourceProblem.ForItem(listName, itemId, message));

        /// <summary>How a problem names a field: by its contract name, and by its column when the list calls it otherwise.</summary>
        public string Label(string name) =>
            _mapping[name].Column is { } column && !string.Equals(column, name, StringComparison.Ordinal) ? $"{name} (kolumnen {column})" : name;

        /// <summary>What beyond the raw fields this item's reading depended on, or null when nothing did (the contract's own reading).</summary>
        public string? Resolution() =>
            _mapping.Fingerprint is null && _resolutions.Count == 0 ? null : $"{_mapping.Fingerprint}\n{string.Join("\n", _resolutions)}";

        /// <summary>The contract's value for a list's own choice value, when the mapping names one; else the value as given.</summary>
        public string Mapped(string name, string value) => _mapping.Options.ChoiceOf(name, value) ?? value;

        /// <summary>Tells <c>sources check</c> of a choice value neither the mapping nor the contract knows.</summary>
        public void UnknownChoice(string name, string value) => context.UnknownChoice?.Invoke(name, _mapping[name].Column ?? name, value);

        /// <summary>
        /// Reports a required field without a value: absent, null, or empty text. A value that could not be
        /// read has been reported as such already.
        /// </summary>
        public T? Required<T>(T? value, string name)
        {
            if (value is null && !_reported.Contains(name))
            {
                Problem($"{Label(name)} saknas.");
            }
            return value;
        }

        public string? Key(string name)
        {
            // Uncut: a key cut to the text limit could collide with another.
            var key = FullText(name);
            if (key is null && !_reported.Contains(name))
            {
                Problem($"{Label(name)} saknas: objektet har ingen nyckel.");
            }
            else if (key is { Length: > 100 })
            {
                Problem($"{Label(name)} är längre än 100 tecken: {InputLimits.Excerpt(key)}.");
            }
            return key;
        }

        /// <summary>A text, cut to the longest text kept (<see cref="InputLimits.MaxTextLength"/>).</summary>
        public string? Text(string name) => FullText(name) is { } text ? limits.Cut(text) : null;

        /// <summary>
        /// A field's value as text, trimmed; null when absent or empty. A person column gives the e-mail of each person, a
        /// lookup to another of the lists that item's key, any other lookup or managed metadata the value it shows.
        /// </summary>
        public string? FullText(string name)
        {
            var mapped = _mapping[name];
            if (mapped.Column is not { } column)
            {
                return null;
            }
            switch (ShapeOf(mapped, column))
            {
                case Shape.Person:
                    return Person(mapped, column);
                case Shape.KeyLookup:
                    return LookedUpKey(mapped, column);
            }
            if (!fields.TryGetProperty(column, out var value))
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
                JsonValueKind.Object => Shown(mapped, value) ?? Invalid(name, value, "är ingen text"),
                // A multi-value lookup or managed metadata column: the values it shows.
                JsonValueKind.Array when value.GetArrayLength() > 0 && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object && Shown(mapped, e) is not null) =>
                    string.Join("; ", value.EnumerateArray().Select(e => Shown(mapped, e)!.Trim()).Where(s => s.Length > 0)),
                _ => Invalid(name, value, "är ingen text"),
            };
            text = text?.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }

        /// <summary>
        /// What a managed metadata value (<c>Label</c>) shows, or a lookup value (<c>LookupValue</c>) of a column its
        /// definition says is a lookup; else null, so that an object where a text belongs is still no text.
        /// </summary>
        private static string? Shown(MappedField mapped, JsonElement value) =>
            value.TryGetProperty("Label", out var label) && label.ValueKind == JsonValueKind.String ? label.GetString()
            : mapped.Definition?.Kind == ListColumnKind.Lookup && value.TryGetProperty("LookupValue", out var shown) && shown.ValueKind == JsonValueKind.String ? shown.GetString()
            : null;

        private enum Shape
        {
            Value,
            Person,
            KeyLookup,
        }

        /// <summary>
        /// Whether a field's value is a person's or another list's item id. The column definitions say so; without them
        /// (an offline export without <c>.columns.json</c>), Graph's shape of such a column does: a <c>&lt;Column&gt;LookupId</c>
        /// and no value under the column's own name, or an array of <c>{LookupId, LookupValue}</c>.
        /// </summary>
        private Shape ShapeOf(MappedField mapped, string column)
        {
            if (mapped.IsPerson)
            {
                return Shape.Person;
            }
            if (mapped.IsKeyLookup)
            {
                return Shape.KeyLookup;
            }
            if (mapped.Definition is not null || !(mapped.Field.Kind == ListFieldKind.Email || mapped.Field.RefersTo is not null))
            {
                return Shape.Value;
            }
            var own = fields.TryGetProperty(column, out var value) ? value : default;
            var lookupShaped = own.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                ? fields.TryGetProperty(column + "LookupId", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number
                : own.ValueKind == JsonValueKind.Array && own.GetArrayLength() > 0 && own.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("LookupId", out _));
            return !lookupShaped ? Shape.Value : mapped.Field.Kind == ListFieldKind.Email ? Shape.Person : Shape.KeyLookup;
        }

        /// <summary>
        /// The item ids a person or lookup column gives, in its order: a single one as <c>&lt;Column&gt;LookupId</c> (text
        /// or number), several as <c>[{"LookupId": 12, "LookupValue": "…"}]</c>. Null when the column gives a plain text
        /// instead (an export that keeps the e-mail or key as text), which is then read as such.
        /// </summary>
        private List<string>? LookupIds(string name, string column)
        {
            var own = fields.TryGetProperty(column, out var value) ? value : default;
            if (own.ValueKind == JsonValueKind.Array)
            {
                var ids = new List<string>();
                foreach (var element in own.EnumerateArray())
                {
                    if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("LookupId", out var id) && IdOf(id) is { } text)
                    {
                        ids.Add(text);
                    }
                    else
                    {
                        Invalid(name, own, "är ingen lista av uppslag (LookupId)");
                        return [];
                    }
                }
                return ids;
            }
            if (own.ValueKind == JsonValueKind.Object && own.TryGetProperty("LookupId", out var single))
            {
                return IdOf(single) is { } text ? [text] : [];
            }
            if (fields.TryGetProperty(column + "LookupId", out var lookupId) && lookupId.ValueKind != JsonValueKind.Null)
            {
                if (IdOf(lookupId) is { } text)
                {
                    return [text];
                }
                Invalid(name, lookupId, "är inget id i ett uppslag", column + "LookupId");
                return [];
            }
            return own.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? [] : null;
        }

        /// <summary>
        /// A lookup's id as the looked-up item's id is written: Graph gives it as text or number ("9", 9, " 9"), item ids are
        /// their integer text; so that every caller of <see cref="ListItemContext.LookUpKey"/> (a run, <c>sources check</c>)
        /// finds the same items.
        /// </summary>
        private static string? IdOf(JsonElement id) => id.ValueKind switch
        {
            JsonValueKind.Number => ItemId(id.GetRawText()),
            JsonValueKind.String when !string.IsNullOrWhiteSpace(id.GetString()) => ItemId(id.GetString()!.Trim()),
            _ => null,
        };

        private static string ItemId(string id) =>
            long.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n.ToString(CultureInfo.InvariantCulture) : id;

        /// <summary>
        /// A person column's people, as their e-mail addresses in the site's user information list (never the e-mail a
        /// multi-person value carries inline, so that a single and a multiple column agree), joined with "; ".
        /// </summary>
        private string? Person(MappedField mapped, string column)
        {
            var name = mapped.Field.Name;
            if (LookupIds(name, column) is not { } ids)
            {
                return PlainText(name, column);
            }
            if (ids.Count == 0)
            {
                return null;
            }
            if (ids.Count > 1 && name == ManagerField)
            {
                _reported.Add(name);
                _resolutions.Add($"{name}={string.Join(",", ids)}→?");
                Problem($"{Label(name)}: kolumnen anger {ids.Count} personer, men ett förvaltningsobjekt har en enda objektsförvaltare. " +
                        "Power BI-rollen Objektsförvaltare jämför en e-postadress med den inloggades, så ange en person.");
                return null;
            }
            var emails = new List<string>();
            var unknown = new List<string>();
            var withoutEmail = new List<string>();
            foreach (var id in ids)
            {
                var user = context.Users.Find(id);
                if (user is null)
                {
                    unknown.Add(ShownId(id));
                }
                else if (user.Email is null)
                {
                    withoutEmail.Add(ShownId(id) + (user.Title is { } title ? $" ({InputLimits.Excerpt(title)})" : ""));
                }
                else if (!emails.Contains(user.Email, StringComparer.OrdinalIgnoreCase))
                {
                    emails.Add(user.Email);
                }
            }
            // One problem for each kind, however many people a hostile multi-person value names: it costs its item, not the log.
            if (unknown.Count > 0)
            {
                Problem($"{Label(name)}: {People(unknown)} finns inte i webbplatsens användarlista (User Information List).");
            }
            if (withoutEmail.Count > 0)
            {
                Problem($"{Label(name)}: {People(withoutEmail)} har ingen e-postadress i webbplatsens användarlista (User Information List).");
            }
            var missing = unknown.Count > 0 || withoutEmail.Count > 0;
            var joined = missing ? null : string.Join("; ", emails);
            _resolutions.Add($"{name}={string.Join(",", ids)}→{joined ?? "?"}");
            if (missing)
            {
                _reported.Add(name);
            }
            return joined;
        }

        /// <summary>An id as a message shows it: as given, or an excerpt of one no SharePoint would give (a lookup id is a number).</summary>
        private static string ShownId(string id) => id.Length <= 20 ? id : InputLimits.Excerpt(id);

        /// <summary>"personen med id 17", or "personerna med id 17, 18 och 4 till": at most three ids named.</summary>
        private static string People(List<string> ids) =>
            ids.Count == 1 ? $"personen med id {ids[0]}"
            : ids.Count <= 3 ? $"personerna med id {string.Join(", ", ids)}"
            : $"personerna med id {string.Join(", ", ids.Take(3))} och {ids.Count - 3} till";

        /// <summary>A lookup to another of the four lists, as the looked-up item's key (<see cref="ListItemContext.LookUpKey"/>).</summary>
        private string? LookedUpKey(MappedField mapped, string column)
        {
            var name = mapped.Field.Name;
            var list = mapped.Field.RefersTo!;
            if (LookupIds(name, column) is not { } ids)
            {
                return PlainText(name, column);
            }
            if (ids.Count == 0)
            {
                return null;
            }
            if (ids.Count > 1)
            {
                _reported.Add(name);
                _resolutions.Add($"{name}={string.Join(",", ids)}→?");
                Problem($"{Label(name)}: uppslaget pekar på {ids.Count} objekt i listan {list}, men fältet tar ett.");
                return null;
            }
            var key = context.LookUpKey?.Invoke(list, ids[0]);
            _resolutions.Add($"{name}={ids[0]}→{key ?? "?"}");
            if (key is null)
            {
                _reported.Add(name);
                Problem($"{Label(name)}: uppslaget pekar på objekt {ShownId(ids[0])} i listan {list}, som inte finns (borttaget?).");
            }
            return key;
        }

        /// <summary>A person or lookup column given as plain text: read as a text column is.</summary>
        private string? PlainText(string name, string column)
        {
            var value = fields.GetProperty(column);
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => Invalid(name, value, "är ingen text"),
            };
            text = text?.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }

        /// <summary>
        /// A choice value: the list's own value through the mapping (<see cref="GraphListOptions.ChoiceOf"/>), then the
        /// contract's, matched case-insensitively and given back in the contract's spelling.
        /// </summary>
        public string? Choice(string name, IReadOnlyList<string> allowed)
        {
            var text = FullText(name);
            if (text is null)
            {
                return null;
            }
            var value = Mapped(name, text);
            var match = allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                _reported.Add(name);
                UnknownChoice(name, text);
                Problem($"{Label(name)}: {InputLimits.Excerpt(text)} är inget av valen {string.Join(", ", allowed)}.");
            }
            return match;
        }

        /// <summary>A multi-choice value: Graph gives an array (of texts, or of managed metadata labels); a text with ';' is read too.</summary>
        public IEnumerable<string> Choices(string name)
        {
            if (_mapping[name].Column is not { } column || !fields.TryGetProperty(column, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return [];
            }
            if (value.ValueKind == JsonValueKind.Array)
            {
                return value.EnumerateArray()
                    .Select(e => e.ValueKind switch
                    {
                        JsonValueKind.String => e.GetString()?.Trim(),
                        JsonValueKind.Object => Shown(_mapping[name], e)?.Trim() ?? e.GetRawText(),
                        _ => e.GetRawText(),
                    })
                    .Where(s => !string.IsNullOrEmpty(s))
                    .Select(s => s!)
                    .ToList();
            }
            return (FullText(name) ?? "").Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        /// <summary>A number; from a number column shown as a percentage, which Graph gives as a fraction (0.45), the percentage (45).</summary>
        public decimal? Number(string name)
        {
            var mapped = _mapping[name];
            if (mapped.Column is not { } column || !fields.TryGetProperty(column, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            decimal number;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out number))
            {
                return Scaled(mapped, number);
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
                    return Scaled(mapped, number);
                }
            }
            Invalid(name, value, "är inget tal");
            return null;
        }

        // 0.45 × 100 is 45.00: the scale is dropped, so that the percentage is stored as the same number a contract list gives.
        private static decimal Scaled(MappedField mapped, decimal number) =>
            mapped.IsFraction ? number * 100m / 1.000000000000000000000000000000000m : number;

        /// <summary>
        /// A plain <c>yyyy-MM-dd</c> of ASCII digits that is a date, read without the culture machinery of
        /// <see cref="DateOnly.TryParseExact(string, string, IFormatProvider, DateTimeStyles, out DateOnly)"/>, which took
        /// most of the date columns' time over a full refresh's 39,000 list items. Whatever this refuses is left to it.
        /// </summary>
        private static bool TryParseIsoDate(string text, out DateOnly date)
        {
            date = default;
            if (text.Length != 10 || text[4] != '-' || text[7] != '-')
            {
                return false;
            }
            int Digits(int start, int count)
            {
                var value = 0;
                for (var i = start; i < start + count; i++)
                {
                    if (!char.IsAsciiDigit(text[i]))
                    {
                        return -1;
                    }
                    value = value * 10 + (text[i] - '0');
                }
                return value;
            }
            var (year, month, day) = (Digits(0, 4), Digits(5, 2), Digits(8, 2));
            if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                return false;
            }
            date = new DateOnly(year, month, day);
            return true;
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
            if (TryParseIsoDate(text, out var date)
                || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
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
            _reported.Add(name);
            Problem($"{Label(name)}: {InputLimits.Excerpt(text)} är inget datum.");
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
            Problem($"{Label(name)}: {limits.OutsideWindow(date)}");
            return null;
        }

        /// <param name="column">The key the value was under, when not the field's column (<c>&lt;Column&gt;LookupId</c>).</param>
        private string? Invalid(string name, JsonElement value, string what, string? column = null)
        {
            _reported.Add(name);
            var shown = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
            var label = column is null ? Label(name) : $"{name} (kolumnen {column})";
            Problem($"{label}: {InputLimits.Excerpt(shown)} {what}.");
            return null;
        }
    }
}
