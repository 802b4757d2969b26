namespace NackaInsights.Etl.Pipeline;

/// <summary>What one run reads, and the Graph clients to dispose of when it is done.</summary>
public sealed class JobSources(RunSources sources, IReadOnlyList<IDisposable> owned) : IDisposable
{
    public RunSources Sources { get; } = sources;

    /// <summary>Whether the job reads sources, so that a run that loaded something is followed by the recompute and the checks.</summary>
    public bool ReadsSources => Sources.Uploads.Count > 0 || Sources.Lists is not null;

    /// <summary>The same sources, the run also recording every initiative's latest project status as of <paramref name="day"/>.</summary>
    public JobSources WithSnapshot(DateOnly day) => new(Sources with { ProjectStatusSnapshot = day }, owned);

    public void Dispose()
    {
        foreach (var d in owned)
        {
            d.Dispose();
        }
    }
}
