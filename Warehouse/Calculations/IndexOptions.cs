using System.ComponentModel.DataAnnotations;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>
/// The digitaliseringsindex's target and weights (index-survey.md). Bound from the configuration section
/// <c>IndexOptions</c>. Weights are relative: only their ratios matter, and the defaults weigh the three
/// components equally.
/// </summary>
public sealed class IndexOptions
{
    /// <summary>The completed initiatives a unit is expected to reach in a year: that many give <c>Genomförda initiativ</c> the score 10.</summary>
    [Range(1, 1_000)]
    public int CompletedInitiativesTarget { get; set; } = 5;

    /// <summary>The weight of <c>Digital mognad</c> (the maturity survey).</summary>
    [Range(typeof(decimal), "0.01", "1000")]
    public decimal DigitalMaturityWeight { get; set; } = 1m;

    /// <summary>The weight of <c>Genomförda initiativ</c>.</summary>
    [Range(typeof(decimal), "0.01", "1000")]
    public decimal CompletedInitiativesWeight { get; set; } = 1m;

    /// <summary>The weight of <c>Realiserad nytta</c>.</summary>
    [Range(typeof(decimal), "0.01", "1000")]
    public decimal RealizedBenefitWeight { get; set; } = 1m;

    /// <summary>The configured weight of a component, by its name.</summary>
    public decimal WeightOf(string component) => component switch
    {
        IndexComponents.DigitalMaturity => DigitalMaturityWeight,
        IndexComponents.CompletedInitiatives => CompletedInitiativesWeight,
        IndexComponents.RealizedBenefit => RealizedBenefitWeight,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, "Not a component of the digitaliseringsindex."),
    };
}
