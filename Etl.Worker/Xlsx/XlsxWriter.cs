using System.Buffers;
using System.Drawing;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Xlsx;

/// <summary>One cell format of an <see cref="XlsxStyleSheet"/>: font, fill, number format, wrapping, quote prefix.</summary>
public sealed record XlsxCellFormat
{
    public bool Bold { get; init; }

    public int FontSize { get; init; } = 11;

    public Color? FontColor { get; init; }

    /// <summary>A solid fill; none when null.</summary>
    public Color? Fill { get; init; }

    /// <summary>The number format code; General when null.</summary>
    public string? NumberFormat { get; init; }

    public bool WrapText { get; init; }

    /// <summary>Excel keeps a text that looks like a formula text when the cell is edited (<c>quotePrefix</c>).</summary>
    public bool QuotePrefix { get; init; }
}

/// <summary>
/// A fixed <c>xl/styles.xml</c>, built once: format <c>i</c> of the list given is cell style <c>i + 1</c>
/// (0 is Excel's default, General in Calibri 11).
/// </summary>
public sealed class XlsxStyleSheet
{
    // Number formats Excel has built in (ECMA-376 18.8.30): written by id, as Excel and EPPlus do.
    private static readonly Dictionary<string, int> BuiltInFormats = new(StringComparer.Ordinal)
    {
        ["0"] = 1, ["0.00"] = 2, ["#,##0"] = 3, ["#,##0.00"] = 4, ["0%"] = 9, ["0.00%"] = 10,
    };

    public XlsxStyleSheet(IReadOnlyList<XlsxCellFormat> formats)
    {
        Count = formats.Count + 1;
        var fonts = new List<string> { Font(new XlsxCellFormat()) };
        // Fills 0 and 1 are reserved by Excel: none and gray125.
        var fills = new List<string> { "<fill><patternFill patternType=\"none\"/></fill>", "<fill><patternFill patternType=\"gray125\"/></fill>" };
        var numFmts = new List<string>();
        var xfs = new StringBuilder("<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>");
        foreach (var format in formats)
        {
            var fontId = IndexOf(fonts, Font(format));
            var fillId = format.Fill is { } fill
                ? IndexOf(fills, $"<fill><patternFill patternType=\"solid\"><fgColor rgb=\"{Argb(fill)}\"/><bgColor indexed=\"64\"/></patternFill></fill>")
                : 0;
            var numFmtId = 0;
            if (format.NumberFormat is { } code && !BuiltInFormats.TryGetValue(code, out numFmtId))
            {
                var element = $"<numFmt numFmtId=\"{{0}}\" formatCode=\"{XlsxXml.Attribute(code)}\"/>";
                var existing = numFmts.FindIndex(f => f.EndsWith($"formatCode=\"{XlsxXml.Attribute(code)}\"/>", StringComparison.Ordinal));
                if (existing < 0)
                {
                    numFmts.Add(string.Format(CultureInfo.InvariantCulture, element, 164 + numFmts.Count));
                    existing = numFmts.Count - 1;
                }
                numFmtId = 164 + existing;
            }
            xfs.Append(CultureInfo.InvariantCulture, $"<xf numFmtId=\"{numFmtId}\" fontId=\"{fontId}\" fillId=\"{fillId}\" borderId=\"0\" xfId=\"0\"");
            if (numFmtId != 0) xfs.Append(" applyNumberFormat=\"1\"");
            if (fontId != 0) xfs.Append(" applyFont=\"1\"");
            if (fillId != 0) xfs.Append(" applyFill=\"1\"");
            if (format.QuotePrefix) xfs.Append(" quotePrefix=\"1\"");
            xfs.Append(format.WrapText ? " applyAlignment=\"1\"><alignment wrapText=\"1\"/></xf>" : "/>");
        }
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
        if (numFmts.Count > 0)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<numFmts count=\"{numFmts.Count}\">").AppendJoin("", numFmts).Append("</numFmts>");
        }
        xml.Append(CultureInfo.InvariantCulture, $"<fonts count=\"{fonts.Count}\">").AppendJoin("", fonts).Append("</fonts>")
            .Append(CultureInfo.InvariantCulture, $"<fills count=\"{fills.Count}\">").AppendJoin("", fills).Append("</fills>")
            .Append("<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>")
            .Append("<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>")
            .Append(CultureInfo.InvariantCulture, $"<cellXfs count=\"{Count}\">").Append(xfs).Append("</cellXfs>")
            .Append("<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>")
            .Append("<dxfs count=\"0\"/><tableStyles count=\"0\"/></styleSheet>");
        Xml = Encoding.UTF8.GetBytes(xml.ToString());
    }

    /// <summary>The number of cell styles, the default included.</summary>
    public int Count { get; }

    internal byte[] Xml { get; }

    /// <summary>The style sheet as a workbook's part, deflated once for every workbook written with it.</summary>
    internal ZipParts.Fixed Part => _part ??= new ZipParts.Fixed("xl/styles.xml", Xml);

    private ZipParts.Fixed? _part;

    private static string Font(XlsxCellFormat format) =>
        (format.Bold ? "<font><b/>" : "<font>") + $"<sz val=\"{format.FontSize.ToString(CultureInfo.InvariantCulture)}\"/>"
        + (format.FontColor is { } color ? $"<color rgb=\"{Argb(color)}\"/>" : "") + "<name val=\"Calibri\"/><family val=\"2\"/></font>";

    private static string Argb(Color color) => $"FF{color.R:X2}{color.G:X2}{color.B:X2}";

    private static int IndexOf(List<string> items, string item)
    {
        var i = items.IndexOf(item);
        if (i >= 0)
        {
            return i;
        }
        items.Add(item);
        return items.Count - 1;
    }
}

/// <summary>
/// A small streaming writer of <c>.xlsx</c> workbooks for fixed, simple layouts: text (as inline strings, never
/// formulas), numbers, blank styled cells, column widths and a frozen header. The parts that are the same for every
/// workbook of a style sheet and sheet count are built and deflated once (<see cref="ZipParts"/>); per workbook only
/// the sheets, the workbook part (its sheet names) and the core properties (its title) are written and deflated. Every entry has a fixed time, so that the same input gives the same bytes (as
/// <see cref="DeterministicZip"/> gives for the workbooks it rewrites).
/// </summary>
/// <remarks>
/// Text is made safe here, whoever calls: characters XML 1.0 forbids (control characters, lone surrogates,
/// U+FFFE/U+FFFF) are left out, line breaks are written as Excel's own (<c>\n</c>), a text is cut to Excel's
/// 32,767 characters (<see cref="InputLimits.ExcelCellCharacters"/>), and a text that holds an Excel escape such
/// as <c>_x0041_</c> has its underscore escaped (<c>_x005F_</c>, ECMA-376 Part 1, 22.9.2.19 ST_Xstring), so that
/// Excel, LibreOffice and EPPlus show the characters typed, as EPPlus wrote them before.
/// </remarks>
public sealed class XlsxWriter
{
    public const int MaxSheets = 8;

    private static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    internal static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    private static readonly ZipParts.Fixed RootRels = new("_rels/.rels", Utf8.GetBytes(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>" +
        "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>" +
        "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>" +
        "</Relationships>"));

    private static readonly ZipParts.Fixed AppProperties = new("docProps/app.xml", Utf8.GetBytes(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">" +
        "<Application>NackaInsights</Application></Properties>"));

    private static readonly byte[] CorePrefix = Utf8.GetBytes(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" " +
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>");

    private static readonly byte[] CoreSuffix = Utf8.GetBytes(
        "</dc:title><dc:creator>NackaInsights</dc:creator><dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:created></cp:coreProperties>");

    // [Content_Types].xml and xl/_rels/workbook.xml.rels depend only on how many sheets there are.
    private static readonly ZipParts.Fixed[] ContentTypes = [.. Enumerable.Range(0, MaxSheets + 1).Select(n => new ZipParts.Fixed("[Content_Types].xml", Utf8.GetBytes(BuildContentTypes(n))))];
    private static readonly ZipParts.Fixed[] WorkbookRels = [.. Enumerable.Range(0, MaxSheets + 1).Select(n => new ZipParts.Fixed("xl/_rels/workbook.xml.rels", Utf8.GetBytes(BuildWorkbookRels(n))))];

    /// <summary>
    /// The workbook's bytes. A business case's result is about 3.6 KB: sized for it at once, where growing from nothing
    /// allocated 256 bytes to 4 KB in turn for every workbook (14 MB of a full refresh's allocations at scale 1).
    /// </summary>
    private readonly MemoryStream _output = new(InitialCapacity);

    private const int InitialCapacity = 4 * 1024;
    private readonly ZipParts _zip;
    private readonly XlsxStyleSheet _styles;
    private readonly int _sheetCount;
    private int _sheetsStarted;
    private XlsxSheetWriter? _current;

    /// <param name="sheetNames">Every sheet, in order; each is then written with <see cref="StartSheet"/>.</param>
    public XlsxWriter(XlsxStyleSheet styles, string title, IReadOnlyList<string> sheetNames)
    {
        if (sheetNames.Count is 0 or > MaxSheets)
        {
            throw new ArgumentOutOfRangeException(nameof(sheetNames), $"A workbook of 1 to {MaxSheets} sheets.");
        }
        if (sheetNames.Distinct(StringComparer.OrdinalIgnoreCase).Count() != sheetNames.Count)
        {
            throw new ArgumentException("Two sheets of one name.", nameof(sheetNames));
        }
        _styles = styles;
        _sheetCount = sheetNames.Count;
        _zip = new ZipParts(_output);
        _zip.Add(ContentTypes[_sheetCount]);
        _zip.Add(RootRels);
        _zip.Add(AppProperties);
        using (var core = _zip.Open("docProps/core.xml"))
        {
            core.Write(CorePrefix);
            using (var text = new StreamWriter(core, Utf8, 1024, leaveOpen: true))
            {
                XlsxXml.WriteText(text, XlsxXml.Clean(title));
            }
            core.Write(CoreSuffix);
        }
        var workbook = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
            .Append($"<workbook xmlns=\"{MainNs}\" xmlns:r=\"{RelNs}\"><bookViews><workbookView/></bookViews><sheets>");
        for (var i = 0; i < sheetNames.Count; i++)
        {
            workbook.Append(CultureInfo.InvariantCulture, $"<sheet name=\"{XlsxXml.Attribute(SheetName(sheetNames[i]))}\" sheetId=\"{i + 1}\" r:id=\"rId{i + 1}\"/>");
        }
        using (var part = _zip.Open("xl/workbook.xml"))
        {
            part.Write(Utf8.GetBytes(workbook.Append("</sheets></workbook>").ToString()));
        }
        _zip.Add(WorkbookRels[_sheetCount]);
        _zip.Add(styles.Part);
    }

    /// <summary>
    /// Starts the next sheet (and ends the one before). <paramref name="widths"/> are column widths by 1-based
    /// column; <paramref name="frozenRows"/> rows stay in view when scrolling.
    /// </summary>
    public XlsxSheetWriter StartSheet(IEnumerable<(int Column, double Width)> widths, int frozenRows = 0)
    {
        if (_sheetsStarted == _sheetCount)
        {
            throw new InvalidOperationException("Every sheet named has been written.");
        }
        _current?.Finish();
        _sheetsStarted++;
        _current = new XlsxSheetWriter(_zip.Open($"xl/worksheets/sheet{_sheetsStarted}.xml"), _styles.Count, widths, frozenRows);
        return _current;
    }

    /// <summary>The workbook's bytes. Every sheet named must have been started.</summary>
    public byte[] ToArray()
    {
        if (_sheetsStarted != _sheetCount)
        {
            throw new InvalidOperationException($"{_sheetCount - _sheetsStarted} sheets named were not written.");
        }
        _current?.Finish();
        _current = null;
        _zip.Finish();
        return _output.ToArray();
    }

    /// <summary>Excel's rules for a sheet name: 1–31 characters, none of <c>[]:*?/\</c>, no apostrophe first or last.</summary>
    private static string SheetName(string name)
    {
        var clean = new string(XlsxXml.Clean(name).Where(c => c is not ('[' or ']' or ':' or '*' or '?' or '/' or '\\') && !char.IsControl(c)).ToArray()).Trim('\'');
        clean = InputLimits.Cut(clean, 31);
        return clean.Trim().Length == 0 ? throw new ArgumentException($"Not a sheet name: \"{name}\".", nameof(name)) : clean;
    }

    private static string BuildContentTypes(int sheets)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">")
            .Append("<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>")
            .Append("<Default Extension=\"xml\" ContentType=\"application/xml\"/>")
            .Append("<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>");
        for (var i = 1; i <= sheets; i++)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
        }
        return xml.Append("<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>")
            .Append("<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>")
            .Append("<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>")
            .Append("</Types>").ToString();
    }

    private static string BuildWorkbookRels(int sheets)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
        for (var i = 1; i <= sheets; i++)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<Relationship Id=\"rId{i}\" Type=\"{RelNs}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>");
        }
        return xml.Append(CultureInfo.InvariantCulture, $"<Relationship Id=\"rId{sheets + 1}\" Type=\"{RelNs}/styles\" Target=\"styles.xml\"/></Relationships>").ToString();
    }
}

/// <summary>
/// One sheet being written, row by row: rows in increasing order, cells of a row in increasing column order
/// (both 1-based). Writing out of order is a programming error and throws.
/// </summary>
public sealed class XlsxSheetWriter
{
    private const int SheetBufferChars = 1024;

    private readonly Stream _entry;
    private readonly StreamWriter _xml;
    private readonly int _styleCount;
    private int _row;
    private int _column;
    private bool _rowOpen;
    private bool _finished;

    internal XlsxSheetWriter(Stream entry, int styleCount, IEnumerable<(int Column, double Width)> widths, int frozenRows)
    {
        _entry = entry;
        _styleCount = styleCount;
        // A small buffer: a business case's result sheet is about 6 KB of XML, and a StreamWriter allocates its buffer of
        // chars and one of bytes three times as large for it, per sheet. At 16 K chars that was about 80 KB of the 101 KB a
        // result allocated, 2,200 times in a scale-1 full refresh; a longer sheet only hands the zip's deflater more,
        // smaller writes.
        _xml = new StreamWriter(entry, XlsxWriter.Utf8, SheetBufferChars);
        _xml.Write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
            + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetViews><sheetView workbookViewId=\"0\"");
        if (frozenRows > 0)
        {
            var topLeft = CellAddress.Format(frozenRows, 0);
            _xml.Write(string.Create(CultureInfo.InvariantCulture,
                $"><pane ySplit=\"{frozenRows}\" topLeftCell=\"{topLeft}\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"{topLeft}\" sqref=\"{topLeft}\"/></sheetView>"));
        }
        else
        {
            _xml.Write("/>");
        }
        _xml.Write("</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
        var cols = widths.OrderBy(w => w.Column).ToList();
        if (cols.Count > 0)
        {
            _xml.Write("<cols>");
            foreach (var (column, width) in cols)
            {
                _xml.Write(string.Create(CultureInfo.InvariantCulture, $"<col min=\"{column}\" max=\"{column}\" width=\"{width.ToString("0.###", CultureInfo.InvariantCulture)}\" customWidth=\"1\"/>"));
            }
            _xml.Write("</cols>");
        }
        _xml.Write("<sheetData>");
    }

    /// <summary>Starts row <paramref name="row"/> (1-based), after every row written before.</summary>
    public void StartRow(int row)
    {
        if (row <= _row || row > CellAddress.MaxRows)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Rows are written in order, after row {_row}.");
        }
        EndRow();
        _row = row;
        _column = 0;
        _rowOpen = true;
        _xml.Write("<row r=\"");
        WriteInt(row);
        _xml.Write("\">");
    }

    /// <summary>
    /// A text cell, as text whatever it looks like. Empty (or only characters XML cannot hold) is a blank cell,
    /// written only when it has a style.
    /// </summary>
    public void Text(int column, string? text, int style = 0)
    {
        var clean = text is null ? "" : XlsxXml.Clean(text);
        if (clean.Length == 0)
        {
            Blank(column, style);
            return;
        }
        StartCell(column, style, "inlineStr");
        _xml.Write(XlsxXml.NeedsPreserve(clean) ? "<is><t xml:space=\"preserve\">" : "<is><t>");
        XlsxXml.WriteText(_xml, clean);
        _xml.Write("</t></is></c>");
    }

    /// <summary>A number cell. A number that is not finite has no cell in Excel: it is written as its text.</summary>
    public void Number(int column, double value, int style = 0)
    {
        if (!double.IsFinite(value))
        {
            Text(column, value.ToString(CultureInfo.InvariantCulture), style);
            return;
        }
        StartCell(column, style, null);
        _xml.Write("<v>");
        _xml.Write(value.ToString("R", CultureInfo.InvariantCulture));
        _xml.Write("</v></c>");
    }

    /// <summary>A cell without a value, for its style (a fill across a row); nothing for the default style.</summary>
    public void Blank(int column, int style)
    {
        if (style == 0)
        {
            CheckColumn(column);
            _column = column;
            return;
        }
        StartCell(column, style, null, empty: true);
    }

    internal void Finish()
    {
        if (_finished)
        {
            return;
        }
        _finished = true;
        EndRow();
        _xml.Write("</sheetData></worksheet>");
        _xml.Dispose();
        _entry.Dispose();
    }

    private void EndRow()
    {
        if (_rowOpen)
        {
            _xml.Write("</row>");
            _rowOpen = false;
        }
    }

    private void CheckColumn(int column)
    {
        if (_finished)
        {
            throw new InvalidOperationException("The sheet is finished: the next one was started.");
        }
        if (!_rowOpen)
        {
            throw new InvalidOperationException("A cell is written in a row: StartRow first.");
        }
        if (column <= _column || column > CellAddress.MaxColumns)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Cells are written in column order, after column {_column}.");
        }
    }

    private void StartCell(int column, int style, string? type, bool empty = false)
    {
        CheckColumn(column);
        if (style < 0 || style >= _styleCount)
        {
            throw new ArgumentOutOfRangeException(nameof(style), style, $"The style sheet has {_styleCount} styles.");
        }
        _column = column;
        _xml.Write("<c r=\"");
        _xml.Write(CellAddress.ColumnName(column - 1));
        WriteInt(_row);
        _xml.Write('"');
        if (style != 0)
        {
            _xml.Write(" s=\"");
            WriteInt(style);
            _xml.Write('"');
        }
        if (type is not null)
        {
            _xml.Write(" t=\"");
            _xml.Write(type);
            _xml.Write('"');
        }
        _xml.Write(empty ? "/>" : ">");
    }

    private void WriteInt(int value)
    {
        Span<char> digits = stackalloc char[11];
        value.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
        _xml.Write(digits[..n]);
    }
}

/// <summary>Text for SpreadsheetML: cleaned of what XML 1.0 cannot hold, escaped for elements and attributes.</summary>
public static class XlsxXml
{
    private static readonly SearchValues<char> Special = SearchValues.Create("&<>_");

    /// <summary>
    /// The text as a cell can hold it: without the characters XML 1.0 forbids (C0 controls but tab and line feed,
    /// U+FFFE, U+FFFF, lone surrogates), with <c>\r\n</c> and <c>\r</c> as <c>\n</c> (what an XML parser reads them
    /// as anyway), and at most <see cref="InputLimits.ExcelCellCharacters"/> characters.
    /// </summary>
    public static string Clean(string text)
    {
        var i = 0;
        while (i < text.Length && IsKept(text, i, out var width) && text[i] != '\r')
        {
            i += width;
        }
        if (i < text.Length)
        {
            var builder = new StringBuilder(text.Length);
            builder.Append(text, 0, i);
            while (i < text.Length)
            {
                if (text[i] == '\r')
                {
                    builder.Append('\n');
                    i += i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    continue;
                }
                if (IsKept(text, i, out var width))
                {
                    builder.Append(text, i, width);
                }
                i += width;
            }
            text = builder.ToString();
        }
        return InputLimits.Cut(text, InputLimits.ExcelCellCharacters);
    }

    private static bool IsKept(string text, int i, out int width)
    {
        var c = text[i];
        width = 1;
        if (char.IsHighSurrogate(c))
        {
            if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                width = 2;
                return true;
            }
            return false;
        }
        return c switch
        {
            '\t' or '\n' or '\r' => true,
            < ' ' => false,
            '\uFFFE' or '\uFFFF' => false,
            _ => !char.IsLowSurrogate(c),
        };
    }

    /// <summary>Whether white space at either end, or a line break or tab, needs <c>xml:space="preserve"</c>.</summary>
    internal static bool NeedsPreserve(string text) =>
        text.Length > 0 && (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]) || text.AsSpan().IndexOfAny('\n', '\t') >= 0);

    /// <summary>Writes clean text escaped for an element, Excel's <c>_xHHHH_</c> escapes kept literal.</summary>
    internal static void WriteText(TextWriter writer, string text) => Write(writer, text, Special);

    /// <summary>
    /// Escaped for an attribute value in double quotes. Excel's escapes are a cell text's (ST_Xstring), not a sheet
    /// name's: an underscore is written as is.
    /// </summary>
    internal static string Attribute(string text)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, text, AttributeSpecial);
        return writer.ToString();
    }

    private static readonly SearchValues<char> AttributeSpecial = SearchValues.Create("&<>\"\r\n\t");

    private static void Write(TextWriter writer, string text, SearchValues<char> special)
    {
        var span = text.AsSpan();
        while (span.Length > 0)
        {
            var next = span.IndexOfAny(special);
            if (next < 0)
            {
                writer.Write(span);
                return;
            }
            writer.Write(span[..next]);
            var c = span[next];
            switch (c)
            {
                case '&': writer.Write("&amp;"); break;
                case '<': writer.Write("&lt;"); break;
                case '>': writer.Write("&gt;"); break;
                case '"': writer.Write("&quot;"); break;
                // In an attribute a parser reads these as spaces unless they are character references.
                case '\r': writer.Write("&#13;"); break;
                case '\n': writer.Write("&#10;"); break;
                case '\t': writer.Write("&#9;"); break;
                case '_' when IsExcelEscape(span[next..]): writer.Write("_x005F_"); break;
                default: writer.Write(c); break;
            }
            span = span[(next + 1)..];
        }
    }

    /// <summary><c>_x</c>, four hex digits, <c>_</c>: what Excel reads as one escaped character.</summary>
    private static bool IsExcelEscape(ReadOnlySpan<char> s) =>
        s.Length >= 7 && s[1] is 'x' or 'X' && char.IsAsciiHexDigit(s[2]) && char.IsAsciiHexDigit(s[3]) && char.IsAsciiHexDigit(s[4]) && char.IsAsciiHexDigit(s[5]) && s[6] == '_';
}
