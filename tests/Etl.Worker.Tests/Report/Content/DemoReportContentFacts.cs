using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.Etl.Report;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>The follow-up report of the demo warehouse: its figures against the views, against what the demo prints, and its shape.</summary>
public sealed class DemoReportContentFacts(DemoReportWarehouse demo) : IClassFixture<DemoReportWarehouse>
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(FixedTime.ReportDay.UtcDateTime);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryFigure_OfTheMunicipalitysReport_EqualsTheSameFigureComputedBySqlFromTheViews()
    {
        var page = await ReportPage.WriteAsync(demo.Database, ReportRequest.Municipality);
        var expected = await ExpectedFigures.ComputeAsync(demo.Database, [], null, Today);

        Assert.True(page.Figures.Count > 100, $"only {page.Figures.Count} figures");
        FigureAssert.EqualsExpected(page, expected);
    }

    [Fact]
    public async Task TheRealisation_AndTheIndex_AreTheFiguresTheDemoPrints()
    {
        var page = await ReportPage.WriteAsync(demo.Database, ReportRequest.Municipality);

        var realisation = Regex.Match(demo.Printed, @"planned ([\d ]+ kr), realised ([\d ]+ kr) \((\d+ %)\)");
        Assert.True(realisation.Success, demo.Printed);
        Assert.Equal(realisation.Groups[1].Value, Plain(page.Text("overview.to-date.planned-benefit")));
        Assert.Equal(realisation.Groups[2].Value, Plain(page.Text("overview.to-date.realized-benefit")));
        Assert.Equal(realisation.Groups[3].Value, Plain(page.Text("overview.to-date.realization-rate")));

        var indexLine = demo.Printed.Split('\n').Single(l => l.StartsWith("Digitaliseringsindex of the municipality", StringComparison.Ordinal));
        var printed = Regex.Matches(indexLine, @"(\d{4}) (\d+,\d) \(").Select(m => (Year: m.Groups[1].Value, Index: m.Groups[2].Value)).ToList();
        Assert.Equal(3, printed.Count);
        foreach (var (year, index) in printed)
        {
            Assert.Equal(index, page.Text($"index.total.{year}"));
        }
        Assert.Equal(printed[^1].Index, page.Text("overview.index"));
    }

    [Fact]
    public async Task NackasReferenceCase_StandsInTheReport_WithItsAssessmentAndRealisation()
    {
        const string Reference = "DIG-2023-014";
        var page = await ReportPage.WriteAsync(demo.Database, ReportRequest.Municipality);
        await using var connection = await demo.Database.OpenAsync(Ct);
        var scores = await connection.QuerySingleAsync<(double Benefit, double Feasibility)>(
            "SELECT benefit_score, feasibility_score FROM pbi_fct_evaluation WHERE initiative_id = @Reference", new { Reference });
        var variance = await connection.ExecuteScalarAsync<double>(
            "SELECT SUM(actual_value - planned_value) FROM pbi_fct_benefit_realization WHERE initiative_id = @Reference AND actual_value IS NOT NULL AND benefit_type <> 'Förflyttning'",
            new { Reference });

        Assert.Equal((decimal)scores.Benefit, page.Value($"priority.initiative.{Reference}.benefit")!.Value, 6);
        Assert.Equal((decimal)scores.Feasibility, page.Value($"priority.initiative.{Reference}.feasibility")!.Value, 6);
        var kind = variance < 0 ? "shortfall" : "surplus";
        Assert.Equal((decimal)variance, page.Value($"realization.{kind}.{Reference}.variance")!.Value, 3);
        Assert.Contains("Digital signering av avtal", page.Document.GetElementById(ReportSections.Priority)!.TextContent);
    }

    [Fact]
    public async Task ThePage_HasTheContractsSevenSections_InOrder_ChartsWithTheirNumbers_AndTheRunsDateInItsFooter()
    {
        var page = await ReportPage.WriteAsync(demo.Database, ReportRequest.Municipality);
        var document = page.Document;

        Assert.Equal("sv", document.DocumentElement.GetAttribute("lang"));
        Assert.Equal(ReportSections.All, document.QuerySelectorAll("section[id]").Select(s => s.Id));
        Assert.Empty(document.QuerySelectorAll("script, link, img, iframe, object, embed"));
        Assert.DoesNotContain(document.All.SelectMany(e => e.Attributes), a => a.Value.Contains("http:", StringComparison.OrdinalIgnoreCase) && a.Name != "xmlns"
            || a.Value.Contains("https:", StringComparison.OrdinalIgnoreCase) || a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        var charts = document.QuerySelectorAll("svg");
        Assert.True(charts.Length >= 5, $"{charts.Length} charts");
        foreach (var svg in charts)
        {
            Assert.Equal("img", svg.GetAttribute("role"));
            Assert.False(string.IsNullOrWhiteSpace(svg.GetAttribute("aria-label")));
            Assert.NotNull(svg.GetAttribute("viewBox"));
            // Its numbers as text: a table of figures in the same <figure>, after the drawing.
            var figure = svg.Closest("figure")!;
            Assert.NotNull(figure.QuerySelector("figcaption"));
            Assert.NotNull(figure.QuerySelector("svg ~ .table-wrap table [data-figure]"));
        }
        var footer = Assert.Single(document.QuerySelectorAll("footer"));
        await using var connection = await demo.Database.OpenAsync(Ct);
        var finished = await connection.ExecuteScalarAsync<string>("SELECT finished_at_local FROM pbi_etl_run WHERE run_id = (SELECT MAX(run_id) FROM pbi_etl_run)");
        Assert.Contains(finished![..16], footer.TextContent);
        Assert.Contains("@page", page.Html);
        Assert.Contains("break-before: page", page.Html);
    }

    [Fact]
    public async Task Money_IsInWholeKronorGroupedBySpaces_Percent_AndDecimals_TakeAComma()
    {
        var page = await ReportPage.WriteAsync(demo.Database, ReportRequest.Municipality);

        var money = page.Figures.Where(f => f.GetAttribute("data-figure") is { } n && (n.EndsWith(".planned", StringComparison.Ordinal) || n.EndsWith(".realized", StringComparison.Ordinal) || n.EndsWith("-benefit", StringComparison.Ordinal)))
            .Where(f => !string.IsNullOrEmpty(f.GetAttribute("data-value"))).ToList();
        Assert.NotEmpty(money);
        Assert.All(money, f => Assert.Matches(@"^−?\d{1,3}(\u00A0\d{3})*\u00A0kr$", f.TextContent));
        Assert.Matches(@"^\d+\u00A0%$", page.Text("overview.realization-rate"));
        Assert.Matches(@"^\d+,\d$", page.Text("overview.index"));
        Assert.Equal("2\u00A0664\u00A0000\u00A0kr", page.Text("overview.to-date.planned-benefit"));
    }

    private static readonly string[] UnitNames =
        ["Fastighet och service", "Kultur och fritid", "Miljö och stadsbyggnad", "Stadsledningskontoret", "Välfärd samhällsservice", "Välfärd skola"];

    public static TheoryData<string> Units => new(UnitNames);

    [Theory]
    [MemberData(nameof(Units))]
    public async Task AUnitsReport_NamesNoOtherUnit_NorAnyOfTheirInitiativesOrObjects(string unit)
    {
        var page = await ReportPage.WriteAsync(demo.Database, new ReportRequest([unit], null));
        await using var connection = await demo.Database.OpenAsync(Ct);
        var others = (await connection.QueryAsync<string>(
            """
            SELECT unit FROM pbi_dim_unit WHERE unit <> @Unit
            UNION SELECT initiative_id FROM pbi_dim_initiative WHERE unit <> @Unit
            UNION SELECT name FROM pbi_dim_initiative WHERE unit <> @Unit
            UNION SELECT object_id FROM pbi_dim_object WHERE unit <> @Unit
            UNION SELECT name FROM pbi_dim_object WHERE unit <> @Unit
            """, new { Unit = unit })).ToList();
        var own = (await connection.QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative WHERE unit = @Unit", new { Unit = unit })).ToList();

        Assert.NotEmpty(others);
        var text = page.AllText;
        Assert.All(others, other => Assert.DoesNotContain(other, text, StringComparison.Ordinal));
        Assert.All(others, other => Assert.DoesNotContain(other, page.Html, StringComparison.Ordinal));
        Assert.Contains(unit, page.Text("report.scope"));
        Assert.Contains(own, id => text.Contains(id, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Units))]
    public async Task AUnitsReport_HasThatUnitsTotals_AndTheMunicipalitysIndexLabelledAsSuch(string unit)
    {
        var page = await ReportPage.WriteAsync(demo.Database, new ReportRequest([unit], null));
        var expected = await ExpectedFigures.ComputeAsync(demo.Database, [unit], null, Today);

        FigureAssert.EqualsExpected(page, expected, name => !name.StartsWith("quality.", StringComparison.Ordinal));
        Assert.Contains("Kommunen totalt", page.Figure("overview.municipality-index").ParentElement!.ParentElement!.TextContent);
    }

    [Fact]
    public async Task AUnitsReport_LeavesOutTheDataQualityProblemsItCannotTieToTheUnit_AndSaysHowMany()
    {
        var whole = await ReportPage.WriteAsync(demo.Database, ReportRequest.Municipality);
        var files = whole.Value("quality.files")!.Value;
        var problems = whole.Value("quality.problems")!.Value;

        var shownFiles = 0m;
        foreach (var unit in UnitNames)
        {
            var page = await ReportPage.WriteAsync(demo.Database, new ReportRequest([unit], null));
            Assert.Equal(files, page.Value("quality.files")!.Value + (page.Has("quality.files-left-out") ? page.Value("quality.files-left-out")!.Value : 0));
            Assert.Equal(problems, page.Value("quality.problems")!.Value + (page.Has("quality.problems-left-out") ? page.Value("quality.problems-left-out")!.Value : 0));
            shownFiles += page.Value("quality.files")!.Value;
        }
        // The demo's actuals file of FO-BYGGLOV (Miljö och stadsbyggnad) is tied to its unit: at least one file is shown somewhere.
        Assert.True(shownFiles >= 1);
        var bygg = await ReportPage.WriteAsync(demo.Database, new ReportRequest(["Miljö och stadsbyggnad"], null));
        Assert.Contains("FO-BYGGLOV", bygg.Document.GetElementById(ReportSections.DataQuality)!.TextContent);
    }

    [Fact]
    public async Task AUnitTheWarehouseDoesNotKnow_IsAReportException_WithASwedishMessage()
    {
        var error = await Assert.ThrowsAsync<ReportException>(() => ReportPage.WriteAsync(demo.Database, new ReportRequest(["Finns inte"], null)));

        Assert.Contains("Verksamheten \"Finns inte\" finns inte", error.Message);
    }

    [Fact]
    public async Task AUnit_IsFound_WhateverItsLetterCase_AndShownAsTheWarehouseSpellsIt()
    {
        var page = await ReportPage.WriteAsync(demo.Database, new ReportRequest(["välfärd SKOLA"], null));

        Assert.Equal("Verksamhet: Välfärd skola", page.Text("report.scope"));
    }

    private static string Plain(string text) => text.Replace('\u00A0', ' ');
}
