using System.Globalization;

namespace NackaInsights.Etl.Xlsx;

public enum CellKind
{
    Number,
    Text,
    Boolean,

    /// <summary>A formula's error value, such as <c>#DIV/0!</c> or <c>#REF!</c>.</summary>
    Error,

    /// <summary>A number formatted as a date; <see cref="XlsxCell.Number"/> holds the serial date.</summary>
    Date,
}

/// <summary>
/// One non-empty cell: its value, or for a formula its cached value. <see cref="Text"/> is the text
/// as the file holds it (a number's digits, an error's code), for messages and tracing.
/// </summary>
public readonly record struct XlsxCell(int Column, CellKind Kind, string Text, double Number)
{
    // Excel's own range of dates: DateTime.FromOADate throws outside it (and for NaN).
    private const double EarliestSerial = -657_435.0;
    private const double LatestSerial = 2_958_466.0;

    /// <summary>
    /// Whether a number cell is formatted as a percentage (built-in format 9 or 10, or a custom format with an unquoted
    /// <c>%</c>): it then holds 0.7 where the user sees and typed "70 %".
    /// </summary>
    public bool IsPercent { get; init; }

    /// <summary>
    /// The day of a date cell, or null for any other cell and for a date cell whose number is no date Excel
    /// can show (negative past year 100, past year 9999, not finite): such a cell is a hostile or broken value,
    /// never a reason to fail.
    /// </summary>
    public DateOnly? Date => Kind == CellKind.Date && Number > EarliestSerial && Number < LatestSerial
        ? DateOnly.FromDateTime(DateTime.FromOADate(Number))
        : null;

    /// <summary>
    /// What a user would see of the value, for messages: text as is, numbers in Swedish form, dates as ISO dates.
    /// A date cell that holds no date is shown as its number, or as written when it has none (an ISO text before year 100).
    /// </summary>
    public string Display => Kind switch
    {
        // A number that is not finite (NaN, past double's range) shows as written: "1e309" says more to its writer than "∞".
        CellKind.Number or CellKind.Date when !double.IsFinite(Number) => Text,
        CellKind.Number => FormatNumber(Number),
        CellKind.Boolean => Number != 0 ? "SANT" : "FALSKT",
        CellKind.Date when Date is { } date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        CellKind.Date => FormatNumber(Number),
        _ => Text,
    };

    private static string FormatNumber(double number) => number.ToString("0.##########", Swedish);

    // Looked up once: GetCultureInfo takes a lock on every call, which the reading threads contended for.
    private static readonly CultureInfo Swedish = CultureInfo.GetCultureInfo("sv-SE");
}

/// <summary>A row with at least one non-empty cell, its cells ordered by column.</summary>
/// <param name="Index">The zero-based row index: row 1 of the sheet is 0.</param>
public sealed record XlsxRow(int Index, IReadOnlyList<XlsxCell> Cells)
{
    public XlsxCell? this[int column]
    {
        get
        {
            // By index: a foreach over the interface allocated an enumerator for every cell looked up (4 MB of a full
            // refresh's reads at scale 1).
            for (var i = 0; i < Cells.Count; i++)
            {
                var cell = Cells[i];
                if (cell.Column == column)
                {
                    return cell;
                }
                if (cell.Column > column)
                {
                    break;
                }
            }
            return null;
        }
    }
}

/// <summary>A1-style cell addresses.</summary>
public static class CellAddress
{
    /// <summary><c>(3, 2)</c> is <c>C4</c>: both indexes are zero-based.</summary>
    public static string Format(int row, int column) => ColumnName(column) + (row + 1).ToString(CultureInfo.InvariantCulture);

    public static string ColumnName(int column)
    {
        Span<char> buffer = stackalloc char[4];
        var i = buffer.Length;
        var n = column + 1;
        while (n > 0)
        {
            var rem = (n - 1) % 26;
            buffer[--i] = (char)('A' + rem);
            n = (n - 1) / 26;
        }
        return new string(buffer[i..]);
    }

    /// <summary>Excel's last row, 1,048,576.</summary>
    public const int MaxRows = 1_048_576;

    /// <summary>Excel's last column, XFD: 16,384 columns.</summary>
    public const int MaxColumns = 16_384;

    /// <summary>Reads a row element's <c>r</c> attribute, <c>4</c>, as the zero-based index 3.</summary>
    public static bool TryParseRowNumber(string? text, out int row)
    {
        row = -1;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var r) || r < 1 || r > MaxRows)
        {
            return false;
        }
        row = r - 1;
        return true;
    }

    /// <summary>Reads <c>C4</c> as <c>(3, 2)</c>; false for anything else, and for a cell past XFD or row 1,048,576.</summary>
    public static bool TryParse(ReadOnlySpan<char> address, out int row, out int column)
    {
        row = column = -1;
        var i = 0;
        var col = 0;
        while (i < address.Length && char.IsAsciiLetter(address[i]))
        {
            col = col * 26 + (char.ToUpperInvariant(address[i]) - 'A' + 1);
            if (col > MaxColumns)
            {
                return false;
            }
            i++;
        }
        if (i == 0 || i == address.Length)
        {
            return false;
        }
        if (!int.TryParse(address[i..], NumberStyles.None, CultureInfo.InvariantCulture, out var r) || r < 1 || r > MaxRows)
        {
            return false;
        }
        row = r - 1;
        column = col - 1;
        return true;
    }
}
