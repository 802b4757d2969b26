using NackaInsights.Etl.Xlsx;

namespace NackaInsights.Etl.Tests.Xlsx;

public sealed class TextPoolFacts
{
    [Fact]
    public void AShortText_IsSharedByEveryReadOfIt_OnOneThread()
    {
        var first = TextPool.Get("Investering".AsSpan());
        var second = TextPool.Get("Investering xyz".AsSpan(0, 11));

        Assert.Equal("Investering", first);
        Assert.Same(first, second);
        Assert.Same("", TextPool.Get([]));
    }

    [Fact]
    public void ALongText_IsReadAsItIs_NotPooled()
    {
        var text = new string('x', TextPool.MaxLength + 1);

        Assert.Equal(text, TextPool.Get(text));
        Assert.NotSame(TextPool.Get(text), TextPool.Get(text));
    }

    [Fact]
    public void AThreadFullOfDistinctTexts_StillReadsEachRightly()
    {
        // On a thread of its own, so that its pool starts empty and fills.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                for (var i = 0; i < TextPool.MaxCount; i++)
                {
                    TextPool.Get(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                var pooled = TextPool.Get("0");
                Assert.Same(pooled, TextPool.Get("0"));
                var beyond = TextPool.Get("not yet met");
                Assert.Equal("not yet met", beyond);
                Assert.NotSame(beyond, TextPool.Get("not yet met"));
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }
}
