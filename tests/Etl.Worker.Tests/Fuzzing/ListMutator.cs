using System.Text.Json;
using System.Text.Json.Nodes;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>A list export page with one mutated item (and, for a duplicate, its copy), and what was done to it.</summary>
/// <param name="Json">The page as Graph returns it.</param>
/// <param name="ItemId">The mutated item's id.</param>
/// <param name="Structural">The page itself was damaged (cut short, nested past the parser's depth): it may be refused whole.</param>
/// <param name="Variants">
/// The item's fields as each reading of the JSON may take them: one, or two when a property was written twice (RFC 8259
/// leaves the meaning open; a reader may take either, or reject the item).
/// </param>
public sealed record ListMutant(string ListName, byte[] Json, string ItemId, IReadOnlyList<string> Mutations, bool Structural, IReadOnlyList<JsonObject> Variants, JsonObject Item)
{
    public string Describe() => $"{ListName} item {ItemId}: {string.Join("; ", Mutations)}";
}

/// <summary>
/// Mutates one item of a list export deterministically from a <see cref="Random"/>: a field's JSON type, a missing or
/// repeated property, extreme and impossible dates, huge texts, deep nesting, and the page cut short.
/// </summary>
public static class ListMutator
{
    public static readonly IReadOnlyDictionary<string, string[]> DateFields = new Dictionary<string, string[]>
    {
        ["Initiativ"] = ["Beslutsdatum"],
        ["Bedomningar"] = ["Bedomningsdatum"],
        ["Projektstatus"] = ["Rapportdatum"],
        ["Forvaltningsobjekt"] = [],
    };

    public static readonly IReadOnlyDictionary<string, string[]> Fields = new Dictionary<string, string[]>
    {
        ["Initiativ"] = ["Title", "InitiativId", "Verksamhet", "Fas", "Typ", "Behov", "ForvaltningsobjektId", "AgareEpost", "StrategiskaMal", "Hypotes", "Beslutsdatum"],
        ["Bedomningar"] = ["InitiativId", "Kriterium", "Poang", "Bedomningsdatum", "Kommentar"],
        ["Projektstatus"] = ["InitiativId", "Rapportdatum", "Status", "Fardiggrad", "BudgetForbrukad", "Kommentar"],
        ["Forvaltningsobjekt"] = ["Title", "ObjektId", "ForvaltareEpost", "Verksamhet"],
    };

    private static readonly string[] ExtremeDates =
    [
        "0001-01-01", "9999-12-31", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1999-12-31", "2101-01-01", "2100-12-31",
        "2000-01-01", "2024-02-30", "-0001-01-01", "+10000-01-01", "2024-06-01T25:00:00Z", "2000-01-01T00:00:00+14:00",
        "1999-12-31T23:30:00Z", "2100-12-31T23:30:00Z", "2024-06-01T12:00:00", "2024-06-01 12:00", "1/2/2024", "10:00", "",
    ];

    private static readonly Func<Random, JsonNode?>[] Values =
    [
        _ => null,
        _ => JsonValue.Create(42),
        _ => JsonValue.Create(-1),
        _ => JsonValue.Create(1.5),
        _ => JsonNode.Parse("1e308"),
        _ => JsonNode.Parse("1e400"),
        _ => JsonNode.Parse("-0"),
        _ => JsonNode.Parse("123456789012345678901234567890"),
        _ => JsonValue.Create(""),
        _ => JsonValue.Create("   "),
        _ => JsonValue.Create("abc"),
        _ => JsonValue.Create("42"),
        _ => JsonValue.Create("4,5"),
        _ => JsonValue.Create("NaN"),
        _ => JsonValue.Create("Infinity"),
        _ => JsonValue.Create(true),
        _ => new JsonArray(),
        _ => new JsonArray(JsonValue.Create("x")),
        _ => new JsonArray(JsonValue.Create(1), null),
        _ => new JsonObject(),
        _ => new JsonObject { ["LookupId"] = 7, ["LookupValue"] = "x" },
        _ => JsonValue.Create("Grön"),
        _ => JsonValue.Create("IDÉ"),
        _ => JsonValue.Create("\u0000\u202E"),
    ];

    public static ListMutant Mutate(string listName, JsonArray items, Random random)
    {
        var original = items[random.Next(items.Count)]!.AsObject();
        var item = original.DeepClone().AsObject();
        var fields = item["fields"] as JsonObject ?? [];
        item["fields"] = fields;
        var id = item["id"]?.ToString() ?? "?";
        var notes = new List<string>();
        string? repeated = null;
        JsonNode? repeatedValue = null;
        var structural = false;
        Func<byte[], byte[]>? damage = null;
        var count = random.Next(10) < 6 ? 1 : random.Next(2, 4);
        for (var i = 0; i < count; i++)
        {
            var field = Fields[listName][random.Next(Fields[listName].Length)];
            switch (random.Next(12))
            {
                case 0 or 1 or 2:
                    var value = Values[random.Next(Values.Length)](random);
                    fields[field] = value;
                    notes.Add($"[json-type] {field} = {Show(value)}");
                    break;
                case 3:
                    fields.Remove(field);
                    notes.Add($"[missing] {field} removed");
                    break;
                case 4 or 5:
                    var dateField = DateFields[listName].Length > 0 && random.Next(3) > 0 ? DateFields[listName][random.Next(DateFields[listName].Length)] : null;
                    var pick = random.Next(ExtremeDates.Length);
                    var date = ExtremeDates[pick];
                    if (dateField is null)
                    {
                        // The item's own timestamps, one or the other, by the date drawn: no draw more, so each seed's cases stay as they were.
                        var stamp = pick % 2 == 0 ? "lastModifiedDateTime" : "createdDateTime";
                        item[stamp] = date;
                        notes.Add($"[extreme-date] {stamp} = \"{date}\"");
                    }
                    else
                    {
                        fields[dateField] = date;
                        notes.Add($"[extreme-date] {dateField} = \"{date}\"");
                    }
                    break;
                case 6 or 7:
                    var length = random.Next(2) == 0 ? 100_000 : 1_000_000;
                    var text = string.Create(length, random.Next(26), (span, start) =>
                    {
                        for (var k = 0; k < span.Length; k++)
                        {
                            span[k] = (char)('a' + (start + k) % 26);
                        }
                    });
                    fields[field] = text;
                    notes.Add($"[huge-text] {field} = {length:N0} characters");
                    break;
                case 8:
                    repeated = field;
                    repeatedValue = Values[random.Next(Values.Length)](random);
                    notes.Add($"[repeated-property] {field} written again as {Show(repeatedValue)}");
                    break;
                case 9:
                    // 500: deeper than the list parser's 32, within what System.Text.Json writes (1,000).
                    var depth = random.Next(2) == 0 ? 10 : 500;
                    JsonNode nested = JsonValue.Create("x");
                    for (var k = 0; k < depth; k++)
                    {
                        nested = new JsonArray(nested);
                    }
                    fields[field] = nested;
                    structural |= depth > 20;
                    notes.Add($"[deep-nesting] {field} nested {depth} deep");
                    break;
                case 10:
                    damage = bytes => bytes[..random.Next(bytes.Length)];
                    structural = true;
                    notes.Add("[truncated] the page cut short");
                    break;
                default:
                    var idValue = Values[random.Next(Values.Length)](random);
                    item["id"] = idValue;
                    id = idValue?.ToString() ?? "null";
                    notes.Add($"[id-type] id = {Show(idValue)}");
                    break;
            }
        }

        var variants = new List<JsonObject> { fields.DeepClone().AsObject() };
        var page = new JsonObject { ["value"] = new JsonArray(item) };
        var json = page.ToJsonString();
        if (repeated is not null)
        {
            // JsonObject holds no property twice: the repeated one is written into the text.
            var marker = "\"fields\":{";
            var at = json.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
            var extra = JsonSerializer.Serialize(repeated) + ":" + (repeatedValue?.ToJsonString() ?? "null");
            json = json.Insert(at, fields.Count > 0 ? extra + "," : extra);
            // The repeated one comes first in the text: a reader taking the last one sees the fields as set above.
            var firstWins = fields.DeepClone().AsObject();
            firstWins[repeated] = repeatedValue?.DeepClone();
            if (fields.ContainsKey(repeated))
            {
                variants.Add(firstWins);
            }
            else
            {
                variants[0] = firstWins;
            }
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        if (damage is not null)
        {
            bytes = damage(bytes);
        }
        return new ListMutant(listName, bytes, id, notes, structural, variants, item);
    }

    private static string Show(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 40 ? text[..40] + "…" : text;
    }
}
