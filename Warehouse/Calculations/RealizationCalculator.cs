using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>A benefit line of a current business case with its planned value per year; a year it lacks is a planned 0.</summary>
public sealed record PlannedBenefitLine(int Row, string Name, BenefitType Type, IReadOnlyDictionary<int, decimal> PlannedByYear);

/// <summary>A current actual, identified by the line's <see cref="ActualsValidator.LineKey"/> and the year.</summary>
public sealed record CurrentActual(string LineKey, int Year, decimal Value, long? ActualId = null);

/// <summary>One benefit line and year, planned against realised (actuals-workbook.md, "Derived figures").</summary>
/// <param name="Actual">Null when nothing was reported for the year.</param>
/// <param name="Variance">Actual − planned; null when not reported.</param>
/// <param name="Rate">Actual / planned; null when planned is 0 or not reported.</param>
/// <param name="ActualAcc">The reported actuals summed through the year; null in a year not reported.</param>
public sealed record RealizationYear(
    PlannedBenefitLine Line,
    int Year,
    decimal Planned,
    decimal? Actual,
    decimal? Variance,
    decimal? Rate,
    decimal PlannedAcc,
    decimal? ActualAcc,
    CurrentActual? Source);

/// <summary>Sets a business case's benefit lines against the actuals reported for them. Unrounded.</summary>
public static class RealizationCalculator
{
    /// <summary>One row per line and year from <paramref name="firstYear"/> to <paramref name="lastYear"/>, lines in the order given.</summary>
    public static IReadOnlyList<RealizationYear> Calculate(int firstYear, int lastYear, IReadOnlyList<PlannedBenefitLine> lines, IEnumerable<CurrentActual> actuals)
    {
        var reported = new Dictionary<(string, int), CurrentActual>();
        foreach (var a in actuals)
        {
            reported[(a.LineKey, a.Year)] = a;
        }
        var rows = new List<RealizationYear>();
        foreach (var line in lines)
        {
            var key = ActualsValidator.LineKey(line.Name);
            decimal plannedAcc = 0, actualAcc = 0;
            for (var year = firstYear; year <= lastYear; year++)
            {
                var planned = line.PlannedByYear.GetValueOrDefault(year);
                plannedAcc += planned;
                var actual = reported.GetValueOrDefault((key, year));
                if (actual is null)
                {
                    rows.Add(new RealizationYear(line, year, planned, null, null, null, plannedAcc, null, null));
                    continue;
                }
                actualAcc += actual.Value;
                rows.Add(new RealizationYear(
                    line, year, planned, actual.Value, actual.Value - planned,
                    planned == 0 ? null : actual.Value / planned,
                    plannedAcc, actualAcc, actual));
            }
        }
        return rows;
    }
}
