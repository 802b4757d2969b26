using System.CommandLine;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.PowerBi;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary><c>refresh --source-dir DIR</c>: the whole pipeline once over a source folder.</summary>
internal static class RefreshCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var sourceDir = new Option<string?>("--source-dir") { Description = "The source folder: business-cases/, actuals/, lists/, index/." };
        var verbose = new Option<bool>("--verbose") { Description = "Log every step to standard error." };
        var database = new DatabaseOptions();
        var command = new Command("refresh", "Run the whole pipeline once over a source folder and publish the result.") { sourceDir, verbose };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(sourceDir);
            if (dir is not null && !Directory.Exists(dir))
            {
                throw new UsageException($"The source folder '{dir}' does not exist.");
            }
            using var host = CommandHost.Build(database.Overrides(parse), parse.GetValue(verbose));
            RunResult result;
            if (dir is not null)
            {
                result = await RunPipelineAsync(host, dir, "refresh", stderr, ct);
            }
            else
            {
                // Without a source folder: the configured sources, the SharePoint lists and document libraries through Graph.
                var graph = host.Services.GetRequiredService<GraphOptions>();
                if (!graph.Enabled)
                {
                    throw new UsageException(
                        "refresh needs --source-dir DIR, or the SharePoint site configured in the section GraphOptions " +
                        "(Enabled, TenantId, ClientId, Authentication, SiteHostname and SitePath or SiteId).");
                }
                result = await RunGraphPipelineAsync(host, "refresh", stderr, ct);
            }
            await ConsoleReport.WriteRunAsync(stdout, result);
            // Inline, after the run committed; what the service does as a continuation. It never changes the exit code.
            await RefreshPowerBiAsync(host.Services, result, stdout, ct);
            if (parse.GetValue(verbose))
            {
                // One machine-readable line for the benchmark (bench/): seconds per phase of the run.
                await stderr.WriteLineAsync(ConsoleReport.TimingsLine(result.Timings));
                await stderr.WriteLineAsync(ConsoleReport.MartsLine(result));
            }
            return ConsoleReport.ExitCode(result);
        });
        return command;
    }

    /// <summary>
    /// Refreshes the configured Power BI semantic models after a run that published new data, and prints one line per
    /// model. A failed refresh is recorded and printed, never thrown: the run's data is published all the same.
    /// </summary>
    internal static async Task<IReadOnlyList<PowerBiRefreshOutcome>> RefreshPowerBiAsync(IServiceProvider services, RunResult result, TextWriter stdout, CancellationToken ct)
    {
        var refresher = services.GetRequiredService<PowerBiRefresher>();
        if (!refresher.Enabled)
        {
            return [];
        }
        var outcomes = await refresher.AfterRunAsync(result, ct);
        await ConsoleReport.WritePowerBiAsync(stdout, result, outcomes);
        return outcomes;
    }

    /// <summary>Migrates the warehouse, then runs the pipeline over the source folder <paramref name="dir"/>.</summary>
    internal static Task<RunResult> RunPipelineAsync(IHost host, string dir, string runKind, TextWriter stderr, CancellationToken ct)
    {
        var sources = RunSources.FromFolder(new SourceFolder(dir), host.Services.GetServices<IUploadReader>());
        return RunPipelineAsync(host, sources, runKind, stderr, ct);
    }

    /// <summary>
    /// The configured SharePoint site through Graph: its lists, and its document libraries of business case
    /// and actuals workbooks (a library whose setting is empty is left out).
    /// </summary>
    internal static async Task<RunResult> RunGraphPipelineAsync(IHost host, string runKind, TextWriter stderr, CancellationToken ct)
    {
        using var sources = host.Services.GetRequiredService<GraphSources>().Create(lists: true, SourceKind.BusinessCase, SourceKind.Actuals);
        return await RunPipelineAsync(host, sources.Sources, runKind, stderr, ct);
    }

    /// <summary>Migrates the warehouse, then runs the pipeline over <paramref name="sources"/>.</summary>
    internal static async Task<RunResult> RunPipelineAsync(IHost host, RunSources sources, string runKind, TextWriter stderr, CancellationToken ct)
    {
        var migrator = host.Services.GetRequiredService<SchemaMigrator>();
        await migrator.MigrateAsync(ct);
        var pipeline = host.Services.GetRequiredService<RefreshPipeline>();
        IRunObserver? progress = CommandHost.Interactive ? new TerminalProgress(stderr) : null;
        var result = await pipeline.RunAsync(sources, runKind, new JitProfiles.StopAtResults(progress), ct);
        (progress as TerminalProgress)?.Done();
        await JitProfiles.RecordingStopped;
        return result;
    }
}
