using System.Text.RegularExpressions;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// A demo warehouse made by the real <c>demo</c> command in a temporary folder, once for the whole test run (it takes
/// seconds, and nothing here writes to it), with the <c>rapport.html</c> the demo wrote.
/// </summary>
public sealed partial class DemoReport
{
    private static readonly Lazy<Task<DemoReport>> Shared = new(CreateAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private DemoReport(string folder, string database, string report, CliResult demo)
    {
        Folder = folder;
        Database = database;
        Report = report;
        Demo = demo;
    }

    /// <summary>The temporary folder of the warehouse and the demo's sources.</summary>
    public string Folder { get; }

    /// <summary>The SQLite warehouse file.</summary>
    public string Database { get; }

    /// <summary>The municipality's report as the demo wrote it.</summary>
    public string Report { get; }

    /// <summary>What the demo printed.</summary>
    public CliResult Demo { get; }

    public static Task<DemoReport> GetAsync() => Shared.Value;

    /// <summary>
    /// Skips the calling test while the page is the seam's skeleton, before the report's content (issue 18) is merged:
    /// the facts about charts, the footer and page breaks have nothing to look at until then. The content marks every
    /// figure with <c>data-figure</c>, so a page without one is the skeleton.
    /// </summary>
    public void RequireContent() =>
        Assert.SkipUnless(FigureAttribute().IsMatch(File.ReadAllText(Report)),
            "The report is still the seam's skeleton (no data-figure): the report's content is not merged into this branch yet.");

    [GeneratedRegex(@"\sdata-figure\s*=")]
    private static partial Regex FigureAttribute();

    private static async Task<DemoReport> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("nacka-report-demo-").FullName;
        // Removed when the test process ends: several test classes share it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            new TempDirectoryRemover(folder).Remove();
        };
        var database = System.IO.Path.Combine(folder, "nacka-insights.db");
        var demo = await CliRunner.RunAsync("demo", "--db", database);
        Assert.True(demo.ExitCode == ExitCodes.Success, demo.ToString());
        var report = System.IO.Path.Combine(folder, "nacka-insights-demo", DemoCommand.ReportFileName);
        Assert.True(File.Exists(report), $"The demo wrote no {DemoCommand.ReportFileName}:\n{demo}");
        return new DemoReport(folder, database, report, demo);
    }

    private sealed class TempDirectoryRemover(string path)
    {
        public void Remove()
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
