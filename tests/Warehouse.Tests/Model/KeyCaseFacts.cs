using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Model;

/// <summary>Keys folded as Power BI compares them: letter case aside, Swedish letters included, accents kept.</summary>
public sealed class KeyCaseFacts
{
    [Theory]
    [InlineData("Välfärd skola", "VÄLFÄRD SKOLA")]
    [InlineData("Åre förvaltning", "åRE FÖRVALTNING")]
    [InlineData("dig-2023-014", "DIG-2023-014")]
    [InlineData("Östra ÄLDREOMSORG", "östra äldreomsorg")]
    public void Spellings_ThatDifferOnlyInCase_AreOneKey(string one, string other)
    {
        Assert.Equal(KeyCase.Fold(one), KeyCase.Fold(other));
        Assert.True(KeyCase.Comparer.Equals(one, other));
    }

    [Theory]
    [InlineData("Välfärd skola", "Valfard skola")]
    [InlineData("Åre", "Are")]
    [InlineData("Öst", "Ost")]
    [InlineData("Café", "Cafe")]
    public void Spellings_ThatDifferInAnAccent_AreTwoKeys(string one, string other)
    {
        Assert.NotEqual(KeyCase.Fold(one), KeyCase.Fold(other));
        Assert.False(KeyCase.Comparer.Equals(one, other));
    }

    [Fact]
    public void Spellings_KeepTheStoredOne_ThenTheFirstRead()
    {
        var spellings = new KeySpellings();
        spellings.KnowStored("Välfärd skola");
        spellings.KnowStored("VÄLFÄRD SKOLA");

        Assert.Equal("Välfärd skola", spellings.Spell("välfärd SKOLA"));
        Assert.Equal("dig-1", spellings.Spell("dig-1"));
        Assert.Equal("dig-1", spellings.Spell("DIG-1"));
    }

    [Fact]
    public void Spellings_ForgetWhatAnUndoneFileMadeKnown()
    {
        var spellings = new KeySpellings();
        spellings.Spell("DIG-1");
        var mark = spellings.Mark;
        spellings.Spell("dig-2");

        spellings.Forget(mark);

        Assert.Equal("DIG-2", spellings.Spell("DIG-2"));
        Assert.Equal("DIG-1", spellings.Spell("dig-1"));
    }
}
