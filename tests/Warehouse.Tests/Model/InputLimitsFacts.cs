using System.ComponentModel.DataAnnotations;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Model;

public class InputLimitsFacts
{
    [Fact]
    public void Contains_TakesTheWholeFirstAndLastYear_AndNothingOutside()
    {
        var limits = new InputLimits();

        Assert.True(limits.Contains(new DateOnly(2000, 1, 1)));
        Assert.True(limits.Contains(new DateOnly(2100, 12, 31)));
        Assert.False(limits.Contains(new DateOnly(1999, 12, 31)));
        Assert.False(limits.Contains(new DateOnly(2101, 1, 1)));
        Assert.False(limits.Contains(DateOnly.MinValue));
        Assert.False(limits.Contains(DateOnly.MaxValue));
    }

    [Fact]
    public void OutsideWindow_NamesTheDateAndTheWindow()
    {
        var limits = new InputLimits { EarliestYear = 2010, LatestYear = 2040 };

        Assert.Equal("9999-12-31 ligger utanför de tillåtna åren 2010–2040.", limits.OutsideWindow(new DateOnly(9999, 12, 31)));
    }

    [Fact]
    public void Cut_KeepsAtMostTheLimit_AndNeverSplitsASurrogatePair()
    {
        var limits = new InputLimits { MaxTextLength = 5 };

        Assert.Equal("abcde", limits.Cut("abcdefgh"));
        Assert.Equal("abc", limits.Cut("abc"));
        // "abcd" then U+1F600 as two UTF-16 units: cutting at 5 would leave half of it.
        Assert.Equal("abcd", limits.Cut("abcd\U0001F600x"));
        Assert.True(limits.IsTooLong("abcdef"));
        Assert.False(limits.IsTooLong("abcde"));
    }

    [Fact]
    public void Excerpt_QuotesAShortValueWhole_AndALongOneCutWithItsLength()
    {
        Assert.Equal("\"12 000\"", InputLimits.Excerpt("12 000"));

        var hostile = new string('9', 10_000_000);
        var excerpt = InputLimits.Excerpt(hostile);

        Assert.True(excerpt.Length < 80, excerpt);
        Assert.StartsWith("\"" + new string('9', InputLimits.ExcerptCharacters) + "…\"", excerpt);
        Assert.Contains("10\u00a0000\u00a0000 tecken", excerpt);
    }

    [Fact]
    public void Excerpt_ShowsLineBreaksAsSpaces()
    {
        Assert.Equal("\"rad ett rad två\"", InputLimits.Excerpt("rad ett\r\nrad två"));
    }

    [Fact]
    public void Validation_RefusesAWindowThatEndsBeforeItBegins()
    {
        var limits = new InputLimits { EarliestYear = 2050, LatestYear = 2020 };
        var results = new List<ValidationResult>();

        var valid = Validator.TryValidateObject(limits, new ValidationContext(limits), results, validateAllProperties: true);

        Assert.False(valid);
        Assert.Contains(results, r => r.ErrorMessage!.Contains("InputLimits:EarliestYear", StringComparison.Ordinal));
    }

    [Fact]
    public void Validation_RefusesAWindowThatLeavesOutTheCurrentYear()
    {
        var limits = new InputLimits { EarliestYear = 2000, LatestYear = DateTime.UtcNow.Year - 1 };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(limits, new ValidationContext(limits), results, validateAllProperties: true));
        Assert.Contains(results, r => r.ErrorMessage!.Contains("must include the current year", StringComparison.Ordinal));
        var defaults = new InputLimits();
        Assert.True(Validator.TryValidateObject(defaults, new ValidationContext(defaults), [], validateAllProperties: true));
    }

    [Fact]
    public void Validation_RefusesATextLimitPastWhatAnExcelCellHolds()
    {
        var limits = new InputLimits { MaxTextLength = InputLimits.ExcelCellCharacters + 1 };

        Assert.False(Validator.TryValidateObject(limits, new ValidationContext(limits), [], validateAllProperties: true));
    }
}
