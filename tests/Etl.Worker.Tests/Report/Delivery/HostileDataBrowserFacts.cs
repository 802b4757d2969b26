using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// Hostile names in a real browser: an initiative and a rejected file whose names carry markup, an ampersand and a very
/// long unbroken word. The page shows them as text, runs nothing, fetches nothing, and still fits a phone's width.
/// </summary>
public sealed class HostileDataBrowserFacts : IDisposable
{
    /// <summary>Markup that would run or fetch were it not escaped. A file name cannot hold '/', so no closing tags.</summary>
    private const string Markup = "<script>document.title='pwned'<img src=x onerror=document.title='pwned'> & Co";

    private static readonly string LongWord = string.Concat(Enumerable.Repeat("Nyttorealiseringsuppföljning", 5));

    private readonly TempDirectory _dir = new("nacka-report-hostile");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task HostileAndVeryLongNames_AreShownAsText_RunNothing_FetchNothing_AndFitAPhone()
    {
        SystemChromium.Require();
        (await DemoReport.GetAsync()).RequireContent();
        var source = Path.Combine(_dir.Path, "source");
        new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows(name: $"{Markup} {LongWord}"))
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .Save(_dir.File("source/business-cases/DIG-2023-014.xlsx"));
        // Rejected (an amount that is no amount), so that the data quality section names the file.
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs[1][2] = "ca 500k";
        new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows(id: "DIG-2024-002"))
            .Sheet("Kostnader", costs)
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .Save(_dir.File($"source/business-cases/{Markup} {LongWord}.xlsx"));
        var db = _dir.File("nacka-insights.db");
        var refresh = await CliRunner.RunAsync("refresh", "--source-dir", source, "--db", db);
        Assert.True(refresh.ExitCode == ExitCodes.Rejections, refresh.ToString());
        var html = _dir.File("rapport.html");
        var report = await CliRunner.RunAsync("report", "--out", html, "--db", db);
        Assert.True(report.ExitCode == ExitCodes.Success, report.ToString());

        await using var browser = await ReportBrowser.LaunchAsync();
        await using var phone = await browser.OpenAsync(html, ReportBrowserFacts.PhoneWidth, 844);
        var title = await phone.Page.TitleAsync();
        var text = await phone.Page.InnerTextAsync("body");
        var widths = await phone.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var injected = await phone.Page.EvaluateAsync<int>("() => document.querySelectorAll('body script, img[src=\"x\"]').length");
        var shot = ReportOutput.File("hostile-phone.png");
        await phone.Page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        ReportOutput.Kept(shot);

        Assert.NotEqual("pwned", title);
        Assert.Equal(0, injected);
        Assert.Contains("<script>document.title='pwned'", text);
        Assert.Contains("& Co", text);
        Assert.Empty(phone.Requests);
        Assert.Empty(phone.ConsoleErrors);
        Assert.True(widths[0] <= widths[1], $"A long name makes the page {widths[0]} px wide in a {widths[1]} px viewport.");
    }
}
