using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// Every JSON file of the Power BI project validates against the Microsoft schema that its own <c>$schema</c> names, with the
/// schemas and their references read from the copies in tests/Reports.Tests/Schemas, never from the network.
/// </summary>
public sealed class ReportJsonFacts
{
    private const string VisualSchema = PowerBiSchemas.Prefix + "fabric/item/report/definition/visualContainer/2.9.0/schema.json";

    public static TheoryData<string> ProjectFiles() => new(ReportProject.JsonFiles().Select(ReportProject.Relative));

    [Theory]
    [MemberData(nameof(ProjectFiles))]
    public void EveryJsonFileOfTheProjectNamesItsSchemaAndValidatesAgainstIt(string file)
    {
        var errors = PowerBiSchemas.Copied.Validate(ReportProject.Read(Path.Combine(ReportsFolder.Repository, file)));

        Assert.True(errors.Count == 0, $"{file}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    [Fact]
    public void TheWalkFindsTheReportsOwnFilesWhateverElseExists()
    {
        var files = ReportProject.JsonFiles().Select(ReportProject.Relative).ToList();

        Assert.Contains("reports/NackaInsights.Report/.platform", files);
        Assert.Contains("reports/NackaInsights.Report/definition.pbir", files);
        Assert.Contains("reports/NackaInsights.Report/definition/report.json", files);
        Assert.Contains("reports/NackaInsights.Report/definition/version.json", files);
        Assert.Contains("reports/NackaInsights.Report/definition/pages/pages.json", files);
        Assert.Contains(files, f => f.EndsWith("/page.json", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("/visual.json", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryReferenceInTheCopiedSchemasHasACopy()
    {
        var missing = new List<string>();
        foreach (var file in Directory.EnumerateFiles(ReportsFolder.Schemas, "*.json", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(ReportsFolder.Schemas, file).Replace('\\', '/');
            var baseUri = new Uri(PowerBiSchemas.Prefix + relative);
            foreach (Match reference in Regex.Matches(File.ReadAllText(file), "\"\\$ref\"\\s*:\\s*\"([^\"#]+)"))
            {
                var target = new Uri(baseUri, reference.Groups[1].Value);
                if (PowerBiSchemas.Copied.FileOf(target) is not { } copy || !File.Exists(copy))
                {
                    missing.Add($"{relative} → {target}");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void AValidVisualValidates()
    {
        Assert.Empty(PowerBiSchemas.Copied.Validate(Visual()));
    }

    public static TheoryData<string> Breakages() => new(Breaks.Keys);

    private static readonly Dictionary<string, Action<JsonObject>> Breaks = new()
    {
        ["no position"] = v => v.Remove("position"),
        ["a property the schema does not know"] = v => v["colour"] = "röd",
        ["a width that is not a number"] = v => v["position"]!["width"] = "bred",
        ["a projection without its queryRef"] = v => Projection(v).Remove("queryRef"),
        ["a column that names no property"] = v => Projection(v)["field"]!["Column"]!.AsObject().Remove("Property"),
        ["a name longer than 50 characters"] = v => v["name"] = new string('x', 51),
        ["neither a visual nor a group"] = v => v.Remove("visual"),
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void ABrokenVisualDoesNotValidate(string breakage)
    {
        var visual = JsonNode.Parse(Visual().GetRawText())!.AsObject();
        Breaks[breakage](visual);

        var errors = PowerBiSchemas.Copied.Validate(JsonSerializer.SerializeToElement(visual));

        Assert.NotEmpty(errors);
    }

    [Fact]
    public void ADocumentThatNamesNoSchemaDoesNotValidate()
    {
        var visual = JsonNode.Parse(Visual().GetRawText())!.AsObject();
        visual.Remove("$schema");

        Assert.Equal(["names no $schema"], PowerBiSchemas.Copied.Validate(JsonSerializer.SerializeToElement(visual)));
    }

    [Theory]
    [InlineData("https://developer.microsoft.com/json-schemas/fabric/item/report/definition/visualContainer/1.0.0/schema.json")]
    [InlineData("https://example.com/json-schemas/fabric/item/report/definition/visualContainer/2.9.0/schema.json")]
    public void ASchemaWithoutACopyIsAnErrorNotADownload(string url)
    {
        var visual = JsonNode.Parse(Visual().GetRawText())!.AsObject();
        visual["$schema"] = url;

        var errors = PowerBiSchemas.Copied.Validate(JsonSerializer.SerializeToElement(visual));

        Assert.Contains("has no copy", Assert.Single(errors), StringComparison.Ordinal);
    }

    private static JsonObject Projection(JsonObject visual) =>
        visual["visual"]!["query"]!["queryState"]!["Category"]!["projections"]![0]!.AsObject();

    /// <summary>A small, valid column chart, built here so that the breakages do not depend on the report's files.</summary>
    private static JsonElement Visual() => JsonSerializer.SerializeToElement(new JsonObject
    {
        ["$schema"] = VisualSchema,
        ["name"] = "testVisual",
        ["position"] = new JsonObject { ["x"] = 0, ["y"] = 0, ["width"] = 400, ["height"] = 300 },
        ["visual"] = new JsonObject
        {
            ["visualType"] = "clusteredColumnChart",
            ["query"] = new JsonObject
            {
                ["queryState"] = new JsonObject
                {
                    ["Category"] = new JsonObject { ["projections"] = new JsonArray(Field("Column", "Initiativ", "Fas")) },
                    ["Y"] = new JsonObject { ["projections"] = new JsonArray(Field("Measure", "Initiativ", "Antal initiativ")) },
                },
            },
        },
    });

    private static JsonObject Field(string kind, string table, string name) => new()
    {
        ["field"] = new JsonObject
        {
            [kind] = new JsonObject
            {
                ["Expression"] = new JsonObject { ["SourceRef"] = new JsonObject { ["Entity"] = table } },
                ["Property"] = name,
            },
        },
        ["queryRef"] = $"{table}.{name}",
    };
}
