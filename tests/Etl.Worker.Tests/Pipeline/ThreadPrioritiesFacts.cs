using NackaInsights.Etl.Pipeline;

namespace NackaInsights.Etl.Tests.Pipeline;

public sealed class ThreadPrioritiesFacts
{
    [Fact]
    public void LowerCurrent_GivesTheCallingThreadTheLowestNiceValue_AndLeavesTheOthersAsTheyWere()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var before = ThreadPriorities.CurrentNice();
        int? lowered = null;
        var thread = new Thread(() =>
        {
            ThreadPriorities.LowerCurrent();
            lowered = ThreadPriorities.CurrentNice();
        });

        thread.Start();
        thread.Join();

        Assert.Equal(19, lowered);
        Assert.Equal(before, ThreadPriorities.CurrentNice());
    }
}
