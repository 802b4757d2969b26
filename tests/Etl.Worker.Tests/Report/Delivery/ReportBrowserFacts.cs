using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.Report.Pdf;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// The demo's report in a real browser (the system Chromium): it loads with no console error and no request outside
/// the file, shows its seven sections in order at desktop and phone width, draws every chart with a size and its numbers
/// as text, carries the run's date in its footer, and prints one page or more per section. Asserts on the rendered DOM,
/// never on particular figures (the report's own facts check those); the screenshots and the PDF are kept in
/// <see cref="ReportOutput.Folder"/>.
/// </summary>
public sealed partial class ReportBrowserFacts : IAsyncLifetime
{
    public const int DesktopWidth = 1280;
    public const int PhoneWidth = 390;

    private DemoReport _demo = null!;
    private ReportBrowser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        SystemChromium.Require();
        _demo = await DemoReport.GetAsync();
        _browser = await ReportBrowser.LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    [Fact]
    public async Task AtDesktopWidth_TheReportShowsItsSevenSectionsInOrder_WithNoConsoleErrorAndNoRequest()
    {
        await using var report = await _browser.OpenAsync(_demo.Report, DesktopWidth);

        var sections = await VisibleSectionsAsync(report.Page);
        await ScreenshotAsync(report.Page, "desktop.png");

        Assert.Equal(ReportSections.All, sections);
        Assert.Empty(report.ConsoleErrors);
        Assert.Empty(report.Requests);
    }

    [Fact]
    public async Task AtPhoneWidth_ThePageDoesNotOverflowSideways()
    {
        await using var report = await _browser.OpenAsync(_demo.Report, PhoneWidth, 844);

        var sections = await VisibleSectionsAsync(report.Page);
        var widths = await report.Page.EvaluateAsync<int[]>(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.body.scrollWidth]");
        await ScreenshotAsync(report.Page, "phone.png");

        Assert.Equal(ReportSections.All, sections);
        Assert.True(widths[0] <= widths[1] && widths[2] <= widths[1],
            $"The page is {widths[0]} px (body {widths[2]} px) wide in a {widths[1]} px viewport: it scrolls sideways on a phone.");
        Assert.Empty(report.ConsoleErrors);
        Assert.Empty(report.Requests);
    }

    [Fact]
    public async Task EveryChart_HasASize_AndItsNumbersAsText()
    {
        _demo.RequireContent();
        await using var report = await _browser.OpenAsync(_demo.Report, DesktopWidth);

        // Each inline SVG: its rendered box, and the text of the figure it belongs to (its data-figure or <figure>
        // ancestor, else its section) outside the drawing itself, where its numbers must also stand.
        var charts = await report.Page.EvaluateAsync<JsonElement>("""
            () => [...document.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg')).map(svg => {
              const box = svg.getBoundingClientRect();
              const holder = svg.closest('figure, [data-figure]') ?? svg.closest('section');
              const copy = holder.cloneNode(true);
              copy.querySelectorAll('svg').forEach(s => s.remove());
              return { where: (holder.getAttribute('data-figure') ?? holder.id ?? holder.tagName), width: box.width, height: box.height, text: copy.textContent };
            })
            """);

        Assert.True(charts.GetArrayLength() > 0, "The report draws no chart.");
        foreach (var chart in charts.EnumerateArray())
        {
            var where = chart.GetProperty("where").GetString();
            Assert.True(chart.GetProperty("width").GetDouble() > 0 && chart.GetProperty("height").GetDouble() > 0, $"The chart in {where} has no size.");
            Assert.True(Digit().IsMatch(chart.GetProperty("text").GetString() ?? ""), $"The chart in {where} carries no numbers as text beside it.");
        }
        Assert.Empty(report.ConsoleErrors);
    }

    [Fact]
    public async Task TheFooter_CarriesTheDateOfTheLatestRun()
    {
        _demo.RequireContent();
        await using var report = await _browser.OpenAsync(_demo.Report, DesktopWidth);

        var footer = report.Page.Locator("footer").Last;
        var text = await footer.InnerTextAsync();
        var date = await LatestRunDateAsync();

        Assert.True(await footer.IsVisibleAsync(), "The footer is not shown.");
        var swedish = date.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("sv-SE"));
        Assert.True(text.Contains(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) || text.Contains(swedish, StringComparison.OrdinalIgnoreCase),
            $"The footer does not carry the run's date {date:yyyy-MM-dd} ({swedish}): \"{text}\"");
    }

    [Fact]
    public async Task Printed_ASectionStartsEachPage_AndThePdfHasAPageOrMoreForEachSection()
    {
        _demo.RequireContent();
        await using var report = await _browser.OpenAsync(_demo.Report, DesktopWidth);
        await report.Page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });

        var breaks = await report.Page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('body section[id]')].map(s => s.id + ':' + getComputedStyle(s).breakBefore)");
        await ScreenshotAsync(report.Page, "print.png");
        // Printed the way the report command prints it: Chromium as a process (ChromiumPdfPrinter).
        var pdf = ReportOutput.File("rapport.pdf");
        await new ChromiumPdfPrinter(new ReportOptions { ChromiumPath = SystemChromium.Require() }).PrintAsync(_demo.Report, pdf, TestContext.Current.CancellationToken);
        ReportOutput.Kept(pdf);

        Assert.All(breaks.Skip(1), b => Assert.EndsWith(":page", b));
        Assert.True(PdfFile.Pages(pdf) >= ReportSections.All.Count, $"The PDF has {PdfFile.Pages(pdf)} pages for {ReportSections.All.Count} sections.");
    }

    /// <summary>The ids of the page's sections that are shown (with a box), in document order.</summary>
    internal static async Task<string[]> VisibleSectionsAsync(IPage page) =>
        await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('section[id]')]
              .filter(s => !s.parentElement.closest('section[id]'))
              .filter(s => { const b = s.getBoundingClientRect(); return b.width > 0 && b.height > 0 && getComputedStyle(s).visibility !== 'hidden'; })
              .map(s => s.id)
            """);

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = ReportOutput.File(name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        ReportOutput.Kept(path);
    }

    /// <summary>The Stockholm date the latest successful run finished: the date the report says its data is from.</summary>
    private async Task<DateOnly> LatestRunDateAsync()
    {
        var database = new WarehouseDatabase(WarehouseOptions.ForSqliteFile(_demo.Database));
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        var finished = await connection.ExecuteScalarAsync<DateTime>(
            "SELECT finished_at_utc FROM pbi_etl_run WHERE status = 'Lyckad' ORDER BY run_id DESC LIMIT 1");
        return StockholmTime.DateOf(finished);
    }

    [GeneratedRegex(@"\d")]
    private static partial Regex Digit();
}
