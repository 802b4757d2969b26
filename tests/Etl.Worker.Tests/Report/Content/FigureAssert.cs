using System.Globalization;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>Compares every figure of a page with the figures the test computed, both ways.</summary>
public static class FigureAssert
{
    /// <summary>Names the test does not compute by SQL: the page's scope line, checked on its own.</summary>
    private static readonly string[] Unchecked = ["report.scope"];

    /// <summary>
    /// Every <c>data-figure</c> of the page is one the test computed and has its value (numbers to a thousandth of a
    /// krona or point: SQLite sums in binary floating point), a figure whose <c>data-value</c> is empty is one the test
    /// found no value for, and every figure the test computed is on the page.
    /// </summary>
    public static void EqualsExpected(ReportPage page, ExpectedFigures expected, Func<string, bool>? onlyWhere = null)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var figure in page.Figures)
        {
            var name = figure.GetAttribute("data-figure")!;
            if (!seen.Add(name))
            {
                problems.Add($"{name}: appears twice");
                continue;
            }
            if (Unchecked.Contains(name) || (onlyWhere is not null && !onlyWhere(name)))
            {
                continue;
            }
            var value = figure.GetAttribute("data-value");
            if (!expected.Figures.TryGetValue(name, out var want))
            {
                if (!string.IsNullOrEmpty(value))
                {
                    problems.Add($"{name}: the page shows {value}, the views give nothing");
                }
                continue;
            }
            switch (want)
            {
                case decimal number:
                    var got = ReportPage.ParseValue(value);
                    if (got is null || Math.Abs(got.Value - number) > 0.001m)
                    {
                        problems.Add($"{name}: the page shows {value}, the views give {number.ToString(CultureInfo.InvariantCulture)}");
                    }
                    break;
                default:
                    var text = Convert.ToString(want, CultureInfo.InvariantCulture);
                    if (value != text)
                    {
                        problems.Add($"{name}: the page shows '{value}', the views give '{text}'");
                    }
                    break;
            }
        }
        foreach (var name in expected.Figures.Keys.Where(n => !seen.Contains(n) && (onlyWhere is null || onlyWhere(n))))
        {
            problems.Add($"{name}: the views give {Convert.ToString(expected.Figures[name], CultureInfo.InvariantCulture)}, the page has no such figure");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} figures differ:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
    }
}
