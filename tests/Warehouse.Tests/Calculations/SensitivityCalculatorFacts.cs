using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Calculations.BusinessCaseCalculator;

namespace NackaInsights.Warehouse.Tests.Calculations;

/// <summary>
/// The pessimistic and the optimistic case and the tornado's swings (business-case-workbook.md, sheet Känslighet),
/// against figures worked out by hand in the comments.
/// </summary>
public class SensitivityCalculatorFacts
{
    private static decimal Sek(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    // The reference case at 3 %, discounted to 2023. The discount factors 1/1.03^k, k = 0..7:
    // 1, 0.970874, 0.942596, 0.915142, 0.888487, 0.862609, 0.837484, 0.813092 (their sum, an annuity due: 7.230283).
    // Each line's present value at 100 %:
    //   Licens och införande (Investering): 520 000 + 35 000 × 0.970874 = 553 980.58
    //   Drift och förvaltning (Förvaltning): 125 000 × 0.970874 + 95 000 × 0.942596 + 85 000 × (0.915142 + 0.888487
    //     + 0.862609 + 0.837484 + 0.813092 = 4.316814) = 121 359.22 + 89 546.62 + 366 929.16 = 577 835.00
    //   Minskade porto- och papperskostnader (Finansiell): 6 400 × 7.230283 = 46 273.81
    //   Frigjord handläggartid (Omfördelning): 80 000 × 7.230283 = 578 422.65
    // Expected NPV: 46 273.81 + 578 422.65 − 553 980.58 − 577 835.00 = −507 119.10 (the contract's net −508 800).
    [Fact]
    public void TheReferenceCase_HasTheHandComputedPessimisticAndOptimisticCase()
    {
        var figures = SensitivityCalculator.Calculate(SensitivityCases.Reference(SensitivityCases.ReferenceSheet), 0.03m);

        // Pessimistic: costs at their high (120 %, 130 %), benefits at their low (50 %, 60 %).
        // Net: −555 000 × 1.2 − 645 000 × 1.3 + 51 200 × 0.5 + 640 000 × 0.6 = −666 000 − 838 500 + 25 600 + 384 000 = −1 094 900.
        // NPV: −553 980.58 × 1.2 − 577 835.00 × 1.3 + 46 273.81 × 0.5 + 578 422.65 × 0.6
        //    = −664 776.70 − 751 185.50 + 23 136.90 + 347 053.59 = −1 045 771.66 (to the öre from exact fractions).
        Assert.Equal(-1_094_900m, figures.Pessimistic.NetBenefitTotal);
        Assert.Equal(-1_045_771.66m, Sek(figures.Pessimistic.NetPresentValue));
        Assert.Null(figures.Pessimistic.PaybackYear);
        // Optimistic: costs at their low (90 %, 100 %), benefits at their high (150 %, 110 %).
        // Net: −555 000 × 0.9 − 645 000 + 51 200 × 1.5 + 640 000 × 1.1 = −499 500 − 645 000 + 76 800 + 704 000 = −363 700.
        // NPV: −553 980.58 × 0.9 − 577 835.00 + 46 273.81 × 1.5 + 578 422.65 × 1.1
        //    = −498 582.52 − 577 835.00 + 69 410.71 + 636 264.92 = −370 741.87 (to the öre from exact fractions).
        Assert.Equal(-363_700m, figures.Optimistic.NetBenefitTotal);
        Assert.Equal(-370_741.87m, Sek(figures.Optimistic.NetPresentValue));
        // The accumulated net never reaches 0 in any case: the optimistic one ends at −363 700.
        Assert.Null(figures.Optimistic.PaybackYear);
        Assert.Equal(2023, figures.Pessimistic.FirstYear);
        Assert.Equal(2030, figures.Optimistic.LastYear);
    }

    [Fact]
    public void TheReferenceCase_HasOneRowPerSekLine_WithTheHandComputedSwingsAndRanks()
    {
        var figures = SensitivityCalculator.Calculate(SensitivityCases.Reference(SensitivityCases.ReferenceSheet), 0.03m);

        // One line alone at a percentage moves the expected NPV (−507 119.10) by its own present value × (percent − 100) %.
        //   1 Licens och införande 90/120: −507 119.10 + 55 398.06 = −451 721.04; − 110 796.12 = −617 915.21; swing 0.3 × 553 980.58 = 166 194.17
        //   2 Drift och förvaltning 100/130: −507 119.10; − 173 350.49 = −680 469.59; swing 0.3 × 577 835.00 = 173 350.49
        //   3 Minskade porto- och papperskostnader 50/150: − 23 136.90 = −530 256.00; + 23 136.90 = −483 982.19; swing 46 273.81
        //   4 Frigjord handläggartid 60/110: − 231 369.06 = −738 488.15; + 57 842.26 = −449 276.83; swing 0.5 × 578 422.65 = 289 211.32
        // The Förflyttning line (5) has no row. Widest first: 4, 2, 1, 3.
        Assert.Equal(
            [
                (1, "Kostnad", "Licens och införande", 90m, 120m, -451_721.04m, -617_915.21m, 166_194.17m, 3),
                (2, "Kostnad", "Drift och förvaltning", 100m, 130m, -507_119.10m, -680_469.59m, 173_350.49m, 2),
                (3, "Nytta", "Minskade porto- och papperskostnader", 50m, 150m, -530_256.00m, -483_982.19m, 46_273.81m, 4),
                (4, "Nytta", "Frigjord handläggartid", 60m, 110m, -738_488.15m, -449_276.83m, 289_211.32m, 1),
            ],
            figures.Lines.Select(l => (l.LineNo, l.Kind, l.Name, l.LowPercent, l.HighPercent, Sek(l.NpvAtLow), Sek(l.NpvAtHigh), Sek(l.NpvSwing), l.SwingRank)));
    }

    [Fact]
    public void ACaseWithoutTheSheet_HasThreeEqualCases_AndZeroSwingsRankedInWorkbookOrder()
    {
        var businessCase = SensitivityCases.Reference(sheet: null);
        var expected = BusinessCaseCalculator.Calculate(businessCase, 0.03m).Summary;

        var figures = SensitivityCalculator.Calculate(businessCase, 0.03m);

        // The contract's expected case: net −508 800, NPV −507 119.10 (see above), no payback.
        Assert.Equal(-508_800m, expected.NetBenefitTotal);
        Assert.Equal(-507_119.10m, Sek(expected.NetPresentValue));
        Assert.Equal(expected, figures.Pessimistic);
        Assert.Equal(expected, figures.Optimistic);
        Assert.Equal([1, 2, 3, 4], figures.Lines.Select(l => l.LineNo));
        Assert.All(figures.Lines, l =>
        {
            Assert.Equal((100m, 100m, 0m), (l.LowPercent, l.HighPercent, l.NpvSwing));
            Assert.Equal(expected.NetPresentValue, l.NpvAtLow);
            Assert.Equal(expected.NetPresentValue, l.NpvAtHigh);
        });
        Assert.Equal([1, 2, 3, 4], figures.Lines.Select(l => l.SwingRank));
    }

    [Fact]
    public void ThePaybackYear_DiffersBetweenTheThreeCases()
    {
        var businessCase = SensitivityCases.Payback();

        var expected = BusinessCaseCalculator.Calculate(businessCase, 0.25m).Summary;
        var figures = SensitivityCalculator.Calculate(businessCase, 0.25m);

        // Expected: net −60 000, 40 000, 40 000; accumulated −60 000, −20 000, 20 000: payback 2026; total 20 000;
        // NPV at 25 % (factors 1, 0.8, 0.64): −60 000 + 32 000 + 25 600 = −2 400.
        Assert.Equal((20_000m, 2026, -2_400m), (expected.NetBenefitTotal, expected.PaybackYear, expected.NetPresentValue));
        // Pessimistic: the cost at 120 % (120 000), the benefit at 50 % (20 000): net −100 000, 20 000, 20 000;
        // accumulated −100 000, −80 000, −60 000: no payback; NPV −100 000 + 16 000 + 12 800 = −71 200.
        Assert.Equal((-60_000m, (int?)null, -71_200m), (figures.Pessimistic.NetBenefitTotal, figures.Pessimistic.PaybackYear, figures.Pessimistic.NetPresentValue));
        // Optimistic: the cost at 80 % (80 000), the benefit at 150 % (60 000): net −20 000, 60 000, 60 000;
        // accumulated −20 000, 40 000: payback 2025; NPV −20 000 + 48 000 + 38 400 = 66 400.
        Assert.Equal((100_000m, (int?)2025, 66_400m), (figures.Optimistic.NetBenefitTotal, figures.Optimistic.PaybackYear, figures.Optimistic.NetPresentValue));
    }

    [Fact]
    public void ASwing_IsTheDifferenceOfTheTwoNetPresentValues_OfATwoLineCase()
    {
        // 2024–2025 at 25 % (factors 1 and 0.8): Drift (Förvaltning) 10 000 a year at 80/150, Porto (Finansiell) 30 000 a
        // year at 50/120. Expected net 20 000 a year: NPV 20 000 + 16 000 = 36 000.
        SensitivityCalculator.Line[] lines =
        [
            new(SensitivityLine.CostKind, "Drift", [new(Labels.Operating, 2024, 10_000), new(Labels.Operating, 2025, 10_000)], 80, 150),
            new(SensitivityLine.BenefitKind, "Porto", [new(Labels.Financial, 2024, 30_000), new(Labels.Financial, 2025, 30_000)], 50, 120),
        ];

        var figures = SensitivityCalculator.Calculate([2024, 2025], lines, 0.25m);

        // Drift at 80 %: net 22 000 a year, 22 000 + 17 600 = 39 600; at 150 %: net 15 000, 15 000 + 12 000 = 27 000;
        // swing 39 600 − 27 000 = 12 600.
        // Porto at 50 %: net 5 000 a year, 5 000 + 4 000 = 9 000; at 120 %: net 26 000, 26 000 + 20 800 = 46 800;
        // swing 46 800 − 9 000 = 37 800: the widest.
        Assert.Equal(
            [(1, 39_600m, 27_000m, 12_600m, 2), (2, 9_000m, 46_800m, 37_800m, 1)],
            figures.Lines.Select(l => (l.LineNo, l.NpvAtLow, l.NpvAtHigh, l.NpvSwing, l.SwingRank)));
        // Pessimistic: costs 15 000, benefits 15 000 a year: net 0, NPV 0. Optimistic: costs 8 000, benefits 36 000:
        // net 28 000 a year, 56 000 in all; NPV 28 000 + 22 400 = 50 400.
        Assert.Equal((0m, 0m), (figures.Pessimistic.NetBenefitTotal, figures.Pessimistic.NetPresentValue));
        Assert.Equal((56_000m, 50_400m), (figures.Optimistic.NetBenefitTotal, figures.Optimistic.NetPresentValue));
    }

    [Fact]
    public void TwoCostLinesOfOneName_AreOneLine_WithTheSheetsPercentages()
    {
        // 2024–2025 at 25 %: Licens (Investering) 10 000 in 2024 and LICENS (Förvaltning) 5 000 in 2025, listed once as
        // "licens" at 100/200; Tid (Omfördelning) 20 000 a year, not listed. Expected net 10 000, 15 000: NPV 10 000 +
        // 12 000 = 22 000. Licens at 200 %: costs 20 000 and 10 000, net 0 and 10 000: NPV 8 000; swing 14 000.
        // Tid at 100/100: swing 0. The merged Licens is line 1, Tid line 2.
        var businessCase = new BusinessCase(
            new InitiativeCard("DIG-9", "Initiativ DIG-9", "Fritid", "agare@nacka.se", null, [], "v1"),
            [2024, 2025],
            [
                new CostLine(2, "Licens", CostCategory.Investment, SensitivityCases.Values(2, (2024, 10_000))),
                new CostLine(3, "LICENS ", CostCategory.Operating, SensitivityCases.Values(3, (2025, 5_000))),
            ],
            [new BenefitLine(2, "Tid", BenefitType.Redistribution, SensitivityCases.Values(2, (2024, 20_000), (2025, 20_000)))],
            [])
        {
            Sensitivity = [SensitivityCases.Line(2, "licens", SensitivityLine.CostKind, 100, 200)],
        };

        var figures = SensitivityCalculator.Calculate(businessCase, 0.25m);

        Assert.Equal(
            [(1, "Kostnad", "Licens", 22_000m, 8_000m, 14_000m, 1), (2, "Nytta", "Tid", 22_000m, 22_000m, 0m, 2)],
            figures.Lines.Select(l => (l.LineNo, l.Kind, l.Name, l.NpvAtLow, l.NpvAtHigh, l.NpvSwing, l.SwingRank)));
        // Pessimistic: both Licens lines at 200 %: NPV 8 000 (as above); net −20 000 − 10 000 + 40 000 = 10 000.
        Assert.Equal((10_000m, 8_000m), (figures.Pessimistic.NetBenefitTotal, figures.Pessimistic.NetPresentValue));
    }

    [Fact]
    public void ForflyttningLines_HaveNoRow_ButStillNumberTheirPlace()
    {
        // A score line between two SEK lines: it takes line 1 of Nyttor after the cost line and has no row of its own.
        SensitivityCalculator.Line[] lines =
        [
            new(SensitivityLine.CostKind, "Drift", [new(Labels.Operating, 2024, 1_000)]),
            new(SensitivityLine.BenefitKind, "Nöjdare brukare", [new(Labels.Movement, 2024, 6)], 50, 150),
            new(SensitivityLine.BenefitKind, "Porto", [new(Labels.Financial, 2024, 2_000)]),
        ];

        var figures = SensitivityCalculator.Calculate([2024], lines, 0.03m);

        Assert.Equal([(1, "Drift"), (3, "Porto")], figures.Lines.Select(l => (l.LineNo, l.Name)));
        // The score counts in no NPV: net 2 000 − 1 000 = 1 000 in every case.
        Assert.Equal((1_000m, 1_000m), (figures.Pessimistic.NetPresentValue, figures.Optimistic.NetPresentValue));
    }

    [Fact]
    public void AForflyttningLineWithNoAmounts_HasNoRowEither()
    {
        // A workbook may list a line whose cells are all empty; its category, not its amounts, says it is a score.
        var businessCase = SensitivityCases.Reference(sheet: null) with
        {
            Benefits = [.. SensitivityCases.Reference(sheet: null).Benefits, new BenefitLine(5, "Nöjdare brukare", BenefitType.Movement, [])],
        };

        var figures = SensitivityCalculator.Calculate(businessCase, 0.03m);

        Assert.Equal([1, 2, 3, 4], figures.Lines.Select(l => l.LineNo));
    }

    [Fact]
    public void ASekLineWithNoAmounts_HasARowWithNoSwing()
    {
        SensitivityCalculator.Line[] lines =
        [
            new(SensitivityLine.CostKind, "Drift", [new(Labels.Operating, 2024, 1_000)]),
            new(SensitivityLine.BenefitKind, "Porto", [], 50, 150, Labels.Financial),
        ];

        var figures = SensitivityCalculator.Calculate([2024], lines, 0.03m);

        // Nothing to vary: the NPV is the expected −1 000 at both ends.
        Assert.Equal([(1, 0m), (2, 0m)], figures.Lines.Select(l => (l.LineNo, l.NpvSwing)));
    }

    [Fact]
    public void TheRank_PutsTheWidestSwingFirst_AndKeepsTheWorkbooksOrderAmongEquals()
    {
        // One year, so an NPV is the year's net: swings are amount × (high − low) %.
        //   1 A 1 000 at 50/150: 1 000; 2 B 2 000 at 75/125: 1 000; 3 C 500 at 0/500: 2 500; 4 D 3 000 at 100/100: 0.
        // Ranks: C 1, then A and B equal (A first, its line comes first), D last.
        SensitivityCalculator.Line[] lines =
        [
            new(SensitivityLine.CostKind, "A", [new(Labels.Investment, 2024, 1_000)], 50, 150),
            new(SensitivityLine.CostKind, "B", [new(Labels.Operating, 2024, 2_000)], 75, 125),
            new(SensitivityLine.BenefitKind, "C", [new(Labels.Redistribution, 2024, 500)], 0, 500),
            new(SensitivityLine.BenefitKind, "D", [new(Labels.Financial, 2024, 3_000)]),
        ];

        var figures = SensitivityCalculator.Calculate([2024], lines, 0.03m);

        Assert.Equal([(1, 1_000m, 2), (2, 1_000m, 3), (3, 2_500m, 1), (4, 0m, 4)], figures.Lines.Select(l => (l.LineNo, l.NpvSwing, l.SwingRank)));
    }

    /// <summary>
    /// The cases are <see cref="BusinessCaseCalculator"/>'s summaries of the scaled amounts and each line's net present
    /// values its <see cref="BusinessCaseCalculator.NetPresentValue"/> of the moved nets, to the last digit and scale:
    /// the calculator sums into arrays by year rather than calling them, and the warehouse must not change a figure.
    /// </summary>
    [Fact]
    public void GeneratedCases_HaveTheBusinessCaseCalculatorsFiguresDigitForDigit()
    {
        var random = new Random(21);
        string[] kinds = [Labels.Investment, Labels.Operating, Labels.Financial, Labels.Redistribution, Labels.Movement];
        for (var n = 0; n < 300; n++)
        {
            var first = 2020 + random.Next(5);
            // Years with a gap, and amounts in years outside the horizon, which count in no case.
            var years = Enumerable.Range(first, 1 + random.Next(10)).Where(_ => random.Next(6) > 0).ToList();
            var lines = new List<SensitivityCalculator.Line>();
            var count = random.Next(12);
            for (var l = 0; l < count; l++)
            {
                var kind = kinds[random.Next(kinds.Length)];
                var sheet = kind is Labels.Investment or Labels.Operating ? SensitivityLine.CostKind : SensitivityLine.BenefitKind;
                var amounts = Enumerable.Range(0, random.Next(8))
                    .Select(_ => new LineAmount(kind, first - 1 + random.Next(12), Math.Round((decimal)(random.NextDouble() * 1_000_000), random.Next(5))))
                    .ToList();
                // Some names repeat in other letter case: one line of the sensitivity.
                var name = random.Next(4) == 0 ? $"RAD {random.Next(3)}" : $"Rad {random.Next(6)}";
                lines.Add(new SensitivityCalculator.Line(sheet, name, amounts, random.Next(101), 100 + random.Next(901), kind));
            }
            var rate = random.Next(4) switch { 0 => 0m, 1 => 0.03m, 2 => 0.035m, _ => (decimal)random.Next(1, 200) / 1000m };

            var figures = SensitivityCalculator.Calculate(years, lines, rate);

            var merged = Merged(lines);
            AssertSame(BusinessCaseCalculator.Calculate(years, Scaled(merged, pessimistic: true), rate).Summary, figures.Pessimistic);
            AssertSame(BusinessCaseCalculator.Calculate(years, Scaled(merged, pessimistic: false), rate).Summary, figures.Optimistic);
            var horizon = years.Distinct().Order().ToList();
            var expected = horizon.ToDictionary(y => y, _ => 0m);
            foreach (var a in merged.SelectMany(m => m.Amounts).Where(a => expected.ContainsKey(a.Year)))
            {
                expected[a.Year] += Signed(a);
            }
            foreach (var row in figures.Lines)
            {
                var line = merged[row.LineNo - 1];
                Assert.Equal(Bits(NpvWith(line, line.LowPercent)), Bits(row.NpvAtLow));
                Assert.Equal(Bits(NpvWith(line, line.HighPercent)), Bits(row.NpvAtHigh));
            }
            var ranks = figures.Lines.OrderByDescending(r => r.NpvSwing).ThenBy(r => r.LineNo).Select(r => r.SwingRank);
            Assert.Equal(Enumerable.Range(1, figures.Lines.Count), ranks);

            decimal NpvWith(SensitivityCalculator.Line line, decimal percent)
            {
                var net = new Dictionary<int, decimal>(expected);
                foreach (var a in line.Amounts.Where(a => percent != 100m && net.ContainsKey(a.Year)))
                {
                    net[a.Year] += Signed(a) * (percent - 100m) / 100m;
                }
                return NetPresentValue(net.Select(kv => (kv.Key, kv.Value)), rate);
            }
        }
    }

    private static decimal Signed(LineAmount a) =>
        a.Kind is Labels.Investment or Labels.Operating ? -a.Value : a.Kind == Labels.Movement ? 0m : a.Value;

    private static List<SensitivityCalculator.Line> Merged(List<SensitivityCalculator.Line> lines)
    {
        var merged = new List<SensitivityCalculator.Line>();
        foreach (var line in lines)
        {
            var at = merged.FindIndex(m => m.Kind == line.Kind && string.Equals(m.Name.Trim(), line.Name.Trim(), StringComparison.OrdinalIgnoreCase));
            if (at < 0)
            {
                merged.Add(line);
            }
            else
            {
                merged[at] = merged[at] with { Amounts = [.. merged[at].Amounts, .. line.Amounts] };
            }
        }
        return merged;
    }

    private static IEnumerable<LineAmount> Scaled(List<SensitivityCalculator.Line> lines, bool pessimistic) =>
        lines.SelectMany(line => line.Amounts.Select(a => a.Kind == Labels.Movement ? a
            : a with { Value = a.Value * ((a.Kind is Labels.Investment or Labels.Operating) == pessimistic ? line.HighPercent : line.LowPercent) / 100m }));

    private static void AssertSame(BusinessCaseSummary expected, BusinessCaseSummary actual)
    {
        Assert.Equal((expected.FirstYear, expected.LastYear, expected.PaybackYear), (actual.FirstYear, actual.LastYear, actual.PaybackYear));
        Assert.Equal(
            [Bits(expected.CostTotal), Bits(expected.EconomicBenefitTotal), Bits(expected.NetBenefitTotal), Bits(expected.NetPresentValue)],
            [Bits(actual.CostTotal), Bits(actual.EconomicBenefitTotal), Bits(actual.NetBenefitTotal), Bits(actual.NetPresentValue)]);
    }

    /// <summary>A decimal's bits: its digits, sign and scale, which equality ignores (1.5 equals 1.50).</summary>
    private static string Bits(decimal value) => string.Join(",", decimal.GetBits(value));
}
