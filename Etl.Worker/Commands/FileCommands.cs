using System.CommandLine;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary><c>validate FILE</c>: checks one workbook and prints every problem; writes nothing.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "The workbook to check: a business case or an actuals workbook, told apart by their sheets." };
        var database = new DatabaseOptions();
        var command = new Command("validate", "Check one workbook and print every problem with its sheet and cell. Writes nothing.") { file };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new UsageException($"There is no file '{path}'.");
            }
            using var host = CommandHost.Build(database.Overrides(parse));
            var limits = host.Services.GetRequiredService<WorkbookLimits>();
            var input = host.Services.GetRequiredService<InputLimits>();
            var name = Path.GetFileName(path);

            XlsxWorkbook workbook;
            bool isActuals;
            try
            {
                workbook = XlsxWorkbook.Open(path, limits, input);
            }
            catch (UnreadableWorkbookException e)
            {
                await stdout.WriteLineAsync($"{name}: {e.Message}");
                await stdout.WriteLineAsync("1 problem; the file would be rejected.");
                return ExitCodes.Rejections;
            }
            using (workbook)
            {
                try
                {
                    isActuals = ActualsWorkbookReader.IsActualsWorkbook(workbook) && BusinessCaseWorkbookReader.RequiredSheets.All(s => workbook.FindSheet(s) is null);
                }
                catch (UnreadableWorkbookException e)
                {
                    // Two sheets that read as one name: which kind of workbook it is cannot be told either.
                    await stdout.WriteLineAsync($"{name}: {e.Message}");
                    await stdout.WriteLineAsync("1 problem; the file would be rejected.");
                    return ExitCodes.Rejections;
                }
                if (isActuals)
                {
                    return await ValidateActualsAsync(stdout, host, workbook, name, ct);
                }
                var result = host.Services.GetRequiredService<BusinessCaseWorkbookReader>().Read(workbook, name);
                if (result.IsValid)
                {
                    var bc = result.BusinessCase!;
                    var figures = BusinessCaseCalculator.Calculate(bc, host.Services.GetRequiredService<CalculationOptions>().DiscountRate).Summary;
                    await stdout.WriteLineAsync(
                        $"{name}: a valid business case for {bc.Initiative.InitiativeId} ({bc.Initiative.Name}), " +
                        $"{bc.Costs.Count} cost lines and {bc.Benefits.Count} benefit lines over {figures.FirstYear}–{figures.LastYear}.");
                    await stdout.WriteLineAsync(
                        $"Total cost {ConsoleReport.Sek(figures.CostTotal)}, economic benefit {ConsoleReport.Sek(figures.EconomicBenefitTotal)}, " +
                        $"net {ConsoleReport.Sek(figures.NetBenefitTotal)}, payback {(figures.PaybackYear?.ToString() ?? "none")}.");
                    return ExitCodes.Success;
                }
                foreach (var problem in result.Problems)
                {
                    await stdout.WriteLineAsync(problem.ToString());
                }
                await stdout.WriteLineAsync($"{result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}; the file would be rejected and nothing of it loaded.");
                return ExitCodes.Rejections;
            }
        });
        return command;
    }

    /// <summary>
    /// An actuals workbook: the file's own rules always; with a warehouse to read, also whether each
    /// initiative, Nyttopost and year exists and whether the reporter may report for it, as a load would.
    /// </summary>
    private static async Task<int> ValidateActualsAsync(TextWriter stdout, IHost host, XlsxWorkbook workbook, string name, CancellationToken ct)
    {
        var read = host.Services.GetRequiredService<ActualsWorkbookReader>().Read(workbook, name);
        if (read.Upload is not { } upload || read.FileProblems.Count > 0)
        {
            foreach (var problem in read.FileProblems)
            {
                await stdout.WriteLineAsync(problem.ToString());
            }
            await stdout.WriteLineAsync($"{Problems(read.FileProblems.Count)}; the file would be rejected whole and nothing of it loaded.");
            return ExitCodes.Rejections;
        }
        ActualsCatalogue? catalogue = null;
        var against = "";
        if (await ExistingWarehouse.ProblemAsync(host, ct) is { } missing)
        {
            against = $"Checked against the file's own rules only ({missing.Split(". ")[0]}): initiatives, benefit lines, years and who may report are checked when it is loaded.";
        }
        else
        {
            catalogue = await host.Services.GetRequiredService<WarehouseQueries>().GetActualsCatalogueAsync(
                host.Services.GetRequiredService<ActualsOptions>().Administrators, ct);
            against = $"Checked against {host.Services.GetRequiredService<WarehouseDatabase>().Describe()} as last published.";
        }
        var validation = ActualsValidator.Validate(name, upload, catalogue, uploadedBy: null);
        foreach (var problem in validation.Problems)
        {
            await stdout.WriteLineAsync(problem.ToString());
        }
        await stdout.WriteLineAsync(
            $"{name}: an actuals workbook{(upload.ObjectId is null ? "" : $" for {upload.ObjectId}")}. " +
            $"{validation.Accepted} row{(validation.Accepted == 1 ? "" : "s")} would be loaded, {validation.Rejected} rejected, {validation.NotReported} without Utfall (not reported).");
        await stdout.WriteLineAsync(against);
        return validation.Rejected > 0 ? ExitCodes.Rejections : ExitCodes.Success;
    }

    private static string Problems(int count) => $"{count} problem{(count == 1 ? "" : "s")}";
}

/// <summary><c>template business-case --out FILE</c>: writes an empty, ready-to-fill workbook.</summary>
internal static class TemplateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var outFile = new Option<string>("--out") { Description = "Where to write the workbook.", Required = true };
        var firstYear = new Option<int?>("--first-year") { Description = "The first year column (default: this year)." };
        var years = new Option<int>("--years") { Description = "How many year columns.", DefaultValueFactory = _ => 8 };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists." };
        var businessCase = new Command("business-case", "Write an empty business case workbook (nyttokalkyl).") { outFile, firstYear, years, force };
        businessCase.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(outFile)!;
            var count = parse.GetValue(years);
            if (count is < 1 or > 30)
            {
                throw new UsageException("--years must be between 1 and 30.");
            }
            var first = parse.GetValue(firstYear) ?? DateTime.Today.Year;
            // The template's years are those the reader will take back: the configured window.
            using var host = CommandHost.Build(new Dictionary<string, string?>());
            var window = host.Services.GetRequiredService<InputLimits>();
            if (first < window.EarliestYear || first + count - 1 > window.LatestYear)
            {
                throw new UsageException($"The years must lie within {window.Window} (InputLimits:EarliestYear and LatestYear).");
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
            await using (var output = File.Create(path))
            {
                BusinessCaseWorkbookWriter.WriteTemplate(output, first, count);
            }
            await stdout.WriteLineAsync($"Wrote an empty business case workbook to {Path.GetFullPath(path)} (years {first}–{first + count - 1}).");
            return ExitCodes.Success;
        });
        var command = new Command("template", "Write a workbook template.") { businessCase, CreateActuals(stdout, stderr) };
        return command;
    }

    /// <summary><c>template actuals --object ID --out FILE</c>: the pre-filled actuals workbook of one förvaltningsobjekt.</summary>
    private static Command CreateActuals(TextWriter stdout, TextWriter stderr)
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
