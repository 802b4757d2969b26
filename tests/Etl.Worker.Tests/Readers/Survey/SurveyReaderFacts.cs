using System.Text;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Readers.Survey;

/// <summary>Survey exports as real files: .csv in both separators, with and without BOM, and .xlsx with the sheet Index.</summary>
public sealed class SurveyReaderFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-survey");
    private readonly SurveyReader _reader = new(new WorkbookLimits());

    public void Dispose() => _dir.Dispose();

    private SurveyReadResult ReadCsv(string text, bool bom = false, string name = "enkat.csv")
    {
        var path = _dir.File(name);
        var bytes = new UTF8Encoding(bom).GetBytes(text);
        File.WriteAllBytes(path, [.. (bom ? Encoding.UTF8.GetPreamble() : []), .. bytes]);
        return _reader.Read(path, $"index/{name}");
    }

    private SurveyReadResult ReadXlsx(RawXlsx workbook, string name = "enkat.xlsx")
    {
        var path = _dir.File(name);
        workbook.Save(path);
        return _reader.Read(path, $"index/{name}");
    }

    private static SurveyUpload Readable(SurveyReadResult result)
    {
        Assert.True(result.IsReadable, string.Join(Environment.NewLine, result.FileProblems));
        return result.Upload!;
    }

    private static List<(int, string?, string?, decimal?, int?)> Values(SurveyUpload upload) =>
        upload.Rows.Where(r => r.IsAccepted).Select(r => (r.Year!.Value, r.Unit, r.Dimension, r.Percent, r.Respondents)).ToList();

    private static List<(int, string?, string?, decimal?, int?)> Expected =>
    [
        (2023, "Välfärd skola", "Digital förmåga", 62.5m, 41),
        (2023, "Välfärd skola", "Digitalt arv", 47m, 41),
        (2023, "Kultur och fritid", "Digital förmåga", 55.25m, null),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Semicolons_WithSwedishDecimals_AreRead_WithOrWithoutBom(bool bom)
    {
        var upload = Readable(ReadCsv(
            """
            År;Verksamhet;Dimension;Procent;Antal svar
            2023;Välfärd skola;Digital förmåga;62,5;41
            2023;Välfärd skola;Digitalt arv;47;41
            2023;Kultur och fritid;Digital förmåga;55,25;
            """, bom));

        Assert.Null(upload.SheetName);
        Assert.Equal(Expected, Values(upload));
        Assert.Equal((2, "D2"), (upload.Rows[0].Row, upload.Rows[0].PercentCell));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Commas_WithQuotedSwedishDecimals_OrUnquotedOnes_AreRead(bool bom)
    {
        // Quoted as a spreadsheet writes it, unquoted as a hand-written export might, and a point as a decimal separator.
        var upload = Readable(ReadCsv(
            "\"År\",\"Verksamhet\",\"Dimension\",\"Procent\",\"Antal svar\"\r\n" +
            "2023,Välfärd skola,Digital förmåga,\"62,5\",41\r\n" +
            "2023,\"Välfärd skola\",Digitalt arv,47,41\r\n" +
            "2023,Kultur och fritid,Digital förmåga,55,25,\r\n", bom));

        Assert.Equal(Expected, Values(upload));
        Assert.Equal("55,25", upload.Rows[2].PercentText);
    }

    [Fact]
    public void HeadersMatch_InAnyOrderAndLetterCase_AndQuotedFieldsMayHoldSeparatorsQuotesAndLineBreaks()
    {
        var upload = Readable(ReadCsv(
            "procent,DIMENSION,  verksamhet ,år,Kommentar\n" +
            "\"62,5\",\"Digital \"\"förmåga\"\"\",\"Välfärd\nskola\",2023,\"en, två\"\n" +
            "70%,Digitalt arv,Välfärd skola,2023,\n"));

        Assert.Equal(
            [(2023, "Välfärd skola", "Digital \"förmåga\"", 62.5m, (int?)null), (2023, "Välfärd skola", "Digitalt arv", 70m, null)],
            Values(upload));
        // A line break inside quotes is within one row, as a spreadsheet shows it.
        Assert.Equal([2, 3], upload.Rows.Select(r => r.Row));
    }

    [Fact]
    public void Xlsx_IsReadFromTheSheetIndex_WithNumbersOrSwedishNumberText()
    {
        var upload = Readable(ReadXlsx(new RawXlsx()
            .Sheet("Om", ["Export från enkätverktyget"])
            .Sheet("Index",
                ["År", "Verksamhet", "Dimension", "Procent", "Antal svar"],
                [2023, "Välfärd skola", "Digital förmåga", 62.5, 41],
                [2023, "Välfärd skola", "Digitalt arv", "47", 41],
                [null, null, null, null, null],
                ["2023", "Kultur och fritid", "Digital förmåga", "55,25", null])));

        Assert.Equal("Index", upload.SheetName);
        Assert.Equal(Expected, Values(upload));
        Assert.Equal([2, 3, 5], upload.Rows.Select(r => r.Row));
        Assert.Equal("D5", upload.Rows[2].PercentCell);
    }

    [Fact]
    public void AYearOutsideTheWindow_RejectsItsRow_NamingTheCell_AndTheOthersLoad()
    {
        // The index's years are the calendar's; a survey row of 1950 once made every run fail its year checks.
        var upload = Readable(ReadCsv(
            """
            År;Verksamhet;Dimension;Procent;Antal svar
            2023;Välfärd skola;Digital förmåga;62,5;41
            1950;Välfärd skola;Digitalt arv;50;
            2101;Välfärd skola;Digitalt arv;50;
            """));

        Assert.Equal((1, 2), (upload.Accepted, upload.Rejected));
        Assert.Equal(
        [
            ("A3", "Året 1950 ligger utanför de tillåtna åren 2000–2100."),
            ("A4", "Året 2101 ligger utanför de tillåtna åren 2000–2100."),
        ],
        upload.Rows.Where(r => !r.IsAccepted).Select(r => Assert.Single(r.Problems)).Select(p => (p.Cell!, p.Message)));
    }

    [Fact]
    public void BadRows_AreRejected_EachWithItsReasonAndCell_AndTheOthersLoad()
    {
        var upload = Readable(ReadCsv(
            """
            År;Verksamhet;Dimension;Procent;Antal svar
            2023;Välfärd skola;Digital förmåga;62,5;41
            ;Välfärd skola;Digitalt arv;50;
            tjugotjugotre;Välfärd skola;Digitalt arv;50;
            2023;;Digitalt arv;50;
            2023;Välfärd skola;;50;
            2023;Välfärd skola;Digital ledning;ca 60;
            2023;Välfärd skola;Digital kultur;120;
            2023;Välfärd skola;Digital infrastruktur;-1;
            2023;Välfärd skola;Digitala tjänster;;
            2023;Välfärd skola;Digital samverkan;60;många

            2024;Kultur och fritid;Digital förmåga;40;10
            """));

        Assert.Equal((2, 9), (upload.Accepted, upload.Rejected));
        var problems = upload.Rows.Where(r => !r.IsAccepted).Select(r => Assert.Single(r.Problems)).ToList();
        Assert.All(problems, p => Assert.Null(p.Sheet));
        Assert.Equal(
        [
            ("A3", "År saknas."),
            ("A4", "\"tjugotjugotre\" är inte ett årtal."),
            ("B5", "Verksamhet saknas."),
            ("C6", "Dimension saknas."),
            ("D7", "\"ca 60\" är inte ett tal; Procent ska vara ett tal 0–100, t.ex. 62,5."),
            ("D8", "Procenten 120 ligger utanför 0–100."),
            ("D9", "Procenten -1 ligger utanför 0–100."),
            ("D10", "Procent saknas."),
            ("E11", "\"många\" är inte ett antal; Antal svar ska vara ett heltal 0 eller större, eller tomt."),
        ],
        problems.Take(9).Select(p => (p.Cell!, p.Message)));
        // The blank line counts as a row, as a spreadsheet shows the file: the last row is 13.
        Assert.Equal(13, upload.Rows[^1].Row);
        Assert.Equal("D8", problems[5].Location);
    }

    [Fact]
    public void BadRowsOfAWorkbook_NameTheSheetAndCell()
    {
        var upload = Readable(ReadXlsx(new RawXlsx().Sheet("Index",
            ["År", "Verksamhet", "Dimension", "Procent"],
            [2023.5, "Välfärd skola", "Digital förmåga", 62.5],
            [2023, "Välfärd skola", "Digitalt arv", new RawXlsx.Error("#REF!")],
            [2023, "Välfärd skola", "Digital ledning", 100.5])));

        Assert.Equal(
            ["Index!A2: \"2023,5\" är inte ett årtal.", "Index!D3: \"#REF!\" är inte ett tal; Procent ska vara ett tal 0–100, t.ex. 62,5.", "Index!D4: Procenten 100,5 ligger utanför 0–100."],
            upload.Problems.Select(p => $"{p.Location}: {p.Message}"));
    }

    [Fact]
    public void TheSameYearUnitAndDimension_TwiceInOneFile_RejectsBoth_EachNamingTheOther()
    {
        var upload = Readable(ReadCsv(
            """
            År;Verksamhet;Dimension;Procent
            2023;Välfärd skola;Digital förmåga;62,5
            2023;Välfärd skola;Digitalt arv;50
            2023;Välfärd  skola ;Digital förmåga;65
            """));

        Assert.Equal([true, false, true], upload.Rows.Select(r => !r.IsAccepted));
        Assert.Equal("C2", upload.Rows[0].Problems[0].Cell);
        Assert.Contains("som rad 4", upload.Rows[0].Problems[0].Message);
        Assert.Contains("som rad 2", upload.Rows[2].Problems[0].Message);
    }

    [Fact]
    public void AnUnquotedDecimal_ThatCannotBeTold_RejectsTheRow_WithAdvice()
    {
        var upload = Readable(ReadCsv(
            """
            År,Verksamhet,Dimension,Procent
            2023,Välfärd skola,Digital förmåga,62,5,1
            2023,Välfärd skola,Digitalt arv,50,,
            """));

        var problem = Assert.Single(upload.Rows[0].Problems);
        Assert.Equal("A2", problem.Cell);
        Assert.Contains("inom citattecken", problem.Message);
        // Trailing empty fields are harmless.
        Assert.True(upload.Rows[1].IsAccepted);
    }

    [Theory]
    [InlineData("Verksamhet;Dimension;Procent\nVälfärd skola;Digital förmåga;50\n", "Rubriken \"År\" saknas")]
    [InlineData("", "Filen är tom")]
    [InlineData("År;Verksamhet;Dimension;Procent;procent\n", "Rubriken \"Procent\" står två gånger (D1 och E1)")]
    [InlineData("År;Verksamhet;Dimension;Procent\n2023;\"Välfärd skola;Digital;50\n", "avslutas aldrig")]
    public void AFileWithoutAUsableHeader_IsRejectedWhole(string text, string reason)
    {
        var result = ReadCsv(text);

        Assert.Null(result.Upload);
        Assert.Contains(result.FileProblems, p => p.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void AFileThatIsNotUtf8_IsRejectedWhole_WithAdvice()
    {
        var path = _dir.File("latin1.csv");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("År;Verksamhet;Dimension;Procent\n2023;Välfärd skola;Digital förmåga;50\n"));

        var result = _reader.Read(path, "index/latin1.csv");

        Assert.Contains("inte UTF-8", Assert.Single(result.FileProblems).Message);
    }

    [Fact]
    public void AWorkbookWithoutTheSheetIndex_OrNotAWorkbookAtAll_IsRejectedWhole()
    {
        var noSheet = ReadXlsx(new RawXlsx().Sheet("Blad1", ["År", "Verksamhet", "Dimension", "Procent"]));
        var path = _dir.File("fake.xlsx");
        File.WriteAllText(path, "År;Verksamhet;Dimension;Procent");
        var notZip = _reader.Read(path, "index/fake.xlsx");

        Assert.Contains("Bladet \"Index\" saknas", Assert.Single(noSheet.FileProblems).Message);
        Assert.Null(notZip.Upload);
        Assert.Single(notZip.FileProblems);
    }

    [Fact]
    public void TheWorkbookLimits_BoundACsvToo()
    {
        var reader = new SurveyReader(new WorkbookLimits { MaxRows = 3, MaxFileBytes = 10_000 });
        var path = _dir.File("lang.csv");
        File.WriteAllText(path, "År;Verksamhet;Dimension;Procent\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"2023;Enhet {i};Digital förmåga;50\n")));
        var big = _dir.File("stor.csv");
        File.WriteAllText(big, new string('x', 20_000));

        Assert.Contains("fler än 3 rader", Assert.Single(reader.Read(path, "index/lang.csv").FileProblems).Message);
        Assert.Contains("största tillåtna", Assert.Single(reader.Read(big, "index/stor.csv").FileProblems).Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("10000000000")]
    [InlineData("NaN")]
    public void AWorkbookDateCellOutsideExcelsDates_IsAProblemOnItsRow_NotAFailure(string serial)
    {
        var result = ReadXlsx(new RawXlsx { WithDateStyle = true }.Sheet("Index",
            ["År", "Verksamhet", "Dimension", "Procent"],
            [2023, "Välfärd skola", "Digital förmåga", new RawXlsx.Raw("", $"<v>{serial}</v>")])
            .Part("xl/worksheets/sheet1.xml",
                $"<worksheet xmlns=\"{RawXlsx.TransitionalNamespace}\"><sheetData>" +
                "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>År</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Verksamhet</t></is></c>" +
                "<c r=\"C1\" t=\"inlineStr\"><is><t>Dimension</t></is></c><c r=\"D1\" t=\"inlineStr\"><is><t>Procent</t></is></c></row>" +
                "<row r=\"2\"><c r=\"A2\"><v>2023</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>Välfärd skola</t></is></c>" +
                $"<c r=\"C2\" t=\"inlineStr\"><is><t>Digital förmåga</t></is></c><c r=\"D2\" s=\"1\"><v>{serial}</v></c></row></sheetData></worksheet>"));

        var row = Assert.Single(Readable(result).Rows);
        Assert.False(row.IsAccepted);
        Assert.Equal("Index!D2", Assert.Single(row.Problems).Location);
    }

    [Fact]
    public void AHugeCsvField_IsCut_AndQuotedOnlyAsAnExcerpt()
    {
        var result = ReadCsv($"År;Verksamhet;Dimension;Procent\n2023;Välfärd skola;{new string('d', 100_000)};{new string('9', 100_000)}\n");

        var row = Assert.Single(Readable(result).Rows);
        Assert.Equal(new InputLimits().MaxTextLength, row.Dimension!.Length);
        Assert.Equal(new InputLimits().MaxTextLength, row.PercentText!.Length);
        Assert.All(row.Problems, p => Assert.True(p.Message.Length < 200, p.Message));
        Assert.Contains(row.Problems, p => p.Location == "D2" && p.Message.StartsWith($"\"{new string('9', 40)}…\" (4\u00A0000 tecken) är inte ett tal", StringComparison.Ordinal));
    }

    [Fact]
    public void AWorkbookWithTwoSheetsMatchingIndex_IsRejectedWhole_NamingBoth()
    {
        var result = ReadXlsx(new RawXlsx()
            .Sheet("Index", ["År", "Verksamhet", "Dimension", "Procent"], [2023, "Välfärd skola", "Digital förmåga", 62.5])
            .Sheet("index", ["År", "Verksamhet", "Dimension", "Procent"], [2023, "Välfärd skola", "Digital förmåga", 99]));

        Assert.Null(result.Upload);
        var problem = Assert.Single(result.FileProblems);
        Assert.Contains("\"Index\" och \"index\"", problem.Message);
    }
}
