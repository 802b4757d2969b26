using NackaInsights.Etl.Xlsx;

namespace NackaInsights.Etl.Tests.Xlsx;

public sealed class SwedishNumberFacts
{
    [Theory]
    [InlineData("86 400", "86400")]
    [InlineData("86\u00A0400", "86400")]
    [InlineData("86\u202F400", "86400")]
    [InlineData("1 000 000", "1000000")]
    [InlineData("520000", "520000")]
    [InlineData("1,7", "1.7")]
    [InlineData("0,5", "0.5")]
    [InlineData("86 400,50", "86400.50")]
    [InlineData("1.5", "1.5")]
    [InlineData("-520 000 kr", "-520000")]
    [InlineData("520 000 kr", "520000")]
    [InlineData("520 000kr", "520000")]
    [InlineData("520 000 KR", "520000")]
    [InlineData("520 000 kr.", "520000")]
    [InlineData("520 000 SEK", "520000")]
    [InlineData("520 000 sek", "520000")]
    [InlineData("1 200:-", "1200")]
    [InlineData("1 200 :-", "1200")]
    [InlineData("\u2212520 000", "-520000")]
    [InlineData("\u2013520 000", "-520000")]
    [InlineData("- 520 000", "-520000")]
    [InlineData("+85 000", "85000")]
    [InlineData("  85 000  ", "85000")]
    [InlineData("\u00A085 000\u00A0kr", "85000")]
    [InlineData("85 000\u00A0kr", "85000")]
    [InlineData("0", "0")]
    public void TryParse_AcceptsTheFormsSwedishUsersWrite(string text, string expected)
    {
        Assert.True(SwedishNumber.TryParse(text, out var value), $"\"{text}\" should be read as a number");
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("ca 500k")]
    [InlineData("500k")]
    [InlineData("1 5")]
    [InlineData("1 50")]
    [InlineData("1000 000")]
    [InlineData("1 0000")]
    [InlineData("520.000")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("kr")]
    [InlineData("-")]
    [InlineData("1,2,3")]
    [InlineData("1.2.3")]
    [InlineData("1,5.0")]
    [InlineData("1,")]
    [InlineData(",5")]
    [InlineData("abc")]
    [InlineData("12a")]
    [InlineData("1e5")]
    [InlineData("520 000 euro")]
    [InlineData("--5")]
    [InlineData("5-")]
    [InlineData("99999999999999999999999999999999")]
    public void TryParse_RejectsWhatIsNotClearlyANumber(string text)
    {
        Assert.False(SwedishNumber.TryParse(text, out var value), $"\"{text}\" should not be read, but gave {value}");
        Assert.Equal(0m, value);
    }

    [Fact]
    public void TryParse_RejectsNull()
    {
        Assert.False(SwedishNumber.TryParse(null, out _));
    }

    [Fact]
    public void TryParse_RejectsAVeryLongDigitString_WithoutCrashing()
    {
        // A crafted cell can hold megabytes of digits; parsing must not put them on the stack.
        var text = new string('1', 10_000_000);

        Assert.False(SwedishNumber.TryParse(text, out _));
    }

    [Theory]
    [InlineData("-520000", "-520 000")]
    [InlineData("86400", "86 400")]
    [InlineData("1.7", "1,7")]
    [InlineData("0.5", "0,5")]
    [InlineData("1000000000000", "1 000 000 000 000")]
    [InlineData("999", "999")]
    [InlineData("0", "0")]
    public void Format_WritesSwedishForm(string value, string expected)
    {
        Assert.Equal(expected, SwedishNumber.Format(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("-520000")]
    [InlineData("86400")]
    [InlineData("1.7")]
    [InlineData("-0.25")]
    [InlineData("123456789.123")]
    [InlineData("1000000000000")]
    public void Format_ThenTryParse_GivesTheSameNumber(string value)
    {
        var number = decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(SwedishNumber.TryParse(SwedishNumber.Format(number), out var back));
        Assert.Equal(number, back);
        Assert.True(SwedishNumber.TryParse(SwedishNumber.Format(number) + " kr", out var withCurrency));
        Assert.Equal(number, withCurrency);
    }
}
