using System.CommandLine;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

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
            if (result.Applied.Count == 0 && result.ViewsRecreated == 0)
            {
                await stdout.WriteLineAsync($"{warehouse.Describe()} is up to date at schema version {result.CurrentVersion}.");
            }
            else
            {
                foreach (var script in result.Applied)
                {
                    await stdout.WriteLineAsync($"Applied {warehouse.Dialect.ScriptFolder}/{script.Name}");
                }
                await stdout.WriteLineAsync($"{warehouse.Describe()} is at schema version {result.CurrentVersion}; its {result.ViewsRecreated} pbi_* views were recreated from sql/views.");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
