using System.CommandLine;
using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
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
                result = await RunGraphPipelineAsync(host, graph, "refresh", stderr, ct);
            }
            await ConsoleReport.WriteRunAsync(stdout, result);
            if (parse.GetValue(verbose))
            {
                // One machine-readable line for the benchmark (bench/): seconds per phase of the run.
                await stderr.WriteLineAsync(ConsoleReport.TimingsLine(result.Timings));
            }
            return ConsoleReport.ExitCode(result);
        });
        return command;
    }

    /// <summary>Migrates the warehouse, then runs the pipeline over the source folder <paramref name="dir"/>.</summary>
    internal static Task<RunResult> RunPipelineAsync(IHost host, string dir, string runKind, TextWriter stderr, CancellationToken ct)
    {
        return RunPipelineAsync(host, RunSources.FromFolder(new SourceFolder(dir)), runKind, stderr, ct);
    }

    /// <summary>
    /// The configured SharePoint site through Graph: its lists, and its document libraries of business case
    /// and actuals workbooks (a library whose setting is empty is left out).
    /// </summary>
    internal static async Task<RunResult> RunGraphPipelineAsync(IHost host, GraphOptions graph, string runKind, TextWriter stderr, CancellationToken ct)
    {
        var credential = GraphCredentials.Create(graph);
        using var lists = new GraphListSource(graph, credential, host.Services.GetRequiredService<ILogger<GraphListSource>>());
        var libraries = new List<GraphLibrarySource>();
        try
        {
            foreach (var kind in new[] { SourceKind.BusinessCase, SourceKind.Actuals })
            {
                if (graph.LibraryFor(kind).Library.IsEnabled)
                {
                    libraries.Add(new GraphLibrarySource(graph, kind, credential, host.Services.GetRequiredService<ILogger<GraphLibrarySource>>()));
                }
            }
            return await RunPipelineAsync(host, new RunSources(libraries, lists), runKind, stderr, ct);
        }
        finally
        {
            libraries.ForEach(l => l.Dispose());
        }
    }

    /// <summary>Migrates the warehouse, then runs the pipeline over <paramref name="sources"/>.</summary>
    internal static async Task<RunResult> RunPipelineAsync(IHost host, RunSources sources, string runKind, TextWriter stderr, CancellationToken ct)
    {
        var migrator = host.Services.GetRequiredService<SchemaMigrator>();
        await migrator.MigrateAsync(ct);
        var pipeline = host.Services.GetRequiredService<RefreshPipeline>();
        IRunObserver? progress = CommandHost.Interactive ? new TerminalProgress(stderr) : null;
        var result = await pipeline.RunAsync(sources, runKind, progress, ct);
        (progress as TerminalProgress)?.Done();
        return result;
    }
}

/// <summary><c>demo [--db PATH]</c>: writes the demo source folder and loads it into an SQLite warehouse.</summary>
internal static class DemoCommand
{
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
            };
            using var host = CommandHost.Build(overrides);
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
            // The broken workbook is rejected on purpose: the demo itself succeeded.
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary><c>migrate</c>: creates or upgrades the warehouse schema.</summary>
internal static class MigrateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var database = new DatabaseOptions();
        var command = new Command("migrate", "Create or upgrade the warehouse schema.");
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var host = CommandHost.Build(database.Overrides(parse));
            var warehouse = host.Services.GetRequiredService<WarehouseDatabase>();
            var result = await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(ct);
            if (result.Applied.Count == 0)
            {
                await stdout.WriteLineAsync($"{warehouse.Describe()} is up to date at schema version {result.CurrentVersion}.");
            }
            else
            {
                foreach (var script in result.Applied)
                {
                    await stdout.WriteLineAsync($"Applied {warehouse.Dialect.ScriptFolder}/{script.Name}");
                }
                await stdout.WriteLineAsync($"{warehouse.Describe()} is at schema version {result.CurrentVersion}.");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary><c>status</c>: the latest runs and the files of the latest one.</summary>
internal static class StatusCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var runs = new Option<int>("--runs") { Description = "How many runs to list.", DefaultValueFactory = _ => 10 };
        var database = new DatabaseOptions();
        var command = new Command("status", "Show the latest runs and the files of the latest one, from pbi_etl_run and pbi_etl_file.") { runs };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var host = CommandHost.Build(database.Overrides(parse));
            var warehouse = host.Services.GetRequiredService<WarehouseDatabase>();
            var (queries, problem) = await ExistingWarehouse.OpenForReadingAsync(host, ct);
            if (queries is null)
            {
                await stderr.WriteLineAsync(problem);
                return ExitCodes.Failed;
            }
            await ConsoleReport.WriteStatusAsync(stdout, queries, warehouse, Math.Max(1, parse.GetValue(runs)), ct);
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>Whether a command that reads the warehouse has one to read.</summary>
internal static class ExistingWarehouse
{
    /// <summary>Why there is no warehouse to read, for the operator; null when there is one with its schema.</summary>
    public static async Task<string?> ProblemAsync(IHost host, CancellationToken ct) => (await OpenForReadingAsync(host, ct)).Problem;

    /// <summary>
    /// The warehouse opened only to read (<see cref="WarehouseQueries.OpenForReadingAsync"/>), or, for the operator, why
    /// there is none to read: no file, a database that cannot be opened or read (naming it and the reason), or one
    /// without the warehouse schema.
    /// </summary>
    public static async Task<(WarehouseQueries? Queries, string? Problem)> OpenForReadingAsync(IHost host, CancellationToken ct)
    {
        var warehouse = host.Services.GetRequiredService<WarehouseDatabase>();
        if (warehouse.Options.Provider == WarehouseProvider.Sqlite)
        {
            var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(warehouse.Options.ConnectionString).DataSource;
            if (Directory.Exists(dataSource))
            {
                // SQLite would only say "disk I/O error".
                return (null, $"Cannot read the warehouse, {warehouse.Describe()}: it is a directory, not a database file.");
            }
            if (dataSource != ":memory:" && !File.Exists(dataSource))
            {
                return (null, $"There is no warehouse at {warehouse.Describe()}. Run 'nacka-insights migrate' or 'refresh' first.");
            }
        }
        WarehouseReading reading;
        try
        {
            reading = await WarehouseQueries.OpenForReadingAsync(warehouse, ct);
        }
        catch (WarehouseUnreadableException e)
        {
            return (null, e.Message);
        }
        if (reading.SchemaVersion is null)
        {
            return (null, $"{warehouse.Describe()} has no warehouse schema. Run 'nacka-insights migrate' or 'refresh' first.");
        }
        return (reading.Queries, null);
    }
}
