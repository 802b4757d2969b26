using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace NackaInsights.Warehouse.Model;

/// <summary>
/// What a value from a source (a workbook cell, a survey row, a list field) may be, before it is taken in. Uploads
/// and lists are untrusted: a date in year 1 or 9999, or a text of millions of characters, is rejected or cut at the
/// edge, naming where it came from, so that it costs only its own file, row or item. Bound from the configuration
/// section <c>InputLimits</c>.
/// </summary>
public sealed class InputLimits : IValidatableObject
{
    /// <summary>The most characters an Excel cell holds; no text is ever kept longer than this.</summary>
    public const int ExcelCellCharacters = 32_767;

    /// <summary>How much of an offending value a problem message quotes.</summary>
    public const int ExcerptCharacters = 40;

    /// <summary>The first year a date may lie in (default 2000, like the business case's year columns).</summary>
    [Range(1900, 9998)]
    public int EarliestYear { get; set; } = 2000;

    /// <summary>The last year a date may lie in (default 2100). The date dimension covers no more than this window.</summary>
    [Range(1901, 9998)]
    public int LatestYear { get; set; } = 2100;

    /// <summary>The most characters of one text taken from an upload or a list item; longer text is cut (default 4,000).</summary>
    [Range(1, ExcelCellCharacters)]
    public int MaxTextLength { get; set; } = 4_000;

    /// <summary>The first day of the window.</summary>
    public DateOnly EarliestDate => new(EarliestYear, 1, 1);

    /// <summary>The last day of the window.</summary>
    public DateOnly LatestDate => new(LatestYear, 12, 31);

    /// <summary>Whether a date lies within the window.</summary>
    public bool Contains(DateOnly date) => date >= EarliestDate && date <= LatestDate;

    /// <summary>The window as a user reads it: <c>2000–2100</c>.</summary>
    public string Window => string.Create(CultureInfo.InvariantCulture, $"{EarliestYear}–{LatestYear}");

    /// <summary>What a problem says of a date outside the window, after the field or cell it names.</summary>
    public string OutsideWindow(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{date:yyyy-MM-dd} ligger utanför de tillåtna åren {Window}.");

    /// <summary>
    /// The text as it is kept: at most <see cref="MaxTextLength"/> characters, never splitting a surrogate pair.
    /// </summary>
    public string Cut(string text) => Cut(text, MaxTextLength);

    /// <summary>Whether <see cref="Cut(string)"/> would shorten the text.</summary>
    public bool IsTooLong(string text) => text.Length > MaxTextLength;

    /// <summary>At most <paramref name="length"/> characters of the text, never splitting a surrogate pair.</summary>
    public static string Cut(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }
        var end = Math.Max(0, length);
        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }
        return text[..end];
    }

    /// <summary>
    /// A short quote of an offending value for a problem message: at most <see cref="ExcerptCharacters"/> characters,
    /// with line breaks shown as spaces, and with its full length when it was cut (<c>"12345…" (10 000 000 tecken)</c>).
    /// A message never carries the whole of a hostile value.
    /// </summary>
    public static string Excerpt(string value)
    {
        var head = Cut(value, ExcerptCharacters).ReplaceLineEndings(" ");
        return value.Length <= ExcerptCharacters
            ? $"\"{head}\""
            : string.Create(CultureInfo.GetCultureInfo("sv-SE"), $"\"{head}…\" ({value.Length:N0} tecken)");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EarliestYear > LatestYear)
        {
            yield return new ValidationResult(
                $"InputLimits:EarliestYear ({EarliestYear}) is after InputLimits:LatestYear ({LatestYear}).",
                [nameof(EarliestYear), nameof(LatestYear)]);
        }
        // Runs and snapshots are dated today, and the calendar covers only the window: one that leaves out this year
        // would fail every run's checks instead of a single file or item.
        var thisYear = DateTime.UtcNow.Year;
        if (thisYear < EarliestYear || thisYear > LatestYear)
        {
            yield return new ValidationResult(
                $"InputLimits:EarliestYear–LatestYear ({Window}) must include the current year, {thisYear}.",
                [nameof(EarliestYear), nameof(LatestYear)]);
        }
    }
}
