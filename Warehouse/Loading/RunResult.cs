using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Loading;

/// <summary>What happened to one source file in a run.</summary>
public sealed record FileResult(
    string Kind,
    string Name,
    string Status,
    int RowsLoaded,
    int RowsRejected,
    string? Message,
    IReadOnlyList<SourceProblem> Problems);

/// <summary>What happened to one SharePoint list in a run.</summary>
public sealed record ListResult(
    string ListName,
    string Mode,
    int ItemsRead,
    int ItemsChanged,
    int ItemsRemoved,
    int ItemsRejected,
    string Message,
    IReadOnlyList<SourceProblem> Problems);

/// <summary>Wall time spent in each phase of a run.</summary>
public sealed class PhaseTimings
{
    private readonly Dictionary<string, TimeSpan> _phases = [];

    public const string Read = "read";
    public const string Validate = "validate";
    public const string Load = "load";
    public const string Compute = "compute";
    public const string Checks = "checks";
    public const string Publish = "publish";

    /// <summary>The result workbooks written beside the uploads once a run has published: not a phase of the run itself.</summary>
    public const string Results = "results";

    public static readonly IReadOnlyList<string> Order = [Read, Validate, Load, Compute, Checks, Publish];

    public IReadOnlyDictionary<string, TimeSpan> Phases
    {
        get
        {
            lock (_phases)
            {
                return new Dictionary<string, TimeSpan>(_phases);
            }
        }
    }

    public void Add(string phase, TimeSpan elapsed)
    {
        lock (_phases)
        {
            _phases[phase] = _phases.GetValueOrDefault(phase) + elapsed;
        }
    }

    /// <summary>
    /// Adds <paramref name="wall"/> to the phases of <paramref name="parts"/>, shared in proportion to their times:
    /// for work done on several threads at once, whose times per thread add up to more than the time it took.
    /// </summary>
    public void AddShares(PhaseTimings parts, TimeSpan wall)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var phases = parts.Phases;
        var total = phases.Values.Sum(t => (double)t.Ticks);
        if (total <= 0)
        {
            return;
        }
        foreach (var (phase, elapsed) in phases)
        {
            Add(phase, TimeSpan.FromTicks((long)(wall.Ticks * (elapsed.Ticks / total))));
        }
    }

    public T Measure<T>(string phase, Func<T> work)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return work();
        }
        finally
        {
            Add(phase, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    public async Task<T> MeasureAsync<T>(string phase, Func<Task<T>> work)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await work();
        }
        finally
        {
            Add(phase, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    public async Task MeasureAsync(string phase, Func<Task> work) => await MeasureAsync(phase, async () =>
    {
        await work();
        return 0;
    });
}

/// <summary>The outcome of a run, as <c>pbi_etl_run</c> records it, with each file's outcome.</summary>
public sealed record RunResult(
    long RunId,
    string Status,
    int RowsLoaded,
    int RowsRejected,
    string Message,
    IReadOnlyList<FileResult> Files,
    IReadOnlyList<ListResult> Lists,
    IReadOnlyList<DataCheckResult> Checks,
    PhaseTimings Timings)
{
    /// <summary>The marts the run built, in the order it built them, each with its scope: what the graph found due.</summary>
    public IReadOnlyList<Marts.MartBuild> Marts { get; init; } = [];

    public bool Succeeded => Status == RunStatus.Succeeded;

    public bool HasRejections =>
        RowsRejected > 0 || Files.Any(f => f.Status is FileStatus.Rejected or FileStatus.PartlyLoaded)
        // A list's problems include items withheld for a key they share, which no count of rejected items holds.
        || Lists.Any(l => l.ItemsRejected > 0 || l.Problems.Any(p => !p.IsNotice));
}
