using NackaInsights.Etl.Pipeline;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>Which names a source's file may have to be read.</summary>
public sealed class UploadFacts
{
    /// <summary>The rule as first written, character by character: the oracle of the one that searches for them at once.</summary>
    private static bool AsFirstWritten(string name) =>
        !string.IsNullOrWhiteSpace(name)
        && name != "." && name != ".."
        && name.Length <= 255
        && name.IndexOfAny(['/', '\\', ':', '*', '?', '"', '<', '>', '|']) < 0
        && !name.Any(char.IsControl)
        && !name.Contains("..", StringComparison.Ordinal)
        && name == name.Trim();

    [Fact]
    public void EveryCharacter_IsAllowedInAFileName_AsTheRuleFirstSaid()
    {
        for (var c = char.MinValue; ; c++)
        {
            foreach (var name in new[] { $"DIG-{c}.xlsx", $"{c}DIG.xlsx", $"DIG.xlsx{c}", $"{c}" })
            {
                Assert.True(AsFirstWritten(name) == Upload.IsSafeFileName(name), $"U+{(int)c:X4} in \"{name}\"");
            }
            if (c == char.MaxValue)
            {
                break;
            }
        }
    }

    [Theory]
    [InlineData("DIG-2023-014.xlsx", true)]
    [InlineData("Nyttokalkyl Äldreomsorg.xlsx", true)]
    [InlineData("../DIG.xlsx", false)]
    [InlineData("a..b.xlsx", false)]
    [InlineData("DIG\u0085.xlsx", false)]
    [InlineData("DIG\u007f.xlsx", false)]
    [InlineData(" DIG.xlsx", false)]
    [InlineData("DIG.xlsx\u3000", false)]
    [InlineData("citat\"x.xlsx", false)]
    [InlineData("..", false)]
    [InlineData("", false)]
    public void AName_IsSafe_OnlyAsAPlainFileName(string name, bool safe)
    {
        Assert.Equal(safe, Upload.IsSafeFileName(name));
        Assert.Equal(AsFirstWritten(name), Upload.IsSafeFileName(name));
    }

    [Fact]
    public void ALongName_IsNotSafe()
    {
        Assert.True(Upload.IsSafeFileName(new string('a', 250) + ".xlsx"));
        Assert.False(Upload.IsSafeFileName(new string('a', 251) + ".xlsx"));
    }
}
