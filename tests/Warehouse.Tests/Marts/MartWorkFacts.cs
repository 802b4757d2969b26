using NackaInsights.Warehouse.Marts;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>How a mart computes the rows of many initiatives (<c>MartWork.ComputeEach</c>): in their order, on every core, failing as the calculation fails.</summary>
public sealed class MartWorkFacts
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the protected helper to the facts.</summary>
    private sealed class Work() : MartWork(new MartContext { Sql = null!, RunId = 1, StartedAtUtc = DateTime.UnixEpoch })
    {
        public static TResult[] Each<TSource, TResult>(IReadOnlyList<TSource> items, Func<TSource, TResult> compute, CancellationToken ct)
            where TResult : class => ComputeEach(items, compute, ct);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(MartWork.ParallelFrom - 1)]
    [InlineData(MartWork.ParallelFrom)]
    [InlineData(5_000)]
    public void TheResults_AreInTheOrderOfTheElements_HoweverManyThereAre(int count)
    {
        var items = Enumerable.Range(0, count).ToList();

        var results = Work.Each(items, i => $"row {i}", Ct);

        Assert.Equal(items.Select(i => $"row {i}"), results);
    }

    [Fact]
    public void EveryElement_IsComputedOnce()
    {
        var computed = new int[1_000];

        Work.Each(Enumerable.Range(0, computed.Length).ToList(), i => (object)Interlocked.Increment(ref computed[i]), Ct);

        Assert.All(computed, n => Assert.Equal(1, n));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1_000)]
    public void ACalculationThatFails_FailsTheBuild_WithItsOwnException(int count)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Work.Each(Enumerable.Range(0, count).ToList(), i => i == count / 2 ? throw new ArgumentOutOfRangeException(nameof(i), "no discount rate") : "row", Ct));

        Assert.Contains("no discount rate", error.Message, StringComparison.Ordinal);
    }
}
