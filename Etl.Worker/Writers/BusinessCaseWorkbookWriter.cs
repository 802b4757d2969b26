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
        if (!style.WithoutSensitivitySheet)
        {
            WriteSensitivity(package.Workbook.Worksheets.Add(BusinessCaseWorkbookReader.SensitivitySheet), draft, style);
        }
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

    /// <summary>
    /// The sheet Känslighet: every cost and SEK benefit line of the draft by name, at its low and high or at 100 and 100;
    /// the template, which has no lines, gets the header only. The names are written as values, not as formulas referring
    /// to Kostnader and Nyttor: a formula has no cached value until a spreadsheet program recalculates (EPPlus writes none),
    /// pre-listed formulas for lines not yet typed would be rows of values without a name, and a row inserted or sorted in
    /// Kostnader would silently change which line a row varies.
    /// </summary>
    private static void WriteSensitivity(ExcelWorksheet sheet, BusinessCaseDraft? draft, WorkbookStyle style)
    {
        sheet.Cells[1, 1].Value = "Post";
        sheet.Cells[1, 2].Value = "Lägsta";
        sheet.Cells[1, 3].Value = "Högsta";
        using (var header = sheet.Cells[1, 1, 1, 3])
        {
            header.Style.Font.Bold = true;
            header.Style.Font.Color.SetColor(Color.White);
            header.Style.Fill.PatternType = ExcelFillStyle.Solid;
            header.Style.Fill.BackgroundColor.SetColor(HeaderFill);
        }

        var lines = new List<(string Name, BusinessCaseDraft.Percent? Low, BusinessCaseDraft.Percent? High)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Cost lines may share a name; the sheet lists such a name once, and its row applies to all of them.
        foreach (var cost in draft?.Costs ?? [])
        {
            if (names.Add(cost.Name.Trim()))
            {
                lines.Add((cost.Name, cost.Low, cost.High));
            }
        }
        foreach (var benefit in draft?.Benefits ?? [])
        {
            if (benefit.Type != BenefitType.Movement && names.Add(benefit.Name.Trim()))
            {
                lines.Add((benefit.Name, benefit.Low, benefit.High));
            }
        }
        for (var l = 0; l < lines.Count; l++)
        {
            var row = l + 2;
            sheet.Cells[row, 1].Value = lines[l].Name;
            SetPercent(sheet.Cells[row, 2], lines[l].Low);
            SetPercent(sheet.Cells[row, 3], lines[l].High);
        }

        void SetPercent(ExcelRange cell, BusinessCaseDraft.Percent? percent)
        {
            var value = percent?.Value ?? SensitivityLine.Expected;
            cell.Value = percent?.AsTyped is { } typed ? typed
                : style.NumbersAsSwedishText ? SwedishNumber.Format(value) + " %"
                : value;
        }

        // The same room as Kostnader and Nyttor; a number is the percentage itself (70 = 70 %), so no drop-down, only a range.
        const int lastInputRow = 51;
        var validation = sheet.DataValidations.AddDecimalValidation(sheet.Cells[2, 2, lastInputRow, 3].Address);
        validation.Operator = ExcelDataValidationOperator.between;
        validation.Formula.Value = 0;
        validation.Formula2.Value = (double)SensitivityLine.MaxPercent;
        validation.AllowBlank = true;
        validation.ShowErrorMessage = true;
        validation.ErrorStyle = ExcelDataValidationWarningStyle.stop;
        validation.ErrorTitle = "Procentsats";
        validation.Error = "Skriv en procentsats mellan 0 och 1000. Lägsta är högst 100, Högsta minst 100.";
        validation.ShowInputMessage = true;
        validation.PromptTitle = "Lägsta och Högsta";
        validation.Prompt = "Procent av postens belopp, samma alla år: 100 = som i kalkylen. Lägsta 0–100, Högsta 100–1000.";
        using (var input = sheet.Cells[2, 2, lastInputRow, 3])
        {
            input.Style.Fill.PatternType = ExcelFillStyle.Solid;
            input.Style.Fill.BackgroundColor.SetColor(InputFill);
        }

        // Beside the table, not below it: the reader reads columns A–C only, and an empty row ends the table.
        string[] help =
        [
            "Så fyller du i bladet Känslighet",
            "En rad per kostnadspost eller nyttopost i kronor, med namnet som på bladet Kostnader eller Nyttor.",
            "Lägsta och Högsta är procent av postens belopp, samma alla år: 80 betyder 80 % (80, 80 % och 80% betyder samma sak).",
            "Lägsta är 0–100 och Högsta 100–1000. En post som inte står här räknas som säker (100 och 100).",
            "Förflyttningsposter (poäng) står inte här. En tom rad avslutar tabellen.",
        ];
        for (var i = 0; i < help.Length; i++)
        {
            sheet.Cells[i + 1, 5].Value = help[i];
            sheet.Cells[i + 1, 5].Style.Font.Italic = i > 0;
            sheet.Cells[i + 1, 5].Style.Font.Bold = i == 0;
            sheet.Cells[i + 1, 5].Style.Font.Color.SetColor(Color.DimGray);
        }

        sheet.View.FreezePanes(2, 2);
        sheet.Column(1).Width = 40;
        sheet.Column(2).Width = 12;
        sheet.Column(3).Width = 12;
        sheet.Column(4).Width = 4;
        sheet.Column(5).Width = 100;
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
            "Bladet Känslighet (frivilligt): lägsta och högsta fallet per post i kronor, i procent av postens belopp (100 = som i kalkylen).",
            "  Lägsta 0–100, Högsta 100–1000. En post som inte står där räknas som säker. Ta bort bladet om du inte vill ange några fall.",
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
