using NackaInsights.Etl.Pipeline;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>The two threads a run renders its result workbooks on: what holds an upload first, each kind's backlog apart.</summary>
public sealed class RenderThreadsFacts
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ARenderHoldingItsUpload_IsRenderedBeforeLightOnesQueuedEarlier()
    {
        using var renderer = new RenderThreads();
        using var first = new ManualResetEventSlim();
        using var second = new ManualResetEventSlim();
        using var busy = new CountdownEvent(2);
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // Both threads busy, each until its own gate opens; then three light renders and one holding an upload queued.
        var blockers = new[] { first, second }.Select((gate, i) => renderer.Run(() =>
        {
            busy.Signal();
            gate.Wait(Patience);
            return i;
        }, holdsUpload: false, CancellationToken.None)).ToList();
        Assert.True(busy.Wait(Patience, TestContext.Current.CancellationToken));
        var light = Enumerable.Range(0, 3).Select(i => renderer.Run(() =>
        {
            order.Enqueue($"light {i}");
            return i;
        }, holdsUpload: false, CancellationToken.None)).ToList();
        var holding = renderer.Run(() =>
        {
            order.Enqueue("holding");
            return 9;
        }, holdsUpload: true, CancellationToken.None);
        Assert.Equal(5, renderer.Backlog(holdingUploads: false));
        Assert.Equal(1, renderer.Backlog(holdingUploads: true));

        // One thread free: it takes what holds an upload first, then the light ones in the order queued.
        first.Set();
        await Task.WhenAll(light).WaitAsync(Patience, TestContext.Current.CancellationToken);
        second.Set();
        await renderer.WhenAllEndedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.Equal(["holding", "light 0", "light 1", "light 2"], order);
        Assert.Equal(9, await holding);
        var ended = await Task.WhenAll(blockers);
        Assert.Equal([0, 1], ended);
        Assert.Equal(0, renderer.Backlog(holdingUploads: true));
        Assert.Equal(0, renderer.Backlog(holdingUploads: false));
    }

    [Fact]
    public async Task WaitingForOneKindsBacklog_DoesNotWaitForTheOther()
    {
        using var renderer = new RenderThreads();
        using var gate = new ManualResetEventSlim();
        using var busy = new CountdownEvent(1);
        // One light render holds a thread until the gate opens; the other thread renders what holds an upload.
        var blocked = renderer.Run(() =>
        {
            busy.Signal();
            gate.Wait(Patience);
            return 0;
        }, holdsUpload: false, CancellationToken.None);
        Assert.True(busy.Wait(Patience, TestContext.Current.CancellationToken));
        var holding = Enumerable.Range(1, 3).Select(i => renderer.Run(() => i, holdsUpload: true, CancellationToken.None)).ToList();

        await renderer.WhenBacklogAtMostAsync(holdingUploads: true, 0).WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.All(holding, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.False(blocked.IsCompleted);
        Assert.Equal(1, renderer.Backlog(holdingUploads: false));
        gate.Set();
        await renderer.WhenAllEndedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Equal(0, await blocked);
    }

    [Fact]
    public async Task ARenderThatThrows_FaultsOnlyItsOwnTask_AndACancelledOneIsNotRendered()
    {
        using var renderer = new RenderThreads();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var rendered = false;
        var faulted = renderer.Run<int>(() => throw new InvalidOperationException("no"), holdsUpload: false, CancellationToken.None);
        var skipped = renderer.Run(() => rendered = true, holdsUpload: true, cancelled.Token);
        var fine = renderer.Run(() => 7, holdsUpload: false, CancellationToken.None);

        await renderer.WhenAllEndedAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.Equal("no", (await Assert.ThrowsAsync<InvalidOperationException>(() => faulted)).Message);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => skipped);
        Assert.False(rendered);
        Assert.Equal(7, await fine);
    }
}
