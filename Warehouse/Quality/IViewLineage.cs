using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Quality;

/// <summary>
/// The tables behind a pbi_* view, as far as a data check over the view can tell a write to them.
/// <para>
/// <see cref="Rows"/> are the tables whose rows make the view's rows, filters included: any write to one
/// may change what the view shows. <see cref="Lookups"/> are tables the view only joins by a key that a row
/// table holds, to show lineage such as a file's name: rows appended to them cannot add, remove or change a
/// row of the view (a new file has a new <c>file_id</c> that no older fact refers to), so only a delete or
/// an update of one counts.
/// </para>
/// <para>
/// <see cref="ScopeColumn"/>: a column of the view that its tables' rows share with the view rows they make, so that a
/// write of rows with some values of it can change only the view's rows with those values. <c>initiative_id</c>:
/// every row of its tables that has an initiative (etl_file has none) joins only rows of that same initiative.
/// The etl views have none: a run appends only its own rows to them, but their checks also guard against rows
/// that came from elsewhere, so a run that wrote one checks it whole.
/// </para>
/// </summary>
public sealed record ViewSources(IReadOnlyList<string> Rows, IReadOnlyList<string> Lookups, string? ScopeColumn = null)
{
    public IEnumerable<string> All => Rows.Concat(Lookups);

    public bool ByInitiative => ScopeColumn == TableWrites.InitiativeColumn;
}

/// <summary>
/// What the tables behind each pbi_* view are: the one thing the check planning needs to know of a view's SQL. The views'
/// own texts answer it (<see cref="ViewCatalogLineage"/>).
/// </summary>
public interface IViewLineage
{
    /// <summary>The tables behind <paramref name="view"/>; false for a view it does not know, whose checks then count every row whenever anything was written.</summary>
    bool TryGetSources(string view, out ViewSources sources);
}

/// <summary>
/// The lineage as each view's one text in <c>sql/views</c> gives it (<see cref="ViewCatalog"/>): the tables it reads,
/// parsed, those its header names lookups apart, and its header's scope column.
/// </summary>
public sealed class ViewCatalogLineage(ViewCatalog catalog) : IViewLineage
{
    public static ViewCatalogLineage Instance { get; } = new(ViewCatalog.Embedded);

    public bool TryGetSources(string view, out ViewSources sources)
    {
        if (!catalog.Contains(view))
        {
            sources = null!;
            return false;
        }
        var definition = catalog[view];
        sources = new ViewSources(
            [.. definition.Reads.Where(t => !definition.Lookups.Contains(t)).Order(StringComparer.Ordinal)],
            [.. definition.Lookups.Order(StringComparer.Ordinal)],
            definition.ScopeColumn);
        return true;
    }
}
