namespace NackaInsights.Bench;

/// <summary>
/// A figure measured several times, as the table gives it: the median and the range (min–max). The machine is shared
/// and one run varies by 20–30 %, so a single run is not a figure.
/// </summary>
public sealed record Figure(double Median, double Min, double Max, int Count)
{
    public static Figure Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("A figure needs at least one measurement.", nameof(values));
        }
        var middle = sorted.Length / 2;
        // An even count has two middles: their mean, as the usual median.
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Figure(median, sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>
    /// This figure over <paramref name="other"/>: the ratio of the medians, and the widest ratio the two ranges allow
    /// (this one's least over the other's most, up to this one's most over the other's least).
    /// </summary>
    public Figure Over(Figure other) => new(Median / other.Median, Min / other.Max, Max / other.Min, Math.Min(Count, other.Count));

    public bool Single => Count == 1 || Min == Max;
}

public enum Verdict
{
    Met,
    NotMet,
    NotMeasured,
    NoTarget,
}

/// <summary>
/// One row of the targets table. <paramref name="Noisy"/>: the median decides the verdict, but the range crosses the
/// target, so another set of runs could decide it the other way.
/// </summary>
public sealed record Target(string Name, string Measured, Verdict Verdict, bool Noisy = false)
{
    /// <summary>Met when the median is; noisy when the range reaches both sides of the target.</summary>
    public static Target Judge(string name, string measured, Figure figure, Func<double, bool> meets) =>
        new(name, measured, meets(figure.Median) ? Verdict.Met : Verdict.NotMet, meets(figure.Min) != meets(figure.Max));

    public string VerdictText => Verdict switch
    {
        Verdict.Met => Noisy ? "met (the range crosses the target)" : "met",
        Verdict.NotMet => Noisy ? "**not met** (the range crosses the target)" : "**not met**",
        Verdict.NotMeasured => "not measured",
        _ => "no target",
    };
}
