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
    private const string VisualSchema = PowerBiSchemas.Prefix + "fabric/item/report/definition/visualContainer/1.0.0/schema.json";

    public static TheoryData<string> ProjectFiles() => new(ReportProject.JsonFiles().Select(ReportProject.Relative));

    [Theory]
    [MemberData(nameof(ProjectFiles))]
    public void EveryJsonFileOfTheProjectNamesItsSchemaAndValidatesAgainstIt(string file)
    {
        var errors = PowerBiSchemas.Copied.Validate(ReportProject.Read(Path.Combine(ReportsFolder.Repository, file)));

        Assert.True(errors.Count == 0, $"{file}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    /// <summary>
    /// The schema version each kind of file names, and why: the oldest that Microsoft published and that the file
    /// validates against, so that the oldest Power BI Desktop that reads the format opens the project (Desktop refuses a
    /// file that names a version newer than it knows). Every report schema's 1.0.0 came with the PBIR preview of June
    /// 2024 (fabric/item/report/definition/*/CHANGELOG.md in microsoft/json-schemas); platformProperties starts at 2.0.0.
    /// report.json keeps <c>layoutOptimization</c>, which report 1.x requires and 2.0.0 (June 2025) removed.
    /// </summary>
    public static readonly TheoryData<string, string> PinnedVersions = new()
    {
        { "fabric/item/report/definition/visualContainer/", "1.0.0" },
        { "fabric/item/report/definition/page/", "1.0.0" },
        { "fabric/item/report/definition/pagesMetadata/", "1.0.0" },
        { "fabric/item/report/definition/report/", "1.0.0" },
        { "fabric/item/report/definition/versionMetadata/", "1.0.0" },
        { "fabric/item/report/definitionProperties/", "1.0.0" },
        { "fabric/item/semanticModel/definitionProperties/", "1.0.0" },
        { "fabric/pbip/pbipProperties/", "1.0.0" },
        { "fabric/gitIntegration/platformProperties/", "2.0.0" },
    };

    [Theory]
    [MemberData(nameof(PinnedVersions))]
    public void EachKindOfFile_NamesItsPinnedVersion(string kind, string version)
    {
        var named = ReportProject.JsonFiles().Select(f => (File: ReportProject.Relative(f), Url: ReportProject.Read(f).GetProperty("$schema").GetString()!))
            .Where(f => f.Url.StartsWith(PowerBiSchemas.Prefix + kind, StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(named);
        Assert.All(named, f => Assert.True(f.Url == $"{PowerBiSchemas.Prefix}{kind}{version}/schema.json", $"{f.File} names {f.Url}"));
    }

    [Theory]
    [MemberData(nameof(ProjectFiles))]
    public void EveryJsonFile_NamesTheOldestCopiedVersionOfItsSchemaThatValidatesIt(string file)
    {
        var document = ReportProject.Read(Path.Combine(ReportsFolder.Repository, file));
        var url = document.GetProperty("$schema").GetString()!;
        var (kind, named) = KindAndVersion(url);

        // Every copy of the same kind of schema older than the one named must reject the file.
        var olderThatValidate = Directory.EnumerateDirectories(Path.Combine(ReportsFolder.Schemas, kind))
            .Select(Path.GetFileName)
            .Where(v => Version.TryParse(v, out var parsed) && parsed < named)
            .Where(v => PowerBiSchemas.Copied.Validate(WithSchema(document, $"{PowerBiSchemas.Prefix}{kind}/{v}/schema.json")).Count == 0)
            .ToList();

        Assert.True(olderThatValidate.Count == 0, $"{file} names {named} but also validates against {string.Join(", ", olderThatValidate)}, which older Desktop installs open");
    }

    [Fact]
    public void TheOldestVersionCheck_FindsAFileThatCouldNameAnOlderVersion()
    {
        // The copied 2.9.0 is what the visuals named before; they validate against 1.0.0 as well.
        var visual = ReportProject.Read(ReportProject.AllVisualFiles()[0]);
        var newer = WithSchema(visual, PowerBiSchemas.Prefix + "fabric/item/report/definition/visualContainer/2.9.0/schema.json");

        Assert.Empty(PowerBiSchemas.Copied.Validate(newer));
        Assert.Empty(PowerBiSchemas.Copied.Validate(WithSchema(visual, VisualSchema)));
        Assert.Equal(("fabric/item/report/definition/visualContainer", new Version(2, 9, 0)), KindAndVersion(newer.GetProperty("$schema").GetString()!));
    }

    /// <summary><c>…/json-schemas/&lt;kind&gt;/&lt;version&gt;/schema.json</c>: the kind's folder and the version.</summary>
    private static (string Kind, Version Version) KindAndVersion(string url)
    {
        var path = url[PowerBiSchemas.Prefix.Length..];
        var parts = path.Split('/');
        return (string.Join('/', parts[..^2]), Version.Parse(parts[^2]));
    }

    private static JsonElement WithSchema(JsonElement document, string url)
    {
        var copy = JsonNode.Parse(document.GetRawText())!.AsObject();
        copy["$schema"] = url;
        return JsonSerializer.SerializeToElement(copy);
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
    [InlineData("https://developer.microsoft.com/json-schemas/fabric/item/report/definition/visualContainer/1.1.0/schema.json")]
    [InlineData("https://example.com/json-schemas/fabric/item/report/definition/visualContainer/1.0.0/schema.json")]
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
