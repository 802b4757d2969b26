using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Sites.Item.Lists.Item.Columns;
using Microsoft.Graph.Sites.Item.Lists.Item.Items;
using Microsoft.Graph.Sites.Item.Lists.Item.Items.Delta;
using Microsoft.Kiota.Abstractions;

namespace NackaInsights.Etl.SharePoint;

/// <summary>
/// Reads the four SharePoint lists through Microsoft Graph: the whole list on a first read, then only
/// the changes since the kept <c>@odata.deltaLink</c>. Every request goes through the Graph SDK's
/// pipeline: its retry handler waits out <c>Retry-After</c> on 429/503/504, and each such answer is
/// logged. A list that cannot be read throws <see cref="ListUnreadableException"/>.
/// </summary>
/// <remarks>
/// An instance lives for one run: it reads each list's column definitions once, and the site's user information list
/// once however many lists ask, and keeps them. Items are asked for with only the mapped columns
/// (<c>expand=fields($select=...)</c>, <see cref="ListMapping.Select"/>): SharePoint refuses a query that joins more
/// than 12 lookup or person columns (the list view lookup threshold; see
/// https://github.com/microsoftgraph/msgraph-sdk-powershell/issues/2711, and "Up to 12 lookup fields may be requested
/// in a single query" at https://learn.microsoft.com/graph/api/resources/fieldvalueset), and a municipality's wide
/// register has more than that.
/// </remarks>
public sealed class GraphListSource : IListSource, IDisposable
{
    /// <summary>
    /// Marks the delta links this source hands out with the select they were made with. A fragment is never sent (the
    /// link is cut before use), and a link keeps the query it was made with, so a changed mapping must not go on with it.
    /// </summary>
    internal const string SelectFragment = "#select=";

    /// <summary>What a link made with every field (<c>expand=fields</c>) is marked with; also a link of earlier versions, which had no mark.</summary>
    internal const string AllFields = "all";

    private const string Permissions = "Sites.Read.All eller Sites.Selected";

    private readonly GraphOptions _options;
    private readonly ILogger<GraphListSource> _logger;
    private readonly HttpClient _http;
    private readonly GraphServiceClient _client;
    private readonly SemaphoreSlim _siteLock = new(1, 1);
    private readonly SemaphoreSlim _columnsLock = new(1, 1);
    private readonly SemaphoreSlim _usersLock = new(1, 1);
    private readonly Dictionary<string, IReadOnlyList<ListColumn>> _columns = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _problemsLogged = new(StringComparer.OrdinalIgnoreCase);
    private string? _siteId;
    private SiteUsers? _users;

    /// <param name="credential">Production: <see cref="GraphCredentials.Create"/>; tests: a fixed token.</param>
    /// <exception cref="ArgumentException">The options are not usable (or no tenant is enabled); the message names each setting.</exception>
    public GraphListSource(GraphOptions options, TokenCredential credential, ILogger<GraphListSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(logger);
        GraphClients.EnsureUsable(options, "the lists");
        _options = options;
        _logger = logger;
        (_http, _client) = GraphClients.Create(options, credential, logger);
    }

    /// <summary>For the operator: where the lists are read from.</summary>
    public override string ToString() =>
        $"Microsoft Graph at {_options.NormalizedBaseUrl}, site {(_options.SiteId is { Length: > 0 } id ? id : $"{_options.SiteHostname}{_options.SitePath}")}";

    /// <summary>
    /// With no <paramref name="deltaLink"/>: the whole list (<see cref="ListReadMode.Full"/>) and a delta link
    /// for next time. With one: the changes since (<see cref="ListReadMode.Delta"/>), removed items flagged;
    /// when Graph no longer knows the link (410 Gone, or a resync error code), or the link was made with other columns
    /// than the mapping now asks for, the whole list again as Full. The list's column definitions are read first
    /// (<see cref="ColumnsAsync"/>), to know what to ask for.
    /// </summary>
    public async Task<ListRead> ReadAsync(string listName, string? deltaLink, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(listName);
        var select = await SelectAsync(listName, ct);
        var selectTag = SelectTag(select);
        if (!string.IsNullOrWhiteSpace(deltaLink))
        {
            var (link, madeWith) = SplitDeltaLink(deltaLink);
            if (!string.Equals(madeWith, selectTag, StringComparison.Ordinal))
            {
                // Graph would go on giving the columns the link was made with: a newly mapped column would stay empty.
                _logger.LogInformation(
                    "The kept delta link of list {List} was made asking for other columns (select {Then}) than its mapping asks for now (select {Now}); reading the whole list instead",
                    listName, madeWith, selectTag);
            }
            else
            {
                try
                {
                    // The link carries site, list and query, so a run with no changes costs this round trip only (after the columns).
                    var changes = await ReadPagesAsync(listName, new DeltaRequestBuilder(link, _client.RequestAdapter).ToGetRequestInformation(), ct);
                    _logger.LogInformation(
                        "Read the changes of list {List} through Microsoft Graph: {Items} changed or new, {Removed} removed, in {Pages} page(s)",
                        listName, changes.Items.Count(i => !i.Removed), changes.Items.Count(i => i.Removed), changes.Pages);
                    return new ListRead(listName, ListReadMode.Delta, changes.Items, Tag(changes.DeltaLink, selectTag) ?? MissingDeltaLink(listName));
                }
                catch (DeltaExpiredException e)
                {
                    _logger.LogWarning(
                        "Microsoft Graph no longer knows the delta link of list {List} (HTTP {Status}, {Code}); reading the whole list instead",
                        listName, e.Status, e.Code ?? "no error code");
                }
            }
        }

        // A full read goes through the delta function without a token rather than through /items: Graph
        // documents this as the way to begin (it enumerates the whole list, page by page, and its last page
        // carries the @odata.deltaLink), so the first run costs no round trip more than a plain full read.
        // Reading /items and then asking for token=latest would cost one more and could miss a change made
        // between the two. The select goes inside the expansion of fields (GET /sites/{site-id}/lists/{list-id}/items
        // ?expand=fields(select=Column1,Column2), https://learn.microsoft.com/graph/api/listitem-list; delta takes $select
        // and $expand alike, https://learn.microsoft.com/graph/api/listitem-delta): the item's own properties (id,
        // createdDateTime, lastModifiedDateTime) still come whole.
        var siteId = await SiteIdAsync(listName, ct);
        var sharePointList = _options.SharePointList(listName);
        var expand = select is null ? "fields" : $"fields($select={string.Join(',', select)})";
        var first = _client.Sites[siteId].Lists[sharePointList].Items.Delta
            .ToGetRequestInformation(c => c.QueryParameters.Expand = [expand]);
        ListPages all;
        try
        {
            all = await ReadPagesAsync(listName, first, ct);
        }
        catch (DeltaExpiredException e)
        {
            throw new ListUnreadableException(listName, $"Microsoft Graph avbröt läsningen av hela listan (HTTP {e.Status}, {e.Code ?? "ingen felkod"}).", e.InnerException);
        }
        // A whole enumeration holds no removals of ours to apply: the items are the list.
        var items = all.Items.Where(i => !i.Removed).ToList();
        _logger.LogInformation(
            "Read the whole list {List} (SharePoint list {SharePointList}) through Microsoft Graph: {Items} item(s) in {Pages} page(s), fields {Fields}",
            listName, sharePointList, items.Count, all.Pages, select is null ? "all" : string.Join(", ", select));
        return new ListRead(listName, ListReadMode.Full, items, Tag(all.DeltaLink, selectTag) ?? MissingDeltaLink(listName));
    }

    /// <summary>
    /// The list's columns as <c>GET /sites/{site-id}/lists/{list-id}/columns</c> describes them
    /// (https://learn.microsoft.com/graph/api/list-list-columns; columnDefinition resources, following
    /// <c>@odata.nextLink</c>): read the first time a list's are asked for, and kept for this source's life.
    /// </summary>
    public async Task<IReadOnlyList<ListColumn>?> ColumnsAsync(string listName, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(listName);
        await _columnsLock.WaitAsync(ct);
        try
        {
            if (_columns.TryGetValue(listName, out var kept))
            {
                return kept;
            }
            var siteId = await SiteIdAsync(listName, ct);
            var sharePointList = _options.SharePointList(listName);
            var target = $"kolumnerna i SharePoint-listan \"{sharePointList}\"";
            var first = _client.Sites[siteId].Lists[sharePointList].Columns.ToGetRequestInformation();
            var all = await GraphDeltaPager.ReadAsync(
                async (next, token) =>
                {
                    var request = next is null ? first : new ColumnsRequestBuilder(next, _client.RequestAdapter).ToGetRequestInformation();
                    return await SendAsync(listName, target, Permissions, request, ColumnsPage, token);
                },
                column => column.Name,
                () => new ListUnreadableException(listName, "Microsoft Graph skickade samma sidlänk (@odata.nextLink) två gånger för listans kolumner; läsningen skulle aldrig ta slut."),
                ct);
            _logger.LogInformation(
                "Read the column definitions of list {List} (SharePoint list {SharePointList}): {Columns} column(s) in {Pages} page(s)",
                listName, sharePointList, all.Items.Count, all.Pages);
            return _columns[listName] = all.Items;
        }
        finally
        {
            _columnsLock.Release();
        }
    }

    /// <summary>
    /// The site's hidden user information list, by the title Graph also finds a list by (<c>GET /sites/{site-id}/lists/{list-title}</c>,
    /// https://learn.microsoft.com/graph/api/list-get): its items with only <c>EMail</c> and <c>Title</c>, every page. Read once
    /// for this source's life, however many lists and threads ask.
    /// </summary>
    public async Task<SiteUsers> UsersAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _users) is { } kept)
        {
            return kept;
        }
        await _usersLock.WaitAsync(ct);
        try
        {
            if (_users is not null)
            {
                return _users;
            }
            const string list = SiteUsers.ListTitle;
            // Person columns point into this list; with Sites.Selected the app needs read access to the site for it, as for the others.
            const string target = $"webbplatsens dolda lista \"{list}\", där personkolumnernas e-postadresser slås upp";
            var siteId = await SiteIdAsync(list, ct);
            var first = _client.Sites[siteId].Lists[list].Items.ToGetRequestInformation(c => c.QueryParameters.Expand = ["fields($select=EMail,Title)"]);
            // Whatever goes wrong, the operator learns what reading the list takes, not only when Graph says 403.
            const string note = $"Appen läser listan med behörigheten {Permissions} (läsrätt till webbplatsen).";
            var all = await GraphDeltaPager.ReadAsync(
                async (next, token) =>
                {
                    var request = next is null ? first : new ItemsRequestBuilder(next, _client.RequestAdapter).ToGetRequestInformation();
                    return await SendAsync(list, target, Permissions, request, ItemsPage, token, note);
                },
                item => item.Id,
                () => new ListUnreadableException(list, "Microsoft Graph skickade samma sidlänk (@odata.nextLink) två gånger; läsningen skulle aldrig ta slut."),
                ct);
            var users = SiteUsers.FromItems(all.Items);
            _logger.LogInformation("Read the site's user information list through Microsoft Graph: {Users} people in {Pages} page(s)", users.Count, all.Pages);
            Volatile.Write(ref _users, users);
            return users;
        }
        finally
        {
            _usersLock.Release();
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
        _siteLock.Dispose();
        _columnsLock.Dispose();
        _usersLock.Dispose();
    }

    /// <summary>The fields to ask for: the mapping's <see cref="ListMapping.Select"/>, or null for every field. Logs the mapping's problems, once per list.</summary>
    private async Task<IReadOnlyList<string>?> SelectAsync(string listName, CancellationToken ct)
    {
        var columns = await ColumnsAsync(listName, ct);
        var mapping = ListMapping.Create(listName, _options.ListOptions(listName), columns);
        if (_problemsLogged.TryAdd(listName, true))
        {
            foreach (var problem in mapping.Problems)
            {
                _logger.LogWarning("List {List} (SharePoint list {SharePointList}): {Problem}", listName, _options.SharePointList(listName), problem);
            }
        }
        // With nothing mapped that the list has, a select would be empty: every field, so the items still say what they hold.
        return mapping.Select is { Count: > 0 } select ? select : null;
    }

    /// <summary>A short, stable mark of a select: the first bytes of its SHA-256, or <see cref="AllFields"/>.</summary>
    internal static string SelectTag(IReadOnlyList<string>? select) =>
        select is null ? AllFields : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', select))).AsSpan(0, 6));

    /// <summary>A delta link as Graph gave it, and the select it was made with (<see cref="AllFields"/> for a link without the mark).</summary>
    internal static (string Link, string MadeWith) SplitDeltaLink(string deltaLink)
    {
        var at = deltaLink.LastIndexOf(SelectFragment, StringComparison.Ordinal);
        return at < 0 ? (deltaLink, AllFields) : (deltaLink[..at], deltaLink[(at + SelectFragment.Length)..]);
    }

    private static string? Tag(string? deltaLink, string selectTag) => deltaLink is null ? null : deltaLink + SelectFragment + selectTag;

    private sealed record ListPages(IReadOnlyList<ListItemData> Items, string? DeltaLink, int Pages);

    /// <summary>Graph cannot give the changes since the link: read the whole list again.</summary>
    private sealed class DeltaExpiredException(int status, string? code, Exception inner) : Exception($"Delta link expired: HTTP {status} {code}", inner)
    {
        public int Status { get; } = status;

        public string? Code { get; } = code;
    }

    private async Task<ListPages> ReadPagesAsync(string listName, RequestInformation first, CancellationToken ct)
    {
        var target = $"SharePoint-listan \"{_options.SharePointList(listName)}\"";
        var all = await GraphDeltaPager.ReadAsync(
            async (next, token) =>
            {
                var request = next is null ? first : new DeltaRequestBuilder(next, _client.RequestAdapter).ToGetRequestInformation();
                try
                {
                    return await SendAsync(listName, target, Permissions, request, ItemsPage, token);
                }
                catch (ListUnreadableException e) when (e.InnerException is { } inner && GraphClients.IsDeltaExpired(inner, out var status, out var code))
                {
                    throw new DeltaExpiredException(status, code, inner);
                }
            },
            item => item.Id,
            () => new ListUnreadableException(listName, "Microsoft Graph skickade samma sidlänk (@odata.nextLink) två gånger; läsningen skulle aldrig ta slut."),
            ct);
        return new ListPages(all.Items, all.DeltaLink, all.Pages);
    }

    /// <summary>Sends one request and parses its answer; any failure but the caller's cancellation is the list's, described in Swedish.</summary>
    /// <param name="note">Said after the description when it does not already name the permissions.</param>
    private async Task<DeltaPage<T>> SendAsync<T>(
        string listName, string target, string permissions, RequestInformation request, Func<byte[], DeltaPage<T>> parse, CancellationToken ct, string? note = null)
    {
        try
        {
            var body = await _client.RequestAdapter.SendPrimitiveAsync<Stream>(request, GraphClients.ErrorMapping, ct)
                ?? throw new JsonException("Svaret från Microsoft Graph var tomt.");
            await using (body)
            {
                using var buffer = new MemoryStream();
                await body.CopyToAsync(buffer, ct);
                return parse(buffer.ToArray());
            }
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            var description = GraphClients.Describe(e, _options, target, permissions);
            if (note is not null && !description.Contains(permissions, StringComparison.Ordinal))
            {
                description = $"{description} {note}";
            }
            throw new ListUnreadableException(listName, description, e);
        }
    }

    private static DeltaPage<ListItemData> ItemsPage(byte[] json)
    {
        var page = ListJson.ParsePage(json);
        return new DeltaPage<ListItemData>(page.Items, page.NextLink, page.DeltaLink);
    }

    private static DeltaPage<ListColumn> ColumnsPage(byte[] json)
    {
        var columns = ListColumnJson.Parse(json);
        using var document = JsonDocument.Parse(json);
        var next = document.RootElement.TryGetProperty("@odata.nextLink", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
        return new DeltaPage<ListColumn>(columns, next, null);
    }

    private async Task<string> SiteIdAsync(string listName, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(_options.SiteId))
        {
            return _options.SiteId.Trim();
        }
        await _siteLock.WaitAsync(ct);
        try
        {
            if (_siteId is not null)
            {
                return _siteId;
            }
            var target = GraphClients.SiteTarget(_options);
            string? siteId;
            try
            {
                siteId = await GraphClients.LookUpSiteIdAsync(_client, _options, ct);
            }
            catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
            {
                throw Unreadable(listName, target, e);
            }
            if (siteId is null)
            {
                throw new ListUnreadableException(listName, $"Microsoft Graph gav inget id för {target}.");
            }
            _logger.LogInformation("SharePoint site {Hostname}{Path} has the Graph id {SiteId}", _options.SiteHostname!.Trim(), _options.NormalizedSitePath, siteId);
            return _siteId = siteId;
        }
        finally
        {
            _siteLock.Release();
        }
    }

    private string? MissingDeltaLink(string listName)
    {
        _logger.LogWarning("Microsoft Graph gave no @odata.deltaLink for list {List}; the next run reads the whole list again", listName);
        return null;
    }

    /// <summary>An operator-facing, Swedish account of why a list could not be read; the exception stays inside.</summary>
    private ListUnreadableException Unreadable(string listName, string target, Exception e) =>
        new(listName, GraphClients.Describe(e, _options, target, Permissions), e);

}
