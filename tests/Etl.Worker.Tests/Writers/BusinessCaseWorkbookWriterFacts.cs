using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;
using OfficeOpenXml.DataValidation;
using OfficeOpenXml.DataValidation.Contracts;

namespace NackaInsights.Etl.Tests.Writers;

/// <summary>The business case workbook as the writer makes it: the template and filled drafts, read back by the reader.</summary>
public sealed class BusinessCaseWorkbookWriterFacts
{
    private static readonly WorkbookLimits Limits = new();

    [Fact]
    public void WriteTemplate_WritesTheSheetKänslighet_WithItsHeader_ANumericValidationWithoutDropDown_AndAnInstructionBesideIt()
    {
        using var template = new MemoryStream();
        BusinessCaseWorkbookWriter.WriteTemplate(template, 2025);
        template.Position = 0;
        using var package = new ExcelPackage(template);

        var sheet = package.Workbook.Worksheets["Känslighet"];
        Assert.NotNull(sheet);
        Assert.Equal(["Post", "Lägsta", "Högsta"], Enumerable.Range(1, 3).Select(c => sheet.Cells[1, c].Text));
        Assert.Null(sheet.Cells[2, 1].Value);
        var validation = Assert.IsAssignableFrom<IExcelDataValidationDecimal>(Assert.Single(sheet.DataValidations));
        Assert.Equal("B2:C51", validation.Address.Address);
        Assert.Equal(ExcelDataValidationOperator.between, validation.Operator);
        Assert.Equal(0.0, validation.Formula.Value);
        Assert.Equal(1000.0, validation.Formula2.Value);
        Assert.True(validation.ShowErrorMessage);
        Assert.False(string.IsNullOrEmpty(validation.Prompt));
        // The instruction stands in column E, beside the table, where it does not end or extend it.
        Assert.StartsWith("Så fyller du i bladet Känslighet", sheet.Cells["E1"].Text);
        Assert.True(Enumerable.Range(2, 50).All(r => sheet.Cells[r, 1].Value is null && sheet.Cells[r, 4].Value is null));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_ReadsADraftWrittenByTheWriter_WithEveryLineAt100And100_AsThreeEqualCases(bool numbersAsText)
    {
        var draft = ContractDraft();

        var result = Read(WriteDraft(draft, new WorkbookStyle(NegativeCosts: numbersAsText, NumbersAsSwedishText: numbersAsText)));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var bc = result.BusinessCase!;
        // Every cost line and every SEK benefit line, in the workbook's order; the Förflyttning line is not listed.
        Assert.Equal(
            [("Införande", "Kostnad"), ("Drift", "Kostnad"), ("Frigjord tid", "Nytta"), ("Minskat porto", "Nytta")],
            bc.Sensitivity.Select(s => (s.LineName, s.LineKind)));
        Assert.All(bc.Sensitivity, s => Assert.Equal((100m, 100m), (s.LowPercent, s.HighPercent)));
        var figures = SensitivityCalculator.Calculate(bc, 0.03m);
        var expected = BusinessCaseCalculator.Calculate(bc, 0.03m).Summary;
        Assert.Equal(expected.NetPresentValue, figures.Pessimistic.NetPresentValue);
        Assert.Equal(expected.NetPresentValue, figures.Optimistic.NetPresentValue);
        Assert.Equal(expected.PaybackYear, figures.Pessimistic.PaybackYear);
        Assert.All(figures.Lines, l => Assert.Equal(0m, l.NpvSwing));
    }

    [Fact]
    public void Write_LeavesTheSheetOut_ForAWorkbookMadeBeforeItExisted()
    {
        var result = Read(WriteDraft(ContractDraft(), new WorkbookStyle(WithoutSensitivitySheet: true)));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Empty(result.BusinessCase!.Sensitivity);
    }

    // ---- Helpers ----

    private static BusinessCaseReadResult Read(byte[] bytes)
    {
        using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), Limits);
        return new BusinessCaseWorkbookReader(Limits).Read(workbook, "DIG-2024-031.xlsx");
    }

    /// <summary>Two cost lines share a name (the sheet Kostnader allows it), and a Förflyttning line has no money to vary.</summary>
    private static BusinessCaseDraft ContractDraft() => new(
        "DIG-2024-031", "Digital besöksbokning", "Stadsledningskontoret", "kalle.exempel@nacka.se", null,
        ["Maximalt värde för skattepengarna"], "utkast", 2024, 2026,
        [
            new("Införande", CostCategory.Investment, new Dictionary<int, decimal> { [2024] = 300_000 }),
            new("Drift", CostCategory.Operating, new Dictionary<int, decimal> { [2025] = 50_000, [2026] = 50_000 }),
            new("drift", CostCategory.Investment, new Dictionary<int, decimal> { [2025] = 5_000 }),
        ],
        [
            new("Frigjord tid", BenefitType.Redistribution, new Dictionary<int, decimal> { [2025] = 200_000, [2026] = 200_000 }),
            new("Nöjdare besökare", BenefitType.Movement, new Dictionary<int, decimal> { [2025] = 2.5m }),
            new("Minskat porto", BenefitType.Financial, new Dictionary<int, decimal> { [2026] = 10_000 }),
        ]);

    private static byte[] WriteDraft(BusinessCaseDraft draft, WorkbookStyle? style = null)
    {
        using var output = new MemoryStream();
        BusinessCaseWorkbookWriter.Write(output, draft, style);
        return output.ToArray();
    }
}
