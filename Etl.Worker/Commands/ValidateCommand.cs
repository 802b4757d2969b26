using System.CommandLine;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
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
