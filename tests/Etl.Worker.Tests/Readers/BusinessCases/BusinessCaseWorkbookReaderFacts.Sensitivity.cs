using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;

namespace NackaInsights.Etl.Tests.Readers.BusinessCases;

/// <summary>The optional sheet Känslighet (business-case-workbook.md): the low and the high case of each SEK line.</summary>
public sealed partial class BusinessCaseWorkbookReaderFacts
{
    private static readonly object?[] SensitivityHeader = ["Post", "Lägsta", "Högsta"];

    // ---- What is accepted ----

    [Fact]
    public void Read_WithoutTheSheetKänslighet_ListsNoLine_AndTheThreeCasesAreEqual()
    {
        var result = Read(ContractWorkbooks.Reference());

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var bc = result.BusinessCase!;
        Assert.Empty(bc.Sensitivity);
        var figures = SensitivityCalculator.Calculate(bc, 0.03m);
        var expected = BusinessCaseCalculator.Calculate(bc, 0.03m).Summary;
        Assert.Equal(expected.NetPresentValue, figures.Pessimistic.NetPresentValue);
        Assert.Equal(expected.NetPresentValue, figures.Optimistic.NetPresentValue);
        Assert.Equal(-508_800m, figures.Pessimistic.NetBenefitTotal);
        Assert.Equal(-508_800m, figures.Optimistic.NetBenefitTotal);
        Assert.All(figures.Lines, l => Assert.Equal(0m, l.NpvSwing));
    }

    [Theory]
    [InlineData(70, "70", 70.0)]
    [InlineData("70", "70", 70.0)]
    [InlineData("70 %", "70 %", 70.0)]
    [InlineData("70%", "70%", 70.0)]
    [InlineData(" 62,5 % ", " 62,5 % ", 62.5)]
    [InlineData("62,5\u00A0%", "62,5\u00A0%", 62.5)]
    [InlineData(62.5, "62.5", 62.5)]
    public void Read_TakesAPercentage_AsANumberOrAsText_WithOrWithoutThePercentSign(object low, string rawText, double percent)
    {
        var expected = (decimal)percent;

        var result = Read(WithSensitivity(["Licens och införande", low, "130 %"]));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var line = Assert.Single(result.BusinessCase!.Sensitivity);
        Assert.Equal(new SensitivityLine(2, "Licens och införande", "Kostnad", expected, 130m, "B2", rawText, "C2", "130 %"), line);
    }

    [Fact]
    public void Read_TakesAFormula_WithItsCachedValue()
    {
        var result = Read(WithSensitivity(["Frigjord handläggartid", new RawXlsx.Formula("100-25", 75), new RawXlsx.Formula("D2*2", 110)]));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var line = Assert.Single(result.BusinessCase!.Sensitivity);
        Assert.Equal(("Nytta", 75m, 110m), (line.LineKind, line.LowPercent, line.HighPercent));
    }

    /// <summary>
    /// Typing "70 %" in Excel stores 0.7 in a cell formatted as a percentage: the reader takes what the user sees, 70.
    /// A format that only writes the sign in quotes (<c>0" %"</c>) shows the number itself, 70 for 70.
    /// </summary>
    [Fact]
    public void Read_TakesACellFormattedAsAPercentage_AsThePercentageItShows()
    {
        var bytes = WithEpplus(package =>
        {
            var sheet = package.Workbook.Worksheets.Add("Känslighet");
            sheet.Cells["A1"].Value = "Post";
            sheet.Cells["B1"].Value = "Lägsta";
            sheet.Cells["C1"].Value = "Högsta";
            sheet.Cells["A2"].Value = "Licens och införande";
            sheet.Cells["A3"].Value = "Frigjord handläggartid";
            sheet.Cells["B2"].Value = 0.7;
            sheet.Cells["B2"].Style.Numberformat.Format = "0%"; // built-in format 9
            sheet.Cells["C2"].Value = 1.255;
            sheet.Cells["C2"].Style.Numberformat.Format = "0.0 %"; // a custom format with an unquoted %
            sheet.Cells["B3"].Value = 80;
            sheet.Cells["B3"].Style.Numberformat.Format = "0\" %\""; // the sign in quotes: the number is the percentage
            sheet.Cells["C3"].Value = 1;
            sheet.Cells["C3"].Style.Numberformat.Format = "0.00%"; // built-in format 10
        });

        var result = Read(bytes);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(
            [("Licens och införande", 70m, 125.5m), ("Frigjord handläggartid", 80m, 100m)],
            result.BusinessCase!.Sensitivity.Select(s => (s.LineName, s.LowPercent, s.HighPercent)));
    }

    [Fact]
    public void Read_MatchesTheSheetAndItsNames_IgnoringCaseAndSurroundingSpaces_AndKeepsTheLinesSpelling()
    {
        var workbook = Reference()
            .Sheet(" KÄNSLIGHET ", [" post", "LÄGSTA ", "högsta"], ["  licens OCH införande ", 90, 120], ["frigjord HANDLÄGGARTID", 60, 110]);

        var result = Read(workbook);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(
            [("Licens och införande", "Kostnad"), ("Frigjord handläggartid", "Nytta")],
            result.BusinessCase!.Sensitivity.Select(s => (s.LineName, s.LineKind)));
    }

    [Fact]
    public void Read_AppliesOneRow_ToEveryCostLineOfThatName()
    {
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs = [.. costs, ["Drift och förvaltning", "Investering", 10_000]];

        var result = Read(WithSensitivity(costs, ["drift och förvaltning", 100, 200]));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var line = Assert.Single(result.BusinessCase!.Sensitivity);
        Assert.Equal(("Drift och förvaltning", "Kostnad"), (line.LineName, line.LineKind));
        // Both lines vary together: 645 000 + 10 000 = 655 000 kr more in the pessimistic case, at 200 % instead of 100 %.
        var figures = SensitivityCalculator.Calculate(result.BusinessCase, 0.03m);
        Assert.Equal(-508_800m - 10_000m - 655_000m, figures.Pessimistic.NetBenefitTotal);
    }

    [Fact]
    public void Read_EndsTheTableAtAnEmptyRow_AndReadsNothingBesideIt()
    {
        var workbook = Reference().Sheet("Känslighet",
            [.. SensitivityHeader, null, "Så fyller du i bladet"],
            ["Licens och införande", 90, 120, null, "En rad per post"],
            [null, null, null, null, "Lägsta 0–100"],
            ["Summa", "ca 80", new RawXlsx.Error("#REF!")]);

        var result = Read(workbook);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(["Licens och införande"], result.BusinessCase!.Sensitivity.Select(s => s.LineName));
    }

    [Fact]
    public void Read_AcceptsTheBoundsOfTheRange_0And100And1000()
    {
        var result = Read(WithSensitivity(["Licens och införande", 0, 1000], ["Frigjord handläggartid", 100, 100]));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal([(0m, 1000m), (100m, 100m)], result.BusinessCase!.Sensitivity.Select(s => (s.LowPercent, s.HighPercent)));
    }

    [Fact]
    public void Read_DoesNotCountTheRowsOfKänslighet_AsLines()
    {
        var result = Read(WithSensitivity(["Licens och införande", 90, 120], ["Frigjord handläggartid", 60, 110]));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        // The five lines of Kostnader and Nyttor, as BusinessCase.LineCount records a loaded file.
        Assert.Equal(5, result.RowsSeen);
    }

    // ---- The rules ----

    [Fact]
    public void Read_RejectsAnUnknownLine_AtItsNameCell()
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", 90, 120], ["Konsulter", 80, 150])));

        Assert.Equal("Känslighet!A3", problem.Location);
        Assert.Equal("Posten \"Konsulter\" finns inte som kostnadspost på bladet Kostnader eller som nyttopost på bladet Nyttor; skriv namnet som där.", problem.Message);
    }

    [Fact]
    public void Read_RejectsALineListedTwice_IgnoringCase()
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", 90, 120], ["LICENS OCH INFÖRANDE ", 80, 150])));

        Assert.Equal("Känslighet!A3", problem.Location);
        Assert.Equal("Posten \"LICENS OCH INFÖRANDE\" står redan på rad 2; varje post får stå en gång.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAFörflyttningLine()
    {
        var problem = SingleProblem(Read(WithSensitivity(["Enklare för medborgarna", 50, 150])));

        Assert.Equal("Känslighet!A2", problem.Location);
        Assert.Equal("Nyttoposten \"Enklare för medborgarna\" är av typen Förflyttning; en poäng har inga kronor att variera. Ta bort raden.", problem.Message);
    }

    [Fact]
    public void Read_RejectsANameThatIsBothACostAndABenefitLine_AsAmbiguous()
    {
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs = [.. costs, ["Frigjord Handläggartid", "Förvaltning", 1_000]];

        var problem = SingleProblem(Read(WithSensitivity(costs, ["Frigjord handläggartid", 60, 110])));

        Assert.Equal("Känslighet!A2", problem.Location);
        Assert.Contains("finns både som kostnadspost och som nyttopost", problem.Message);
    }

    [Theory]
    [InlineData(100.5, "Lägsta 100,5 % är över 100 %; lägsta fallet är högst kalkylens belopp (100 %).")]
    [InlineData("120 %", "Lägsta 120 % är över 100 %; lägsta fallet är högst kalkylens belopp (100 %).")]
    public void Read_RejectsALägstaAbove100(object low, string message)
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", 90, 120], ["Drift och förvaltning", low, 130])));

        Assert.Equal("Känslighet!B3", problem.Location);
        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData(99)]
    [InlineData("0,5")]
    public void Read_RejectsAHögstaBelow100(object high)
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", 90, high])));

        Assert.Equal("Känslighet!C2", problem.Location);
        Assert.EndsWith("% är under 100 %; högsta fallet är minst kalkylens belopp (100 %).", problem.Message);
    }

    [Theory]
    [InlineData(1, 1000.01, "C2", "1 000,01 % ligger utanför 0–1 000 %.")]
    [InlineData(1, "1 500 %", "C2", "1 500 % ligger utanför 0–1 000 %.")]
    [InlineData(0, -10, "B2", "-10 % ligger utanför 0–1 000 %.")]
    [InlineData(0, "-5%", "B2", "-5 % ligger utanför 0–1 000 %.")]
    [InlineData(1, 1e300, "C2", "\"1E+300\" ligger utanför 0–1 000 %.")]
    public void Read_RejectsAValueOutside0To1000(int column, object value, string cell, string message)
    {
        object?[] row = ["Licens och införande", 90, 120];
        row[1 + column] = value;

        var problem = SingleProblem(Read(WithSensitivity(row)));

        Assert.Equal($"Känslighet!{cell}", problem.Location);
        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData("ca 80")]
    [InlineData("80 kr")]
    [InlineData("%")]
    [InlineData("80 %%")]
    public void Read_RejectsTextThatIsNotANumber(string text)
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", text, 120])));

        Assert.Equal("Känslighet!B2", problem.Location);
        Assert.Equal($"\"{text}\" är inte en procentsats; skriv t.ex. 80 eller 80 %.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAnErrorValue_NeverReadingItAsZero()
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", new RawXlsx.Error("#DIV/0!"), 120])));

        Assert.Equal("Känslighet!B2", problem.Location);
        Assert.Equal("Cellen innehåller felvärdet #DIV/0!, inte en procentsats.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAMissingValue()
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", 90])));

        Assert.Equal("Känslighet!C2", problem.Location);
        Assert.Equal("Högsta saknas; skriv en procentsats, t.ex. 100 för kalkylens belopp.", problem.Message);
    }

    [Fact]
    public void Read_RejectsValuesWithoutAName()
    {
        var problem = SingleProblem(Read(WithSensitivity(["Licens och införande", 90, 120], [null, 80, 120])));

        Assert.Equal("Känslighet!A3", problem.Location);
        Assert.Equal("Post saknar namn, men raden har värden.", problem.Message);
    }

    [Theory]
    [InlineData(0, "Post")]
    [InlineData(1, "Lägsta")]
    [InlineData(2, "Högsta")]
    public void Read_RejectsAMissingHeader_AtItsCell(int column, string header)
    {
        var headerRow = (object?[])SensitivityHeader.Clone();
        headerRow[column] = null;
        var workbook = Reference().Sheet("Känslighet", headerRow, ["Licens och införande", 90, 120]);

        var problem = SingleProblem(Read(workbook));

        Assert.Equal($"Känslighet!{RawXlsx.ColumnName(column)}1", problem.Location);
        Assert.Equal($"Rubriken \"{header}\" saknas.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAWrongHeader_AndAnEmptySheet()
    {
        var wrong = SingleProblem(Read(Reference().Sheet("Känslighet", ["Post", "Min", "Högsta"])));
        var empty = SingleProblem(Read(Reference().Sheet("Känslighet")));

        Assert.Equal(("Känslighet!B1", "Rubriken ska vara \"Lägsta\", inte \"Min\"."), (wrong.Location, wrong.Message));
        Assert.Equal("Känslighet!A1", empty.Location);
        Assert.StartsWith("Bladet är tomt: rad 1 ska ha rubrikerna Post, Lägsta och Högsta.", empty.Message);
    }

    [Fact]
    public void Read_RejectsATableWhoseRow2IsEmpty_ButHasLinesBelow()
    {
        var workbook = Reference().Sheet("Känslighet", SensitivityHeader, [], ["Licens och införande", 90, 120]);

        var problem = SingleProblem(Read(workbook));

        Assert.Equal("Känslighet!A2", problem.Location);
        Assert.StartsWith("Tabellen är tom: rad 2 är tom, men rad 3 har värden.", problem.Message);
    }

    [Fact]
    public void Read_QuotesHostileTexts_OnlyAsAnExcerpt()
    {
        var tooLong = SingleProblem(Read(WithSensitivity([new string('x', 100_000), 90, 120])));
        var unknown = Read(WithSensitivity(["Licens\r\n\t" + new string('x', 300), "ca " + new string('9', 5_000), 120]));

        Assert.Equal(("Känslighet!A2", "Post är längre än 400 tecken."), (tooLong.Location, tooLong.Message));
        Assert.Equal(["Känslighet!A2", "Känslighet!B2"], unknown.Problems.Select(p => p.Location));
        Assert.All(unknown.Problems, p => Assert.True(p.Message.Length < 250, p.Message));
        Assert.DoesNotContain('\n', unknown.Problems[0].Message);
        Assert.StartsWith("Posten \"Licens", unknown.Problems[0].Message);
        Assert.StartsWith("\"ca 999", unknown.Problems[1].Message);
        // The reader cuts every text to InputLimits' 4 000 characters; the excerpt counts what it kept.
        Assert.Contains("(4\u00A0000 tecken)", unknown.Problems[1].Message);
    }

    [Fact]
    public void Read_DoesNotCallEveryLineUnknown_WhenTheSheetKostnaderIsMissing()
    {
        var workbook = new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .Sheet("Känslighet", SensitivityHeader, ["Licens och införande", 90, 120], ["Frigjord handläggartid", 60, 90]);

        var result = Read(workbook);

        // The missing sheet, and the rule a value breaks on its own; not "Licens och införande finns inte".
        Assert.Equal(["", "Känslighet!C3"], result.Problems.Select(p => p.Location));
    }

    [Fact]
    public void Read_ReportsEveryProblemOfKänslighet_TogetherWithTheOtherSheets()
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 2, "ca 500k");
        var workbook = WithSensitivity(costs,
            ["Licens och införande", 110, 120],
            ["Konsulter", 80, 150],
            ["Frigjord handläggartid", "mycket", 90],
            ["Enklare för medborgarna", 50, 2000]);

        var result = Read(workbook);

        Assert.Null(result.BusinessCase);
        Assert.Equal(
            ["Kostnader!C2", "Känslighet!B2", "Känslighet!A3", "Känslighet!B4", "Känslighet!C4", "Känslighet!A5", "Känslighet!C5"],
            result.Problems.Select(p => p.Location));
    }

    // ---- Helpers ----

    /// <summary>The reference workbook with a sheet Känslighet of these rows below its header.</summary>
    private static RawXlsx WithSensitivity(params object?[][] rows) => Reference().Sheet("Känslighet", [SensitivityHeader, .. rows]);

    private static RawXlsx WithSensitivity(object?[][] costs, params object?[][] rows) =>
        Reference(costs: costs).Sheet("Känslighet", [SensitivityHeader, .. rows]);

    /// <summary>The reference workbook written by EPPlus, with cell styles as Excel saves them, and whatever <paramref name="edit"/> adds.</summary>
    private static byte[] WithEpplus(Action<ExcelPackage> edit)
    {
        using var package = new ExcelPackage();
        foreach (var (name, rows) in ReferenceSheets())
        {
            var sheet = package.Workbook.Worksheets.Add(name);
            for (var r = 0; r < rows.Length; r++)
            {
                for (var c = 0; c < rows[r].Length; c++)
                {
                    sheet.Cells[r + 1, c + 1].Value = rows[r][c];
                }
            }
        }
        edit(package);
        using var output = new MemoryStream();
        package.SaveAs(output);
        return output.ToArray();
    }
}
