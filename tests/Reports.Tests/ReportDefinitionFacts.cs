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
    public void TheReportHasTheEightFollowUpPagesInSwedishInOrder_ThenTheHiddenDrillThrough()
    {
        var pages = ReportProject.Read(Path.Combine(ReportProject.Pages, "pages.json"));
        var shown = pages.GetProperty("pageOrder").EnumerateArray()
            .Select(p => ReportProject.Read(Path.Combine(ReportProject.Pages, p.GetString()!, "page.json")))
            .Select(p => (Name: p.GetProperty("displayName").GetString(), Hidden: p.TryGetProperty("visibility", out var v) && v.GetString() == "HiddenInViewMode"))
            .ToList();

        Assert.Equal(
            ["Ledningens översikt", "Nyttorealisering", "Prioriteringsmatris", "Business case", "Flöde", "Projektstatus", "Digitaliseringsindex", "Datakvalitet", "Initiativ i detalj"],
            shown.Select(p => p.Name));
        Assert.Equal([false, false, false, false, false, false, false, false, true], shown.Select(p => p.Hidden));
    }

    [Fact]
    public void NoVisualAggregatesAColumn_EveryValueIsAnExplicitMeasure()
    {
        // The model discourages implicit measures: a visual that sums or averages a column bypasses the measures'
        // definitions (a summed Förflyttning passed 10 while Nyttokvot totalt averaged it).
        var implicitAggregations = ReportProject.AllVisualFiles()
            .SelectMany(file => AggregationsIn(ReportProject.Read(file).GetProperty("visual").GetProperty("query")).Select(a => $"{ReportProject.Relative(file)}: {a}"))
            .ToList();

        Assert.True(implicitAggregations.Count == 0, "Automatic aggregations: " + string.Join(", ", implicitAggregations));
    }

    private static IEnumerable<string> AggregationsIn(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Object => node.EnumerateObject().SelectMany(p => p.Name == "Aggregation" ? [p.Value.GetRawText()] : AggregationsIn(p.Value)),
        JsonValueKind.Array => node.EnumerateArray().SelectMany(AggregationsIn),
        _ => [],
    };

    [Fact]
    public void TheScatter_PlotsOnePointPerInitiativeId_AndShowsTheNameInItsTooltip()
    {
        var state = Visual("prioriteringsmatris", "nyttaMotGenomforbarhet").GetProperty("visual").GetProperty("query").GetProperty("queryState");

        Assert.Equal([new ModelField("Initiativ", "Initiativ-ID", IsMeasure: false)], ReportProject.FieldsOf(Wrap(state.GetProperty("Category"))));
        Assert.Equal([new ModelField("Mått", "Initiativnamn", IsMeasure: true)], ReportProject.FieldsOf(Wrap(state.GetProperty("Tooltips"))));
        Assert.Equal("SELECTEDVALUE('Initiativ'[Namn])", ModelNames.Model.Table("Mått").Measure("Initiativnamn")!.Expression);
    }

    [Theory]
    [InlineData("projektstatus", "statusOverTid")]
    public void TheStatusChart_ColoursGrönGulAndRöd(string page, string visual)
    {
        var points = Visual(page, visual).GetProperty("visual").GetProperty("objects").GetProperty("dataPoint").EnumerateArray()
            .ToDictionary(
                d => d.GetProperty("selector").GetProperty("data")[0].GetProperty("scopeId").GetProperty("Comparison").GetProperty("Right").GetProperty("Literal").GetProperty("Value").GetString()!,
                d => d.GetProperty("properties").GetProperty("fill").GetProperty("solid").GetProperty("color").GetProperty("expr").GetProperty("Literal").GetProperty("Value").GetString()!);

        Assert.Equal(["'Grön'", "'Gul'", "'Röd'"], points.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, points.Values.Distinct().Count());
        // The report table colours its statuses with the same codes, through the colour measure.
        var measure = ModelNames.Model.Table("Mått").Measure("Statusfärg")!.Expression;
        Assert.All(points, p => Assert.Contains($"\"{p.Key.Trim('\'')}\", \"{p.Value.Trim('\'')}\"", measure, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ledningensOversikt", true, true)]
    [InlineData("nyttorealisering", true, true)]
    [InlineData("businessCase", true, false)]
    [InlineData("digitaliseringsindex", true, true)]
    [InlineData("prioriteringsmatris", false, true)]
    [InlineData("projektstatus", false, true)]
    [InlineData("flode", false, true)]
    public void PagesThatFollowUpByYearOrUnit_HaveTheirSlicers(string page, bool year, bool unit)
    {
        var sliced = ReportProject.VisualFiles(Path.Combine(ReportProject.Pages, page)).Select(ReportProject.Read)
            .Where(v => v.GetProperty("visual").GetProperty("visualType").GetString() == "slicer")
            .SelectMany(ReportProject.FieldsOf)
            .ToList();

        Assert.Equal(year, sliced.Contains(new ModelField("År", "År", IsMeasure: false)));
        Assert.Equal(unit, sliced.Contains(new ModelField("Verksamhet", "Verksamhet", IsMeasure: false)));
    }

    [Fact]
    public void TheDrillThroughPage_IsBoundToTheInitiativeId_AndShowsItsBusinessCaseLinesAndVersions()
    {
        var page = ReportProject.Read(Path.Combine(ReportProject.Pages, "initiativDetalj", "page.json"));
        var binding = page.GetProperty("pageBinding");
        var filter = Assert.Single(page.GetProperty("filterConfig").GetProperty("filters").EnumerateArray());
        var parameter = Assert.Single(binding.GetProperty("parameters").EnumerateArray());

        Assert.Equal("Drillthrough", binding.GetProperty("type").GetString());
        Assert.Equal(filter.GetProperty("name").GetString(), parameter.GetProperty("boundFilter").GetString());
        var id = new ModelField("Initiativ", "Initiativ-ID", IsMeasure: false);
        Assert.Equal([id], ReportProject.FieldsOf(Wrap(filter.GetProperty("field"))));
        Assert.Equal([id], ReportProject.FieldsOf(Wrap(parameter.GetProperty("fieldExpr"))));
        var shown = ReportProject.VisualFiles(Path.Combine(ReportProject.Pages, "initiativDetalj")).Select(ReportProject.Read).SelectMany(ReportProject.FieldsOf).ToHashSet();
        foreach (var (table, column) in new[] { ("Nyttokalkylrad", "Post"), ("År", "År"), ("Nyttokalkylrad", "Värde"), ("Nyttokalkylrad", "Blad"), ("Nyttokalkylrad", "Cell"),
                     ("Nyttokalkylrad", "Text i cellen"), ("Nyttokalkylversion", "Kalkylversion"), ("Nyttokalkylversion", "Inläst (UTC)") })
        {
            Assert.Contains(new ModelField(table, column, IsMeasure: false), shown);
        }
    }

    private static ModelField Measure(string name) => new("Mått", name, IsMeasure: true);

    private static ModelField Column(string table, string name) => new(table, name, IsMeasure: false);

    /// <summary>The fields a visual puts in one of its roles (Category, Series, Y, Rows, Columns, Values).</summary>
    private static IReadOnlyList<ModelField> InRole(JsonElement visual, string role) =>
        visual.GetProperty("visual").GetProperty("query").GetProperty("queryState").TryGetProperty(role, out var fields) ? ReportProject.FieldsOf(Wrap(fields)) : [];

    [Fact]
    public void TheFlowPage_ShowsTheCumulativeFlowLeadTimesThroughputAndWhatStandsStill_FromTheFlowMeasures()
    {
        // A cumulative flow: initiatives per phase on each day, stacked; the phase from the history, in process order.
        var flow = Visual("flode", "kumulativtFlode");
        Assert.Equal("stackedAreaChart", flow.GetProperty("visual").GetProperty("visualType").GetString());
        Assert.Equal([Column("Datum", "Datum")], InRole(flow, "Category"));
        Assert.Equal([Column("Initiativhistorik", "Fas")], InRole(flow, "Series"));
        Assert.Equal([Measure("Initiativ på dag")], InRole(flow, "Y"));

        // Lead times by unit and year of decision: the year from Datum, which the lead times reach through the decision date.
        var leadTimes = Visual("flode", "ledtider");
        Assert.Equal("pivotTable", leadTimes.GetProperty("visual").GetProperty("visualType").GetString());
        Assert.Equal([Column("Verksamhet", "Verksamhet")], InRole(leadTimes, "Rows"));
        Assert.Equal([Column("Datum", "År")], InRole(leadTimes, "Columns"));
        string[] spans = ["Dagar till beslut", "Dagar beslut till projekt", "Dagar projekt till förvaltning", "Dagar till förvaltning"];
        Assert.Equal(spans.SelectMany(s => new[] { Measure($"{s} (median)"), Measure($"{s} (80:e percentil)") }), InRole(leadTimes, "Values"));
        Assert.All(spans, s => Assert.Contains("USERELATIONSHIP('Livscykel'[Beslutad den], 'Datum'[Datum])", ModelNames.Model.Table("Mått").Measure($"{s} (median)")!.Expression, StringComparison.Ordinal));

        // Throughput per quarter: the initiatives entering each phase, by year and quarter.
        var throughput = Visual("flode", "genomflodePerKvartal");
        Assert.Equal([Column("Datum", "År"), Column("Datum", "Kvartal")], InRole(throughput, "Category"));
        Assert.Equal(new[] { "Nya initiativ", "Till Beredning", "Till Beslutad", "Till Projekt", "Till Förvaltning", "Till Avslutad", "Till Avslagen" }.Select(Measure),
            InRole(throughput, "Y"));

        // The initiatives that stand still: a row only where Dagar stillastående is not blank, that is past the threshold.
        var still = Visual("flode", "stillastaende");
        Assert.Equal("tableEx", still.GetProperty("visual").GetProperty("visualType").GetString());
        Assert.Equal([Measure("Dagar stillastående")], InRole(still, "Values").Where(f => f.IsMeasure));
        Assert.Contains(Column("Initiativ", "Initiativ-ID"), InRole(still, "Values"));
        // The phase from the register, which the measure reads too, so that it sorts in process order.
        Assert.Contains(Column("Initiativ", "Fas"), InRole(still, "Values"));

        // The threshold is picked on the page; the count of those standing still beside it.
        var fields = ReportProject.VisualFiles(Path.Combine(ReportProject.Pages, "flode")).Select(ReportProject.Read).SelectMany(ReportProject.FieldsOf).ToHashSet();
        Assert.Contains(Column("Tröskel stillastående", "Tröskel stillastående"), fields);
        Assert.Contains(Measure("Stillastående initiativ"), fields);
    }

    [Fact]
    public void TheBusinessCasePage_ShowsTheRangeBesideTheExpectedValue_AndATornadoOfTheLinesSortedBySwing()
    {
        // The three net present values side by side, the range as text after them.
        var range = Visual("businessCase", "nettonuvardeIntervall");
        Assert.Equal("multiRowCard", range.GetProperty("visual").GetProperty("visualType").GetString());
        Assert.Equal(new[] { "Nettonuvärde pessimistiskt", "Nettonuvärde förväntat", "Nettonuvärde optimistiskt", "Nettonuvärde intervall" }.Select(Measure),
            InRole(range, "Values"));

        // The tornado: a stacked bar chart, so that each line's deviation at its low and at its high lie on either side
        // of zero on one bar; one bar per line name, sorted by the swing, largest first, which the visual carries as a tooltip.
        var tornado = Visual("businessCase", "kanslighetPerPost");
        Assert.Equal("barChart", tornado.GetProperty("visual").GetProperty("visualType").GetString());
        Assert.Equal("'Känslighet per post'", TitleOf(tornado));
        Assert.Equal([Column("Känslighet", "Post")], InRole(tornado, "Category"));
        Assert.Equal([Measure("Avvikelse vid lägsta"), Measure("Avvikelse vid högsta")], InRole(tornado, "Y"));
        Assert.Equal([Measure("Svängning i nettonuvärde")], InRole(tornado, "Tooltips"));
        var sort = Assert.Single(tornado.GetProperty("visual").GetProperty("query").GetProperty("sortDefinition").GetProperty("sort").EnumerateArray());
        Assert.Equal([Measure("Svängning i nettonuvärde")], ReportProject.FieldsOf(Wrap(sort)));
        Assert.Equal("Descending", sort.GetProperty("direction").GetString());
        // Each bar is the line's net present value at its low and at its high less the expected one.
        var measures = ModelNames.Model.Table("Mått");
        Assert.Contains("'Känslighet'[Nuvärde vid lägsta] - ExpectedNpv", measures.Measure("Avvikelse vid lägsta")!.Expression, StringComparison.Ordinal);
        Assert.Contains("'Känslighet'[Nuvärde vid högsta] - ExpectedNpv", measures.Measure("Avvikelse vid högsta")!.Expression, StringComparison.Ordinal);

        // The per-year matrix stays on the page, below them.
        Assert.Equal("pivotTable", Visual("businessCase", "kalkylPerAr").GetProperty("visual").GetProperty("visualType").GetString());
    }

    private static string? TitleOf(JsonElement visual) =>
        visual.GetProperty("visual").GetProperty("visualContainerObjects").GetProperty("title")[0].GetProperty("properties")
            .GetProperty("text").GetProperty("expr").GetProperty("Literal").GetProperty("Value").GetString();

    [Fact]
    public void NoTwoVisualsOfAPage_Overlap()
    {
        var overlaps = new List<string>();
        foreach (var folder in ReportProject.PageFolders())
        {
            var boxes = ReportProject.VisualFiles(folder).Select(f => (File: ReportProject.Relative(f), Box: Box(ReportProject.Read(f).GetProperty("position")))).ToList();
            for (var i = 0; i < boxes.Count; i++)
            {
                for (var j = i + 1; j < boxes.Count; j++)
                {
                    if (Overlap(boxes[i].Box, boxes[j].Box))
                    {
                        overlaps.Add($"{boxes[i].File} and {boxes[j].File}");
                    }
                }
            }
        }

        Assert.True(overlaps.Count == 0, "Overlapping visuals: " + string.Join(", ", overlaps));
        // Boxes that only touch do not overlap; one that reaches into another does.
        Assert.False(Overlap((0, 0, 100, 100), (100, 0, 100, 100)));
        Assert.True(Overlap((0, 0, 100, 100), (99, 99, 10, 10)));
    }

    private static (double X, double Y, double Width, double Height) Box(JsonElement position) =>
        (position.GetProperty("x").GetDouble(), position.GetProperty("y").GetDouble(), position.GetProperty("width").GetDouble(), position.GetProperty("height").GetDouble());

    private static bool Overlap((double X, double Y, double Width, double Height) a, (double X, double Y, double Width, double Height) b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;

    private static JsonElement Visual(string page, string visual) =>
        ReportProject.Read(Path.Combine(ReportProject.Pages, page, "visuals", visual, "visual.json"));

    /// <summary>A query fragment as a visual, so that <see cref="ReportProject.FieldsOf"/> reads its fields.</summary>
    private static JsonElement Wrap(JsonElement fragment) =>
        JsonSerializer.SerializeToElement(new { visual = new { query = fragment } });

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
                                new { field = new { Measure = new { Expression = new { SourceRef = new { Entity = "Mått" } }, Property = "Antal initiativ" } }, queryRef = "a" },
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
        static object Column(string table, string name) => new { Column = new { Expression = new { SourceRef = new { Entity = table } }, Property = name } };
        var visual = JsonSerializer.SerializeToElement(new
        {
            visual = new
            {
                query = new
                {
                    queryState = new Dictionary<string, object>
                    {
                        ["X"] = new { projections = new[] { new { field = new { Aggregation = new { Expression = Column("Bedömning", "Nyttopoäng"), Function = 1 } }, queryRef = "a" } } },
                    },
                    sortDefinition = new { sort = new[] { new { field = Column("Initiativ", "Namn"), direction = "Ascending" } } },
                },
            },
        });

        var fields = ReportProject.FieldsOf(visual);

        Assert.Equal([new ModelField("Bedömning", "Nyttopoäng", IsMeasure: false), new ModelField("Initiativ", "Namn", IsMeasure: false)], fields);
    }
}
