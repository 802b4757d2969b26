using System.Globalization;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Calculations;

public sealed class ActualsValidatorFacts
{
    private const string File = "actuals/OBJ-1.xlsx";
    private const string Manager = "anna@nacka.se";
    private const string Administrator = "admin@nacka.se";

    private static readonly ActualsColumns Columns = new("A", "B", "C", "D", "E", "F", "G");

    private static readonly ActualsCatalogue Catalogue = new(
        [
            new CatalogueInitiative("DIG-1", "OBJ-1", Manager, 2023, 2027,
            [
                new CatalogueLine("Minskad administration", BenefitType.Financial),
                new CatalogueLine("Frigjord tid", BenefitType.Redistribution),
                new CatalogueLine("Nöjdare medarbetare", BenefitType.Movement),
            ]),
            new CatalogueInitiative("DIG-2", null, null, null, null, []),
            new CatalogueInitiative("DIG-3", "OBJ-3", null, 2024, 2025, [new CatalogueLine("Porto", BenefitType.Financial)]),
        ],
        [Administrator]);

    private static ActualRow Row(int row, string? id, string? line, string? type, string? year, string? value, string? comment = null) =>
        new(row, id, line, type, year, "100", value, comment)
        {
            Year = int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : null,
            Value = decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null,
        };

    private static ActualRow Good(int row, string year = "2024", string value = "1000") => Row(row, "DIG-1", "Minskad administration", "Finansiell", year, value);

    private static ActualsValidation Validate(IReadOnlyList<ActualRow> rows, string? reportedBy = Manager, string? uploadedBy = null, ActualsCatalogue? catalogue = null, bool withoutCatalogue = false) =>
        ActualsValidator.Validate(File, new ActualsUpload("Utfall", "OBJ-1", reportedBy, Columns, rows), withoutCatalogue ? null : catalogue ?? Catalogue, uploadedBy);

    private static ActualRowOutcome Single(params ActualRow[] rows) => Validate(rows).Rows.Single();

    private static void AssertRejected(ActualRowOutcome outcome, string cell, string message)
    {
        Assert.Equal(ActualRowStatus.Rejected, outcome.Status);
        var problem = Assert.Single(outcome.Problems);
        Assert.Equal((File, "Utfall", cell, message), (problem.Source, problem.Sheet, problem.Cell, problem.Message));
    }

    [Fact]
    public void ARowWithoutUtfall_IsNotReported_AndNoOtherRuleIsApplied()
    {
        var outcome = Single(Row(2, "OKÄND", null, "Fel", "tjugo", null));

        Assert.Equal(ActualRowStatus.NotReported, outcome.Status);
        Assert.Empty(outcome.Problems);
        Assert.Null(outcome.Line);
    }

    [Fact]
    public void AnExplicitZero_IsAReportedValue()
    {
        var outcome = Single(Good(2, value: "0"));

        Assert.Equal(ActualRowStatus.Accepted, outcome.Status);
        Assert.Equal("Inläst", outcome.ResultText);
    }

    [Fact]
    public void AnAcceptedRow_CarriesTheLine_AsTheBusinessCaseSpellsIt()
    {
        var outcome = Single(Row(2, " dig-1 ", "  minskad   ADMINISTRATION ", "finansiell", "2023", "5"));

        Assert.Equal(ActualRowStatus.Accepted, outcome.Status);
        Assert.Equal(new CatalogueLine("Minskad administration", BenefitType.Financial), outcome.Line);
    }

    [Fact]
    public void MissingKeys_AreRejected_EachInItsOwnCell()
    {
        var outcome = Single(Row(5, null, null, null, null, "10"));

        Assert.Equal(ActualRowStatus.Rejected, outcome.Status);
        Assert.Equal(
            [("A5", "Initiativ-ID saknas."), ("B5", "Nyttopost saknas."), ("C5", "Typ saknas."), ("D5", "År saknas.")],
            outcome.Problems.Select(p => (p.Cell, p.Message)));
    }

    [Fact]
    public void AYearThatIsNotAWholeYear_IsRejected() =>
        AssertRejected(Single(Row(3, "DIG-1", "Frigjord tid", "Omfördelning", "2024,5", "10")), "D3", "\"2024,5\" är inte ett år.");

    [Fact]
    public void AnUnknownType_IsRejected() =>
        AssertRejected(Single(Row(3, "DIG-1", "Frigjord tid", "Tid", "2024", "10")), "C3", "\"Tid\" är inte en typ; ska vara Finansiell, Omfördelning eller Förflyttning.");

    [Fact]
    public void AHugeValueThatIsNotANumber_IsQuotedOnlyAsAnExcerpt()
    {
        var hostile = "ca " + new string('5', 3_997);

        var outcome = Single(Good(4, value: hostile));

        var problem = Assert.Single(outcome.Problems);
        Assert.Equal("F4", problem.Cell);
        Assert.StartsWith($"\"ca {new string('5', 37)}…\" (4\u00a0000 tecken) är inte ett tal.", problem.Message);
    }

    [Fact]
    public void AValueThatIsNotANumber_IsRejected() =>
        AssertRejected(Single(Good(4, value: "ca 5 000")), "F4", "\"ca 5 000\" är inte ett tal.");

    [Fact]
    public void ANegativeValue_IsRejected() =>
        AssertRejected(Single(Good(4, value: "-1")), "F4", "Utfallet får inte vara negativt.");

    [Fact]
    public void AMovementScoreAboveTen_IsRejected_AndTenIsNot()
    {
        var outcomes = Validate([Row(2, "DIG-1", "Nöjdare medarbetare", "Förflyttning", "2024", "12"), Row(3, "DIG-1", "Nöjdare medarbetare", "Förflyttning", "2025", "10")]).Rows;

        AssertRejected(outcomes[0], "F2", "Förflyttning är ett betyg 0–10, inte 12.");
        Assert.Equal(ActualRowStatus.Accepted, outcomes[1].Status);
    }

    [Fact]
    public void AnUnknownInitiative_IsRejected() =>
        AssertRejected(Single(Row(2, "DIG-9", "Porto", "Finansiell", "2024", "1")), "A2", "Initiativet \"DIG-9\" finns inte.");

    [Fact]
    public void ALineThatIsNotInTheCurrentBusinessCase_IsRejected() =>
        AssertRejected(Single(Row(2, "DIG-1", "Porto", "Finansiell", "2024", "1")), "B2", "\"Porto\" är ingen nyttopost i den gällande nyttokalkylen för DIG-1.");

    [Fact]
    public void ALineOfAnInitiativeWithoutABusinessCase_IsRejected_SayingSo()
    {
        var outcome = Validate([Row(2, "DIG-2", "Porto", "Finansiell", "2024", "1")], reportedBy: Administrator).Rows.Single();

        AssertRejected(outcome, "B2", "\"Porto\" är ingen nyttopost: initiativet DIG-2 har ingen gällande nyttokalkyl med nyttoposter.");
    }

    [Fact]
    public void ATypeThatDoesNotMatchTheLine_IsRejected() =>
        AssertRejected(Single(Row(2, "DIG-1", "Frigjord tid", "Finansiell", "2024", "1")), "C2", "Typen \"Finansiell\" stämmer inte med nyttoposten, som är Omfördelning.");

    [Fact]
    public void AYearOutsideTheBusinessCase_IsRejected() =>
        AssertRejected(Single(Good(2, year: "2031")), "D2", "Året 2031 ligger utanför nyttokalkylens år 2023–2027.");

    [Fact]
    public void RowsSharingInitiativeLineAndYear_AreAllRejected_EachNamingTheOthers()
    {
        var outcomes = Validate(
        [
            Good(2),
            Row(7, "dig-1", "minskad  administration", "Finansiell", "2024", "5"),
            Good(9),
            Good(10, year: "2025"),
        ]).Rows;

        AssertRejected(outcomes[0], "B2", "Samma initiativ, nyttopost och år som raderna 7 och 9.");
        AssertRejected(outcomes[1], "B7", "Samma initiativ, nyttopost och år som raderna 2 och 9.");
        AssertRejected(outcomes[2], "B9", "Samma initiativ, nyttopost och år som raderna 2 och 7.");
        Assert.Equal(ActualRowStatus.Accepted, outcomes[3].Status);
    }

    [Fact]
    public void ARowWithoutUtfall_IsNoDuplicate()
    {
        var outcomes = Validate([Good(2), Row(3, "DIG-1", "Minskad administration", "Finansiell", "2024", null)]).Rows;

        Assert.Equal([ActualRowStatus.Accepted, ActualRowStatus.NotReported], outcomes.Select(o => o.Status));
    }

    [Fact]
    public void TwoDuplicates_NameEachOtherAsOneRow()
    {
        var outcomes = Validate([Good(2), Good(7)]).Rows;

        AssertRejected(outcomes[0], "B2", "Samma initiativ, nyttopost och år som rad 7.");
        AssertRejected(outcomes[1], "B7", "Samma initiativ, nyttopost och år som rad 2.");
    }

    [Theory]
    [InlineData(Manager, null)]
    [InlineData("ANNA@Nacka.se", Manager)]
    [InlineData(Administrator, null)]
    [InlineData(null, Administrator)]
    [InlineData(Manager, Administrator)]
    [InlineData(null, null)]
    public void ARow_IsAccepted_WhenEveryKnownIdentityIsTheManagerOrAnAdministrator(string? reportedBy, string? uploadedBy)
    {
        var outcome = Validate([Good(2)], reportedBy, uploadedBy).Rows.Single();

        Assert.Equal(ActualRowStatus.Accepted, outcome.Status);
    }

    [Fact]
    public void ARow_ReportedBySomeoneElse_IsRejected_NamingWho() =>
        AssertRejected(Validate([Good(2)], reportedBy: "bo@nacka.se").Rows.Single(), "A2",
            "bo@nacka.se är inte objektsförvaltare för förvaltningsobjektet OBJ-1 och inte administratör.");

    [Fact]
    public void TheUploader_IsChecked_TooWhenOmNamesTheManager() =>
        AssertRejected(Validate([Good(2)], reportedBy: Manager, uploadedBy: "bo@nacka.se").Rows.Single(), "A2",
            "bo@nacka.se är inte objektsförvaltare för förvaltningsobjektet OBJ-1 och inte administratör.");

    [Fact]
    public void AReporterLongerThanAnyEmailAddress_IsQuotedOnlyAsAnExcerpt()
    {
        var hostile = new string('9', 4_000);

        var problem = Assert.Single(Validate([Good(2)], reportedBy: hostile).Rows.Single().Problems);

        Assert.Equal("A2", problem.Cell);
        Assert.Equal($"\"{new string('9', 40)}…\" (4\u00a0000 tecken) är inte objektsförvaltare för förvaltningsobjektet OBJ-1 och inte administratör.", problem.Message);
    }

    [Fact]
    public void AnObjectWithoutAKnownManager_AcceptsOnlyAdministrators()
    {
        var rows = new[] { Row(2, "DIG-3", "Porto", "Finansiell", "2024", "1") };

        AssertRejected(Validate(rows, reportedBy: Manager).Rows.Single(), "A2",
            "anna@nacka.se är inte objektsförvaltare för förvaltningsobjektet OBJ-3 och inte administratör.");
        Assert.Equal(ActualRowStatus.Accepted, Validate(rows, reportedBy: Administrator).Rows.Single().Status);
    }

    [Fact]
    public void AnInitiativeWithoutAnObject_AcceptsOnlyAdministrators()
    {
        var catalogue = new ActualsCatalogue([new CatalogueInitiative("DIG-4", null, null, 2024, 2025, [new CatalogueLine("Porto", BenefitType.Financial)])], [Administrator]);
        var rows = new[] { Row(2, "DIG-4", "Porto", "Finansiell", "2024", "1") };

        AssertRejected(Validate(rows, reportedBy: Manager, catalogue: catalogue).Rows.Single(), "A2",
            "anna@nacka.se får inte rapportera för DIG-4: initiativet hör inte till något förvaltningsobjekt, och anna@nacka.se är inte administratör.");
        Assert.Equal(ActualRowStatus.Accepted, Validate(rows, reportedBy: Administrator, catalogue: catalogue).Rows.Single().Status);
    }

    [Fact]
    public void EveryProblemOfARow_IsCollected()
    {
        var outcome = Validate([Row(2, "DIG-1", "Frigjord tid", "Finansiell", "2031", "-5")], reportedBy: "bo@nacka.se").Rows.Single();

        Assert.Equal(ActualRowStatus.Rejected, outcome.Status);
        Assert.Equal(["C2", "D2", "F2", "A2"], outcome.Problems.Select(p => p.Cell));
        Assert.Equal(string.Join(" ", outcome.Problems.Select(p => p.Message)), outcome.ResultText);
    }

    [Fact]
    public void WithoutACatalogue_OnlyWhatTheFileShowsIsChecked()
    {
        var validation = Validate(
            [Row(2, "DIG-9", "Vad som helst", "Förflyttning", "2040", "7"), Row(3, "DIG-9", "Annat", "Förflyttning", "2040", "11")],
            reportedBy: "bo@nacka.se", withoutCatalogue: true);

        Assert.Equal(ActualRowStatus.Accepted, validation.Rows[0].Status);
        Assert.Equal(new CatalogueLine("Vad som helst", BenefitType.Movement), validation.Rows[0].Line);
        AssertRejected(validation.Rows[1], "F3", "Förflyttning är ett betyg 0–10, inte 11.");
        Assert.Equal((1, 1, 0), (validation.Accepted, validation.Rejected, validation.NotReported));
    }

    [Theory]
    [InlineData("Minskad administration", "minskad administration")]
    [InlineData("  Minskad \t administration ", "minskad administration")]
    [InlineData("MINSKAD\u00A0ADMINISTRATION", "minskad administration")]
    public void LineKey_IgnoresCaseAndSpacing(string name, string key) => Assert.Equal(key, ActualsValidator.LineKey(name));

    /// <summary>A name trimmed and single-spaced is only lower-cased, without the regular expression: the key is the same as by it.</summary>
    [Theory]
    [InlineData("minskad administration")]
    [InlineData("frigjord handläggartid 2")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a  b")]
    [InlineData("a\u00A0b")]
    [InlineData("a\u2003b")]
    [InlineData("a\tb")]
    [InlineData("välfärd Ä")]
    [InlineData("İstanbul")]
    [InlineData("σίγμα Σ")]
    [InlineData("\U00010400 deseret")]
    [InlineData("\U00010428 deseret")]
    [InlineData("x ")]
    [InlineData(" x")]
    [InlineData("Minskade porto- och papperskostnader")]
    [InlineData("ÅTERBRUK av Möbler")]
    public void LineKey_IsTheKeyTheRegularExpressionGives(string name) =>
        Assert.Equal(System.Text.RegularExpressions.Regex.Replace(name.Trim(), @"\s+", " ").ToLowerInvariant(), ActualsValidator.LineKey(name));
}
