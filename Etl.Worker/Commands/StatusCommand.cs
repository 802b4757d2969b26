using System.CommandLine;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

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
