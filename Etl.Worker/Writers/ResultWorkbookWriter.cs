using System.Drawing;
using System.Globalization;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

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
/// Everything taken from an upload is written as text, never as a formula, with Excel's quote prefix when it
/// looks like one (<see cref="SafeText.LooksLikeFormula"/>).
/// </summary>
/// <remarks>
/// Written with the project's own <see cref="XlsxWriter"/>, not EPPlus, for speed (issue 21). Measured before, with
/// EPPlus 4.5.3.3 (bench/MicroBenchmarks.cs, 2 shared cores): a business case result 2.2 ms median and 3.8 MB
/// allocated, an actuals result of 50 rows 7.7 ms and 6.4 MB; of that time, by stopwatch, EPPlus's SaveAs (its
/// package model turned into XML) about 60–67 %, setting styles 9–22 %, creating the package 8–12 %,
/// DeterministicZip.Normalize re-zipping it 8–14 %, the cell values 1–2 %. None of that is needed for a fixed
/// layout: here the parts that are the same for every result (content types, relationships, the style sheet with
/// exactly the cell formats below, the properties' skeleton) are bytes built once, and per result only the sheets
/// stream into a zip with fixed entry times. After, the same benchmarks: 0.105 ms and 105 KB, 0.535 ms and 235 KB
/// (docs/performance.md#result-workbooks). A maintained library was considered: SpreadCheetah (MIT, fast,
/// streaming) has no quote prefix in its styles, which keeps a text such as <c>=HYPERLINK(…)</c> text when a user
/// edits the cell; MiniExcel and ClosedXML build a model as EPPlus does. EPPlus stays for the templates.
/// </remarks>
public static class ResultWorkbookWriter
{
    public const string SummarySheet = "Sammanfattning";
    public const string ResultHeader = "Resultat";

    private static readonly Color RejectedFill = Color.FromArgb(0xFF, 0xE0, 0xE0);
    private static readonly Color ProblemCellFill = Color.FromArgb(0xF4, 0xA6, 0xA6);
    private static readonly Color AcceptedFill = Color.FromArgb(0xE6, 0xF4, 0xE6);
    private static readonly Color PartlyFill = Color.FromArgb(0xFF, 0xF1, 0xC6);
    private static readonly TimeZoneInfo Stockholm = StockholmTime.Zone;

    /// <summary>What a cell holds, as far as its format goes.</summary>
    private enum Content
    {
        Text,
        QuotedText,
        Wrapped,
        WrappedQuoted,
        Integer,
        Money,
        MoneyDecimals,
        Score,
    }

    /// <summary>How a cell is marked on top of its content: by its fill (and a problem cell also in bold).</summary>
    private enum Mark
    {
        None,
        Accepted,
        Partly,
        Rejected,
        Problem,
    }

    private const int Contents = 8;
    private const int Marks = 5;

    // The cell formats the layout uses: every content under every mark (style mark * 8 + content; 0 is plain text),
    // then four of their own. Every combination is there, so that no text, however hostile, asks for a missing one.
    private const int TitleStyle = Marks * Contents;
    private const int LabelStyle = TitleStyle + 1;
    private const int HeaderStyle = TitleStyle + 2;
    private const int MutedStyle = TitleStyle + 3;

    private static readonly XlsxStyleSheet Styles = new([.. Formats()]);

    private static IEnumerable<XlsxCellFormat> Formats()
    {
        for (var mark = 0; mark < Marks; mark++)
        {
            for (var content = 0; content < Contents; content++)
            {
                if (mark == 0 && content == 0)
                {
                    continue;
                }
                var c = (Content)content;
                yield return new XlsxCellFormat
                {
                    Bold = (Mark)mark == Mark.Problem,
                    Fill = (Mark)mark switch
                    {
                        Mark.Accepted => AcceptedFill,
                        Mark.Partly => PartlyFill,
                        Mark.Rejected => RejectedFill,
                        Mark.Problem => ProblemCellFill,
                        _ => null,
                    },
                    NumberFormat = c switch
                    {
                        Content.Integer => "0",
                        Content.Money => ActualsTemplateWriter.MoneyFormat,
                        Content.MoneyDecimals => "#,##0.##",
                        Content.Score => ActualsTemplateWriter.ScoreFormat,
                        _ => null,
                    },
                    WrapText = c is Content.Wrapped or Content.WrappedQuoted,
                    QuotePrefix = c is Content.QuotedText or Content.WrappedQuoted,
                };
            }
        }
        yield return new XlsxCellFormat { Bold = true, FontSize = 14 };
        yield return new XlsxCellFormat { Bold = true };
        yield return new XlsxCellFormat { Bold = true, FontColor = Color.White, Fill = ActualsTemplateWriter.HeaderFill };
        yield return new XlsxCellFormat { FontColor = Color.DimGray, WrapText = true };
    }

    private static int Style(Mark mark, Content content) => (int)mark * Contents + (int)content;

    /// <summary>
    /// The result of an actuals upload whose rows were judged. With no <paramref name="upload"/> (the
    /// file was rejected whole) the summary lists <paramref name="validation"/>'s file problems only.
    /// </summary>
    public static byte[] WriteActuals(ResultSummary summary, ActualsUpload? upload, ActualsValidation validation)
    {
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
        var writer = new XlsxWriter(Styles, Title(summary), upload is null ? [SummarySheet] : [SummarySheet, upload.SheetName]);
        WriteSummary(writer, summary, "Nyttouppföljning", facts, validation.Problems.ToList());
        if (upload is not null)
        {
            WriteRows(writer, upload, validation);
        }
        return writer.ToArray();
    }

    /// <summary>The result of a business case upload: its status, and every problem with sheet and cell.</summary>
    /// <param name="rowsSeen">The cost and benefit lines the workbook holds, when it could be read.</param>
    public static byte[] WriteBusinessCase(ResultSummary summary, IReadOnlyList<SourceProblem> problems, int? rowsSeen = null)
    {
        var facts = new List<(string, string?)>();
        if (rowsSeen is { } seen)
        {
            facts.Add(("Kalkylrader", Count(seen)));
        }
        var writer = new XlsxWriter(Styles, Title(summary), [SummarySheet]);
        WriteSummary(writer, summary, "Nyttokalkyl", facts, problems);
        return writer.ToArray();
    }

    private static string Title(ResultSummary summary) => $"Resultat för {summary.FileName}";

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>A text cell as text; a text that looks like a formula gets the quote prefix, so that it stays text when edited.</summary>
    private static void Text(XlsxSheetWriter sheet, int column, string? text, Mark mark, bool wrapped = false)
    {
        var clean = text is null ? "" : XlsxXml.Clean(text);
        var quoted = SafeText.LooksLikeFormula(clean);
        sheet.Text(column, clean, Style(mark, (wrapped, quoted) switch
        {
            (false, false) => Content.Text,
            (false, true) => Content.QuotedText,
            (true, false) => Content.Wrapped,
            (true, true) => Content.WrappedQuoted,
        }));
    }

    private static void WriteSummary(XlsxWriter writer, ResultSummary summary, string kind, List<(string Label, string? Value)> facts, IReadOnlyList<SourceProblem> problems)
    {
        var sheet = writer.StartSheet([(1, 22), (2, 100)]);
        var processed = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(summary.ProcessedAtUtc, DateTimeKind.Utc), Stockholm);
        var r = 1;
        sheet.StartRow(r);
        sheet.Text(1, $"Resultat av inläsningen: {kind}", TitleStyle);
        r += 2;

        void Pair(string label, string? value, Mark mark = Mark.None)
        {
            sheet.StartRow(r);
            sheet.Text(1, label, LabelStyle);
            Text(sheet, 2, value, mark);
            r++;
        }
        Pair("Fil", summary.FileName);
        Pair("Behandlad", processed.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (svensk tid)");
        Pair("Status", summary.Status, summary.Status switch
        {
            FileStatus.Loaded or FileStatus.Unchanged => Mark.Accepted,
            FileStatus.PartlyLoaded => Mark.Partly,
            _ => Mark.Rejected,
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

        sheet.StartRow(r);
        sheet.Text(1, "Plats", HeaderStyle);
        sheet.Text(2, "Problem", HeaderStyle);
        r++;
        if (problems.Count == 0)
        {
            sheet.StartRow(r);
            sheet.Text(2, summary.Status == FileStatus.Unchanged
                ? "Inga problem. Filen var oförändrad sedan den lästes in senast."
                : "Inga problem: filen lästes in.");
        }
        foreach (var problem in problems)
        {
            sheet.StartRow(r);
            Text(sheet, 1, problem.Location.Length == 0 ? "Filen" : problem.Location, Mark.None);
            Text(sheet, 2, problem.Message, Mark.None, wrapped: true);
            r++;
        }
    }

    /// <summary>One cell of a row of the sheet Utfall before it is written: its value and its content.</summary>
    private struct RowCell
    {
        public string? Text;
        public double? Number;
        public Content Content;
        public Mark Mark;
    }

    private static void WriteRows(XlsxWriter writer, ActualsUpload upload, ActualsValidation validation)
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
        var sheet = writer.StartSheet([.. headers.Select(h => (indexes[h.Header], h.Width)), (resultColumn, 70)], frozenRows: 1);

        var header = new string?[resultColumn + 1];
        foreach (var (name, _, _) in headers)
        {
            header[indexes[name]] = name;
        }
        header[resultColumn] = ResultHeader;
        sheet.StartRow(1);
        for (var c = 1; c <= resultColumn; c++)
        {
            if (header[c] is { } name)
            {
                sheet.Text(c, name, HeaderStyle);
            }
        }

        var outcomes = validation.Rows.GroupBy(o => o.Row.Row).ToDictionary(g => g.Key, g => g.First());
        var cells = new RowCell[resultColumn + 1];
        var written = 1;
        foreach (var row in upload.Rows.OrderBy(r => r.Row))
        {
            var r = row.Row;
            // Rows come from the reader in order, below the header; one that does not is not written twice.
            if (r <= written)
            {
                continue;
            }
            written = r;
            Array.Clear(cells);
            void Put(int column, string? text, Content content = Content.Text) => cells[column] = new RowCell { Text = text, Content = content };
            void PutNumber(int column, decimal? number, string? text, string format)
            {
                if (number is { } value)
                {
                    cells[column] = new RowCell
                    {
                        Number = (double)value,
                        Content = format == ActualsTemplateWriter.ScoreFormat ? Content.Score
                            : format == "0" ? Content.Integer
                            : value == decimal.Truncate(value) ? Content.Money
                            : Content.MoneyDecimals,
                    };
                }
                else
                {
                    Put(column, text);
                }
            }

            Put(indexes[ActualsWorkbookReader.InitiativeIdHeader], row.InitiativeId);
            Put(indexes[ActualsWorkbookReader.BenefitLineHeader], row.BenefitLine);
            Put(indexes[ActualsWorkbookReader.TypeHeader], row.TypeText);
            PutNumber(indexes[ActualsWorkbookReader.YearHeader], row.Year, row.YearText, "0");
            var format = string.Equals(row.TypeText, Labels.Movement, StringComparison.OrdinalIgnoreCase)
                ? ActualsTemplateWriter.ScoreFormat
                : ActualsTemplateWriter.MoneyFormat;
            PutNumber(indexes[ActualsWorkbookReader.ValueHeader], row.Value, row.ValueText, format);
            if (indexes.TryGetValue(ActualsWorkbookReader.PlannedHeader, out var planned))
            {
                PutNumber(planned, SwedishNumber.TryParse(row.PlannedText, out var p) ? p : null, row.PlannedText, format);
            }
            if (indexes.TryGetValue(ActualsWorkbookReader.CommentHeader, out var comment))
            {
                Put(comment, row.Comment, Content.Wrapped);
            }

            cells[resultColumn].Content = Content.Wrapped;
            var muted = false;
            if (outcomes.TryGetValue(r, out var outcome))
            {
                switch (outcome.Status)
                {
                    case ActualRowStatus.Accepted:
                        cells[resultColumn] = new RowCell { Text = outcome.ResultText, Content = Content.Wrapped, Mark = Mark.Accepted };
                        break;
                    case ActualRowStatus.NotReported:
                        cells[resultColumn].Text = outcome.ResultText;
                        muted = true;
                        break;
                    default:
                        cells[resultColumn].Text = RejectionText(outcome);
                        for (var c = 1; c <= resultColumn; c++)
                        {
                            cells[c].Mark = Mark.Rejected;
                        }
                        foreach (var problem in outcome.Problems)
                        {
                            if (problem.Cell is not null
                                && string.Equals(problem.Sheet, upload.SheetName, StringComparison.OrdinalIgnoreCase)
                                && CellAddress.TryParse(problem.Cell, out var pr, out var pc) && pr + 1 == r && pc + 1 <= resultColumn)
                            {
                                cells[pc + 1].Mark = Mark.Problem;
                            }
                        }
                        break;
                }
            }

            sheet.StartRow(r);
            for (var c = 1; c <= resultColumn; c++)
            {
                var cell = cells[c];
                if (c == resultColumn && muted)
                {
                    sheet.Text(c, cell.Text, MutedStyle);
                }
                else if (cell.Number is { } number)
                {
                    sheet.Number(c, number, Style(cell.Mark, cell.Content));
                }
                else
                {
                    Text(sheet, c, cell.Text, cell.Mark, wrapped: cell.Content == Content.Wrapped);
                }
            }
        }
    }

    /// <summary>Each reason of a rejected row, with the cell it is in when it is in one.</summary>
    public static string RejectionText(ActualRowOutcome outcome) => outcome.Problems.Count == 0
        ? "Avvisad"
        : string.Join(" ", outcome.Problems.Select(p => p.Cell is null ? p.Message : $"{p.Location}: {p.Message}"));

    private static int ColumnIndex(string letter) =>
        CellAddress.TryParse(letter + "1", out _, out var column) ? column + 1 : throw new ArgumentException($"Not a column: {letter}", nameof(letter));
}
