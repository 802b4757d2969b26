using System.Collections.Concurrent;

namespace NackaInsights.Etl.Pipeline;

/// <summary>
/// Two threads that render the run's batches of result workbooks, started with the first, at the lowest priority. A
/// thread started per batch (<c>TaskCreationOptions.LongRunning</c>) cost the load the wait for each to start: in a
/// full refresh at scale 1 on a busy machine, about 0.5 s of its 35 batches. One thread alone fell behind on a loaded
/// machine. It runs at the lowest priority: the reads are what the load waits for, and a render that took their core's
/// time (two threads, about a sixth of a full refresh's CPU, more where creating files is dear) kept it waiting;
/// rendered on what the reads, the load and the marts leave idle, the workbooks are owed between the marts instead
/// (<see cref="NackaInsights.Warehouse.Loading.RefreshRun.OweResultsWhenRendered"/>).
/// <para>
/// A batch whose results hold their uploads (<see cref="IUploadReader.ResultsHoldTheUpload"/>: the actuals' rows) is
/// rendered before every batch that holds only a count and its problems, and the load waits only for those of its
/// own kind: queued behind the business cases' renders, the actuals' waited for them to hold less memory, 0.2–0.3 s
/// of a full refresh at scale 1 in which the load did nothing.
/// </para>
/// </summary>
/// <remarks>Called from the run's thread only, but for the renders themselves.</remarks>
internal sealed class RenderThreads : IDisposable
{
    private readonly ConcurrentQueue<Action> _holding = new();
    private readonly ConcurrentQueue<Action> _light = new();

    /// <summary>One token for each render queued: a thread that takes one takes a render, what holds an upload first.</summary>
    private readonly BlockingCollection<bool> _queued = [];
    private readonly Queue<Task> _runningHolding = new();
    private readonly Queue<Task> _runningLight = new();
    private readonly List<Thread> _threads = [];

    /// <summary>Queues <paramref name="render"/>, behind those of its kind queued before; its task ends as it does.</summary>
    /// <param name="holdsUpload">Whether what it is rendered from holds its upload: rendered first.</param>
    public Task<T> Run<T>(Func<T> render, bool holdsUpload, CancellationToken ct)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        (holdsUpload ? _holding : _light).Enqueue(() =>
        {
            try
            {
                ct.ThrowIfCancellationRequested();
                done.SetResult(render());
            }
            catch (OperationCanceledException e)
            {
                done.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        (holdsUpload ? _runningHolding : _runningLight).Enqueue(done.Task);
        _queued.Add(true);
        if (_threads.Count == 0)
        {
            for (var i = 0; i < 2; i++)
            {
                var thread = new Thread(Render)
                {
                    IsBackground = true,
                    Name = "result workbooks",
                    Priority = ThreadPriority.Lowest,
                };
                thread.Start();
                _threads.Add(thread);
            }
        }
        return done.Task;
    }

    private void Render()
    {
        ThreadPriorities.LowerCurrent();
        foreach (var _ in _queued.GetConsumingEnumerable())
        {
            // A token is added after its render is queued, so one of the two holds a render for each token taken.
            if (_holding.TryDequeue(out var work) || _light.TryDequeue(out work))
            {
                work();
            }
        }
    }

    /// <summary>How many of the batches of the kind queued are not yet rendered.</summary>
    public int Backlog(bool holdingUploads)
    {
        var running = holdingUploads ? _runningHolding : _runningLight;
        while (running.TryPeek(out var first) && first.IsCompleted)
        {
            running.Dequeue();
        }
        return running.Count(t => !t.IsCompleted);
    }

    /// <summary>Waits, oldest first, until at most <paramref name="count"/> batches of the kind queued are not yet rendered.</summary>
    public async Task WhenBacklogAtMostAsync(bool holdingUploads, int count)
    {
        var running = holdingUploads ? _runningHolding : _runningLight;
        while (Backlog(holdingUploads) > count)
        {
            await Task.WhenAny(running.Peek());
        }
    }

    /// <summary>Waits for every render queued to have ended, however it ended (whoever owes it hears how).</summary>
    public async Task WhenAllEndedAsync()
    {
        foreach (var running in new[] { _runningHolding, _runningLight })
        {
            while (running.TryDequeue(out var task))
            {
                await Task.WhenAny(task);
            }
        }
    }

    /// <summary>Lets the threads end once what is queued is done, and waits for them: the caller has awaited every render.</summary>
    public void Dispose()
    {
        _queued.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        _queued.Dispose();
    }
}
