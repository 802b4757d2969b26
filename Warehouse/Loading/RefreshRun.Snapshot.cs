using NackaInsights.Warehouse.Marts;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    private DateOnly? _snapshotDate;
    private int _snapshotRows;

    /// <summary>
    /// Makes this run record, as it completes, every initiative's latest project status report as of
    /// <paramref name="date"/> (the worker's daily snapshot job). A second snapshot of the same day replaces the first.
    /// </summary>
    public void TakeProjectStatusSnapshot(DateOnly date)
    {
        _snapshotDate = date;
        _sourcesOffered = true;
    }

    private async Task WriteProjectStatusSnapshotAsync(CancellationToken ct)
    {
        if (_snapshotDate is not { } date)
        {
            return;
        }
        _snapshotRows = await WarehouseMarts.ProjectStatusSnapshot.WriteAsync(MartContext(), date, ct);
        // The snapshot's day may open a year the calendar does not hold yet.
        await RebuildCalendarAsync(ct);
    }
}
