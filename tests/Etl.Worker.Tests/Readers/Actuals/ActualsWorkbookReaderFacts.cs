using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;

namespace NackaInsights.Etl.Tests.Readers.Actuals;

public sealed class ActualsWorkbookReaderFacts : IDisposable
{
    private const string FileName = "actuals/FO-ETJANST.xlsx";
    private static readonly WorkbookLimits Limits = new();
    private static readonly object?[] Header = ["Initiativ-ID", "Nyttopost", "Typ", "År", "Planerat", "Utfall", "Kommentar"];

    private readonly TempDirectory _dir = new("nacka-actuals-reader");

    public void Dispose() => _dir.Dispose();

    private ActualsReadResult Read(RawXlsx workbook)
    {
        var path = _dir.File("upload.xlsx");
        workbook.Save(path);
        return new ActualsWorkbookReader(Limits).Read(path, FileName);
    }

    private static ActualsUpload Upload(ActualsReadResult result)
    {
        Assert.Empty(result.FileProblems);
        Assert.True(result.IsReadable);
        return Assert.IsType<ActualsUpload>(result.Upload);
    }

    [Fact]
    public void Read_GivesEveryRow_WithTextsTrimmedAndYearAndValueParsed()
    {
        var upload = Upload(Read(new RawXlsx().Sheet("Utfall",
            Header,
            [" DIG-2023-014 ", "Frigjord handläggartid", "Omfördelning", 2023, 80000, 72500, "  Lägre än väntat  "],
            ["DIG-2023-014", "Enklare för medborgare och företag", "Förflyttning", 2024, 0.5, 1.5, null])));

        Assert.Equal("Utfall", upload.SheetName);
        Assert.Equal(new ActualsColumns("A", "B", "C", "D", "E", "F", "G"), upload.Columns);
        Assert.Collection(upload.Rows,
            row =>
            {
                Assert.Equal(new ActualRow(2, "DIG-2023-014", "Frigjord handläggartid", "Omfördelning", "2023", "80 000", "72 500", "Lägre än väntat")
                {
                    Year = 2023,
                    Value = 72_500m,
                }, row);
                Assert.True(row.IsReported);
            },
            row =>
            {
                Assert.Equal(3, row.Row);
                Assert.Equal("1,5", row.ValueText);
                Assert.Equal(1.5m, row.Value);
                Assert.Equal("0,5", row.PlannedText);
                Assert.Null(row.Comment);
            });
    }

    [Fact]
    public void Read_FindsTheHeaderColumns_InAnyOrderAndLetterCase_AndIgnoresColumnsOfOnesOwn()
    {
        var upload = Upload(Read(new RawXlsx().Sheet("UTFALL",
            ["utfall", "Egen anteckning", "ÅR", "typ", "initiativ-id", "NYTTOPOST"],
            [1200, "inte läst", 2024, "Finansiell", "DIG-2022-101", "Minskade kostnader"])));

        Assert.Equal("UTFALL", upload.SheetName);
        Assert.Equal(new ActualsColumns("E", "F", "D", "C", null, "A", null), upload.Columns);
        var row = Assert.Single(upload.Rows);
        Assert.Equal(("DIG-2022-101", "Minskade kostnader", "Finansiell", 2024, 1200m), (row.InitiativeId, row.BenefitLine, row.TypeText, row.Year, row.Value));
        Assert.Null(row.PlannedText);
        Assert.Null(row.Comment);
    }

    [Theory]
    [InlineData("12 500", 12_500)]
    [InlineData("1,5", 1.5)]
    [InlineData("80 000 kr", 80_000)]
    [InlineData("1\u00A0200,25", 1_200.25)]
    [InlineData("-5 000", -5_000)]
    [InlineData("7.5", 7.5)]
    public void Read_UnderstandsSwedishNumberText(string text, double expected)
    {
        var row = Assert.Single(Upload(Read(new RawXlsx().Sheet("Utfall", Header, ["DIG-1", "Tid", "Omfördelning", "2024", null, text]))).Rows);

        Assert.Equal(text, row.ValueText);
        Assert.Equal((decimal)expected, row.Value);
        Assert.Equal(2024, row.Year);
    }

    [Theory]
    [InlineData("ca 40 000")]
    [InlineData("#N/A")]
    [InlineData("40k")]
    public void Read_KeepsValueTextThatIsNoNumber_WithoutAValue(string text)
    {
        var row = Assert.Single(Upload(Read(new RawXlsx().Sheet("Utfall", Header, ["DIG-1", "Tid", "Omfördelning", 2024, null, text]))).Rows);

        Assert.Equal(text, row.ValueText);
        Assert.Null(row.Value);
        Assert.True(row.IsReported, "a value that is not a number is reported, and rejected by the validator");
    }

    [Fact]
    public void Read_TakesFormulasByTheirCachedValues_AndErrorsAsNoValue()
    {
        var rows = Upload(Read(new RawXlsx().Sheet("Utfall",
            Header,
            ["DIG-1", "Tid", "Omfördelning", new RawXlsx.Formula("2023+1", 2024), null, new RawXlsx.Formula("E2*0.9", 45000)],
            ["DIG-1", "Kostnad", "Finansiell", 2024, null, new RawXlsx.Error("#REF!")],
            [new RawXlsx.Formula("\"DIG-\"&\"2\"", "DIG-2"), "Kostnad", "Finansiell", "2024,5", null, "0"]))).Rows;

        Assert.Equal((2024, 45_000m), (rows[0].Year!.Value, rows[0].Value!.Value));
        Assert.Equal("#REF!", rows[1].ValueText);
        Assert.Null(rows[1].Value);
        Assert.Equal("DIG-2", rows[2].InitiativeId);
        Assert.Equal("2024,5", rows[2].YearText);
        Assert.Null(rows[2].Year);
        Assert.Equal(0m, rows[2].Value);
    }

    [Fact]
    public void Read_TellsAnEmptyUtfall_FromAnExplicitZero()
    {
        var rows = Upload(Read(new RawXlsx().Sheet("Utfall",
            Header,
            ["DIG-1", "Tid", "Omfördelning", 2023, 1000, null, "Inte klart än"],
            ["DIG-1", "Tid", "Omfördelning", 2024, 1000, 0],
            ["DIG-1", "Tid", "Omfördelning", 2025, 1000, "   "]))).Rows;

        Assert.Equal([false, true, false], rows.Select(r => r.IsReported));
        Assert.Null(rows[0].Value);
        Assert.Equal("Inte klart än", rows[0].Comment);
        Assert.Equal(0m, rows[1].Value);
        Assert.Equal("0", rows[1].ValueText);
        Assert.Null(rows[2].ValueText);
    }

    [Fact]
    public void Read_SkipsBlankRows_AndRowsWithOnlyAColumnOfOnesOwn()
    {
        var rows = Upload(Read(new RawXlsx().Sheet("Utfall",
            [.. Header, "Anteckning"],
            ["DIG-1", "Tid", "Omfördelning", 2023, null, 10],
            [],
            [null, null, null, null, null, null, null, "bara en anteckning"],
            ["DIG-1", "Tid", "Omfördelning", 2024, null, 20]))).Rows;

        Assert.Equal([2, 5], rows.Select(r => r.Row));
    }

    [Fact]
    public void Read_TakesTheObjectAndReporter_FromTheSheetOm()
    {
        var upload = Upload(Read(new RawXlsx()
            .Sheet("Utfall", Header, ["DIG-1", "Tid", "Omfördelning", 2023, null, 10])
            .Sheet("om",
                ["förvaltningsobjekt:", " FO-ETJANST "],
                ["Namn", "E-tjänsteplattformen"],
                [],
                ["RAPPORTERAD AV", "forvaltare.etjanst@nacka.se"],
                ["Rapporterad av", "someone.else@nacka.se"])));

        Assert.Equal("FO-ETJANST", upload.ObjectId);
        Assert.Equal("forvaltare.etjanst@nacka.se", upload.ReportedBy);
    }

    [Fact]
    public void Read_WithoutTheSheetOm_KnowsNeitherObjectNorReporter()
    {
        var upload = Upload(Read(new RawXlsx().Sheet("Utfall", Header, ["DIG-1", "Tid", "Omfördelning", 2023, null, 10])));

        Assert.Null(upload.ObjectId);
        Assert.Null(upload.ReportedBy);
    }

    [Fact]
    public void Read_RejectsTheFileWhole_WithoutTheSheetUtfall()
    {
        var result = Read(new RawXlsx().Sheet("Initiativ", ["Initiativ-ID", "DIG-1"]));

        Assert.Null(result.Upload);
        var problem = Assert.Single(result.FileProblems);
        Assert.Equal(FileName, problem.Source);
        Assert.Equal("", problem.Location);
        Assert.StartsWith("Bladet \"Utfall\" saknas.", problem.Message);
    }

    [Theory]
    [InlineData("Initiativ-ID")]
    [InlineData("Nyttopost")]
    [InlineData("Typ")]
    [InlineData("År")]
    [InlineData("Utfall")]
    public void Read_RejectsTheFileWhole_WhenARequiredHeaderIsMissing(string missing)
    {
        var header = Header.Select(h => (string)h! == missing ? "Något annat" : h).ToArray();

        var result = Read(new RawXlsx().Sheet("Utfall", header, ["DIG-1", "Tid", "Omfördelning", 2023, null, 10]));

        Assert.Null(result.Upload);
        var problem = Assert.Single(result.FileProblems);
        Assert.Equal("Utfall", problem.Location);
        Assert.StartsWith($"Rubriken \"{missing}\" saknas i rad 1.", problem.Message);
    }

    [Fact]
    public void Read_RejectsTheFileWhole_WhenPlaneratAndKommentarAreThereButTwoRequiredAreNot_NamingBoth()
    {
        var result = Read(new RawXlsx().Sheet("Utfall", ["Initiativ-ID", "Planerat", "Utfall", "Kommentar"], ["DIG-1", 10, 10]));

        Assert.Equal(["Rubriken \"Nyttopost\"", "Rubriken \"Typ\"", "Rubriken \"År\""], result.FileProblems.Select(p => p.Message[..p.Message.IndexOf(" saknas", StringComparison.Ordinal)]));
    }

    [Fact]
    public void Read_RejectsTheFileWhole_WhenAHeaderStandsTwice()
    {
        var result = Read(new RawXlsx().Sheet("Utfall", [.. Header, "utfall"], ["DIG-1", "Tid", "Omfördelning", 2023, null, 10, null, 12]));

        var problem = Assert.Single(result.FileProblems);
        Assert.Equal("Utfall!H1", problem.Location);
        Assert.Equal("Rubriken \"Utfall\" står två gånger (F1 och H1); ta bort den ena kolumnen.", problem.Message);
    }

    [Fact]
    public void Read_RejectsTheFileWhole_WhenRowOneIsEmpty_OrTheSheetIs()
    {
        var noHeader = Read(new RawXlsx().Sheet("Utfall", [], Header, ["DIG-1", "Tid", "Omfördelning", 2023, null, 10]));
        var empty = Read(new RawXlsx().Sheet("Utfall"));

        Assert.Equal("Utfall!A1", Assert.Single(noHeader.FileProblems).Location);
        Assert.StartsWith("Rubrikraden saknas: rad 1 ska ha rubrikerna Initiativ-ID, Nyttopost, Typ, År, Planerat, Utfall och Kommentar.", noHeader.FileProblems[0].Message);
        Assert.Equal("Utfall!A1", Assert.Single(empty.FileProblems).Location);
        Assert.StartsWith("Bladet är tomt", empty.FileProblems[0].Message);
    }

    [Fact]
    public void Read_RejectsAFileThatIsNoWorkbook()
    {
        var path = _dir.File("not.xlsx");
        File.WriteAllText(path, "Initiativ-ID;Utfall\nDIG-1;10\n");

        var result = new ActualsWorkbookReader(Limits).Read(path, FileName);

        Assert.Null(result.Upload);
        Assert.Contains("Excel", Assert.Single(result.FileProblems).Message);
    }

    [Fact]
    public void Read_RejectsASheetWithMoreRowsThanTheLimit()
    {
        var rows = new List<object?[]> { Header };
        rows.AddRange(Enumerable.Range(0, 10).Select(i => new object?[] { "DIG-1", "Tid", "Omfördelning", 2000 + i, null, i }));
        var path = _dir.File("many.xlsx");
        new RawXlsx().Sheet("Utfall", [.. rows]).Save(path);

        var result = new ActualsWorkbookReader(new WorkbookLimits { MaxRows = 5 }).Read(path, FileName);

        Assert.Null(result.Upload);
        Assert.Contains("fler än 5 rader", Assert.Single(result.FileProblems).Message);
    }

    [Fact]
    public void Read_ReadsAWorkbookWrittenByEPPlus_WithNumericCellsAndInlineText()
    {
        var path = _dir.File("epplus.xlsx");
        using (var package = new ExcelPackage())
        {
            var sheet = package.Workbook.Worksheets.Add("Utfall");
            for (var i = 0; i < Header.Length; i++)
            {
                sheet.Cells[1, i + 1].Value = Header[i];
            }
            sheet.Cells["A2"].Value = "DIG-2023-014";
            sheet.Cells["B2"].Value = "Minskade porto- och papperskostnader";
            sheet.Cells["C2"].Value = "Finansiell";
            sheet.Cells["D2"].Value = 2024;
            sheet.Cells["E2"].Value = 6400m;
            sheet.Cells["F2"].Value = 7123.45;
            sheet.Cells["G2"].Value = "=inte en formel";
            sheet.Cells["F3"].Formula = "F2*2";
            sheet.Cells["A3"].Value = "DIG-2023-014";
            var about = package.Workbook.Worksheets.Add("Om");
            about.Cells["A1"].Value = "Förvaltningsobjekt";
            about.Cells["B1"].Value = "FO-ETJANST";
            package.Workbook.Calculate();
            package.SaveAs(new FileInfo(path));
        }

        var upload = Upload(new ActualsWorkbookReader(Limits).Read(path, FileName));

        Assert.Equal("FO-ETJANST", upload.ObjectId);
        Assert.Equal(7123.45m, upload.Rows[0].Value);
        Assert.Equal("7 123,45", upload.Rows[0].ValueText);
        Assert.Equal("=inte en formel", upload.Rows[0].Comment);
        Assert.Equal(14_246.9m, upload.Rows[1].Value);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e308")]
    [InlineData("1e309")]
    [InlineData("-1e309")]
    public void Read_TakesANonFiniteOrHugeUtfall_AsNoValue_KeepingItsText(string value)
    {
        var upload = Upload(Read(new RawXlsx().Sheet("Utfall",
            Header,
            ["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", 2023, new RawXlsx.Raw("", $"<v>{value}</v>"), new RawXlsx.Raw("", $"<v>{value}</v>"), null])));

        var row = Assert.Single(upload.Rows);
        Assert.Null(row.Value);
        Assert.NotNull(row.ValueText);
        Assert.NotNull(row.PlannedText);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("10000000000")]
    [InlineData("NaN")]
    public void Read_TakesADateCellOutsideExcelsDates_InAnyColumn_WithoutThrowing(string serial)
    {
        var bytes = new RawXlsx { WithDateStyle = true }.Sheet("Utfall",
            Header,
            ["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", 2023, 1, 2, "x"]).ToBytes();
        var path = _dir.File("dated.xlsx");
        File.WriteAllBytes(path, bytes);
        // Every value cell of row 2 styled as a date (style 1, yyyy-mm-dd).
        using (var zip = new System.IO.Compression.ZipArchive(File.Open(path, FileMode.Open), System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("xl/worksheets/sheet1.xml")!;
            string xml;
            using (var reader = new StreamReader(entry.Open()))
            {
                xml = reader.ReadToEnd();
            }
            var row2 = "<row r=\"2\">" + string.Concat("ABCDEFG".Select(c => $"<c r=\"{c}2\" s=\"1\"><v>{serial}</v></c>")) + "</row>";
            xml = System.Text.RegularExpressions.Regex.Replace(xml, "<row r=\"2\">.*?</row>", row2);
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml").Open());
            writer.Write(xml);
        }

        var upload = Upload(new ActualsWorkbookReader(Limits).Read(path, FileName));

        var row = Assert.Single(upload.Rows);
        Assert.Null(row.Value);
        Assert.Null(row.Year);
        Assert.NotNull(row.Comment);
    }

    [Fact]
    public void Read_CutsAVeryLongKommentar_ToTheTextLimit()
    {
        var comment = new string('k', 100_000);

        var upload = Upload(Read(new RawXlsx().Sheet("Utfall",
            Header,
            ["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", 2023, 80000, 72500, comment])));

        Assert.Equal(comment[..new InputLimits().MaxTextLength], Assert.Single(upload.Rows).Comment);
    }

    [Fact]
    public void Read_CutsTextsToTheConfiguredTextLimit()
    {
        var path = _dir.File("lang.xlsx");
        new RawXlsx().Sheet("Utfall",
            Header,
            ["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", 2023, 80000, 72500, new string('k', 500)]).Save(path);

        var upload = Upload(new ActualsWorkbookReader(Limits, new InputLimits { MaxTextLength = 100 }).Read(path, FileName));

        Assert.Equal(new string('k', 100), Assert.Single(upload.Rows).Comment);
    }

    [Fact]
    public void Read_RejectsTwoSheetsMatchingUtfall_NamingBoth()
    {
        var result = Read(new RawXlsx()
            .Sheet("Utfall", Header, ["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", 2023, 80000, 72500, null])
            .Sheet("UTFALL ", Header, ["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", 2023, 80000, 99999, null]));

        Assert.Null(result.Upload);
        var problem = Assert.Single(result.FileProblems);
        Assert.Equal("Utfall", problem.Sheet);
        Assert.Contains("\"Utfall\" och \"UTFALL \"", problem.Message);
    }

    [Fact]
    public void IsActualsWorkbook_TellsActualsFromBusinessCases_ByTheSheetUtfall()
    {
        var actuals = _dir.File("a.xlsx");
        var businessCase = _dir.File("b.xlsx");
        new RawXlsx().Sheet("Om").Sheet(" utfall ", Header).Save(actuals);
        new RawXlsx().Sheet("Initiativ", ContractWorkbooks.InitiativeRows()).Sheet("Nyttor", ["Nyttopost", "Typ", 2023]).Save(businessCase);

        using var a = XlsxWorkbook.Open(actuals, Limits);
        using var b = XlsxWorkbook.Open(businessCase, Limits);

        Assert.True(ActualsWorkbookReader.IsActualsWorkbook(a));
        Assert.False(ActualsWorkbookReader.IsActualsWorkbook(b));
    }
}
