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
    /// <remarks>
    /// Each case is summed straight into arrays by the horizon's years, in the order and with the operations of
    /// <see cref="BusinessCaseCalculator.Calculate(IEnumerable{int}, IEnumerable{LineAmount}, decimal)"/> and
    /// <see cref="BusinessCaseCalculator.NetPresentValue"/>, so the figures are theirs to the last digit: going through them
    /// (a dictionary by kind and year, every year's figures, a sorted copy per net present value, two per line) was a third
    /// of the sensitivity mart's time in a scale-1 full refresh.
    /// </remarks>
    public static SensitivityFigures Calculate(IEnumerable<int> years, IReadOnlyList<Line> lines, decimal discountRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(discountRate, -1m);
        var horizon = years.Distinct().Order().ToList();
        var at = new Dictionary<int, int>(horizon.Count);
        for (var k = 0; k < horizon.Count; k++)
        {
            at[horizon[k]] = k;
        }
        var merged = Merge(lines);

        var pessimistic = Summary(horizon, at, merged, pessimistic: true, discountRate);
        var optimistic = Summary(horizon, at, merged, pessimistic: false, discountRate);

        // The expected net benefit by year; a line at another percentage moves it by its own signed amounts only.
        var expectedNet = new decimal[horizon.Count];
        foreach (var line in merged)
        {
            foreach (var a in line.Amounts)
            {
                if (at.TryGetValue(a.Year, out var k))
                {
                    expectedNet[k] += Signed(a);
                }
            }
        }

        var rows = new List<LineSensitivity>();
        var net = new decimal[horizon.Count];
        var lineNo = 0;
        foreach (var line in merged)
        {
            lineNo++;
            if (!IsMonetary(line))
            {
                continue;
            }
            var atLow = NetPresentValueWith(line, line.LowPercent, expectedNet, net, horizon, at, discountRate);
            var atHigh = NetPresentValueWith(line, line.HighPercent, expectedNet, net, horizon, at, discountRate);
            rows.Add(new LineSensitivity(lineNo, line.Kind, line.Name, line.LowPercent, line.HighPercent, atLow, atHigh, Math.Abs(atHigh - atLow), 0));
        }
        // The tornado's order: the widest swing first, the workbook's order among equals (rows are in the workbook's order).
        var order = new int[rows.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (x, y) => rows[y].NpvSwing.CompareTo(rows[x].NpvSwing) is var bySwing and not 0 ? bySwing : rows[x].LineNo.CompareTo(rows[y].LineNo));
        var ranked = new LineSensitivity[rows.Count];
        for (var rank = 0; rank < order.Length; rank++)
        {
            ranked[order[rank]] = rows[order[rank]] with { SwingRank = rank + 1 };
        }
        return new SensitivityFigures(pessimistic, optimistic, ranked);
    }

    /// <summary>
    /// The summary <see cref="BusinessCaseCalculator.Calculate(IEnumerable{int}, IEnumerable{LineAmount}, decimal)"/> gives
    /// of the lines scaled to one case: the pessimistic case scales benefits to their low and costs to their high; the
    /// optimistic case the other way. A score (<c>Förflyttning</c>) adds to no total.
    /// </summary>
    private static BusinessCaseSummary Summary(List<int> horizon, Dictionary<int, int> at, List<Line> lines, bool pessimistic, decimal discountRate)
    {
        var n = horizon.Count;
        var investments = new decimal[n];
        var operating = new decimal[n];
        var financial = new decimal[n];
        var redistribution = new decimal[n];
        foreach (var line in lines)
        {
            foreach (var a in line.Amounts)
            {
                if (a.Kind == Labels.Movement)
                {
                    continue;
                }
                var percent = IsCost(a) == pessimistic ? line.HighPercent : line.LowPercent;
                var value = a.Value * percent / 100m;
                if (!at.TryGetValue(a.Year, out var k))
                {
                    continue;
                }
                switch (a.Kind)
                {
                    case Labels.Investment:
                        investments[k] += value;
                        break;
                    case Labels.Operating:
                        operating[k] += value;
                        break;
                    case Labels.Financial:
                        financial[k] += value;
                        break;
                    case Labels.Redistribution:
                        redistribution[k] += value;
                        break;
                }
            }
        }
        var nets = new decimal[n];
        decimal costAcc = 0, benefitAcc = 0, netAcc = 0;
        int? payback = null;
        for (var k = 0; k < n; k++)
        {
            var costTotal = -investments[k] + -operating[k];
            var economic = financial[k] + redistribution[k];
            var net = economic + costTotal;
            costAcc += costTotal;
            benefitAcc += economic;
            netAcc += net;
            if (payback is null && netAcc >= 0)
            {
                payback = horizon[k];
            }
            nets[k] = net;
        }
        return new BusinessCaseSummary(
            n > 0 ? horizon[0] : null, n > 0 ? horizon[^1] : null, costAcc, benefitAcc, netAcc, payback, NetPresentValue(horizon, nets, discountRate), discountRate);
    }

    /// <summary><see cref="BusinessCaseCalculator.NetPresentValue"/> of the nets by the horizon's years (in order), discounted to the first.</summary>
    private static decimal NetPresentValue(List<int> horizon, decimal[] nets, decimal discountRate)
    {
        if (horizon.Count == 0)
        {
            return 0m;
        }
        decimal npv = 0, discount = 1;
        var previous = horizon[0];
        for (var k = 0; k < horizon.Count; k++)
        {
            for (; previous < horizon[k]; previous++)
            {
                discount *= 1m + discountRate;
            }
            npv += nets[k] / discount;
        }
        return npv;
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

    private static decimal NetPresentValueWith(Line line, decimal percent, decimal[] expectedNet, decimal[] net, List<int> horizon, Dictionary<int, int> at,
        decimal discountRate)
    {
        Array.Copy(expectedNet, net, net.Length);
        if (percent != SensitivityLine.Expected)
        {
            foreach (var a in line.Amounts)
            {
                if (at.TryGetValue(a.Year, out var k))
                {
                    net[k] += Signed(a) * (percent - SensitivityLine.Expected) / 100m;
                }
            }
        }
        return NetPresentValue(horizon, net, discountRate);
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
