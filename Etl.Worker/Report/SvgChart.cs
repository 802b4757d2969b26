using System.Text;
using static NackaInsights.Etl.Report.ReportFormat;

namespace NackaInsights.Etl.Report;

/// <summary>
/// The report's charts, drawn as inline SVG by a few small helpers. A chart library would either need JavaScript in the
/// page (Chart.js, Plotly: the page is to have no script and make no request) or a native renderer (ScottPlot and
/// LiveCharts draw through SkiaSharp, a native library on every machine that makes the report, for three plain chart
/// types). Each chart scales with its viewBox, has <c>role="img"</c> and an <c>aria-label</c>, and the report puts its
/// numbers beside it as a table; the charts carry no <c>data-figure</c> of their own.
/// </summary>
internal static class SvgChart
{
    private const double Width = 640;
    private const double Left = 84;
    private const double Right = 16;
    private const double Top = 16;
    private const double Bottom = 40;

    public sealed record Series(string Name, string CssClass, IReadOnlyList<decimal?> Values);

    public sealed record Point(string Label, decimal X, decimal Y);

    /// <summary>Grouped columns per category (a year): one column per series, a y axis from 0 with four gridlines.</summary>
    public static string Columns(string ariaLabel, IReadOnlyList<string> categories, IReadOnlyList<Series> series, Func<decimal, string> axisLabel)
    {
        const double Height = 260;
        var max = series.SelectMany(s => s.Values).Select(v => v ?? 0).DefaultIfEmpty(0).Max();
        var min = Math.Min(0, series.SelectMany(s => s.Values).Select(v => v ?? 0).DefaultIfEmpty(0).Min());
        var (low, high, step) = Scale(min, max);
        var plotHeight = Height - Top - Bottom;
        double Y(decimal v) => Top + plotHeight * (double)((high - v) / (high - low));

        var svg = Open(ariaLabel, Height);
        Gridlines(svg, low, high, step, Y, axisLabel);
        var band = (Width - Left - Right) / Math.Max(1, categories.Count);
        var barWidth = Math.Min(28, band * 0.8 / Math.Max(1, series.Count));
        for (var c = 0; c < categories.Count; c++)
        {
            var x0 = Left + band * c + (band - barWidth * series.Count) / 2;
            for (var s = 0; s < series.Count; s++)
            {
                if (series[s].Values[c] is not { } value)
                {
                    continue;
                }
                var top = Math.Min(Y(value), Y(0));
                var height = Math.Abs(Y(value) - Y(0));
                svg.Append($"<rect class=\"{series[s].CssClass}\" x=\"{Coordinate(x0 + barWidth * s)}\" y=\"{Coordinate(top)}\" width=\"{Coordinate(barWidth - 2)}\" height=\"{Coordinate(height)}\"/>");
            }
            svg.Append($"<text class=\"tick\" x=\"{Coordinate(Left + band * c + band / 2)}\" y=\"{Coordinate(Height - Bottom + 22)}\" text-anchor=\"middle\">{Html(categories[c])}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>A line over categories (months), y from 0 to <paramref name="yMax"/>, with a dot and no label per point.</summary>
    public static string Line(string ariaLabel, IReadOnlyList<string> categories, IReadOnlyList<decimal> values, decimal yMax, Func<decimal, string> axisLabel)
    {
        const double Height = 220;
        var (low, high, step) = Scale(0, Math.Max(yMax, values.DefaultIfEmpty(0).Max()));
        var plotHeight = Height - Top - Bottom;
        double Y(decimal v) => Top + plotHeight * (double)((high - v) / (high - low));
        var band = (Width - Left - Right) / Math.Max(1, categories.Count);
        double X(int i) => Left + band * i + band / 2;

        var svg = Open(ariaLabel, Height);
        Gridlines(svg, low, high, step, Y, axisLabel);
        if (values.Count > 1)
        {
            svg.Append("<polyline class=\"line\" points=\"")
                .AppendJoin(" ", values.Select((v, i) => $"{Coordinate(X(i))},{Coordinate(Y(v))}"))
                .Append("\"/>");
        }
        for (var i = 0; i < values.Count; i++)
        {
            svg.Append($"<circle class=\"dot\" cx=\"{Coordinate(X(i))}\" cy=\"{Coordinate(Y(values[i]))}\" r=\"4\"/>");
        }
        // A label takes about 100 units at a phone's larger type: label every month only where they fit, else every n-th.
        var every = Math.Max(1, (int)Math.Ceiling(categories.Count * 100 / (Width - Left - Right)));
        for (var i = 0; i < categories.Count; i += every)
        {
            svg.Append($"<text class=\"tick\" x=\"{Coordinate(X(i))}\" y=\"{Coordinate(Height - Bottom + 22)}\" text-anchor=\"middle\">{Html(categories[i])}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>
    /// A scatter of benefit (y) against feasibility (x) from <paramref name="min"/> to <paramref name="max"/>, with the threshold on both axes
    /// as dashed lines that cut the plane into the evaluation's quadrants; each point labelled by its id.
    /// </summary>
    public static string Scatter(string ariaLabel, IReadOnlyList<Point> points, decimal min, decimal max, decimal? threshold, string xTitle, string yTitle)
    {
        // Square and only as wide as it needs, so that on a phone it fills the width rather than a third of it.
        const double Height = 400;
        const double Size = 320;
        const double ScatterWidth = 440;
        const double left = 96;
        double X(decimal v) => left + Size * (double)((v - min) / (max - min));
        double Y(decimal v) => Top + Size * (double)((max - v) / (max - min));

        var svg = Open(ariaLabel, Height, ScatterWidth, "scatter");
        svg.Append($"<rect class=\"frame\" x=\"{Coordinate(left)}\" y=\"{Coordinate(Top)}\" width=\"{Coordinate(Size)}\" height=\"{Coordinate(Size)}\"/>");
        for (var v = min; v <= max; v += 0.5m)
        {
            svg.Append($"<text class=\"tick\" x=\"{Coordinate(X(v))}\" y=\"{Coordinate(Top + Size + 22)}\" text-anchor=\"middle\">{Score(v)}</text>");
            svg.Append($"<text class=\"tick\" x=\"{Coordinate(left - 8)}\" y=\"{Coordinate(Y(v) + 4)}\" text-anchor=\"end\">{Score(v)}</text>");
        }
        if (threshold is { } t)
        {
            svg.Append($"<line class=\"threshold\" x1=\"{Coordinate(X(t))}\" y1=\"{Coordinate(Top)}\" x2=\"{Coordinate(X(t))}\" y2=\"{Coordinate(Top + Size)}\"/>");
            svg.Append($"<line class=\"threshold\" x1=\"{Coordinate(left)}\" y1=\"{Coordinate(Y(t))}\" x2=\"{Coordinate(left + Size)}\" y2=\"{Coordinate(Y(t))}\"/>");
        }
        // Initiatives scored alike fall on one point: one dot, sized and numbered by how many it stands for.
        foreach (var same in points.GroupBy(p => (p.X, p.Y)))
        {
            var count = same.Count();
            var (cx, cy) = (Coordinate(X(same.Key.X)), Coordinate(Y(same.Key.Y)));
            svg.Append($"<circle class=\"dot\" cx=\"{cx}\" cy=\"{cy}\" r=\"{Coordinate(count == 1 ? 5 : 9 + Math.Min(6, count))}\"><title>{Html(string.Join(", ", same.Select(p => p.Label)))}</title></circle>");
            if (count > 1)
            {
                svg.Append($"<text class=\"dot-count\" x=\"{cx}\" y=\"{Coordinate(Y(same.Key.Y) + 4)}\" text-anchor=\"middle\">{count}</text>");
            }
        }
        svg.Append($"<text class=\"axis-title\" x=\"{Coordinate(left + Size / 2)}\" y=\"{Coordinate(Top + Size + 50)}\" text-anchor=\"middle\">{Html(xTitle)}</text>");
        svg.Append($"<text class=\"axis-title\" transform=\"translate({Coordinate(left - 56)},{Coordinate(Top + Size / 2)}) rotate(-90)\" text-anchor=\"middle\">{Html(yTitle)}</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Horizontal bars, one per labelled count, the count written at the bar's end.</summary>
    public static string Bars(string ariaLabel, IReadOnlyList<(string Label, long Value)> bars)
    {
        const double Row = 26;
        const double LabelWidth = 190;
        var height = Top + Row * bars.Count + 8;
        var max = Math.Max(1, bars.Select(b => b.Value).DefaultIfEmpty(0).Max());
        var plot = Width - LabelWidth - 56;

        var svg = Open(ariaLabel, height);
        for (var i = 0; i < bars.Count; i++)
        {
            var y = Top + Row * i;
            var width = plot * bars[i].Value / max;
            svg.Append($"<text class=\"tick\" x=\"{Coordinate(LabelWidth - 8)}\" y=\"{Coordinate(y + 14)}\" text-anchor=\"end\">{Html(Shorten(bars[i].Label, 16))}</text>");
            svg.Append($"<rect class=\"bar\" x=\"{Coordinate(LabelWidth)}\" y=\"{Coordinate(y + 2)}\" width=\"{Coordinate(width)}\" height=\"{Coordinate(Row - 8)}\"/>");
            svg.Append($"<text class=\"value\" x=\"{Coordinate(LabelWidth + width + 6)}\" y=\"{Coordinate(y + 14)}\">{Html(Number(bars[i].Value, 0))}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>
    /// The key of a chart's series, as HTML beside the SVG rather than inside it: it wraps and keeps its size on a phone,
    /// where the chart's own text shrinks with its viewBox.
    /// </summary>
    public static string Legend(IReadOnlyList<Series> series) =>
        "<ul class=\"legend\">" + string.Concat(series.Select(s => $"<li><span class=\"swatch {s.CssClass}\"></span>{Html(s.Name)}</li>")) + "</ul>";

    /// <summary>SVG text does not wrap: a long label is cut with an ellipsis (its full text is in the table beside).</summary>
    public static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static StringBuilder Open(string ariaLabel, double height, double width = Width, string kind = "") =>
        new StringBuilder().Append(
            $"<svg class=\"chart{(kind.Length > 0 ? " " + kind : "")}\" role=\"img\" aria-label=\"{Html(ariaLabel)}\" viewBox=\"0 0 {Coordinate(width)} {Coordinate(height)}\" " +
            $"preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\"><title>{Html(ariaLabel)}</title>");

    private static void Gridlines(StringBuilder svg, decimal low, decimal high, decimal step, Func<decimal, double> y, Func<decimal, string> axisLabel)
    {
        for (var v = low; v <= high; v += step)
        {
            svg.Append($"<line class=\"{(v == 0 ? "axis" : "grid")}\" x1=\"{Coordinate(Left)}\" y1=\"{Coordinate(y(v))}\" x2=\"{Coordinate(Width - Right)}\" y2=\"{Coordinate(y(v))}\"/>");
            svg.Append($"<text class=\"tick\" x=\"{Coordinate(Left - 6)}\" y=\"{Coordinate(y(v) + 4)}\" text-anchor=\"end\">{Html(axisLabel(v))}</text>");
        }
    }

    /// <summary>A round axis: from <paramref name="min"/> to <paramref name="max"/> in about four steps of 1, 2 or 5 × 10^n.</summary>
    private static (decimal Low, decimal High, decimal Step) Scale(decimal min, decimal max)
    {
        if (max <= min)
        {
            max = min + 1;
        }
        var raw = (double)(max - min) / 4;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (decimal)(new[] { 1d, 2d, 5d, 10d }.Select(m => m * magnitude).First(s => s >= raw));
        var low = Math.Floor(min / step) * step;
        var high = Math.Ceiling(max / step) * step;
        return (low, high, step);
    }
}
