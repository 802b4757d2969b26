using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Calculations.BusinessCaseCalculator;

namespace NackaInsights.Warehouse.Tests.Calculations;

public class BusinessCaseCalculatorFacts
{
    private static BusinessCaseFigures Reference(decimal rate = 0.03m)
    {
        var years = ContractWorkbooks.ReferenceYears;
        var amounts = new List<LineAmount>
        {
            new(Labels.Investment, 2023, 520_000), new(Labels.Investment, 2024, 35_000),
            new(Labels.Operating, 2024, 125_000), new(Labels.Operating, 2025, 95_000),
        };
        amounts.AddRange(Enumerable.Range(2026, 5).Select(y => new LineAmount(Labels.Operating, y, 85_000)));
        amounts.AddRange(years.Select(y => new LineAmount(Labels.Financial, y, 6_400)));
        amounts.AddRange(years.Select(y => new LineAmount(Labels.Redistribution, y, 80_000)));
        amounts.Add(new LineAmount(Labels.Movement, 2024, 0.5m));
        amounts.Add(new LineAmount(Labels.Movement, 2025, 0.5m));
        return Calculate(years, amounts, rate);
    }

    [Fact]
    public void Calculate_ReproducesNackasReferenceTable_ToTheKronaAndDecimal()
    {
        var figures = Reference();

        Assert.Equal(ContractWorkbooks.ReferenceYears, figures.Years.Select(y => y.Year));
        var columns = new Dictionary<string, Func<BusinessCaseYear, decimal?>>
        {
            ["cost_total_sek"] = y => y.CostTotal,
            ["investment_acc_sek"] = y => y.InvestmentAcc,
            ["operating_cost_acc_sek"] = y => y.OperatingCostAcc,
            ["cost_total_acc_sek"] = y => y.CostTotalAcc,
            ["economic_benefit_sek"] = y => y.EconomicBenefit,
            ["economic_benefit_acc_sek"] = y => y.EconomicBenefitAcc,
            ["net_benefit_sek"] = y => y.NetBenefit,
            ["economic_benefit_ratio"] = y => y.EconomicBenefitRatio,
            ["movement_score"] = y => y.MovementScore,
            ["benefit_ratio_total"] = y => y.BenefitRatioTotal,
        };
        foreach (var (column, expected) in ContractWorkbooks.ReferenceTable)
        {
            var decimals = ContractWorkbooks.IsRatio(column) ? 1 : 0;
            var actual = figures.Years.Select(y => Math.Round(columns[column](y)!.Value, decimals, MidpointRounding.AwayFromZero));
            Assert.True(expected.SequenceEqual(actual), $"{column}: {string.Join("; ", actual)}");
        }
    }

    [Fact]
    public void Calculate_KeepsRatiosUnrounded()
    {
        var first = Reference().Years[0];

        Assert.Equal(10m * 86_400m / 520_000m, first.EconomicBenefitRatio);
        Assert.NotEqual(1.7m, first.EconomicBenefitRatio);
    }

    [Fact]
    public void Calculate_SummarisesTheWholeHorizon()
    {
        var summary = Reference().Summary;

        Assert.Equal(2023, summary.FirstYear);
        Assert.Equal(2030, summary.LastYear);
        Assert.Equal(-1_200_000m, summary.CostTotal);
        Assert.Equal(691_200m, summary.EconomicBenefitTotal);
        Assert.Equal(-508_800m, summary.NetBenefitTotal);
        Assert.Null(summary.PaybackYear);
        Assert.Equal(0.03m, summary.DiscountRate);
    }

    [Fact]
    public void NetPresentValue_DiscountsEachYearToTheFirstYear()
    {
        var npv = NetPresentValue([(2023, -433_600m), (2024, -73_600m), (2025, -8_600m), (2026, 1_400m), (2027, 1_400m), (2028, 1_400m), (2029, 1_400m), (2030, 1_400m)], 0.03m);

        var byHand = -433_600.0 - 73_600 / 1.03 - 8_600 / Math.Pow(1.03, 2) + Enumerable.Range(3, 5).Sum(t => 1_400 / Math.Pow(1.03, t));
        Assert.Equal(Math.Round(byHand, 2), Math.Round((double)npv, 2));
        Assert.Equal(-507_119m, Math.Round(npv, 0));
    }

    [Fact]
    public void NetPresentValue_AtZeroRate_IsTheSumOfNetBenefits()
    {
        Assert.Equal(-508_800m, Reference(rate: 0m).Summary.NetPresentValue);
    }

    [Fact]
    public void NetPresentValue_CountsTheYearsBetween_WhenTheHorizonHasAGap()
    {
        var npv = NetPresentValue([(2020, 0m), (2022, 1_000m)], 0.1m);

        Assert.Equal(1_000m / 1.21m, npv);
    }

    [Fact]
    public void PaybackYear_IsTheFirstYearWhoseAccumulatedNetBenefitIsNotNegative()
    {
        var figures = Calculate([2024, 2025, 2026, 2027],
        [
            new(Labels.Investment, 2024, 100_000),
            new(Labels.Redistribution, 2024, 20_000), new(Labels.Redistribution, 2025, 40_000),
            new(Labels.Redistribution, 2026, 40_000), new(Labels.Redistribution, 2027, 40_000),
        ], 0.03m);

        Assert.Equal(2026, figures.Summary.PaybackYear);
        Assert.Equal(0m, figures.Years.Single(y => y.Year == 2026).NetBenefitAcc);
    }

    [Fact]
    public void Ratio_IsEmpty_WhenAYearHasNoCost()
    {
        var figures = Calculate([2024, 2025], [new(Labels.Investment, 2024, 50_000), new(Labels.Financial, 2025, 10_000), new(Labels.Movement, 2025, 3)], 0.03m);

        var second = figures.Years[1];
        Assert.Null(second.EconomicBenefitRatio);
        Assert.Null(second.BenefitRatioTotal);
        Assert.Equal(3m, second.MovementScore);
    }

    [Fact]
    public void MovementScore_IsCappedAtTen_WhenLinesAddUpToMore()
    {
        var figures = Calculate([2024], [new(Labels.Operating, 2024, 10_000), new(Labels.Movement, 2024, 6), new(Labels.Movement, 2024, 7)], 0.03m);

        var year = Assert.Single(figures.Years);
        Assert.Equal(10m, year.MovementScore);
        Assert.Equal(10m, year.BenefitRatioTotal);
        Assert.Equal(0m, year.EconomicBenefitRatio);
    }

    [Fact]
    public void Calculate_RunsOverTheUnionOfBothSheetsYears()
    {
        var businessCase = new BusinessCase(
            new InitiativeCard("DIG-1", "Test", "Enhet", "a@nacka.se", null, [], null),
            [2022, 2023, 2024, 2025],
            [new CostLine(2, "Införande", CostCategory.Investment, [new YearValue(2022, 10_000, "C2", "10000")])],
            [new BenefitLine(2, "Tid", BenefitType.Redistribution, [new YearValue(2025, 4_000, "D2", "4000")])],
            []);

        var figures = Calculate(businessCase, 0.03m);

        Assert.Equal([2022, 2023, 2024, 2025], figures.Years.Select(y => y.Year));
        Assert.Equal(-10_000m, figures.Years[0].Investment);
        Assert.Equal(0m, figures.Years[1].CostTotal);
        Assert.Equal(-6_000m, figures.Summary.NetBenefitTotal);
    }

    [Fact]
    public void Calculate_GivesNoYears_ForAnEmptyBusinessCase()
    {
        var figures = Calculate([], [], 0.03m);

        Assert.Empty(figures.Years);
        Assert.Null(figures.Summary.FirstYear);
        Assert.Equal(0m, figures.Summary.NetPresentValue);
    }

    [Fact]
    public void Calculate_RefusesADiscountRateOfMinusOneOrLess()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Calculate([2024], [], -1m));
    }
}
