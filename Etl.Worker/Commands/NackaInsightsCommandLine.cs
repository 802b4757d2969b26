using System.CommandLine;
using System.Data.Common;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Service;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary>The exit codes of cli.md.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Rejections = 1;
    public const int Usage = 2;
    public const int Failed = 3;
}

/// <summary>Bad usage, told to the operator in plain words; exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The <c>nacka-insights</c> command line (cli.md).</summary>
public static class NackaInsightsCommandLine
{
    public static async Task<int> InvokeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var root = Build(stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync(error.Message);
            }
            await stderr.WriteLineAsync("Run 'nacka-insights --help' for the commands and their options.");
            return ExitCodes.Usage;
        }
        try
        {
            var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            var command = parse.CommandResult.Command;
            if (command is RootCommand)
            {
                // The service handles SIGTERM and Ctrl+C itself, with the configured shutdown timeout.
                configuration.ProcessTerminationTimeout = null;
                return await parse.InvokeAsync(configuration, ct);
            }
            if (command.Name == HashPasswordCommand.Name)
            {
                // It touches no warehouse and waits at a password prompt: System.CommandLine's own handling ends it at once.
                return await parse.InvokeAsync(configuration, ct);
            }
            configuration.ProcessTerminationTimeout = null;
            using var signals = new TerminationSignals(stderr, ct);
            return await parse.InvokeAsync(configuration, signals.Token);
        }
        catch (Exception e)
        {
            return await ReportAsync(e, stderr);
        }
    }

    /// <summary>Turns an exception that escaped a command into plain words and an exit code; never a stack trace.</summary>
    internal static async Task<int> ReportAsync(Exception e, TextWriter stderr)
    {
        switch (e)
        {
            case UsageException:
                await stderr.WriteLineAsync(e.Message);
                return ExitCodes.Usage;
            case OptionsValidationException options:
                foreach (var failure in options.Failures)
                {
                    await stderr.WriteLineAsync($"Configuration error in {options.OptionsType.Name}: {failure}");
                }
                return ExitCodes.Usage;
            case InvalidOperationException when e.InnerException is FormatException or InvalidOperationException && e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase):
                await stderr.WriteLineAsync($"Configuration error: {e.Message} {e.InnerException?.Message}");
                return ExitCodes.Usage;
            case NackaInsights.Warehouse.Loading.RefreshLockTimeoutException:
                await stderr.WriteLineAsync(e.Message);
                return ExitCodes.Failed;
            case SchemaMismatchException:
                await stderr.WriteLineAsync($"The warehouse schema does not match this program: {e.Message}");
                return ExitCodes.Failed;
            case DbException or SocketException or TimeoutException:
                await stderr.WriteLineAsync($"The warehouse could not be reached or refused the work: {e.Message}");
                return ExitCodes.Failed;
            case OperationCanceledException:
                await stderr.WriteLineAsync("Cancelled; the warehouse is as it was.");
                return ExitCodes.Failed;
            case IOException or UnauthorizedAccessException:
                await stderr.WriteLineAsync(e.Message);
                return ExitCodes.Failed;
            default:
                await stderr.WriteLineAsync($"Failed: {e.GetType().Name}: {e.Message}");
                return ExitCodes.Failed;
        }
    }

    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand(
            "NackaInsights: the data warehouse and ETL worker of the digitalisation office. " +
            "Loads business case workbooks into a dimensional warehouse that Power BI reads through the pbi_* views.");
        // With no command: the service (cli.md), with the database options and ASP.NET Core's --urls.
        var database = new DatabaseOptions();
        database.AddTo(root);
        var urls = new Option<string?>("--urls") { Description = $"Where the service listens (default {WorkerService.DefaultUrl}, loopback only)." };
        root.Options.Add(urls);
        root.SetAction(async (parse, ct) =>
        {
            var webArgs = parse.GetValue(urls) is { } u ? new[] { "--urls", u } : [];
            await WorkerService.RunAsync(webArgs, database.Overrides(parse), ct);
            return ExitCodes.Success;
        });

        root.Subcommands.Add(DemoCommand.Create(stdout, stderr));
        root.Subcommands.Add(RefreshCommand.Create(stdout, stderr));
        root.Subcommands.Add(ValidateCommand.Create(stdout, stderr));
        root.Subcommands.Add(TemplateCommand.Create(stdout, stderr));
        root.Subcommands.Add(MigrateCommand.Create(stdout, stderr));
        root.Subcommands.Add(StatusCommand.Create(stdout, stderr));
        root.Subcommands.Add(HashPasswordCommand.Create(stdout, stderr));
        return root;
    }
}

/// <summary>
/// Stop signals to a command: SIGTERM (systemd, <c>docker stop</c>), SIGINT (Ctrl+C) and SIGQUIT. The first cancels the
/// command's token and lets it end in order: a run stops, rolls back and records itself as cancelled, and the command
/// exits with its own code, 3 for a failed run (cli.md). System.CommandLine's own handling is not used: it waits two
/// seconds and then exits with 130 or 143 in the middle of the rollback, before the run is recorded. A second signal
/// is left to the runtime, which ends the process at once; the warehouse's transactions leave it as it was even then.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly TextWriter _stderr;
    private readonly CancellationTokenSource _cancel;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    public TerminationSignals(TextWriter stderr, CancellationToken ct)
    {
        _stderr = stderr;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    /// <summary>Cancelled by the first stop signal, or by the caller's token.</summary>
    public CancellationToken Token => _cancel.Token;

    private void OnSignal(PosixSignalContext context)
    {
        var name = context.Signal.ToString();
        if (Interlocked.Increment(ref _received) > 1)
        {
            _stderr.WriteLine($"{name} received again: stopping at once.");
            return;
        }
        context.Cancel = true;
        if (CommandHost.Interactive)
        {
            // On a line of its own, not at the end of the progress line.
            _stderr.Write("\r\x1b[2K");
        }
        _stderr.WriteLine($"{name} received: stopping. A run in progress is rolled back and publishes nothing; send it again to stop at once.");
        _cancel.Cancel();
    }

    public void Dispose()
    {
        _registrations.ForEach(r => r.Dispose());
        _cancel.Dispose();
    }
}

/// <summary>The options that choose the warehouse: <c>--db PATH</c>, or <c>--provider</c> with <c>--connection</c>.</summary>
internal sealed class DatabaseOptions
{
    public Option<string?> Db { get; } = new("--db") { Description = "The SQLite warehouse file (the embedded default)." };

    public Option<string?> Provider { get; } = new("--provider") { Description = "The warehouse database: sqlite, postgres or sqlserver." };

    public Option<string?> Connection { get; } = new("--connection") { Description = "The ADO.NET connection string of the warehouse database." };

    public void AddTo(Command command)
    {
        command.Options.Add(Db);
        command.Options.Add(Provider);
        command.Options.Add(Connection);
    }

    /// <summary>Configuration overrides from the options; empty when the configuration decides.</summary>
    public Dictionary<string, string?> Overrides(ParseResult parse)
    {
        var db = parse.GetValue(Db);
        var providerText = parse.GetValue(Provider);
        var connection = parse.GetValue(Connection);
        var overrides = new Dictionary<string, string?>();
        const string section = nameof(WarehouseOptions);
        if (db is not null)
        {
            if (connection is not null || (providerText is not null && !providerText.Equals("sqlite", StringComparison.OrdinalIgnoreCase)))
            {
                throw new UsageException("Give either --db PATH (an SQLite file) or --provider with --connection, not both.");
            }
            overrides[$"{section}:{nameof(WarehouseOptions.Provider)}"] = nameof(WarehouseProvider.Sqlite);
            overrides[$"{section}:{nameof(WarehouseOptions.ConnectionString)}"] = $"Data Source={db}";
            return overrides;
        }
        if (providerText is not null)
        {
            if (!WarehouseOptions.TryParseProvider(providerText, out var provider))
            {
                throw new UsageException($"Unknown --provider '{providerText}': use sqlite, postgres or sqlserver.");
            }
            if (connection is null && provider != WarehouseProvider.Sqlite)
            {
                throw new UsageException($"--provider {providerText} needs --connection with the database's connection string.");
            }
            overrides[$"{section}:{nameof(WarehouseOptions.Provider)}"] = provider.ToString();
        }
        if (connection is not null)
        {
            overrides[$"{section}:{nameof(WarehouseOptions.ConnectionString)}"] = connection;
        }
        return overrides;
    }
}

/// <summary>Builds the host a command runs in: configuration, logging and the services of <see cref="NackaInsightsHostingExtensions.AddNackaInsights"/>.</summary>
internal static class CommandHost
{
    /// <summary>Whether a person watches: then progress is drawn and only errors are logged; elsewhere, plain log lines.</summary>
    public static bool Interactive => !Console.IsErrorRedirected;

    public static IHost Build(IDictionary<string, string?> overrides, bool verbose = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = false;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (!verbose && Interactive)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Error);
        }
        builder.AddNackaInsights();
        return builder.Build();
    }
}
