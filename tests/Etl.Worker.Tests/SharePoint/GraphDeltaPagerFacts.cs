using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Graph.Sites.Item.Lists.Item.Items.Delta;
using Microsoft.Kiota.Abstractions;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.SharePoint;

/// <summary>The one delta pager of lists and drives, over real HTTP to the fake Graph through the real Graph client.</summary>
public sealed class GraphDeltaPagerFacts : IAsyncLifetime
{
    private readonly CapturingLogger<GraphDeltaPagerFacts> _log = new();
    private FakeGraphServer _graph = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _graph = await FakeGraphServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _graph.DisposeAsync();

    [Fact]
    public async Task ThePagesAreFollowedThroughEachNextLinkToTheDeltaLink()
    {
        _graph.PageSize = 10;
        var list = Initiatives(25);

        var pages = await ReadAsync(list);

        Assert.Equal(3, pages.Pages);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"{i}"), pages.Items.Select(i => i.Id));
        Assert.Contains("/delta?token=", pages.DeltaLink, StringComparison.Ordinal);
        // The second and third requests are the next links the pages before them gave.
        Assert.Equal(3, _graph.Requests.Count);
        Assert.All(_graph.Requests.Skip(1), r => Assert.Contains("delta?token=", r.PathAndQuery, StringComparison.Ordinal));
        Assert.Equal(3, _graph.Requests.Select(r => r.PathAndQuery).Distinct().Count());
    }

    [Fact]
    public async Task AThrottledPageIsWaitedOutAndAskedForAgainAsToday()
    {
        _graph.PageSize = 10;
        var list = Initiatives(15);
        _graph.FailNext("delta?token=", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);

        var pages = await ReadAsync(list);

        Assert.Equal(2, pages.Pages);
        Assert.Equal(15, pages.Items.Count);
        Assert.Equal([200, 429, 200], _graph.Requests.Select(r => r.Status));
        Assert.Equal(_graph.Requests[1].PathAndQuery, _graph.Requests[2].PathAndQuery);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Retry-After 1 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABrokenPageEndsTheEnumerationWithTheCallersFailure()
    {
        _graph.PageSize = 10;
        var list = Initiatives(25);
        _graph.FailAlways("delta?token=", HttpStatusCode.InternalServerError);

        await Assert.ThrowsAnyAsync<ApiException>(() => ReadAsync(list));

        // No page after the broken one is asked for, and a 500 is not retried.
        Assert.Equal([200, 500], _graph.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task AnItemSentOnTwoPagesIsKeptOnceAtItsLastOccurrence()
    {
        DeltaPage<(string Id, int Version)>[] pages =
        [
            new([("a", 1), ("b", 1)], "next-1", null),
            new([("a", 2), (null!, 0), ("c", 1)], null, "delta"),
        ];

        var all = await GraphDeltaPager.ReadAsync(
            (next, _) => Task.FromResult(next is null ? pages[0] : pages[1]), i => i.Id, () => new InvalidOperationException(), Ct);

        Assert.Equal([("a", 2), ("b", 1), ("c", 1)], all.Items);
        Assert.Equal("delta", all.DeltaLink);
        Assert.Equal(2, all.Pages);
    }

    [Fact]
    public async Task ANextLinkSentTwiceEndsTheEnumerationWithTheCallersException()
    {
        var asked = 0;
        var e = await Assert.ThrowsAsync<TimeoutException>(() => GraphDeltaPager.ReadAsync(
            (_, _) =>
            {
                asked++;
                return Task.FromResult(new DeltaPage<string>(["x"], "the-same-link", null));
            },
            i => i, () => new TimeoutException("endless"), Ct));

        Assert.Equal("endless", e.Message);
        Assert.Equal(2, asked);
    }

    private FakeGraphServer.FakeList Initiatives(int count)
    {
        var list = _graph.List("Initiativ");
        for (var i = 1; i <= count; i++)
        {
            list.Put($"{i}", new { Title = $"Initiativ {i}" });
        }
        return list;
    }

    /// <summary>A list's delta enumeration, each page sent and parsed as <see cref="GraphListSource"/> does.</summary>
    private async Task<DeltaPages<ListItemData>> ReadAsync(FakeGraphServer.FakeList list)
    {
        var options = FakeGraphOptions.For(_graph, siteById: true);
        var (http, client) = GraphClients.Create(options, new FixedTokenCredential(), _log);
        using (http)
        using (client)
        {
            var first = $"{_graph.BaseUrl}/sites/{FakeGraphServer.SiteId}/lists/{list.Title}/items/delta?expand=fields";
            return await GraphDeltaPager.ReadAsync(
                async (next, token) =>
                {
                    var request = new DeltaRequestBuilder(next ?? first, client.RequestAdapter).ToGetRequestInformation();
                    await using var body = (await client.RequestAdapter.SendPrimitiveAsync<Stream>(request, GraphClients.ErrorMapping, token))!;
                    var page = await ListJson.ParsePageAsync(body, token);
                    return new DeltaPage<ListItemData>(page.Items, page.NextLink, page.DeltaLink);
                },
                i => i.Id,
                () => new InvalidOperationException("endless"),
                Ct);
        }
    }
}
