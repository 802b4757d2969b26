using System.CommandLine;
using Microsoft.Data.Sqlite;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.Report.Pdf;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary>
/// <c>report --out FILE.html [--unit UNIT]... [--year YEAR] [--pdf FILE.pdf]</c>: the follow-up report (report.md) from
/// the warehouse, which it only reads, as one self-contained HTML page and, through a headless Chromium, a PDF.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var outFile = new Option<string>("--out") { Description = "Where to write the report, an HTML file.", Required = true };
        var units = new Option<string[]>("--unit")
        {
            Description = "Limit the report to this verksamhet (repeat for more); the whole municipality without it.",
            AllowMultipleArgumentsPerToken = false,
        };
        var year = new Option<int?>("--year") { Description = "The follow-up year (default: the latest year with actuals)." };
        var pdfFile = new Option<string?>("--pdf") { Description = "Also print the report to this PDF file (A4), through a headless Chromium." };
        var database = new DatabaseOptions();
        var command = new Command("report", "Write the follow-up report (uppföljningsrapport) from the warehouse: an HTML page and, with --pdf, a PDF.")
        {
            outFile, units, year, pdfFile,
        };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var html = Path.GetFullPath(parse.GetValue(outFile)!);
            var pdf = parse.GetValue(pdfFile) is { } p ? Path.GetFullPath(p) : null;
            foreach (var file in new[] { html, pdf }.OfType<string>())
            {
                if (Directory.Exists(file))
                {
                    throw new UsageException($"'{file}' is a folder; give the file to write.");
                }
                var directory = Path.GetDirectoryName(file)!;
                if (!Directory.Exists(directory))
                {
                    throw new UsageException($"The folder '{directory}' does not exist.");
                }
            }
            if (pdf is not null && string.Equals(pdf, html, StringComparison.Ordinal))
            {
                throw new UsageException("--pdf and --out name the same file; give the PDF a name of its own.");
            }
            var request = new ReportRequest(
                (parse.GetValue(units) ?? []).Select(u => u.Trim()).Where(u => u.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
                parse.GetValue(year));

            using var host = CommandHost.Build(database.Overrides(parse));
            var warehouse = host.Services.GetRequiredService<WarehouseDatabase>();
            if (MissingSqliteFile(warehouse) is { } missing)
            {
                // Like a missing input file: the operator named a warehouse that is not there (and it is not created).
                await stderr.WriteLineAsync($"There is no warehouse at {missing}. Run 'nacka-insights demo', 'migrate' or 'refresh' first, or give --db the warehouse file.");
                return ExitCodes.Usage;
            }
            var (queries, problem) = await ExistingWarehouse.OpenForReadingAsync(host, ct);
            if (queries is null)
            {
                await stderr.WriteLineAsync(problem);
                return ExitCodes.Failed;
            }

            try
            {
                await ReportFile.WriteAsync(warehouse, request, html, ct);
            }
            catch (ReportException e)
            {
                await stderr.WriteLineAsync($"No report was written: {e.Message}");
                return ExitCodes.Usage;
            }
            await stdout.WriteLineAsync($"Wrote the follow-up report {Describe(request)} to {html}.");

            if (pdf is null)
            {
                return ExitCodes.Success;
            }
            var printer = new ChromiumPdfPrinter(host.Services.GetRequiredService<ReportOptions>());
            try
            {
                await printer.PrintAsync(html, pdf, ct);
            }
            catch (ChromiumNotFoundException e)
            {
                await stderr.WriteLineAsync($"{e.Message} The HTML report is written; no PDF was.");
                return ExitCodes.Usage;
            }
            catch (PdfPrintException e)
            {
                await stderr.WriteLineAsync($"{e.Message} The HTML report is written; no PDF was.");
                return ExitCodes.Failed;
            }
            await stdout.WriteLineAsync($"Printed it to {pdf}.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The SQLite file the configuration names, when it does not exist; null otherwise (or for a server database).</summary>
    private static string? MissingSqliteFile(WarehouseDatabase warehouse)
    {
        if (warehouse.Options.Provider != WarehouseProvider.Sqlite)
        {
            return null;
        }
        var dataSource = new SqliteConnectionStringBuilder(warehouse.Options.ConnectionString).DataSource;
        if (dataSource is "" or ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var path = Path.GetFullPath(dataSource);
        return File.Exists(path) || Directory.Exists(path) ? null : path;
    }

    private static string Describe(ReportRequest request) =>
        (request.IsLimited ? $"of {string.Join(", ", request.Units)}" : "of the municipality") +
        (request.Year is { } y ? $" for {y}" : "");
}
