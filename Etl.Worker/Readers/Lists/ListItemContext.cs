using NackaInsights.Etl.SharePoint;

namespace NackaInsights.Etl.Readers.Lists;

/// <summary>
/// What parsing one list's items needs beyond the items: the list's mapping to its own columns and values, the site's
/// people for person columns, and the keys of the lists that lookup columns point into.
/// </summary>
public sealed class ListItemContext
{
    /// <summary>The contract's own columns and values, with no column definitions: how a list without configuration is read.</summary>
    public static ListItemContext ContractOf(string listName) => new() { Mapping = ListMapping.Create(listName, null, null) };

    public required ListMapping Mapping { get; init; }

    /// <summary>The site's user information list, for person columns.</summary>
    public SiteUsers Users { get; init; } = SiteUsers.None;

    /// <summary>
    /// The key of an item of another of the four lists by its item id (<c>(list, item id) → key</c>), for lookup columns;
    /// null when there is no such item (deleted, or never valid). Null when no lookup is read.
    /// </summary>
    public Func<string, string, string?>? LookUpKey { get; init; }

    /// <summary>Told of each choice value that neither the mapping nor the contract knows: (field, column, value); for <c>sources check</c>.</summary>
    public Action<string, string, string>? UnknownChoice { get; init; }
}
