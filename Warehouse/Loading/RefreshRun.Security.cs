using NackaInsights.Warehouse.Marts;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    /// <summary>At completion, once the units are final: the feed of the Power BI role <c>Verksamhet</c> (<see cref="UnitAccessMart"/>).</summary>
    private async Task CompleteUnitAccessAsync(CancellationToken ct)
    {
        if (await WarehouseMarts.UnitAccess.RebuildAsync(MartContext(), ct))
        {
            UnitAccessRebuilt = true;
        }
    }

    /// <summary>Whether this run rewrote <c>pbi_sec_unit_access</c> (it does only when what it should hold changed, or on a recompute).</summary>
    public bool UnitAccessRebuilt { get; private set; }
}
