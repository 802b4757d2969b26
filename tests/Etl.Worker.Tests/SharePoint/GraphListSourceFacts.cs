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
        Assert.Equal(3, ItemRequests().Count);
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
        var requests = ItemRequests();
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
    public async Task ADeltaWithNoChangesCostsOneRoundTripBesidesTheSiteAndTheColumnsAndReturnsNoItems()
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
        // Each run looks the site up once and reads each list's columns once (for the mapping), wherever the changes are.
        Assert.Equal(3, _graph.Requests.Count);
        Assert.Single(_graph.Requests, r => r.PathAndQuery.Contains(":/", StringComparison.Ordinal));
        Assert.Single(_graph.Requests, r => r.PathAndQuery.EndsWith($"/lists/{ListNames.Objects}/columns", StringComparison.Ordinal));
        var request = Assert.Single(ItemRequests());
        Assert.Equal(200, request.Status);
        Assert.Equal(new Uri(GraphListSource.SplitDeltaLink(deltaLink!).Link).PathAndQuery, request.PathAndQuery);
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
        Assert.Equal([200, 410, 200], ItemRequests().Select(r => r.Status));
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
        Assert.Equal([200, 400, 200], ItemRequests().Select(r => r.Status));
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
        Assert.Equal(500, Assert.Single(ItemRequests()).Status);
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
        Assert.Equal([503, 503, 503], ItemRequests().Select(r => r.Status));
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
        // The site, then each list's columns and items.
        Assert.Equal(5, _graph.Requests.Count);
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

    [Fact]
    public async Task TheColumnDefinitionsAreReadWithTheirKindsAcrossPagesAndOncePerList()
    {
        _graph.ColumnPageSize = 3;
        var objects = _graph.List("Förvaltningsobjekt");
        _graph.List("Initiativregister")
            .TextColumn("Title", "Rubrik")
            .PersonColumn("Owner", displayName: "Ägare")
            .PersonColumn("Medverkande", multiple: true)
            .LookupColumn("Objekt", objects, shows: "ObjektId")
            .ChoiceColumn("Status0", "Ny", "Pågående", "Klar")
            .MultiChoiceColumn("Mal", "Attraktiv stad", "Stark och balanserad tillväxt")
            .NoteColumn("Hypotes")
            .DateColumn("Beslutsdatum");
        _graph.List("Projektrapporter").NumberColumn("Fardiggrad", percentage: true).NumberColumn("Budget");
        using var source = Source(Options(o =>
        {
            o.Lists[ListNames.Initiatives] = "Initiativregister";
            o.Lists[ListNames.ProjectStatus] = "Projektrapporter";
        }));

        var columns = await source.ColumnsAsync(ListNames.Initiatives, Ct);
        var again = await source.ColumnsAsync(ListNames.Initiatives, Ct);
        var numbers = await source.ColumnsAsync(ListNames.ProjectStatus, Ct);

        Assert.NotNull(columns);
        Assert.Same(columns, again);
        var byName = columns.ToDictionary(c => c.Name);
        Assert.Equal(
            ["Title", "Owner", "Medverkande", "Objekt", "Status0", "Mal", "Hypotes", "Beslutsdatum"],
            columns.Select(c => c.Name));
        Assert.Equal(("Rubrik", ListColumnKind.Text), (byName["Title"].DisplayName, byName["Title"].Kind));
        Assert.Equal(("Ägare", ListColumnKind.Person, false), (byName["Owner"].DisplayName, byName["Owner"].Kind, byName["Owner"].AllowsMultiple));
        Assert.Equal((ListColumnKind.Person, true), (byName["Medverkande"].Kind, byName["Medverkande"].AllowsMultiple));
        Assert.Equal((ListColumnKind.Lookup, false, objects.Id, "ObjektId"),
            (byName["Objekt"].Kind, byName["Objekt"].AllowsMultiple, byName["Objekt"].LookupListId, byName["Objekt"].LookupColumnName));
        Assert.Equal((ListColumnKind.Choice, false), (byName["Status0"].Kind, byName["Status0"].AllowsMultiple));
        Assert.Equal(["Ny", "Pågående", "Klar"], byName["Status0"].Choices);
        Assert.Equal((ListColumnKind.Choice, true), (byName["Mal"].Kind, byName["Mal"].AllowsMultiple));
        Assert.Equal(ListColumnKind.Note, byName["Hypotes"].Kind);
        Assert.Equal(ListColumnKind.DateTime, byName["Beslutsdatum"].Kind);
        Assert.NotNull(numbers);
        Assert.Equal([("Fardiggrad", true), ("Budget", false)], numbers.Select(c => (c.Name, c.IsPercentage)));
        Assert.All(numbers, c => Assert.Equal(ListColumnKind.Number, c.Kind));
        // Eight columns at three a page, then two in one: read once, whatever asks again.
        var columnRequests = _graph.Requests.Where(r => r.PathAndQuery.Contains("/columns", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, columnRequests.Count);
        Assert.EndsWith("/lists/Initiativregister/columns", columnRequests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(2, columnRequests.Count(r => r.PathAndQuery.Contains("$skiptoken=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheUserInformationListIsReadOnceAcrossPagesHoweverManyListsAsk()
    {
        _graph.PageSize = 2;
        _graph.PutUser(7, "anna.berg@nacka.se", "Anna Berg")
            .PutUser(12, "omar.haddad@nacka.se", "Omar Haddad")
            .PutUser(15, null, "Stadsledningskontoret (grupp)")
            .PutUser(21, "lena.ek@nacka.se", "Lena Ek")
            .PutUser(30, "per.lind@nacka.se", "Per Lind");
        using var source = Source();

        // The lists are read one after another, but nothing stops a caller from asking at once.
        var asked = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => source.UsersAsync(Ct), Ct)));
        var later = await source.UsersAsync(Ct);

        Assert.All(asked, users => Assert.Same(later, users));
        Assert.Equal(5, later.Count);
        Assert.Equal(("anna.berg@nacka.se", "Anna Berg"), (later.Find("7")!.Email, later.Find("7")!.Title));
        Assert.Equal("per.lind@nacka.se", later.Find("30")!.Email);
        Assert.Null(later.Find("15")!.Email);
        Assert.Null(later.Find("8"));
        var requests = ItemRequests();
        Assert.Equal(3, requests.Count);
        // Addressed by its title, its spaces escaped, with only the two fields it is read for.
        Assert.Contains($"/lists/{Uri.EscapeDataString(SiteUsers.ListTitle)}/items?", requests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.EndsWith("$expand=fields($select=EMail,Title)", Uri.UnescapeDataString(requests[0].PathAndQuery), StringComparison.Ordinal);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("user information list", StringComparison.Ordinal) && e.Message.Contains("5 people in 3 page(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheItemsAreAskedForWithOnlyTheMappedColumnsAndComeBackWithOnlyThose()
    {
        var objects = _graph.List("Objekt")
            .TextColumn("Title").TextColumn("field_1", "Objekt-id").PersonColumn("Forvaltare", multiple: true).TextColumn("Verksamhet")
            .Put("4", new
            {
                Title = "Ekonomisystem", field_1 = "FO-4", Verksamhet = "Ekonomi", Anteckning = "Byts 2026",
                Forvaltare = new[] { new { LookupId = 7, LookupValue = "Anna Berg", Email = "anna.berg@nacka.se" } },
            });
        // A municipality's register: its own names, a person and a lookup column, and more lookups than the contract reads.
        var register = _graph.List("Initiativregister")
            .TextColumn("Title").TextColumn("InitiativId").TextColumn("field_3", "Verksamhet")
            .ChoiceColumn("Status0", "Ny", "Beredning", "Projekt").PersonColumn("Owner").LookupColumn("Objekt", objects)
            .PersonColumn("Author").PersonColumn("Editor").PersonColumn("Kontaktperson").LookupColumn("Relaterat", objects, multiple: true)
            .NoteColumn("Anteckning")
            .Put("1", new
            {
                Title = "Digital signering", InitiativId = "DIG-1", field_3 = "Stadsledningskontoret", Status0 = "Ny",
                OwnerLookupId = "7", ObjektLookupId = "4", AuthorLookupId = "12", EditorLookupId = "12", KontaktpersonLookupId = "21",
                Anteckning = "Ska inte läsas",
            });
        using var source = Source(Options(o =>
        {
            o.Lists[ListNames.Initiatives] = new GraphListOptions
            {
                List = "Initiativregister",
                Columns = { ["Verksamhet"] = "field_3", ["Fas"] = "Status0", ["AgareEpost"] = "Owner", ["ForvaltningsobjektId"] = "Objekt" },
                Choices = { ["Fas"] = new() { ["Ny"] = "Idé" } },
            };
            o.Lists[ListNames.Objects] = new GraphListOptions { List = "Objekt", Columns = { ["ObjektId"] = "field_1", ["ForvaltareEpost"] = "Forvaltare" } };
        }));

        var initiatives = await source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct);
        var objectItems = await source.ReadAsync(ListNames.Objects, deltaLink: null, Ct);

        // The contract's order; a single person or lookup as <Column>LookupId, a multi-person column by its name.
        var requests = ItemRequests().Select(r => Uri.UnescapeDataString(r.PathAndQuery)).ToList();
        Assert.Equal(2, requests.Count);
        Assert.EndsWith("$expand=fields($select=Title,InitiativId,field_3,Status0,ObjektLookupId,OwnerLookupId)", requests[0], StringComparison.Ordinal);
        Assert.EndsWith("$expand=fields($select=Title,field_1,Forvaltare,Verksamhet)", requests[1], StringComparison.Ordinal);
        var item = Assert.Single(initiatives.Items);
        Assert.Equal(
            ["InitiativId", "ObjektLookupId", "OwnerLookupId", "Status0", "Title", "field_3"],
            item.Fields.EnumerateObject().Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal("7", item.Fields.GetProperty("OwnerLookupId").GetString());
        // The item's own properties are not subject to the select.
        Assert.NotNull(item.LastModified);
        Assert.NotNull(item.Created);
        var objectItem = Assert.Single(objectItems.Items);
        Assert.Equal(["Forvaltare", "Title", "Verksamhet", "field_1"], objectItem.Fields.EnumerateObject().Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(7, objectItem.Fields.GetProperty("Forvaltare")[0].GetProperty("LookupId").GetInt32());
        // The delta link goes on with the same select: a change comes back with only the mapped columns too.
        register.Put("1", new { Title = "Digital signering", InitiativId = "DIG-1", field_3 = "Välfärd skola", Status0 = "Beredning", OwnerLookupId = "12", Anteckning = "Ändrad" });
        var delta = await source.ReadAsync(ListNames.Initiatives, initiatives.DeltaLink, Ct);
        Assert.Equal(ListReadMode.Delta, delta.Mode);
        Assert.Equal(["InitiativId", "OwnerLookupId", "Status0", "Title", "field_3"], Assert.Single(delta.Items).Fields.EnumerateObject().Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheMappingsProblemsAreLoggedOncePerListAsWarnings()
    {
        _graph.List("Initiativregister").TextColumn("Title").TextColumn("InitiativId").TextColumn("Rubrik", "Verksamhetsområde")
            .Put("1", new { Title = "Digital signering", InitiativId = "DIG-1" });
        using var source = Source(Options(o => o.Lists[ListNames.Initiatives] = new GraphListOptions { List = "Initiativregister", Columns = { ["Verksamhet"] = "Verksamhetsområde" } }));

        var full = await source.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct);
        await source.ReadAsync(ListNames.Initiatives, full.DeltaLink, Ct);

        // The display name was given for the internal one: the warning says which to write.
        var verksamhet = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Verksamhet:", StringComparison.Ordinal));
        Assert.Contains("Initiativregister", verksamhet.Message, StringComparison.Ordinal);
        Assert.Contains("GraphOptions:Lists:Initiativ:Columns:Verksamhet = Rubrik", verksamhet.Message, StringComparison.Ordinal);
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Fas:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChangedMappingMakesTheNextRunReadTheWholeListInsteadOfTheKeptDeltaLink()
    {
        var register = _graph.List("Initiativregister").TextColumn("Title").TextColumn("InitiativId").TextColumn("field_3").TextColumn("field_4")
            .Put("1", new { Title = "Digital signering", InitiativId = "DIG-1", field_3 = "Gamla förvaltningen", field_4 = "Stadsledningskontoret" })
            .Put("2", new { Title = "Chattbot", InitiativId = "DIG-2", field_3 = "Gamla förvaltningen", field_4 = "Välfärd skola" });
        GraphOptions Mapped(string column) => Options(o => o.Lists[ListNames.Initiatives] = new GraphListOptions { List = "Initiativregister", Columns = { ["Verksamhet"] = column } });
        string keptLink;
        using (var firstRun = Source(Mapped("field_3")))
        {
            keptLink = (await firstRun.ReadAsync(ListNames.Initiatives, deltaLink: null, Ct)).DeltaLink!;
        }
        register.Put("2", new { Title = "Chattbot 2.0", InitiativId = "DIG-2", field_3 = "Gamla förvaltningen", field_4 = "Välfärd skola" });
        _graph.ClearLog();

        // The operator mapped Verksamhet to the column that holds it now.
        using var nextRun = Source(Mapped("field_4"));
        var read = await nextRun.ReadAsync(ListNames.Initiatives, keptLink, Ct);

        Assert.Equal(ListReadMode.Full, read.Mode);
        Assert.Equal(["Stadsledningskontoret", "Välfärd skola"], read.Items.OrderBy(i => i.Id).Select(i => i.Fields.GetProperty("field_4").GetString()));
        Assert.All(read.Items, i => Assert.False(i.Fields.TryGetProperty("field_3", out _)));
        var kept = new Uri(GraphListSource.SplitDeltaLink(keptLink).Link).PathAndQuery;
        Assert.DoesNotContain(_graph.Requests, r => r.PathAndQuery == kept);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("reading the whole list instead", StringComparison.Ordinal) && e.Message.Contains(ListNames.Initiatives, StringComparison.Ordinal));
        Assert.NotEqual(GraphListSource.SplitDeltaLink(keptLink).MadeWith, GraphListSource.SplitDeltaLink(read.DeltaLink!).MadeWith);

        // Under the same mapping, the link it handed out asks only for changes again.
        using var thirdRun = Source(Mapped("field_4"));
        Assert.Equal(ListReadMode.Delta, (await thirdRun.ReadAsync(ListNames.Initiatives, read.DeltaLink, Ct)).Mode);
    }

    [Fact]
    public async Task ADeltaLinkKeptByAnEarlierVersionWhichAskedForEveryFieldIsReplacedByAWholeRead()
    {
        _graph.List(ListNames.Objects).TextColumn("Title").TextColumn("ObjektId").Put("1", new { Title = "Ekonomisystem", ObjektId = "FO-1", Intern = "x" });
        using var source = Source();
        var tagged = (await source.ReadAsync(ListNames.Objects, deltaLink: null, Ct)).DeltaLink!;
        // An earlier version kept Graph's link as it was, made with expand=fields.
        var untagged = GraphListSource.SplitDeltaLink(tagged).Link;
        Assert.Equal(GraphListSource.AllFields, GraphListSource.SplitDeltaLink(untagged).MadeWith);

        var read = await source.ReadAsync(ListNames.Objects, untagged, Ct);

        Assert.Equal(ListReadMode.Full, read.Mode);
        Assert.Equal("FO-1", Assert.Single(read.Items).Fields.GetProperty("ObjektId").GetString());
    }

    [Fact]
    public async Task ThrottlingOfTheColumnsAndTheUserInformationListIsWaitedOut()
    {
        _graph.List(ListNames.Objects).TextColumn("ObjektId").PersonColumn("Forvaltare").Put("1", new { ObjektId = "FO-1", ForvaltareLookupId = "7" });
        _graph.PutUser(7, "anna.berg@nacka.se", "Anna Berg");
        _graph.FailNext($"/lists/{ListNames.Objects}/columns", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        _graph.FailNext($"/lists/{SiteUsers.ListTitle}/items", 2, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        using var source = Source();

        var columns = await source.ColumnsAsync(ListNames.Objects, Ct);
        var users = await source.UsersAsync(Ct);

        Assert.Equal(["ObjektId", "Forvaltare"], columns!.Select(c => c.Name));
        Assert.Equal("anna.berg@nacka.se", users.Find("7")!.Email);
        Assert.Equal([429, 200, 429, 429, 200], _graph.Requests.Select(r => r.Status));
        var throttled = _log.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("Retry-After 1 s", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, throttled.Count);
        Assert.Contains("/columns", throttled[0].Message, StringComparison.Ordinal);
        Assert.All(throttled.Skip(1), t => Assert.Contains("/User Information List/items", Uri.UnescapeDataString(t.Message), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "HTTP 403")]
    [InlineData(HttpStatusCode.NotFound, "HTTP 404")]
    [InlineData(HttpStatusCode.InternalServerError, "HTTP 500")]
    public async Task AnUnreadableUserInformationListFailsTheReadNamingItAndThePermissionItNeeds(HttpStatusCode status, string said)
    {
        _graph.PutUser(7, "anna.berg@nacka.se", "Anna Berg");
        _graph.FailAlways(SiteUsers.ListTitle, status);
        using var source = Source();

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.UsersAsync(Ct));

        Assert.Equal(SiteUsers.ListTitle, e.ListName);
        Assert.StartsWith($"Listan {SiteUsers.ListTitle} kunde inte läsas: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(said, e.Message, StringComparison.Ordinal);
        Assert.Contains("Sites.Read.All", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task ListColumnsThatCannotBeReadMakeTheListUnreadable()
    {
        _graph.List(ListNames.Assessments).Put("1", new { Poang = 2 });
        _graph.FailAlways($"/lists/{ListNames.Assessments}/columns", HttpStatusCode.Forbidden, errorCode: "accessDenied");
        using var source = Source();

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync(ListNames.Assessments, deltaLink: null, Ct));

        Assert.Equal(ListNames.Assessments, e.ListName);
        Assert.Contains($"kolumnerna i SharePoint-listan \"{ListNames.Assessments}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 403, accessDenied", e.Message, StringComparison.Ordinal);
        Assert.Empty(ItemRequests());
    }

    private GraphOptions Options(Action<GraphOptions>? change = null)
    {
        var options = FakeGraphOptions.For(_graph, siteById: true, maxRetries: 3);
        change?.Invoke(options);
        return options;
    }

    private GraphListSource Source(GraphOptions? options = null) => new(options ?? Options(), new FixedTokenCredential(), _log);

    /// <summary>The requests for items (a list's pages, its delta), not for the site or the columns.</summary>
    private List<FakeGraphServer.LoggedRequest> ItemRequests() =>
        [.. _graph.Requests.Where(r => r.PathAndQuery.Contains("/items", StringComparison.Ordinal))];

    private sealed class FailingCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException("AADSTS7000215: Invalid client secret provided.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException("AADSTS7000215: Invalid client secret provided.");
    }
}
