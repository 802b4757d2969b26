using System.Drawing;
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
    private const string FileName = "FO-ETJANST.xlsx";
    private const string Hyperlink = "=HYPERLINK(\"http://example.invalid\",\"klicka\")";
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static readonly DateTime ProcessedAt = new(2024, 6, 14, 8, 30, 0, DateTimeKind.Utc);

    private readonly TempDirectory _dir = new("nacka-result");

    public void Dispose() => _dir.Dispose();

    /// <summary>An upload read by the reader from a real workbook, columns in an order of the user's own.</summary>
    private ActualsUpload ReadUpload()
    {
        var path = _dir.File("upload.xlsx");
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

    private static ActualsValidation Judge(ActualsUpload upload)
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
