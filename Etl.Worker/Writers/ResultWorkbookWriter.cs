using System.Drawing;
using System.Globalization;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;
using OfficeOpenXml.Style;

namespace NackaInsights.Etl.Writers;

/// <summary>What the result workbook says about the processed file as a whole.</summary>
/// <param name="FileName">The upload's name as the sender knows it.</param>
/// <param name="Status">The file's status as <c>pbi_etl_file</c> has it (<see cref="FileStatus"/>).</param>
/// <param name="Message">The file's message, when there is one.</param>
public sealed record ResultSummary(string FileName, DateTime ProcessedAtUtc, string Status, string? Message = null);

/// <summary>
/// Writes the feedback workbook <c>&lt;name&gt;.resultat.xlsx</c> (actuals-workbook.md): for an actuals
/// upload its rows as uploaded, in the same cells, with a <c>Resultat</c> column and rejected rows
/// highlighted, and a summary sheet; for a business case, or a file rejected whole, the summary alone.
/// Everything taken from an upload is written as text, never as a formula (<see cref="SafeText"/>).
/// </summary>
public static class ResultWorkbookWriter
{
    public const string SummarySheet = "Sammanfattning";
    public const string ResultHeader = "Resultat";

    private static readonly Color RejectedFill = Color.FromArgb(0xFF, 0xE0, 0xE0);
    private static readonly Color ProblemCellFill = Color.FromArgb(0xF4, 0xA6, 0xA6);
    private static readonly Color AcceptedFill = Color.FromArgb(0xE6, 0xF4, 0xE6);
    private static readonly Color PartlyFill = Color.FromArgb(0xFF, 0xF1, 0xC6);
    private static readonly TimeZoneInfo Stockholm = StockholmTime.Zone;

    /// <summary>
    /// The result of an actuals upload whose rows were judged. With no <paramref name="upload"/> (the
    /// file was rejected whole) the summary lists <paramref name="validation"/>'s file problems only.
    /// </summary>
    public static byte[] WriteActuals(ResultSummary summary, ActualsUpload? upload, ActualsValidation validation)
    {
        var package = NewPackage(summary);
        var facts = new List<(string, string?)>
        {
            ("Förvaltningsobjekt", upload?.ObjectId),
            ("Rapporterad av", upload?.ReportedBy),
        };
        if (upload is not null)
        {
            facts.Add(("Rader inlästa", Count(validation.Accepted)));
            facts.Add(("Rader avvisade", Count(validation.Rejected)));
            facts.Add(("Rader utan utfall", Count(validation.NotReported)));
        }
        WriteSummary(package.Workbook.Worksheets.Add(SummarySheet), summary, "Nyttouppföljning", facts, validation.Problems.ToList());
        if (upload is not null)
        {
            WriteRows(package.Workbook.Worksheets.Add(upload.SheetName), upload, validation);
        }
        return Save(package);
    }

    /// <summary>The result of a business case upload: its status, and every problem with sheet and cell.</summary>
    /// <param name="rowsSeen">The cost and benefit lines the workbook holds, when it could be read.</param>
    public static byte[] WriteBusinessCase(ResultSummary summary, IReadOnlyList<SourceProblem> problems, int? rowsSeen = null)
    {
        var package = NewPackage(summary);
        var facts = new List<(string, string?)>();
        if (rowsSeen is { } seen)
        {
            facts.Add(("Kalkylrader", Count(seen)));
        }
        WriteSummary(package.Workbook.Worksheets.Add(SummarySheet), summary, "Nyttokalkyl", facts, problems);
        return Save(package);
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <remarks>
    /// The package is deliberately not disposed: it lives in memory only, and EPPlus 4.5's
    /// <c>ExcelPackage.Dispose</c> forces a full garbage collection, which at thousands of result
    /// workbooks per run cost more than writing them (bench/: 20 ms → 3 ms per workbook).
    /// </remarks>
    private static ExcelPackage NewPackage(ResultSummary summary)
    {
        var package = new ExcelPackage();
        package.Workbook.Properties.Title = $"Resultat för {summary.FileName}";
        package.Workbook.Properties.Author = "NackaInsights";
        package.Workbook.Properties.Created = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return package;
    }

    private static byte[] Save(ExcelPackage package)
    {
        // Stored, not deflated: DeterministicZip compresses every part again anyway, with the platform's zlib.
        package.Compression = CompressionLevel.Level0;
        using var buffer = new MemoryStream();
        package.SaveAs(buffer);
        return DeterministicZip.Normalize(buffer.ToArray());
    }

    private static void WriteSummary(ExcelWorksheet sheet, ResultSummary summary, string kind, List<(string Label, string? Value)> facts, IReadOnlyList<SourceProblem> problems)
    {
        var processed = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(summary.ProcessedAtUtc, DateTimeKind.Utc), Stockholm);
        var r = 1;
        sheet.Cells[r, 1].Value = $"Resultat av inläsningen: {kind}";
        sheet.Cells[r, 1].Style.Font.Bold = true;
        sheet.Cells[r, 1].Style.Font.Size = 14;
        r += 2;

        void Pair(string label, string? value, Color? fill = null)
        {
            sheet.Cells[r, 1].Value = label;
            sheet.Cells[r, 1].Style.Font.Bold = true;
            SafeText.Write(sheet.Cells[r, 2], value);
            if (fill is { } color)
            {
                sheet.Cells[r, 2].Style.Fill.PatternType = ExcelFillStyle.Solid;
                sheet.Cells[r, 2].Style.Fill.BackgroundColor.SetColor(color);
            }
            r++;
        }
        Pair("Fil", summary.FileName);
        Pair("Behandlad", processed.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (svensk tid)");
        Pair("Status", summary.Status, summary.Status switch
        {
            FileStatus.Loaded or FileStatus.Unchanged => AcceptedFill,
            FileStatus.PartlyLoaded => PartlyFill,
            _ => RejectedFill,
        });
        if (summary.Message is not null)
        {
            Pair("Meddelande", summary.Message);
        }
        foreach (var (label, value) in facts)
        {
            if (value is not null)
            {
                Pair(label, value);
            }
        }
        r++;

        sheet.Cells[r, 1].Value = "Plats";
        sheet.Cells[r, 2].Value = "Problem";
        using (var header = sheet.Cells[r, 1, r, 2])
        {
            header.Style.Font.Bold = true;
            header.Style.Font.Color.SetColor(Color.White);
            header.Style.Fill.PatternType = ExcelFillStyle.Solid;
            header.Style.Fill.BackgroundColor.SetColor(ActualsTemplateWriter.HeaderFill);
        }
        r++;
        if (problems.Count == 0)
        {
            sheet.Cells[r, 2].Value = summary.Status == FileStatus.Unchanged
                ? "Inga problem. Filen var oförändrad sedan den lästes in senast."
                : "Inga problem: filen lästes in.";
        }
        foreach (var problem in problems)
        {
            SafeText.Write(sheet.Cells[r, 1], problem.Location.Length == 0 ? "Filen" : problem.Location);
            SafeText.Write(sheet.Cells[r, 2], problem.Message);
            sheet.Cells[r, 2].Style.WrapText = true;
            r++;
        }
        sheet.Column(1).Width = 22;
        sheet.Column(2).Width = 100;
    }

    private static void WriteRows(ExcelWorksheet sheet, ActualsUpload upload, ActualsValidation validation)
    {
        var columns = upload.Columns;
        var headers = new List<(string Header, string Letter, double Width)>
        {
            (ActualsWorkbookReader.InitiativeIdHeader, columns.InitiativeId, 16),
            (ActualsWorkbookReader.BenefitLineHeader, columns.BenefitLine, 40),
            (ActualsWorkbookReader.TypeHeader, columns.Type, 15),
            (ActualsWorkbookReader.YearHeader, columns.Year, 8),
            (ActualsWorkbookReader.ValueHeader, columns.Value, 14),
        };
        if (columns.Planned is not null)
        {
            headers.Add((ActualsWorkbookReader.PlannedHeader, columns.Planned, 14));
        }
        if (columns.Comment is not null)
        {
            headers.Add((ActualsWorkbookReader.CommentHeader, columns.Comment, 50));
        }
        // The uploaded columns keep their places, so that every cell a problem names is the same cell here.
        var indexes = headers.ToDictionary(h => h.Header, h => ColumnIndex(h.Letter));
        var resultColumn = indexes.Values.Max() + 1;
        foreach (var (header, _, width) in headers)
        {
            sheet.Cells[1, indexes[header]].Value = header;
            sheet.Column(indexes[header]).Width = width;
        }
        sheet.Cells[1, resultColumn].Value = ResultHeader;
        sheet.Column(resultColumn).Width = 70;
        for (var c = 1; c <= resultColumn; c++)
        {
            var cell = sheet.Cells[1, c];
            if (cell.Value is null)
            {
                continue;
            }
            cell.Style.Font.Bold = true;
            cell.Style.Font.Color.SetColor(Color.White);
            cell.Style.Fill.PatternType = ExcelFillStyle.Solid;
            cell.Style.Fill.BackgroundColor.SetColor(ActualsTemplateWriter.HeaderFill);
        }

        var outcomes = validation.Rows.GroupBy(o => o.Row.Row).ToDictionary(g => g.Key, g => g.First());
        foreach (var row in upload.Rows)
        {
            var r = row.Row;
            SafeText.Write(sheet.Cells[r, indexes[ActualsWorkbookReader.InitiativeIdHeader]], row.InitiativeId);
            SafeText.Write(sheet.Cells[r, indexes[ActualsWorkbookReader.BenefitLineHeader]], row.BenefitLine);
            SafeText.Write(sheet.Cells[r, indexes[ActualsWorkbookReader.TypeHeader]], row.TypeText);
            WriteNumber(sheet.Cells[r, indexes[ActualsWorkbookReader.YearHeader]], row.Year, row.YearText, "0");
            var format = string.Equals(row.TypeText, Labels.Movement, StringComparison.OrdinalIgnoreCase)
                ? ActualsTemplateWriter.ScoreFormat
                : ActualsTemplateWriter.MoneyFormat;
            WriteNumber(sheet.Cells[r, indexes[ActualsWorkbookReader.ValueHeader]], row.Value, row.ValueText, format);
            if (indexes.TryGetValue(ActualsWorkbookReader.PlannedHeader, out var planned))
            {
                WriteNumber(sheet.Cells[r, planned], SwedishNumber.TryParse(row.PlannedText, out var p) ? p : null, row.PlannedText, format);
            }
            if (indexes.TryGetValue(ActualsWorkbookReader.CommentHeader, out var comment))
            {
                SafeText.Write(sheet.Cells[r, comment], row.Comment);
                sheet.Cells[r, comment].Style.WrapText = true;
            }

            var result = sheet.Cells[r, resultColumn];
            result.Style.WrapText = true;
            if (!outcomes.TryGetValue(r, out var outcome))
            {
                continue;
            }
            switch (outcome.Status)
            {
                case ActualRowStatus.Accepted:
                    result.Value = outcome.ResultText;
                    result.Style.Fill.PatternType = ExcelFillStyle.Solid;
                    result.Style.Fill.BackgroundColor.SetColor(AcceptedFill);
                    break;
                case ActualRowStatus.NotReported:
                    result.Value = outcome.ResultText;
                    result.Style.Font.Color.SetColor(Color.DimGray);
                    break;
                default:
                    SafeText.Write(result, RejectionText(outcome));
                    using (var whole = sheet.Cells[r, 1, r, resultColumn])
                    {
                        whole.Style.Fill.PatternType = ExcelFillStyle.Solid;
                        whole.Style.Fill.BackgroundColor.SetColor(RejectedFill);
                    }
                    foreach (var problem in outcome.Problems)
                    {
                        if (problem.Cell is not null
                            && string.Equals(problem.Sheet, upload.SheetName, StringComparison.OrdinalIgnoreCase)
                            && CellAddress.TryParse(problem.Cell, out var pr, out var pc) && pr + 1 == r)
                        {
                            sheet.Cells[r, pc + 1].Style.Fill.BackgroundColor.SetColor(ProblemCellFill);
                            sheet.Cells[r, pc + 1].Style.Font.Bold = true;
                        }
                    }
                    break;
            }
        }
        sheet.View.FreezePanes(2, 1);
    }

    /// <summary>Each reason of a rejected row, with the cell it is in when it is in one.</summary>
    public static string RejectionText(ActualRowOutcome outcome) => outcome.Problems.Count == 0
        ? "Avvisad"
        : string.Join(" ", outcome.Problems.Select(p => p.Cell is null ? p.Message : $"{p.Location}: {p.Message}"));

    /// <summary>A number where the upload held one, else the text as typed (as text).</summary>
    private static void WriteNumber(ExcelRange cell, decimal? number, string? text, string format)
    {
        if (number is { } value)
        {
            cell.Value = value;
            cell.Style.Numberformat.Format = value == decimal.Truncate(value) || format != ActualsTemplateWriter.MoneyFormat ? format : "#,##0.##";
        }
        else
        {
            SafeText.Write(cell, text);
        }
    }

    private static int ColumnIndex(string letter) =>
        CellAddress.TryParse(letter + "1", out _, out var column) ? column + 1 : throw new ArgumentException($"Not a column: {letter}", nameof(letter));
}
