using System.Globalization;
using System.Text;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers.Survey;

/// <summary>A survey export, read: its rows, each judged, or why the file as a whole could not be read.</summary>
/// <param name="Upload">Every non-blank data row with its problems; null when the file is rejected whole.</param>
/// <param name="FileProblems">Whole-file rejections: unreadable, not UTF-8, no sheet Index, no header or a required column missing.</param>
public sealed record SurveyReadResult(SurveyUpload? Upload, IReadOnlyList<SourceProblem> FileProblems)
{
    public bool IsReadable => Upload is not null && FileProblems.Count == 0;
}

/// <summary>
/// Reads a maturity survey export (index-survey.md): a <c>.csv</c> (UTF-8 with or without BOM, <c>;</c> or
/// <c>,</c> separated as its header shows, quoted fields, Swedish decimals) or an <c>.xlsx</c> with the sheet
/// <c>Index</c>, read by the repository's own streaming reader. The first non-blank row is the header (<c>År</c>,
/// <c>Verksamhet</c>, <c>Dimension</c>, <c>Procent</c>, optionally <c>Antal svar</c>, in any order and letter
/// case). Each data row is judged on its own; a row is rejected, with a Swedish reason naming its cell, when its
/// year, unit or dimension is missing, the year is not a year, the percentage is not a number within 0–100, or
/// Antal svar is given but is not a whole number ≥ 0. Rows with the same year, unit and dimension in one file are
/// all rejected, each naming the others: the file does not say which is meant. Cells are A1 references: for an
/// <c>.xlsx</c> on the sheet (<c>Index!D7</c>), for a <c>.csv</c> with no sheet (<c>D7</c>: line 7, fourth field),
/// as a spreadsheet opening the file shows them. <see cref="WorkbookLimits"/> bound a <c>.csv</c> too, and every
/// field or cell is cut to <see cref="InputLimits.MaxTextLength"/>; a problem quotes a value only as an excerpt.
/// </summary>
/// <param name="input">The text limit; optional so that callers that predate it still compile.</param>
public sealed class SurveyReader(WorkbookLimits limits, InputLimits? input = null)
{
    private readonly InputLimits _input = input ?? new InputLimits();

    public const string SheetName = "Index";

    public const string YearHeader = "År";
    public const string UnitHeader = "Verksamhet";
    public const string DimensionHeader = "Dimension";
    public const string PercentHeader = "Procent";
    public const string RespondentsHeader = "Antal svar";

    /// <summary>The longest unit or dimension name taken: what the warehouse's key columns hold.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The header in the export's order.</summary>
    public static readonly IReadOnlyList<string> Headers = [YearHeader, UnitHeader, DimensionHeader, PercentHeader, RespondentsHeader];

    /// <summary>The file types read from <c>index/</c>.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".csv", ".xlsx"];

    private static readonly string HeaderList = $"{YearHeader}, {UnitHeader}, {DimensionHeader} och {PercentHeader} (och gärna {RespondentsHeader})";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A cell as read, from either kind of file.</summary>
    private readonly record struct Cell(int Column, string Text, decimal? Number, bool IsError);

    /// <summary>A row of either kind of file; <see cref="Problem"/> is what is wrong with the row as a whole (a .csv row with too many fields).</summary>
    private sealed record Record(int Row, IReadOnlyList<Cell> Cells, string? Problem = null)
    {
        /// <summary>The non-empty cell of a column, or null.</summary>
        public Cell? this[int column]
        {
            get
            {
                foreach (var cell in Cells)
                {
                    if (cell.Column == column)
                    {
                        return cell.Text.Length > 0 || cell.IsError ? cell : null;
                    }
                }
                return null;
            }
        }

        public bool IsBlank => Problem is null && Cells.All(c => c.Text.Length == 0 && !c.IsError);
    }

    /// <summary>Reads a file held in memory, by its extension; <paramref name="sourceName"/> names it in problems.</summary>
    public SurveyReadResult Read(byte[] bytes, string fileName, string sourceName)
    {
        if (bytes.LongLength > limits.MaxFileBytes)
        {
            return Rejected(SourceProblem.ForFile(sourceName, XlsxWorkbook.TooLargeMessage(bytes.LongLength, limits)));
        }
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        switch (extension)
        {
            case ".csv":
                return ReadCsv(bytes, sourceName);
            case ".xlsx":
                try
                {
                    using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), limits, _input);
                    return Read(workbook, sourceName);
                }
                catch (UnreadableWorkbookException e)
                {
                    return Rejected(new SourceProblem(sourceName, e.Sheet, null, e.Message));
                }
            default:
                return Rejected(SourceProblem.ForFile(sourceName, $"Filtypen \"{extension}\" läses inte; en enkätexport är en .csv- eller .xlsx-fil."));
        }
    }

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    public SurveyReadResult Read(string path, string sourceName)
    {
        var file = new FileInfo(path);
        if (file.Length > limits.MaxFileBytes)
        {
            return Rejected(SourceProblem.ForFile(sourceName, XlsxWorkbook.TooLargeMessage(file.Length, limits)));
        }
        return Read(File.ReadAllBytes(path), file.Name, sourceName);
    }

    /// <summary>Reads the sheet <c>Index</c> of a workbook.</summary>
    public SurveyReadResult Read(XlsxWorkbook workbook, string sourceName)
    {
        try
        {
            var sheet = workbook.FindSheet(SheetName);
            if (sheet is null)
            {
                return Rejected(SourceProblem.ForFile(sourceName,
                    $"Bladet \"{SheetName}\" saknas. En enkätexport som arbetsbok har bladet {SheetName} med rubrikerna {HeaderList} i första raden."));
            }
            var records = workbook.ReadRows(sheet).Select(row => new Record(row.Index + 1, row.Cells.Select(ToCell).ToList()));
            return Judge(records, sourceName, sheet, fixRecord: null, _input);
        }
        catch (UnreadableWorkbookException e)
        {
            return Rejected(new SourceProblem(sourceName, e.Sheet, null, e.Message));
        }
    }

    /// <summary>Reads a <c>.csv</c> export: UTF-8 (a BOM is allowed), separated by <c>;</c> or <c>,</c> as its header line shows.</summary>
    public SurveyReadResult ReadCsv(byte[] bytes, string sourceName)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Rejected(SourceProblem.ForFile(sourceName,
                "Filen är inte UTF-8-kodad text. Spara den som \"CSV UTF-8 (kommaavgränsad)\" och skicka den igen."));
        }
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return Rejected(SourceProblem.ForFile(sourceName, "Filen är ingen textfil (den innehåller binära data); en enkätexport är en .csv- eller .xlsx-fil."));
        }
        var separator = DetectSeparator(text);
        List<List<string>> fields;
        try
        {
            fields = ParseCsv(text, separator, limits, _input.MaxTextLength);
        }
        catch (UnreadableWorkbookException e)
        {
            return Rejected(SourceProblem.ForFile(sourceName, e.Message));
        }
        var records = fields.Select((f, i) => new Record(i + 1, f.Select((t, c) => new Cell(c, t.Trim(), null, false)).ToList()));
        return Judge(records, sourceName, sheet: null, fixRecord: separator == ',' ? MergeUnquotedDecimal : null, _input);
    }

    /// <summary>
    /// The separator of a <c>.csv</c>, from its first non-blank line (the header): <c>;</c> when it has one
    /// outside quotes, otherwise <c>,</c>. Header names have neither.
    /// </summary>
    public static char DetectSeparator(string text)
    {
        var quoted = false;
        var seenText = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                if (seenText)
                {
                    break;
                }
            }
            else if (!quoted && c == ';')
            {
                return ';';
            }
            if (!char.IsWhiteSpace(c))
            {
                seenText = true;
            }
        }
        return ',';
    }

    /// <summary>RFC 4180 records: quoted fields may hold the separator, doubled quotes and line breaks. Every line is a record, a blank one too.</summary>
    /// <remarks>Each field keeps at most <paramref name="maxTextLength"/> characters: the rest is not even collected.</remarks>
    private static List<List<string>> ParseCsv(string text, char separator, WorkbookLimits limits, int maxTextLength)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        void Append(char c)
        {
            // One character more than kept, so that InputLimits.Cut never splits a surrogate pair.
            if (field.Length <= maxTextLength)
            {
                field.Append(c);
            }
        }
        void EndField()
        {
            record.Add(InputLimits.Cut(field.ToString(), maxTextLength));
            field.Clear();
            if (record.Count > limits.MaxColumns)
            {
                throw new UnreadableWorkbookException($"Rad {records.Count + 1} har fler än {limits.MaxColumns} fält; största tillåtna är {limits.MaxColumns}.");
            }
        }
        void EndRecord()
        {
            EndField();
            records.Add(record);
            record = [];
            if (records.Count > limits.MaxRows)
            {
                throw new UnreadableWorkbookException($"Filen har fler än {limits.MaxRows} rader; största tillåtna är {limits.MaxRows}.");
            }
        }
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    Append('"');
                    i += 2;
                    continue;
                }
                if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    Append(c);
                }
                i++;
                continue;
            }
            if (c == '"' && field.ToString().Trim().Length == 0)
            {
                field.Clear();
                quoted = true;
            }
            else if (c == separator)
            {
                EndField();
            }
            else if (c is '\r' or '\n')
            {
                EndRecord();
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
            }
            else
            {
                Append(c);
            }
            i++;
        }
        if (quoted)
        {
            throw new UnreadableWorkbookException($"Ett citattecken på rad {records.Count + 1} avslutas aldrig; filen kan inte läsas.");
        }
        if (field.Length > 0 || record.Count > 0)
        {
            EndRecord();
        }
        return records;
    }

    /// <summary>
    /// With <c>,</c> as the separator a Swedish decimal must be quoted (<c>"62,5"</c>). Written unquoted, <c>62,5</c>
    /// splits into two fields; a row with exactly one field more than the header whose Procent field and the next are
    /// both whole numbers is read as that decimal. Any other surplus of fields (but empty ones) rejects the row.
    /// A row that splits that way and still has the header's number of fields (<c>62,5</c> with <c>Antal svar</c> left
    /// out entirely) cannot be told from 62 with 5 respondents: quote decimals, or use <c>;</c>.
    /// </summary>
    private static Record MergeUnquotedDecimal(Record record, int headerFields, int percentColumn)
    {
        var cells = record.Cells.ToList();
        if (cells.Count == headerFields + 1 && percentColumn + 1 < cells.Count
            && IsWholeNumber(cells[percentColumn].Text, allowSign: true) && IsWholeNumber(cells[percentColumn + 1].Text, allowSign: false))
        {
            var merged = new List<Cell>(cells.Count - 1);
            for (var c = 0; c < cells.Count; c++)
            {
                if (c == percentColumn)
                {
                    merged.Add(cells[c] with { Text = $"{cells[c].Text},{cells[c + 1].Text}" });
                    c++;
                }
                else
                {
                    merged.Add(cells[c] with { Column = c > percentColumn ? c - 1 : c });
                }
            }
            return record with { Cells = merged };
        }
        // Empty fields past the header's (trailing separators) are harmless.
        while (cells.Count > headerFields && cells[^1].Text.Length == 0)
        {
            cells.RemoveAt(cells.Count - 1);
        }
        if (cells.Count <= headerFields)
        {
            return record with { Cells = cells };
        }
        var problem =
            $"Raden har {cells.Count} fält men rubriken {headerFields}. Med komma som avgränsare ska decimaltal stå inom citattecken (\"62,5\"), eller använd semikolon som avgränsare.";
        return record with { Cells = cells.Take(headerFields).ToList(), Problem = problem };
    }

    private static bool IsWholeNumber(string text, bool allowSign)
    {
        var s = allowSign && text.StartsWith('-') ? text[1..] : text;
        return s.Length > 0 && s.All(char.IsAsciiDigit);
    }

    private static Cell ToCell(XlsxCell cell) => cell.Kind switch
    {
        CellKind.Number when double.IsFinite(cell.Number) && Math.Abs(cell.Number) < 7.9e27 =>
            new Cell(cell.Column, cell.Display.Trim(), (decimal)cell.Number, false),
        CellKind.Error => new Cell(cell.Column, cell.Text, null, true),
        _ => new Cell(cell.Column, cell.Display.Trim(), null, false),
    };

    private static SurveyReadResult Rejected(SourceProblem problem) => new(null, [problem]);

    private delegate Record FixRecord(Record record, int headerFields, int percentColumn);

    private static SurveyReadResult Judge(IEnumerable<Record> records, string sourceName, string? sheet, FixRecord? fixRecord, InputLimits window)
    {
        SourceProblem Problem(int row, int column, string message) =>
            sheet is null
                ? SourceProblem.ForCsvCell(sourceName, CellAddress.Format(row - 1, column), message)
                : SourceProblem.ForCell(sourceName, sheet, CellAddress.Format(row - 1, column), message);

        Dictionary<string, int>? columns = null;
        var headerFields = 0;
        var rows = new List<SurveyRow>();
        foreach (var raw in records)
        {
            if (raw.IsBlank)
            {
                continue;
            }
            if (columns is null)
            {
                var (found, problems) = ReadHeader(raw, Problem);
                if (problems.Count > 0)
                {
                    return new SurveyReadResult(null, problems);
                }
                columns = found;
                headerFields = raw.Cells.Count == 0 ? 0 : raw.Cells.Max(c => c.Column) + 1;
                continue;
            }
            var record = fixRecord is null ? raw : fixRecord(raw, headerFields, columns[PercentHeader]);
            var row = JudgeRow(record, columns, Problem, window);
            if (row is not null)
            {
                rows.Add(row);
            }
        }
        if (columns is null)
        {
            var location = sheet is null ? SourceProblem.ForFile(sourceName, $"Filen är tom: första raden ska ha rubrikerna {HeaderList}.")
                : SourceProblem.ForCell(sourceName, sheet, "A1", $"Bladet är tomt: första raden ska ha rubrikerna {HeaderList}.");
            return Rejected(location);
        }
        RejectDuplicates(rows, columns, Problem);
        return new SurveyReadResult(new SurveyUpload(sheet, rows), []);
    }

    private static (Dictionary<string, int> Columns, List<SourceProblem> Problems) ReadHeader(Record header, Func<int, int, string, SourceProblem> problem)
    {
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<SourceProblem>();
        foreach (var cell in header.Cells)
        {
            var known = Headers.FirstOrDefault(h => string.Equals(h, cell.Text.Trim(), StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                // Columns of one's own (a comment, a total) are allowed and not read.
                continue;
            }
            if (columns.TryGetValue(known, out var earlier))
            {
                problems.Add(problem(header.Row, cell.Column,
                    $"Rubriken \"{known}\" står två gånger ({CellAddress.Format(header.Row - 1, earlier)} och {CellAddress.Format(header.Row - 1, cell.Column)}); ta bort den ena kolumnen."));
                continue;
            }
            columns[known] = cell.Column;
        }
        foreach (var required in Headers.Where(h => h != RespondentsHeader && !columns.ContainsKey(h)))
        {
            problems.Add(problem(header.Row, 0,
                $"Rubriken \"{required}\" saknas i rubrikraden (rad {header.Row}). Den ska ha rubrikerna {HeaderList}, i valfri ordning."));
        }
        return (columns, problems);
    }

    private static SurveyRow? JudgeRow(Record record, Dictionary<string, int> columns, Func<int, int, string, SourceProblem> problem, InputLimits window)
    {
        Cell? CellOf(string header) => columns.TryGetValue(header, out var column) ? record[column] : null;
        var (year, unit, dimension, percent, respondents) =
            (CellOf(YearHeader), CellOf(UnitHeader), CellOf(DimensionHeader), CellOf(PercentHeader), CellOf(RespondentsHeader));
        if (year is null && unit is null && dimension is null && percent is null && respondents is null && record.Problem is null)
        {
            // Blank in every column read (perhaps a note in a column of one's own).
            return null;
        }

        var problems = new List<SourceProblem>();
        void Add(string header, string message) => problems.Add(problem(record.Row, columns[header], message));
        if (record.Problem is { } rowProblem)
        {
            problems.Add(problem(record.Row, 0, rowProblem));
        }

        int? yearValue = null;
        if (year is null)
        {
            Add(YearHeader, "År saknas.");
        }
        else if (ToYear(year.Value) is not { } y)
        {
            Add(YearHeader, $"{InputLimits.Excerpt(year.Value.Text)} är inte ett årtal.");
        }
        else if (y < window.EarliestYear || y > window.LatestYear)
        {
            // The index's years are the calendar's: a year outside the window could not be shown, and would fail the run's checks.
            Add(YearHeader, $"Året {y} ligger utanför de tillåtna åren {window.Window}.");
        }
        else
        {
            yearValue = y;
        }

        var unitName = Name(unit);
        var dimensionName = Name(dimension);
        CheckName(UnitHeader, unitName, Add);
        CheckName(DimensionHeader, dimensionName, Add);

        decimal? percentValue = null;
        if (percent is null)
        {
            Add(PercentHeader, "Procent saknas.");
        }
        else if (ToPercent(percent.Value) is not { } p)
        {
            Add(PercentHeader, $"{InputLimits.Excerpt(percent.Value.Text)} är inte ett tal; Procent ska vara ett tal 0–100, t.ex. 62,5.");
        }
        else if (p is < 0 or > 100)
        {
            Add(PercentHeader, $"Procenten {SwedishNumber.Format(p)} ligger utanför 0–100.");
        }
        else
        {
            percentValue = p;
        }

        int? respondentsValue = null;
        if (respondents is { } r)
        {
            var number = r.Number ?? (SwedishNumber.TryParse(r.Text, out var parsed) ? parsed : null);
            if (number is { } n && n >= 0 && n == decimal.Truncate(n) && n <= int.MaxValue)
            {
                respondentsValue = (int)n;
            }
            else
            {
                Add(RespondentsHeader, $"{InputLimits.Excerpt(r.Text)} är inte ett antal; Antal svar ska vara ett heltal 0 eller större, eller tomt.");
            }
        }

        return new SurveyRow(record.Row, year?.Text, unitName, dimensionName, percent?.Text, respondents?.Text)
        {
            Year = yearValue,
            Percent = percentValue,
            Respondents = respondentsValue,
            PercentCell = CellAddress.Format(record.Row - 1, columns[PercentHeader]),
            UnitCell = CellAddress.Format(record.Row - 1, columns[UnitHeader]),
            Problems = problems,
        };
    }

    /// <summary>A unit or dimension as written, trimmed and with runs of white space made one space; null when empty.</summary>
    private static string? Name(Cell? cell)
    {
        if (cell is not { } c)
        {
            return null;
        }
        if (c.IsError)
        {
            return c.Text;
        }
        var name = string.Join(' ', c.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return name.Length == 0 ? null : name;
    }

    private static void CheckName(string header, string? name, Action<string, string> add)
    {
        if (name is null)
        {
            add(header, $"{header} saknas.");
        }
        else if (name.StartsWith('#'))
        {
            add(header, $"{header} är ett formelfel ({InputLimits.Cut(name, InputLimits.ExcerptCharacters)}), inget namn.");
        }
        else if (name.Length > MaxNameLength)
        {
            add(header, $"{header} är {name.Length} tecken lång; längsta tillåtna är {MaxNameLength}.");
        }
    }

    private static int? ToYear(Cell cell)
    {
        decimal? number = cell.Number;
        if (number is null && !cell.IsError && cell.Text.Length > 0 && cell.Text.All(char.IsAsciiDigit) && cell.Text.Length <= 4)
        {
            number = int.Parse(cell.Text, CultureInfo.InvariantCulture);
        }
        // Any four-digit year is a year; whether it lies in the window is told apart, naming the window.
        return number is { } n && n == decimal.Truncate(n) && n is >= 1000 and <= 9999 ? (int)n : null;
    }

    private static decimal? ToPercent(Cell cell)
    {
        if (cell.IsError)
        {
            return null;
        }
        if (cell.Number is { } number)
        {
            return number;
        }
        var text = cell.Text.Trim();
        if (text.EndsWith('%'))
        {
            text = text[..^1].TrimEnd();
        }
        return SwedishNumber.TryParse(text, out var parsed) ? parsed : null;
    }

    /// <summary>Rows of one file with the same year, unit and dimension are all rejected, each naming the others.</summary>
    private static void RejectDuplicates(List<SurveyRow> rows, Dictionary<string, int> columns, Func<int, int, string, SourceProblem> problem)
    {
        var groups = rows
            .Select((row, index) => (row, index))
            .Where(r => r.row is { Year: not null, Unit: not null, Dimension: not null })
            // A unit is one key whatever its letter case (KeyCase), as the warehouse stores it and Power BI compares it.
            .GroupBy(r => (r.row.Year, Unit: KeyCase.Fold(r.row.Unit!), r.row.Dimension))
            .Where(g => g.Count() > 1);
        foreach (var group in groups)
        {
            foreach (var (row, index) in group)
            {
                var others = group.Where(o => o.index != index).Select(o => o.row.Row.ToString(CultureInfo.InvariantCulture)).ToList();
                var message = $"Samma år, verksamhet och dimension som rad {string.Join(", ", others)}; filen säger inte vilken som gäller, så alla avvisas.";
                rows[index] = row with { Problems = [.. row.Problems, problem(row.Row, columns[DimensionHeader], message)] };
            }
        }
    }
}
