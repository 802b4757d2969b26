using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Calculations;

namespace NackaInsights.Etl.Tests.Demo;

/// <summary>The demo's business case workbooks, read back as the pipeline reads them.</summary>
public sealed class DemoSourceWriterFacts
{
    private static readonly WorkbookLimits Limits = new();

    [Fact]
    public void Write_GivesNackasReferenceCase_ASheetKänslighet_ThatReadsToTheHandComputedRange()
    {
        using var directory = new TempDirectory();
        DemoSourceWriter.Write(directory.Path);
        var path = Directory.GetFiles(Path.Combine(directory.Path, SourceFolder.BusinessCases), "DIG-2023-014 *.xlsx").Single();

        var result = new BusinessCaseWorkbookReader(Limits).Read(path, Path.GetFileName(path));

        Assert.True(result.IsValid, string.Join("; ", result.Problems));
        var bc = result.BusinessCase!;
        Assert.Equal(
            [
                ("Licens och införande", "Kostnad", 90m, 120m, "90", "120"),
                ("Drift och förvaltning", "Kostnad", 100m, 130m, "100", "130 %"),
                ("Minskade porto- och papperskostnader", "Nytta", 50m, 150m, "50 %", "150%"),
                ("Frigjord handläggartid", "Nytta", 60m, 110m, "60%", "110"),
            ],
            bc.Sensitivity.Select(s => (s.LineName, s.LineKind, s.LowPercent, s.HighPercent, s.LowRawText, s.HighRawText)));

        var expected = BusinessCaseCalculator.Calculate(bc, 0.03m).Summary;
        var range = SensitivityCalculator.Calculate(bc, 0.03m);

        // By hand, in exact fractions, discounted at 3 % to 2023 (year t weighs 1/1.03^(t-2023)).
        // Expected: net by year −433 600, −73 600, −8 600, then 1 400 × 5 (2026–2030); total −508 800.
        //   NPV = −433 600 − 73 600/1.03 − 8 600/1.03² + 1 400 × (1/1.03³ + … + 1/1.03⁷)
        //       = −433 600 − 71 456.31 − 8 106.32 + 1 281.20 + 1 243.88 + 1 207.65 + 1 172.48 + 1 138.33 = −507 119.10
        // Pessimistic: costs at Högsta (Licens 120 %, Drift 130 %), benefits at Lägsta (porto 50 %: 3 200, tid 60 %: 48 000 a year).
        //   2023: 51 200 − 520 000×1.2 = −572 800; 2024: 51 200 − 35 000×1.2 − 125 000×1.3 = −153 300;
        //   2025: 51 200 − 95 000×1.3 = −72 300; 2026–2030: 51 200 − 85 000×1.3 = −59 300.
        //   Total: 409 600 − (666 000 + 838 500) = −1 094 900; never ≥ 0 accumulated, so no payback year.
        //   NPV = −572 800 − 153 300/1.03 − 72 300/1.03² − 59 300 × (1/1.03³ + … + 1/1.03⁷)
        //       = −572 800 − 148 834.95 − 68 149.68 − 54 267.90 − 52 687.28 − 51 152.70 − 49 662.82 − 48 216.33 = −1 045 771.66
        // Optimistic: costs at Lägsta (Licens 90 %, Drift 100 %), benefits at Högsta (porto 150 %: 9 600, tid 110 %: 88 000).
        //   2023: 97 600 − 468 000 = −370 400; 2024: 97 600 − 31 500 − 125 000 = −58 900; 2025: 97 600 − 95 000 = 2 600;
        //   2026–2030: 97 600 − 85 000 = 12 600. Total: 780 800 − (499 500 + 645 000) = −363 700; accumulated stays
        //   below 0 (−370 400 − 58 900 + 2 600 + 5 × 12 600 = −363 700), so no payback year.
        //   NPV = −370 400 − 58 900/1.03 + 2 600/1.03² + 12 600 × (1/1.03³ + … + 1/1.03⁷)
        //       = −370 400 − 57 184.47 + 2 450.75 + 11 530.78 + 11 194.94 + 10 868.87 + 10 552.30 + 10 244.95 = −370 741.87
        Assert.Equal(-507_119.10m, Math.Round(expected.NetPresentValue, 2));
        Assert.Equal(-1_094_900m, range.Pessimistic.NetBenefitTotal);
        Assert.Equal(-1_045_771.66m, Math.Round(range.Pessimistic.NetPresentValue, 2));
        Assert.Null(range.Pessimistic.PaybackYear);
        Assert.Equal(-363_700m, range.Optimistic.NetBenefitTotal);
        Assert.Equal(-370_741.87m, Math.Round(range.Optimistic.NetPresentValue, 2));
        Assert.Null(range.Optimistic.PaybackYear);

        // Each line alone at its Lägsta and at its Högsta, the others as expected; D = Σ 1/1.03^t, t = 0…7 = 7.230283.
        //   Licens (PV of its amounts 520 000 + 35 000/1.03 = 553 980.58): at 90 % −507 119.10 + 55 398.06 = −451 721.04,
        //     at 120 % −507 119.10 − 110 796.12 = −617 915.21; swing 30 % of 553 980.58 = 166 194.17.
        //   Drift (PV 125 000/1.03 + 95 000/1.03² + 85 000 × (1/1.03³ + … + 1/1.03⁷) = 577 834.96): at 100 % the expected
        //     −507 119.10, at 130 % −507 119.10 − 173 350.49 = −680 469.59; swing 173 350.49.
        //   Porto (6 400 a year): ∓ 3 200 × D = ∓ 23 136.91: −530 256.00 and −483 982.19; swing 6 400 × D = 46 273.81.
        //   Tid (80 000 a year): −32 000 × D and +8 000 × D: −738 488.15 and −449 276.83; swing 40 000 × D = 289 211.32.
        Assert.Equal(
            [
                ("Licens och införande", -451_721.04m, -617_915.21m, 166_194.17m, 3),
                ("Drift och förvaltning", -507_119.10m, -680_469.59m, 173_350.49m, 2),
                ("Minskade porto- och papperskostnader", -530_256.00m, -483_982.19m, 46_273.81m, 4),
                ("Frigjord handläggartid", -738_488.15m, -449_276.83m, 289_211.32m, 1),
            ],
            range.Lines.Select(l => (l.Name, Math.Round(l.NpvAtLow, 2), Math.Round(l.NpvAtHigh, 2), Math.Round(l.NpvSwing, 2), l.SwingRank)));
    }

}
