using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// The workbook cannot be read at all. The message is Swedish and meant for the person who sent it.
/// </summary>
public sealed class UnreadableWorkbookException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The sheet the problem is in, when it is in one.</summary>
    public string? Sheet { get; init; }
}

/// <summary>
/// A streaming reader of <c>.xlsx</c> workbooks: the zip's central directory is checked against
/// <see cref="WorkbookLimits"/> first, then sheets are read row by row with an <see cref="XmlReader"/>: a part of up to
/// 1 MB inflated whole for <see cref="Utf8XmlReader"/>, a larger one (or one that reader declines) streamed through
/// .NET's. Reads what every writer produces (Excel, LibreOffice, Google Sheets, openpyxl, EPPlus): shared and inline
/// strings, cached formula values, error values, dates by their number format, the 1904 date system, transitional and
/// strict namespaces.
/// </summary>
/// <remarks>
/// Written for this project rather than taken from a library: ExcelDataReader 3.6 reads a formula
/// error such as <c>#REF!</c> as an empty cell, which the contract reads as 0, a wrong figure no one
/// would see. Here an error is a value of its own that the parsers reject with its cell.
/// </remarks>
public sealed class XlsxWorkbook : IDisposable
{
    private static readonly XmlReaderSettings BaseSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    // Built-in number formats that show dates (ECMA-376 18.8.30).
    private static readonly HashSet<int> BuiltInDateFormats = [14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47];

    // Built-in number formats that show percentages: 0% and 0.00%.
    private static readonly HashSet<int> BuiltInPercentFormats = [9, 10];

    // What one shared string costs beyond its characters (its object and its slot in the table), counted in
    // characters against WorkbookLimits.MaxSharedStringCharacters, so that millions of tiny strings are bounded too.
    private const int SharedStringOverheadCharacters = 16;

    // Excel allows 31 characters; other writers (LibreOffice) may write longer names, so the bound is generous.
    private const int MaxSheetNameLength = 255;

    private readonly ZipArchive _zip;
    private readonly WorkbookLimits _limits;
    private readonly int _maxTextLength;
    private readonly NameTable _names = new();
    private char[]? _discard;
    private char[] _text = new char[256];
    private readonly Dictionary<string, ZipArchiveEntry> _entries;
    private readonly List<(string Name, string Part)> _sheets;
    private readonly string? _sharedStringsPart;
    private readonly bool[] _dateStyles;

    /// <summary>Per cell style index, whether its number format shows a percentage (0.7 shown as 70 %).</summary>
    private readonly bool[] _percentStyles;

    /// <summary>Whether the workbook has a style part, so that a cell's style index can be held to its formats.</summary>
    private readonly bool _hasStyles;
    private readonly bool _date1904;
    private List<string>? _sharedStrings;
    private readonly bool _utf8Reader;

    /// <summary>
    /// The largest part read with <see cref="Utf8XmlReader"/>, which holds a part's inflated bytes whole; a larger one is
    /// streamed through .NET's reader, which holds 4 KB of it at a time. Every part of the workbooks the municipality
    /// sends is far smaller (a business case's largest is about 20 KB).
    /// </summary>
    internal const int Utf8ReaderMaxPartBytes = 1024 * 1024;

    /// <summary>How many parts this workbook read with <see cref="Utf8XmlReader"/> and how many with .NET's reader.</summary>
    internal (int Utf8, int Plain) PartsRead => (_utf8Parts, _plainParts);

    private int _utf8Parts;
    private int _plainParts;

    private XlsxWorkbook(ZipArchive zip, WorkbookLimits limits, InputLimits input, bool utf8Reader)
    {
        _zip = zip;
        _utf8Reader = utf8Reader;
        _limits = limits;
        _maxTextLength = input.MaxTextLength;
        _entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in zip.Entries)
        {
            _entries.TryAdd(entry.FullName.Replace('\\', '/').TrimStart('/'), entry);
        }

        var workbookPart = FindOfficeDocument();
        var relations = ReadRelationships(workbookPart);
        (_sheets, _date1904) = ReadWorkbook(workbookPart, relations);
        _sharedStringsPart = relations.Values.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target;
        var stylesPart = relations.Values.FirstOrDefault(r => r.Type.EndsWith("/styles", StringComparison.Ordinal)).Target;
        _hasStyles = stylesPart is not null && _entries.ContainsKey(stylesPart);
        (_dateStyles, _percentStyles) = _hasStyles ? ReadNumberStyles(stylesPart!) : ([], []);
    }

    /// <summary>The sheet names in workbook order.</summary>
    public IReadOnlyList<string> SheetNames => _sheets.Select(s => s.Name).ToList();

    /// <summary>
    /// Opens a workbook file, checking its size and its zip against the limits before anything is
    /// inflated. Throws <see cref="UnreadableWorkbookException"/> with a message for the user.
    /// Every text a cell gives is cut to <see cref="InputLimits.MaxTextLength"/> of <paramref name="input"/>
    /// (by default <see cref="InputLimits"/>' own default).
    /// </summary>
    public static XlsxWorkbook Open(string path, WorkbookLimits limits, InputLimits? input = null)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UnreadableWorkbookException($"Filen kunde inte öppnas: {e.Message}", e);
        }
        return Open(stream, limits, input);
    }

    /// <summary>Opens a workbook from a seekable stream, which it then owns.</summary>
    public static XlsxWorkbook Open(Stream stream, WorkbookLimits limits, InputLimits? input = null) => Open(stream, limits, input, utf8Reader: true);

    /// <summary>
    /// Opens a workbook as <see cref="Open(Stream, WorkbookLimits, InputLimits?)"/> does, reading its parts with
    /// <see cref="Utf8XmlReader"/> where it can (<paramref name="utf8Reader"/>) or with .NET's reader only: the tests
    /// hold the two to the same rows and the same errors.
    /// </summary>
    internal static XlsxWorkbook Open(Stream stream, WorkbookLimits limits, InputLimits? input, bool utf8Reader)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            CheckSignature(stream, limits);
            ZipArchive zip;
            try
            {
                zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            }
            catch (InvalidDataException e)
            {
                throw new UnreadableWorkbookException("Filen är skadad och kan inte läsas som Excel-arbetsbok (.xlsx): zip-arkivet är trasigt.", e);
            }
            try
            {
                CheckEntries(zip, limits);
                var workbook = new XlsxWorkbook(zip, limits, input ?? new InputLimits(), utf8Reader);
                workbook._decodingTicks = Stopwatch.GetTimestamp() - started;
                return workbook;
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The workbook's own name of a sheet, matched case-insensitively with surrounding white space ignored; null
    /// when there is none. Two sheets that both match (<c>Kostnader</c> and <c> kostnader </c>, one perhaps hidden)
    /// throw <see cref="UnreadableWorkbookException"/> naming both: which one is meant cannot be told, and taking
    /// the first in workbook order would read figures no one sees.
    /// </summary>
    public string? FindSheet(string name)
    {
        var wanted = name.Trim();
        var matches = _sheets.Select(s => s.Name).Where(n => string.Equals(n.Trim(), wanted, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        if (matches.Count > 1)
        {
            throw new UnreadableWorkbookException(
                $"Arbetsboken har två blad som båda läses som bladet \"{wanted}\": {InputLimits.Excerpt(matches[0])} och {InputLimits.Excerpt(matches[1])}. " +
                "Byt namn på eller ta bort det ena.") { Sheet = matches[0] };
        }
        return matches.FirstOrDefault();
    }

    /// <summary>
    /// Streams the rows of a sheet that hold at least one value. Empty cells, and text of only white
    /// space, are left out; a row's
    /// <see cref="XlsxRow.Index"/> tells where it stands.
    /// </summary>
    public IEnumerable<XlsxRow> ReadRows(string sheetName)
    {
        var (name, part) = _sheets.FirstOrDefault(s => s.Name == sheetName);
        if (name is null)
        {
            throw new ArgumentException($"No sheet named {sheetName}.", nameof(sheetName));
        }
        if (!_entries.TryGetValue(part, out var entry))
        {
            throw new UnreadableWorkbookException($"Bladet \"{name}\" saknas i filen fast arbetsboken nämner det: filen är skadad.") { Sheet = name };
        }
        return Timed(ReadRows(name, entry));
    }

    /// <summary>
    /// The time spent decoding the workbook so far: opening it (the zip, workbook, relationships and
    /// styles) and producing its rows' cells. What the caller does with the rows is not counted, so a
    /// run can tell reading a workbook from validating what it says.
    /// </summary>
    public TimeSpan DecodingTime => TimeSpan.FromTicks(_decodingTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

    private long _decodingTicks;

    private IEnumerable<XlsxRow> Timed(IEnumerable<XlsxRow> rows)
    {
        var started = Stopwatch.GetTimestamp();
        var enumerator = rows.GetEnumerator();
        _decodingTicks += Stopwatch.GetTimestamp() - started;
        try
        {
            while (true)
            {
                started = Stopwatch.GetTimestamp();
                bool more;
                try
                {
                    more = enumerator.MoveNext();
                }
                finally
                {
                    _decodingTicks += Stopwatch.GetTimestamp() - started;
                }
                if (!more)
                {
                    yield break;
                }
                yield return enumerator.Current;
            }
        }
        finally
        {
            enumerator.Dispose();
        }
    }

    public void Dispose() => _zip.Dispose();

    private static void CheckSignature(Stream stream, WorkbookLimits limits)
    {
        long length;
        try
        {
            length = stream.Length;
        }
        catch (NotSupportedException)
        {
            throw new InvalidOperationException("Workbooks are read from seekable streams.");
        }
        if (length == 0)
        {
            throw new UnreadableWorkbookException("Filen är tom.");
        }
        if (length > limits.MaxFileBytes)
        {
            throw new UnreadableWorkbookException(TooLargeMessage(length, limits));
        }
        Span<byte> head = stackalloc byte[8];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        head = head[..read];
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8))
        {
            return;
        }
        if (head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }))
        {
            // An OLE compound file: either a password-protected .xlsx (its package is encrypted
            // inside a stream named EncryptedPackage) or a legacy .xls.
            if (ContainsUtf16(stream, "EncryptedPackage"))
            {
                throw new UnreadableWorkbookException("Arbetsboken är lösenordsskyddad och kan inte läsas. Ta bort lösenordet (Arkiv > Info > Skydda arbetsbok) och skicka den igen.");
            }
            throw new UnreadableWorkbookException("Filen är i det äldre Excel-formatet (.xls). Spara den som Excel-arbetsbok (.xlsx) och skicka den igen.");
        }
        throw new UnreadableWorkbookException("Filen är inte en Excel-arbetsbok (.xlsx).");
    }

    private static bool ContainsUtf16(Stream stream, string text)
    {
        var needle = Encoding.Unicode.GetBytes(text);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        stream.Position = 0;
        return bytes.AsSpan().IndexOf(needle) >= 0;
    }

    private static void CheckEntries(ZipArchive zip, WorkbookLimits limits)
    {
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            entries = zip.Entries;
        }
        catch (InvalidDataException e)
        {
            throw new UnreadableWorkbookException("Filen är skadad och kan inte läsas som Excel-arbetsbok (.xlsx): zip-arkivet är trasigt.", e);
        }
        if (entries.Count > limits.MaxEntries)
        {
            throw new UnreadableWorkbookException($"Filen innehåller {entries.Count} delar; högst {limits.MaxEntries} tillåts i en arbetsbok.");
        }
        long total = 0;
        foreach (var entry in entries)
        {
            // .NET never inflates an entry past its declared length, so the declared sizes bound
            // what reading can cost even when a crafted file lies about them.
            total += entry.Length;
            if (total > limits.MaxUncompressedBytes)
            {
                throw new UnreadableWorkbookException($"Filen packas upp till mer än tillåtna {Megabytes(limits.MaxUncompressedBytes)} och läses inte.");
            }
            if (entry.Length >= limits.RatioCheckFromBytes && entry.Length > (long)limits.MaxCompressionRatio * Math.Max(entry.CompressedLength, 1))
            {
                throw new UnreadableWorkbookException(
                    $"Delen {PartName(entry.FullName)} packas upp {entry.Length / Math.Max(entry.CompressedLength, 1)} gånger större än den är packad, " +
                    $"mer än tillåtna {limits.MaxCompressionRatio}; filen läses inte.");
            }
        }
    }

    private string FindOfficeDocument()
    {
        if (_entries.ContainsKey("mimetype") && !_entries.ContainsKey("[Content_Types].xml"))
        {
            throw new UnreadableWorkbookException("Filen är ett OpenDocument-kalkylark (.ods). Spara den som Excel-arbetsbok (.xlsx) och skicka den igen.");
        }
        var root = ReadRelationships("");
        var office = root.Values.FirstOrDefault(r => r.Type.EndsWith("/officeDocument", StringComparison.Ordinal)).Target;
        office ??= _entries.ContainsKey("xl/workbook.xml") ? "xl/workbook.xml" : null;
        // An .xlsb names its xl/workbook.bin as the office document: that is no XML to read.
        if (office is null || !_entries.ContainsKey(office) || office.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
        {
            if (_entries.Keys.Any(k => k.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) && k.Contains("workbook", StringComparison.OrdinalIgnoreCase)))
            {
                throw new UnreadableWorkbookException("Filen är en binär Excel-arbetsbok (.xlsb). Spara den som Excel-arbetsbok (.xlsx) och skicka den igen.");
            }
            throw new UnreadableWorkbookException("Filen är en zip-fil men ingen Excel-arbetsbok (.xlsx): arbetsboksdelen saknas.");
        }
        return office;
    }

    /// <summary>The relationships of a part (or, for "", of the package), targets resolved to entry names.</summary>
    private Dictionary<string, (string Type, string Target)> ReadRelationships(string part)
    {
        var directory = part.Contains('/') ? part[..part.LastIndexOf('/')] : "";
        var fileName = part[(part.LastIndexOf('/') + 1)..];
        var relsPath = (directory.Length == 0 ? "" : directory + "/") + "_rels/" + fileName + ".rels";
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (!_entries.TryGetValue(relsPath, out var entry))
        {
            return result;
        }
        using var reader = OpenXml(entry);
        try
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship"
                    && reader.GetAttribute("TargetMode") != "External")
                {
                    var id = reader.GetAttribute("Id");
                    var type = reader.GetAttribute("Type") ?? "";
                    var target = reader.GetAttribute("Target");
                    if (id is not null && target is not null)
                    {
                        result[id] = (type, ResolvePath(directory, target));
                    }
                }
            }
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw Damaged(relsPath, e);
        }
        return result;
    }

    private static string ResolvePath(string directory, string target)
    {
        target = Uri.UnescapeDataString(target.Replace('\\', '/'));
        var segments = new List<string>();
        if (!target.StartsWith('/'))
        {
            segments.AddRange(directory.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        foreach (var segment in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment != ".")
            {
                segments.Add(segment);
            }
        }
        return string.Join('/', segments);
    }

    private (List<(string Name, string Part)> Sheets, bool Date1904) ReadWorkbook(string workbookPart, Dictionary<string, (string Type, string Target)> relations)
    {
        var sheets = new List<(string, string)>();
        var date1904 = false;
        using var reader = OpenXml(_entries[workbookPart]);
        try
        {
            // A Word or PowerPoint file renamed .xlsx is a valid package too: its main part says what it is.
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "workbook")
            {
                throw new UnreadableWorkbookException("Filen är inte en Excel-arbetsbok (.xlsx) utan ett annat Office-dokument.");
            }
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                if (reader.LocalName == "workbookPr")
                {
                    date1904 = IsTrue(reader.GetAttribute("date1904"));
                }
                else if (reader.LocalName == "sheet")
                {
                    var name = reader.GetAttribute("name");
                    // Sheet names stand in every problem's location: one of megabytes would make each a megabyte.
                    if (name is { Length: > MaxSheetNameLength })
                    {
                        throw new UnreadableWorkbookException(
                            $"Arbetsboken har ett blad vars namn är {SwedishNumber.Format(name.Length)} tecken långt ({InputLimits.Excerpt(name)}); " +
                            $"längre namn än {MaxSheetNameLength} tecken läses inte (Excel tillåter 31): filen är skadad.");
                    }
                    string? relId = null;
                    for (var i = 0; i < reader.AttributeCount; i++)
                    {
                        reader.MoveToAttribute(i);
                        if (reader.LocalName == "id" && reader.NamespaceURI.EndsWith("/relationships", StringComparison.Ordinal))
                        {
                            relId = reader.Value;
                        }
                    }
                    reader.MoveToElement();
                    if (name is not null && relId is not null && relations.TryGetValue(relId, out var rel)
                        && rel.Type.EndsWith("/worksheet", StringComparison.Ordinal))
                    {
                        sheets.Add((name, rel.Target));
                    }
                }
            }
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw Damaged(workbookPart, e);
        }
        return (sheets, date1904);
    }

    private (bool[] Dates, bool[] Percents) ReadNumberStyles(string stylesPart)
    {
        var customFormats = new Dictionary<int, string>();
        var xfFormats = new List<int>();
        using var reader = OpenXml(_entries[stylesPart]);
        try
        {
            var inCellXfs = false;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "numFmt" when int.TryParse(reader.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var id):
                            customFormats[id] = reader.GetAttribute("formatCode") ?? "";
                            break;
                        case "cellXfs":
                            inCellXfs = !reader.IsEmptyElement;
                            break;
                        case "xf" when inCellXfs:
                            xfFormats.Add(int.TryParse(reader.GetAttribute("numFmtId"), CultureInfo.InvariantCulture, out var fmt) ? fmt : 0);
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "cellXfs")
                {
                    inCellXfs = false;
                }
            }
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw Damaged(stylesPart, e);
        }
        var dates = xfFormats.Select(id => BuiltInDateFormats.Contains(id) || (customFormats.TryGetValue(id, out var code) && IsDateFormat(code))).ToArray();
        var percents = xfFormats.Select((id, i) => !dates[i] && (BuiltInPercentFormats.Contains(id) || (customFormats.TryGetValue(id, out var code) && IsPercentFormat(code)))).ToArray();
        return (dates, percents);
    }

    /// <summary>Whether a number format code shows a percentage: an unquoted, unescaped <c>%</c> in its first section.</summary>
    internal static bool IsPercentFormat(string code) => FormatSymbols(code).Any(s => s.Bracket is null && s.Symbol == '%');

    /// <summary>Whether a number format code shows a date or time: y, m, d, h or s outside quotes and brackets, or an elapsed time such as <c>[h]</c>.</summary>
    internal static bool IsDateFormat(string code) =>
        FormatSymbols(code).Any(s => s.Bracket is { } inner ? inner.ToLowerInvariant() is "h" or "hh" or "m" or "mm" or "s" or "ss" : "yYmMdDhHsS".Contains(s.Symbol));

    /// <summary>
    /// The symbols of a number format code's first section (the one positive numbers use): each character outside quotes
    /// and not escaped (<c>\</c>, <c>_</c>, <c>*</c> take the next one as text), and each <c>[…]</c> as its inner text.
    /// </summary>
    private static IEnumerable<(char Symbol, string? Bracket)> FormatSymbols(string code)
    {
        var section = code.Split(';')[0];
        var inQuotes = false;
        for (var i = 0; i < section.Length; i++)
        {
            var c = section[i];
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (inQuotes)
            {
                continue;
            }
            else if (c == '\\' || c == '_' || c == '*')
            {
                i++;
            }
            else if (c == '[')
            {
                var end = section.IndexOf(']', i);
                yield return (c, end < 0 ? "" : section[(i + 1)..end]);
                i = end < 0 ? section.Length : end;
            }
            else
            {
                yield return (c, null);
            }
        }
    }

    private List<string> SharedStrings()
    {
        if (_sharedStrings is not null)
        {
            return _sharedStrings;
        }
        var strings = new List<string>();
        var part = _sharedStringsPart ?? "xl/sharedStrings.xml";
        if (_entries.TryGetValue(part, out var entry))
        {
            using var reader = OpenXml(entry);
            // The table is held whole while the sheets are read: what it may hold is bounded, not only the part's size.
            long charged = 0;
            try
            {
                while (reader.Read())
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "si")
                    {
                        var text = ReadRichText(reader);
                        charged += text.Length + SharedStringOverheadCharacters;
                        if (charged > _limits.MaxSharedStringCharacters)
                        {
                            throw new UnreadableWorkbookException(
                                $"Arbetsbokens texter är tillsammans större än tillåtna {SwedishNumber.Format(_limits.MaxSharedStringCharacters)} tecken; filen läses inte.");
                        }
                        strings.Add(text);
                    }
                }
            }
            catch (Exception e) when (e is XmlException or InvalidDataException)
            {
                throw Damaged(part, e);
            }
        }
        return _sharedStrings = strings;
    }

    /// <summary>
    /// The text of an <c>si</c> or <c>is</c> element: its <c>t</c> runs, without phonetic hints, cut to the
    /// text limit. Leaves the reader on the element's end (or on the element itself when it is empty).
    /// </summary>
    private string ReadRichText(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            return "";
        }
        var depth = reader.Depth;
        string? single = null;
        StringBuilder? builder = null;
        var kept = 0;
        reader.Read();
        while (reader.Depth > depth)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                reader.Read();
                continue;
            }
            switch (reader.LocalName)
            {
                case "t":
                    var text = ReadBoundedContent(reader, _maxTextLength - kept, out _);
                    kept += text.Length;
                    if (single is null && builder is null)
                    {
                        single = text;
                    }
                    else
                    {
                        (builder ??= new StringBuilder(single)).Append(text);
                    }
                    break;
                case "r":
                    // A rich text run: its t is read on the next turn, its formatting skipped.
                    if (reader.IsEmptyElement)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        reader.Read();
                    }
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return builder?.ToString() ?? single ?? "";
    }

    /// <summary>
    /// An element's text, as <see cref="XmlReader.ReadElementContentAsString()"/> reads it (text, CDATA and white
    /// space joined; comments and processing instructions left out; a child element is an error), but keeping at
    /// most <paramref name="max"/> characters: the text is read in chunks, so that a hostile text of millions of
    /// characters is never built whole. <paramref name="cut"/> tells whether any was left out. Leaves the reader
    /// past the element's end, as ReadElementContentAsString does.
    /// </summary>
    /// <remarks>Hand-written because XmlReader has no bounded form of ReadElementContentAsString; ReadValueChunk is its streaming primitive.</remarks>
    private string ReadBoundedContent(XmlReader reader, int max, out bool cut)
    {
        cut = false;
        max = Math.Max(0, max);
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return "";
        }
        var depth = reader.Depth;
        // One character more than kept, so that InputLimits.Cut never splits a surrogate pair.
        var limit = max + 1;
        var length = 0;
        reader.Read();
        while (reader.Depth > depth)
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    while (true)
                    {
                        int n;
                        if (length < limit)
                        {
                            // Never fewer than two places: .NET's reader throws rather than give half of a surrogate pair, and a
                            // text whose pair fell on the last place was once rejected as a damaged sheet. A character past the
                            // limit is cut below, as any is.
                            if (_text.Length - length < 2)
                            {
                                Array.Resize(ref _text, (int)Math.Max(length + 2, Math.Min(2L * _text.Length, limit + 1)));
                            }
                            n = reader.ReadValueChunk(_text, length, Math.Max(2, Math.Min(_text.Length, limit) - length));
                            length += n;
                        }
                        else
                        {
                            // Past the limit: read on, keeping nothing.
                            _discard ??= new char[4096];
                            n = reader.ReadValueChunk(_discard, 0, _discard.Length);
                            cut |= n > 0;
                        }
                        if (n == 0)
                        {
                            break;
                        }
                    }
                    reader.Read();
                    break;
                case XmlNodeType.Element:
                    throw new XmlException($"The element {reader.LocalName} is not allowed inside text.", null,
                        (reader as IXmlLineInfo)?.LineNumber ?? 0, (reader as IXmlLineInfo)?.LinePosition ?? 0);
                default:
                    reader.Read();
                    break;
            }
        }
        // On the element's end: step past it.
        reader.Read();
        var text = length <= max ? TextPool.Get(_text.AsSpan(0, length)) : new string(_text, 0, length);
        cut |= length > max;
        return length > max ? InputLimits.Cut(text, max) : text;
    }

    private IEnumerable<XlsxRow> ReadRows(string sheetName, ZipArchiveEntry entry)
    {
        using var reader = OpenSheet(sheetName, entry);
        var cells = new List<XlsxCell>();
        var nextRow = 0;
        var previousRow = -1;
        var rowsWithValues = 0;
        while (true)
        {
            XlsxRow? row;
            try
            {
                if (!MoveToNextRow(reader))
                {
                    yield break;
                }
                var rowIndex = nextRow;
                if (reader.GetAttribute("r") is { } number)
                {
                    if (!CellAddress.TryParseRowNumber(number, out rowIndex))
                    {
                        throw Malformed(sheetName,
                            $"Bladet \"{sheetName}\" har en rad med radnumret {InputLimits.Excerpt(number)}, utanför Excels gränser (1–{SwedishNumber.Format(CellAddress.MaxRows)}): filen är skadad.");
                    }
                }
                // A second row 2 would be dropped or mixed with the first, a row out of order read out of place: neither is a sheet Excel writes.
                if (rowIndex == previousRow)
                {
                    throw Malformed(sheetName, $"Rad {rowIndex + 1} står två gånger på bladet \"{sheetName}\": filen är skadad.");
                }
                if (rowIndex < previousRow)
                {
                    throw Malformed(sheetName, $"Rad {rowIndex + 1} på bladet \"{sheetName}\" står efter rad {previousRow + 1}; raderna ska stå i ordning: filen är skadad.");
                }
                previousRow = rowIndex;
                nextRow = rowIndex + 1;
                cells.Clear();
                ReadCells(reader, sheetName, rowIndex, cells);
                // ReadCells holds the cells to strictly rising columns (it rejects any other order), so they need no sorting.
                row = cells.Count == 0 ? null : new XlsxRow(rowIndex, cells.ToArray());
            }
            catch (XmlException e)
            {
                throw new UnreadableWorkbookException($"Bladet \"{sheetName}\" är skadat och kan inte läsas (rad {e.LineNumber}).", e) { Sheet = sheetName };
            }
            catch (InvalidDataException e)
            {
                throw NotUnpackable(sheetName, e);
            }
            if (row is null)
            {
                continue;
            }
            if (++rowsWithValues > _limits.MaxRows)
            {
                throw new UnreadableWorkbookException($"Bladet \"{sheetName}\" har fler än {SwedishNumber.Format(_limits.MaxRows)} rader med värden; filen läses inte.") { Sheet = sheetName };
            }
            yield return row;
        }
    }

    private static bool MoveToNextRow(XmlReader reader)
    {
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "row")
            {
                return true;
            }
        }
        return false;
    }

    // Not AggressiveOptimization (nor the four methods it calls): that keeps a method out of every precompiled image,
    // so that each process compiled them at its first workbook, a changed workbook's read waiting on the JIT. Both
    // publish forms precompile them optimised (docs/performance.md, "The methods the image lacked").
    private void ReadCells(XmlReader reader, string sheetName, int rowIndex, List<XlsxCell> cells)
    {
        if (reader.IsEmptyElement)
        {
            return;
        }
        var rowDepth = reader.Depth;
        var nextColumn = 0;
        var previousColumn = -1;
        while (reader.Read() && reader.Depth > rowDepth)
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "c")
            {
                continue;
            }
            var column = nextColumn;
            string? address = null;
            var reference = reader is Utf8XmlReader utf8 ? utf8.ReadCellReference(out var cellRow, out var cellColumn) : CellReference(reader, out address, out cellRow, out cellColumn);
            if (reference != Utf8XmlReader.CellReference.Absent)
            {
                // A cell past XFD or row 1,048,576 was once read as the next cell along: a wrong figure without a word.
                column = cellColumn;
                if (reference == Utf8XmlReader.CellReference.Invalid)
                {
                    address ??= reader.GetAttribute("r")!;
                    throw Malformed(sheetName,
                        $"Cellen {InputLimits.Excerpt(address)} på bladet \"{sheetName}\" har ingen giltig celladress " +
                        $"(kolumn A–XFD, rad 1–{SwedishNumber.Format(CellAddress.MaxRows)}): filen är skadad.");
                }
                if (cellRow != rowIndex)
                {
                    throw Malformed(sheetName, $"Cellen {CellAddress.Format(cellRow, column)} på bladet \"{sheetName}\" står i rad {rowIndex + 1}: filen är skadad.");
                }
            }
            else if (column >= CellAddress.MaxColumns)
            {
                throw Malformed(sheetName, $"Rad {rowIndex + 1} på bladet \"{sheetName}\" har fler celler än Excels {SwedishNumber.Format(CellAddress.MaxColumns)} kolumner: filen är skadad.");
            }
            // Two cells at one address were both summed; cells out of order are not what any writer makes.
            if (column == previousColumn)
            {
                throw Malformed(sheetName, $"Cellen {CellAddress.Format(rowIndex, column)} står två gånger på bladet \"{sheetName}\": filen är skadad.");
            }
            if (column < previousColumn)
            {
                throw Malformed(sheetName,
                    $"Cellen {CellAddress.Format(rowIndex, column)} på bladet \"{sheetName}\" står efter {CellAddress.Format(rowIndex, previousColumn)}; " +
                    "cellerna i en rad ska stå i kolumnordning: filen är skadad.");
            }
            previousColumn = column;
            nextColumn = column + 1;
            var type = reader.GetAttribute("t");
            var styleText = reader.GetAttribute("s");
            var style = 0;
            // A style is what tells a date from an amount: one that is no style index is damage, not "no style".
            if (styleText is not null
                && (!int.TryParse(styleText, NumberStyles.None, CultureInfo.InvariantCulture, out style) || (_hasStyles && _dateStyles.Length > 0 && style >= _dateStyles.Length)))
            {
                throw Malformed(sheetName,
                    $"Cellen {CellAddress.Format(rowIndex, column)} på bladet \"{sheetName}\" har formatet {InputLimits.Excerpt(styleText)}, som inte är något format: filen är skadad.");
            }
            var (value, valueCut, inline) = ReadCellContent(reader);
            var cell = ToCell(sheetName, rowIndex, column, type, style, value, valueCut, inline);
            if (cell is null)
            {
                continue;
            }
            if (column >= _limits.MaxColumns)
            {
                throw new UnreadableWorkbookException($"Bladet \"{sheetName}\" har värden i fler än {_limits.MaxColumns} kolumner ({CellAddress.Format(rowIndex, column)}); filen läses inte.") { Sheet = sheetName };
            }
            cells.Add(cell.Value);
        }
    }

    private static Utf8XmlReader.CellReference CellReference(XmlReader reader, out string? address, out int row, out int column)
    {
        row = column = 0;
        address = reader.GetAttribute("r");
        return address is null ? Utf8XmlReader.CellReference.Absent
            : CellAddress.TryParse(address, out row, out column) ? Utf8XmlReader.CellReference.Valid
            : Utf8XmlReader.CellReference.Invalid;
    }

    /// <summary>
    /// Reads a <c>c</c> element's cached value (<c>v</c>) or inline string (<c>is</c>); the formula
    /// itself is skipped. Leaves the reader on the element's end (or on it when it is empty).
    /// </summary>
    private (string? Value, bool ValueCut, string? Inline) ReadCellContent(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            return (null, false, null);
        }
        var depth = reader.Depth;
        string? value = null, inline = null;
        var valueCut = false;
        reader.Read();
        while (reader.Depth > depth)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                reader.Read();
                continue;
            }
            switch (reader.LocalName)
            {
                case "v":
                    value = ReadBoundedContent(reader, _maxTextLength, out valueCut);
                    break;
                case "is":
                    inline = ReadRichText(reader);
                    reader.Read();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return (value, valueCut, inline);
    }

    private XlsxCell? ToCell(string sheetName, int rowIndex, int column, string? type, int style, string? value, bool valueCut, string? inline)
    {
        switch (type)
        {
            case "inlineStr":
                return inline is null && value is null ? null : Text(inline ?? value!);
            case "s":
                if (value is null)
                {
                    return null;
                }
                var strings = SharedStrings();
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < strings.Count
                    ? Text(strings[index])
                    : throw new UnreadableWorkbookException(
                        $"Cellen {CellAddress.Format(rowIndex, column)} på bladet \"{sheetName}\" hänvisar till en text som saknas i filen: filen är skadad.") { Sheet = sheetName };
            case "str":
                return value is null ? null : Text(value);
            case "b":
                return value is null ? null : new XlsxCell(column, CellKind.Boolean, value, IsTrue(value) ? 1 : 0);
            case "e":
                return value is null ? null : new XlsxCell(column, CellKind.Error, value, double.NaN);
            case "d":
                if (value is null)
                {
                    return null;
                }
                return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date)
                    ? new XlsxCell(column, CellKind.Date, value, SerialDate(date))
                    : Text(value);
            default:
                if (string.IsNullOrEmpty(value))
                {
                    return null;
                }
                // Digits past the text limit were left out: what is kept is no longer the number written.
                if (valueCut)
                {
                    return Text(value);
                }
                // A number cell holds a number as XML writes it. "86 400" or "1,5" there is no writer's output but damage, and
                // guessing which number it meant (Excel refuses the file; EPPlus reads "1,5" as 15) could load a wrong figure.
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    throw Malformed(sheetName,
                        $"Cellen {CellAddress.Format(rowIndex, column)} på bladet \"{sheetName}\" är en talcell med värdet {InputLimits.Excerpt(value)}, som inte är något tal: filen är skadad.");
                }
                if (style < _dateStyles.Length && _dateStyles[style])
                {
                    return new XlsxCell(column, CellKind.Date, value, _date1904 ? number + 1462 : number);
                }
                return new XlsxCell(column, CellKind.Number, value, number) { IsPercent = style < _percentStyles.Length && _percentStyles[style] };
        }

        // Text of only white space looks empty in Excel, and a space typed to "clear" a cell is common.
        XlsxCell? Text(string text) => string.IsNullOrWhiteSpace(text) ? null : new XlsxCell(column, CellKind.Text, text, double.NaN);
    }

    /// <summary>
    /// A <c>t="d"</c> cell's date as Excel's serial number; NaN for a date before Excel's (year 100), which
    /// <see cref="DateTime.ToOADate"/> refuses with an exception, or for year 1 reads as a time of day (0).
    /// <see cref="XlsxCell.Date"/> is then null.
    /// </summary>
    private static double SerialDate(DateTime date) => date.Year <= 100 ? double.NaN : date.ToOADate();

    private static UnreadableWorkbookException Malformed(string sheetName, string message) => new(message) { Sheet = sheetName };

    private XmlReader OpenXml(ZipArchiveEntry entry)
    {
        if (TryOpenUtf8(entry) is { } utf8)
        {
            return utf8;
        }
        try
        {
            return XmlReader.Create(new Crc32CheckedStream(entry.Open(), entry.Crc32), XmlSettings(entry));
        }
        catch (InvalidDataException e)
        {
            // A damaged local header, or a method that cannot be unpacked (e.g. AES encryption).
            throw Damaged(entry.FullName, e);
        }
    }

    private XmlReader OpenSheet(string sheetName, ZipArchiveEntry entry)
    {
        if (TryOpenUtf8(entry) is { } utf8)
        {
            return utf8;
        }
        try
        {
            return XmlReader.Create(new Crc32CheckedStream(entry.Open(), entry.Crc32), XmlSettings(entry));
        }
        catch (InvalidDataException e)
        {
            throw NotUnpackable(sheetName, e);
        }
    }

    /// <summary>
    /// The part inflated whole, CRC checked, and parsed by <see cref="Utf8XmlReader"/>; null when it is too large, does not
    /// inflate or check, or is not plain XML that reader reads. Then the part is opened again for .NET's reader, which
    /// reports whatever was wrong with it as it always has.
    /// </summary>
    private Utf8XmlReader? TryOpenUtf8(ZipArchiveEntry entry)
    {
        if (!_utf8Reader || entry.Length > Utf8ReaderMaxPartBytes)
        {
            _plainParts++;
            return null;
        }
        var length = (int)entry.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            using var stream = new Crc32CheckedStream(entry.Open(), entry.Crc32);
            // The declared length bounds the inflating; reading once more reaches the end, where the CRC is checked.
            var read = stream.ReadAtLeast(buffer.AsSpan(0, length), length, throwOnEndOfStream: false);
            if (read == length && stream.ReadByte() < 0
                && Utf8XmlReader.TryParse(buffer, read, _names, static b => ArrayPool<byte>.Shared.Return(b)) is { } reader)
            {
                _utf8Parts++;
                return reader;
            }
        }
        catch (InvalidDataException)
        {
        }
        ArrayPool<byte>.Shared.Return(buffer);
        _plainParts++;
        return null;
    }

    private XmlReaderSettings XmlSettings(ZipArchiveEntry entry)
    {
        var settings = BaseSettings.Clone();
        settings.MaxCharactersInDocument = Math.Max(entry.Length, 1) * 2;
        // One name table for all of a workbook's parts: its parts name the same elements and attributes, which each
        // reader would otherwise atomise anew (4 KB a part; a workbook is read on one thread at a time).
        settings.NameTable = _names;
        return settings;
    }

    private static UnreadableWorkbookException NotUnpackable(string sheetName, Exception e) =>
        new($"Bladet \"{sheetName}\" är skadat och kan inte packas upp.", e) { Sheet = sheetName };

    private static UnreadableWorkbookException Damaged(string part, Exception e) =>
        new($"Arbetsboken är skadad: delen {PartName(part)} kan inte tolkas.", e);

    /// <summary>A part's name for a message: as is when it is as short as real ones, else an excerpt (a zip entry's name may be 64 KB).</summary>
    private static string PartName(string name) => name.Length <= InputLimits.ExcerptCharacters ? name : InputLimits.Excerpt(name);

    /// <summary>An xsd:boolean: 1, 0, true, false, whatever the case.</summary>
    private static bool IsTrue(string? value) => value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>What the sender of a file over <see cref="WorkbookLimits.MaxFileBytes"/> is told.</summary>
    public static string TooLargeMessage(long length, WorkbookLimits limits) =>
        $"Filen är {Megabytes(length)} stor; största tillåtna är {Megabytes(limits.MaxFileBytes)}.";

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.#} MB".Replace('.', ',');
}
