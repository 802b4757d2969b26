namespace NackaInsights.Etl.SharePoint;

/// <summary>One page of a Graph delta enumeration: its items, and the link to the next page or, on the last, the delta link.</summary>
public sealed record DeltaPage<T>(IReadOnlyList<T> Items, string? NextLink, string? DeltaLink);

/// <summary>A whole delta enumeration: each item once, the delta link for next time (null when Graph gave none), and how many pages it took.</summary>
public sealed record DeltaPages<T>(IReadOnlyList<T> Items, string? DeltaLink, int Pages);

/// <summary>
/// Follows a Microsoft Graph delta enumeration (<c>/items/delta</c> of a list, <c>root/delta</c> of a drive) from its
/// first page through each <c>@odata.nextLink</c> to the page that carries the <c>@odata.deltaLink</c>. Waiting out
/// throttling is the Graph client's (<see cref="GraphClients"/>); what a failed page means is the caller's.
/// </summary>
public static class GraphDeltaPager
{
    /// <param name="fetch">
    /// Gets a page: the first when given null, else the page at the next link. Whatever it throws ends the
    /// enumeration: a source turns a failure into its own exception there.
    /// </param>
    /// <param name="idOf">An item's id; an item without one (null) is left out.</param>
    /// <param name="endless">The exception for a next link sent twice, which would never end.</param>
    public static async Task<DeltaPages<T>> ReadAsync<T>(
        Func<string?, CancellationToken, Task<DeltaPage<T>>> fetch,
        Func<T, string?> idOf,
        Func<Exception> endless,
        CancellationToken ct)
    {
        // Graph may send an item more than once in one enumeration; its last occurrence is the one that counts.
        var items = new List<T>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var followed = new HashSet<string>(StringComparer.Ordinal);
        string? next = null;
        var pages = 0;
        while (true)
        {
            var page = await fetch(next, ct);
            pages++;
            foreach (var item in page.Items)
            {
                if (idOf(item) is not { } id)
                {
                    continue;
                }
                if (positions.TryGetValue(id, out var at))
                {
                    items[at] = item;
                }
                else
                {
                    positions[id] = items.Count;
                    items.Add(item);
                }
            }
            if (page.NextLink is null)
            {
                return new DeltaPages<T>(items, page.DeltaLink, pages);
            }
            if (!followed.Add(page.NextLink))
            {
                throw endless();
            }
            next = page.NextLink;
        }
    }
}
