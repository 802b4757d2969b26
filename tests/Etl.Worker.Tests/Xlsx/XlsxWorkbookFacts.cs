using System.IO.Compression;
using System.Text;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;
using ExcelPackage = OfficeOpenXml.ExcelPackage;

namespace NackaInsights.Etl.Tests.Xlsx;

public sealed class XlsxWorkbookFacts
{
    private const string FirstSheetPart = "xl/worksheets/sheet1.xml";

    // ---- Reading ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadRows_ReadsSharedAndInlineStrings_Alike(bool inline)
    {
        var bytes = new RawXlsx { InlineStrings = inline }
            .Sheet("Initiativ", ["Verksamhet", "Välfärd skola"], ["Namn", "Digital signering & <avtal>"], ["Namn", "Välfärd skola"])
            .ToBytes();

        using var workbook = Open(bytes);
        var rows = workbook.ReadRows("Initiativ").ToList();

        Assert.Equal([0, 1, 2], rows.Select(r => r.Index));
        Assert.All(rows.SelectMany(r => r.Cells), c => Assert.Equal(CellKind.Text, c.Kind));
        Assert.Equal("Välfärd skola", rows[0][1]?.Text);
        Assert.Equal("Digital signering & <avtal>", rows[1][1]?.Text);
        Assert.Equal("Välfärd skola", rows[2][1]?.Text);
        Assert.Equal(0, rows[1][0]?.Column);
    }

    [Fact]
    public void ReadRows_JoinsRichTextRuns_AndLeavesOutPhoneticRuns()
    {
        var bytes = new RawXlsx()
            .Sheet("Blad1",
                [new RawXlsx.SharedXml("<r><rPr><b/><sz val=\"11\"/></rPr><t xml:space=\"preserve\">Digital </t></r><r><t>signering</t></r>" +
                    "<rPh sb=\"0\" eb=\"7\"><t>デジタル</t></rPh><phoneticPr fontId=\"1\" type=\"noConversion\"/>")],
                [new RawXlsx.SharedXml("<t>Nacka</t><rPh sb=\"0\" eb=\"5\"><t>ナッカ</t></rPh>")],
                [new RawXlsx.SharedXml("<r><t>a</t></r><r><t>b</t></r>")],
                [new RawXlsx.Raw("inlineStr", "<is><r><rPr><i/></rPr><t>in</t></r><r><t>line</t></r><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></is>")],
                [new RawXlsx.SharedXml("")],
                ["efter"])
            .ToBytes();

        using var workbook = Open(bytes);
        var texts = workbook.ReadRows("Blad1").ToDictionary(r => r.Index, r => Assert.Single(r.Cells).Text);

        Assert.Equal("Digital signering", texts[0]);
        Assert.Equal("Nacka", texts[1]);
        Assert.Equal("ab", texts[2]);
        Assert.Equal("inline", texts[3]);
        Assert.False(texts.ContainsKey(4), "an empty shared string is an empty cell");
        Assert.Equal("efter", texts[5]);
    }

    // A character outside the basic plane is two UTF-16 units, which .NET's reader refuses to give one at a time: a text
    // whose pair fell where the reading buffer had one place left was rejected as a damaged sheet.
    [Theory]
    [InlineData(0, false)]
    [InlineData(254, false)]
    [InlineData(255, false)]
    [InlineData(255, true)]
    [InlineData(511, false)]
    [InlineData(1023, true)]
    [InlineData(32_766, false)]
    public void ReadRows_ReadsACharacterOutsideTheBasicPlane_WhereverItFallsInTheText(int before, bool utf8Reader)
    {
        var text = new string('a', before) + "\U0001F600" + "b";
        var bytes = new RawXlsx { InlineStrings = true }.Sheet("Blad1", [text]).ToBytes();

        using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes), new WorkbookLimits(), new InputLimits { MaxTextLength = 40_000 }, utf8Reader);

        Assert.Equal(text, Assert.Single(Assert.Single(workbook.ReadRows("Blad1")).Cells).Text);
    }

    [Fact]
    public void ReadRows_GivesAFormulasCachedValue_NumberOrText()
    {
        var bytes = new RawXlsx()
            .Sheet("Blad1", [new RawXlsx.Formula("SUM(B1:B8)", 86_400.5), new RawXlsx.Formula("\"Invest\"&\"ering\"", "Investering"), new RawXlsx.Formula("B1*0", 0)])
            .ToBytes();

        using var workbook = Open(bytes);
        var row = Assert.Single(workbook.ReadRows("Blad1"));

        Assert.Equal(CellKind.Number, row[0]?.Kind);
        Assert.Equal(86_400.5, row[0]?.Number);
        Assert.Equal(CellKind.Text, row[1]?.Kind);
        Assert.Equal("Investering", row[1]?.Text);
        Assert.Equal(CellKind.Number, row[2]?.Kind);
        Assert.Equal(0, row[2]?.Number);
    }

    [Theory]
    [InlineData("#REF!")]
    [InlineData("#DIV/0!")]
    [InlineData("#N/A")]
    [InlineData("#VALUE!")]
    public void ReadRows_GivesAFormulaError_AsAnErrorCellWithItsCode_NeverAsEmpty(string code)
    {
        var bytes = new RawXlsx().Sheet("Kostnader", ["Post", new RawXlsx.Error(code, "Blad2!A1")]).ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(workbook.ReadRows("Kostnader"))[1];

        Assert.NotNull(cell);
        Assert.Equal(CellKind.Error, cell.Value.Kind);
        Assert.Equal(code, cell.Value.Text);
        Assert.Equal(code, cell.Value.Display);
        Assert.True(double.IsNaN(cell.Value.Number));
    }

    [Fact]
    public void ReadRows_ReadsBooleans()
    {
        var bytes = new RawXlsx().Sheet("Blad1", [true, false]).ToBytes();

        using var workbook = Open(bytes);
        var row = Assert.Single(workbook.ReadRows("Blad1"));

        Assert.Equal(CellKind.Boolean, row[0]?.Kind);
        Assert.Equal(1, row[0]?.Number);
        Assert.Equal("SANT", row[0]?.Display);
        Assert.Equal(CellKind.Boolean, row[1]?.Kind);
        Assert.Equal(0, row[1]?.Number);
        Assert.Equal("FALSKT", row[1]?.Display);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadRows_ReadsDatesByTheirNumberFormat_CustomOrBuiltIn(bool builtInFormat)
    {
        var serial = new DateTime(2023, 5, 9).ToOADate();
        var bytes = new RawXlsx { WithDateStyle = true }
            .Sheet("Blad1", [new RawXlsx.DateSerial(serial, builtInFormat), serial])
            .ToBytes();

        using var workbook = Open(bytes);
        var row = Assert.Single(workbook.ReadRows("Blad1"));

        Assert.Equal(CellKind.Date, row[0]?.Kind);
        Assert.Equal(serial, row[0]?.Number);
        Assert.Equal("2023-05-09", row[0]?.Display);
        Assert.Equal(CellKind.Number, row[1]?.Kind);
    }

    [Fact]
    public void ReadRows_ShiftsDatesOfThe1904System_ToTheUsualSerial()
    {
        var serial1904 = new DateTime(2023, 5, 9).ToOADate() - 1462;
        var bytes = new RawXlsx { WithDateStyle = true, Date1904 = true }
            .Sheet("Blad1", [new RawXlsx.DateSerial(serial1904), new RawXlsx.DateSerial(serial1904, BuiltInFormat: true), 2023])
            .ToBytes();

        using var workbook = Open(bytes);
        var row = Assert.Single(workbook.ReadRows("Blad1"));

        Assert.Equal("2023-05-09", row[0]?.Display);
        Assert.Equal("2023-05-09", row[1]?.Display);
        Assert.Equal(CellKind.Number, row[2]?.Kind);
        Assert.Equal(2023, row[2]?.Number);
    }

    [Fact]
    public void ReadRows_ReadsAnIsoDateCell()
    {
        var bytes = new RawXlsx().Sheet("Blad1", [new RawXlsx.Raw("d", "<v>2023-05-09T00:00:00</v>")]).ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(workbook.ReadRows("Blad1"))[0];

        Assert.Equal(CellKind.Date, cell?.Kind);
        Assert.Equal("2023-05-09", cell?.Display);
    }

    [Fact]
    public void ReadRows_PlacesRowsAndCellsWithoutReferences_InOrder()
    {
        var bytes = new RawXlsx { OmitCellReferences = true }
            .Sheet("Kostnader", ["Kostnadspost", "Kategori", 2023], ["Licens", "Investering", 520_000])
            .ToBytes();

        using var workbook = Open(bytes);
        var rows = workbook.ReadRows("Kostnader").ToList();

        Assert.Equal([0, 1], rows.Select(r => r.Index));
        Assert.Equal([0, 1, 2], rows[1].Cells.Select(c => c.Column));
        Assert.Equal(520_000, rows[1][2]?.Number);
    }

    [Fact]
    public void ReadRows_PlacesACellWithoutReference_AfterTheCellBefore()
    {
        var bytes = new RawXlsx()
            .Sheet("Blad1")
            .Part(FirstSheetPart, Worksheet(
                "<row r=\"2\"><c r=\"C2\"><v>1</v></c><c><v>2</v></c></row>" +
                "<row><c><v>3</v></c><c r=\"F3\"><v>4</v></c><c><v>5</v></c></row>"))
            .ToBytes();

        using var workbook = Open(bytes);
        var rows = workbook.ReadRows("Blad1").ToList();

        Assert.Equal([1, 2], rows.Select(r => r.Index));
        Assert.Equal(["C2=1", "D2=2"], rows[0].Cells.Select(c => $"{CellAddress.Format(rows[0].Index, c.Column)}={c.Text}"));
        Assert.Equal(["A3=3", "F3=4", "G3=5"], rows[1].Cells.Select(c => $"{CellAddress.Format(rows[1].Index, c.Column)}={c.Text}"));
    }

    [Fact]
    public void ReadRows_IndexesAFirstValueAtB3_AndSkipsEmptyRowsAndCells()
    {
        var bytes = new RawXlsx()
            .Sheet("Blad1")
            .Part(FirstSheetPart, Worksheet(
                "<row r=\"1\"/><row r=\"2\" spans=\"1:3\"><c r=\"A2\" s=\"0\"/><c r=\"B2\" t=\"s\"/></row>" +
                "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>först</t></is></c></row>" +
                "<row r=\"4\"><c r=\"A4\"><v></v></c></row>" +
                "<row r=\"6\"><c r=\"A6\"><v>7</v></c><c r=\"C6\" t=\"inlineStr\"><is><t/></is></c></row>"))
            .ToBytes();

        using var workbook = Open(bytes);
        var rows = workbook.ReadRows("Blad1").ToList();

        Assert.Equal([2, 5], rows.Select(r => r.Index));
        var first = Assert.Single(rows[0].Cells);
        Assert.Equal("B3", CellAddress.Format(rows[0].Index, first.Column));
        Assert.Equal("först", first.Text);
        Assert.Null(rows[0][0]);
        Assert.Equal(7, Assert.Single(rows[1].Cells).Number);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadRows_LeavesOutTextOfOnlyWhiteSpace_AsAnEmptyCell(bool inline)
    {
        var bytes = new RawXlsx { InlineStrings = inline }
            .Sheet("Blad1", ["a", " ", "\u00A0\u00A0", " b "], ["  "], ["c"])
            .ToBytes();

        using var workbook = Open(bytes);
        var rows = workbook.ReadRows("Blad1").ToList();

        Assert.Equal([0, 2], rows.Select(r => r.Index));
        Assert.Equal(["a", " b "], rows[0].Cells.Select(c => c.Text));
        Assert.Equal([0, 3], rows[0].Cells.Select(c => c.Column));
    }

    [Fact]
    public void FindSheet_MatchesCaseInsensitively_IgnoringSurroundingWhiteSpace()
    {
        var bytes = new RawXlsx()
            .Sheet("  Kostnader ", ["a"])
            .Sheet("NYTTOR", ["b"])
            .Sheet("Ägare", ["c"])
            .ToBytes();

        using var workbook = Open(bytes);

        Assert.Equal(["  Kostnader ", "NYTTOR", "Ägare"], workbook.SheetNames);
        Assert.Equal("  Kostnader ", workbook.FindSheet("kostnader"));
        Assert.Equal("NYTTOR", workbook.FindSheet(" Nyttor "));
        Assert.Equal("Ägare", workbook.FindSheet("ÄGARE"));
        Assert.Null(workbook.FindSheet("Initiativ"));
        Assert.Equal("b", Assert.Single(workbook.ReadRows(workbook.FindSheet("nyttor")!)).Cells[0].Text);
    }

    [Fact]
    public void Open_ReadsTheStrictNamespace()
    {
        var bytes = new RawXlsx { Namespace = RawXlsx.StrictNamespace, WithDateStyle = true, Date1904 = true }
            .Sheet("Kostnader", ["Kostnadspost", "Kategori", 2023], ["Licens", "Investering", 520_000], [new RawXlsx.DateSerial(43_593)])
            .ToBytes();
        Assert.Contains("purl.oclc.org/ooxml/officeDocument/relationships/officeDocument", EntryText(bytes, "_rels/.rels"));

        using var workbook = Open(bytes);
        var rows = workbook.ReadRows("Kostnader").ToList();

        Assert.Equal(["Kostnader"], workbook.SheetNames);
        Assert.Equal("Kostnadspost", rows[0][0]?.Text);
        Assert.Equal(2023, rows[0][2]?.Number);
        Assert.Equal(520_000, rows[1][2]?.Number);
        Assert.Equal("2023-05-09", rows[2][0]?.Display);
    }

    [Fact]
    public void Open_ReadsAWorkbookWrittenByEpplus()
    {
        using var output = new MemoryStream();
        BusinessCaseWorkbookWriter.Write(output, Draft());

        using var workbook = Open(output.ToArray());
        var costs = workbook.ReadRows(workbook.FindSheet("Kostnader")!).ToList();
        var benefits = workbook.ReadRows(workbook.FindSheet("Nyttor")!).ToList();
        var initiative = workbook.ReadRows(workbook.FindSheet("Initiativ")!).ToList();

        Assert.Equal(["Initiativ", "Kostnader", "Nyttor", "Känslighet", "Instruktioner"], workbook.SheetNames);
        Assert.Equal(["Kostnadspost", "Kategori", "2023", "2024"], costs[0].Cells.Select(c => c.Text));
        Assert.Equal(CellKind.Number, costs[0][2]?.Kind);
        Assert.Equal(CellKind.Number, costs[1][2]?.Kind);
        Assert.Equal(520_000, costs[1][2]?.Number);
        Assert.Equal(0.5, benefits[1][3]?.Number);
        Assert.Equal("DIG-2023-014", initiative[0][1]?.Text);
        Assert.Equal(2, costs.Count);
    }

    [Fact]
    public void Normalize_GivesIdenticalBytes_ForTwoWritesOfTheSameDraft()
    {
        var first = DeterministicZip.Normalize(Write(Draft()));
        var second = DeterministicZip.Normalize(Write(Draft()));
        // The same content with other entry times, as a write on another day would have.
        var redated = DeterministicZip.Normalize(Redate(Write(Draft()), new DateTimeOffset(2031, 7, 1, 12, 0, 0, TimeSpan.Zero)));

        Assert.Equal(first, second);
        Assert.Equal(first, redated);
        Assert.Equal(first, DeterministicZip.Normalize(first));
        using var workbook = Open(first);
        Assert.Equal(520_000, workbook.ReadRows("Kostnader").ElementAt(1)[2]?.Number);
    }

    // ---- Files that are not readable workbooks ----

    [Fact]
    public void Open_RejectsAnEmptyFile()
    {
        var e = Unreadable([]);

        Assert.Equal("Filen är tom.", e.Message);
    }

    [Fact]
    public void Open_RejectsText_AsNotAnXlsx()
    {
        var e = Unreadable(Encoding.UTF8.GetBytes("Kostnadspost;Kategori;2023\nLicens;Investering;520000\n"));

        Assert.Contains("inte en Excel-arbetsbok (.xlsx)", e.Message);
    }

    [Fact]
    public void Open_RejectsAFileStartingLikeAZipButNotOne()
    {
        var e = Unreadable([.. "PK\x03\x04"u8, .. Encoding.ASCII.GetBytes(new string('x', 500))]);

        Assert.Contains("skadad", e.Message);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    public void Open_RejectsATruncatedZip_AsDamaged(double keep)
    {
        var bytes = ContractWorkbooks.Reference().ToBytes();

        var e = Unreadable(bytes[..(int)(bytes.Length * keep)]);

        Assert.Contains("skadad", e.Message);
    }

    [Theory]
    [InlineData("_rels/.rels")]
    [InlineData("xl/workbook.xml")]
    [InlineData("xl/_rels/workbook.xml.rels")]
    [InlineData("xl/styles.xml")]
    [InlineData("xl/sharedStrings.xml")]
    [InlineData("xl/worksheets/sheet2.xml")]
    public void Reading_RejectsAPartWhosePackedDataIsGarbled_AsDamaged(string part)
    {
        var bytes = ZipSurgery.GarbleData(ContractWorkbooks.Reference().ToBytes(), part);

        var e = Unreadable(bytes);

        Assert.Matches("skada[dt]", e.Message);
    }

    [Theory]
    [InlineData("xl/workbook.xml")]
    [InlineData("xl/sharedStrings.xml")]
    [InlineData("xl/worksheets/sheet2.xml")]
    public void Reading_RejectsAPartPackedWithAMethodThatCannotBeUnpacked_AsDamaged(string part)
    {
        // 99 is AES encryption as 7-Zip and WinZip write it.
        var bytes = ZipSurgery.DeclareCompressionMethod(ContractWorkbooks.Reference().ToBytes(), part, 99);

        var e = Unreadable(bytes);

        Assert.Matches("skada[dt]", e.Message);
    }

    [Fact]
    public void Reading_ThrowsOnlyUnreadableWorkbook_ForAnySingleDamagedByte()
    {
        var bytes = ContractWorkbooks.Reference().ToBytes();
        var random = new Random(20230509);
        var surprises = new List<string>();

        for (var i = 0; i < 1000; i++)
        {
            var damaged = (byte[])bytes.Clone();
            var at = random.Next(damaged.Length);
            damaged[at] ^= (byte)random.Next(1, 256);
            try
            {
                ReadAll(damaged);
            }
            catch (UnreadableWorkbookException)
            {
            }
            catch (Exception e)
            {
                surprises.Add($"byte {at}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.Empty(surprises);
    }

    [Fact]
    public void Open_RejectsAPasswordProtectedWorkbook_AsLosenordsskyddad()
    {
        using var output = new MemoryStream();
        using (var package = new ExcelPackage())
        {
            package.Workbook.Worksheets.Add("Initiativ").Cells["A1"].Value = "Initiativ-ID";
            package.Encryption.Password = "Hemligt123";
            package.SaveAs(output);
        }
        var bytes = output.ToArray();
        Assert.Equal(CompoundFile.Signature, bytes[..8]);

        var e = Unreadable(bytes);

        Assert.Contains("lösenordsskyddad", e.Message);
        Assert.DoesNotContain(".xls)", e.Message);
    }

    [Fact]
    public void Open_RejectsALegacyXlsRenamedXlsx_NamingTheOldFormat()
    {
        var e = Unreadable(CompoundFile.LegacyXls());

        Assert.Contains("äldre Excel-formatet (.xls)", e.Message);
        Assert.Contains("Spara den som Excel-arbetsbok (.xlsx)", e.Message);
        Assert.DoesNotContain("lösenord", e.Message);
    }

    [Fact]
    public void Open_RejectsAnOpenDocumentSpreadsheet_WithItsOwnMessage()
    {
        var bytes = Zip(
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>"),
            ("content.xml", "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"/>"));

        var e = Unreadable(bytes);

        Assert.Contains("OpenDocument-kalkylark (.ods)", e.Message);
    }

    [Fact]
    public void Open_RejectsABinaryWorkbook_WithItsOwnMessage()
    {
        const string relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        var bytes = Zip(
            ("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
                "<Override PartName=\"/xl/workbook.bin\" ContentType=\"application/vnd.ms-excel.sheet.binary.macroEnabled.main\"/></Types>"),
            ("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                $"<Relationship Id=\"rId1\" Type=\"{relationships}/officeDocument\" Target=\"xl/workbook.bin\"/></Relationships>"),
            ("xl/_rels/workbook.bin.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                $"<Relationship Id=\"rId1\" Type=\"{relationships}/worksheet\" Target=\"worksheets/sheet1.bin\"/></Relationships>"),
            ("xl/workbook.bin", "\u0083\u0001\u0000\u0080"),
            ("xl/worksheets/sheet1.bin", "\u0081\u0001\u0000"));

        var e = Unreadable(bytes);

        Assert.Contains("binär Excel-arbetsbok (.xlsb)", e.Message);
    }

    [Theory]
    [InlineData("TRUE", 1)]
    [InlineData("true", 1)]
    [InlineData("FALSE", 0)]
    public void ReadRows_ReadsBooleansWrittenAsWords(string word, double expected)
    {
        var bytes = new RawXlsx().Sheet("Blad1", [new RawXlsx.Raw("b", $"<v>{word}</v>")]).ToBytes();

        using var workbook = Open(bytes);

        Assert.Equal(expected, Assert.Single(workbook.ReadRows("Blad1"))[0]?.Number);
    }

    [Fact]
    public void Open_RejectsAWordDocumentRenamedXlsx_AsAnotherOfficeDocument()
    {
        var e = Unreadable(Zip(
            ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
            ("_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"),
            ("word/document.xml", "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body/></w:document>")));

        Assert.Contains("inte en Excel-arbetsbok (.xlsx) utan ett annat Office-dokument", e.Message);
    }

    [Fact]
    public void Open_RejectsAZipWithoutAWorkbook()
    {
        var e = Unreadable(Zip(("readme.txt", "hej")));

        Assert.Contains("ingen Excel-arbetsbok", e.Message);
    }

    [Fact]
    public void Open_RejectsAZipBomb_OnTheCentralDirectory_BeforeInflating()
    {
        var bytes = new RawXlsx().Sheet("Kostnader").Part(FirstSheetPart, HugeSheet(50 * 1024 * 1024)).ToBytes();
        Assert.True(bytes.Length < 1024 * 1024, $"the bomb should be small packed, is {bytes.Length} bytes");
        var limits = new WorkbookLimits { MaxUncompressedBytes = 10 * 1024 * 1024, MaxCompressionRatio = int.MaxValue };

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<UnreadableWorkbookException>(() => XlsxWorkbook.Open(new MemoryStream(bytes), limits));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal("Filen packas upp till mer än tillåtna 10 MB och läses inte.", e.Message);
        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated:N0} bytes allocated to reject a 50 MB bomb");
    }

    [Fact]
    public void Open_RejectsAPartThatInflatesFarMoreThanRealSheets()
    {
        var bytes = new RawXlsx().Sheet("Kostnader").Part(FirstSheetPart, HugeSheet(50 * 1024 * 1024)).ToBytes();

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<UnreadableWorkbookException>(() => XlsxWorkbook.Open(new MemoryStream(bytes), new WorkbookLimits()));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.StartsWith($"Delen {FirstSheetPart} packas upp ", e.Message);
        Assert.Contains("mer än tillåtna 200", e.Message);
        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated:N0} bytes allocated to reject a 50 MB bomb");
    }

    [Fact]
    public void Reading_StaysBounded_WhenTheCentralDirectoryLiesAboutTheSize()
    {
        const int inflated = 50 * 1024 * 1024;
        var honest = new RawXlsx().Sheet("Kostnader").Part(FirstSheetPart, HugeSheet(inflated, "<row><c><v>1</v></c></row>")).ToBytes();
        var lying = ZipSurgery.DeclareUncompressedSize(honest, FirstSheetPart, 4096);
        // What the reader's limits rest on: .NET inflates an entry no further than its declared size.
        using (var archive = new ZipArchive(new MemoryStream(lying), ZipArchiveMode.Read))
        using (var entry = archive.GetEntry(FirstSheetPart)!.Open())
        {
            var inflatedBytes = 0L;
            var buffer = new byte[64 * 1024];
            for (int n; (n = entry.Read(buffer)) > 0;)
            {
                inflatedBytes += n;
            }
            Assert.Equal(4096, inflatedBytes);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<UnreadableWorkbookException>(() => ReadAll(lying));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal("Kostnader", e.Sheet);
        Assert.Contains("Bladet \"Kostnader\" är skadat", e.Message);
        Assert.True(allocated < 4 * 1024 * 1024, $"{allocated:N0} bytes allocated for a part that inflates to {inflated:N0}");
    }

    [Fact]
    public void ReadRows_RejectsMoreRowsThanMaxRows()
    {
        var rows = Enumerable.Range(0, 6).Select(i => new object?[] { $"rad {i + 1}" }).ToArray();
        var bytes = new RawXlsx().Sheet("Kostnader", rows).ToBytes();

        using var atLimit = Open(bytes, new WorkbookLimits { MaxRows = 6 });
        Assert.Equal(6, atLimit.ReadRows("Kostnader").Count());
        using var workbook = Open(bytes, new WorkbookLimits { MaxRows = 5 });
        var e = Assert.Throws<UnreadableWorkbookException>(() => workbook.ReadRows("Kostnader").ToList());

        Assert.Equal("Bladet \"Kostnader\" har fler än 5 rader med värden; filen läses inte.", e.Message);
        Assert.Equal("Kostnader", e.Sheet);
    }

    [Fact]
    public void ReadRows_KeepsTheSheetNameWhole_InTheMaxRowsMessage()
    {
        var rows = Enumerable.Range(0, 3).Select(i => new object?[] { i }).ToArray();
        var bytes = new RawXlsx().Sheet("Kostnader, gamla", rows).ToBytes();

        using var workbook = Open(bytes, new WorkbookLimits { MaxRows = 2 });
        var e = Assert.Throws<UnreadableWorkbookException>(() => workbook.ReadRows("Kostnader, gamla").ToList());

        Assert.Equal("Bladet \"Kostnader, gamla\" har fler än 2 rader med värden; filen läses inte.", e.Message);
    }

    [Fact]
    public void ReadRows_RejectsAValuePastMaxColumns_NamingTheCell()
    {
        var bytes = new RawXlsx().Sheet("Kostnader", ["a"], [null, null, null, null, null, "för långt bort"]).ToBytes();

        using var atLimit = Open(bytes, new WorkbookLimits { MaxColumns = 6 });
        Assert.Equal(2, atLimit.ReadRows("Kostnader").Count());
        using var workbook = Open(bytes, new WorkbookLimits { MaxColumns = 5 });
        var e = Assert.Throws<UnreadableWorkbookException>(() => workbook.ReadRows("Kostnader").ToList());

        Assert.Contains("fler än 5 kolumner (F2)", e.Message);
        Assert.Equal("Kostnader", e.Sheet);
    }

    [Fact]
    public void Open_RejectsMoreEntriesThanMaxEntries()
    {
        var workbook = new RawXlsx().Sheet("Kostnader", ["a"]);
        for (var i = 0; i < 10; i++)
        {
            workbook.Part($"customXml/item{i}.xml", "<x/>");
        }
        var bytes = workbook.ToBytes();
        var entries = EntryCount(bytes);

        using (Open(bytes, new WorkbookLimits { MaxEntries = entries }))
        {
        }
        var e = Unreadable(bytes, new WorkbookLimits { MaxEntries = entries - 1 });

        Assert.Equal($"Filen innehåller {entries} delar; högst {entries - 1} tillåts i en arbetsbok.", e.Message);
    }

    [Fact]
    public void Open_RejectsAFileLargerThanMaxFileBytes_BeforeReadingIt()
    {
        using var directory = new TempDirectory();
        var path = directory.File("stor.xlsx");
        // Random content packs badly: a genuinely large file.
        var noise = new byte[3 * 1024 * 1024];
        new Random(1).NextBytes(noise);
        new RawXlsx().Sheet("Kostnader", ["a"]).Part("customXml/noise.bin", s => s.Write(noise)).Save(path);

        var e = Assert.Throws<UnreadableWorkbookException>(() => XlsxWorkbook.Open(path, new WorkbookLimits { MaxFileBytes = 2 * 1024 * 1024 }));

        Assert.Equal("Filen är 3 MB stor; största tillåtna är 2 MB.", e.Message);
        using var accepted = XlsxWorkbook.Open(path, new WorkbookLimits { MaxFileBytes = 4 * 1024 * 1024 });
        Assert.Equal(["Kostnader"], accepted.SheetNames);
    }

    [Fact]
    public void Open_ReportsAMissingFile_InSwedish()
    {
        using var directory = new TempDirectory();

        var e = Assert.Throws<UnreadableWorkbookException>(() => XlsxWorkbook.Open(Path.Combine(directory.Path, "finns-inte.xlsx"), new WorkbookLimits()));

        Assert.StartsWith("Filen kunde inte öppnas", e.Message);
    }

    [Fact]
    public void ReadRows_RejectsASharedStringIndexPastTheTable_NamingTheCell()
    {
        var bytes = new RawXlsx().Sheet("Kostnader", ["Kostnadspost"], [null, null, new RawXlsx.Raw("s", "<v>99</v>")]).ToBytes();

        using var workbook = Open(bytes);
        var e = Assert.Throws<UnreadableWorkbookException>(() => workbook.ReadRows("Kostnader").ToList());

        Assert.Contains("C2", e.Message);
        Assert.Contains("skadad", e.Message);
        Assert.Equal("Kostnader", e.Sheet);
    }

    [Fact]
    public void ReadRows_RejectsASheetTheWorkbookNamesButTheFileLacks()
    {
        var bytes = new RawXlsx().Sheet("Kostnader", ["a"])
            .Part("xl/_rels/workbook.xml.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/borta.xml\"/></Relationships>")
            .ToBytes();

        using var workbook = Open(bytes);
        var e = Assert.Throws<UnreadableWorkbookException>(() => workbook.ReadRows("Kostnader").ToList());

        Assert.Equal("Bladet \"Kostnader\" saknas i filen fast arbetsboken nämner det: filen är skadad.", e.Message);
    }

    [Fact]
    public void Open_RejectsADocumentTypeDeclaration_InsteadOfExpandingIt()
    {
        var bytes = new RawXlsx().Sheet("Kostnader")
            .Part(FirstSheetPart,
                "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>" +
                $"<worksheet xmlns=\"{RawXlsx.TransitionalNamespace}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>")
            .ToBytes();

        using var workbook = Open(bytes);
        var e = Assert.Throws<UnreadableWorkbookException>(() => workbook.ReadRows("Kostnader").ToList());

        Assert.Contains("Bladet \"Kostnader\" är skadat", e.Message);
    }

    // ---- Hostile cells and malformed sheets (issue 13) ----

    [Theory]
    [InlineData("-657436")]
    [InlineData("10000000000")]
    [InlineData("2958466")]
    [InlineData("NaN")]
    [InlineData("1e309")]
    public void Display_ShowsADateCellOutsideExcelsDates_AsItsNumber_NeverThrowing(string serial)
    {
        var bytes = new RawXlsx { WithDateStyle = true }
            .Sheet("Kostnader", [new RawXlsx.Raw("", $"<v>{serial}</v>")])
            .Part(FirstSheetPart, Worksheet($"<row r=\"1\"><c r=\"A1\" s=\"1\"><v>{serial}</v></c></row>"))
            .ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(Assert.Single(workbook.ReadRows("Kostnader")).Cells);

        Assert.Equal(CellKind.Date, cell.Kind);
        Assert.Null(cell.Date);
        Assert.Equal(new XlsxCell(0, CellKind.Number, serial, cell.Number).Display, cell.Display);
    }

    [Fact]
    public void ReadRows_RejectsASheetWhoseBytesDisagreeWithItsChecksum_InsteadOfReadingAnotherFigure()
    {
        // Stored, not deflated, so that one changed digit still unpacks: only the part's CRC-32 tells it was damaged.
        var bytes = Stored(new RawXlsx()
            .Sheet("Kostnader", ["x"])
            .Part(FirstSheetPart, Worksheet("<row r=\"1\"><c r=\"A1\"><v>520000</v></c></row>"))
            .ToBytes());
        var digit = bytes.AsSpan().IndexOf("520000"u8);
        Assert.True(digit > 0);
        bytes[digit] = (byte)'9';

        var e = Unreadable(bytes);

        Assert.Equal("Kostnader", e.Sheet);
        Assert.Contains("Bladet \"Kostnader\" är skadat", e.Message);
    }

    /// <summary>The same package with every part stored uncompressed.</summary>
    private static byte[] Stored(byte[] package)
    {
        using var source = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var target = new MemoryStream();
        using (var stored = new ZipArchive(target, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var from = entry.Open();
                using var to = stored.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                from.CopyTo(to);
            }
        }
        return target.ToArray();
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-1e309")]
    public void Display_ShowsANumberPastDoublesRange_AsWritten_NotAsInfinity(string written)
    {
        var bytes = new RawXlsx()
            .Sheet("Kostnader", ["x"])
            .Part(FirstSheetPart, Worksheet($"<row r=\"1\"><c r=\"A1\"><v>{written}</v></c></row>"))
            .ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(Assert.Single(workbook.ReadRows("Kostnader")).Cells);

        Assert.Equal(CellKind.Number, cell.Kind);
        Assert.True(double.IsInfinity(cell.Number));
        Assert.Equal(written, cell.Display);
    }

    [Theory]
    [InlineData("0001-01-01")]
    [InlineData("0099-12-31T12:00:00")]
    public void ReadRows_ReadsAnIsoDateCellBeforeExcelsDates_WithoutThrowing(string iso)
    {
        var bytes = new RawXlsx()
            .Sheet("Kostnader", ["x"])
            .Part(FirstSheetPart, Worksheet($"<row r=\"1\"><c r=\"A1\" t=\"d\"><v>{iso}</v></c></row>"))
            .ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(Assert.Single(workbook.ReadRows("Kostnader")).Cells);

        Assert.Equal(CellKind.Date, cell.Kind);
        Assert.Equal(iso, cell.Display);
    }

    [Fact]
    public void ReadRows_ReadsAnIsoDateCellWithinExcelsDates_AsThatDate()
    {
        var bytes = new RawXlsx()
            .Sheet("Kostnader", ["x"])
            .Part(FirstSheetPart, Worksheet("<row r=\"1\"><c r=\"A1\" t=\"d\"><v>2024-06-14T00:00:00</v></c></row>"))
            .ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(Assert.Single(workbook.ReadRows("Kostnader")).Cells);

        Assert.Equal(new DateOnly(2024, 6, 14), cell.Date);
        Assert.Equal("2024-06-14", cell.Display);
    }

    [Theory]
    [InlineData("<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"C2\"><v>2</v></c></row>", "C2", "står två gånger")]
    [InlineData("<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"B2\"><v>2</v></c></row>", "B2", "står efter C2")]
    [InlineData("<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"XFE2\"><v>2</v></c></row>", "XFE2", "ingen giltig celladress")]
    [InlineData("<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"2C\"><v>2</v></c></row>", "2C", "ingen giltig celladress")]
    [InlineData("<row r=\"2\"><c r=\"A1048577\"><v>1</v></c></row>", "A1048577", "ingen giltig celladress")]
    [InlineData("<row r=\"2\"><c r=\"C3\"><v>1</v></c></row>", "C3", "står i rad 2")]
    [InlineData("<row r=\"1048577\"><c><v>1</v></c></row>", "1048577", "utanför Excels gränser")]
    [InlineData("<row r=\"2\"><c r=\"C2\"><v>1</v></c></row><row r=\"2\"><c r=\"D2\"><v>2</v></c></row>", "Rad 2", "står två gånger")]
    [InlineData("<row r=\"3\"><c r=\"C3\"><v>1</v></c></row><row r=\"2\"><c r=\"D2\"><v>2</v></c></row>", "Rad 2", "står efter rad 3")]
    [InlineData("<row r=\"2\"><c r=\"C2\" s=\"abc\"><v>1</v></c></row>", "C2", "som inte är något format")]
    [InlineData("<row r=\"2\"><c r=\"C2\" s=\"2147483648\"><v>1</v></c></row>", "C2", "som inte är något format")]
    [InlineData("<row r=\"2\"><c r=\"C2\" s=\"99999\"><v>1</v></c></row>", "C2", "som inte är något format")]
    [InlineData("<row r=\"2\"><c r=\"C2\"><v>86 400</v></c></row>", "C2", "som inte är något tal")]
    [InlineData("<row r=\"2\"><c r=\"C2\" t=\"n\"><v>1,5</v></c></row>", "C2", "som inte är något tal")]
    public void ReadRows_RejectsAMalformedSheet_NamingTheSheetAndTheCellOrRow(string sheetData, string where, string what)
    {
        var bytes = new RawXlsx().Sheet("Kostnader", ["x"]).Part(FirstSheetPart, Worksheet(sheetData)).ToBytes();

        var e = Unreadable(bytes);

        Assert.Equal("Kostnader", e.Sheet);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
        Assert.Contains("Bladet \"Kostnader\"", e.Message.Replace("bladet", "Bladet"));
    }

    [Fact]
    public void Open_RejectsASheetNameLongerThanAnyWriterMakes_QuotingOnlyAnExcerpt()
    {
        var name = new string('B', 100_000);
        var bytes = new RawXlsx().Sheet(name, ["a"]).ToBytes();

        var e = Assert.Throws<UnreadableWorkbookException>(() => Open(bytes));

        Assert.StartsWith($"Arbetsboken har ett blad vars namn är 100 000 tecken långt (\"{new string('B', 40)}…\"", e.Message);
        Assert.True(e.Message.Length < 200, e.Message);
        using var longButFine = Open(new RawXlsx().Sheet(new string('B', 255), ["a"]).ToBytes());
        Assert.Equal(new string('B', 255), Assert.Single(longButFine.SheetNames));
    }

    [Fact]
    public void Open_NamesAPartWithAHostileName_OnlyAsAnExcerpt()
    {
        var name = "xl/" + new string('p', 20_000) + ".xml";
        var bytes = new RawXlsx().Sheet("Kostnader", ["a"]).Part(name, HugeSheet(2 * 1024 * 1024)).ToBytes();

        var e = Assert.Throws<UnreadableWorkbookException>(() => Open(bytes));

        Assert.StartsWith("Delen \"xl/ppp", e.Message);
        Assert.Contains("packas upp", e.Message);
        Assert.True(e.Message.Length < 300, e.Message);
    }

    [Fact]
    public void FindSheet_RejectsTwoSheetsMatchingOneName_NamingBoth()
    {
        var bytes = new RawXlsx().Sheet("Kostnader", ["a"]).Sheet(" kostnader ", ["b"]).ToBytes();

        using var workbook = Open(bytes);
        var e = Assert.Throws<UnreadableWorkbookException>(() => workbook.FindSheet("Kostnader"));

        Assert.Equal("Kostnader", e.Sheet);
        Assert.Equal("Arbetsboken har två blad som båda läses som bladet \"Kostnader\": \"Kostnader\" och \" kostnader \". Byt namn på eller ta bort det ena.", e.Message);
    }

    [Theory]
    [InlineData("s")]
    [InlineData("inlineStr")]
    [InlineData("str")]
    public void ReadRows_CutsEveryTextToTheTextLimit(string type)
    {
        var text = new string('å', 100_000);
        var bytes = new RawXlsx { InlineStrings = type == "inlineStr" }
            .Sheet("Kostnader", [type == "str" ? new RawXlsx.Formula("A2", text) : text])
            .ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(Assert.Single(workbook.ReadRows("Kostnader")).Cells);

        Assert.Equal(CellKind.Text, cell.Kind);
        Assert.Equal(new InputLimits().MaxTextLength, cell.Text.Length);
        Assert.Equal(text[..cell.Text.Length], cell.Text);
    }

    [Fact]
    public void ReadRows_ReadsANumberTooLongToKeep_AsTextCut()
    {
        var digits = "1" + new string('0', 10_000);
        var bytes = new RawXlsx().Sheet("Kostnader", [new RawXlsx.Raw("", $"<v>{digits}</v>")]).ToBytes();

        using var workbook = Open(bytes);
        var cell = Assert.Single(Assert.Single(workbook.ReadRows("Kostnader")).Cells);

        Assert.Equal(CellKind.Text, cell.Kind);
        Assert.Equal(new InputLimits().MaxTextLength, cell.Text.Length);
    }

    [Fact]
    public void ReadRows_ReadsAHugeSharedString_InBoundedMemory()
    {
        // One shared string of 80 million characters: read whole it would cost 160 MB as one string, and more to build it.
        const int characters = 80_000_000;
        var bytes = new RawXlsx()
            .Sheet("Kostnader", [new RawXlsx.Raw("s", "<v>0</v>")])
            .Part("xl/sharedStrings.xml", stream =>
            {
                stream.Write(Encoding.ASCII.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{RawXlsx.TransitionalNamespace}\"><si><t>"));
                var chunk = Encoding.ASCII.GetBytes(new string('a', 1024 * 1024));
                for (var written = 0; written < characters; written += chunk.Length)
                {
                    stream.Write(chunk);
                }
                stream.Write(Encoding.ASCII.GetBytes("</t></si></sst>"));
            })
            .ToBytes();
        // Text of one letter packs far better than real text; the ratio check is not what this is about.
        var limits = new WorkbookLimits { MaxCompressionRatio = int.MaxValue };

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        string text;
        using (var workbook = Open(bytes, limits))
        {
            text = Assert.Single(Assert.Single(workbook.ReadRows("Kostnader")).Cells).Text;
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal(new string('a', new InputLimits().MaxTextLength), text);
        Assert.True(allocated < 16 * 1024 * 1024, $"{allocated:N0} bytes allocated to read a shared string of {characters:N0} characters");
    }

    [Fact]
    public void ReadRows_RejectsSharedStringsPastTheirLimit_InSwedish()
    {
        var rows = Enumerable.Range(0, 100).Select(i => new object?[] { $"text nummer {i:D4} som är unik" }).ToArray();
        var bytes = new RawXlsx().Sheet("Kostnader", rows).ToBytes();

        using (var atDefault = Open(bytes))
        {
            Assert.Equal(100, atDefault.ReadRows("Kostnader").Count());
        }
        var e = Unreadable(bytes, new WorkbookLimits { MaxSharedStringCharacters = 1_000 });

        Assert.Equal("Arbetsbokens texter är tillsammans större än tillåtna 1 000 tecken; filen läses inte.", e.Message);
    }

    // ---- Helpers ----

    private static XlsxWorkbook Open(byte[] bytes, WorkbookLimits? limits = null) =>
        XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), limits ?? new WorkbookLimits());

    /// <summary>Opens the file and reads every sheet to its end, as the business case reader would.</summary>
    private static void ReadAll(byte[] bytes, WorkbookLimits? limits = null)
    {
        using var workbook = Open(bytes, limits);
        foreach (var sheet in workbook.SheetNames)
        {
            foreach (var row in workbook.ReadRows(sheet))
            {
                _ = row.Cells.Count;
            }
        }
    }

    private static UnreadableWorkbookException Unreadable(byte[] bytes, WorkbookLimits? limits = null) =>
        Assert.Throws<UnreadableWorkbookException>(() => ReadAll(bytes, limits));

    private static string Worksheet(string sheetData) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{RawXlsx.TransitionalNamespace}\"><sheetData>{sheetData}</sheetData></worksheet>";

    /// <summary>
    /// A well-formed sheet of <paramref name="bytes"/> bytes or more: <paramref name="unit"/> over
    /// and over, by default white space, which packs a thousand times smaller.
    /// </summary>
    private static Action<Stream> HugeSheet(int bytes, string unit = " ") => stream =>
    {
        var one = Encoding.ASCII.GetBytes(unit);
        var chunk = new byte[one.Length * 4096];
        for (var i = 0; i < 4096; i++)
        {
            one.CopyTo(chunk, i * one.Length);
        }
        stream.Write(Encoding.ASCII.GetBytes($"<?xml version=\"1.0\"?><worksheet xmlns=\"{RawXlsx.TransitionalNamespace}\"><sheetData>"));
        for (var written = 0; written < bytes; written += chunk.Length)
        {
            stream.Write(chunk);
        }
        stream.Write("</sheetData></worksheet>"u8);
    };

    private static byte[] Zip(params (string Name, string Content)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, name == "mimetype" ? CompressionLevel.NoCompression : CompressionLevel.Optimal).Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }
        return output.ToArray();
    }

    private static string EntryText(byte[] zip, string name)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var reader = new StreamReader(archive.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    [Theory]
    [InlineData("0%", true)]
    [InlineData("0.0 %", true)]
    [InlineData("#,##0.00%;[Red]-#,##0.00%", true)]
    [InlineData("[Blue]0%", true)]
    [InlineData("0\" %\"", false)]
    [InlineData("0\\%", false)]
    [InlineData("0_%", false)]
    [InlineData("# ##0 \"kr\"", false)]
    [InlineData("General", false)]
    [InlineData("0;0%", false)]
    public void IsPercentFormat_SeesAnUnquotedUnescapedPercentSign_InTheFirstSection(string code, bool isPercent)
    {
        Assert.Equal(isPercent, XlsxWorkbook.IsPercentFormat(code));
    }

    private static int EntryCount(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.Count;
    }

    /// <summary>The same zip with every entry's time set to <paramref name="time"/>.</summary>
    private static byte[] Redate(byte[] zip, DateTimeOffset time)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var copy = archive.CreateEntry(entry.FullName, CompressionLevel.Fastest);
                copy.LastWriteTime = time;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }
        return output.ToArray();
    }

    private static byte[] Write(BusinessCaseDraft draft)
    {
        using var output = new MemoryStream();
        BusinessCaseWorkbookWriter.Write(output, draft);
        return output.ToArray();
    }

    private static BusinessCaseDraft Draft() => new(
        "DIG-2023-014", "Digital signering av avtal", "Stadsledningskontoret", "agare@nacka.se", null,
        ["Maximalt värde för skattepengarna"], "2023-05-09", 2023, 2024,
        [new("Licens och införande", CostCategory.Investment, new Dictionary<int, decimal> { [2023] = 520_000, [2024] = 35_000 })],
        [new("Enklare för medborgarna", BenefitType.Movement, new Dictionary<int, decimal> { [2024] = 0.5m })]);
}
