using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    /// <summary>
    /// Whether this run rewrote <c>pbi_sec_unit_access</c> (<see cref="UnitAccessMart"/>): it does only when what it should
    /// hold changed, or on a recompute.
    /// </summary>
    public bool UnitAccessRebuilt => _sql.Written.Of("sec_unit_access").Kinds != TableWrite.None;
}
