using NackaInsights.Etl.Report.Pdf;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// The Chromium installed on this machine (Debian's <c>chromium</c>, found as the product finds it; or <c>NACKA_CHROMIUM</c>).
/// Never downloaded: where there is none, the tests that need one are reported as skipped, naming how to get it.
/// </summary>
public static class SystemChromium
{
    public const string Variable = "NACKA_CHROMIUM";

    /// <summary>The program, or null where there is none.</summary>
    public static string? Path { get; } = Find();

    /// <summary>The program; skips the calling test where there is none.</summary>
    public static string Require()
    {
        Assert.SkipWhen(Path is null,
            $"No Chromium on this machine: install Debian's package 'chromium' (apt-get install chromium; .ci/run does) or set {Variable} to the program.");
        return Path!;
    }

    private static string? Find()
    {
        try
        {
            return new ChromiumPdfPrinter(new ReportOptions { ChromiumPath = Environment.GetEnvironmentVariable(Variable) ?? "" }).FindChromium();
        }
        catch (ChromiumNotFoundException)
        {
            return null;
        }
    }
}
