using System.Globalization;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// Numbers as Swedish users write them in a cell that holds text: <c>-520 000 kr</c>, <c>86 400</c>,
/// <c>1,7</c>, <c>1 200:-</c>. Space, no-break space or thin space groups thousands; a comma (or a lone
/// point) is the decimal separator; <c>kr</c>, <c>SEK</c> or <c>:-</c> may follow; a hyphen, minus sign
/// or en dash may lead.
/// </summary>
public static class SwedishNumber
{
    private static readonly string[] CurrencySuffixes = ["kr.", "kr", "sek", ":-"];

    // Longer than any amount the warehouse takes, with spaces and decimals; also bounds the stackalloc below.
    private const int MaxTextLength = 100;

    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (text is null || text.Length > MaxTextLength)
        {
            return false;
        }
        var s = text.Trim().Trim('\u00A0', '\u202F', '\u2009').AsSpan();
        foreach (var suffix in CurrencySuffixes)
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[..^suffix.Length].TrimEnd();
                s = s.TrimEnd('\u00A0').TrimEnd('\u202F').TrimEnd();
                break;
            }
        }
        if (s.IsEmpty)
        {
            return false;
        }

        var negative = false;
        if (s[0] is '-' or '\u2212' or '\u2013' or '+')
        {
            negative = s[0] != '+';
            s = s[1..].TrimStart();
        }
        if (s.IsEmpty)
        {
            return false;
        }

        // Split the integer part from the decimals.
        var comma = s.IndexOf(',');
        var point = s.IndexOf('.');
        if (comma >= 0 && point >= 0)
        {
            return false;
        }
        var separator = comma >= 0 ? comma : point;
        var integerPart = separator >= 0 ? s[..separator] : s;
        var decimals = separator >= 0 ? s[(separator + 1)..] : [];
        if (separator >= 0 && (decimals.IsEmpty || decimals.ContainsAnyExcept("0123456789")))
        {
            return false;
        }
        // "520.000" could be 520 or 520 000: a point followed by exactly three digits is not read.
        if (point >= 0 && decimals.Length == 3 && !integerPart.ContainsAny(' ', '\u00A0', '\u202F'))
        {
            return false;
        }

        Span<char> digits = stackalloc char[integerPart.Length + decimals.Length + 1];
        var n = 0;
        var group = 0;
        var grouped = false;
        var firstGroup = true;
        foreach (var c in integerPart)
        {
            if (char.IsAsciiDigit(c))
            {
                digits[n++] = c;
                group++;
            }
            else if (c is ' ' or '\u00A0' or '\u202F' or '\u2009')
            {
                // Thousands groups: the first of 1–3 digits, every later one of exactly 3.
                if (group == 0 || group > 3 || (!firstGroup && group != 3))
                {
                    return false;
                }
                grouped = true;
                firstGroup = false;
                group = 0;
            }
            else
            {
                return false;
            }
        }
        if (group == 0 || (grouped && group != 3))
        {
            return false;
        }
        if (!decimals.IsEmpty)
        {
            digits[n++] = '.';
            decimals.CopyTo(digits[n..]);
            n += decimals.Length;
        }
        if (!decimal.TryParse(digits[..n], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }
        if (negative)
        {
            value = -value;
        }
        return true;
    }

    /// <summary>A number as Swedish users read it: <c>-520 000</c>, <c>1,7</c>.</summary>
    public static string Format(decimal value) => value.ToString("#,0.##########", SwedishFormat);

    // Built once and read-only: it was cloned for every number formatted, every actuals cell among them.
    private static readonly NumberFormatInfo SwedishFormat = CreateFormat();

    private static NumberFormatInfo CreateFormat()
    {
        var format = (NumberFormatInfo)CultureInfo.InvariantCulture.NumberFormat.Clone();
        format.NumberGroupSeparator = " ";
        format.NumberDecimalSeparator = ",";
        return NumberFormatInfo.ReadOnly(format);
    }
}
