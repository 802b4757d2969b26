using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Tests.Runs;

public sealed class BoxesFacts
{
    [Fact]
    public void ASmallNumber_IsBoxedOnce_ForEveryRowThatHoldsIt()
    {
        Assert.Same(Boxes.Of(2026), Boxes.Of(2026));
        Assert.Equal(2026, (int)Boxes.Of(2026));
        Assert.Equal(0, (int)Boxes.Of(0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4096)]
    [InlineData(int.MaxValue)]
    public void ANumberOutsideTheSharedOnes_IsBoxedAsItIs(int value)
    {
        Assert.Equal(value, (int)Boxes.Of(value));
        Assert.NotSame(Boxes.Of(value), Boxes.Of(value));
    }
}
