using NackaInsights.Etl.Report;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// The user guide's pictures of the report, one PNG per section of the demo's report at desktop width, made again on
/// demand: <c>NACKA_REPORT_PICTURES=docs/images dotnet test tests/Etl.Worker.Tests --filter "FullyQualifiedName~ReportPictures"</c>
/// (a relative folder is taken from the repository root). Without the variable it is reported as skipped.
/// </summary>
public sealed class ReportPictures
{
    public const string Variable = "NACKA_REPORT_PICTURES";

    [Fact]
    public async Task PicturesOfEachSection_ForTheUserGuide()
    {
        var folder = Environment.GetEnvironmentVariable(Variable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(folder),
            $"Makes the user guide's pictures only when asked: set {Variable} to the folder (e.g. docs/images).");
        SystemChromium.Require();
        var target = Path.IsPathRooted(folder!) ? folder! : Path.Combine(RepositoryRoot(), folder!);
        Directory.CreateDirectory(target);
        var demo = await DemoReport.GetAsync();
        await using var browser = await ReportBrowser.LaunchAsync();
        await using var report = await browser.OpenAsync(demo.Report, ReportBrowserFacts.DesktopWidth);

        foreach (var id in ReportSections.All)
        {
            var path = Path.Combine(target, PictureName(id));
            await report.Page.Locator($"section#{id}").ScreenshotAsync(new() { Path = path });
            ReportOutput.Kept(path);
            Assert.True(new FileInfo(path).Length > 0, $"{path} is empty");
        }
        Assert.Empty(report.ConsoleErrors);
        Assert.Empty(report.Requests);
    }

    /// <summary>The picture of a section, as the user guide links it.</summary>
    public static string PictureName(string section) => $"rapport-{section}.png";

    private static string RepositoryRoot() =>
        RepositoryFolder.Find() ?? throw new InvalidOperationException($"No NackaInsights.sln above {AppContext.BaseDirectory}; give {Variable} an absolute folder.");
}
