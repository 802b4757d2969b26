namespace NackaInsights.Warehouse.Quality;

/// <summary>
/// What the tables behind each pbi_* view are: the one thing the check planning needs to know of a view's SQL. Today the
/// declarations of <see cref="WarehouseViews"/> answer it; the views' own texts can (their read tables, parsed).
/// </summary>
public interface IViewLineage
{
    /// <summary>The tables behind <paramref name="view"/>; false for a view it does not know, whose checks then count every row whenever anything was written.</summary>
    bool TryGetSources(string view, out ViewSources sources);
}

/// <summary>The lineage as <see cref="WarehouseViews.Sources"/> declares it.</summary>
public sealed class DeclaredViewLineage : IViewLineage
{
    public static DeclaredViewLineage Instance { get; } = new();

    public bool TryGetSources(string view, out ViewSources sources) => WarehouseViews.Sources.TryGetValue(view, out sources!);
}
