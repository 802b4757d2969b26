using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Calculations;

public sealed class RealizationCalculatorFacts
{
    private static readonly PlannedBenefitLine Administration = new(2, "Minskad administration", BenefitType.Financial,
        new Dictionary<int, decimal> { [2023] = 100, [2024] = 200 });

    private static readonly PlannedBenefitLine Time = new(3, "Frigjord tid", BenefitType.Redistribution,
        new Dictionary<int, decimal> { [2023] = 10, [2024] = 10, [2025] = 10 });

    private static IReadOnlyList<RealizationYear> Calculate(params CurrentActual[] actuals) =>
        RealizationCalculator.Calculate(2023, 2025, [Administration, Time], actuals);

    private static (decimal Planned, decimal? Actual, decimal? Variance, decimal? Rate, decimal PlannedAcc, decimal? ActualAcc) Figures(RealizationYear r) =>
        (r.Planned, r.Actual, r.Variance, r.Rate, r.PlannedAcc, r.ActualAcc);

    [Fact]
    public void EveryLineAndYear_IsARow_InLineOrder()
    {
        var rows = Calculate();

        Assert.Equal(
            [("Minskad administration", 2023), ("Minskad administration", 2024), ("Minskad administration", 2025), ("Frigjord tid", 2023), ("Frigjord tid", 2024), ("Frigjord tid", 2025)],
            rows.Select(r => (r.Line.Name, r.Year)));
    }

    [Fact]
    public void ALineWithoutActuals_ShowsItsPlan_AndNothingRealised()
    {
        var rows = Calculate().Where(r => r.Line == Time).ToList();

        Assert.Equal((10m, (decimal?)null, (decimal?)null, (decimal?)null, 10m, (decimal?)null), Figures(rows[0]));
        Assert.Equal((10m, (decimal?)null, (decimal?)null, (decimal?)null, 30m, (decimal?)null), Figures(rows[2]));
    }

    [Fact]
    public void ReportedYears_HaveVarianceRateAndAccumulations_UnreportedYearsNone()
    {
        // Administration: planned 100, 200, (empty) 0; reported 80 in 2023 and 50 in 2025, nothing in 2024.
        var rows = Calculate(new CurrentActual("minskad administration", 2023, 80), new CurrentActual("minskad administration", 2025, 50))
            .Where(r => r.Line == Administration).ToList();

        Assert.Equal((100m, 80m, -20m, 0.8m, 100m, 80m), Figures(rows[0]));
        Assert.Equal((200m, (decimal?)null, (decimal?)null, (decimal?)null, 300m, (decimal?)null), Figures(rows[1]));
        // Planned 0: the rate is undefined; the accumulation goes on over the unreported year.
        Assert.Equal((0m, 50m, 50m, (decimal?)null, 300m, 130m), Figures(rows[2]));
    }

    [Fact]
    public void OverAchievement_GivesARateAboveOne_AndAZeroIsReported()
    {
        var rows = Calculate(new CurrentActual("frigjord tid", 2024, 15), new CurrentActual("frigjord tid", 2025, 0))
            .Where(r => r.Line == Time).ToList();

        Assert.Equal((10m, 15m, 5m, 1.5m, 20m, 15m), Figures(rows[1]));
        Assert.Equal((10m, 0m, -10m, 0m, 30m, 15m), Figures(rows[2]));
    }

    [Fact]
    public void RatesAreUnrounded()
    {
        var row = Calculate(new CurrentActual("minskad administration", 2024, 100)).Single(r => r.Line == Administration && r.Year == 2024);

        Assert.Equal(100m / 200m, row.Rate);
        var third = RealizationCalculator.Calculate(2023, 2023, [new PlannedBenefitLine(2, "X", BenefitType.Financial, new Dictionary<int, decimal> { [2023] = 3 })],
            [new CurrentActual("x", 2023, 1)]).Single();
        Assert.Equal(1m / 3m, third.Rate);
    }

    [Fact]
    public void ActualsOfOtherLinesOrYears_AreIgnored()
    {
        var rows = Calculate(new CurrentActual("porto", 2023, 99), new CurrentActual("frigjord tid", 2031, 99));

        Assert.All(rows, r => Assert.Null(r.Actual));
    }
}
