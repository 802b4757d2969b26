using System.Net;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.SharePoint;

/// <summary>The Graph list reader against a fake Graph over real HTTP, through the real GraphServiceClient.</summary>
public sealed class GraphListSourceFacts : IAsyncLifetime
{
    private readonly CapturingLogger<GraphListSource> _log = new();
    private FakeGraphServer _graph = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _graph = await FakeGraphServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _graph.DisposeAsync();

    [Fact]
    public async Task AListOverSeveralPagesIsReadWholeWithEveryItemOnce()
    {
        _graph.PageSize = 10;
        var list = _graph.List(ListNames.Initiatives);
        for (var i = 1; i <= 25; i++)
        {
            list.Put($"{i}", new { Title = $"Initiativ {i}", InitiativId = $"DIG-2024-{i:000}" });
        }
        using var source = Source();

        var read = await source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct);

        Assert.Equal(ListReadMode.Full, read.Mode);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"{i}"), read.Items.Select(i => i.Id));
        Assert.All(read.Items, i => Assert.StartsWith("DIG-2024-", i.Fields.GetProperty("InitiativId").GetString()));
        Assert.All(read.Items, i => Assert.False(i.Removed));
        Assert.NotNull(read.DeltaLink);
        Assert.Equal(3, _graph.Requests.Count);
        Assert.All(_graph.Requests, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task A429AndA503WithRetryAfterAreWaitedOutRetriedAndLogged()
    {
        _graph.List(ListNames.Assessments).Put("1", new { InitiativId = "DIG-2024-001", Poang = 3 });
        _graph.FailNext($"/lists/{ListNames.Assessments}/items", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        _graph.FailNext($"/lists/{ListNames.Assessments}/items", 1, HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 1);
        using var source = Source();

        var read = await source.ReadAsync(ListNames.Assessments, deltaLink: null, Ct);

        Assert.Equal("1", Assert.Single(read.Items).Id);
        var requests = _graph.Requests;
        Assert.Equal([429, 503, 200], requests.Select(r => r.Status));
        Assert.All(requests, r => Assert.Equal(requests[0].PathAndQuery, r.PathAndQuery));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.9), $"the retry after the 429 came {requests[1].At - requests[0].At} later");
        Assert.True(requests[2].At - requests[1].At >= TimeSpan.FromSeconds(0.9), $"the retry after the 503 came {requests[2].At - requests[1].At} later");
        var throttled = _log.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("Retry-After 1 s", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, throttled.Count);
        Assert.Contains("429", throttled[0].Message, StringComparison.Ordinal);
        Assert.Contains("503", throttled[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeltaAfterAFullReadReturnsExactlyTheChangedNewAndRemovedItems()
    {
        var list = _graph.List(ListNames.ProjectStatus);
        for (var i = 1; i <= 5; i++)
        {
            list.Put($"{i}", new { InitiativId = $"DIG-2024-{i:000}", Status = "Grön" });
        }
        using var source = Source();
        var full = await source.ReadAsync(ListNames.ProjectStatus, deltaLink: null, Ct);

        list.Put("2", new { InitiativId = "DIG-2024-002", Status = "Röd" });
        list.Put("6", new { InitiativId = "DIG-2024-006", Status = "Gul" });
        list.Remove("4");
        var delta = await source.ReadAsync(ListNames.ProjectStatus, full.DeltaLink, Ct);

        Assert.Equal(ListReadMode.Full, full.Mode);
        Assert.Equal(5, full.Items.Count);
        Assert.Equal(ListReadMode.Delta, delta.Mode);
        Assert.False(delta.IsComplete);
        Assert.Equal(["2", "4", "6"], delta.Items.Select(i => i.Id).Order());
        var byId = delta.Items.ToDictionary(i => i.Id);
        Assert.Equal("Röd", byId["2"].Fields.GetProperty("Status").GetString());
        Assert.Equal("Gul", byId["6"].Fields.GetProperty("Status").GetString());
        Assert.False(byId["2"].Removed);
        Assert.False(byId["6"].Removed);
        Assert.True(byId["4"].Removed);
        Assert.NotNull(delta.DeltaLink);
        Assert.NotEqual(full.DeltaLink, delta.DeltaLink);
    }

    [Fact]
    public async Task ADeltaWithNoChangesCostsOneRoundTripAndReturnsNoItems()
    {
        _graph.PageSize = 2;
        var list = _graph.List(ListNames.Objects);
        for (var i = 1; i <= 5; i++)
        {
            list.Put($"{i}", new { Title = $"Objekt {i}", ObjektId = $"FO-{i}" });
        }
        // Configured by hostname and path, as in production: the next run must not resolve the site again.
        var options = Options(o =>
        {
            o.SiteId = null;
            o.SiteHostname = FakeGraphServer.Hostname;
            o.SitePath = FakeGraphServer.SitePath;
        });
        string? deltaLink;
        using (var firstRun = Source(options))
        {
            deltaLink = (await firstRun.ReadAsync(ListNames.Objects, deltaLink: null, Ct)).DeltaLink;
        }
        _graph.ClearLog();

        using var nextRun = Source(options);
        var read = await nextRun.ReadAsync(ListNames.Objects, deltaLink, Ct);

        Assert.Equal(ListReadMode.Delta, read.Mode);
        Assert.Empty(read.Items);
        Assert.NotNull(read.DeltaLink);
        var request = Assert.Single(_graph.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal(new Uri(deltaLink!).PathAndQuery, request.PathAndQuery);
    }

    [Fact]
    public async Task AnExpiredDeltaLinkAnsweredWith410GoneFallsBackToAFullRead()
    {
        var list = _graph.List(ListNames.Initiatives).Put("1", new { InitiativId = "DIG-2024-001" }).Put("2", new { InitiativId = "DIG-2024-002" });
        using var source = Source();
        var full = await source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct);
        list.Put("3", new { InitiativId = "DIG-2024-003" });
        // A code that says nothing of resyncing: the status alone must be enough.
        _graph.ExpireDeltaTokens(HttpStatusCode.Gone, "tokenExpired");

        var read = await source.ReadAsync(ListNames.Initiatives, full.DeltaLink, Ct);

        Assert.Equal(ListReadMode.Full, read.Mode);
        Assert.True(read.IsComplete);
        Assert.Equal(["1", "2", "3"], read.Items.Select(i => i.Id).Order());
        Assert.NotNull(read.DeltaLink);
        Assert.Equal([410, 200], _graph.Requests.Skip(1).Select(r => r.Status));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("HTTP 410", StringComparison.Ordinal) && e.Message.Contains(ListNames.Initiatives, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AResyncRequiredErrorFallsBackToAFullReadWhateverItsStatus()
    {
        var list = _graph.List(ListNames.Initiatives).Put("1", new { InitiativId = "DIG-2024-001" }).Put("2", new { InitiativId = "DIG-2024-002" });
        using var source = Source();
        var full = await source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct);
        list.Remove("1");
        _graph.ExpireDeltaTokens(HttpStatusCode.BadRequest, "resyncRequired");

        var read = await source.ReadAsync(ListNames.Initiatives, full.DeltaLink, Ct);

        Assert.Equal(ListReadMode.Full, read.Mode);
        Assert.Equal(["2"], read.Items.Select(i => i.Id));
        Assert.Equal([400, 200], _graph.Requests.Skip(1).Select(r => r.Status));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("resyncRequired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AListThatKeepsFailingIsUnreadableAndTheMessageNamesTheList()
    {
        _graph.List(ListNames.Assessments).Put("1", new { Poang = 2 });
        _graph.FailAlways($"/lists/{ListNames.Assessments}/items", HttpStatusCode.InternalServerError);
        using var source = Source();

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync(ListNames.Assessments, deltaLink: null, Ct));

        Assert.Equal(ListNames.Assessments, e.ListName);
        Assert.StartsWith($"Listan {ListNames.Assessments} kunde inte läsas: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException);
        // Graph's retry handler retries 429, 503 and 504 only: a 500 is not worth waiting for.
        Assert.Equal(500, Assert.Single(_graph.Requests).Status);
    }

    [Fact]
    public async Task AListThatStaysThrottledIsUnreadableAfterTheConfiguredRetries()
    {
        _graph.List(ListNames.Assessments).Put("1", new { Poang = 2 });
        _graph.FailAlways($"/lists/{ListNames.Assessments}/items", HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 1);
        using var source = Source(Options(o => o.MaxRetries = 2));

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync(ListNames.Assessments, deltaLink: null, Ct));

        Assert.Equal(ListNames.Assessments, e.ListName);
        Assert.Contains("HTTP 503 efter 2 nya försök", e.Message, StringComparison.Ordinal);
        Assert.IsType<AggregateException>(e.InnerException);
        Assert.Equal([503, 503, 503], _graph.Requests.Select(r => r.Status));
        Assert.Equal(3, _log.Entries.Count(l => l.Level == LogLevel.Warning && l.Message.Contains("503", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AListThatDoesNotExistIsUnreadable()
    {
        using var source = Source(Options(o => o.Lists[ListNames.Objects] = "Förvaltningsobjekt (gammal)"));

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync(ListNames.Objects, deltaLink: null, Ct));

        Assert.Equal(ListNames.Objects, e.ListName);
        Assert.Contains("\"Förvaltningsobjekt (gammal)\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 404", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task ListsAreReadByTheirConfiguredSharePointTitle()
    {
        _graph.List("Projektstatus 2024").Put("7", new { InitiativId = "DIG-2024-007", Status = "Gul" });
        using var source = Source(Options(o => o.Lists[ListNames.ProjectStatus] = "Projektstatus 2024"));

        var read = await source.ReadAsync(ListNames.ProjectStatus, deltaLink: null, Ct);

        Assert.Equal(ListNames.ProjectStatus, read.ListName);
        Assert.Equal("7", Assert.Single(read.Items).Id);
    }

    [Fact]
    public async Task TheSiteIsResolvedOnceByHostnameAndPath()
    {
        _graph.List(ListNames.Initiatives).Put("1", new { InitiativId = "DIG-2024-001" });
        _graph.List(ListNames.Objects).Put("1", new { ObjektId = "FO-1" });
        using var source = Source(Options(o =>
        {
            o.SiteId = null;
            o.SiteHostname = FakeGraphServer.Hostname;
            o.SitePath = "sites/digitalisering/";
        }));

        var initiatives = await source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct);
        var objects = await source.ReadAsync(ListNames.Objects, deltaLink: null, Ct);

        Assert.Single(initiatives.Items);
        Assert.Single(objects.Items);
        var siteRequest = Assert.Single(_graph.Requests, r => r.PathAndQuery.Contains(":/", StringComparison.Ordinal));
        Assert.StartsWith($"/v1.0/sites/{FakeGraphServer.Hostname}:{FakeGraphServer.SitePath}?", siteRequest.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(3, _graph.Requests.Count);
    }

    [Fact]
    public async Task ASiteThatDoesNotExistMakesTheListUnreadableAndNamesTheSite()
    {
        using var source = Source(Options(o =>
        {
            o.SiteId = null;
            o.SiteHostname = FakeGraphServer.Hostname;
            o.SitePath = "/sites/finns-inte";
        }));

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct));

        Assert.Equal(ListNames.Initiatives, e.ListName);
        Assert.Contains($"{FakeGraphServer.Hostname}/sites/finns-inte", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 404", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedSignInMakesTheListUnreadableAndSaysSo()
    {
        using var source = new GraphListSource(Options(), new FailingCredential(), _log);

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct));

        Assert.Contains("inloggningen mot Microsoft Entra ID misslyckades", e.Message, StringComparison.Ordinal);
        Assert.IsType<AuthenticationFailedException>(e.InnerException);
        Assert.Empty(_graph.Requests);
    }

    [Fact]
    public async Task ARequestWithoutTheTokenIsRefusedSoTheTokenReachesTheConfiguredHost()
    {
        _graph.List(ListNames.Initiatives).Put("1", new { InitiativId = "DIG-2024-001" });
        using var source = new GraphListSource(Options(), new FixedTokenCredential("not-the-right-token"), _log);

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct));

        Assert.Contains("HTTP 401", e.Message, StringComparison.Ordinal);
        Assert.Equal(401, Assert.Single(_graph.Requests).Status);
    }

    [Fact]
    public void ASourceIsNotMadeFromUnusableOptions()
    {
        var e = Assert.Throws<ArgumentException>(() => new GraphListSource(Options(o => o.ClientSecret = null), new FixedTokenCredential(), _log));
        Assert.Contains("GraphOptions:ClientSecret is required when Authentication is ClientSecret", e.Message, StringComparison.Ordinal);

        var disabled = Assert.Throws<ArgumentException>(() => new GraphListSource(Options(o => o.Enabled = false), new FixedTokenCredential(), _log));
        Assert.Contains("GraphOptions:Enabled", disabled.Message, StringComparison.Ordinal);
    }

    private GraphOptions Options(Action<GraphOptions>? change = null)
    {
        var options = FakeGraphOptions.For(_graph, siteById: true, maxRetries: 3);
        change?.Invoke(options);
        return options;
    }

    private GraphListSource Source(GraphOptions? options = null) => new(options ?? Options(), new FixedTokenCredential(), _log);

    private sealed class FailingCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException("AADSTS7000215: Invalid client secret provided.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException("AADSTS7000215: Invalid client secret provided.");
    }
}
