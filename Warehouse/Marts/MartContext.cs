using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Marts;

/// <summary>What a mart builds with: the run's transaction, its identity and the configuration its figures depend on.</summary>
public sealed class MartContext
{
    public required RunTransaction Sql { get; init; }

    public required long RunId { get; init; }

    public required DateTime StartedAtUtc { get; init; }

    public ILogger Logger { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public CalculationOptions Calculation { get; init; } = new();

    public EvaluationOptions Evaluation { get; init; } = new();

    public IndexOptions Index { get; init; } = new();

    public AccessOptions Access { get; init; } = new();

    /// <summary>The window of plausible dates: the calendar covers no day outside it.</summary>
    public InputLimits Limits { get; init; } = new();

    /// <summary>Whether the run rebuilds every computed fact: a mart that otherwise writes only differences then writes whole.</summary>
    public bool RecomputesAll { get; init; }

    /// <summary>How many initiatives' rows a rebuild of every initiative's reads and writes at a time.</summary>
    public int RebuildPart { get; init; } = 1_000;

    /// <summary>The snapshot the run was asked to take (<see cref="ProjectStatusSnapshotMart"/>); null when none was.</summary>
    public SnapshotRequest? Snapshot { get; init; }

    /// <summary>The list items a mart left out because their initiative is unknown; the run records them once the model is final.</summary>
    public UnknownInitiativeItems UnknownInitiatives { get; init; } = new();

    /// <summary>
    /// While a mart builds: the tables it reads whose writes made it due; null when it is due whole for another reason (a
    /// recompute, its configuration, a request), which a mart must then take as every input changed.
    /// </summary>
    public IReadOnlySet<string>? DueFrom { get; internal set; }
}

/// <summary>A run's request for the daily project status snapshot of a day, and how many rows it came to.</summary>
public sealed class SnapshotRequest(DateOnly date)
{
    public DateOnly Date { get; } = date;

    /// <summary>The rows the snapshot holds, once taken.</summary>
    public int? Rows { get; internal set; }
}
