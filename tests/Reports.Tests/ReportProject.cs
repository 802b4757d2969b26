using System.Text.Json;

namespace NackaInsights.Reports.Tests;

/// <summary>The JSON files of the Power BI project under <c>reports/</c>, found by walking the folder.</summary>
internal static class ReportProject
{
    public static string Report => Path.Combine(ReportsFolder.Root, "NackaInsights.Report");

    public static string Pages => Path.Combine(Report, "definition", "pages");

    /// <summary>
    /// Every JSON file of the project: <c>.pbip</c>, <c>definition.pbir</c>, <c>definition.pbism</c>, <c>.platform</c> and
    /// every <c>*.json</c>; not Power BI Desktop's local, git-ignored state (<c>.pbi/</c>, <c>localSettings.json</c>).
    /// </summary>
    public static IReadOnlyList<string> JsonFiles() =>
        Directory.EnumerateFiles(ReportsFolder.Root, "*", SearchOption.AllDirectories)
            .Where(IsJson)
            .Where(f => !Path.GetRelativePath(ReportsFolder.Root, f).Split(Path.DirectorySeparatorChar).Contains(".pbi"))
            .Where(f => Path.GetFileName(f) != "localSettings.json")
            .Order(StringComparer.Ordinal)
            .ToList();

    public static string Relative(string file) => Path.GetRelativePath(ReportsFolder.Repository, file).Replace('\\', '/');

    public static JsonElement Read(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.Clone();
    }

    /// <summary>The page folders: <c>definition/pages/&lt;page&gt;/page.json</c>.</summary>
    public static IReadOnlyList<string> PageFolders() =>
        Directory.EnumerateDirectories(Pages).Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<string> VisualFiles(string pageFolder) =>
        Directory.Exists(Path.Combine(pageFolder, "visuals"))
            ? Directory.EnumerateFiles(Path.Combine(pageFolder, "visuals"), "visual.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];

    public static IReadOnlyList<string> AllVisualFiles() => PageFolders().SelectMany(VisualFiles).ToList();

    /// <summary>
    /// Every column and measure that a visual's query names: each <c>Column</c> or <c>Measure</c> expression anywhere in its
    /// <c>query</c> (projections, inside aggregations, and the sort), by the entity of its <c>SourceRef</c>.
    /// </summary>
    public static IReadOnlyList<ModelField> FieldsOf(JsonElement visual)
    {
        var fields = new List<ModelField>();
        if (visual.TryGetProperty("visual", out var config) && config.TryGetProperty("query", out var query))
        {
            Collect(query, fields);
        }
        return fields;
    }

    private static void Collect(JsonElement node, List<ModelField> fields)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    if (property.Name is "Column" or "Measure" && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        fields.Add(FieldOf(property.Value, isMeasure: property.Name == "Measure"));
                    }
                    Collect(property.Value, fields);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray())
                {
                    Collect(item, fields);
                }
                break;
        }
    }

    private static ModelField FieldOf(JsonElement expression, bool isMeasure)
    {
        var entity = expression.TryGetProperty("Expression", out var source)
            && source.TryGetProperty("SourceRef", out var sourceRef)
            && sourceRef.TryGetProperty("Entity", out var name)
                ? name.GetString() ?? "" : "";
        var property = expression.TryGetProperty("Property", out var p) ? p.GetString() ?? "" : "";
        return new ModelField(entity, property, isMeasure);
    }

    private static bool IsJson(string file)
    {
        var name = Path.GetFileName(file);
        return name == ".platform" || Path.GetExtension(name) is ".json" or ".pbip" or ".pbir" or ".pbism";
    }
}
