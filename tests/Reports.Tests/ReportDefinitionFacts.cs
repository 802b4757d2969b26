using System.Text.Json;

namespace NackaInsights.Reports.Tests;

/// <summary>The report's structure beyond its schemas: its model, its pages and the fields its visuals name.</summary>
public sealed class ReportDefinitionFacts
{
    [Fact]
    public void TheReportPointsAtTheSemanticModelByPath()
    {
        var pbir = ReportProject.Read(Path.Combine(ReportProject.Report, "definition.pbir"));

        Assert.Equal("../NackaInsights.SemanticModel", pbir.GetProperty("datasetReference").GetProperty("byPath").GetProperty("path").GetString());
        Assert.False(pbir.GetProperty("datasetReference").TryGetProperty("byConnection", out _));
    }

    [Fact]
    public void PagesJsonListsExactlyThePagesThatExist()
    {
        var pages = ReportProject.Read(Path.Combine(ReportProject.Pages, "pages.json"));
        var order = pages.GetProperty("pageOrder").EnumerateArray().Select(p => p.GetString()!).ToList();
        var folders = ReportProject.PageFolders().Select(Path.GetFileName).ToList();

        Assert.Equal(order.Distinct().Count(), order.Count);
        Assert.Equal(folders.Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
        Assert.Contains(pages.GetProperty("activePageName").GetString(), order);
    }

    [Fact]
    public void EveryPageAndVisualIsNamedAsItsFolder()
    {
        foreach (var folder in ReportProject.PageFolders())
        {
            Assert.Equal(Path.GetFileName(folder), ReportProject.Read(Path.Combine(folder, "page.json")).GetProperty("name").GetString());
            foreach (var file in ReportProject.VisualFiles(folder))
            {
                Assert.Equal(Path.GetFileName(Path.GetDirectoryName(file)), ReportProject.Read(file).GetProperty("name").GetString());
            }
        }
    }

    [Fact]
    public void TheReportHasTheSevenFollowUpPagesInSwedishInOrder()
    {
        var pages = ReportProject.Read(Path.Combine(ReportProject.Pages, "pages.json"));
        var names = pages.GetProperty("pageOrder").EnumerateArray()
            .Select(p => ReportProject.Read(Path.Combine(ReportProject.Pages, p.GetString()!, "page.json")).GetProperty("displayName").GetString())
            .ToList();

        Assert.Equal(
            ["Ledningens översikt", "Nyttorealisering", "Prioriteringsmatris", "Business case", "Projektstatus", "Digitaliseringsindex", "Datakvalitet"],
            names);
    }

    [Fact]
    public void EveryPageHasVisualsThatLieOnIt()
    {
        foreach (var folder in ReportProject.PageFolders())
        {
            var page = ReportProject.Read(Path.Combine(folder, "page.json"));
            var (width, height) = (page.GetProperty("width").GetDouble(), page.GetProperty("height").GetDouble());
            var visuals = ReportProject.VisualFiles(folder);

            Assert.NotEmpty(visuals);
            foreach (var file in visuals)
            {
                var position = ReportProject.Read(file).GetProperty("position");
                Assert.True(
                    position.GetProperty("x").GetDouble() >= 0 && position.GetProperty("y").GetDouble() >= 0
                    && position.GetProperty("x").GetDouble() + position.GetProperty("width").GetDouble() <= width
                    && position.GetProperty("y").GetDouble() + position.GetProperty("height").GetDouble() <= height,
                    $"{ReportProject.Relative(file)} lies outside its {width}×{height} page.");
            }
        }
    }

    [Fact]
    public void EveryFieldAVisualNamesIsAColumnOrMeasureOfTheModel()
    {
        var known = ReportFields.Known();
        var unknown = ReportProject.AllVisualFiles()
            .SelectMany(file => ReportProject.FieldsOf(ReportProject.Read(file))
                .Where(field => !known.Contains(field))
                .Select(field => $"{ReportProject.Relative(file)}: {field}"))
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void EveryVisualNamesFieldsAndItsQueryRefsAreUniqueWithinIt()
    {
        foreach (var file in ReportProject.AllVisualFiles())
        {
            var visual = ReportProject.Read(file);
            var refs = visual.GetProperty("visual").GetProperty("query").GetProperty("queryState").EnumerateObject()
                .SelectMany(role => role.Value.GetProperty("projections").EnumerateArray())
                .Select(p => p.GetProperty("queryRef").GetString())
                .ToList();

            Assert.NotEmpty(ReportProject.FieldsOf(visual));
            Assert.True(refs.Count == refs.Distinct().Count(), $"{ReportProject.Relative(file)} repeats a queryRef.");
        }
    }

    [Fact]
    public void AnUnknownFieldIsFound()
    {
        var visual = JsonSerializer.SerializeToElement(new
        {
            visual = new
            {
                query = new
                {
                    queryState = new Dictionary<string, object>
                    {
                        ["Values"] = new
                        {
                            projections = new[]
                            {
                                new { field = new { Measure = new { Expression = new { SourceRef = new { Entity = "Initiativ" } }, Property = "Antal initiativ" } }, queryRef = "a" },
                                new { field = new { Measure = new { Expression = new { SourceRef = new { Entity = "Initiativ" } }, Property = "Fas" } }, queryRef = "b" },
                            },
                        },
                    },
                },
            },
        });

        var unknown = ReportProject.FieldsOf(visual).Where(f => !ReportFields.Known().Contains(f)).ToList();

        Assert.Equal([new ModelField("Initiativ", "Fas", IsMeasure: true)], unknown);
    }

    [Fact]
    public void FieldsInsideAggregationsAndSortsAreFound()
    {
        var visual = ReportProject.Read(Path.Combine(ReportProject.Pages, "prioriteringsmatris", "visuals", "nyttaMotGenomforbarhet", "visual.json"));

        var fields = ReportProject.FieldsOf(visual);

        Assert.Contains(new ModelField("Bedömning", "Nyttopoäng", IsMeasure: false), fields);
        Assert.Contains(new ModelField("Bedömning", "Genomförbarhetspoäng", IsMeasure: false), fields);
        Assert.Contains(new ModelField("Bedömning", "Prioriteringsklass", IsMeasure: false), fields);
        Assert.Contains(new ModelField("Initiativ", "Namn", IsMeasure: false), fields);
    }
}
