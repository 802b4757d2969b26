using System.Text;
using System.Xml;
using NackaInsights.Etl.Xlsx;

namespace NackaInsights.Etl.Tests.Xlsx;

/// <summary>
/// <see cref="Utf8XmlReader"/> against .NET's reader, which is its oracle: every node it reads, with its depth, names,
/// namespace, attributes, text and line, as .NET's reader reads it with the workbook's settings; and what it does not
/// read, it declines, so that .NET's reader reads it (and, where the XML is bad, rejects it as before).
/// </summary>
public sealed class Utf8XmlReaderFacts
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    public static TheoryData<string> PlainParts =>
    [
        $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{"\r\n"}<worksheet xmlns="{Main}" xmlns:r="http://r"><sheetData><row r="1" spans="1:2"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1"><v>12.5</v></c></row></sheetData></worksheet>""",
        $"""<worksheet xmlns="{Main}"><sheetData><row r="2"><c r="A2" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve"> fet </t></r><r><t>text</t></r><rPh><t>x</t></rPh></is></c></row></sheetData></worksheet>""",
        "\uFEFF<a><b>Å &amp; Ö &lt;&gt; &quot;&apos; &#65;&#x1F600;&#xe9;</b></a>",
        "<a>\r\n  <b>line one\r\nline two\rline three\n</b>\n\t<c/>\r\n</a>\r\n",
        "<a><t>   </t><t/><t></t><t>&#13;&#10;&#9;</t></a>",
        "<x:worksheet xmlns:x=\"urn:m\" xmlns:mc=\"urn:mc\" mc:Ignorable=\"x14ac\"><x:sheetData><x:row x14ac:dyDescent=\"0.25\" xmlns:x14ac=\"urn:ac\"><x:c r='A1'><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>",
        "<a xmlns=\"urn:one\"><b xmlns=\"\"><c xmlns:p=\"urn:p\" p:q=\"1\" q=\"2\"/></b><d/></a>",
        "<a b = \"1\" c='x&amp;y' d=\"&#x41;&lt;\"   >text &gt; more ] and ]] here</a>",
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://t/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
        "<a>𝄞 and ä in the text, 😀</a>",
        "<?xml version='1.0'?><a/>",
        "<?xml version=\"1.0\" standalone=\"no\" ?>\n\n<a>\n<b>1</b>\n</a>",
    ];

    [Theory]
    [MemberData(nameof(PlainParts))]
    public void Reads_EveryNode_AsDotNetsReaderReadsIt(string xml)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        var names = new NameTable();
        using var utf8 = Utf8XmlReader.TryParse(bytes, bytes.Length, names);
        Assert.NotNull(utf8);
        using var plain = XmlReader.Create(new MemoryStream(bytes), Settings(names));

        Assert.Equal(Nodes(plain), Nodes(utf8));
    }

    [Fact]
    public void Reads_ATextInChunks_AsDotNetsReaderDoes()
    {
        var text = string.Concat(Enumerable.Repeat("a😀&amp;\r\nÅ", 50));
        var xml = Encoding.UTF8.GetBytes($"<a><t>{text}</t></a>");
        // .NET's reader gives no chunk of one character, which could split a pair.
        foreach (var size in new[] { 2, 3, 7, 64 })
        {
            using var utf8 = Utf8XmlReader.TryParse(xml, xml.Length, new NameTable())!;
            using var plain = XmlReader.Create(new MemoryStream(xml), Settings(new NameTable()));
            Assert.Equal(Chunked(plain, size), Chunked(utf8, size));
        }

        static string Chunked(XmlReader reader, int size)
        {
            while (reader.Read() && reader.NodeType != XmlNodeType.Text)
            {
            }
            var builder = new StringBuilder();
            var chunk = new char[size];
            int n;
            while ((n = reader.ReadValueChunk(chunk, 0, size)) > 0)
            {
                builder.Append(chunk, 0, n);
            }
            return builder.ToString();
        }
    }

    public static TheoryData<string, string> Declined => new()
    {
        { "a comment", "<a><!-- note --><b/></a>" },
        { "CDATA", "<a><![CDATA[1 < 2]]></a>" },
        { "a DOCTYPE", "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>" },
        { "a processing instruction", "<a><?pi data?></a>" },
        { "another encoding", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>" },
        { "a declaration not first", " <?xml version=\"1.0\"?><a/>" },
        { "a stylesheet instruction", "<?xml-stylesheet href=\"x\"?><a/>" },
        { "an undefined entity", "<a>&nbsp;</a>" },
        { "a reference to a control character", "<a>&#1;</a>" },
        { "a reference to a surrogate", "<a>&#xD800;</a>" },
        { "a raw control character", "<a>\u0001</a>" },
        { "U+FFFF", "<a>\uFFFF</a>" },
        { "a name outside ASCII", "<ä/>" },
        { "an undeclared prefix", "<p:a/>" },
        { "an undeclared attribute prefix", "<a p:b=\"1\"/>" },
        { "an undeclaring prefix declaration", "<a xmlns:p=\"\"/>" },
        { "an end tag that does not match", "<a><b></a></b>" },
        { "an element left open", "<a><b></b>" },
        { "two roots", "<a/><b/>" },
        { "text after the root", "<a/>x" },
        { "text before the root", "x<a/>" },
        { "no root", "   " },
        { "a raw tab in an attribute", "<a b=\"1\t2\"/>" },
        { "a line break in an attribute", "<a b=\"1\n2\"/>" },
        { "a '<' in an attribute", "<a b=\"1<2\"/>" },
        { "an attribute twice", "<a b=\"1\" b=\"2\"/>" },
        { "an attribute twice by namespace", "<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:b=\"1\" q:b=\"2\"/>" },
        { "attributes without space between", "<a b=\"1\"c=\"2\"/>" },
        { "an unquoted attribute", "<a b=1/>" },
        { "']]>' in text", "<a>]]></a>" },
        { "a bare ampersand", "<a>fish & chips</a>" },
        { "a '<' followed by space", "<a>< b</a>" },
        { "an end tag with attributes", "<a></a b=\"1\">" },
    };

    [Theory]
    [MemberData(nameof(Declined))]
    public void Declines_WhatItDoesNotRead_ForDotNetsReaderToRead(string what, string xml)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        Assert.True(Utf8XmlReader.TryParse(bytes, bytes.Length, new NameTable()) is null, what);
    }

    [Fact]
    public void Declines_BytesThatAreNotUtf8()
    {
        byte[] bytes = [.. "<a>"u8, 0xC3, 0x28, .. "</a>"u8];
        Assert.Null(Utf8XmlReader.TryParse(bytes, bytes.Length, new NameTable()));
    }

    [Fact]
    public void Declines_EveryFaultOfWellFormedness_ThatDotNetsReaderRejects()
    {
        // What it declines need not be bad XML (a comment is fine); but what .NET's reader rejects, it must decline.
        foreach (var xml in Declined.Select(row => row.Data.Item2))
        {
            var bytes = Encoding.UTF8.GetBytes(xml);
            if (Rejects(bytes))
            {
                Assert.Null(Utf8XmlReader.TryParse(bytes, bytes.Length, new NameTable()));
            }
        }
        Assert.True(Declined.Count(row => Rejects(Encoding.UTF8.GetBytes(row.Data.Item2))) > 20);

        static bool Rejects(byte[] bytes)
        {
            try
            {
                using var reader = XmlReader.Create(new MemoryStream(bytes), Settings(new NameTable()));
                while (reader.Read())
                {
                }
                return false;
            }
            catch (XmlException)
            {
                return true;
            }
        }
    }

    [Fact]
    public void Declines_APartOfMoreNodesThanItHolds_ForDotNetsReaderToStream()
    {
        var many = Encoding.UTF8.GetBytes("<a>" + string.Concat(Enumerable.Repeat("<b/>", Utf8XmlReader.MaxNodes)) + "</a>");
        var fewer = Encoding.UTF8.GetBytes("<a>" + string.Concat(Enumerable.Repeat("<b/>", Utf8XmlReader.MaxNodes - 2)) + "</a>");

        Assert.Null(Utf8XmlReader.TryParse(many, many.Length, new NameTable()));
        using var reader = Utf8XmlReader.TryParse(fewer, fewer.Length, new NameTable());
        Assert.NotNull(reader);
    }

    [Fact]
    public void Declines_AnElementOfManyAttributes_AndManyNamespacesInScope_WhichWouldMakeItQuadratic()
    {
        static string Attributes(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $" a{i}=\"1\""));
        static string Nested(int count) =>
            string.Concat(Enumerable.Range(0, count).Select(i => $"<e xmlns:p{i}=\"urn:{i}\">")) + string.Concat(Enumerable.Repeat("</e>", count));

        Assert.NotNull(Parse($"<a{Attributes(Utf8XmlReader.MaxAttributesPerElement)}/>"));
        Assert.Null(Parse($"<a{Attributes(Utf8XmlReader.MaxAttributesPerElement + 1)}/>"));
        Assert.NotNull(Parse(Nested(Utf8XmlReader.MaxNamespacesInScope)));
        Assert.Null(Parse(Nested(Utf8XmlReader.MaxNamespacesInScope + 1)));

        static Utf8XmlReader? Parse(string xml)
        {
            var bytes = Encoding.UTF8.GetBytes(xml);
            return Utf8XmlReader.TryParse(bytes, bytes.Length, new NameTable());
        }
    }

    [Fact]
    public void GivesBack_TheBufferItWasGiven_WhenClosed()
    {
        var bytes = Encoding.UTF8.GetBytes("<a/>");
        byte[]? released = null;
        var reader = Utf8XmlReader.TryParse(bytes, bytes.Length, new NameTable(), b => released = b)!;
        Assert.Null(released);
        reader.Dispose();
        Assert.Same(bytes, released);
        Assert.Equal(ReadState.Closed, reader.ReadState);
        Assert.False(reader.Read());
    }

    private static XmlReaderSettings Settings(XmlNameTable names) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        NameTable = names,
    };

    /// <summary>Every node as the workbook's rules see it; .NET's declaration and white space outside the root are left out, as they are by the rules.</summary>
    private static List<string> Nodes(XmlReader reader)
    {
        var nodes = new List<string>();
        var info = (IXmlLineInfo)reader;
        while (reader.Read())
        {
            if (reader.NodeType is XmlNodeType.XmlDeclaration || (reader.Depth == 0 && reader.NodeType is XmlNodeType.Whitespace))
            {
                continue;
            }
            var type = reader.NodeType == XmlNodeType.SignificantWhitespace ? XmlNodeType.Whitespace : reader.NodeType;
            var node = new StringBuilder($"{type} d{reader.Depth} {reader.Prefix}|{reader.LocalName}|{reader.Name} {{{reader.NamespaceURI}}} empty={reader.IsEmptyElement} line={info.LineNumber}");
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
            {
                node.Append(" text=").Append(reader.Value.Replace("\r", "\\r").Replace("\n", "\\n"));
            }
            for (var i = 0; i < reader.AttributeCount; i++)
            {
                reader.MoveToAttribute(i);
                node.Append($" @{reader.Prefix}|{reader.LocalName}|{reader.Name}{{{reader.NamespaceURI}}}={reader.Value}");
                Assert.Equal(reader.Value, reader.GetAttribute(i));
            }
            reader.MoveToElement();
            if (reader.NodeType == XmlNodeType.Element)
            {
                node.Append($" r={reader.GetAttribute("r") ?? "-"} s={reader.GetAttribute("s") ?? "-"}");
            }
            nodes.Add(node.ToString());
        }
        Assert.True(reader.EOF);
        return nodes;
    }
}
