using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Sites.Item.Lists.Item.Items.Delta;
using Microsoft.Kiota.Abstractions;

namespace NackaInsights.Etl.SharePoint;

/// <summary>
/// Reads the four SharePoint lists through Microsoft Graph: the whole list on a first read, then only
/// the changes since the kept <c>@odata.deltaLink</c>. Every request goes through the Graph SDK's
/// pipeline: its retry handler waits out <c>Retry-After</c> on 429/503/504, and each such answer is
/// logged. A list that cannot be read throws <see cref="ListUnreadableException"/>.
/// </summary>
public sealed class GraphListSource : IListSource, IDisposable
{
    private readonly GraphOptions _options;
    private readonly ILogger<GraphListSource> _logger;
    private readonly HttpClient _http;
    private readonly GraphServiceClient _client;
    private readonly SemaphoreSlim _siteLock = new(1, 1);
    private string? _siteId;

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
    /// when Graph no longer knows the link (410 Gone, or a resync error code), the whole list again as Full.
    /// </summary>
    public async Task<ListRead> ReadAsync(string listName, string? deltaLink, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(listName);
        if (!string.IsNullOrWhiteSpace(deltaLink))
        {
            try
            {
                // The link carries site and list, so a run with no changes costs this round trip only.
                var changes = await ReadPagesAsync(listName, new DeltaRequestBuilder(deltaLink, _client.RequestAdapter).ToGetRequestInformation(), ct);
                _logger.LogInformation(
                    "Read the changes of list {List} through Microsoft Graph: {Items} changed or new, {Removed} removed, in {Pages} page(s)",
                    listName, changes.Items.Count(i => !i.Removed), changes.Items.Count(i => i.Removed), changes.Pages);
                return new ListRead(listName, ListReadMode.Delta, changes.Items, changes.DeltaLink ?? MissingDeltaLink(listName));
            }
            catch (DeltaExpiredException e)
            {
                _logger.LogWarning(
                    "Microsoft Graph no longer knows the delta link of list {List} (HTTP {Status}, {Code}); reading the whole list instead",
                    listName, e.Status, e.Code ?? "no error code");
            }
        }

        // A full read goes through the delta function without a token rather than through /items: Graph
        // documents this as the way to begin (it enumerates the whole list, page by page, and its last page
        // carries the @odata.deltaLink), so the first run costs no round trip more than a plain full read.
        // Reading /items and then asking for token=latest would cost one more and could miss a change made
        // between the two.
        var siteId = await SiteIdAsync(listName, ct);
        var sharePointList = _options.SharePointList(listName);
        var first = _client.Sites[siteId].Lists[sharePointList].Items.Delta
            .ToGetRequestInformation(c => c.QueryParameters.Expand = ["fields"]);
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
            "Read the whole list {List} (SharePoint list {SharePointList}) through Microsoft Graph: {Items} item(s) in {Pages} page(s)",
            listName, sharePointList, items.Count, all.Pages);
        return new ListRead(listName, ListReadMode.Full, items, all.DeltaLink ?? MissingDeltaLink(listName));
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
        _siteLock.Dispose();
    }

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
                var page = await SendAsync(listName, target, request, token);
                return new DeltaPage<ListItemData>(page.Items, page.NextLink, page.DeltaLink);
            },
            item => item.Id,
            () => new ListUnreadableException(listName, "Microsoft Graph skickade samma sidlänk (@odata.nextLink) två gånger; läsningen skulle aldrig ta slut."),
            ct);
        return new ListPages(all.Items, all.DeltaLink, all.Pages);
    }

    private async Task<ListJson.Page> SendAsync(string listName, string target, RequestInformation request, CancellationToken ct)
    {
        try
        {
            var body = await _client.RequestAdapter.SendPrimitiveAsync<Stream>(request, GraphClients.ErrorMapping, ct)
                ?? throw new JsonException("Svaret från Microsoft Graph var tomt.");
            await using (body)
            {
                return await ListJson.ParsePageAsync(body, ct);
            }
        }
        catch (Exception e) when (GraphClients.IsDeltaExpired(e, out var status, out var code))
        {
            throw new DeltaExpiredException(status, code, e);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw Unreadable(listName, target, e);
        }
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
        new(listName, GraphClients.Describe(e, _options, target, "Sites.Read.All eller Sites.Selected"), e);

}
