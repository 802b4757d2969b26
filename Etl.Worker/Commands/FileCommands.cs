using System.CommandLine;
using NackaInsights.Etl.Sources.BusinessCases;
using NackaInsights.Etl.Sources.Xlsx;
using NackaInsights.Warehouse.Calculations;

namespace NackaInsights.Etl.Commands;

/// <summary><c>validate FILE</c>: checks one workbook and prints every problem; writes nothing.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "The workbook to check." };
        var command = new Command("validate", "Check one workbook and print every problem with its sheet and cell. Writes nothing.") { file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new UsageException($"There is no file '{path}'.");
            }
            using var host = CommandHost.Build(new Dictionary<string, string?>());
            var limits = host.Services.GetRequiredService<WorkbookLimits>();
            var name = Path.GetFileName(path);

            XlsxWorkbook workbook;
            try
            {
                workbook = XlsxWorkbook.Open(path, limits);
            }
            catch (UnreadableWorkbookException e)
            {
                await stdout.WriteLineAsync($"{name}: {e.Message}");
                await stdout.WriteLineAsync("1 problem; the file would be rejected.");
                return ExitCodes.Rejections;
            }
            using (workbook)
            {
                if (workbook.FindSheet("Utfall") is not null && BusinessCaseWorkbookReader.RequiredSheets.All(s => workbook.FindSheet(s) is null))
                {
                    throw new UsageException($"{name} is a benefit actuals workbook (sheet Utfall); this version validates business case workbooks only.");
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
            if (first < BusinessCaseWorkbookReader.MinYear || first + count - 1 > BusinessCaseWorkbookReader.MaxYear)
            {
                throw new UsageException($"The years must lie within {BusinessCaseWorkbookReader.MinYear}–{BusinessCaseWorkbookReader.MaxYear}.");
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
        var command = new Command("template", "Write a workbook template.") { businessCase };
        return command;
    }
}
