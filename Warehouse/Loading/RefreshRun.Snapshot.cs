using NackaInsights.Warehouse.Marts;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    private SnapshotRequest? _snapshot;

    /// <summary>
    /// Makes this run record, as it completes, every initiative's latest project status report as of
    /// <paramref name="date"/> (the worker's daily snapshot job). A second snapshot of the same day replaces the first.
    /// </summary>
    public void TakeProjectStatusSnapshot(DateOnly date)
    {
        _snapshot = new SnapshotRequest(date);
        _marts.Request(WarehouseMarts.ProjectStatusSnapshot);
        _sourcesOffered = true;
    }
}
