using System.IO.Compression;
using System.Xml.Linq;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;
using OfficeOpenXml.DataValidation;
using OfficeOpenXml.DataValidation.Contracts;

namespace NackaInsights.Etl.Tests.Writers;

public sealed class ActualsTemplateWriterFacts : IDisposable
{
    private static readonly WorkbookLimits Limits = new();
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private readonly TempDirectory _dir = new("nacka-actuals-template");

    public void Dispose() => _dir.Dispose();

    private static ActualsTemplate Template() => new(
        "FO-ETJANST",
        "E-tjänsteplattformen",
        "forvaltare.etjanst@nacka.se",
        [
            new("DIG-2023-014", "Digital signering av avtal", "Minskade porto- och papperskostnader", BenefitType.Financial, 2023, 6_400m, 5_900m, "Färre utskick än väntat"),
            new("DIG-2023-014", "Digital signering av avtal", "Minskade porto- och papperskostnader", BenefitType.Financial, 2024, 6_400m),
            new("DIG-2023-014", "Digital signering av avtal", "Enklare för medborgare och företag", BenefitType.Movement, 2024, 0.5m),
            new("DIG-2023-014", "Digital signering av avtal", "Frigjord handläggartid", BenefitType.Redistribution, 2024, 80_000m),
            new("DIG-2022-112", "=Chattbot", "-Frigjord tid", BenefitType.Redistribution, 2023, 120_000m, null, "@kontakt +1"),
        ]);

    private string Save(byte[] bytes, string name = "FO-ETJANST.xlsx")
    {
        var path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Template_ReadsBack_WithItsHeaderPlannedAndReportedValuesAndTheSheetOm()
    {
        var path = Save(ActualsTemplateWriter.Write(Template()));

        var upload = new ActualsWorkbookReader(Limits).Read(path, "FO-ETJANST.xlsx").Upload!;

        Assert.NotNull(upload);
        Assert.Equal(new ActualsColumns("A", "B", "C", "D", "E", "F", "G"), upload.Columns);
        Assert.Equal(("FO-ETJANST", "forvaltare.etjanst@nacka.se"), (upload.ObjectId, upload.ReportedBy));
        Assert.Equal(Template().Rows.Select(r => (r.InitiativeId, r.BenefitLine, Labels.Of(r.Type), (int?)r.Year, r.Reported, r.Comment)),
            upload.Rows.Select(r => (r.InitiativeId!, r.BenefitLine!, r.TypeText!, r.Year, r.Value, r.Comment)));
        Assert.Equal(Template().Rows.Select(r => SwedishNumberText(r.Planned)), upload.Rows.Select(r => r.PlannedText));
        Assert.Equal([true, false, false, false, false], upload.Rows.Select(r => r.IsReported));
        using var package = new ExcelPackage(new FileInfo(path));
        var about = package.Workbook.Worksheets["Om"];
        Assert.Equal(["Förvaltningsobjekt", "Namn", "Rapporterad av"], new[] { about.Cells["A1"].Text, about.Cells["A2"].Text, about.Cells["A3"].Text });
        Assert.Equal("E-tjänsteplattformen", about.Cells["B2"].Text);
        var instructions = string.Join("\n", Enumerable.Range(1, 20).Select(r => about.Cells[r, 1].Text));
        Assert.Contains("tom Utfall-cell", instructions);
        Assert.Contains("Skriv 0", instructions);
        Assert.Contains(".resultat.xlsx", instructions);
    }

    private static string SwedishNumberText(decimal value) => NackaInsights.Etl.Xlsx.SwedishNumber.Format(value);

    [Fact]
    public void Template_ProtectsItsSheets_LeavingOnlyUtfallAndKommentarOpen()
    {
        var path = Save(ActualsTemplateWriter.Write(Template()));

        using var package = new ExcelPackage(new FileInfo(path));
        var sheet = package.Workbook.Worksheets["Utfall"];
        Assert.True(sheet.Protection.IsProtected);
        Assert.True(package.Workbook.Worksheets["Om"].Protection.IsProtected);
        var unlocked = new List<string>();
        for (var r = 1; r <= 10; r++)
        {
            for (var c = 1; c <= 10; c++)
            {
                if (!sheet.Cells[r, c].Style.Locked)
                {
                    unlocked.Add(sheet.Cells[r, c].Address);
                }
            }
        }
        Assert.Equal(["F2", "G2", "F3", "G3", "F4", "G4", "F5", "G5", "F6", "G6"], unlocked);
        Assert.True(package.Workbook.Worksheets["Om"].Cells["B3"].Style.Locked);
    }

    [Fact]
    public void Template_GuardsUtfall_WithValidationMoneyAtLeastZeroAndScoresZeroToTen()
    {
        var path = Save(ActualsTemplateWriter.Write(Template()));

        using var package = new ExcelPackage(new FileInfo(path));
        var sheet = package.Workbook.Worksheets["Utfall"];
        var validations = sheet.DataValidations.Cast<IExcelDataValidationDecimal>()
            .Select(v => (v.Address.Address, v.Operator, v.Formula.Value, v.Formula2.Value, v.Error))
            .OrderBy(v => v.Address)
            .ToList();
        Assert.Equal(["F2:F3", "F4", "F5:F6"], validations.Select(v => v.Address));
        Assert.Equal(ExcelDataValidationOperator.greaterThanOrEqual, validations[0].Operator);
        Assert.Equal(0d, validations[0].Item3);
        Assert.Equal(ExcelDataValidationOperator.between, validations[1].Operator);
        Assert.Equal((0d, 10d), (validations[1].Item3!.Value, validations[1].Item4!.Value));
        Assert.Contains("0 eller mer", validations[0].Error);
        Assert.Contains("0 till 10", validations[1].Error);
        Assert.Equal("#,##0", sheet.Cells["F2"].Style.Numberformat.Format);
        Assert.Equal("0.0", sheet.Cells["F4"].Style.Numberformat.Format);
    }

    [Fact]
    public void Template_FreezesTheHeader_AndSetsColumnWidths_InTheSheetXml()
    {
        var bytes = ActualsTemplateWriter.Write(Template());

        var xml = SheetXml(bytes, "xl/worksheets/sheet1.xml");
        var pane = xml.Descendants(Main + "pane").Single();
        Assert.Equal(("1", "frozen", "A2"), ((string?)pane.Attribute("ySplit"), (string?)pane.Attribute("state"), (string?)pane.Attribute("topLeftCell")));
        Assert.NotNull(xml.Descendants(Main + "sheetProtection").SingleOrDefault());
        Assert.True(xml.Descendants(Main + "col").Count() >= 7);
    }

    [Fact]
    public void Template_WritesListedTextThatLooksLikeAFormula_AsText()
    {
        var bytes = ActualsTemplateWriter.Write(Template());

        var xml = SheetXml(bytes, "xl/worksheets/sheet1.xml");
        Assert.Empty(xml.Descendants(Main + "f"));
        using var package = new ExcelPackage(new MemoryStream(bytes));
        var sheet = package.Workbook.Worksheets["Utfall"];
        Assert.Equal("-Frigjord tid", sheet.Cells["B6"].Value);
        Assert.True(sheet.Cells["B6"].Style.QuotePrefix);
        Assert.Equal("@kontakt +1", sheet.Cells["G6"].Value);
        Assert.True(sheet.Cells["G6"].Style.QuotePrefix);
        Assert.False(sheet.Cells["B2"].Style.QuotePrefix);
    }

    [Fact]
    public void Template_IsTheSameBytes_EveryTime()
    {
        Assert.Equal(ActualsTemplateWriter.Write(Template()), ActualsTemplateWriter.Write(Template()));
    }

    [Fact]
    public void Template_FilledAsAUserWould_ReadsBackWithTheValuesTyped()
    {
        var path = Save(ActualsTemplateWriter.Write(Template()));
        using (var package = new ExcelPackage(new FileInfo(path)))
        {
            var sheet = package.Workbook.Worksheets["Utfall"];
            sheet.Cells["F2"].Value = null;            // a value reported earlier, cleared
            sheet.Cells["F3"].Value = 7_100m;
            sheet.Cells["G3"].Value = "Fler avtal signerades digitalt";
            sheet.Cells["F4"].Value = 1.5;
            sheet.Cells["F5"].Value = 0;               // a reported zero
            sheet.Cells["F6"].Value = "64 500";        // typed as text, the Swedish way
            sheet.Cells["G6"].Value = "=HYPERLINK(\"http://example.invalid\",\"klicka\")";
            package.Save();
        }

        var upload = new ActualsWorkbookReader(Limits).Read(path, "FO-ETJANST.xlsx").Upload!;

        Assert.Equal([null, 7_100m, 1.5m, 0m, 64_500m], upload.Rows.Select(r => r.Value));
        Assert.Equal([false, true, true, true, true], upload.Rows.Select(r => r.IsReported));
        Assert.Equal("Fler avtal signerades digitalt", upload.Rows[1].Comment);
        Assert.Equal("=HYPERLINK(\"http://example.invalid\",\"klicka\")", upload.Rows[4].Comment);
        Assert.Equal("forvaltare.etjanst@nacka.se", upload.ReportedBy);
    }

    [Fact]
    public void Template_WithoutRows_StillHasItsHeaderAndReadsBackEmpty()
    {
        var path = Save(ActualsTemplateWriter.Write(new ActualsTemplate("FO-BOKNING", null, null, [])));

        var result = new ActualsWorkbookReader(Limits).Read(path, "x.xlsx");

        Assert.Empty(result.FileProblems);
        Assert.Empty(result.Upload!.Rows);
        Assert.Equal("FO-BOKNING", result.Upload.ObjectId);
    }

    internal static XDocument SheetXml(byte[] workbook, string part)
    {
        using var zip = new ZipArchive(new MemoryStream(workbook), ZipArchiveMode.Read);
        using var stream = zip.GetEntry(part)!.Open();
        return XDocument.Load(stream);
    }
}
