using NackaInsights.Etl.Report;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>
/// Data that could break the page does not: a warehouse with business cases only, names with markup and ampersands,
/// a name of 2 000 characters, a follow-up year nothing was reported for. Each warehouse is loaded by the real
/// refresh command from a source folder written here.
/// </summary>
public sealed class HostileReportContentFacts : IDisposable
{
    private const string Script = "<script>alert(1)</script> & Söderberg & Co";
    private const string ScriptId = "DIG-2024-901";
    private const string LongId = "DIG-2024-902";
    private static readonly string LongName = string.Concat(Enumerable.Repeat("Långnamnsinitiativ ", 110))[..2000];

    private readonly TempDirectory _dir = new("nacka-report-hostile");

    private string Db => Path.Combine(_dir.Path, "nacka-insights.db");

    private string Source => Path.Combine(_dir.Path, "source");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task AWarehouseWithBusinessCasesOnly_GivesEverySection_AndEachEmptyOneSaysSoInSwedish()
    {
        SaveBusinessCase("DIG-2024-001", "Digital signering av avtal");
        await RefreshAsync();

        var page = await ReportPage.WriteAsync(Database(), ReportRequest.Municipality);

        Assert.Equal(ReportSections.All, page.Document.QuerySelectorAll("section[id]").Select(s => s.Id));
        foreach (var id in new[] { ReportSections.Priority, ReportSections.Flow, ReportSections.ProjectStatus, ReportSections.Index })
        {
            var empty = page.Document.GetElementById(id)!.QuerySelectorAll("p.empty");
            Assert.True(empty.Length > 0, $"section {id} does not say it is empty");
            Assert.All(empty, p => Assert.Matches(@"^(Inga?|Det finns inga|Inget) [a-zåäö]", p.TextContent));
        }
        Assert.Contains("Inget utfall har rapporterats", page.Document.GetElementById(ReportSections.Realization)!.TextContent);
        Assert.Equal(2023 + ContractWorkbooks.ReferenceYears.Length - 1,
            page.Figures.Select(f => f.GetAttribute("data-figure")!).Where(n => n.StartsWith("realization.year.", StringComparison.Ordinal) && n.EndsWith(".planned", StringComparison.Ordinal))
                .Select(n => int.Parse(n.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture)).Max());
        FigureAssert.EqualsExpected(page, await ExpectedFigures.ComputeAsync(Database(), [], null, DateOnly.FromDateTime(FixedTime.ReportDay.UtcDateTime)));
    }

    [Fact]
    public async Task ANameWithMarkupAndAmpersands_IsEscaped_NeverMarkup()
    {
        await HostileRegisterAsync();

        var page = await ReportPage.WriteAsync(Database(), ReportRequest.Municipality);

        Assert.Empty(page.Document.QuerySelectorAll("script"));
        Assert.DoesNotContain("<script>", page.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Söderberg &amp; Co", page.Html);
        // And the reader sees the name exactly as it was written, wherever it stands.
        var shown = page.Document.QuerySelectorAll(".clamp").Where(e => e.TextContent == Script).ToList();
        Assert.NotEmpty(shown);
        Assert.All(shown, e => Assert.Equal(Script, e.GetAttribute("title")));
    }

    [Fact]
    public async Task ARejectedListItem_IsNamedInTheDataQualitySection_WithItsReason_Escaped()
    {
        await HostileRegisterAsync();

        var page = await ReportPage.WriteAsync(Database(), ReportRequest.Municipality);

        var quality = page.Document.GetElementById(ReportSections.DataQuality)!;
        Assert.True(page.Value("quality.items-rejected") >= 1);
        var row = Assert.Single(quality.QuerySelectorAll("tbody tr"), r => r.TextContent.Contains("Initiativ", StringComparison.Ordinal) && r.TextContent.Contains('3'));
        Assert.Contains("<b>Pågår</b>", row.TextContent);
        Assert.Empty(quality.QuerySelectorAll("b"));
        FigureAssert.EqualsExpected(page, await ExpectedFigures.ComputeAsync(Database(), [], null, DateOnly.FromDateTime(FixedTime.ReportDay.UtcDateTime)));
    }

    [Fact]
    public async Task AVeryLongName_IsShownWhole_InABoxThatWrapsAndCutsIt()
    {
        await HostileRegisterAsync();

        var page = await ReportPage.WriteAsync(Database(), ReportRequest.Municipality);

        var shown = page.Document.QuerySelectorAll(".clamp").Where(e => e.TextContent == LongName).ToList();
        Assert.NotEmpty(shown);
        Assert.All(shown, e => Assert.Equal("td", e.ParentElement!.LocalName));
        // The clamp is what keeps it from breaking the layout: cut after a few lines, wrapped anywhere.
        Assert.Matches(@"\.clamp \{[^}]*-webkit-line-clamp: \d[^}]*overflow-wrap: anywhere", page.Html);
        Assert.Contains(".table-wrap { max-width: 100%; overflow-x: auto;", page.Html);
    }

    [Fact]
    public async Task AYearWithoutActuals_ShowsItsPlannedBenefit_AndSaysNothingWasReported()
    {
        await HostileRegisterAsync();
        var page = await ReportPage.WriteAsync(Database(), new ReportRequest([], 2026));
        var expected = await ExpectedFigures.ComputeAsync(Database(), [], 2026, DateOnly.FromDateTime(FixedTime.ReportDay.UtcDateTime));

        Assert.Equal(2026, page.Value("report.year"));
        Assert.True(page.Value("overview.planned-benefit") > 0);
        Assert.Equal("", page.Figure("overview.realized-benefit").GetAttribute("data-value"));
        Assert.Equal("inget rapporterat", page.Text("overview.realized-benefit"));
        Assert.Contains("Inget utfall har rapporterats för 2026", page.Document.GetElementById(ReportSections.Overview)!.TextContent);
        FigureAssert.EqualsExpected(page, expected);
    }

    [Fact]
    public async Task AYearWithNothingAtAll_IsAnEmptyReport_NotAnError()
    {
        await HostileRegisterAsync();

        var page = await ReportPage.WriteAsync(Database(), new ReportRequest([], 1990));

        Assert.Equal(0, page.Value("overview.planned-benefit"));
        Assert.Equal(ReportSections.All, page.Document.QuerySelectorAll("section[id]").Select(s => s.Id));
        Assert.Contains("Det finns inga nyttokalkyler", page.Document.GetElementById(ReportSections.Realization)!.TextContent);
    }

    [Fact]
    public async Task AnEmptyWarehouse_GivesAPageThatSaysSo()
    {
        var database = Database();
        await new NackaInsights.Warehouse.Storage.SchemaMigrator(database, Microsoft.Extensions.Logging.Abstractions.NullLogger<NackaInsights.Warehouse.Storage.SchemaMigrator>.Instance)
            .MigrateAsync(TestContext.Current.CancellationToken);

        var page = await ReportPage.WriteAsync(database, ReportRequest.Municipality);

        Assert.Equal(ReportSections.All, page.Document.QuerySelectorAll("section[id]").Select(s => s.Id));
        Assert.Contains("Lagret har ännu ingen lyckad körning.", page.Document.GetElementById(ReportSections.Overview)!.TextContent);
        Assert.Contains("ingen lyckad körning ännu", page.Document.QuerySelector("footer")!.TextContent);
    }

    /// <summary>The register with a name of markup and one of 2 000 characters, their business cases, an assessment and a status report.</summary>
    private async Task HostileRegisterAsync()
    {
        SaveBusinessCase(ScriptId, "Namn i kalkylen");
        SaveBusinessCase(LongId, "Långt namn i kalkylen");
        var modified = new DateTimeOffset(2024, 2, 1, 9, 0, 0, TimeSpan.Zero);
        ListFiles.Write(Source, "Initiativ",
            ListFiles.Initiative("1", ScriptId, "Projekt", modified, name: Script),
            ListFiles.Initiative("2", LongId, "Beredning", modified, name: LongName),
            // Rejected: a phase the process does not have, so that the data quality section has a list item to name.
            ListFiles.Initiative("3", "DIG-2024-903", "<b>Pågår</b>", modified, name: "Avvisat & okänt"));
        ListFiles.Write(Source, "Bedomningar",
            [.. ListFiles.Assessment("100", ScriptId, "2024-01-10", [4, 3, 2, 3, 3, 3, 3, 3, 3, 3, 4]),
             .. ListFiles.Assessment("200", LongId, "2024-01-11", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4])]);
        ListFiles.Write(Source, "Projektstatus", ListFiles.Status("1", ScriptId, "2024-05-31", "Röd", 40, 100_000));
        await RefreshAsync();
    }

    private void SaveBusinessCase(string id, string name)
    {
        var path = Path.Combine(Source, "business-cases", id + ".xlsx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows(id, name))
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .Save(path);
    }

    private NackaInsights.Warehouse.Storage.WarehouseDatabase Database() =>
        new(NackaInsights.Warehouse.Storage.WarehouseOptions.ForSqliteFile(Db));

    private async Task RefreshAsync()
    {
        var result = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db);
        Assert.True(result.ExitCode is NackaInsights.Etl.Commands.ExitCodes.Success or NackaInsights.Etl.Commands.ExitCodes.Rejections, result.ToString());
    }
}
