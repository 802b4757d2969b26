using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace NackaInsights.TestSupport;

/// <summary>
/// Writes .xlsx files part by part, the way writers other than Excel do: inline or shared strings,
/// formulas with cached values, error values, no cell addresses, the strict namespace. Independent of
/// the project's own writer, so that reading is tested against files it did not make.
/// </summary>
public sealed class RawXlsx
{
    public const string TransitionalNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    public const string StrictNamespace = "http://purl.oclc.org/ooxml/spreadsheetml/main";

    private const string TransitionalRelationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string StrictRelationships = "http://purl.oclc.org/ooxml/officeDocument/relationships";

    private readonly List<(string Name, List<(int Row, List<(int Column, object? Value)> Cells)> Rows)> _sheets = [];
    private readonly List<(string Name, Action<Stream> Write)> _parts = [];

    /// <summary>Strings as <c>t="inlineStr"</c> (openpyxl's write-only mode, many exporters) instead of a shared string table.</summary>
    public bool InlineStrings { get; init; }

    /// <summary>Leave out the <c>r</c> attributes of rows and cells, as some writers do.</summary>
    public bool OmitCellReferences { get; init; }

    /// <summary>The SpreadsheetML namespace; with <see cref="StrictNamespace"/> the relationships are strict too, as in a real strict file.</summary>
    public string Namespace { get; init; } = TransitionalNamespace;

    /// <summary>Extra XML for <c>xl/styles.xml</c>' cellXfs, e.g. a date format at index 1.</summary>
    public bool WithDateStyle { get; init; }

    public bool Date1904 { get; init; }

    public RawXlsx Sheet(string name, params object?[][] rows)
    {
        var sheet = (name, new List<(int, List<(int, object?)>)>());
        for (var r = 0; r < rows.Length; r++)
        {
            var cells = new List<(int, object?)>();
            for (var c = 0; c < rows[r].Length; c++)
            {
                if (rows[r][c] is not null)
                {
                    cells.Add((c, rows[r][c]));
                }
            }
            if (cells.Count > 0)
            {
                sheet.Item2.Add((r, cells));
            }
        }
        _sheets.Add(sheet);
        return this;
    }

    /// <summary>A cell holding a formula and its cached value.</summary>
    public sealed record Formula(string Expression, object CachedValue);

    /// <summary>A cell holding a formula whose cached value is an error such as <c>#REF!</c>.</summary>
    public sealed record Error(string Code, string Expression = "A1/0");

    /// <summary>
    /// A number shown with the date style (needs <see cref="WithDateStyle"/>): the custom format
    /// <c>yyyy-mm-dd</c>, or with <paramref name="BuiltInFormat"/> the built-in date format 14.
    /// </summary>
    public sealed record DateSerial(double Serial, bool BuiltInFormat = false);

    /// <summary>A shared string whose <c>si</c> element holds exactly this XML: rich text runs, phonetic runs.</summary>
    public sealed record SharedXml(string SiInnerXml);

    /// <summary>A cell written exactly as given, inside the c element.</summary>
    public sealed record Raw(string Type, string InnerXml);

    /// <summary>Adds a part of its own, or replaces a generated one of the same name (e.g. <c>xl/worksheets/sheet1.xml</c>).</summary>
    public RawXlsx Part(string name, Action<Stream> write)
    {
        _parts.Add((name, write));
        return this;
    }

    public RawXlsx Part(string name, string content) => Part(name, stream => stream.Write(new UTF8Encoding(false).GetBytes(content)));

    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    public byte[] ToBytes()
    {
        var shared = new List<string>();
        var sharedIndex = new Dictionary<string, int>();
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            var relationships = Namespace == StrictNamespace ? StrictRelationships : TransitionalRelationships;
            void Add(string name, string content)
            {
                if (_parts.Any(p => p.Name == name))
                {
                    return;
                }
                var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
                writer.Write(content);
            }

            var overrides = new StringBuilder();
            for (var i = 0; i < _sheets.Count; i++)
            {
                overrides.Append($"<Override PartName=\"/xl/worksheets/sheet{i + 1}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
            }
            Add("[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
                "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>" +
                "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>" +
                overrides + "</Types>");
            Add("_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                $"<Relationship Id=\"rId1\" Type=\"{relationships}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");

            var sheets = new StringBuilder();
            var rels = new StringBuilder();
            for (var i = 0; i < _sheets.Count; i++)
            {
                sheets.Append($"<sheet name=\"{SecurityElement.Escape(_sheets[i].Name)}\" sheetId=\"{i + 1}\" r:id=\"rId{i + 1}\"/>");
                rels.Append($"<Relationship Id=\"rId{i + 1}\" Type=\"{relationships}/worksheet\" Target=\"worksheets/sheet{i + 1}.xml\"/>");
            }
            rels.Append($"<Relationship Id=\"rId{_sheets.Count + 1}\" Type=\"{relationships}/sharedStrings\" Target=\"sharedStrings.xml\"/>");
            rels.Append($"<Relationship Id=\"rId{_sheets.Count + 2}\" Type=\"{relationships}/styles\" Target=\"styles.xml\"/>");
            Add("xl/workbook.xml",
                $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><workbook xmlns=\"{Namespace}\" xmlns:r=\"{relationships}\">" +
                (Date1904 ? "<workbookPr date1904=\"1\"/>" : "") + $"<sheets>{sheets}</sheets></workbook>");
            Add("xl/_rels/workbook.xml.rels",
                $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>");

            for (var i = 0; i < _sheets.Count; i++)
            {
                var data = new StringBuilder();
                foreach (var (row, cells) in _sheets[i].Rows)
                {
                    data.Append(OmitCellReferences ? "<row>" : $"<row r=\"{row + 1}\">");
                    foreach (var (column, value) in cells)
                    {
                        var reference = OmitCellReferences ? "" : $" r=\"{ColumnName(column)}{row + 1}\"";
                        data.Append(Cell(reference, value, shared, sharedIndex));
                    }
                    data.Append("</row>");
                }
                Add($"xl/worksheets/sheet{i + 1}.xml",
                    $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"{Namespace}\"><sheetData>{data}</sheetData></worksheet>");
            }

            var sst = new StringBuilder();
            foreach (var s in shared)
            {
                sst.Append($"<si>{s}</si>");
            }
            Add("xl/sharedStrings.xml",
                $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"{Namespace}\" count=\"{shared.Count}\" uniqueCount=\"{shared.Count}\">{sst}</sst>");
            Add("xl/styles.xml",
                $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><styleSheet xmlns=\"{Namespace}\">" +
                "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/></numFmts>" +
                "<cellXfs count=\"3\"><xf numFmtId=\"0\"/>" +
                (WithDateStyle ? "<xf numFmtId=\"164\" applyNumberFormat=\"1\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/>" : "<xf numFmtId=\"0\"/><xf numFmtId=\"0\"/>") +
                "</cellXfs></styleSheet>");

            foreach (var (name, write) in _parts)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                using var stream = entry.Open();
                write(stream);
            }
        }
        return output.ToArray();
    }

    private string Cell(string reference, object? value, List<string> shared, Dictionary<string, int> sharedIndex)
    {
        switch (value)
        {
            case Formula f:
                return f.CachedValue is string s
                    ? $"<c{reference} t=\"str\"><f>{SecurityElement.Escape(f.Expression)}</f><v>{SecurityElement.Escape(s)}</v></c>"
                    : $"<c{reference}><f>{SecurityElement.Escape(f.Expression)}</f><v>{Number(f.CachedValue)}</v></c>";
            case Error e:
                return $"<c{reference} t=\"e\"><f>{SecurityElement.Escape(e.Expression)}</f><v>{SecurityElement.Escape(e.Code)}</v></c>";
            case DateSerial d:
                return $"<c{reference} s=\"{(d.BuiltInFormat ? 2 : 1)}\"><v>{d.Serial.ToString(CultureInfo.InvariantCulture)}</v></c>";
            case Raw raw:
                return $"<c{reference}{(raw.Type.Length > 0 ? $" t=\"{raw.Type}\"" : "")}>{raw.InnerXml}</c>";
            case bool b:
                return $"<c{reference} t=\"b\"><v>{(b ? 1 : 0)}</v></c>";
            case string text when InlineStrings:
                return $"<c{reference} t=\"inlineStr\"><is><t xml:space=\"preserve\">{SecurityElement.Escape(text)}</t></is></c>";
            case string text:
                return $"<c{reference} t=\"s\"><v>{SharedIndex($"<t xml:space=\"preserve\">{SecurityElement.Escape(text)}</t>")}</v></c>";
            case SharedXml xml:
                return $"<c{reference} t=\"s\"><v>{SharedIndex(xml.SiInnerXml)}</v></c>";
            default:
                return $"<c{reference}><v>{Number(value!)}</v></c>";
        }

        int SharedIndex(string siInnerXml)
        {
            if (!sharedIndex.TryGetValue(siInnerXml, out var index))
            {
                index = shared.Count;
                shared.Add(siInnerXml);
                sharedIndex[siInnerXml] = index;
            }
            return index;
        }
    }

    private static string Number(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);

    public static string ColumnName(int column)
    {
        var name = "";
        for (var n = column + 1; n > 0; n = (n - 1) / 26)
        {
            name = (char)('A' + (n - 1) % 26) + name;
        }
        return name;
    }
}
