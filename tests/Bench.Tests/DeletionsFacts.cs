namespace NackaInsights.Bench.Tests;

/// <summary>
/// A benchmark started soon after another into the same folder waits for the last one's deletions, which would
/// otherwise cost the first runs' new files on ext4 without a journal.
/// </summary>
public sealed class DeletionsFacts
{
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
}
