using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Readers.BusinessCases;

public sealed partial class BusinessCaseWorkbookReaderFacts
{
    private const string FileName = "DIG-2023-014.xlsx";
    private static readonly WorkbookLimits Limits = new();

    // ---- The sheets ----

    [Theory]
    [InlineData("Initiativ")]
    [InlineData("Kostnader")]
    [InlineData("Nyttor")]
    public void Read_RejectsAMissingSheet_NamingIt(string missing)
    {
        var workbook = new RawXlsx();
        foreach (var (name, rows) in ReferenceSheets())
        {
            if (name != missing)
            {
                workbook.Sheet(name, rows);
            }
        }

        var problem = SingleProblem(Read(workbook));

        Assert.Equal("", problem.Location);
        Assert.Equal(FileName, problem.Source);
        Assert.Equal($"Bladet \"{missing}\" saknas. En nyttokalkyl har bladen Initiativ, Kostnader, Nyttor.", problem.Message);
    }

    [Fact]
    public void Read_ReportsAMissingSheet_TogetherWithTheProblemsOfTheOtherSheets()
    {
        var workbook = new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows())
            .Sheet("Kostnader", ["Kostnadspost", "Kategori", 2023], ["Konsulter", "Investering", "ca 500k"]);

        var result = Read(workbook);

        Assert.Null(result.BusinessCase);
        Assert.Equal(["", "Kostnader!C2"], result.Problems.Select(p => p.Location));
        Assert.Contains("Bladet \"Nyttor\" saknas", result.Problems[0].Message);
    }

    [Fact]
    public void Read_RejectsAnEmptyTableSheet()
    {
        var problem = SingleProblem(Read(Reference(costs: [])));

        Assert.Equal("Kostnader!A1", problem.Location);
        Assert.StartsWith("Bladet är tomt: rad 1 ska ha rubrikerna Kostnadspost, Kategori", problem.Message);
    }

    // ---- Sheet Initiativ ----

    [Theory]
    [InlineData("Initiativ-ID")]
    [InlineData("Namn")]
    [InlineData("Verksamhet")]
    [InlineData("Ägare")]
    public void Read_RejectsAMissingRequiredLabel(string label)
    {
        var initiative = ContractWorkbooks.InitiativeRows().Where(r => (string)r[0]! != label).ToArray();

        var problem = SingleProblem(Read(Reference(initiative: initiative)));

        Assert.Equal("Initiativ", problem.Location);
        Assert.Equal($"Etiketten \"{label}\" saknas i kolumn A.", problem.Message);
    }

    [Theory]
    [InlineData("Initiativ-ID", "B1")]
    [InlineData("Namn", "B2")]
    [InlineData("Verksamhet", "B3")]
    [InlineData("Ägare", "B4")]
    public void Read_RejectsARequiredLabelWithoutValue(string label, string cell)
    {
        var initiative = ContractWorkbooks.InitiativeRows().Select(r => (string)r[0]! == label ? new object?[] { label } : r).ToArray();

        var problem = SingleProblem(Read(Reference(initiative: initiative)));

        Assert.Equal($"Initiativ!{cell}", problem.Location);
        Assert.Equal($"\"{label}\" saknar värde.", problem.Message);
    }

    [Fact]
    public void Read_RejectsALabelThatStandsTwice()
    {
        object?[][] initiative = [.. ContractWorkbooks.InitiativeRows(), ["namn:", "Ett annat namn"]];

        var problem = SingleProblem(Read(Reference(initiative: initiative)));

        Assert.Equal("Initiativ!A7", problem.Location);
        Assert.Equal("Etiketten \"Namn\" står två gånger (A2 och A7).", problem.Message);
    }

    [Theory]
    [InlineData("agare.nacka.se")]
    [InlineData("Anna Andersson")]
    [InlineData("agare@nacka")]
    [InlineData("a@b@nacka.se")]
    public void Read_RejectsAnOwnerThatIsNotAnEmailAddress(string owner)
    {
        var problem = SingleProblem(Read(Reference(initiative: WithInitiative("Ägare", owner))));

        Assert.Equal("Initiativ!B4", problem.Location);
        Assert.Equal($"\"{owner}\" är inte en e-postadress.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAnUnknownStrategicGoal_NamingTheGoalsThatExist()
    {
        var initiative = WithInitiative("Strategiska mål", "Maximalt värde för skattepengarna; Världsfred");

        var problem = SingleProblem(Read(Reference(initiative: initiative)));

        Assert.Equal("Initiativ!B5", problem.Location);
        Assert.StartsWith("\"Världsfred\" är inte ett av de övergripande målen (Maximalt värde för skattepengarna; Bästa utveckling för alla;", problem.Message);
    }

    [Fact]
    public void Read_RejectsAnErrorValueInTheSheetInitiativ()
    {
        var initiative = WithInitiative("Verksamhet", new RawXlsx.Error("#N/A", "VLOOKUP(A1,Listor!A:B,2,FALSE)"));

        var problem = SingleProblem(Read(Reference(initiative: initiative)));

        Assert.Equal("Initiativ!B3", problem.Location);
        Assert.Equal("Cellen innehåller felvärdet #N/A.", problem.Message);
    }

    [Theory]
    [InlineData("Ägare", "B4")]
    [InlineData("Strategiska mål", "B5")]
    public void Read_ReportsAnErrorValue_OnceAtItsCell(string label, string cell)
    {
        var initiative = WithInitiative(label, new RawXlsx.Error("#N/A", "VLOOKUP(A1,Listor!A:B,2,FALSE)"));

        var problem = SingleProblem(Read(Reference(initiative: initiative)));

        Assert.Equal($"Initiativ!{cell}", problem.Location);
        Assert.Equal("Cellen innehåller felvärdet #N/A.", problem.Message);
    }

    [Fact]
    public void Read_ReadsAKalkylversionTypedAsADate_AsAnIsoDate()
    {
        var initiative = WithInitiative("Kalkylversion", new RawXlsx.DateSerial(new DateTime(2023, 5, 9).ToOADate(), BuiltInFormat: true));
        var workbook = new RawXlsx { WithDateStyle = true }
            .Sheet("Initiativ", initiative)
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows());

        var result = Read(workbook);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal("2023-05-09", result.BusinessCase!.Initiative.VersionLabel);
    }

    // ---- Headers and year columns ----

    [Fact]
    public void Read_RejectsATableWithoutAHeaderRow()
    {
        var costs = ContractWorkbooks.ReferenceCostRows().Prepend([]).ToArray();

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!A1", problem.Location);
        Assert.Equal("Rubrikraden saknas: rad 1 ska ha rubrikerna Kostnadspost, Kategori och ett år per kolumn.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAWrongHeaderLabel()
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 0, 0, "Post");

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!A1", problem.Location);
        Assert.Equal("Rubriken ska vara \"Kostnadspost\", inte \"Post\".", problem.Message);
    }

    [Fact]
    public void Read_RejectsAMissingHeaderLabel()
    {
        var benefits = ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 0, 1, null);

        var problem = SingleProblem(Read(Reference(benefits: benefits)));

        Assert.Equal("Nyttor!B1", problem.Location);
        Assert.Equal("Rubriken \"Typ\" saknas.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAHeaderWithoutYearColumns()
    {
        var problem = SingleProblem(Read(Reference(costs: [["Kostnadspost", "Kategori"]])));

        Assert.Equal("Kostnader!C1", problem.Location);
        Assert.Equal("Årskolumner saknas: rad 1 ska ha ett år per kolumn från kolumn C.", problem.Message);
    }

    [Theory]
    [InlineData("År 1")]
    [InlineData("2023/24")]
    [InlineData("2 023")]
    public void Read_RejectsAYearHeaderThatIsNotAYear(string header)
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 0, 2, header);

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C1", problem.Location);
        Assert.Equal($"\"{header}\" är inte ett år (2000–2100).", problem.Message);
    }

    [Theory]
    [InlineData(1999, "1999")]
    [InlineData(2101, "2101")]
    [InlineData(2023.5, "2023,5")]
    [InlineData("1999", "1999")]
    public void Read_RejectsAYearOutside2000To2100(object year, string shown)
    {
        object?[][] costs = [["Kostnadspost", "Kategori", year], ["Licens", "Investering", 1000]];

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C1", problem.Location);
        Assert.Equal($"\"{shown}\" är inte ett år (2000–2100).", problem.Message);
    }

    [Fact]
    public void Read_AcceptsTheYears2000And2100()
    {
        object?[][] costs = [["Kostnadspost", "Kategori", 2000], ["Licens", "Investering", 1000]];
        object?[][] benefits = [["Nyttopost", "Typ", 2100], ["Tid", "Omfördelning", 1000]];

        var result = Read(Reference(costs: costs, benefits: benefits));

        Assert.Empty(result.Problems);
        Assert.Equal([2000, 2100], result.BusinessCase!.Years);
    }

    [Fact]
    public void Read_RejectsYearsThatAreNotConsecutive()
    {
        object?[][] costs = [["Kostnadspost", "Kategori", 2023, 2025], ["Licens", "Investering", 1000, 2000]];

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!D1", problem.Location);
        Assert.Equal("Året 2025 följer inte på 2023; årskolumnerna ska vara år i följd.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAGapInTheYearColumns()
    {
        object?[][] costs = [["Kostnadspost", "Kategori", 2023, null, 2024], ["Licens", "Investering", 1000, null, 2000]];

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!D1", problem.Location);
        Assert.Equal("Årskolumnen saknar rubrik; årskolumnerna ska stå i följd utan tomma kolumner.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAValueOutsideTheYearColumns()
    {
        object?[][] costs = [["Kostnadspost", "Kategori", 2023, 2024], ["Licens", "Investering", 1000, 2000, null, "Summa 3000"]];

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!F2", problem.Location);
        Assert.Equal("Värdet \"Summa 3000\" står utanför årskolumnerna.", problem.Message);
    }

    // ---- Lines and amounts ----

    [Fact]
    public void Read_RejectsANumberThatIsNotANumber_AtItsCell()
    {
        object?[][] costs = [.. ContractWorkbooks.ReferenceCostRows(), ["Konsulter", "Investering", "ca 500k"]];

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C4", problem.Location);
        Assert.Equal("Kostnader!C4: \"ca 500k\" är inte ett belopp.", $"{problem.Location}: {problem.Message}");
        Assert.Equal($"{FileName}: Kostnader!C4: \"ca 500k\" är inte ett belopp.", problem.ToString());
    }

    [Fact]
    public void Read_RejectsAScoreThatIsNotANumber_AsNotAScore()
    {
        var benefits = ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 3, 3, "halv");

        var problem = SingleProblem(Read(Reference(benefits: benefits)));

        Assert.Equal("Nyttor!D4", problem.Location);
        Assert.Equal("\"halv\" är inte en poäng.", problem.Message);
    }

    [Theory]
    [InlineData("#REF!")]
    [InlineData("#DIV/0!")]
    public void Read_RejectsAnErrorCell_NeverReadingItAsZero(string code)
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 2, 4, new RawXlsx.Error(code));

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!E3", problem.Location);
        Assert.Equal($"Cellen innehåller felvärdet {code}, inte ett belopp.", problem.Message);
    }

    [Theory]
    [InlineData(2e12, "2 000 000 000 000 är orimligt stort")]
    [InlineData("2 000 000 000 000 kr", "\"2 000 000 000 000 kr\" är orimligt stort")]
    public void Read_RejectsAnAmountPastWhatTheWarehouseHolds(object amount, string start)
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 2, amount);

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C2", problem.Location);
        Assert.Equal($"{start}; största tillåtna är 1 000 000 000 000.", problem.Message);
    }

    [Theory]
    [InlineData("NaN", "\"NaN\" är inte ett belopp.")]
    [InlineData("Infinity", "\"Infinity\" är orimligt stort; största tillåtna är 1 000 000 000 000.")]
    [InlineData("-Infinity", "\"-Infinity\" är orimligt stort; största tillåtna är 1 000 000 000 000.")]
    [InlineData("1e308", "\"1e308\" är orimligt stort; största tillåtna är 1 000 000 000 000.")]
    [InlineData("1e309", "\"1e309\" är orimligt stort; största tillåtna är 1 000 000 000 000.")]
    [InlineData("-1e309", "\"-1e309\" är orimligt stort; största tillåtna är 1 000 000 000 000.")]
    [InlineData("8e28", "\"8e28\" är orimligt stort; största tillåtna är 1 000 000 000 000.")]
    public void Read_RejectsANonFiniteOrHugeNumberCell_AsAProblemOnThatCell(string value, string message)
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 2, new RawXlsx.Raw("", $"<v>{value}</v>"));

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C2", problem.Location);
        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData("INF")]
    [InlineData("86 400")]
    [InlineData("1,5")]
    public void Read_RejectsANumberCellThatHoldsNoNumber_AsADamagedSheetNamingTheCell(string value)
    {
        // No writer puts these in a number cell; .NET reads none of them as a number, and guessing one could load a wrong figure.
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 2, new RawXlsx.Raw("", $"<v>{value}</v>"));

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader", problem.Sheet);
        Assert.Contains("Cellen C2", problem.Message);
        Assert.Contains($"\"{value}\", som inte är något tal", problem.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e309")]
    public void Read_RejectsANonFiniteScore_AsAProblemOnThatCell(string value)
    {
        var benefits = ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 3, 3, new RawXlsx.Raw("", $"<v>{value}</v>"));

        var problem = SingleProblem(Read(Reference(benefits: benefits)));

        Assert.Equal("Nyttor!D4", problem.Location);
        Assert.StartsWith($"\"{value}\" är ", problem.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("-1e309")]
    public void Read_RejectsNonFiniteOrHugeNumberText_AsNoAmount(string text)
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 2, text);

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C2", problem.Location);
        Assert.Equal($"\"{text}\" är inte ett belopp.", problem.Message);
    }

    [Fact]
    public void Read_QuotesAHugeAmountCell_OnlyAsAnExcerpt()
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 2, new string('9', 10_000_000));

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C2", problem.Location);
        Assert.Equal($"\"{new string('9', 40)}…\" (4\u00A0000 tecken) är inte ett belopp.", problem.Message);
    }

    [Fact]
    public void Read_QuotesLongTextsInEveryMessage_OnlyAsAnExcerpt()
    {
        var longText = new string('x', 5_000);
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs[0][3] = longText;
        costs = ReplaceCell(costs, 2, 1, longText);
        var initiative = WithInitiative("Strategiska mål", longText[..300]);

        var result = Read(Reference(initiative: initiative, costs: costs));

        Assert.Null(result.BusinessCase);
        Assert.Equal(3, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.True(p.Message.Length < 300, p.Message));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-5.0)]
    [InlineData(1e10)]
    [InlineData(new[] { 2101, 1, 1 })]
    public void Read_RejectsADateOnTheInitiativeSheetOutsideTheWindow_NamingTheCell(object date)
    {
        var serial = date is int[] ymd ? new DateTime(ymd[0], ymd[1], ymd[2]).ToOADate() : (double)date;
        var initiative = WithInitiative("Kalkylversion", new RawXlsx.DateSerial(serial, BuiltInFormat: true));
        var workbook = new RawXlsx { WithDateStyle = true }
            .Sheet("Initiativ", initiative)
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows());

        var problem = SingleProblem(Read(workbook));

        Assert.Equal("Initiativ!B6", problem.Location);
        Assert.Contains("utanför de tillåtna åren 2000–2100", problem.Message);
        if (serial is > 0 and < 2958466)
        {
            Assert.Equal($"Datumet {DateTime.FromOADate(serial):yyyy-MM-dd} ligger utanför de tillåtna åren 2000–2100.", problem.Message);
        }
    }

    [Fact]
    public void Read_TakesTheDateWindowFromInputLimits()
    {
        var initiative = WithInitiative("Kalkylversion", new RawXlsx.DateSerial(new DateTime(1999, 12, 31).ToOADate(), BuiltInFormat: true));
        var bytes = new RawXlsx { WithDateStyle = true }
            .Sheet("Initiativ", initiative)
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .ToBytes();

        using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), Limits);
        var result = new BusinessCaseWorkbookReader(Limits, new InputLimits { EarliestYear = 1990 }).Read(workbook, FileName);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal("1999-12-31", result.BusinessCase!.Initiative.VersionLabel);
    }

    [Fact]
    public void Read_TakesTheYearColumnsWithinTheConfiguredWindow_AndNoOthers()
    {
        // The calendar covers the window only: a year column past it could not be shown, so it is a problem on its cell.
        var bytes = Reference().ToBytes();
        var narrow = new InputLimits { EarliestYear = 2020, LatestYear = 2028 };

        using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), Limits);
        var result = new BusinessCaseWorkbookReader(Limits, narrow).Read(workbook, FileName);

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Location == "Kostnader!I1" && p.Message == "\"2029\" är inte ett år (2020–2028).");
        Assert.Contains(result.Problems, p => p.Location == "Nyttor!J1" && p.Message == "\"2030\" är inte ett år (2020–2028).");
    }

    [Fact]
    public void Read_RejectsTwoSheetsMatchingOneRequiredName_NamingBoth()
    {
        var workbook = Reference().Sheet(" kostnader ", ContractWorkbooks.ReferenceCostRows(negative: true));

        var result = Read(workbook);

        Assert.Null(result.BusinessCase);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(FileName, problem.Source);
        Assert.Equal("Kostnader", problem.Sheet);
        Assert.Contains("\"Kostnader\" och \" kostnader \"", problem.Message);
    }

    [Fact]
    public void Read_RejectsADuplicateCellAddress_NamingTheCell()
    {
        var bytes = Reference().ToBytes();
        bytes = ReplacePart(bytes, "xl/worksheets/sheet2.xml", xml => xml.Replace("<c r=\"C2\"><v>520000</v></c>", "<c r=\"C2\"><v>520000</v></c><c r=\"C2\"><v>520000</v></c>"));

        var problem = SingleProblem(Read(bytes));

        Assert.Equal("Kostnader", problem.Sheet);
        Assert.Contains("C2", problem.Message);
        Assert.Contains("står två gånger", problem.Message);
    }

    [Theory]
    [InlineData("Konsult")]
    [InlineData("Investeringar")]
    public void Read_RejectsAnUnknownKategori(string category)
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 2, 1, category);

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!B3", problem.Location);
        Assert.Equal($"\"{category}\" är inte en kategori; ska vara Investering eller Förvaltning.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAMissingKategori()
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 1, null);

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!B2", problem.Location);
        Assert.Equal("Kategori saknas; ska vara Investering eller Förvaltning.", problem.Message);
    }

    [Fact]
    public void Read_RejectsAnUnknownTyp()
    {
        var benefits = ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 1, 1, "Ekonomisk");

        var problem = SingleProblem(Read(Reference(benefits: benefits)));

        Assert.Equal("Nyttor!B2", problem.Location);
        Assert.Equal("\"Ekonomisk\" är inte en typ; ska vara Finansiell, Omfördelning eller Förflyttning.", problem.Message);
    }

    [Fact]
    public void Read_RejectsALineWithValuesButNoName()
    {
        object?[][] costs = [.. ContractWorkbooks.ReferenceCostRows(), [null, "Förvaltning", 1000]];

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!A4", problem.Location);
        Assert.Equal("Kostnadspost saknar namn, men raden har värden.", problem.Message);
    }

    [Theory]
    [InlineData(11, "11")]
    [InlineData(10.5, "10,5")]
    [InlineData(-1, "-1")]
    public void Read_RejectsAScoreOutside0To10(double score, string shown)
    {
        var benefits = ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 3, 3, score);

        var problem = SingleProblem(Read(Reference(benefits: benefits)));

        Assert.Equal("Nyttor!D4", problem.Location);
        Assert.Equal($"Poängen {shown} ligger utanför 0–10.", problem.Message);
    }

    [Fact]
    public void Read_AcceptsScoresOf0And10()
    {
        var benefits = ReplaceCell(ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 3, 3, 10), 3, 4, "0");

        var result = Read(Reference(benefits: benefits));

        Assert.Empty(result.Problems);
        var movement = result.BusinessCase!.Benefits.Single(b => b.Type == BenefitType.Movement);
        Assert.Equal([(2024, 10m)], movement.Values.Select(v => (v.Year, v.Value)));
    }

    [Theory]
    [InlineData(-6_400, "-6 400")]
    [InlineData("-6 400 kr", "-6 400")]
    public void Read_RejectsANegativeBenefit(object amount, string shown)
    {
        var benefits = ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 1, 2, amount);

        var problem = SingleProblem(Read(Reference(benefits: benefits)));

        Assert.Equal("Nyttor!C2", problem.Location);
        Assert.Equal($"Nyttan {shown} är negativ; nyttor skrivs som belopp ≥ 0.", problem.Message);
    }

    [Fact]
    public void Read_RejectsMixedSignsInKostnader_NamingTheCells()
    {
        // Investering written positive, Förvaltning negative: the two positive cells are the odd ones.
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs[2] = ContractWorkbooks.ReferenceCostRows(negative: true)[2];

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!C2", problem.Location);
        Assert.Equal(
            "Bladet blandar tecken: positiva belopp i C2, D2 och negativa i D3, E3, F3, G3, H3 med flera (7 celler). " +
            "Skriv alla kostnader med samma tecken, antingen positiva eller negativa.",
            problem.Message);
    }

    [Fact]
    public void Read_RejectsOneNegativeCostAmongPositiveOnes_AtThatCell()
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 2, 6, "-85 000 kr");

        var problem = SingleProblem(Read(Reference(costs: costs)));

        Assert.Equal("Kostnader!G3", problem.Location);
        Assert.Contains("negativa i G3.", problem.Message);
    }

    [Fact]
    public void Read_RejectsADuplicateNyttopost_IgnoringCase()
    {
        object?[][] benefits = [.. ContractWorkbooks.ReferenceBenefitRows(), [" MINSKADE PORTOKOSTNADER ", "Finansiell", 100]];

        var problem = SingleProblem(Read(Reference(benefits: benefits)));

        Assert.Equal("Nyttor!A5", problem.Location);
        Assert.Equal("Nyttoposten \"MINSKADE PORTOKOSTNADER\" finns redan på rad 2; nyttoposter måste ha unika namn.", problem.Message);
    }

    [Fact]
    public void Read_RejectsATableWhoseRow2IsEmpty_ButHasValuesBelow()
    {
        var costs = ContractWorkbooks.ReferenceCostRows().ToList();
        costs.Insert(1, []);

        var problem = SingleProblem(Read(Reference(costs: [.. costs])));

        Assert.Equal("Kostnader!A2", problem.Location);
        Assert.Equal("Tabellen är tom: rad 2 är tom, men rad 3 har värden. En tom rad avslutar tabellen; ta bort den tomma raden.", problem.Message);
    }

    [Fact]
    public void Read_ReportsEveryProblemAtOnce_WithSheetAndCell()
    {
        var initiative = WithInitiative("Ägare", "agare.nacka.se");
        object?[][] costs =
        [
            ["Kostnadspost", "Kategori", 2023, "2024x", 2025],
            ["Licens", "Investering", "ca 500k", 35_000],
            ["Konsulter", "Konsult", 1000, 1000, new RawXlsx.Error("#REF!")],
            ["Drift", "Förvaltning", -85_000, null, null, 7],
        ];
        object?[][] benefits =
        [
            ["Nyttopost", "Typ", 2023, 2024],
            ["Porto", "Ekonomisk", 6_400, 6_400],
            ["Enklare", "Förflyttning", 12, 0.5],
            ["porto", "Finansiell", -1, 100],
        ];

        var result = Read(Reference(initiative: initiative, costs: costs, benefits: benefits));

        Assert.Null(result.BusinessCase);
        Assert.Equal(
            [
                "Initiativ!B4",   // not an e-mail address
                "Kostnader!D1",   // 2024x is not a year
                "Kostnader!F4",   // value outside the year columns
                "Kostnader!C2",   // ca 500k
                "Kostnader!B3",   // unknown Kategori
                "Kostnader!E3",   // #REF!
                "Kostnader!C4",   // the only negative amount among positive ones
                "Nyttor!B2",      // unknown Typ
                "Nyttor!C3",      // score 12
                "Nyttor!A4",      // porto again
                "Nyttor!C4",      // negative benefit
            ],
            result.Problems.Select(p => p.Location));
        Assert.All(result.Problems, p => Assert.Equal(FileName, p.Source));
        Assert.Equal(6, result.RowsSeen);
    }

    // ---- What is accepted ----

    [Fact]
    public void Read_ReadsTheReferenceCase_WithLinesYearsAndCells()
    {
        var result = Read(ContractWorkbooks.Reference());

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var bc = result.BusinessCase!;
        Assert.Equal(ContractWorkbooks.ReferenceYears, bc.Years);
        Assert.Equal(5, result.RowsSeen);
        Assert.Equal(
            new InitiativeCard("DIG-2023-014", "Digital signering av avtal", "Stadsledningskontoret", "agare@nacka.se", null, bc.Initiative.GoalCodes, "2023-05-09"),
            bc.Initiative);
        Assert.Equal(["MAXIMALT_VARDE", "BASTA_UTVECKLING"], bc.Initiative.GoalCodes);
        Assert.Contains(new SourceAttribute("Initiativ-ID", "DIG-2023-014", "B1"), bc.Attributes);

        var investment = bc.Costs[0];
        Assert.Equal(("Licens och införande", CostCategory.Investment, 2), (investment.Name, investment.Category, investment.Row));
        Assert.Equal([new YearValue(2023, 520_000, "C2", "520000"), new YearValue(2024, 35_000, "D2", "35000")], investment.Values);
        var operating = bc.Costs[1];
        Assert.Equal(CostCategory.Operating, operating.Category);
        Assert.Equal([2024, 2025, 2026, 2027, 2028, 2029, 2030], operating.Values.Select(v => v.Year));
        Assert.Equal(645_000m, operating.Values.Sum(v => v.Value));
        Assert.Equal("J3", operating.Values[^1].Cell);

        Assert.Equal([BenefitType.Financial, BenefitType.Redistribution, BenefitType.Movement], bc.Benefits.Select(b => b.Type));
        Assert.Equal(8 * 6_400m, bc.Benefits[0].Values.Sum(v => v.Value));
        Assert.Equal(8 * 80_000m, bc.Benefits[1].Values.Sum(v => v.Value));
        Assert.Equal([new YearValue(2024, 0.5m, "D4", "0.5"), new YearValue(2025, 0.5m, "E4", "0.5")], bc.Benefits[2].Values);
    }

    [Fact]
    public void Read_AcceptsSheetNamesAndHeadersInOtherCase_WithSurroundingSpaces()
    {
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs[0] = [" KOSTNADSPOST ", "kategori ", .. ContractWorkbooks.ReferenceYears.Select(y => (object?)$" {y} ")];
        var benefits = ContractWorkbooks.ReferenceBenefitRows();
        benefits[0] = ["nyttopost", " TYP", .. ContractWorkbooks.ReferenceYears.Cast<object?>()];
        var workbook = new RawXlsx()
            .Sheet(" initiativ", ContractWorkbooks.InitiativeRows())
            .Sheet("KOSTNADER ", costs)
            .Sheet("Nyttor", benefits);

        var result = Read(workbook);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        AssertReferenceAmounts(result.BusinessCase!);
    }

    [Fact]
    public void Read_AcceptsLabelsInOtherCase_WithATrailingColon()
    {
        object?[][] initiative =
        [
            ["Initiativ-ID:", "DIG-2023-014"],
            ["namn :", "Digital signering av avtal"],
            [" VERKSAMHET", "Stadsledningskontoret"],
            ["ägare:", " agare@nacka.se "],
            ["Strategiska mål:", "stark och balanserad tillväxt"],
        ];

        var result = Read(Reference(initiative: initiative));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal("agare@nacka.se", result.BusinessCase!.Initiative.OwnerEmail);
        Assert.Equal(["STARK_TILLVAXT"], result.BusinessCase.Initiative.GoalCodes);
        Assert.Null(result.BusinessCase.Initiative.VersionLabel);
    }

    [Fact]
    public void Read_AcceptsNumbersStoredAsSwedishText_KeepingTheRawText()
    {
        var costs = ContractWorkbooks.ReferenceCostRows()
            .Select((row, r) => r == 0 ? row : row.Select(v => v is int n ? (object)$"{n:# ### ###} kr".Trim().Replace(' ', '\u00A0') : v).ToArray())
            .ToArray();
        var benefits = ReplaceCell(ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 3, 3, "0,5"), 1, 2, "6 400:-");

        var result = Read(Reference(costs: costs, benefits: benefits, inlineStrings: true));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        AssertReferenceAmounts(result.BusinessCase!);
        Assert.Equal("520\u00A0000\u00A0kr", result.BusinessCase!.Costs[0].Values[0].RawText);
        Assert.Equal("6 400:-", result.BusinessCase.Benefits[0].Values[0].RawText);
    }

    [Fact]
    public void Read_CountsAFormulaWithItsCachedValue()
    {
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs[1][1] = new RawXlsx.Formula("Listor!A1", "Investering");
        costs[1][2] = new RawXlsx.Formula("500000+20000", 520_000);
        costs[0][3] = new RawXlsx.Formula("C1+1", 2024);
        var benefits = ReplaceCell(ContractWorkbooks.ReferenceBenefitRows(), 2, 9, new RawXlsx.Formula("I3", 80_000));

        var result = Read(Reference(costs: costs, benefits: benefits));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        AssertReferenceAmounts(result.BusinessCase!);
    }

    [Fact]
    public void Read_IgnoresExtraSheets_WhateverTheyHold()
    {
        var workbook = ContractWorkbooks.Reference()
            .Sheet("Sammanställning", ["Summa", new RawXlsx.Error("#REF!"), "ca 500k"], [new RawXlsx.Formula("SUM(Kostnader!C2:J3)", -1_200_000)])
            .Sheet("Kostnader (gammal)", ["Fel rubrik", "Kategori", "inte ett år"]);

        var result = Read(workbook);

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        AssertReferenceAmounts(result.BusinessCase!);
    }

    [Fact]
    public void Read_ReadsNegativeCosts_AsPositiveMagnitudes()
    {
        var result = Read(ContractWorkbooks.Reference(negativeCosts: true));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        AssertReferenceAmounts(result.BusinessCase!);
        Assert.Equal(new YearValue(2023, 520_000, "C2", "-520000"), result.BusinessCase!.Costs[0].Values[0]);
    }

    [Fact]
    public void Read_EndsTheTableAtAnEmptyRow_IgnoringNotesAndSumsBelow()
    {
        object?[][] costs =
        [
            .. ContractWorkbooks.ReferenceCostRows(),
            [],
            ["Summa", null, new RawXlsx.Formula("SUM(C2:C3)", 520_000), "ca 35k", new RawXlsx.Error("#REF!")],
            ["Not: beloppen är uppskattade.", null, null, null, null, null, null, null, null, null, null, "utanför"],
        ];

        var result = Read(Reference(costs: costs));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        Assert.Equal(2, result.BusinessCase!.Costs.Count);
        AssertReferenceAmounts(result.BusinessCase);
    }

    [Fact]
    public void Read_CountsACellHoldingOnlySpaces_AsEmpty()
    {
        var costs = ReplaceCell(ContractWorkbooks.ReferenceCostRows(), 1, 4, " ");
        object?[][] withBlankRow = [.. costs, ["  ", "\u00A0"], ["Not", null, "ca 500k"]];

        var result = Read(Reference(costs: withBlankRow));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        AssertReferenceAmounts(result.BusinessCase!);
    }

    [Fact]
    public void Read_ReportsTheEmptyTemplate_AsRequiredValuesMissing_WithoutCrashing()
    {
        using var template = new MemoryStream();
        BusinessCaseWorkbookWriter.WriteTemplate(template, 2025);

        var result = Read(template.ToArray());

        Assert.Null(result.BusinessCase);
        Assert.Equal(["Initiativ!B1", "Initiativ!B2", "Initiativ!B3", "Initiativ!B4"], result.Problems.Select(p => p.Location));
        Assert.All(result.Problems, p => Assert.EndsWith("\" saknar värde.", p.Message));
        Assert.Equal(0, result.RowsSeen);
    }

    [Fact]
    public void Read_ReadsADraftWrittenByTheWriter_InEveryStyle()
    {
        var draft = new BusinessCaseDraft(
            "DIG-2024-031", "Digital besöksbokning", "Stadsledningskontoret", "kalle.exempel@nacka.se", "FO-ETJANST",
            ["Maximalt värde för skattepengarna"], "utkast", 2024, 2026,
            [new("Införande", CostCategory.Investment, new Dictionary<int, decimal> { [2024] = 300_000 })],
            [new("Nöjdare besökare", BenefitType.Movement, new Dictionary<int, decimal> { [2025] = 2.5m })]);

        foreach (var style in new[] { new WorkbookStyle(), new WorkbookStyle(NegativeCosts: true, NumbersAsSwedishText: true, ExtraSheet: "Sammanställning") })
        {
            using var output = new MemoryStream();
            BusinessCaseWorkbookWriter.Write(output, draft, style);

            var result = Read(output.ToArray());

            Assert.True(result.IsValid, string.Join("; ", result.Problems));
            Assert.Equal([2024, 2025, 2026], result.BusinessCase!.Years);
            Assert.Equal("FO-ETJANST", result.BusinessCase.Initiative.ObjectId);
            Assert.Equal((2024, 300_000m, "C2"), result.BusinessCase.Costs.Single().Values.Select(v => (v.Year, v.Value, v.Cell)).Single());
            Assert.Equal((2025, 2.5m, "D2"), result.BusinessCase.Benefits.Single().Values.Select(v => (v.Year, v.Value, v.Cell)).Single());
        }
    }

    [Fact]
    public void Read_FromAPath_ReportsAnUnreadableFile_AsOneFileProblem()
    {
        using var directory = new TempDirectory();
        var path = directory.File("gammal.xlsx");
        File.WriteAllBytes(path, CompoundFile.LegacyXls());

        var result = new BusinessCaseWorkbookReader(Limits).Read(path, "gammal.xlsx");

        var problem = SingleProblem(result);
        Assert.Equal("", problem.Location);
        Assert.Equal("gammal.xlsx", problem.Source);
        Assert.Contains("(.xls)", problem.Message);
    }

    [Fact]
    public void Read_ReportsADamagedSheet_AtThatSheet()
    {
        var bytes = ZipSurgery.GarbleData(ContractWorkbooks.Reference().ToBytes(), "xl/worksheets/sheet3.xml");

        var problem = SingleProblem(Read(bytes));

        Assert.Equal("Nyttor", problem.Location);
        Assert.Matches("skada[dt]", problem.Message);
    }

    // ---- Helpers ----

    private static BusinessCaseReadResult Read(RawXlsx workbook) => Read(workbook.ToBytes());

    private static BusinessCaseReadResult Read(byte[] bytes)
    {
        using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), Limits);
        return new BusinessCaseWorkbookReader(Limits).Read(workbook, FileName);
    }

    /// <summary>The file with one part's XML rewritten, as a hand-edited or hostile file would have it.</summary>
    private static byte[] ReplacePart(byte[] bytes, string part, Func<string, string> edit)
    {
        using var output = new MemoryStream();
        output.Write(bytes);
        using (var zip = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.GetEntry(part)!;
            string xml;
            using (var reader = new StreamReader(entry.Open()))
            {
                xml = reader.ReadToEnd();
            }
            var edited = edit(xml);
            Assert.NotEqual(xml, edited);
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(part).Open());
            writer.Write(edited);
        }
        return output.ToArray();
    }

    private static SourceProblem SingleProblem(BusinessCaseReadResult result)
    {
        Assert.Null(result.BusinessCase);
        Assert.False(result.IsValid);
        return Assert.Single(result.Problems);
    }

    private static IEnumerable<(string Name, object?[][] Rows)> ReferenceSheets() =>
    [
        ("Initiativ", ContractWorkbooks.InitiativeRows()),
        ("Kostnader", ContractWorkbooks.ReferenceCostRows()),
        ("Nyttor", ContractWorkbooks.ReferenceBenefitRows()),
    ];

    private static RawXlsx Reference(object?[][]? initiative = null, object?[][]? costs = null, object?[][]? benefits = null, bool inlineStrings = false) =>
        new RawXlsx { InlineStrings = inlineStrings }
            .Sheet("Initiativ", initiative ?? ContractWorkbooks.InitiativeRows())
            .Sheet("Kostnader", costs ?? ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", benefits ?? ContractWorkbooks.ReferenceBenefitRows());

    private static object?[][] WithInitiative(string label, object? value) =>
        ContractWorkbooks.InitiativeRows().Select(r => (string)r[0]! == label ? new[] { label, value } : r).ToArray();

    /// <summary>A copy of <paramref name="rows"/> with one cell replaced, the row widened if need be.</summary>
    private static object?[][] ReplaceCell(object?[][] rows, int row, int column, object? value)
    {
        var copy = rows.Select(r => (object?[])r.Clone()).ToArray();
        if (copy[row].Length <= column)
        {
            Array.Resize(ref copy[row], column + 1);
        }
        copy[row][column] = value;
        return copy;
    }

    /// <summary>The contract's reference lines, by category and type, as read.</summary>
    private static void AssertReferenceAmounts(BusinessCase bc)
    {
        Assert.Equal(ContractWorkbooks.ReferenceYears, bc.Years);
        decimal Sum(IEnumerable<YearValue> values, int year) => values.Where(v => v.Year == year).Sum(v => v.Value);
        var investment = bc.Costs.Where(c => c.Category == CostCategory.Investment).SelectMany(c => c.Values).ToList();
        var operating = bc.Costs.Where(c => c.Category == CostCategory.Operating).SelectMany(c => c.Values).ToList();
        Assert.Equal([520_000m, 35_000m, 0, 0, 0, 0, 0, 0], ContractWorkbooks.ReferenceYears.Select(y => Sum(investment, y)));
        Assert.Equal([0m, 125_000m, 95_000m, 85_000m, 85_000m, 85_000m, 85_000m, 85_000m], ContractWorkbooks.ReferenceYears.Select(y => Sum(operating, y)));
        foreach (var (type, perYear) in new[] { (BenefitType.Financial, 6_400m), (BenefitType.Redistribution, 80_000m) })
        {
            var values = bc.Benefits.Where(b => b.Type == type).SelectMany(b => b.Values).ToList();
            Assert.All(ContractWorkbooks.ReferenceYears, y => Assert.Equal(perYear, Sum(values, y)));
        }
        var movement = bc.Benefits.Single(b => b.Type == BenefitType.Movement);
        Assert.Equal([(2024, 0.5m), (2025, 0.5m)], movement.Values.Select(v => (v.Year, v.Value)));
    }
}
