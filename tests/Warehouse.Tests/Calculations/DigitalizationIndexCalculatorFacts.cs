using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Calculations;

/// <summary>The digitaliseringsindex from small cases computed by hand (index-survey.md).</summary>
public sealed class DigitalizationIndexCalculatorFacts
{
    private const string Skola = "Välfärd skola";
    private const string Kultur = "Kultur och fritid";

    private static readonly IndexOptions Defaults = new();

    private static DateTime Utc(int year, int month, int day, int hour = 12, int minute = 0) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);

    private static InitiativeVersionInput Version(string id, int no, string? phase, DateTime validFromUtc, string unit = Skola) => new(id, no, unit, phase, validFromUtc);

    private static RealizationInput Realized(string id, int year, string type, decimal planned, decimal? actual, string unit = Skola) => new(id, unit, year, type, planned, actual);

    private static DigitalizationIndex Calculate(
        IEnumerable<SurveyResultInput>? survey = null, IEnumerable<InitiativeVersionInput>? versions = null,
        IEnumerable<RealizationInput>? realization = null, IndexOptions? options = null) =>
        DigitalizationIndexCalculator.Calculate(survey ?? [], versions ?? [], realization ?? [], options ?? Defaults);

    private static IndexComponentScore? Component(DigitalizationIndex index, string unit, int year, string component) =>
        index.Components.SingleOrDefault(c => c.Unit == unit && c.Year == year && c.Component == component);

    private static UnitIndex UnitOf(DigitalizationIndex index, string unit, int year) => index.Units.Single(u => u.Unit == unit && u.Year == year);

    [Fact]
    public void DigitalMaturity_IsTheMeanOfTheDimensionPercentages_DividedByTen()
    {
        var index = Calculate(survey:
        [
            new(Skola, 2023, "Digital förmåga", 62.5m),
            new(Skola, 2023, "Digitalt arv", 47.5m),
            new(Skola, 2023, "Digital ledning", 70m),
            new(Skola, 2024, "Digital förmåga", 80m),
        ]);

        var maturity2023 = Component(index, Skola, 2023, IndexComponents.DigitalMaturity)!;
        // (62,5 + 47,5 + 70) / 3 = 60 percent: 6,0.
        Assert.Equal((6.0m, 180m, 3m), (maturity2023.Score, maturity2023.Numerator, maturity2023.Denominator));
        Assert.Equal(8.0m, Component(index, Skola, 2024, IndexComponents.DigitalMaturity)!.Score);
    }

    [Fact]
    public void DigitalMaturity_At100Percent_IsTen_And_WithoutASurveyResult_IsLeftOut()
    {
        var index = Calculate(
            survey: [new(Skola, 2024, "Digital förmåga", 100m), new(Skola, 2024, "Digitalt arv", 100m)],
            versions: [Version("DIG-1", 1, Phases.Operation, Utc(2024, 5, 2), unit: Kultur)]);

        Assert.Equal(10m, Component(index, Skola, 2024, IndexComponents.DigitalMaturity)!.Score);
        // Kultur och fritid has an index for 2024 (a completed initiative), but no survey: the component is not there, not 0.
        Assert.Null(Component(index, Kultur, 2024, IndexComponents.DigitalMaturity));
        Assert.Equal(1, UnitOf(index, Kultur, 2024).ComponentsUsed);
    }

    [Fact]
    public void CompletedInitiatives_CountsEachInitiativeThatReachedFörvaltningOrAvslutad_AgainstTheTarget()
    {
        var index = Calculate(versions:
        [
            // Projekt → Förvaltning in 2024: counts in 2024.
            Version("DIG-1", 1, Phases.Project, Utc(2023, 3, 1)), Version("DIG-1", 2, Phases.Operation, Utc(2024, 4, 1)),
            // Förvaltning → Avslutad: already completed, not again.
            Version("DIG-2", 1, Phases.Project, Utc(2023, 3, 1)), Version("DIG-2", 2, Phases.Operation, Utc(2023, 9, 1)),
            Version("DIG-2", 3, Phases.Closed, Utc(2024, 2, 1)),
            // Straight to Avslutad from Projekt.
            Version("DIG-3", 1, Phases.Project, Utc(2023, 3, 1)), Version("DIG-3", 2, Phases.Closed, Utc(2024, 6, 1)),
            // A first version already in Förvaltning counts in its start year.
            Version("DIG-4", 1, Phases.Operation, Utc(2024, 1, 10)),
            // Still a project, and one rejected: neither counts.
            Version("DIG-5", 1, Phases.Project, Utc(2024, 1, 10)),
            Version("DIG-6", 1, Phases.Rejected, Utc(2024, 1, 10)),
        ]);

        var completed2024 = Component(index, Skola, 2024, IndexComponents.CompletedInitiatives)!;
        // DIG-1, DIG-3 and DIG-4: 10 × 3 / 5 = 6.
        Assert.Equal((6m, 3m, 5m), (completed2024.Score, completed2024.Numerator, completed2024.Denominator));
        // DIG-2 reached Förvaltning in 2023: 10 × 1 / 5 = 2.
        Assert.Equal(2m, Component(index, Skola, 2023, IndexComponents.CompletedInitiatives)!.Score);
    }

    [Fact]
    public void CompletedInitiatives_IsCappedAtTen_WhenTheTargetIsPassed()
    {
        var versions = Enumerable.Range(1, 7).Select(i => Version($"DIG-{i}", 1, Phases.Operation, Utc(2024, 3, i))).ToList();

        var index = Calculate(versions: versions);
        var withTargetOfTen = Calculate(versions: versions, options: new IndexOptions { CompletedInitiativesTarget = 10 });

        // 7 of a target of 5 would be 14.
        Assert.Equal(10m, Component(index, Skola, 2024, IndexComponents.CompletedInitiatives)!.Score);
        Assert.Equal(7m, Component(withTargetOfTen, Skola, 2024, IndexComponents.CompletedInitiatives)!.Score);
    }

    [Fact]
    public void CompletedInitiatives_AlwaysCounts_AsZero_WhenNoneWasCompleted()
    {
        var index = Calculate(survey: [new(Skola, 2024, "Digital förmåga", 60m)]);

        var completed = Component(index, Skola, 2024, IndexComponents.CompletedInitiatives)!;
        Assert.Equal((0m, 0m, 5m), (completed.Score, completed.Numerator, completed.Denominator));
        // (6 + 0) / 2.
        Assert.Equal((3m, 2), (UnitOf(index, Skola, 2024).IndexValue, UnitOf(index, Skola, 2024).ComponentsUsed));
    }

    [Theory]
    // 22:59:59 UTC on New Year's Eve is 23:59:59 in Stockholm (CET, +1): still 2023.
    [InlineData(2023, 12, 31, 22, 59, 59, 2023)]
    // 23:00 UTC is midnight in Stockholm: the change was made on New Year's Day.
    [InlineData(2023, 12, 31, 23, 0, 0, 2024)]
    [InlineData(2024, 1, 1, 8, 0, 0, 2024)]
    public void CompletedInitiatives_CountInTheYearOfTheChange_AsStockholmDatesIt(int year, int month, int day, int hour, int minute, int second, int expectedYear)
    {
        var index = Calculate(versions:
        [
            Version("DIG-1", 1, Phases.Project, Utc(2023, 2, 1)),
            Version("DIG-1", 2, Phases.Operation, new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc)),
        ]);

        var completion = Assert.Single(index.Components, c => c.Component == IndexComponents.CompletedInitiatives && c.Score > 0);
        Assert.Equal(expectedYear, completion.Year);
        Assert.Equal(2m, completion.Score);
        // The other year has no index at all: nothing happened in it.
        Assert.Equal([expectedYear], index.Units.Select(u => u.Year));
    }

    [Fact]
    public void CompletedInitiatives_CountInTheUnitTheInitiativeHadWhenItWasCompleted_AndOncePerInitiative()
    {
        var index = Calculate(versions:
        [
            Version("DIG-1", 1, Phases.Project, Utc(2023, 2, 1), unit: Kultur),
            Version("DIG-1", 2, Phases.Operation, Utc(2024, 2, 1), unit: Kultur),
            // Moved to another unit while in Förvaltning: not a new completion.
            Version("DIG-1", 3, Phases.Operation, Utc(2024, 5, 1), unit: Skola),
            // Back to a project and to Förvaltning again in the same year: still one initiative.
            Version("DIG-2", 1, Phases.Operation, Utc(2024, 1, 5)),
            Version("DIG-2", 2, Phases.Project, Utc(2024, 3, 5)),
            Version("DIG-2", 3, Phases.Operation, Utc(2024, 9, 5)),
        ]);

        Assert.Equal(2m, Component(index, Kultur, 2024, IndexComponents.CompletedInitiatives)!.Score);
        Assert.Equal(1m, Component(index, Skola, 2024, IndexComponents.CompletedInitiatives)!.Numerator);
    }

    [Fact]
    public void RealizedBenefit_IsTheActualEconomicBenefit_OverThePlanOfTheReportedLines()
    {
        var index = Calculate(realization:
        [
            Realized("DIG-1", 2024, Labels.Financial, 100_000m, 80_000m),
            Realized("DIG-1", 2024, Labels.Redistribution, 50_000m, 40_000m),
            // Another initiative of the unit: counts together with DIG-1's lines.
            Realized("DIG-2", 2024, Labels.Financial, 50_000m, 30_000m),
            // Not reported: its plan does not count.
            Realized("DIG-2", 2024, Labels.Redistribution, 400_000m, null),
            // Förflyttning is a score, not economic benefit.
            Realized("DIG-1", 2024, Labels.Movement, 5m, 9m),
        ]);

        var realized = Component(index, Skola, 2024, IndexComponents.RealizedBenefit)!;
        // 10 × 150 000 / 200 000 = 7,5.
        Assert.Equal((7.5m, 150_000m, 200_000m), (realized.Score, realized.Numerator, realized.Denominator));
    }

    [Fact]
    public void RealizedBenefit_IsCappedAtTen_AndWithoutAReportedActual_IsLeftOut()
    {
        var index = Calculate(
            realization:
            [
                Realized("DIG-1", 2024, Labels.Financial, 10_000m, 25_000m),
                Realized("DIG-1", 2023, Labels.Financial, 10_000m, null),
                // Only a movement score reported in 2023 for Kultur: no economic actual, so no index.
                Realized("DIG-9", 2023, Labels.Movement, 5m, 5m, unit: Kultur),
            ],
            survey: [new(Skola, 2023, "Digital förmåga", 50m)]);

        Assert.Equal(10m, Component(index, Skola, 2024, IndexComponents.RealizedBenefit)!.Score);
        Assert.Null(Component(index, Skola, 2023, IndexComponents.RealizedBenefit));
        Assert.Equal(2, UnitOf(index, Skola, 2023).ComponentsUsed);
        Assert.DoesNotContain(index.Units, u => u.Unit == Kultur);
    }

    [Fact]
    public void RealizedBenefit_AgainstNoPlan_IsTen_WhenSomethingWasRealised_AndLeftOut_WhenNothingWas()
    {
        var index = Calculate(realization:
        [
            Realized("DIG-1", 2024, Labels.Financial, 0m, 5_000m),
            Realized("DIG-2", 2024, Labels.Financial, 0m, 0m, unit: Kultur),
        ]);

        Assert.Equal(10m, Component(index, Skola, 2024, IndexComponents.RealizedBenefit)!.Score);
        Assert.Null(Component(index, Kultur, 2024, IndexComponents.RealizedBenefit));
        // Kultur reported an actual, so it has an index: Genomförda initiativ alone, 0.
        Assert.Equal((0m, 1), (UnitOf(index, Kultur, 2024).IndexValue, UnitOf(index, Kultur, 2024).ComponentsUsed));
    }

    [Fact]
    public void TheUnitIndex_IsTheWeightedMeanOfTheComponentsUsed()
    {
        IReadOnlyList<SurveyResultInput> survey = [new(Skola, 2024, "Digital förmåga", 70m), new(Kultur, 2024, "Digital förmåga", 40m)];
        IReadOnlyList<InitiativeVersionInput> versions = [Version("DIG-1", 1, Phases.Operation, Utc(2024, 3, 1)), Version("DIG-2", 1, Phases.Closed, Utc(2024, 3, 1))];
        IReadOnlyList<RealizationInput> realization = [Realized("DIG-1", 2024, Labels.Financial, 100m, 50m)];

        var equal = Calculate(survey, versions, realization);
        var weighted = Calculate(survey, versions, realization,
            new IndexOptions { DigitalMaturityWeight = 2m, CompletedInitiativesWeight = 1m, RealizedBenefitWeight = 0.5m });

        // Skola: maturity 7, completed 10 × 2 / 5 = 4, realised 10 × 50 / 100 = 5.
        Assert.Equal((16m / 3m, 3), (UnitOf(equal, Skola, 2024).IndexValue, UnitOf(equal, Skola, 2024).ComponentsUsed));
        // (2 × 7 + 1 × 4 + 0,5 × 5) / 3,5 = 20,5 / 3,5.
        Assert.Equal(20.5m / 3.5m, UnitOf(weighted, Skola, 2024).IndexValue);
        Assert.Equal([2m, 1m, 0.5m], weighted.Components.Where(c => c.Unit == Skola).OrderBy(c => IndexComponents.All.ToList().IndexOf(c.Component)).Select(c => c.Weight));
        // Kultur: maturity 4 and no initiative completed (0); no actual, so Realiserad nytta is left out: (2 × 4 + 1 × 0) / 3.
        Assert.Equal((2, 8m / 3m), (UnitOf(weighted, Kultur, 2024).ComponentsUsed, UnitOf(weighted, Kultur, 2024).IndexValue));
        Assert.Equal((2m, 2), (UnitOf(equal, Kultur, 2024).IndexValue, UnitOf(equal, Kultur, 2024).ComponentsUsed));
    }

    [Fact]
    public void TheMunicipalityIndex_IsThePlainMeanOfItsUnitsIndexes_PerYear()
    {
        var index = Calculate(
            survey:
            [
                new(Skola, 2023, "Digital förmåga", 80m), new(Kultur, 2023, "Digital förmåga", 40m),
                new(Skola, 2024, "Digital förmåga", 90m),
            ],
            versions: [Version("DIG-1", 1, Phases.Operation, Utc(2024, 3, 1), unit: Kultur)]);

        // 2023: Skola (8 + 0) / 2 = 4, Kultur (4 + 0) / 2 = 2; mean 3.
        // 2024: Skola (9 + 0) / 2 = 4,5, Kultur 10 × 1 / 5 = 2 alone; mean 3,25.
        Assert.Equal([(2023, 3m, 2), (2024, 3.25m, 2)], index.Municipality.Select(m => (m.Year, m.IndexValue, m.Units)));
    }

    [Fact]
    public void NoData_GivesNoIndex()
    {
        var index = Calculate(
            versions: [Version("DIG-1", 1, Phases.Project, Utc(2024, 3, 1))],
            realization: [Realized("DIG-1", 2024, Labels.Financial, 100m, null)]);

        Assert.Empty(index.Components);
        Assert.Empty(index.Units);
        Assert.Empty(index.Municipality);
    }
}
