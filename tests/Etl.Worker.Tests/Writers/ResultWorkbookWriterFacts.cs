using System.Drawing;
using System.IO.Compression;
using System.Xml.Linq;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Tests.Readers.Actuals;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;

namespace NackaInsights.Etl.Tests.Writers;

public sealed class ResultWorkbookWriterFacts : IDisposable
{
    internal const string FileName = "FO-ETJANST.xlsx";
    internal const string Hyperlink = "=HYPERLINK(\"http://example.invalid\",\"klicka\")";
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    internal static readonly DateTime ProcessedAt = new(2024, 6, 14, 8, 30, 0, DateTimeKind.Utc);

    private readonly TempDirectory _dir = new("nacka-result");

    public void Dispose() => _dir.Dispose();

    /// <summary>An upload read by the reader from a real workbook, columns in an order of the user's own.</summary>
    private ActualsUpload ReadUpload() => ReadUpload(_dir);

    internal static ActualsUpload ReadUpload(TempDirectory dir)
    {
        var path = dir.File("upload.xlsx");
        new RawXlsx()
            .Sheet("Utfall",
                ["Initiativ-ID", "Nyttopost", "Typ", "År", "Utfall", "Kommentar", "Planerat"],
                ["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", 2024, 72_500, Hyperlink, 80_000],
                ["DIG-2099-999", "Frigjord tid", "Omfördelning", 2024, "ca 40 000", "+46 8 718 80 00", null],
                ["DIG-2023-014", "Minskade porto- och papperskostnader", "Finansiell", 2024, null, "-inget än", 6_400],
                ["@DIG-2023-014", "=1+1", "Finansiell", 2023, 5_000, "@alla", 6_400])
            .Sheet("Om", ["Förvaltningsobjekt", "FO-ETJANST"], ["Rapporterad av", "=cmd|' /C calc'!A0"])
            .Save(path);
        return new ActualsWorkbookReader(new WorkbookLimits()).Read(path, FileName).Upload!;
    }

    internal static ActualsValidation Judge(ActualsUpload upload)
    {
        var rows = upload.Rows;
        return new ActualsValidation(
        [
            new(rows[0], ActualRowStatus.Accepted, [], new CatalogueLine("Frigjord handläggartid", BenefitType.Redistribution)),
            new(rows[1], ActualRowStatus.Rejected,
            [
                SourceProblem.ForCell(FileName, "Utfall", "A3", "Initiativet \"DIG-2099-999\" finns inte."),
                SourceProblem.ForCell(FileName, "Utfall", "E3", "\"ca 40 000\" är inte ett tal."),
            ], null),
            new(rows[2], ActualRowStatus.NotReported, [], null),
            new(rows[3], ActualRowStatus.Rejected, [SourceProblem.ForCell(FileName, "Om", "B2", "Du är inte objektsförvaltare för initiativet.")], null),
        ], []);
    }

    private static ExcelPackage Open(byte[] bytes) => new(new MemoryStream(bytes));

    [Fact]
    public void Actuals_NeverWriteACellPastExcelsLimit_WhateverTheTextsLength()
    {
        var huge = new string('k', 100_000);
        var row = new ActualRow(2, "DIG-2023-014", huge, "Omfördelning", "2024", null, huge, huge);
        var upload = new ActualsUpload("Utfall", huge, huge, new ActualsColumns("A", "B", "C", "D", null, "E", "F"), [row]);
        var problem = SourceProblem.ForCell(FileName, "Utfall", "E2", huge);
        var validation = new ActualsValidation([new(row, ActualRowStatus.Rejected, [problem, problem], null)], []);

        var bytes = ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.Rejected, huge), upload, validation);

        using var package = Open(bytes);
        var texts = package.Workbook.Worksheets.SelectMany(s => s.Cells.Select(c => c.Value as string ?? "")).ToList();
        Assert.Contains(texts, t => t.Length == InputLimits.ExcelCellCharacters);
        Assert.All(texts, t => Assert.True(t.Length <= InputLimits.ExcelCellCharacters, $"a cell of {t.Length:N0} characters"));
        Assert.Equal(huge[..InputLimits.ExcelCellCharacters], package.Workbook.Worksheets["Utfall"].Cells["F2"].Value);
    }

    [Fact]
    public void Actuals_KeepTheUploadedCells_AndAddAResultatColumnSayingInlastOrWhy()
    {
        var upload = ReadUpload();

        var bytes = ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.PartlyLoaded, "1 rad inläst, 2 avvisade."), upload, Judge(upload));

        using var package = Open(bytes);
        var sheet = package.Workbook.Worksheets["Utfall"];
        Assert.Equal(["Initiativ-ID", "Nyttopost", "Typ", "År", "Utfall", "Kommentar", "Planerat", "Resultat"],
            Enumerable.Range(1, 8).Select(c => sheet.Cells[1, c].Text));
        Assert.Equal("DIG-2023-014", sheet.Cells["A2"].Value);
        Assert.Equal(2024d, Convert.ToDouble(sheet.Cells["D2"].Value));
        Assert.Equal(72_500d, Convert.ToDouble(sheet.Cells["E2"].Value));
        Assert.Equal(80_000d, Convert.ToDouble(sheet.Cells["G2"].Value));
        Assert.Equal("Inläst", sheet.Cells["H2"].Value);
        Assert.Equal("ca 40 000", sheet.Cells["E3"].Value);
        Assert.Equal("Utfall!A3: Initiativet \"DIG-2099-999\" finns inte. Utfall!E3: \"ca 40 000\" är inte ett tal.", sheet.Cells["H3"].Value);
        Assert.Equal("Inget utfall angivet", sheet.Cells["H4"].Value);
        Assert.Null(sheet.Cells["E4"].Value);
        Assert.Equal("Om!B2: Du är inte objektsförvaltare för initiativet.", sheet.Cells["H5"].Value);
        var pane = ActualsTemplateWriterFacts.SheetXml(bytes, "xl/worksheets/sheet2.xml").Descendants(Main + "pane").Single();
        Assert.Equal(("1", "frozen"), ((string?)pane.Attribute("ySplit"), (string?)pane.Attribute("state")));
    }

    [Fact]
    public void Actuals_HighlightRejectedRows_AndTheCellsTheirProblemsName()
    {
        var upload = ReadUpload();

        using var package = Open(ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.PartlyLoaded), upload, Judge(upload)));

        var sheet = package.Workbook.Worksheets["Utfall"];
        string Fill(string cell) => sheet.Cells[cell].Style.Fill.BackgroundColor.Rgb ?? "";
        var rejected = Color.FromArgb(0xFF, 0xE0, 0xE0).ToArgb().ToString("X8");
        var problem = Color.FromArgb(0xF4, 0xA6, 0xA6).ToArgb().ToString("X8");
        Assert.Equal(rejected, Fill("B3"));
        Assert.Equal(rejected, Fill("H3"));
        Assert.Equal(problem, Fill("A3"));
        Assert.Equal(problem, Fill("E3"));
        Assert.Equal(rejected, Fill("A5"));
        Assert.NotEqual(rejected, Fill("A2"));
        Assert.NotEqual(rejected, Fill("A4"));
        Assert.True(sheet.Cells["A3"].Style.Font.Bold);
    }

    [Fact]
    public void Actuals_WriteEveryTextFromTheUpload_AsTextNeverAsAFormula()
    {
        var upload = ReadUpload();

        var bytes = ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.PartlyLoaded), upload, Judge(upload));

        foreach (var part in new[] { "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml" })
        {
            Assert.Empty(ActualsTemplateWriterFacts.SheetXml(bytes, part).Descendants(Main + "f"));
        }
        using var package = Open(bytes);
        var sheet = package.Workbook.Worksheets["Utfall"];
        Assert.Equal(Hyperlink, sheet.Cells["F2"].Value);
        Assert.Equal("+46 8 718 80 00", sheet.Cells["F3"].Value);
        Assert.Equal("-inget än", sheet.Cells["F4"].Value);
        Assert.Equal("@DIG-2023-014", sheet.Cells["A5"].Value);
        Assert.Equal("=1+1", sheet.Cells["B5"].Value);
        Assert.All(new[] { "F2", "F3", "F4", "A5", "B5", "F5" }, cell => Assert.True(sheet.Cells[cell].Style.QuotePrefix, cell));
        Assert.Equal("", sheet.Cells["F2"].Formula);
        var summary = package.Workbook.Worksheets[ResultWorkbookWriter.SummarySheet];
        var reporter = Enumerable.Range(1, 20).Single(r => summary.Cells[r, 1].Text == "Rapporterad av");
        Assert.Equal("=cmd|' /C calc'!A0", summary.Cells[reporter, 2].Value);

        // And read back as an upload, the texts are what was typed.
        var reread = new ActualsWorkbookReader(new WorkbookLimits()).Read(bytes, "x.resultat.xlsx").Upload!;
        Assert.Equal(Hyperlink, reread.Rows[0].Comment);
        Assert.Equal("=1+1", reread.Rows[3].BenefitLine);
    }

    [Fact]
    public void Actuals_SummaryTellsStatusCountsAndEveryProblemWithItsCell()
    {
        var upload = ReadUpload();

        using var package = Open(ResultWorkbookWriter.WriteActuals(
            new ResultSummary(FileName, ProcessedAt, FileStatus.PartlyLoaded, "1 rad inläst, 2 avvisade."), upload, Judge(upload)));

        var summary = package.Workbook.Worksheets[ResultWorkbookWriter.SummarySheet];
        Assert.Equal(ResultWorkbookWriter.SummarySheet, package.Workbook.Worksheets.First().Name);
        var pairs = Pairs(summary);
        Assert.Equal(FileName, pairs["Fil"]);
        Assert.Equal("2024-06-14 10:30 (svensk tid)", pairs["Behandlad"]);
        Assert.Equal(FileStatus.PartlyLoaded, pairs["Status"]);
        Assert.Equal("1 rad inläst, 2 avvisade.", pairs["Meddelande"]);
        Assert.Equal(("1", "2", "1"), (pairs["Rader inlästa"], pairs["Rader avvisade"], pairs["Rader utan utfall"]));
        Assert.Equal("FO-ETJANST", pairs["Förvaltningsobjekt"]);
        Assert.Equal("Initiativet \"DIG-2099-999\" finns inte.", pairs["Utfall!A3"]);
        Assert.Equal("\"ca 40 000\" är inte ett tal.", pairs["Utfall!E3"]);
        Assert.Equal("Du är inte objektsförvaltare för initiativet.", pairs["Om!B2"]);
    }

    [Fact]
    public void Actuals_RejectedWhole_GiveTheSummaryWithItsProblemsOnly()
    {
        var path = _dir.File("noheader.xlsx");
        new RawXlsx().Sheet("Utfall", ["Initiativ-ID", "Planerat"], ["DIG-1", 5]).Save(path);
        var read = new ActualsWorkbookReader(new WorkbookLimits()).Read(path, FileName);

        using var package = Open(ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.Rejected),
            read.Upload, new ActualsValidation([], read.FileProblems)));

        Assert.Equal([ResultWorkbookWriter.SummarySheet], package.Workbook.Worksheets.Select(s => s.Name));
        var summary = package.Workbook.Worksheets[ResultWorkbookWriter.SummarySheet];
        var problems = Enumerable.Range(1, 30).Where(r => summary.Cells[r, 1].Text == "Utfall").Select(r => summary.Cells[r, 2].Text).ToList();
        Assert.Equal(read.FileProblems.Select(p => p.Message), problems);
        Assert.Equal(4, problems.Count);
        Assert.Equal(FileStatus.Rejected, Pairs(summary)["Status"]);
    }

    [Fact]
    public void BusinessCase_SummaryNamesEveryProblemWithSheetAndCell_OrSaysInlast()
    {
        var problems = new[]
        {
            SourceProblem.ForCell("DIG-2024-031.xlsx", "Kostnader", "C4", "\"ca 500k\" är inte ett belopp."),
            SourceProblem.ForFile("DIG-2024-031.xlsx", "=Bladet \"Nyttor\" saknas."),
        };

        using var rejected = Open(ResultWorkbookWriter.WriteBusinessCase(new ResultSummary("DIG-2024-031.xlsx", ProcessedAt, FileStatus.Rejected), problems, 4));
        using var loaded = Open(ResultWorkbookWriter.WriteBusinessCase(new ResultSummary("DIG-2023-014.xlsx", ProcessedAt, FileStatus.Loaded), []));

        var pairs = Pairs(rejected.Workbook.Worksheets[ResultWorkbookWriter.SummarySheet]);
        Assert.Equal(FileStatus.Rejected, pairs["Status"]);
        Assert.Equal("4", pairs["Kalkylrader"]);
        Assert.Equal("\"ca 500k\" är inte ett belopp.", pairs["Kostnader!C4"]);
        Assert.Equal("=Bladet \"Nyttor\" saknas.", pairs["Filen"]);
        var ok = loaded.Workbook.Worksheets[ResultWorkbookWriter.SummarySheet];
        Assert.Equal(FileStatus.Loaded, Pairs(ok)["Status"]);
        Assert.Contains(Enumerable.Range(1, 20).Select(r => ok.Cells[r, 2].Text), t => t == "Inga problem: filen lästes in.");
    }

    // ---- The file itself: read back by other readers, hostile text, the same bytes ----

    /// <summary>Text a user may send: XML's forbidden characters, markup, formulas, a surrogate pair and a lone one, Excel's own escapes.</summary>
    internal static readonly (string Sent, string Shown)[] HostileTexts =
    [
        ("nul\u0000 bell\u0007 esc\u001B vt\u000B ff\u000C end", "nul bell esc vt ff end"),
        ("]]> och <b>fet</b> & &amp; \"citat\" 'apostrof'", "]]> och <b>fet</b> & &amp; \"citat\" 'apostrof'"),
        (Hyperlink, Hyperlink),
        ("+46 8 718 80 00", "+46 8 718 80 00"),
        ("Nyttan 😀 👍🏽 realiserad", "Nyttan 😀 👍🏽 realiserad"),
        ("ensam \uD800 hög och \uDC00 låg surrogat, \uFFFE \uFFFF", "ensam  hög och  låg surrogat,  "),
        ("rad ett\r\nrad två\rrad tre\n\ttabb", "rad ett\nrad två\nrad tre\n\ttabb"),
        ("  inledande och avslutande blanksteg  ", "  inledande och avslutande blanksteg  "),
        ("Excels egen kod _x0041_ och _x005F_", "Excels egen kod _x0041_ och _x005F_"),
    ];

    internal static byte[] HostileBusinessCase() => ResultWorkbookWriter.WriteBusinessCase(
        new ResultSummary("DIG-2024-031.xlsx", ProcessedAt, FileStatus.Rejected, HostileTexts[1].Sent),
        [.. HostileTexts.Select((t, i) => SourceProblem.ForCell("DIG-2024-031.xlsx", "Kostnader", $"C{i + 4}", t.Sent))]);

    private static ActualsUpload HostileUpload()
    {
        var rows = HostileTexts.Select((t, i) => new ActualRow(i + 2, t.Sent, t.Sent, "Finansiell", "2024", null, t.Sent, t.Sent)).ToList();
        return new ActualsUpload("Utfall", HostileTexts[0].Sent, HostileTexts[2].Sent, new ActualsColumns("A", "B", "C", "D", null, "E", "F"), rows);
    }

    private static ActualsValidation RejectAll(ActualsUpload upload) => new(
        [.. upload.Rows.Select(r => new ActualRowOutcome(r, ActualRowStatus.Rejected, [SourceProblem.ForCell(FileName, "Utfall", $"E{r.Row}", r.Comment!)], null))], []);

    /// <summary>Every non-empty cell of every sheet as the project's reader reads it: sheet, address, text.</summary>
    private static List<(string Sheet, string Cell, string Text)> ReadWithOwnReader(byte[] bytes)
    {
        using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes), new WorkbookLimits(), new InputLimits { MaxTextLength = InputLimits.ExcelCellCharacters });
        return [.. workbook.SheetNames.SelectMany(sheet => workbook.ReadRows(sheet)
            .SelectMany(row => row.Cells.Select(c => (sheet, CellAddress.Format(row.Index, c.Column), c.Text))))];
    }

    /// <summary>The same, as EPPlus reads it: a reader written by others, numbers in their invariant form.</summary>
    private static List<(string Sheet, string Cell, string Text)> ReadWithEpplus(byte[] bytes)
    {
        using var package = Open(bytes);
        return [.. package.Workbook.Worksheets.SelectMany(sheet => sheet.Cells
            .Where(c => c.Value is not null && !(c.Value is string text && string.IsNullOrWhiteSpace(text)))
            .Select(c => (sheet.Name, c.Address, c.Value is string t ? t : Convert.ToDouble(c.Value, System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture))))];
    }

    private static List<(string Sheet, string Cell, string Text)> Sorted(IEnumerable<(string Sheet, string Cell, string Text)> cells) =>
        [.. cells.OrderBy(c => c.Sheet, StringComparer.Ordinal).ThenBy(c => CellAddress.TryParse(c.Cell, out var r, out var col) ? (r, col) : (-1, -1))];

    [Fact]
    public void EveryResult_ReadBackWithTheProjectsReader_GivesTheSameCellsAsEpplus()
    {
        var upload = ReadUpload();
        var results = new[]
        {
            ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.PartlyLoaded, "1 rad inläst, 2 avvisade."), upload, Judge(upload)),
            ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.Rejected), null, new ActualsValidation([], [SourceProblem.ForFile(FileName, "Bladet \"Utfall\" saknas.")])),
            ResultWorkbookWriter.WriteBusinessCase(new ResultSummary("DIG-2023-014.xlsx", ProcessedAt, FileStatus.Loaded), [], 12),
            ResultWorkbookWriter.WriteBusinessCase(new ResultSummary("DIG-2023-014.xlsx", ProcessedAt, FileStatus.Unchanged), []),
            ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.Rejected), HostileUpload(), RejectAll(HostileUpload())),
        };

        foreach (var bytes in results)
        {
            var own = ReadWithOwnReader(bytes);
            // Excel's escapes (_x0041_) are decoded by Excel, LibreOffice and EPPlus, not by the project's reader: left out here, checked below.
            var epplus = ReadWithEpplus(bytes).Where(c => !c.Text.Contains("_x", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(own);
            Assert.Equal(Sorted(epplus), Sorted(own.Where(c => !c.Text.Contains("_x", StringComparison.Ordinal))));
        }
        var actuals = ReadWithOwnReader(results[0]);
        Assert.Contains(("Utfall", "E2", "72500"), actuals);
        Assert.Contains(("Utfall", "F2", Hyperlink), actuals);
        Assert.Contains(("Utfall", "H3", "Utfall!A3: Initiativet \"DIG-2099-999\" finns inte. Utfall!E3: \"ca 40 000\" är inte ett tal."), actuals);
        Assert.Contains((ResultWorkbookWriter.SummarySheet, "B5", FileStatus.PartlyLoaded), actuals);
    }

    [Fact]
    public void HostileText_IsWrittenAsText_AndReadBackAsSent_LessWhatXmlCannotHold()
    {
        var upload = HostileUpload();
        var results = new[] { HostileBusinessCase(), ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.Rejected), upload, RejectAll(upload)) };

        foreach (var bytes in results)
        {
            using (var zip = new ZipArchive(new MemoryStream(bytes)))
            {
                foreach (var entry in zip.Entries)
                {
                    using var stream = entry.Open();
                    var xml = XDocument.Load(stream);
                    Assert.Empty(xml.Descendants(Main + "f"));
                }
            }
            var epplus = ReadWithEpplus(bytes).Select(c => c.Text).ToHashSet();
            var own = ReadWithOwnReader(bytes).Select(c => c.Text).ToHashSet();
            foreach (var (_, shown) in HostileTexts)
            {
                Assert.Contains(shown, epplus);
                if (!shown.Contains("_x", StringComparison.Ordinal))
                {
                    Assert.Contains(shown, own);
                }
            }
        }
        using var package = Open(results[1]);
        var sheet = package.Workbook.Worksheets["Utfall"];
        Assert.True(sheet.Cells["A4"].Style.QuotePrefix, "=HYPERLINK(…) keeps the quote prefix");
        Assert.True(sheet.Cells["B5"].Style.QuotePrefix, "+46 … keeps the quote prefix");
        Assert.False(sheet.Cells["A6"].Style.QuotePrefix);
        Assert.Equal(ProblemCellFill(), sheet.Cells["E4"].Style.Fill.BackgroundColor.Rgb);
    }

    private static string ProblemCellFill() => Color.FromArgb(0xF4, 0xA6, 0xA6).ToArgb().ToString("X8");

    [Fact]
    public void TextOfAnyLength_IsCutToExcelsLimit_NeverSplittingASurrogatePair()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", InputLimits.ExcelCellCharacters));
        var bytes = ResultWorkbookWriter.WriteBusinessCase(new ResultSummary(FileName, ProcessedAt, FileStatus.Rejected),
            [SourceProblem.ForFile(FileName, emoji), SourceProblem.ForFile(FileName, new string('k', 40_000))]);

        var texts = ReadWithOwnReader(bytes).Select(c => c.Text).ToList();
        var cut = Assert.Single(texts, t => t.StartsWith("😀", StringComparison.Ordinal));
        Assert.Equal(InputLimits.ExcelCellCharacters - 1, cut.Length);
        Assert.False(char.IsHighSurrogate(cut[^1]));
        Assert.Contains(new string('k', InputLimits.ExcelCellCharacters), texts);
    }

    [Fact]
    public void TheSameInput_GivesTheSameBytes_WithEveryEntryAtOneFixedTime()
    {
        byte[] Write(DateTime processed)
        {
            var upload = ReadUpload();
            return ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, processed, FileStatus.PartlyLoaded, "1 rad inläst, 2 avvisade."), upload, Judge(upload));
        }

        var first = Write(ProcessedAt);
        var second = Write(ProcessedAt);

        Assert.Equal(first, second);
        Assert.NotEqual(first, Write(ProcessedAt.AddMinutes(1)));
        using var zip = new ZipArchive(new MemoryStream(first));
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(2000, 1, 1), e.LastWriteTime.DateTime));
        Assert.Equal(HostileBusinessCase(), HostileBusinessCase());
    }

    private static Dictionary<string, string> Pairs(ExcelWorksheet sheet)
    {
        var pairs = new Dictionary<string, string>();
        for (var r = 1; r <= 40; r++)
        {
            var label = sheet.Cells[r, 1].Text;
            if (label.Length > 0)
            {
                pairs.TryAdd(label, sheet.Cells[r, 2].Text);
            }
        }
        return pairs;
    }
}
