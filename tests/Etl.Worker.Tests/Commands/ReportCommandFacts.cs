using System.Security.Cryptography;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.Tests.Report.Delivery;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>
/// <c>report</c> over the demo warehouse, as an operator runs it: what it writes, what it refuses (exit 2) and that it
/// leaves the warehouse as it was. The page itself is the report's own facts'; here only that it is the whole page.
/// </summary>
public sealed class ReportCommandFacts : IDisposable
{
    private readonly TempDirectory _out = new("nacka-report-out");

    public void Dispose() => _out.Dispose();

    [Fact]
    public async Task Report_WritesTheWholePage_AndLeavesTheWarehouseAsItWas()
    {
        var demo = await DemoReport.GetAsync();
        var html = _out.File("rapport.html");
        var before = Fingerprint(demo.Database);

        var result = await CliRunner.RunAsync("report", "--out", html, "--db", demo.Database);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains(html, result.Output);
        var page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("</html>", page.TrimEnd(), StringComparison.OrdinalIgnoreCase);
        var at = ReportSections.All.Select(id => page.IndexOf($"<section id=\"{id}\"", StringComparison.Ordinal)).ToList();
        Assert.All(at, i => Assert.True(i >= 0, "a section is missing"));
        Assert.Equal(at.Order(), at);
        Assert.Equal(before, Fingerprint(demo.Database));
        // Written through a temporary file beside it, which is gone.
        Assert.Equal(["rapport.html"], Directory.GetFiles(_out.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Report_WithoutOut_IsBadUsage()
    {
        var demo = await DemoReport.GetAsync();

        var result = await CliRunner.RunAsync("report", "--db", demo.Database);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("--out", result.Error);
    }

    [Fact]
    public async Task Report_WhereThereIsNoWarehouse_IsBadUsage_AndCreatesNone()
    {
        var missing = _out.File("no-such.db");
        var html = _out.File("rapport.html");

        var result = await CliRunner.RunAsync("report", "--out", html, "--db", missing);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"There is no warehouse at {missing}", result.Error);
        Assert.False(File.Exists(missing), "the report created a database");
        Assert.False(File.Exists(html));
    }

    [Fact]
    public async Task Report_OfAUnitTheWarehouseDoesNotKnow_IsBadUsage_AndWritesNoPage()
    {
        var demo = await DemoReport.GetAsync();
        demo.RequireContent();
        var html = _out.File("rapport.html");

        var result = await CliRunner.RunAsync("report", "--out", html, "--unit", "Ingen sådan verksamhet", "--db", demo.Database);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains("No report was written", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.False(File.Exists(html));
    }

    [Fact]
    public async Task Report_WithPdf_WhereTheConfiguredChromiumIsMissing_SaysSo_AndExits2_WithTheHtmlWritten()
    {
        var demo = await DemoReport.GetAsync();
        var html = _out.File("rapport.html");
        var pdf = _out.File("rapport.pdf");
        var nowhere = _out.File("bin/chromium");

        // As a process: the setting comes from the environment, as an operator would give it.
        var result = await CliRunner.RunProcessAsync(_out.Path, new Dictionary<string, string> { ["Report__ChromiumPath"] = nowhere },
            "report", "--out", html, "--pdf", pdf, "--db", demo.Database);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.Contains($"No Chromium at {nowhere} (Report:ChromiumPath)", result.Error);
        Assert.Contains("install Debian's package 'chromium'", result.Error);
        Assert.True(File.Exists(html), "the HTML was not written");
        Assert.False(File.Exists(pdf));
    }

    [Fact]
    public async Task Report_WithPdf_PrintsAPdf_ThroughChromium()
    {
        SystemChromium.Require();
        var demo = await DemoReport.GetAsync();
        var html = _out.File("rapport.html");
        var pdf = _out.File("rapport.pdf");

        var result = await CliRunner.RunProcessAsync(_out.Path, new Dictionary<string, string> { ["Report__ChromiumPath"] = SystemChromium.Path! },
            "report", "--out", html, "--pdf", pdf, "--db", demo.Database);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains($"Printed it to {pdf}", result.Output);
        Assert.True(PdfFile.StartsAsAPdf(pdf));
        Assert.True(PdfFile.Pages(pdf) >= 1);
        Assert.Equal(["rapport.html", "rapport.pdf"], Directory.GetFiles(_out.Path).Select(Path.GetFileName).Order());
    }

    private static string Fingerprint(string database) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(database))) + File.GetLastWriteTimeUtc(database).Ticks;
}
