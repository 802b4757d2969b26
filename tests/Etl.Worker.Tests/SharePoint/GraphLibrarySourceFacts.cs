using System.Net;
using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.SharePoint;

/// <summary>The document library source against the fake Graph over real HTTP, through the real GraphServiceClient.</summary>
public sealed class GraphLibrarySourceFacts : IAsyncLifetime
{
    private const string Library = GraphOptions.DefaultActualsLibrary;
    private const string Folder = "Inkommande";

    private static readonly DateTimeOffset March = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly CapturingLogger<GraphLibrarySource> _log = new();
    private FakeGraphServer _graph = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FakeGraphServer.FakeDrive Drive => _graph.Drive(Library);

    public async ValueTask InitializeAsync() => _graph = await FakeGraphServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _graph.DisposeAsync();

    [Fact]
    public async Task AFirstListingReturnsTheFolderWorkbooksInProcessingOrderOverSeveralPages()
    {
        _graph.PageSize = 3;
        Drive.File(Folder, "b.xlsx", Workbook("b"), "berit.berg@nacka.se", March.AddDays(2));
        Drive.File($"{Folder}/2025", "c.xlsx", Workbook("c"), "cecilia.ek@nacka.se", March.AddDays(2));
        Drive.File(Folder, "a.xlsx", Workbook("a"), "anna.svensson@nacka.se", March.AddDays(1));
        Drive.File(Folder, "anteckningar.docx", [1, 2, 3], lastModified: March);
        Drive.File(Folder, "a.resultat.xlsx", Workbook("resultat"), lastModified: March);
        Drive.File(Folder, "~$a.xlsx", [0], lastModified: March);
        Drive.File("Arkiv", "gammal.xlsx", Workbook("gammal"), lastModified: March);
        Drive.File("", "i-roten.xlsx", Workbook("rot"), lastModified: March);
        Drive.File("Inkommande-gammal", "d.xlsx", Workbook("d"), lastModified: March);
        using var source = Source();

        var listing = await source.ListAsync(deltaLink: null, Ct);

        // Modified first; at the same time, by name (ordinal: "2025/c" before "b").
        Assert.Equal([$"{Library}/{Folder}/a.xlsx", $"{Library}/{Folder}/2025/c.xlsx", $"{Library}/{Folder}/b.xlsx"], listing.Uploads.Select(u => u.Name));
        Assert.Equal(["a.xlsx", "c.xlsx", "b.xlsx"], listing.Uploads.Select(u => u.FileName));
        Assert.Equal(["anna.svensson@nacka.se", "cecilia.ek@nacka.se", "berit.berg@nacka.se"], listing.Uploads.Select(u => u.AuthorEmail));
        var a = listing.Uploads[0];
        var item = Drive.Find(Folder, "a.xlsx")!;
        Assert.Equal(item.Id, a.Id);
        Assert.Equal(item.Bytes.LongLength, a.SizeBytes);
        Assert.Equal(March.AddDays(1).UtcDateTime, a.ModifiedUtc);
        Assert.Equal(DateTimeKind.Utc, a.ModifiedUtc.Kind);
        Assert.Equal($"https://{FakeGraphServer.Hostname}{FakeGraphServer.SitePath}/{Uri.EscapeDataString(Library)}/{Folder}/a.xlsx", a.WebUrl);
        Assert.All(listing.Uploads, u => Assert.Null(u.Refusal));
        Assert.Empty(listing.Removed);
        Assert.NotNull(listing.DeltaLink);
        // The root, five folders and nine files, three to a page.
        Assert.Equal(5, _graph.Requests.Count(r => r.PathAndQuery.Contains("/root/delta", StringComparison.Ordinal)));
        Assert.Empty(_graph.Downloads);
    }

    [Fact]
    public async Task ARelistingWithNothingChangedListsAndDownloadsNothingAndThenOnlyTheChanges()
    {
        Drive.File(Folder, "a.xlsx", Workbook("a"), lastModified: March);
        Drive.File(Folder, "b.xlsx", Workbook("b"), lastModified: March);
        Drive.File(Folder, "c.xlsx", Workbook("c"), lastModified: March);
        string? deltaLink;
        using (var firstRun = Source())
        {
            var first = await firstRun.ListAsync(deltaLink: null, Ct);
            foreach (var upload in first.Uploads)
            {
                Assert.NotNull(await firstRun.ReadAsync(upload, 1_000_000, Ct));
            }
            deltaLink = first.DeltaLink;
        }
        Assert.Equal(3, _graph.Downloads.Count);
        _graph.ClearLog();

        using var nextRun = Source();
        var unchanged = await nextRun.ListAsync(deltaLink, Ct);

        Assert.Empty(unchanged.Uploads);
        Assert.Empty(unchanged.Removed);
        Assert.DoesNotContain(_graph.Requests, r => r.PathAndQuery.Contains("/content", StringComparison.Ordinal));
        Assert.Empty(_graph.Downloads);
        Assert.Single(_graph.Requests, r => r.PathAndQuery.Contains("/root/delta", StringComparison.Ordinal));

        var changed = Workbook("b, ändrad");
        Drive.File(Folder, "b.xlsx", changed, "berit.berg@nacka.se", March.AddDays(3));
        Drive.File(Folder, "d.xlsx", Workbook("d"), "david.lind@nacka.se", March.AddDays(2));
        Drive.Delete(Drive.Find(Folder, "c.xlsx")!);
        var changes = await nextRun.ListAsync(unchanged.DeltaLink, Ct);

        Assert.Equal([$"{Library}/{Folder}/d.xlsx", $"{Library}/{Folder}/b.xlsx"], changes.Uploads.Select(u => u.Name));
        Assert.Equal("berit.berg@nacka.se", changes.Uploads[1].AuthorEmail);
        Assert.Equal([$"{Library}/{Folder}/c.xlsx"], changes.Removed);
        Assert.Equal(changed, await nextRun.ReadAsync(changes.Uploads[1], 1_000_000, Ct));
        Assert.Single(_graph.Downloads);
    }

    [Fact]
    public async Task ADownloadFollowsTheRedirectWithoutTheTokenAndKeepsTheBytes()
    {
        var bytes = Workbook("nedladdad", rows: 500);
        Drive.File(Folder, "stor.xlsx", bytes);
        using var source = Source();
        var upload = Assert.Single((await source.ListAsync(deltaLink: null, Ct)).Uploads);
        _graph.ClearLog();

        var read = await source.ReadAsync(upload, bytes.Length, Ct);

        Assert.Equal(bytes, read);
        var requests = _graph.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(302, requests[0].Status);
        Assert.EndsWith($"/items/{upload.Id}/content", requests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", requests[0].Host);
        Assert.True(requests[0].HadAuthorization);
        // The download URL is on another host: it gets no token, and needs none.
        Assert.Equal(200, requests[1].Status);
        Assert.Equal(FakeGraphServer.DownloadHost, requests[1].Host);
        Assert.False(requests[1].HadAuthorization);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.Contains($"Downloaded {upload.Name} ({bytes.Length} bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnOversizeWorkbookIsNotDownloadedNorOneThatGrewPastTheLimit()
    {
        Drive.File(Folder, "stor.xlsx", Workbook("stor", rows: 200));
        Drive.File(Folder, "liten.xlsx", Workbook("liten"), lastModified: March);
        using var source = Source();
        var listing = await source.ListAsync(deltaLink: null, Ct);
        var big = listing.Uploads.Single(u => u.FileName == "stor.xlsx");
        var small = listing.Uploads.Single(u => u.FileName == "liten.xlsx");

        Assert.Null(await source.ReadAsync(big, big.SizeBytes - 1, Ct));
        Assert.DoesNotContain(_graph.Requests, r => r.PathAndQuery.Contains("/content", StringComparison.Ordinal));

        // The listing said small, but the file has grown since: what arrives is held to the limit.
        Drive.File(Folder, "liten.xlsx", Workbook("liten, nu större", rows: 200));
        Assert.Null(await source.ReadAsync(small, small.SizeBytes, Ct));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Stopped downloading", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheResultWorkbookIsWrittenBesideTheUploadReplacedOnASecondWriteAndNeverListed()
    {
        Drive.File($"{Folder}/2025", "a.xlsx", Workbook("a"), lastModified: March);
        using var source = Source();
        var first = await source.ListAsync(deltaLink: null, Ct);
        var upload = Assert.Single(first.Uploads);

        var result1 = Workbook("resultat 1");
        var result2 = Workbook("resultat 2");

        await source.WriteResultAsync(upload, result1, Ct);
        var written = Drive.Find($"{Folder}/2025", "a.resultat.xlsx");
        Assert.NotNull(written);
        Assert.Equal(result1, written.Bytes);
        Assert.Null(written.ModifiedBy);

        await source.WriteResultAsync(upload, result2, Ct);
        var replaced = Drive.Find($"{Folder}/2025", "a.resultat.xlsx");
        Assert.Equal(written.Id, replaced!.Id);
        Assert.Equal(result2, replaced.Bytes);
        Assert.Equal(2, Drive.Files.Count);

        var puts = _graph.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal([201, 200], puts.Select(p => p.Status));
        var parent = Drive.Folder($"{Folder}/2025");
        Assert.All(puts, p => Assert.StartsWith($"/v1.0/drives/{Uri.EscapeDataString(Drive.Id)}/items/{parent.Id}:/a.resultat.xlsx:/content?", p.PathAndQuery, StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Message.Contains("Wrote the result workbook a.resultat.xlsx", StringComparison.Ordinal));

        var after = await source.ListAsync(first.DeltaLink, Ct);
        Assert.Empty(after.Uploads);
        Assert.DoesNotContain((await source.ListAsync(deltaLink: null, Ct)).Uploads, u => u.FileName.Contains("resultat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AResultIsWrittenBesideItsUploadByANewSourceThatNeverListedIt()
    {
        Drive.File(Folder, "a.xlsx", Workbook("a"));
        Upload upload;
        using (var lister = Source())
        {
            upload = Assert.Single((await lister.ListAsync(deltaLink: null, Ct)).Uploads);
        }
        using var writer = Source();
        var result = Workbook("resultat");

        await writer.WriteResultAsync(upload, result, Ct);

        Assert.Equal(result, Drive.Find(Folder, "a.resultat.xlsx")!.Bytes);
    }

    [Theory]
    [InlineData("../../x.xlsx")]
    [InlineData("..\\..\\x.xlsx")]
    [InlineData("under\\x.xlsx")]
    public async Task AFileWhoseNameIsNotAPlainFileNameIsRefusedNeverDownloadedAndNeverWrittenFor(string name)
    {
        Drive.File(Folder, name, Workbook("elak"));
        using var source = Source();

        var upload = Assert.Single((await source.ListAsync(deltaLink: null, Ct)).Uploads);

        Assert.Equal(name, upload.FileName);
        Assert.Equal($"Filnamnet \"{name}\" är inte tillåtet; filen lästes inte.", upload.Refusal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => source.ReadAsync(upload, 1_000_000, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => source.WriteResultAsync(upload, Workbook("resultat"), Ct));
        Assert.DoesNotContain(_graph.Requests, r => r.Method == "PUT" || r.PathAndQuery.Contains("/content", StringComparison.Ordinal));
        Assert.Empty(_graph.Downloads);
        Assert.Single(Drive.Files);
    }

    [Fact]
    public async Task ThrottlingOnTheDeltaAndOnTheDownloadIsWaitedOutAndRetried()
    {
        var workbook = Workbook("a");
        Drive.File(Folder, "a.xlsx", workbook);
        _graph.FailNext("/root/delta", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        _graph.FailNext("/download/", 1, HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 1);
        using var source = Source();

        var upload = Assert.Single((await source.ListAsync(deltaLink: null, Ct)).Uploads);
        var bytes = await source.ReadAsync(upload, 1_000_000, Ct);

        Assert.Equal(workbook, bytes);
        var deltas = _graph.Requests.Where(r => r.PathAndQuery.Contains("/root/delta", StringComparison.Ordinal)).ToList();
        Assert.Equal([429, 200], deltas.Select(r => r.Status));
        Assert.True(deltas[1].At - deltas[0].At >= TimeSpan.FromSeconds(0.9), $"the retry after the 429 came {deltas[1].At - deltas[0].At} later");
        var downloads = _graph.Downloads;
        Assert.Equal([503, 200], downloads.Select(r => r.Status));
        Assert.True(downloads[1].At - downloads[0].At >= TimeSpan.FromSeconds(0.9), $"the retry after the 503 came {downloads[1].At - downloads[0].At} later");
        Assert.All(downloads, d => Assert.False(d.HadAuthorization));
        var throttled = _log.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("Retry-After 1 s", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, throttled.Count);
        Assert.Contains("429", throttled[0].Message, StringComparison.Ordinal);
        Assert.Contains("503", throttled[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Gone, "tokenExpired")]
    [InlineData(HttpStatusCode.BadRequest, "resyncRequired")]
    public async Task ADeltaLinkGraphNoLongerKnowsFallsBackToAWholeListing(HttpStatusCode status, string code)
    {
        Drive.File(Folder, "a.xlsx", Workbook("a"), lastModified: March);
        using var source = Source();
        var first = await source.ListAsync(deltaLink: null, Ct);
        Drive.File(Folder, "b.xlsx", Workbook("b"), lastModified: March.AddDays(1));
        _graph.ExpireDeltaTokens(status, code);
        _graph.ClearLog();

        var listing = await source.ListAsync(first.DeltaLink, Ct);

        Assert.Equal([$"{Library}/{Folder}/a.xlsx", $"{Library}/{Folder}/b.xlsx"], listing.Uploads.Select(u => u.Name));
        Assert.NotNull(listing.DeltaLink);
        Assert.Equal([(int)status, 200], _graph.Requests.Select(r => r.Status));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains($"HTTP {(int)status}", StringComparison.Ordinal)
            && e.Message.Contains(code, StringComparison.Ordinal) && e.Message.Contains(Library, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutParentPathsInTheDeltaEachParentFolderIsAskedOnce()
    {
        _graph.OmitParentPathsInDelta = true;
        Drive.File($"{Folder}/2025", "a.xlsx", Workbook("a"), lastModified: March);
        Drive.File($"{Folder}/2025", "b.xlsx", Workbook("b"), lastModified: March.AddDays(1));
        Drive.File("Arkiv", "c.xlsx", Workbook("c"), lastModified: March);
        Drive.File("", "d.xlsx", Workbook("d"), lastModified: March);
        using var source = Source();

        var listing = await source.ListAsync(deltaLink: null, Ct);

        Assert.Equal([$"{Library}/{Folder}/2025/a.xlsx", $"{Library}/{Folder}/2025/b.xlsx"], listing.Uploads.Select(u => u.Name));
        var lookups = _graph.Requests.Where(r => r.PathAndQuery.Contains("/items/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lookups.Count);
        Assert.Equal(3, lookups.Select(r => r.PathAndQuery).Distinct().Count());
    }

    [Fact]
    public async Task TheLibraryIsFoundByItsNameInAnyCaseOrByItsDriveIdAndTheSiteByHostnameAndPath()
    {
        Drive.File(Folder, "a.xlsx", Workbook("a"));
        _graph.Drive(GraphOptions.DefaultBusinessCaseLibrary);

        using var byName = Source(Options(o => o.ActualsLibrary.Library = "NYTTOUPPFÖLJNING"));
        using var byId = Source(Options(o =>
        {
            o.ActualsLibrary.Library = Drive.Id;
            o.SiteId = null;
            o.SiteHostname = FakeGraphServer.Hostname;
            o.SitePath = FakeGraphServer.SitePath;
        }));

        Assert.Equal($"{Library}/{Folder}/a.xlsx", Assert.Single((await byName.ListAsync(deltaLink: null, Ct)).Uploads).Name);
        Assert.Equal($"{Library}/{Folder}/a.xlsx", Assert.Single((await byId.ListAsync(deltaLink: null, Ct)).Uploads).Name);
    }

    [Fact]
    public async Task AMissingLibraryIsAnErrorNamingItsSettingAndTheLibrary()
    {
        _graph.Drive(GraphOptions.DefaultBusinessCaseLibrary);
        _graph.Drive("Dokument");
        using var source = Source(Options(o => o.ActualsLibrary.Library = "Nyttouppfoljning"));

        var e = await Assert.ThrowsAsync<DocumentLibraryException>(() => source.ListAsync(deltaLink: null, Ct));

        Assert.Equal("Nyttouppfoljning", e.Library);
        Assert.Equal(
            $"Dokumentbiblioteket \"Nyttouppfoljning\" (GraphOptions:ActualsLibrary:Library) finns inte på webbplatsen {FakeGraphServer.SiteId}; där finns \"Dokument\", \"Nyttokalkyler\".",
            e.Message);
        Assert.DoesNotContain(_graph.Requests, r => r.PathAndQuery.Contains("/root/delta", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AListingThatKeepsFailingIsAnErrorNamingTheLibrary()
    {
        Drive.File("", "a.xlsx", Workbook("a"));
        _graph.FailAlways("/root/delta", HttpStatusCode.InternalServerError);
        using var source = Source();

        var e = await Assert.ThrowsAsync<DocumentLibraryException>(() => source.ListAsync(deltaLink: null, Ct));

        Assert.StartsWith($"Dokumentbiblioteket {Library} kunde inte läsas: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachKindHasItsOwnLibraryAndStateKeyAndATurnedOffLibraryMakesNoSource()
    {
        using var actuals = Source(Options(o => o.ActualsLibrary.Folder = "/Inkommande/2025/"));
        using var businessCases = new GraphLibrarySource(Options(), SourceKind.BusinessCase, SourceFolder.WorkbookExtensions, new FixedTokenCredential(), _log);

        Assert.Equal(SourceKind.Actuals, actuals.Kind);
        Assert.Equal($"graph-library:actuals:{Library}/Inkommande/2025", actuals.StateKey);
        Assert.Equal(SourceKind.BusinessCase, businessCases.Kind);
        Assert.Equal($"graph-library:business-case:{GraphOptions.DefaultBusinessCaseLibrary}/", businessCases.StateKey);
        var off = Assert.Throws<ArgumentException>(() => Source(Options(o => o.ActualsLibrary.Library = " ")));
        Assert.Contains("GraphOptions:ActualsLibrary:Library is empty", off.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => Source(Options(o => o.ActualsLibrary.Folder = "../Nyttokalkyler")));
        Assert.Contains("GraphOptions:ActualsLibrary:Folder", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSurveyLibraryListsCsvExportsAsWellAsWorkbooks_AndIsOffUntilNamed()
    {
        var survey = _graph.Drive("Digitaliseringsindex");
        survey.File("", "index 2024.csv", "År;Verksamhet;Dimension;Procent\n2024;Välfärd skola;Digital förmåga;62,5\n"u8.ToArray(), lastModified: March);
        survey.File("", "index 2025.xlsx", Workbook("index"), lastModified: March.AddDays(1));
        survey.File("", "anteckningar.txt", [1, 2, 3], lastModified: March);
        var off = Assert.Throws<ArgumentException>(() => new GraphLibrarySource(Options(), SourceKind.Index, SurveyReader.Extensions, new FixedTokenCredential(), _log));
        Assert.Contains("GraphOptions:SurveyLibrary:Library is empty", off.Message, StringComparison.Ordinal);
        using var source = new GraphLibrarySource(Options(o => o.SurveyLibrary.Library = "Digitaliseringsindex"), SourceKind.Index, SurveyReader.Extensions, new FixedTokenCredential(), _log);

        var listing = await source.ListAsync(deltaLink: null, Ct);

        Assert.Equal(["Digitaliseringsindex/index 2024.csv", "Digitaliseringsindex/index 2025.xlsx"], listing.Uploads.Select(u => u.Name));
        Assert.Equal(survey.Find("", "index 2024.csv")!.Bytes, await source.ReadAsync(listing.Uploads[0], 1_000_000, Ct));
    }

    [Fact]
    public async Task AStatusSetOnAnUpload_ListsItAgainWithItsContentTagUnchanged_WhileNewContentChangesTheTag()
    {
        Drive.WithStatusColumns();
        Drive.File(Folder, "a.xlsx", Workbook("a"), lastModified: March);
        using var source = Source();
        var first = await source.ListAsync(deltaLink: null, Ct);
        var upload = Assert.Single(first.Uploads);
        Assert.NotNull(upload.ContentTag);

        Assert.True(await source.HasStatusColumnsAsync(Ct));
        await source.SetStatusAsync(upload, "Inläst", "Utfall för FO-1: 1 rad inläst, 0 avvisade.", Ct);

        var patch = Assert.Single(_graph.FieldPatches);
        Assert.Equal((Library, upload.Id), (patch.Library, patch.ItemId));
        Assert.Equal("Inläst", patch.Body["Inlasningsstatus"]!.GetValue<string>());
        Assert.Equal("Utfall för FO-1: 1 rad inläst, 0 avvisade.", patch.Body["Inlasningsmeddelande"]!.GetValue<string>());
        var relisted = Assert.Single((await source.ListAsync(first.DeltaLink, Ct)).Uploads);
        Assert.Equal((upload.Id, upload.ContentTag), (relisted.Id, relisted.ContentTag));

        Drive.File(Folder, "a.xlsx", Workbook("a, ändrad"), lastModified: March.AddDays(1));
        var changed = Assert.Single((await source.ListAsync(first.DeltaLink, Ct)).Uploads);
        Assert.NotEqual(upload.ContentTag, changed.ContentTag);
    }

    [Fact]
    public async Task TheStatusColumnsAreLookedUpOnce_ByTheirInternalNames()
    {
        Drive.WithColumn("Inläsningsstatus").WithColumn("Inlasningsmeddelande");
        using var source = Source();

        Assert.False(await source.HasStatusColumnsAsync(Ct));
        Assert.False(await source.HasStatusColumnsAsync(Ct));

        Assert.Single(_graph.Requests, r => r.PathAndQuery.Contains("/list/columns", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Message.Contains("only one of the status columns", StringComparison.Ordinal));
    }

    private GraphOptions Options(Action<GraphOptions>? change = null)
    {
        var options = FakeGraphOptions.For(_graph, siteById: true, maxRetries: 3);
        options.ActualsLibrary.Folder = Folder;
        change?.Invoke(options);
        return options;
    }

    private GraphLibrarySource Source(GraphOptions? options = null) =>
        new(options ?? Options(), SourceKind.Actuals, SourceFolder.WorkbookExtensions, new FixedTokenCredential(), _log);

    /// <summary>A real workbook, different for each text (and not byte-identical from one call to the next: keep it).</summary>
    private static byte[] Workbook(string text, int rows = 1) =>
        new RawXlsx().Sheet("Utfall", [.. Enumerable.Range(1, rows).Select(r => new object?[] { "DIG-2024-001", text, r })]).ToBytes();
}
