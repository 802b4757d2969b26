using System.Text.Json;
using System.Text.Json.Nodes;

namespace NackaInsights.TestSupport;

/// <summary>A SharePoint list item as Graph returns it.</summary>
public sealed record ListItem(string Id, DateTimeOffset LastModified, IReadOnlyDictionary<string, object?> Fields)
{
    /// <summary>The item's <c>createdDateTime</c> exactly as written (so that a test can write one that is no timestamp); none when null.</summary>
    public string? Created { get; init; }

    public JsonObject ToJson()
    {
        var fields = new JsonObject();
        foreach (var (name, value) in Fields)
        {
            fields[name] = value switch
            {
                null => null,
                string[] many => new JsonArray(many.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                string text => JsonValue.Create(text),
                int number => JsonValue.Create(number),
                long number => JsonValue.Create(number),
                double number => JsonValue.Create(number),
                decimal number => JsonValue.Create(number),
                bool flag => JsonValue.Create(flag),
                _ => throw new ArgumentException($"No JSON for a {value.GetType().Name}", nameof(Fields)),
            };
        }
        var item = new JsonObject { ["id"] = Id };
        if (Created is not null)
        {
            item["createdDateTime"] = Created;
        }
        item["lastModifiedDateTime"] = LastModified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        item["fields"] = fields;
        return item;
    }
}

/// <summary>Writes the offline form of the SharePoint lists: <c>lists/&lt;list&gt;.json</c>, holding what Graph would return.</summary>
public static class ListFiles
{
    public static void Write(string sourceDir, string listName, params ListItem[] items)
    {
        var directory = Path.Combine(sourceDir, "lists");
        Directory.CreateDirectory(directory);
        var page = new JsonObject { ["value"] = new JsonArray(items.Select(i => (JsonNode?)i.ToJson()).ToArray()) };
        File.WriteAllText(Path.Combine(directory, listName + ".json"), page.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static ListItem Initiative(string itemId, string initiativeId, string phase, DateTimeOffset modified, string unit = "Stadsledningskontoret",
        string? name = null, string? objectId = null, string? owner = "agare@nacka.se", params (string Field, object? Value)[] more)
    {
        var fields = new Dictionary<string, object?>
        {
            ["Title"] = name ?? $"Initiativ {initiativeId}",
            ["InitiativId"] = initiativeId,
            ["Verksamhet"] = unit,
            ["Fas"] = phase,
            ["ForvaltningsobjektId"] = objectId,
            ["AgareEpost"] = owner,
        };
        foreach (var (field, value) in more)
        {
            fields[field] = value;
        }
        return new ListItem(itemId, modified, fields);
    }

    /// <summary>All eleven criteria of one assessment, Nytta scores first (N1–N4), then Genomförbarhet (G1–G7).</summary>
    public static ListItem[] Assessment(string firstItemId, string initiativeId, string date, int[] scores)
    {
        string[] criteria =
        [
            "Kostnadsbesparing / tidsbesparing", "Förbättrad kvalitet / användarupplevelse", "Tvingande / lagkrav", "Följer styrdokument",
            "Tillgänglig kompetens", "Stöd från ledningen", "Projektets komplexitet", "Finansiering", "Objektsförvaltning",
            "Tekniskt stöd och arkitektur", "Regelefterlevnad (juridik, dataskydd, infosäk)",
        ];
        var first = int.Parse(firstItemId, System.Globalization.CultureInfo.InvariantCulture);
        return scores.Select((score, i) => new ListItem(
            (first + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(date + "T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            new Dictionary<string, object?> { ["InitiativId"] = initiativeId, ["Kriterium"] = criteria[i], ["Poang"] = score, ["Bedomningsdatum"] = date }))
            .ToArray();
    }

    public static ListItem Status(string itemId, string initiativeId, string date, string status, double? percent = null, double? budget = null) =>
        new(itemId, DateTimeOffset.Parse(date + "T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), new Dictionary<string, object?>
        {
            ["InitiativId"] = initiativeId, ["Rapportdatum"] = date, ["Status"] = status, ["Fardiggrad"] = percent, ["BudgetForbrukad"] = budget,
        });

    public static ListItem Object(string itemId, string objectId, string name, string manager, string unit) =>
        new(itemId, new DateTimeOffset(2024, 1, 2, 8, 0, 0, TimeSpan.Zero), new Dictionary<string, object?>
        {
            ["Title"] = name, ["ObjektId"] = objectId, ["ForvaltareEpost"] = manager, ["Verksamhet"] = unit,
        });
}
