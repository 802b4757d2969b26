using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Warehouse.Tests.Loading;

public sealed class PhaseTimingsFacts
{
    [Fact]
    public void AddShares_SharesTheWallTimeOutInProportion_ToTheTimesOnEachThread()
    {
        var threads = new PhaseTimings();
        threads.Add(PhaseTimings.Read, TimeSpan.FromSeconds(3));
        threads.Add(PhaseTimings.Validate, TimeSpan.FromSeconds(1));
        threads.Add(PhaseTimings.Read, TimeSpan.FromSeconds(3));
        threads.Add(PhaseTimings.Validate, TimeSpan.FromSeconds(1));
        var run = new PhaseTimings();
        run.Add(PhaseTimings.Read, TimeSpan.FromSeconds(1));

        run.AddShares(threads, TimeSpan.FromSeconds(4));

        Assert.Equal(TimeSpan.FromSeconds(4), run.Phases[PhaseTimings.Read]);
        Assert.Equal(TimeSpan.FromSeconds(1), run.Phases[PhaseTimings.Validate]);
    }

    [Fact]
    public void AddShares_AddsNothing_WhenNoPhaseWasTimed()
    {
        var run = new PhaseTimings();

        run.AddShares(new PhaseTimings(), TimeSpan.FromSeconds(2));

        Assert.Empty(run.Phases);
    }
}
