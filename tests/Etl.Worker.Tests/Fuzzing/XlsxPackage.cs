using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// A workbook's zip held part by part, so that a mutator can edit one part's XML as text and write the zip again.
/// Text, not a DOM: most mutants are not well-formed XML any more, and must still be written as they are.
/// </summary>
public sealed partial class XlsxPackage
{
    private static readonly UTF8Encoding Utf8 = new(false);

    private readonly List<(string Name, byte[] Content)> _parts;

    private XlsxPackage(List<(string, byte[])> parts) => _parts = parts;

    public static XlsxPackage Load(byte[] xlsx)
    {
        var parts = new List<(string, byte[])>();
        using var zip = new ZipArchive(new MemoryStream(xlsx, writable: false), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            parts.Add((entry.FullName, buffer.ToArray()));
        }
        return new XlsxPackage(parts);
    }

    public XlsxPackage Clone() => new(_parts.Select(p => (p.Name, (byte[])p.Content.Clone())).ToList());

    public IEnumerable<string> PartNames => _parts.Select(p => p.Name);

    public bool Has(string name) => _parts.Any(p => p.Name == name);

    public string Text(string name) => Utf8.GetString(_parts.Single(p => p.Name == name).Content).TrimStart('\uFEFF');

    public void SetText(string name, string text) => SetBytes(name, Utf8.GetBytes(text));

    public void SetBytes(string name, byte[] content)
    {
        var i = _parts.FindIndex(p => p.Name == name);
        if (i < 0)
        {
            _parts.Add((name, content));
        }
        else
        {
            _parts[i] = (name, content);
        }
    }

    public void Remove(string name) => _parts.RemoveAll(p => p.Name == name);

    public byte[] Bytes(string name) => _parts.Single(p => p.Name == name).Content;

    public byte[] ToBytes()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in _parts)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                entry.LastWriteTime = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
                using var stream = entry.Open();
                stream.Write(content);
            }
        }
        return output.ToArray();
    }

    /// <summary>The inflated size of all parts: what <c>WorkbookLimits.MaxUncompressedBytes</c> counts.</summary>
    public long InflatedBytes => _parts.Sum(p => (long)p.Content.Length);

    /// <summary>The sheets in workbook order: name and part, resolved through the workbook's relationships.</summary>
    public IReadOnlyList<(string Name, string Part)> Sheets()
    {
        var rels = Text("xl/_rels/workbook.xml.rels");
        var targets = new Dictionary<string, string>();
        foreach (Match m in RelationshipPattern().Matches(rels))
        {
            var id = Attribute(m.Value, "Id");
            var target = Attribute(m.Value, "Target");
            if (id is not null && target is not null)
            {
                targets[id] = target.StartsWith('/') ? target.TrimStart('/') : "xl/" + target;
            }
        }
        var sheets = new List<(string, string)>();
        foreach (Match m in SheetPattern().Matches(Text("xl/workbook.xml")))
        {
            var name = Attribute(m.Value, "name");
            var id = Attribute(m.Value, "r:id");
            if (name is not null && id is not null && targets.TryGetValue(id, out var part))
            {
                sheets.Add((System.Net.WebUtility.HtmlDecode(name), part));
            }
        }
        return sheets;
    }

    /// <summary>The part of the sheet whose name matches, as the contract matches names.</summary>
    public string? SheetPart(string name) =>
        Sheets().Where(s => string.Equals(s.Name.Trim(), name, StringComparison.OrdinalIgnoreCase)).Select(s => s.Part).FirstOrDefault();

    public static string? Attribute(string element, string name)
    {
        var m = Regex.Match(element, $@"\s{Regex.Escape(name)}\s*=\s*(""([^""]*)""|'([^']*)')");
        return m.Success ? (m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value) : null;
    }

    [GeneratedRegex(@"<Relationship\b[^>]*>")]
    private static partial Regex RelationshipPattern();

    [GeneratedRegex(@"<sheet\b[^>]*>")]
    private static partial Regex SheetPattern();
}
