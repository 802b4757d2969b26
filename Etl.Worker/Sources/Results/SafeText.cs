using OfficeOpenXml;

namespace NackaInsights.Etl.Sources.Results;

/// <summary>
/// Writes text that came from a list or an upload (names, comments, e-mail addresses) into a cell as
/// text, never as a formula: <c>=HYPERLINK(…)</c> in a comment must come back as the characters typed.
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
        cell.Value = string.IsNullOrEmpty(text) ? null : text;
        if (text is not null && LooksLikeFormula(text))
        {
            cell.Style.QuotePrefix = true;
        }
    }
}
