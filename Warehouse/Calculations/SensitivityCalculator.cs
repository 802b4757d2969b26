using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Calculations.BusinessCaseCalculator;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>
/// The low and the high case of a business case (business-case-workbook.md, sheet <c>Känslighet</c>): the pessimistic
/// and the optimistic case, and each SEK line's net present value at its low and at its high with every other line as
/// expected. Plain arithmetic in <see cref="decimal"/> beside <see cref="BusinessCaseCalculator"/>, whose definitions
/// of the totals, the payback year and the net present value it reuses.
/// </summary>
public static class SensitivityCalculator
{
    /// <summary>
    /// One line of a business case as the sensitivity sees it: its sheet (<see cref="SensitivityLine.CostKind"/> or
    /// <see cref="SensitivityLine.BenefitKind"/>), its name, its amounts keyed by the contract's labels (costs positive),
    /// and its low and high case in percent (100 and 100 when the sheet <c>Känslighet</c> does not list it). Its
    /// <paramref name="Category"/> (a contract label) says what a line of no amounts is; null to tell by its amounts.
    /// </summary>
    public sealed record Line(
        string Kind, string Name, IReadOnlyList<LineAmount> Amounts, decimal LowPercent = SensitivityLine.Expected, decimal HighPercent = SensitivityLine.Expected,
        string? Category = null);

    /// <summary>The figures of a workbook as read: its lines with the percentages of its sheet <c>Känslighet</c>.</summary>
    public static SensitivityFigures Calculate(BusinessCase businessCase, decimal discountRate)
    {
        var listed = businessCase.Sensitivity.ToDictionary(s => (s.LineKind, s.LineName), KindAndName);
        (decimal Low, decimal High) Case(string kind, string name) =>
            listed.TryGetValue((kind, name), out var s) ? (s.LowPercent, s.HighPercent) : (SensitivityLine.Expected, SensitivityLine.Expected);

        var lines = new List<Line>(businessCase.LineCount);
        foreach (var cost in businessCase.Costs)
        {
            var (low, high) = Case(SensitivityLine.CostKind, cost.Name);
            lines.Add(new Line(SensitivityLine.CostKind, cost.Name, cost.Values.Select(v => new LineAmount(Labels.Of(cost.Category), v.Year, v.Value)).ToList(), low, high,
                Labels.Of(cost.Category)));
        }
        foreach (var benefit in businessCase.Benefits)
        {
            var (low, high) = Case(SensitivityLine.BenefitKind, benefit.Name);
            lines.Add(new Line(SensitivityLine.BenefitKind, benefit.Name, benefit.Values.Select(v => new LineAmount(Labels.Of(benefit.Type), v.Year, v.Value)).ToList(), low, high,
                Labels.Of(benefit.Type)));
        }
        return Calculate(businessCase.Years, lines, discountRate);
    }

    /// <summary>
    /// Computes the cases over <paramref name="years"/> (the expected case's horizon) from <paramref name="lines"/>, in the
    /// workbook's order. Lines of one sheet with the same name (ignoring case) are one line, as the sheet <c>Känslighet</c>
    /// names them: the first one's percentages count. A <c>Förflyttning</c> line takes part in every case unchanged and
    /// has no row of its own: a score has no money to vary.
    /// </summary>
    public static SensitivityFigures Calculate(IEnumerable<int> years, IReadOnlyList<Line> lines, decimal discountRate)
    {
        var horizon = years.Distinct().Order().ToList();
        var merged = Merge(lines);

        var pessimistic = BusinessCaseCalculator.Calculate(horizon, Scaled(merged, pessimistic: true), discountRate).Summary;
        var optimistic = BusinessCaseCalculator.Calculate(horizon, Scaled(merged, pessimistic: false), discountRate).Summary;

        // The expected net benefit by year; a line at another percentage moves it by its own signed amounts only.
        var expectedNet = horizon.ToDictionary(y => y, _ => 0m);
        foreach (var line in merged)
        {
            foreach (var a in line.Amounts)
            {
                if (expectedNet.ContainsKey(a.Year))
                {
                    expectedNet[a.Year] += Signed(a);
                }
            }
        }

        var rows = new List<LineSensitivity>();
        var lineNo = 0;
        foreach (var line in merged)
        {
            lineNo++;
            if (!IsMonetary(line))
            {
                continue;
            }
            var atLow = NetPresentValueWith(line, line.LowPercent, expectedNet, discountRate);
            var atHigh = NetPresentValueWith(line, line.HighPercent, expectedNet, discountRate);
            rows.Add(new LineSensitivity(lineNo, line.Kind, line.Name, line.LowPercent, line.HighPercent, atLow, atHigh, Math.Abs(atHigh - atLow), 0));
        }
        // The tornado's order: the widest swing first, the workbook's order among equals.
        var ranked = rows.OrderByDescending(r => r.NpvSwing).ThenBy(r => r.LineNo)
            .Select((r, i) => r with { SwingRank = i + 1 })
            .OrderBy(r => r.LineNo)
            .ToList();
        return new SensitivityFigures(pessimistic, optimistic, ranked);
    }

    private static readonly StringComparer NameComparer = StringComparer.OrdinalIgnoreCase;

    /// <summary>Compares (kind, name) pairs as the sheets match names: case-insensitively.</summary>
    public static IEqualityComparer<(string Kind, string Name)> KindAndName { get; } = new KindAndNameComparer();

    private sealed class KindAndNameComparer : IEqualityComparer<(string Kind, string Name)>
    {
        public bool Equals((string Kind, string Name) x, (string Kind, string Name) y) =>
            StringComparer.Ordinal.Equals(x.Kind, y.Kind) && NameComparer.Equals(x.Name.Trim(), y.Name.Trim());

        public int GetHashCode((string Kind, string Name) obj) => HashCode.Combine(obj.Kind, NameComparer.GetHashCode(obj.Name.Trim()));
    }

    private static List<Line> Merge(IReadOnlyList<Line> lines)
    {
        var merged = new List<Line>(lines.Count);
        var index = new Dictionary<(string, string), int>(KindAndName);
        foreach (var line in lines)
        {
            if (index.TryGetValue((line.Kind, line.Name), out var at))
            {
                merged[at] = merged[at] with { Amounts = [.. merged[at].Amounts, .. line.Amounts] };
            }
            else
            {
                index[(line.Kind, line.Name)] = merged.Count;
                merged.Add(line);
            }
        }
        return merged;
    }

    private static bool IsCost(LineAmount a) => a.Kind is Labels.Investment or Labels.Operating;

    /// <summary>
    /// A cost line, or a benefit line in SEK: one that has money to vary. A line of no amounts (all its cells empty) counts
    /// by its category, or by its sheet when none is given.
    /// </summary>
    private static bool IsMonetary(Line line) =>
        line.Kind == SensitivityLine.CostKind
        || (line.Amounts.Count == 0 ? line.Category != Labels.Movement : line.Amounts.Any(a => a.Kind != Labels.Movement));

    /// <summary>What an amount adds to the year's net benefit: a cost subtracts, a benefit in SEK adds, a score adds nothing.</summary>
    private static decimal Signed(LineAmount a) => IsCost(a) ? -a.Value : a.Kind == Labels.Movement ? 0m : a.Value;

    /// <summary>The pessimistic case scales benefits to their low and costs to their high; the optimistic case the other way.</summary>
    private static IEnumerable<LineAmount> Scaled(List<Line> lines, bool pessimistic)
    {
        foreach (var line in lines)
        {
            foreach (var a in line.Amounts)
            {
                if (a.Kind == Labels.Movement)
                {
                    yield return a;
                    continue;
                }
                var percent = IsCost(a) == pessimistic ? line.HighPercent : line.LowPercent;
                yield return a with { Value = a.Value * percent / 100m };
            }
        }
    }

    private static decimal NetPresentValueWith(Line line, decimal percent, Dictionary<int, decimal> expectedNet, decimal discountRate)
    {
        var net = new Dictionary<int, decimal>(expectedNet);
        if (percent != SensitivityLine.Expected)
        {
            foreach (var a in line.Amounts)
            {
                if (net.ContainsKey(a.Year))
                {
                    net[a.Year] += Signed(a) * (percent - SensitivityLine.Expected) / 100m;
                }
            }
        }
        return NetPresentValue(net.Select(kv => (kv.Key, kv.Value)), discountRate);
    }
}

/// <summary>One SEK line's sensitivity: the net present value with it alone at its low and alone at its high.</summary>
/// <param name="LineNo">The line's place in the workbook (costs first, from 1), counting every line.</param>
/// <param name="SwingRank">1 for the widest swing of the business case.</param>
public sealed record LineSensitivity(
    int LineNo,
    string Kind,
    string Name,
    decimal LowPercent,
    decimal HighPercent,
    decimal NpvAtLow,
    decimal NpvAtHigh,
    decimal NpvSwing,
    int SwingRank);

/// <summary>The pessimistic and the optimistic case of a business case, and its SEK lines' swings in the workbook's order.</summary>
public sealed record SensitivityFigures(BusinessCaseSummary Pessimistic, BusinessCaseSummary Optimistic, IReadOnlyList<LineSensitivity> Lines);
