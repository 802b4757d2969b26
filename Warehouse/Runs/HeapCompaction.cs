using System.Runtime;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// Compacting collections while a run's bulk work goes on. What the lists, the loads and the marts leave behind is mostly
/// garbage and free space between survivors: the background collections sweep it but do not compact, so the heap's
/// committed memory only grows (at scale 4, 98 MB committed at the end of the loads for 23 MB live), and that, not
/// the data held, is what made the peak grow with the municipality's size.
/// </summary>
public static class HeapCompaction
{
    /// <summary>Below this much committed, a compaction gives back too little to be worth a pause (a no-op commits about 30 MB).</summary>
    private const long WorthCompacting = 64L * 1024 * 1024;

    /// <summary>
    /// How far the heap's generations may grow over what the last compaction left live before <see cref="WhenGrown"/>
    /// compacts again. First 32 MB of committed memory (scale-4 full refresh, precompiled: peak 246 -> 207 MiB on SQLite,
    /// 257 -> 214 MiB on PostgreSQL, CPU level). Measured on the generations instead (<see cref="IsDue"/>), a compaction
    /// no longer follows the last at once, so a smaller allowance costs fewer of them than the committed rule did: scale 4,
    /// one build with the rule and the allowance read from the environment, interleaved. PostgreSQL (4 runs each): compute
    /// 8.42-8.74 s with the committed rule at 32 MB, 7.13-8.22 s with the generations' at 16 MB, whole process 25.6-27.1 s
    /// against 22.9-25.8 s, peak 221-236 against 220-236 MiB. SQLite (3 each): compute 5.55-5.88 s against 5.10-5.18 s,
    /// peak 223-233 against 219-234 MiB. Scale 1 level (SQLite 190-194 against 200-201 MiB, PostgreSQL 199-200 against
    /// 193-202 MiB): there the heap seldom commits <see cref="WorthCompacting"/>.
    /// </summary>
    internal const long Allowance = 16L * 1024 * 1024;

    /// <summary>What the last compaction left on the heap; zero before the first.</summary>
    private static long s_liveAfterLast;

    /// <summary>
    /// Compacts the whole heap, the large objects too, when what is committed is worth it: where a run moves from one bulk
    /// phase to the next. Scale 4 full refresh, plain publish, 3 pairs on a loaded 2-core machine: peak 227/242/228 MB ->
    /// 212/215/219 MB, CPU time the same (41.5/52.1/46.3 s -> 40.5/52.0/46.5 s).
    /// </summary>
    public static void BetweenPhases()
    {
        if (GC.GetGCMemoryInfo().TotalCommittedBytes < WorthCompacting)
        {
            return;
        }
        Compact();
    }

    /// <summary>
    /// Compacts when the heap has grown by <see cref="Allowance"/> since the last compaction left it (<see cref="IsDue"/>):
    /// called where a bulk writer has just let go of what it wrote (a flushed row buffer, a list's page, a mart's part).
    /// </summary>
    public static void WhenGrown()
    {
        var last = GC.GetGCMemoryInfo();
        if (IsDue(last.TotalCommittedBytes, last.HeapSizeBytes, Interlocked.Read(ref s_liveAfterLast)))
        {
            Compact();
        }
    }

    /// <summary>
    /// Whether a heap with <paramref name="committed"/> bytes committed and <paramref name="heapSize"/> in its generations
    /// (what lives there, garbage not yet collected and the free space between survivors), of which the last compaction
    /// left <paramref name="liveAfterLast"/>, is due another. The growth is the generations' and not what is committed:
    /// the collector gives back the space a compaction freed a little at a time, so for a while after one the committed
    /// memory still stood far above what was left live, and every call compacted again (a scale-4 PostgreSQL full refresh
    /// compacted 57–74 times, up to 13 times in one second of the marts, each a blocking collection of a 35–45 MB heap).
    /// </summary>
    internal static bool IsDue(long committed, long heapSize, long liveAfterLast) =>
        committed >= WorthCompacting && heapSize - liveAfterLast >= Allowance;

    private static void Compact()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        Interlocked.Exchange(ref s_liveAfterLast, GC.GetGCMemoryInfo().HeapSizeBytes);
    }
}
