using System.CommandLine;
using NackaInsights.Etl.Writers;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary><c>template actuals --object ID --out FILE</c>: the pre-filled actuals workbook of one förvaltningsobjekt.</summary>
internal static class TemplateActualsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var objectId = new Option<string>("--object") { Description = "The förvaltningsobjekt's id, as in the list Forvaltningsobjekt.", Required = true };
        var outFile = new Option<string>("--out") { Description = "Where to write the workbook.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists." };
        var database = new DatabaseOptions();
        var command = new Command("actuals", "Write the pre-filled benefit actuals workbook (nyttouppföljning) of one förvaltningsobjekt, from the warehouse.")
        {
            objectId, outFile, force,
        };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var id = parse.GetValue(objectId)!.Trim();
            var path = parse.GetValue(outFile)!;
            if (id.Length == 0)
            {
                throw new UsageException("--object must name a förvaltningsobjekt.");
            }
            if (File.Exists(path) && !parse.GetValue(force))
            {
                throw new UsageException($"'{path}' exists already; give --force to overwrite it.");
            }
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"The folder '{directory}' does not exist.");
            }
            using var host = CommandHost.Build(database.Overrides(parse));
            if (await ExistingWarehouse.ProblemAsync(host, ct) is { } problem)
            {
                await stderr.WriteLineAsync(problem);
                return ExitCodes.Failed;
            }
            var data = await host.Services.GetRequiredService<WarehouseQueries>().GetActualsTemplateAsync(id, ct);
            if (data is null)
            {
                throw new UsageException(
                    $"There is no förvaltningsobjekt '{id}' in {host.Services.GetRequiredService<WarehouseDatabase>().Describe()}: " +
                    "it is neither in the list Forvaltningsobjekt nor the object of any initiative.");
            }
            var template = ActualsTemplate.From(data);
            await File.WriteAllBytesAsync(path, ActualsTemplateWriter.Write(template), ct);

            var initiatives = data.Rows.Select(r => r.InitiativeId).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            var reported = data.Rows.Count(r => r.Reported is not null);
            await stdout.WriteLineAsync(
                $"Wrote the actuals workbook of {data.ObjectId}{(data.ObjectName is null ? "" : $" ({data.ObjectName})")} to {Path.GetFullPath(path)}: " +
                $"{data.Rows.Count} rows for {initiatives} initiative{(initiatives == 1 ? "" : "s")}, {reported} already reported.");
            if (data.Rows.Count == 0)
            {
                await stderr.WriteLineAsync($"None of the initiatives of {data.ObjectId} has a current business case with benefit lines; the workbook has no rows.");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
