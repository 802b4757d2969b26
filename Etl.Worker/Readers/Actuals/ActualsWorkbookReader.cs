using System.Globalization;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers.Actuals;

/// <summary>An actuals workbook, read: its rows, or why the file as a whole could not be read.</summary>
/// <param name="Upload">The sheet Om and every non-blank row of the sheet Utfall; null when the file is rejected whole.</param>
/// <param name="FileProblems">Whole-file rejections (unreadable, no sheet Utfall, no header or a required column missing).</param>
public sealed record ActualsReadResult(ActualsUpload? Upload, IReadOnlyList<SourceProblem> FileProblems)
{
    public bool IsReadable => Upload is not null && FileProblems.Count == 0;
}

/// <summary>
/// Reads an actuals workbook (nyttouppföljning, actuals-workbook.md) into an <see cref="ActualsUpload"/>.
/// It converts cells only and judges no row: the validator does. The file is rejected whole only when
/// it cannot be read, has no sheet Utfall (or two sheets that both read as Utfall), or the sheet has no
/// header with the required columns. Texts are cut to <see cref="InputLimits.MaxTextLength"/> as the workbook
/// is read; a number that is not finite or past decimal's range is kept as text, with no value.
/// </summary>
/// <param name="input">The text limit; optional so that callers that predate it still compile.</param>
public sealed class ActualsWorkbookReader(WorkbookLimits limits, InputLimits? input = null)
{
    private readonly InputLimits _input = input ?? new InputLimits();

    public const string ValuesSheet = "Utfall";
    public const string AboutSheet = "Om";

    public const string InitiativeIdHeader = "Initiativ-ID";
    public const string BenefitLineHeader = "Nyttopost";
    public const string TypeHeader = "Typ";
    public const string YearHeader = "År";
    public const string PlannedHeader = "Planerat";
    public const string ValueHeader = "Utfall";
    public const string CommentHeader = "Kommentar";

    public const string ObjectLabel = "Förvaltningsobjekt";
    public const string ReportedByLabel = "Rapporterad av";

    /// <summary>The header of the sheet Utfall in the template's order.</summary>
    public static readonly IReadOnlyList<string> Headers =
        [InitiativeIdHeader, BenefitLineHeader, TypeHeader, YearHeader, PlannedHeader, ValueHeader, CommentHeader];

    private static readonly HashSet<string> OptionalHeaders = new([PlannedHeader, CommentHeader], StringComparer.OrdinalIgnoreCase);

    private static readonly string HeaderList =
        string.Join(", ", Headers.Take(Headers.Count - 1)) + " och " + Headers[^1];

    /// <summary>
    /// Whether a workbook is an actuals workbook rather than a business case: it has a sheet Utfall. Two sheets
    /// that both read as Utfall throw <see cref="UnreadableWorkbookException"/>, naming both.
    /// </summary>
    public static bool IsActualsWorkbook(XlsxWorkbook workbook) => workbook.FindSheet(ValuesSheet) is not null;

    /// <summary>Reads the workbook at <paramref name="path"/>; <paramref name="sourceName"/> names it in problems.</summary>
    public ActualsReadResult Read(string path, string sourceName)
    {
        try
        {
            using var workbook = XlsxWorkbook.Open(path, limits, _input);
            return Read(workbook, sourceName);
        }
        catch (UnreadableWorkbookException e)
        {
            return Rejected(new SourceProblem(sourceName, e.Sheet, null, e.Message));
        }
    }

    /// <summary>Reads a workbook held in memory, e.g. downloaded from a document library.</summary>
    public ActualsReadResult Read(byte[] bytes, string sourceName)
    {
        try
        {
            using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), limits, _input);
            return Read(workbook, sourceName);
        }
        catch (UnreadableWorkbookException e)
        {
            return Rejected(new SourceProblem(sourceName, e.Sheet, null, e.Message));
        }
    }

    public ActualsReadResult Read(XlsxWorkbook workbook, string sourceName)
    {
        try
        {
            var sheet = workbook.FindSheet(ValuesSheet);
            if (sheet is null)
            {
                return Rejected(SourceProblem.ForFile(sourceName,
                    $"Bladet \"{ValuesSheet}\" saknas. En arbetsbok för nyttouppföljning har bladet {ValuesSheet} med rubrikerna {HeaderList} i rad 1."));
            }
            var (objectId, reportedBy) = ReadAbout(workbook);
            return ReadValues(workbook, sheet, sourceName, objectId, reportedBy);
        }
        catch (UnreadableWorkbookException e)
        {
            return Rejected(new SourceProblem(sourceName, e.Sheet, null, e.Message));
        }
    }

    private static ActualsReadResult Rejected(SourceProblem problem) => new(null, [problem]);

    private static (string? ObjectId, string? ReportedBy) ReadAbout(XlsxWorkbook workbook)
    {
        var sheet = workbook.FindSheet(AboutSheet);
        if (sheet is null)
        {
            return (null, null);
        }
        string? objectId = null, reportedBy = null;
        foreach (var row in workbook.ReadRows(sheet))
        {
            var label = row[0] is { } labelCell ? CellText(labelCell)?.TrimEnd(':').TrimEnd() : null;
            var value = row[1] is { } valueCell ? CellText(valueCell) : null;
            // The first of a label counts, as a reader's eye would take it.
            if (string.Equals(label, ObjectLabel, StringComparison.OrdinalIgnoreCase))
            {
                objectId ??= value;
            }
            else if (string.Equals(label, ReportedByLabel, StringComparison.OrdinalIgnoreCase))
            {
                reportedBy ??= value;
            }
        }
        return (objectId, reportedBy);
    }

    private static ActualsReadResult ReadValues(XlsxWorkbook workbook, string sheet, string sourceName, string? objectId, string? reportedBy)
    {
        Dictionary<string, int>? columns = null;
        var rows = new List<ActualRow>();
        foreach (var row in workbook.ReadRows(sheet))
        {
            if (columns is null)
            {
                if (row.Index != 0)
                {
                    return Rejected(SourceProblem.ForCell(sourceName, sheet, "A1", $"Rubrikraden saknas: rad 1 ska ha rubrikerna {HeaderList}."));
                }
                var (found, problems) = ReadHeader(row, sheet, sourceName);
                if (problems.Count > 0)
                {
                    return new ActualsReadResult(null, problems);
                }
                columns = found;
                continue;
            }
            var actual = ReadRow(row, columns);
            if (actual is not null)
            {
                rows.Add(actual);
            }
        }
        if (columns is null)
        {
            return Rejected(SourceProblem.ForCell(sourceName, sheet, "A1", $"Bladet är tomt: rad 1 ska ha rubrikerna {HeaderList}."));
        }

        string Letter(string header) => CellAddress.ColumnName(columns[header]);
        string? OptionalLetter(string header) => columns.ContainsKey(header) ? Letter(header) : null;
        var letters = new ActualsColumns(
            Letter(InitiativeIdHeader), Letter(BenefitLineHeader), Letter(TypeHeader), Letter(YearHeader),
            OptionalLetter(PlannedHeader), Letter(ValueHeader), OptionalLetter(CommentHeader));
        return new ActualsReadResult(new ActualsUpload(sheet, objectId, reportedBy, letters, rows), []);
    }

    private static (Dictionary<string, int> Columns, List<SourceProblem> Problems) ReadHeader(XlsxRow header, string sheet, string sourceName)
    {
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<SourceProblem>();
        foreach (var cell in header.Cells)
        {
            var text = cell.Display.Trim();
            var known = Headers.FirstOrDefault(h => string.Equals(h, text, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                // Columns of one's own (notes, a sum) are allowed and not read.
                continue;
            }
            if (columns.TryGetValue(known, out var earlier))
            {
                problems.Add(SourceProblem.ForCell(sourceName, sheet, CellAddress.Format(0, cell.Column),
                    $"Rubriken \"{known}\" står två gånger ({CellAddress.Format(0, earlier)} och {CellAddress.Format(0, cell.Column)}); ta bort den ena kolumnen."));
                continue;
            }
            columns[known] = cell.Column;
        }
        foreach (var required in Headers.Where(h => !OptionalHeaders.Contains(h) && !columns.ContainsKey(h)))
        {
            problems.Add(SourceProblem.ForSheet(sourceName, sheet,
                $"Rubriken \"{required}\" saknas i rad 1. Rad 1 ska ha rubrikerna {HeaderList}, i valfri ordning."));
        }
        return (columns, problems);
    }

    private static ActualRow? ReadRow(XlsxRow row, Dictionary<string, int> columns)
    {
        XlsxCell? Cell(string header) => columns.TryGetValue(header, out var column) ? row[column] : null;

        var initiative = Cell(InitiativeIdHeader);
        var line = Cell(BenefitLineHeader);
        var type = Cell(TypeHeader);
        var year = Cell(YearHeader);
        var planned = Cell(PlannedHeader);
        var value = Cell(ValueHeader);
        var comment = Cell(CommentHeader);
        if (initiative is null && line is null && type is null && year is null && planned is null && value is null && comment is null)
        {
            // Blank in every column read (perhaps a note in a column of one's own).
            return null;
        }
        return new ActualRow(
            row.Index + 1,
            Text(initiative),
            Text(line),
            Text(type),
            // A year is shown without a thousands space: 2024, not 2 024.
            year is { Kind: CellKind.Number } numericYear ? numericYear.Display : Text(year),
            Text(planned),
            Text(value),
            Text(comment))
        {
            Year = year is { } y ? ToYear(y) : null,
            Value = value is { } v ? ToNumber(v) : null,
        };
    }

    private static string? Text(XlsxCell? cell) => cell is { } c ? CellText(c) : null;

    /// <summary>A cell as the user reads it, trimmed; numbers in Swedish form (<c>12 500</c>, <c>1,5</c>), null when empty.</summary>
    private static string? CellText(XlsxCell cell)
    {
        var text = cell.Kind switch
        {
            CellKind.Number when ToNumber(cell) is { } number => SwedishNumber.Format(number),
            CellKind.Number => cell.Number.ToString("R", CultureInfo.InvariantCulture),
            _ => cell.Display,
        };
        text = text.Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>A numeric cell, or text that is a number in Swedish or invariant form; null otherwise.</summary>
    private static decimal? ToNumber(XlsxCell cell)
    {
        switch (cell.Kind)
        {
            case CellKind.Number:
                // Beyond decimal's range or not finite: shown as text, understood as no number.
                if (double.IsFinite(cell.Number) && Math.Abs(cell.Number) < 7.9e27)
                {
                    return (decimal)cell.Number;
                }
                return null;
            case CellKind.Text when SwedishNumber.TryParse(cell.Text, out var parsed):
                return parsed;
            default:
                return null;
        }
    }

    private static int? ToYear(XlsxCell cell)
    {
        // "2 024" would be a number but not a way anyone writes a year.
        if (cell.Kind == CellKind.Text && cell.Text.Trim().Contains(' '))
        {
            return null;
        }
        return ToNumber(cell) is { } number && number == decimal.Truncate(number) && number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : null;
    }
}
