using NackaInsights.Warehouse.Loading;

namespace NackaInsights.TestSupport;

/// <summary>Fails a run as it enters one phase, as a crash or a lost connection would.</summary>
public sealed class FailingRunObserver(string phase) : IRunObserver
{
    public void PhaseStarting(long runId, string entered)
    {
        if (entered == phase)
        {
            throw new IOException($"Injected failure in the {phase} phase.");
        }
    }

    public void FileProcessed(long runId, FileResult file)
    {
    }
}
