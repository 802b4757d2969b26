using NackaInsights.TestSupport;

namespace NackaInsights.Reports.Tests;

/// <summary>Where the Power BI project and Microsoft's schemas are, from the test's output folder up to the repository.</summary>
internal static class ReportsFolder
{
    public static string Repository { get; } = RepositoryFolder.Root;

    /// <summary><c>reports/</c>: the Power BI project.</summary>
    public static string Root => Path.Combine(Repository, "reports");

    /// <summary>
    /// Microsoft's published Power BI project schemas that the project's files name, copied unchanged (MIT) so that
    /// a clean clone validates offline: a <c>$schema</c> URL under <c>https://developer.microsoft.com/json-schemas/</c>
    /// maps onto this folder.
    /// </summary>
    public static string Schemas => Path.Combine(Repository, "tests", "Reports.Tests", "Schemas");
}
