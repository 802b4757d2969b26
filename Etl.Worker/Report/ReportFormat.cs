using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace NackaInsights.Etl.Report;

/// <summary>
/// How the report writes numbers and text: Swedish for the reader (<c>1 200 000 kr</c>, <c>3,4</c>, <c>89 %</c>, with
/// no-break spaces so that a figure never wraps), invariant for the machine-readable <c>data-value</c>, and every text
/// from the warehouse HTML-encoded.
/// </summary>
internal static class ReportFormat
{
    /// <summary>U+00A0: groups thousands and ties a number to its unit, so <c>1 200 000 kr</c> stays on one line.</summary>
    public const string NoBreakSpace = "\u00A0";

    private static readonly NumberFormatInfo Swedish = CreateSwedish();

    // Encodes what HTML needs (<, >, &, quotes) and leaves å, ä, ö as they are: WebUtility.HtmlEncode would turn every
    // Swedish letter into a numeric reference, which is valid but makes the file unreadable as text.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Html(string? text) => text is null ? "" : Encoder.Encode(text);

    /// <summary>Whole kronor: <c>-1 200 000 kr</c>.</summary>
    public static string Kr(decimal amount) => Number(Math.Round(amount, 0, MidpointRounding.AwayFromZero), 0) + NoBreakSpace + "kr";

    /// <summary>A number with <paramref name="decimals"/> decimals, a comma and grouped thousands: <c>136,5</c>.</summary>
    public static string Number(decimal value, int decimals) =>
        Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("#,0" + (decimals > 0 ? "." + new string('0', decimals) : ""), Swedish);

    /// <summary>A ratio as a whole percent: 0.8855 → <c>89 %</c>.</summary>
    public static string Percent(decimal ratio) => Number(ratio * 100, 0) + NoBreakSpace + "%";

    /// <summary>An index or score with one decimal: <c>3,4</c>.</summary>
    public static string Score(decimal value) => Number(value, 1);

    /// <summary>A change with its sign: <c>+1,3</c>, <c>−0,2</c> (a real minus sign, as in print).</summary>
    public static string Change(decimal value)
    {
        var rounded = Math.Round(value, 1, MidpointRounding.AwayFromZero);
        return (rounded > 0 ? "+" : rounded < 0 ? "\u2212" : "") + Number(Math.Abs(rounded), 1);
    }

    public static string Days(decimal days) => Number(days, days == Math.Round(days) ? 0 : 1) + NoBreakSpace + (days == 1 ? "dag" : "dagar");

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The machine-readable value of a figure (<c>data-value</c>): invariant culture, unrounded.</summary>
    public static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A number inside SVG coordinates: invariant, two decimals at most.</summary>
    public static string Coordinate(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static NumberFormatInfo CreateSwedish()
    {
        var format = (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
        format.NumberGroupSeparator = NoBreakSpace;
        format.NumberDecimalSeparator = ",";
        // A real minus sign: the hyphen would let the browser break "-1 200 kr" after it.
        format.NegativeSign = "\u2212";
        return format;
    }
}
