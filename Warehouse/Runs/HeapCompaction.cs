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
    /// How far the committed heap may grow over what the last compaction left live before <see cref="WhenGrown"/> compacts
    /// again. At 32 MB a full refresh at scale 4 compacts six to eight times (each 30-170 ms on a loaded machine: the live
    /// heap is 10-40 MB), at scale 1 seldom or never (the heap stays near <see cref="WorthCompacting"/>), and never in a
    /// no-op or one changed file (about 30 MB). Full refresh, 3 pairs interleaved on a loaded 2-core machine, medians
    /// (ranges) of peak memory and the process's CPU time. Plain publish: scale 4 SQLite 201 (198-203) -> 187 (178-190) MiB,
    /// 40.5 (33.9-46.3) -> 39.5 (37.8-40.9) s; scale 4 PostgreSQL 216 (209-218) -> 187 (184-197) MiB, 30.1 (29.1-40.8) ->
    /// 31.9 (31.5-32.6) s; scale 1 level (SQLite 149 -> 154 MiB, ranges 149-153 and 151-163; PostgreSQL 164 -> 166 MiB).
    /// Precompiled: scale 4 SQLite (5 pairs) 246 -> 207 MiB, CPU 31.5 -> 32.1 s (the two pairs on a quiet machine 31.5/29.8
    /// -> 29.9/29.6 s), PostgreSQL 257 -> 214 MiB; scale 1 (2 pairs) SQLite 184 -> 179 MiB, PostgreSQL 198 -> 184 MiB;
    /// growth from scale 1 to 4, largest runs, 29.8 % -> 16.5 %.
    /// </summary>
    internal const long Allowance = 32L * 1024 * 1024;

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
        if (IsDue(GC.GetGCMemoryInfo().TotalCommittedBytes, Interlocked.Read(ref s_liveAfterLast)))
        {
            Compact();
        }
    }

    /// <summary>Whether a heap with <paramref name="committed"/> bytes committed, of which the last compaction left <paramref name="liveAfterLast"/>, is due another.</summary>
    internal static bool IsDue(long committed, long liveAfterLast) =>
        committed >= WorthCompacting && committed - liveAfterLast >= Allowance;

    private static void Compact()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        Interlocked.Exchange(ref s_liveAfterLast, GC.GetGCMemoryInfo().HeapSizeBytes);
    }
}
