namespace NackaInsights.Bench.Tests;

/// <summary>
/// A benchmark started soon after another into the same folder waits for the last one's deletions, which would
/// otherwise cost the first runs' new files on ext4 without a journal.
/// </summary>
public sealed class DeletionsFacts : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("nacka-bench-out-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    private static readonly DateTime Now = new(2026, 12, 6, 0, 10, 0, DateTimeKind.Utc);

    [Fact]
    public void A_first_benchmark_waits_for_nothing() =>
        Assert.Equal(TimeSpan.Zero, MacroBenchmark.WaitForDeletions(null, Now));

    [Fact]
    public void A_benchmark_straight_after_another_waits_until_six_minutes_after_its_deletions()
    {
        Assert.Equal(TimeSpan.FromSeconds(360), MacroBenchmark.FreedInodesPassedOver);
        Assert.Equal(TimeSpan.FromSeconds(350), MacroBenchmark.WaitForDeletions(Now.AddSeconds(-10), Now));
        Assert.Equal(TimeSpan.FromSeconds(1), MacroBenchmark.WaitForDeletions(Now.AddSeconds(-359), Now));
    }

    [Fact]
    public void Deletions_six_minutes_old_or_older_cost_no_wait()
    {
        Assert.Equal(TimeSpan.Zero, MacroBenchmark.WaitForDeletions(Now.AddSeconds(-360), Now));
        Assert.Equal(TimeSpan.Zero, MacroBenchmark.WaitForDeletions(Now.AddHours(-3), Now));
    }

    [Fact]
    public void Clearing_a_work_folder_without_copies_keeps_the_last_benchmarks_end()
    {
        var work = Directory.CreateDirectory(Path.Combine(_out, "work")).FullName;
        Directory.CreateDirectory(Path.Combine(work, "history-source", "01-2024-07"));
        File.WriteAllText(Path.Combine(work, "warehouse-1.db"), "");
        var lastEnd = Now.AddMinutes(-20);

        Assert.Equal(lastEnd, MacroBenchmark.ClearWork(work, lastEnd, Now));
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void Clearing_the_copies_a_stopped_benchmark_left_counts_as_deleting_them_now()
    {
        var work = Directory.CreateDirectory(Path.Combine(_out, "work")).FullName;
        var copy = Directory.CreateDirectory(Path.Combine(work, "postgres-huge-pages-source-2", "business-cases")).FullName;
        File.WriteAllText(Path.Combine(copy, "DIG-2024-00001 Nyttokalkyl.xlsx"), "");

        Assert.Equal(Now, MacroBenchmark.ClearWork(work, null, Now));
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void No_work_folder_is_nothing_deleted() =>
        Assert.Null(MacroBenchmark.ClearWork(Path.Combine(_out, "work"), null, Now));
}
