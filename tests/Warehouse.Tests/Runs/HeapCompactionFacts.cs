using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>When a run's bulk work compacts the heap: only once it is large and has grown well past what was live.</summary>
public sealed class HeapCompactionFacts
{
    private const long Mb = 1024 * 1024;

    [Fact]
    public void ASmallHeap_IsNeverDue_HoweverMuchOfItIsGarbage() =>
        Assert.False(HeapCompaction.IsDue(committed: 60 * Mb, heapSize: 60 * Mb, liveAfterLast: 0));

    [Fact]
    public void ALargeHeap_IsNotDue_WhileItHasGrownByLessThanTheAllowance() =>
        Assert.False(HeapCompaction.IsDue(committed: 80 * Mb, heapSize: 80 * Mb, liveAfterLast: 80 * Mb - HeapCompaction.Allowance + 1));

    [Fact]
    public void ALargeHeap_IsDue_OnceItHasGrownByTheAllowanceSinceTheLastCompaction() =>
        Assert.True(HeapCompaction.IsDue(committed: 80 * Mb, heapSize: 80 * Mb, liveAfterLast: 80 * Mb - HeapCompaction.Allowance));

    [Fact]
    public void BeforeAnyCompaction_AHeapWorthCompacting_IsDue() =>
        Assert.True(HeapCompaction.IsDue(committed: 64 * Mb, heapSize: 40 * Mb, liveAfterLast: 0));

    [Fact]
    public void RightAfterACompaction_IsNotDue_WhileTheCollectorStillHoldsTheSpaceItFreed() =>
        Assert.False(HeapCompaction.IsDue(committed: 92 * Mb, heapSize: 45 * Mb, liveAfterLast: 39 * Mb));
}
