using System.CommandLine;
using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary><c>demo [--db PATH]</c>: writes the demo source folder and loads it into an SQLite warehouse.</summary>
internal static class DemoCommand
{
    /// <summary>The municipality's follow-up report in the demo folder.</summary>
    public const string ReportFileName = "rapport.html";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var db = new Option<string?>("--db") { Description = $"The SQLite warehouse file (default {WarehouseOptions.DefaultSqliteFile})." };
        var sourceDir = new Option<string?>("--source-dir") { Description = "Where to write the demo source folder (default nacka-insights-demo beside the database)." };
        var command = new Command("demo", "Write a realistic demo source folder and load it into an SQLite warehouse.") { db, sourceDir };
        command.SetAction(async (parse, ct) =>
        {
            var dbPath = Path.GetFullPath(parse.GetValue(db) ?? WarehouseOptions.DefaultSqliteFile);
            var dir = Path.GetFullPath(parse.GetValue(sourceDir) ?? Path.Combine(Path.GetDirectoryName(dbPath)!, "nacka-insights-demo"));
            Directory.CreateDirectory(Path.GetDirectoryName(dbPath)!);
            var files = DemoSourceWriter.Write(dir);
            await stdout.WriteLineAsync(
                $"Wrote the demo source folder {dir}: {files.Count} business case workbooks (one of them broken on purpose), the four SharePoint lists " +
                $"and {DemoSurveyWriter.Years.Count} years of the maturity survey.");

            var overrides = new Dictionary<string, string?>
            {
                [$"{nameof(WarehouseOptions)}:{nameof(WarehouseOptions.Provider)}"] = nameof(WarehouseProvider.Sqlite),
                [$"{nameof(WarehouseOptions)}:{nameof(WarehouseOptions.ConnectionString)}"] = $"Data Source={dbPath}",
                // The demo's list Initiativ keeps its owner in a person column, as a municipality's site does.
                [DemoListWriter.OwnerSetting] = DemoListWriter.OwnerColumn,
            };
            using var host = CommandHost.Build(overrides);
            await stdout.WriteLineAsync(
                $"The list Initiativ gives its owner in the person column {DemoListWriter.OwnerColumn}, read through the site's user list " +
                $"(lists/{SiteUsers.ListTitle}.json) by the setting {DemoListWriter.OwnerSetting} = {DemoListWriter.OwnerColumn}; " +
                $"to refresh the demo folder yourself, set it too, e.g. {DemoListWriter.OwnerSetting.Replace(":", "__", StringComparison.Ordinal)}={DemoListWriter.OwnerColumn}.");
            await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
            if ((await host.Services.GetRequiredService<WarehouseQueries>().LatestRunsAsync(1, ct)).Count == 0)
            {
                // A new warehouse first loads the register as it stood in February, so that June's phases make history.
                DemoListWriter.Write(dir, DemoListWriter.Snapshot.February);
                var february = await RefreshCommand.RunPipelineAsync(host, dir, "demo", stderr, ct);
                await stdout.WriteLineAsync($"Run {february.RunId} loaded the register as it stood in February 2024 ({february.Status}).");
                if (!february.Succeeded)
                {
                    await ConsoleReport.WriteRunAsync(stdout, february);
                    return ExitCodes.Failed;
                }
            }
            DemoListWriter.Write(dir, DemoListWriter.Snapshot.June);
            // The objektsförvaltare report what was realised through 2024 in June.
            DemoActualsWriter.Write(dir);
            var result = await RefreshCommand.RunPipelineAsync(host, dir, "demo", stderr, ct);
            await stdout.WriteLineAsync($"Run {result.RunId} loads the register as it stands in June 2024:");
            await ConsoleReport.WriteRunAsync(stdout, result);
            if (!result.Succeeded)
            {
                return ExitCodes.Failed;
            }
            await ConsoleReport.WriteDemoSummaryAsync(stdout, host, dbPath, result, ct);
            // The product for a newcomer without Power BI: the municipality's follow-up report, beside the demo's sources.
            var report = Path.Combine(dir, ReportFileName);
            await ReportFile.WriteAsync(host.Services.GetRequiredService<WarehouseDatabase>(), ReportRequest.Municipality, report, ct);
            await stdout.WriteLineAsync($"The follow-up report (uppföljningsrapport), to open in a browser: {report}");
            // The broken workbook is rejected on purpose: the demo itself succeeded.
            return ExitCodes.Success;
        });
        return command;
    }
}
