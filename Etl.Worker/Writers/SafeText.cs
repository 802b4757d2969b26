using NackaInsights.Warehouse.Model;
using OfficeOpenXml;

namespace NackaInsights.Etl.Writers;

/// <summary>
/// Writes text that came from a list or an upload (names, comments, e-mail addresses) into a cell as
/// text, never as a formula: <c>=HYPERLINK(…)</c> in a comment must come back as the characters typed,
/// and never longer than an Excel cell holds (<see cref="InputLimits.ExcelCellCharacters"/>): Excel
/// refuses to open, or "repairs", a workbook with a longer cell. Readers cut texts far shorter already;
/// this is the last guard, for a joined list of problems or a text from a path that did not.
/// </summary>
public static class SafeText
{
    /// <summary>Characters that make Excel read what is typed as a formula.</summary>
    public static bool LooksLikeFormula(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@';

    /// <summary>
    /// A string value is written as a string cell. One that looks like a formula also gets the quote
    /// prefix, so that Excel keeps it text when the cell is edited.
    /// </summary>
    public static void Write(ExcelRange cell, string? text)
    {
        if (text is not null)
        {
            text = InputLimits.Cut(text, InputLimits.ExcelCellCharacters);
        }
        cell.Value = string.IsNullOrEmpty(text) ? null : text;
        if (text is not null && LooksLikeFormula(text))
        {
            cell.Style.QuotePrefix = true;
        }
    }
}
