using NackaInsights.Warehouse.Marts;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// How a mart computes the rows of many initiatives (<c>MartWork.ComputeEach</c>): in their order, on every core, failing as
/// the calculation fails; and how a straight rebuild reads, computes and writes slice by slice (<c>MartWork.PipelineAsync</c>):
/// every slice written once, in order, one statement at a time, failing as its read, calculation or write fails.
/// </summary>
public sealed class MartWorkFacts
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the protected helper to the facts.</summary>
    private sealed class Work() : MartWork(new MartContext { Sql = null!, RunId = 1, StartedAtUtc = DateTime.UnixEpoch })
    {
        public static TResult[] Each<TSource, TResult>(IReadOnlyList<TSource> items, Func<TSource, TResult> compute, CancellationToken ct)
            where TResult : class => ComputeEach(items, compute, ct);

        public static Task Pipeline<TInput, TOutput>(IEnumerable<string[]> slices, Func<string[], Task<TInput>> read, Func<TInput, TOutput> compute,
            Func<TOutput, Task> write, CancellationToken ct) => PipelineAsync(slices, read, compute, write, ct);
    }

    private static string[][] Slices(int count) => [.. Enumerable.Range(0, count).Select(i => new[] { $"DIG-{i:000}-a", $"DIG-{i:000}-b" })];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(40)]
    public async Task EverySlice_IsWrittenOnce_InTheOrderOfTheSlices_AsComputedFromWhatWasReadForIt(int count)
    {
        var slices = Slices(count);
        var written = new List<string>();

        await Work.Pipeline(slices, async slice => { await Task.Yield(); return string.Join(",", slice); }, read => $"rows of {read}",
            async rows => { await Task.Yield(); written.Add(rows); }, Ct);

        Assert.Equal(slices.Select(s => $"rows of {string.Join(",", s)}"), written);
    }

    [Fact]
    public async Task TheReadsAndWrites_NeverOverlap_AsTheRunsOneConnectionTakesOneStatementAtATime()
    {
        var busy = 0;
        var overlapped = false;
        async Task Statement()
        {
            overlapped |= Interlocked.Increment(ref busy) > 1;
            await Task.Delay(1, Ct);
            Interlocked.Decrement(ref busy);
        }

        await Work.Pipeline(Slices(30), async slice => { await Statement(); return slice; }, slice => { Thread.Sleep(1); return slice; }, async _ => await Statement(), Ct);

        Assert.False(overlapped);
    }

    [Fact]
    public async Task ACalculationThatFails_FailsTheRebuild_WithItsOwnException_AndNothingAfterItsSliceIsWritten()
    {
        var written = new List<int>();

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Work.Pipeline(Slices(10), slice => Task.FromResult(int.Parse(slice[0][4..7], System.Globalization.CultureInfo.InvariantCulture)),
            i => i == 5 ? throw new ArgumentOutOfRangeException(nameof(i), "no discount rate") : i, i => { written.Add(i); return Task.CompletedTask; }, Ct));

        Assert.Contains("no discount rate", error.Message, StringComparison.Ordinal);
        Assert.Equal([0, 1, 2, 3, 4], written);
    }

    [Fact]
    public async Task AWriteThatFails_FailsTheRebuild_WithItsOwnException_OnceNoCalculationIsLeftRunning()
    {
        var computing = 0;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Work.Pipeline(Slices(10), Task.FromResult,
            slice =>
            {
                Interlocked.Increment(ref computing);
                Thread.Sleep(20);
                Interlocked.Decrement(ref computing);
                return slice;
            },
            _ => throw new InvalidOperationException("disk full"), Ct));

        Assert.Equal("disk full", error.Message);
        Assert.Equal(0, Volatile.Read(ref computing));
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
