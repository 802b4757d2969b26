using System.CommandLine;
using System.CommandLine.Parsing;
using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Service;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

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
        JitProfiles.Command = ProfileName(parse.CommandResult);
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

    /// <summary>The command's name for its JIT profile: <c>refresh</c>, <c>template-actuals</c>, or <c>service</c> without one.</summary>
    internal static string ProfileName(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult { Command: not RootCommand } c; result = result.Parent)
        {
            names.Insert(0, c.Command.Name);
        }
        return names.Count == 0 ? "service" : string.Join('-', names);
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
        root.Subcommands.Add(ReportCommand.Create(stdout, stderr));
        root.Subcommands.Add(SourcesCommand.Create(stdout, stderr));
        root.Subcommands.Add(HashPasswordCommand.Create(stdout, stderr));
        root.Subcommands.Add(PowerBiCommand.Create(stdout, stderr));
        return root;
    }
}
