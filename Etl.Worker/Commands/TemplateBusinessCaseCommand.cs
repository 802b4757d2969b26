using System.CommandLine;
using NackaInsights.Etl.Writers;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Commands;

/// <summary><c>template business-case --out FILE</c>: writes an empty, ready-to-fill workbook.</summary>
internal static class TemplateBusinessCaseCommand
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
            using var host = CommandHost.Build(new Dictionary<string, string?>());
            var first = parse.GetValue(firstYear) ?? host.Services.GetRequiredService<TimeProvider>().GetLocalNow().Year;
            // The template's years are those the reader will take back: the configured window.
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
        return businessCase;
    }
}
