using System.Globalization;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>The three components of the digitaliseringsindex, as <c>pbi_fct_digitalization_index.component</c> names them.</summary>
public static class IndexComponents
{
    public const string DigitalMaturity = "Digital mognad";
    public const string CompletedInitiatives = "Genomförda initiativ";
    public const string RealizedBenefit = "Realiserad nytta";

    public static readonly IReadOnlyList<string> All = [DigitalMaturity, CompletedInitiatives, RealizedBenefit];
}

/// <summary>One current survey result: a unit's percentage for one maturity dimension in one year.</summary>
public sealed record SurveyResultInput(string Unit, int Year, string Dimension, decimal Percent);

/// <summary>One version of an initiative in the register (type 2), with the unit it had and when it began.</summary>
/// <param name="ValidFromUtc">When the version began: the list item's <c>lastModifiedDateTime</c> of the change.</param>
public sealed record InitiativeVersionInput(string InitiativeId, int VersionNo, string Unit, string? Phase, DateTime ValidFromUtc);

/// <summary>One realisation row: an initiative's benefit line in a year, its plan and, when reported, its actual.</summary>
/// <param name="Unit">The initiative's unit.</param>
/// <param name="BenefitType">Finansiell, Omfördelning or Förflyttning; only the first two, the economic benefit, count.</param>
public sealed record RealizationInput(string InitiativeId, string Unit, int Year, string BenefitType, decimal Planned, decimal? Actual);

/// <summary>
/// One component's score for a unit and year, with what it was computed from: <see cref="Numerator"/> ÷
/// <see cref="Denominator"/>, scaled and capped as the component defines (see <see cref="DigitalizationIndexCalculator"/>).
/// </summary>
/// <param name="Basis">What the score rests on, in Swedish, for the reader of the fact.</param>
public sealed record IndexComponentScore(string Unit, int Year, string Component, decimal Score, decimal Weight, decimal Numerator, decimal Denominator, string Basis);

/// <summary>A unit's index for a year: the weighted mean of the components it has data for.</summary>
public sealed record UnitIndex(string Unit, int Year, decimal IndexValue, int ComponentsUsed);

/// <summary>The municipality's index for a year: the mean of its units' indexes.</summary>
public sealed record MunicipalityIndex(int Year, decimal IndexValue, int Units);

/// <summary>The digitaliseringsindex, every level of it.</summary>
public sealed record DigitalizationIndex(IReadOnlyList<IndexComponentScore> Components, IReadOnlyList<UnitIndex> Units, IReadOnlyList<MunicipalityIndex> Municipality);

/// <summary>
/// The digitaliseringsindex of index-survey.md, per unit (verksamhet) and year, on a 0–10 scale, from three components:
/// <list type="bullet">
/// <item><c>Digital mognad</c>: the mean of the unit's dimension percentages of the year ÷ 10.</item>
/// <item><c>Genomförda initiativ</c>: 10 × the unit's initiatives that reached Förvaltning or Avslutad during the year
/// ÷ the yearly target, capped at 10. An initiative reaches them with a version in one of those phases whose
/// validity starts in the year (in Stockholm time) and whose previous version, if any, was in another phase.</item>
/// <item><c>Realiserad nytta</c>: 10 × the sum of the reported actual economic benefit (Finansiell and Omfördelning)
/// ÷ the sum of the planned, over the unit's benefit lines with a reported actual for the year, capped at 10.
/// When the planned sum is 0, anything realised scores 10, and nothing realised leaves the component out.</item>
/// </list>
/// A unit has an index for a year when it has a survey result, a reported actual (of economic benefit) or a completed
/// initiative in that year. <c>Genomförda initiativ</c> always counts (none completed scores 0); the other two count only
/// with data. The index is the weighted mean of the components used; the municipality's is the plain mean of its units'.
/// </summary>
public static class DigitalizationIndexCalculator
{
    private const decimal Cap = 10m;

    private static readonly TimeZoneInfo Stockholm = StockholmTime.Zone;

    /// <summary>The year a moment falls in, in Stockholm: 2023-12-31T23:30Z is already 2024 there.</summary>
    public static int StockholmYear(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Stockholm).Year;

    public static DigitalizationIndex Calculate(
        IEnumerable<SurveyResultInput> survey,
        IEnumerable<InitiativeVersionInput> versions,
        IEnumerable<RealizationInput> realization,
        IndexOptions options)
    {
        var maturity = survey
            .GroupBy(s => (s.Unit, s.Year))
            .ToDictionary(g => g.Key, g => (Sum: g.Sum(s => s.Percent), Count: g.Count()));
        var completed = Completions(versions)
            .GroupBy(c => (c.Unit, c.Year))
            .ToDictionary(g => g.Key, g => g.Select(c => c.InitiativeId).Distinct(StringComparer.Ordinal).Count());
        var realized = realization
            .Where(r => r.Actual is not null && (r.BenefitType == Labels.Financial || r.BenefitType == Labels.Redistribution))
            .GroupBy(r => (r.Unit, r.Year))
            .ToDictionary(g => g.Key, g => (Actual: g.Sum(r => r.Actual!.Value), Planned: g.Sum(r => r.Planned), Lines: g.Count()));

        var components = new List<IndexComponentScore>();
        var units = new List<UnitIndex>();
        var keys = maturity.Keys.Union(completed.Keys).Union(realized.Keys)
            .OrderBy(k => k.Year).ThenBy(k => k.Unit, StringComparer.Ordinal);
        foreach (var (unit, year) in keys)
        {
            var scores = new List<IndexComponentScore>();
            if (maturity.TryGetValue((unit, year), out var m))
            {
                scores.Add(Score(unit, year, IndexComponents.DigitalMaturity, options, m.Sum, m.Count,
                    m.Count == 1 ? "1 dimension i enkäten" : $"{m.Count} dimensioner i enkäten")!);
            }
            var count = completed.GetValueOrDefault((unit, year));
            var target = options.CompletedInitiativesTarget;
            scores.Add(Score(unit, year, IndexComponents.CompletedInitiatives, options, count, target,
                $"{(count == 1 ? "1 initiativ" : $"{count} initiativ")} nådde Förvaltning eller Avslutad; målet är {target} per år")!);
            if (realized.TryGetValue((unit, year), out var r) && Score(unit, year, IndexComponents.RealizedBenefit, options, r.Actual, r.Planned,
                    $"utfall mot plan för {(r.Lines == 1 ? "1 nyttopost" : $"{r.Lines} nyttoposter")} med rapporterat utfall") is { } realizedScore)
            {
                scores.Add(realizedScore);
            }
            components.AddRange(scores);
            units.Add(new UnitIndex(unit, year, UnitValue(scores), scores.Count));
        }
        return new DigitalizationIndex(components, units, Municipality(units));
    }

    /// <summary>
    /// A component's score from what it is computed from (its <see cref="IndexComponentScore.Numerator"/> and
    /// <see cref="IndexComponentScore.Denominator"/>); null for a realised benefit that says nothing (nothing of nothing).
    /// The one formula, so that a unit's index computed again from its stored components is the one first computed.
    /// </summary>
    public static decimal? ComponentScore(string component, decimal numerator, decimal denominator) => component switch
    {
        IndexComponents.DigitalMaturity => numerator / denominator / 10m,
        IndexComponents.CompletedInitiatives => Math.Min(Cap, 10m * numerator / denominator),
        IndexComponents.RealizedBenefit => RealizedScore(numerator, denominator),
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, "Not a component of the index."),
    };

    /// <summary>A unit's index: the weighted mean of its components, in the order of <see cref="IndexComponents.All"/> (decimal sums round by order).</summary>
    public static decimal UnitValue(IReadOnlyList<IndexComponentScore> scores) =>
        scores.Sum(s => s.Weight * s.Score) / scores.Sum(s => s.Weight);

    /// <summary>The municipality's index per year: the plain mean of its units', summed in the order of unit (ordinal) within the year.</summary>
    public static List<MunicipalityIndex> Municipality(IEnumerable<UnitIndex> units) =>
        units
            .GroupBy(u => u.Year)
            .OrderBy(g => g.Key)
            .Select(g => g.OrderBy(u => u.Unit, StringComparer.Ordinal).ToList())
            .Select(g => new MunicipalityIndex(g[0].Year, g.Sum(u => u.IndexValue) / g.Count, g.Count))
            .ToList();

    /// <summary>
    /// Every time an initiative reached Förvaltning or Avslutad: a version in one of those phases whose previous
    /// version was in another phase, or which is the first. The unit is the version's; the year is Stockholm's.
    /// </summary>
    public static IEnumerable<(string InitiativeId, string Unit, int Year)> Completions(IEnumerable<InitiativeVersionInput> versions)
    {
        foreach (var history in versions.GroupBy(v => v.InitiativeId, StringComparer.Ordinal))
        {
            string? previousPhase = null;
            var first = true;
            foreach (var version in history.OrderBy(v => v.VersionNo))
            {
                if (IsCompleted(version.Phase) && (first || !IsCompleted(previousPhase)))
                {
                    yield return (version.InitiativeId, version.Unit, StockholmYear(version.ValidFromUtc));
                }
                previousPhase = version.Phase;
                first = false;
            }
        }
    }

    private static bool IsCompleted(string? phase) => phase is Phases.Operation or Phases.Closed;

    private static decimal? RealizedScore(decimal actual, decimal planned)
    {
        if (planned > 0)
        {
            return Math.Min(Cap, 10m * actual / planned);
        }
        // Nothing planned: anything realised is past any plan; nothing realised of nothing says nothing.
        return actual > 0 ? Cap : null;
    }

    private static IndexComponentScore? Score(string unit, int year, string component, IndexOptions options, decimal numerator, decimal denominator, string basis) =>
        ComponentScore(component, numerator, denominator) is { } score ? new(unit, year, component, score, options.WeightOf(component), numerator, denominator, basis) : null;

    /// <summary>A score or index as Swedish readers write it, for messages: <c>6,2</c>.</summary>
    public static string Format(decimal value) => Math.Round(value, 1).ToString("0.0", CultureInfo.GetCultureInfo("sv-SE"));
}
