using System.Drawing;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;
using OfficeOpenXml.DataValidation;
using OfficeOpenXml.Style;

namespace NackaInsights.Etl.Writers;

/// <summary>What the pre-filled actuals workbook of one förvaltningsobjekt holds.</summary>
/// <param name="ObjectId">The förvaltningsobjekt's id (sheet Om).</param>
/// <param name="ObjectName">Its name, shown for the reader's sake.</param>
/// <param name="ReportedBy">The objektsförvaltare's e-mail address (sheet Om, <c>Rapporterad av</c>).</param>
/// <param name="Rows">One per initiative, benefit line and year, in the order they are written.</param>
public sealed record ActualsTemplate(string ObjectId, string? ObjectName, string? ReportedBy, IReadOnlyList<ActualsTemplateRow> Rows)
{
    /// <summary>The template of an object as the warehouse last published it: every current benefit line and year, with what was reported.</summary>
    public static ActualsTemplate From(Warehouse.Loading.ActualsTemplateData data) => new(
        data.ObjectId,
        data.ObjectName,
        data.ManagerEmail,
        data.Rows
            .Select(r => new ActualsTemplateRow(
                r.InitiativeId, r.InitiativeName, r.BenefitLine,
                Labels.TryParseBenefitType(r.BenefitType, out var type) ? type : throw new InvalidOperationException($"The warehouse holds an unknown benefit type \"{r.BenefitType}\"."),
                r.Year, r.Planned, r.Reported, r.Comment))
            .ToList());
}

/// <summary>One row of the sheet Utfall: a benefit line of a current business case and a year.</summary>
/// <param name="Planned">The planned value, for reference.</param>
/// <param name="Reported">The value already reported, pre-filled; null when none is.</param>
/// <param name="Comment">The comment kept with the reported value.</param>
public sealed record ActualsTemplateRow(
    string InitiativeId,
    string? InitiativeName,
    string BenefitLine,
    BenefitType Type,
    int Year,
    decimal Planned,
    decimal? Reported = null,
    string? Comment = null);

/// <summary>
/// Writes the pre-filled actuals workbook (actuals-workbook.md) with EPPlus 4.5.3.3: the sheet Utfall,
/// protected, with only Utfall and Kommentar open for input and Utfall guarded by data validation, and
/// the sheet Om with the object, the reporter and instructions. Deterministic: the same template gives
/// the same bytes. Column widths are set, never auto-fitted (that needs GDI+).
/// </summary>
public static class ActualsTemplateWriter
{
    public const string MoneyFormat = "#,##0";
    public const string ScoreFormat = "0.0";

    internal static readonly Color HeaderFill = Color.FromArgb(0x1F, 0x4E, 0x79);
    internal static readonly Color InputFill = Color.FromArgb(0xFF, 0xF8, 0xE1);

    private const int InitiativeColumn = 1;
    private const int LineColumn = 2;
    private const int TypeColumn = 3;
    private const int YearColumn = 4;
    private const int PlannedColumn = 5;
    private const int ValueColumn = 6;
    private const int CommentColumn = 7;

    public static byte[] Write(ActualsTemplate template)
    {
        using var buffer = new MemoryStream();
        Write(buffer, template);
        return DeterministicZip.Normalize(buffer.ToArray());
    }

    /// <summary>Writes the workbook as EPPlus saves it (not normalised; <see cref="Write(ActualsTemplate)"/> is).</summary>
    public static void Write(Stream output, ActualsTemplate template)
    {
        using var package = new ExcelPackage();
        package.Workbook.Properties.Title = $"Nyttouppföljning {template.ObjectId}";
        package.Workbook.Properties.Author = "NackaInsights";
        package.Workbook.Properties.Created = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        WriteValues(package.Workbook.Worksheets.Add(ActualsWorkbookReader.ValuesSheet), template.Rows);
        WriteAbout(package.Workbook.Worksheets.Add(ActualsWorkbookReader.AboutSheet), template);
        package.SaveAs(output);
    }

    private static void WriteValues(ExcelWorksheet sheet, IReadOnlyList<ActualsTemplateRow> rows)
    {
        var headers = ActualsWorkbookReader.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            sheet.Cells[1, i + 1].Value = headers[i];
        }
        using (var header = sheet.Cells[1, 1, 1, headers.Count])
        {
            header.Style.Font.Bold = true;
            header.Style.Font.Color.SetColor(Color.White);
            header.Style.Fill.PatternType = ExcelFillStyle.Solid;
            header.Style.Fill.BackgroundColor.SetColor(HeaderFill);
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var r = i + 2;
            var row = rows[i];
            var format = row.Type == BenefitType.Movement ? ScoreFormat : MoneyFormat;
            SafeText.Write(sheet.Cells[r, InitiativeColumn], row.InitiativeId);
            SafeText.Write(sheet.Cells[r, LineColumn], row.BenefitLine);
            sheet.Cells[r, TypeColumn].Value = Labels.Of(row.Type);
            sheet.Cells[r, YearColumn].Value = row.Year;
            sheet.Cells[r, PlannedColumn].Value = row.Planned;
            sheet.Cells[r, PlannedColumn].Style.Numberformat.Format = format;
            sheet.Cells[r, PlannedColumn].Style.Font.Color.SetColor(Color.DimGray);
            if (row.Reported is { } reported)
            {
                sheet.Cells[r, ValueColumn].Value = reported;
            }
            sheet.Cells[r, ValueColumn].Style.Numberformat.Format = format;
            SafeText.Write(sheet.Cells[r, CommentColumn], row.Comment);
            if (row.InitiativeName is not null)
            {
                // The name shows when the pointer rests on the id (a note is never a formula); the sheet keeps the contract's columns only.
                sheet.Cells[r, InitiativeColumn].AddComment(row.InitiativeName, "NackaInsights");
            }
        }

        if (rows.Count > 0)
        {
            using var input = sheet.Cells[2, ValueColumn, rows.Count + 1, CommentColumn];
            input.Style.Locked = false;
            input.Style.Fill.PatternType = ExcelFillStyle.Solid;
            input.Style.Fill.BackgroundColor.SetColor(InputFill);
            sheet.Cells[2, CommentColumn, rows.Count + 1, CommentColumn].Style.WrapText = true;
            AddValidations(sheet, rows);
        }

        sheet.View.FreezePanes(2, 1);
        sheet.Column(InitiativeColumn).Width = 16;
        sheet.Column(LineColumn).Width = 40;
        sheet.Column(TypeColumn).Width = 15;
        sheet.Column(YearColumn).Width = 8;
        sheet.Column(PlannedColumn).Width = 14;
        sheet.Column(ValueColumn).Width = 14;
        sheet.Column(CommentColumn).Width = 60;

        Protect(sheet);
    }

    /// <summary>Decimal ≥ 0 on money rows and 0–10 on Förflyttning rows, one validation per run of alike rows.</summary>
    private static void AddValidations(ExcelWorksheet sheet, IReadOnlyList<ActualsTemplateRow> rows)
    {
        var start = 0;
        for (var i = 1; i <= rows.Count; i++)
        {
            var isScore = rows[start].Type == BenefitType.Movement;
            if (i < rows.Count && (rows[i].Type == BenefitType.Movement) == isScore)
            {
                continue;
            }
            var address = ExcelCellBase.GetAddress(start + 2, ValueColumn, i + 1, ValueColumn);
            var validation = sheet.DataValidations.AddDecimalValidation(address);
            validation.AllowBlank = true;
            validation.ShowErrorMessage = true;
            validation.ErrorStyle = ExcelDataValidationWarningStyle.stop;
            validation.ErrorTitle = "Utfall";
            validation.ShowInputMessage = true;
            validation.PromptTitle = "Utfall";
            if (isScore)
            {
                validation.Operator = ExcelDataValidationOperator.between;
                validation.Formula.Value = 0;
                validation.Formula2.Value = 10;
                validation.Error = "Utfallet för Förflyttning är en poäng från 0 till 10. Lämna cellen tom om du inte rapporterar något.";
                validation.Prompt = "En poäng 0–10. Tom = inte rapporterat.";
            }
            else
            {
                validation.Operator = ExcelDataValidationOperator.greaterThanOrEqual;
                validation.Formula.Value = 0;
                validation.Error = "Utfallet är ett belopp i kronor, 0 eller mer. Lämna cellen tom om du inte rapporterar något.";
                validation.Prompt = "Kronor, 0 eller mer. Tom = inte rapporterat.";
            }
            start = i;
        }
    }

    private static void WriteAbout(ExcelWorksheet sheet, ActualsTemplate template)
    {
        var r = 1;
        void Pair(string label, string? value)
        {
            sheet.Cells[r, 1].Value = label;
            sheet.Cells[r, 1].Style.Font.Bold = true;
            SafeText.Write(sheet.Cells[r, 2], value);
            r++;
        }
        Pair(ActualsWorkbookReader.ObjectLabel, template.ObjectId);
        Pair("Namn", template.ObjectName);
        Pair(ActualsWorkbookReader.ReportedByLabel, template.ReportedBy);
        r++;

        string[] instructions =
        [
            "Så rapporterar du utfall",
            "Bladet Utfall har en rad per initiativ, nyttopost och år i förvaltningsobjektets gällande nyttokalkyler. Planerat visar kalkylens värde.",
            "Fyll i Utfall: det som faktiskt realiserades, i kronor för Finansiell och Omfördelning, som en poäng 0–10 för Förflyttning.",
            "En tom Utfall-cell betyder att inget rapporteras för raden; den läses inte som 0. Skriv 0 om utfallet faktiskt var noll.",
            "Kommentar är frivillig och sparas med värdet. Redan rapporterade värden står ifyllda; ett nytt värde ersätter det gamla, som sparas som historik.",
            "Ladda upp arbetsboken i dokumentbiblioteket för nyttouppföljning (eller mappen actuals/). Byt gärna filnamn, men inte blad- eller kolumnnamn.",
            "Efter inläsningen kommer <filnamn>.resultat.xlsx tillbaka bredvid filen, med resultatet rad för rad: Inläst, eller varför raden avvisades.",
        ];
        sheet.Cells[r, 1].Value = instructions[0];
        sheet.Cells[r, 1].Style.Font.Bold = true;
        sheet.Cells[r, 1].Style.Font.Size = 13;
        r++;
        foreach (var line in instructions.Skip(1))
        {
            sheet.Cells[r++, 1].Value = line;
        }

        var initiatives = template.Rows
            .GroupBy(row => row.InitiativeId, StringComparer.OrdinalIgnoreCase)
            .Select(g => (Id: g.First().InitiativeId, Name: g.Select(x => x.InitiativeName).FirstOrDefault(n => n is not null)))
            .ToList();
        if (initiatives.Count > 0)
        {
            r++;
            sheet.Cells[r, 1].Value = "Initiativ i arbetsboken";
            sheet.Cells[r, 1].Style.Font.Bold = true;
            r++;
            foreach (var (id, name) in initiatives)
            {
                SafeText.Write(sheet.Cells[r, 1], id);
                SafeText.Write(sheet.Cells[r, 2], name);
                r++;
            }
        }
        sheet.Column(1).Width = 22;
        sheet.Column(2).Width = 50;
        Protect(sheet);
    }

    /// <summary>No password: the protection guards against slips, not people.</summary>
    private static void Protect(ExcelWorksheet sheet)
    {
        sheet.Protection.IsProtected = true;
        sheet.Protection.AllowSelectLockedCells = true;
        sheet.Protection.AllowSelectUnlockedCells = true;
        sheet.Protection.AllowFormatColumns = true;
        sheet.Protection.AllowFormatRows = true;
    }
}
