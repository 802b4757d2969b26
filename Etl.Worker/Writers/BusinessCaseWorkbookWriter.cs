using System.Drawing;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;
using OfficeOpenXml.DataValidation;
using OfficeOpenXml.Style;

namespace NackaInsights.Etl.Writers;

/// <summary>
/// Writes business case workbooks with EPPlus 4.5.3.3: the empty template a initiative owner fills
/// in, and filled ones for the demo. Column widths are set, never auto-fitted (that needs GDI+).
/// </summary>
public static class BusinessCaseWorkbookWriter
{
    private const string MoneyFormat = "# ##0 \"kr\";-# ##0 \"kr\";0 \"kr\"";
    private const string ScoreFormat = "0.0#";
    private static readonly Color HeaderFill = Color.FromArgb(0x1F, 0x4E, 0x79);
    private static readonly Color InputFill = Color.FromArgb(0xFF, 0xF8, 0xE1);

    /// <summary>The empty template: every label, the header rows, validation and instructions.</summary>
    public static void WriteTemplate(Stream output, int firstYear, int years = 8) =>
        Write(output, null, firstYear, firstYear + years - 1, new WorkbookStyle());

    public static void Write(Stream output, BusinessCaseDraft draft, WorkbookStyle? style = null) =>
        Write(output, draft, draft.FirstYear, draft.LastYear, style ?? new WorkbookStyle());

    private static void Write(Stream output, BusinessCaseDraft? draft, int firstYear, int lastYear, WorkbookStyle style)
    {
        using var package = new ExcelPackage();
        package.Workbook.Properties.Title = draft is null ? "Nyttokalkyl" : $"Nyttokalkyl {draft.InitiativeId}";
        package.Workbook.Properties.Author = "NackaInsights";
        package.Workbook.Properties.Created = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        WriteInitiative(package.Workbook.Worksheets.Add(BusinessCaseWorkbookReader.InitiativeSheet), draft);
        var years = Enumerable.Range(firstYear, lastYear - firstYear + 1).ToList();
        WriteTable(package.Workbook.Worksheets.Add(BusinessCaseWorkbookReader.CostSheet), "Kostnadspost", "Kategori", years,
            [Labels.Investment, Labels.Operating],
            draft?.Costs.Select(c => (c.Name, Labels.Of(c.Category), c.Amounts, false)).ToList() ?? [],
            style, isCost: true);
        WriteTable(package.Workbook.Worksheets.Add(BusinessCaseWorkbookReader.BenefitSheet), "Nyttopost", "Typ", years,
            [Labels.Financial, Labels.Redistribution, Labels.Movement],
            draft?.Benefits.Select(b => (b.Name, Labels.Of(b.Type), b.Amounts, b.Type == BenefitType.Movement)).ToList() ?? [],
            style, isCost: false);
        if (style.ExtraSheet is not null)
        {
            var extra = package.Workbook.Worksheets.Add(style.ExtraSheet);
            extra.Cells["A1"].Value = "Egen sammanställning";
            extra.Cells["A2"].Value = "Det här bladet läses inte av NackaInsights.";
        }
        WriteInstructions(package.Workbook.Worksheets.Add("Instruktioner"));
        package.SaveAs(output);
    }

    private static void WriteInitiative(ExcelWorksheet sheet, BusinessCaseDraft? draft)
    {
        (string Label, string? Value, string Help)[] rows =
        [
            ("Initiativ-ID", draft?.InitiativeId, "Samma ID som i SharePoint-listan Initiativ, t.ex. DIG-2023-014. Obligatoriskt."),
            ("Namn", draft?.Name, "Initiativets namn. Obligatoriskt."),
            ("Verksamhet", draft?.Unit, "Verksamheten som äger initiativet, t.ex. Välfärd skola. Obligatoriskt."),
            ("Ägare", draft?.OwnerEmail, "Ägarens e-postadress. Obligatoriskt."),
            ("Förvaltningsobjekt", draft?.ObjectId, "Förvaltningsobjektets ID, om initiativet hör till ett."),
            ("Strategiska mål", draft is null ? null : string.Join("; ", draft.GoalNames),
                "Ett eller flera av: " + string.Join("; ", StrategicGoals.All.Select(g => g.Name)) + ". Skilj med semikolon."),
            ("Kalkylversion", draft?.VersionLabel, "En versionsbeteckning eller ett datum. Den senast inlästa versionen gäller."),
        ];
        for (var i = 0; i < rows.Length; i++)
        {
            var r = i + 1;
            sheet.Cells[r, 1].Value = rows[i].Label;
            sheet.Cells[r, 1].Style.Font.Bold = true;
            sheet.Cells[r, 2].Value = rows[i].Value;
            sheet.Cells[r, 2].Style.Fill.PatternType = ExcelFillStyle.Solid;
            sheet.Cells[r, 2].Style.Fill.BackgroundColor.SetColor(InputFill);
            sheet.Cells[r, 3].Value = rows[i].Help;
            sheet.Cells[r, 3].Style.Font.Italic = true;
            sheet.Cells[r, 3].Style.Font.Color.SetColor(Color.DimGray);
        }
        sheet.Column(1).Width = 22;
        sheet.Column(2).Width = 48;
        sheet.Column(3).Width = 90;
    }

    private static void WriteTable(
        ExcelWorksheet sheet,
        string nameHeader,
        string kindHeader,
        List<int> years,
        string[] kinds,
        List<(string Name, string Kind, IReadOnlyDictionary<int, decimal> Amounts, bool IsScore)> lines,
        WorkbookStyle style,
        bool isCost)
    {
        sheet.Cells[1, 1].Value = nameHeader;
        sheet.Cells[1, 2].Value = kindHeader;
        for (var i = 0; i < years.Count; i++)
        {
            sheet.Cells[1, 3 + i].Value = years[i];
        }
        using (var header = sheet.Cells[1, 1, 1, 2 + years.Count])
        {
            header.Style.Font.Bold = true;
            header.Style.Font.Color.SetColor(Color.White);
            header.Style.Fill.PatternType = ExcelFillStyle.Solid;
            header.Style.Fill.BackgroundColor.SetColor(HeaderFill);
        }

        for (var l = 0; l < lines.Count; l++)
        {
            var row = l + 2;
            var line = lines[l];
            sheet.Cells[row, 1].Value = line.Name;
            sheet.Cells[row, 2].Value = line.Kind;
            for (var i = 0; i < years.Count; i++)
            {
                if (!line.Amounts.TryGetValue(years[i], out var amount) || amount == 0)
                {
                    continue;
                }
                var value = isCost && style.NegativeCosts ? -amount : amount;
                var cell = sheet.Cells[row, 3 + i];
                if (style.NumbersAsSwedishText)
                {
                    cell.Value = line.IsScore ? SwedishNumber.Format(value) : SwedishNumber.Format(value) + " kr";
                }
                else
                {
                    cell.Value = value;
                    cell.Style.Numberformat.Format = line.IsScore ? ScoreFormat : MoneyFormat;
                }
            }
        }

        // Room for 50 lines, with the choices offered as a list and the amounts formatted.
        const int lastInputRow = 51;
        var kindRange = sheet.Cells[2, 2, lastInputRow, 2];
        var validation = sheet.DataValidations.AddListValidation(kindRange.Address);
        foreach (var kind in kinds)
        {
            validation.Formula.Values.Add(kind);
        }
        validation.ShowErrorMessage = true;
        validation.ErrorStyle = ExcelDataValidationWarningStyle.stop;
        validation.ErrorTitle = kindHeader;
        validation.Error = $"Välj en av: {string.Join(", ", kinds)}.";
        if (!style.NumbersAsSwedishText)
        {
            using var amounts = sheet.Cells[2 + lines.Count, 3, lastInputRow, 2 + years.Count];
            amounts.Style.Numberformat.Format = isCost ? MoneyFormat : "# ##0.##";
        }

        sheet.View.FreezePanes(2, 3);
        sheet.Column(1).Width = 40;
        sheet.Column(2).Width = 16;
        for (var i = 0; i < years.Count; i++)
        {
            sheet.Column(3 + i).Width = 14;
        }
    }

    private static void WriteInstructions(ExcelWorksheet sheet)
    {
        string[] lines =
        [
            "Så fyller du i nyttokalkylen",
            "",
            "Bladet Initiativ: fyll i värdet i kolumn B för varje etikett i kolumn A.",
            "Bladet Kostnader: en rad per kostnadspost. Kategori är Investering (grundläggande investering) eller Förvaltning (förvaltningskostnad).",
            "  Belopp i kronor per år. Skriv kostnader antingen alla positiva eller alla negativa. En tom cell är 0.",
            "Bladet Nyttor: en rad per nyttopost, med unika namn. Typ är Finansiell (kronor), Omfördelning (frigjord tid värderad i kronor)",
            "  eller Förflyttning (en poäng 0–10 per år för nytta som inte är pengar). Nyttor är belopp ≥ 0.",
            "Rad 1 i Kostnader och Nyttor har år i följd från kolumn C. En tom rad avslutar tabellen.",
            "Objektsförvaltaren rapporterar senare utfallet per nyttopost och år; byt därför inte namn på nyttoposter i onödan.",
            "",
            "Det här bladet och andra egna blad läses inte.",
        ];
        for (var i = 0; i < lines.Length; i++)
        {
            sheet.Cells[i + 1, 1].Value = lines[i];
        }
        sheet.Cells[1, 1].Style.Font.Bold = true;
        sheet.Cells[1, 1].Style.Font.Size = 14;
        sheet.Column(1).Width = 140;
    }
}
