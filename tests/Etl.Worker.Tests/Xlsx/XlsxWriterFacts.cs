using System.Drawing;
using System.IO.Compression;
using System.Xml.Linq;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;
using ExcelPackage = OfficeOpenXml.ExcelPackage;

namespace NackaInsights.Etl.Tests.Xlsx;

public sealed class XlsxWriterFacts
{
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static readonly XlsxStyleSheet Styles = new(
    [
        new XlsxCellFormat { Bold = true, Fill = Color.FromArgb(0x1F, 0x4E, 0x79), FontColor = Color.White },
        new XlsxCellFormat { NumberFormat = "yyyy-mm-dd" },
        new XlsxCellFormat { NumberFormat = "0%" },
        new XlsxCellFormat { NumberFormat = "#,##0.##", WrapText = true, QuotePrefix = true },
    ]);

    private static XlsxWorkbook Read(byte[] bytes) => XlsxWorkbook.Open(new MemoryStream(bytes), new WorkbookLimits());

    private static XDocument Part(byte[] bytes, string name)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes));
        using var stream = zip.GetEntry(name)!.Open();
        return XDocument.Load(stream);
    }

    [Fact]
    public void TextNumbersAndStyles_AreReadBackByTheProjectsReader_AsWritten()
    {
        var writer = new XlsxWriter(Styles, "Titel", ["Första", "Andra"]);
        var first = writer.StartSheet([(1, 22), (3, 40.5)], frozenRows: 1);
        first.StartRow(1);
        first.Text(1, "Rubrik", 1);
        first.Text(3, "Digital signering & <avtal>");
        first.StartRow(4);
        first.Number(1, 0.1);
        first.Number(2, -1.5e-7);
        first.Number(3, 45_292, 2);
        first.Number(4, 0.7, 3);
        first.Number(5, 12_345_678.9, 4);
        first.Text(6, "   ");
        var second = writer.StartSheet([]);
        second.StartRow(2);
        second.Text(2, "andra bladet");
        var bytes = writer.ToArray();

        using var workbook = Read(bytes);
        Assert.Equal(["Första", "Andra"], workbook.SheetNames);
        var rows = workbook.ReadRows("Första").ToList();
        Assert.Equal([0, 3], rows.Select(r => r.Index));
        Assert.Equal(["Rubrik", "Digital signering & <avtal>"], rows[0].Cells.Select(c => c.Text));
        Assert.Equal([0, 2], rows[0].Cells.Select(c => c.Column));
        var numbers = rows[1].Cells;
        Assert.Equal([0.1, -1.5e-7, 45_292, 0.7, 12_345_678.9], numbers.Select(c => c.Number));
        Assert.Equal([CellKind.Number, CellKind.Number, CellKind.Date, CellKind.Number, CellKind.Number], numbers.Select(c => c.Kind));
        Assert.Equal(new DateOnly(2024, 1, 1), numbers[2].Date);
        Assert.True(numbers[3].IsPercent);
        Assert.Equal("andra bladet", Assert.Single(workbook.ReadRows("Andra")).Cells.Single().Text);

        using var package = new ExcelPackage(new MemoryStream(bytes));
        var sheet = package.Workbook.Worksheets["Första"];
        Assert.True(sheet.Cells["A1"].Style.Font.Bold);
        Assert.Equal("FF1F4E79", sheet.Cells["A1"].Style.Fill.BackgroundColor.Rgb);
        Assert.Equal("#,##0.##", sheet.Cells["E4"].Style.Numberformat.Format);
        Assert.True(sheet.Cells["E4"].Style.WrapText);
        Assert.True(sheet.Cells["E4"].Style.QuotePrefix);
        Assert.Equal(40.5, sheet.Column(3).Width);
        Assert.Equal("Titel", package.Workbook.Properties.Title);
        var pane = Part(bytes, "xl/worksheets/sheet1.xml").Descendants(Main + "pane").Single();
        Assert.Equal(("1", "A2", "frozen"), ((string?)pane.Attribute("ySplit"), (string?)pane.Attribute("topLeftCell"), (string?)pane.Attribute("state")));
        Assert.Empty(Part(bytes, "xl/worksheets/sheet2.xml").Descendants(Main + "pane"));
    }

    [Fact]
    public void ABlankCell_IsWrittenForItsStyleOnly()
    {
        var writer = new XlsxWriter(Styles, "t", ["Blad"]);
        var sheet = writer.StartSheet([]);
        sheet.StartRow(1);
        sheet.Blank(1, 0);
        sheet.Text(2, null, 1);
        sheet.Text(3, "\u0001\u0002");
        sheet.Blank(4, 1);
        var bytes = writer.ToArray();

        var cells = Part(bytes, "xl/worksheets/sheet1.xml").Descendants(Main + "c").ToList();
        Assert.Equal(["B1", "D1"], cells.Select(c => (string?)c.Attribute("r")));
        Assert.All(cells, c => Assert.Equal(("1", true), ((string?)c.Attribute("s"), c.IsEmpty)));
        using var workbook = Read(bytes);
        Assert.Empty(workbook.ReadRows("Blad"));
    }

    [Fact]
    public void WritingOutOfOrder_OrPastTheStyleSheet_IsAProgrammingErrorThatThrows()
    {
        var writer = new XlsxWriter(Styles, "t", ["Blad"]);
        Assert.Throws<InvalidOperationException>(() => writer.ToArray());
        var sheet = writer.StartSheet([]);
        Assert.Throws<InvalidOperationException>(() => sheet.Text(1, "före raden"));
        sheet.StartRow(2);
        sheet.Text(2, "b");
        Assert.Throws<ArgumentOutOfRangeException>(() => sheet.Text(2, "samma kolumn"));
        Assert.Throws<ArgumentOutOfRangeException>(() => sheet.Text(1, "kolumnen före"));
        Assert.Throws<ArgumentOutOfRangeException>(() => sheet.Text(3, "ingen sådan stil", Styles.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => sheet.StartRow(2));
        Assert.Throws<InvalidOperationException>(() => writer.StartSheet([]));
        Assert.Throws<ArgumentException>(() => new XlsxWriter(Styles, "t", ["Blad", "BLAD"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new XlsxWriter(Styles, "t", []));
    }

    [Fact]
    public void SheetNames_FollowExcelsRules()
    {
        var writer = new XlsxWriter(Styles, "t", ["Utfall [2024]: a/b\\c?*", new string('x', 40), "'citerat'"]);
        for (var i = 0; i < 3; i++)
        {
            writer.StartSheet([]);
        }
        using var workbook = Read(writer.ToArray());

        Assert.Equal(["Utfall 2024 abc", new string('x', 31), "citerat"], workbook.SheetNames);
    }

    [Theory]
    [InlineData("a\u0000b\u0008c\u000Bd\u000Ce\u001Ff", "abcdef")]
    [InlineData("rad\r\nrad\rrad\nrad\ttabb", "rad\nrad\nrad\nrad\ttabb")]
    [InlineData("😀 \uD83D\uDE00", "😀 😀")]
    [InlineData("]]> <&> \"'", "]]> <&> \"'")]
    public void Clean_LeavesOutWhatXmlCannotHold_AndWritesLineBreaksAsExcelDoes(string text, string clean) =>
        Assert.Equal(clean, XlsxXml.Clean(text));

    [Fact]
    public void Clean_LeavesOutLoneSurrogates_AndTheNoncharactersXmlForbids()
    {
        // Built in code: an attribute's strings are stored as UTF-8, which has no lone surrogate.
        var text = "x" + '\uD800' + "y" + '\uDC00' + "z" + '\uFFFE' + '\uFFFF' + '\uDC00' + '\uD800';

        Assert.Equal("xyz", XlsxXml.Clean(text));
    }

    [Fact]
    public void Clean_CutsToExcelsLimit_NeverSplittingASurrogatePair()
    {
        var text = new string('a', InputLimits.ExcelCellCharacters - 1) + "😀";

        var clean = XlsxXml.Clean(text);

        Assert.Equal(InputLimits.ExcelCellCharacters - 1, clean.Length);
        Assert.Equal(new string('a', InputLimits.ExcelCellCharacters - 1), clean);
    }
}
