using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Tests.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// Status on the file (sharepoint-lists.md, "Document libraries: status on the file"): where a library has the columns
/// Inlasningsstatus and Inlasningsmeddelande, each processed upload gets its status and message there after the run
/// publishes, and which uploads get a result workbook follows <see cref="ResultWorkbookOptions"/>. A fake Graph over
/// real HTTP, the real GraphServiceClient and its retry handler, each database.
/// </summary>
public abstract class LibraryStatusFacts : PipelineFacts
{
    private const string ObjectId = "FO-SIGN";
    private const string Manager = "maria.objekt@nacka.se";
    private static readonly DateTimeOffset January = new(2024, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset June = new(2024, 6, 10, 9, 0, 0, TimeSpan.Zero);
    private readonly CapturingLogger<RefreshPipeline> _log = new();
    private FakeGraphServer _graph = null!;

    private FakeGraphServer.FakeDrive BusinessCases => _graph.Drive(GraphOptions.DefaultBusinessCaseLibrary);

    private FakeGraphServer.FakeDrive Actuals => _graph.Drive(GraphOptions.DefaultActualsLibrary);

    private string BusinessCaseName => $"{ContractWorkbooks.ReferenceId}.xlsx";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _graph = await FakeGraphServer.StartAsync(Ct);
        foreach (var list in ListNames.All)
        {
            _graph.List(list);
        }
        _graph.List(ListNames.Objects).Put("1", new { Title = "E-signering", ObjektId = ObjectId, ForvaltareEpost = Manager, Verksamhet = "Stadsledningskontoret" }, January);
        var businessCase = new RawXlsx()
            .Sheet("Initiativ", [.. ContractWorkbooks.InitiativeRows(), ["Förvaltningsobjekt", ObjectId]])
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .ToBytes();
        BusinessCases.File("2023", BusinessCaseName, businessCase, "agare@nacka.se", January);
        Actuals.Folder(ObjectId);
    }

    public override async ValueTask DisposeAsync()
    {
        await _graph.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task EachProcessedUpload_GetsItsStatusAndMessage_AndOnlyProcessedUploadsArePatched()
    {
        BusinessCases.WithStatusColumns();
        Actuals.WithStatusColumns();
        var goodBytes = ActualsWorkbook(Manager, 8_000);
        var good = Actuals.File(ObjectId, "Utfall juni.xlsx", goodBytes, Manager, June);
        var partly = Actuals.File(ObjectId, "delvis.xlsx", ActualsWorkbook(Manager, 8_100, withUnknownLine: true), Manager, June.AddMinutes(1));
        var colleague = Actuals.File(ObjectId, "kollegans.xlsx", ActualsWorkbook(Manager, 9_000), "kollega@nacka.se", June.AddMinutes(2));
        var refused = Actuals.File("", "../../x.xlsx", ActualsWorkbook(Manager, 1), Manager, June.AddMinutes(3));
        // Not uploads: a lock file, a document, and a result workbook someone left.
        var others = new[]
        {
            Actuals.File(ObjectId, "~$Utfall juni.xlsx", [0], Manager, June),
            Actuals.File(ObjectId, "anteckningar.docx", [1, 2, 3], Manager, June),
            Actuals.File(ObjectId, "gammal.resultat.xlsx", ActualsWorkbook(Manager, 1), Manager, June),
        };

        var first = await RefreshAsync();

        Assert.True(first.Succeeded, first.Message);
        var statuses = Statuses();
        Assert.Equal(FileStatus.Loaded, statuses[good.Id].Status);
        Assert.Equal(FileStatus.PartlyLoaded, statuses[partly.Id].Status);
        Assert.Equal(FileStatus.Rejected, statuses[colleague.Id].Status);
        // A refused upload is never read nor written beside, but its status is set by its item id.
        Assert.Equal(FileStatus.Rejected, statuses[refused.Id].Status);
        Assert.Equal(FileStatus.Loaded, statuses[BusinessCases.Find("2023", BusinessCaseName)!.Id].Status);
        Assert.DoesNotContain(_graph.FieldPatches, p => others.Any(o => o.Id == p.ItemId) || p.ItemName.EndsWith(Upload.ResultSuffix, StringComparison.Ordinal));
        Assert.Equal(5, _graph.FieldPatches.Count);
        // Only the two status columns are sent: nothing else of the item is touched.
        Assert.All(_graph.FieldPatches, p => Assert.Equal(["Inlasningsmeddelande", "Inlasningsstatus"], p.Body.Select(f => f.Key).Order(StringComparer.Ordinal)));
        // The message is the one pbi_etl_file records.
        foreach (var (item, name) in new[] { (good, "Utfall juni.xlsx"), (partly, "delvis.xlsx"), (colleague, "kollegans.xlsx") })
        {
            var recorded = await ScalarAsync<string>($"SELECT message FROM pbi_etl_file WHERE file_name = '{GraphOptions.DefaultActualsLibrary}/{ObjectId}/{name}'");
            Assert.Equal(RefreshPipeline.StatusMessage(recorded), statuses[item.Id].Message);
            Assert.Equal(statuses[item.Id].Message, item.Fields["Inlasningsmeddelande"]!.GetValue<string>());
        }

        // The same content uploaded again: downloaded, found unchanged, and shown so.
        Actuals.File(ObjectId, "Utfall juni.xlsx", [.. goodBytes], Manager, June.AddDays(1));
        _graph.ClearLog();
        var second = await RefreshAsync();

        Assert.True(second.Succeeded, second.Message);
        Assert.Equal([FileStatus.Unchanged], second.Files.Select(f => f.Status));
        Assert.Equal(FileStatus.Unchanged, Statuses()[good.Id].Status);
        Assert.Equal(6, _graph.FieldPatches.Count);
    }

    [Fact]
    public async Task ALibraryWithoutTheColumns_GetsNoPatch_AndEveryUploadItsResultWorkbook()
    {
        Actuals.WithColumn("Kommentar");
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);

        var run = await RefreshAsync();

        Assert.True(run.Succeeded, run.Message);
        Assert.Empty(_graph.FieldPatches);
        Assert.DoesNotContain(_graph.Requests, r => r.Method == "PATCH");
        Assert.Single(_graph.Requests, r => Uri.UnescapeDataString(r.PathAndQuery).Contains($"/drives/{Actuals.Id}/list/columns", StringComparison.Ordinal));
        // Auto without the columns: the workbook is the only feedback, for clean uploads too.
        Assert.NotNull(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx"));
        Assert.NotNull(BusinessCases.Find("2023", $"{ContractWorkbooks.ReferenceId}.resultat.xlsx"));
    }

    [Fact]
    public async Task ThrottlingOfThePatch_IsWaitedOut_AndTheStatusLands()
    {
        Actuals.WithStatusColumns();
        var good = Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);
        _graph.FailNext($"/items/{good.Id}/listItem/fields", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1, errorCode: "activityLimitReached");

        var run = await RefreshAsync(maxRetries: 3);

        Assert.True(run.Succeeded, run.Message);
        var patches = _graph.Requests.Where(r => r.Method == "PATCH" && r.PathAndQuery.Contains(good.Id, StringComparison.Ordinal)).Select(r => r.Status).ToList();
        Assert.Equal([429, 200], patches);
        Assert.Equal(FileStatus.Loaded, Statuses()[good.Id].Status);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task APatchThatKeepsFailing_IsLogged_AndTheRunSucceeds_AndTheResultWorkbookIsWritten()
    {
        Actuals.WithStatusColumns();
        var partly = Actuals.File(ObjectId, "delvis.xlsx", ActualsWorkbook(Manager, 8_100, withUnknownLine: true), Manager, June);
        _graph.FailAlways("/listItem/fields", HttpStatusCode.InternalServerError, errorCode: "generalException");

        var run = await RefreshAsync();

        Assert.True(run.Succeeded, run.Message);
        Assert.Empty(_graph.FieldPatches);
        Assert.NotNull(Actuals.Find(ObjectId, "delvis.resultat.xlsx"));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning
            && e.Message.Contains($"{GraphOptions.DefaultActualsLibrary}/{ObjectId}/delvis.xlsx", StringComparison.Ordinal)
            && e.Message.Contains($"document library {GraphOptions.DefaultActualsLibrary}", StringComparison.Ordinal));
        // Only the status stays owed, for the next run: the workbook is not written twice.
        var left = await QuerySingleAsync<(string UploadId, string Action, string Status)>("SELECT upload_id, result_action, file_status FROM etl_result_owed");
        Assert.Equal((partly.Id, ResultAction.Leave, FileStatus.PartlyLoaded), left);
    }

    [Fact]
    public async Task AFailedRun_SetsNoStatus()
    {
        Actuals.WithStatusColumns();
        BusinessCases.WithStatusColumns();
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);

        var failed = await RefreshAsync(observer: new FailingRunObserver(PhaseTimings.Checks));

        Assert.False(failed.Succeeded);
        Assert.DoesNotContain(_graph.Requests, r => r.Method == "PATCH");
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_upload_content"));
    }

    [Fact]
    public async Task AfterItsStatusIsWritten_TheNextRunsNeitherDownloadNorPatchTheUpload_NorDoesAPersonsEdit()
    {
        Actuals.WithStatusColumns().WithColumn("Kommentar");
        var good = Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);
        var first = await RefreshAsync();
        Assert.True(first.Succeeded, first.Message);
        Assert.Equal(FileStatus.Loaded, Statuses()[good.Id].Status);
        var patched = _graph.FieldPatches.Count;

        foreach (var edit in new[] { false, true, false })
        {
            if (edit)
            {
                Actuals.EditColumn(good, "Kommentar", "Granskad");
            }
            _graph.ClearLog();
            var next = await RefreshAsync();

            Assert.True(next.Succeeded, next.Message);
            Assert.Empty(next.Files);
            Assert.Empty(_graph.Downloads);
            Assert.DoesNotContain(_graph.Requests, r => r.Method == "PATCH");
            Assert.Equal(patched, _graph.FieldPatches.Count);
            Assert.Equal(FileStatus.Loaded, Statuses()[good.Id].Status);
        }
        // The status PATCH did list it again (its eTag changed); it was its unchanged cTag that kept it from being read.
        Assert.Contains(_log.Entries, e => e.Message.Contains($"{GraphOptions.DefaultActualsLibrary}/{ObjectId}/Utfall juni.xlsx", StringComparison.Ordinal)
            && e.Message.Contains("only its columns changed", StringComparison.Ordinal));

        // Changed content is read again, and its status written again.
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_100, withUnknownLine: true), Manager, June.AddDays(1));
        var changed = await RefreshAsync();
        Assert.Equal([FileStatus.PartlyLoaded], changed.Files.Select(f => f.Status));
        Assert.Equal(FileStatus.PartlyLoaded, Statuses()[good.Id].Status);
    }

    [Fact]
    public async Task Auto_WithTheColumns_WritesWorkbooksOnlyForUploadsWithProblems_AndRemovesOneTheMendedUploadNoLongerNeeds()
    {
        Actuals.WithStatusColumns();
        BusinessCases.WithStatusColumns();
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);
        Actuals.File(ObjectId, "delvis.xlsx", ActualsWorkbook(Manager, 8_100, withUnknownLine: true), Manager, June.AddMinutes(1));

        var first = await RefreshAsync();

        Assert.True(first.Succeeded, first.Message);
        Assert.Null(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx"));
        Assert.Null(BusinessCases.Find("2023", $"{ContractWorkbooks.ReferenceId}.resultat.xlsx"));
        Assert.NotNull(Actuals.Find(ObjectId, "delvis.resultat.xlsx"));

        // Mended: loaded whole, its status says so, and the workbook that showed its problems is gone.
        Actuals.File(ObjectId, "delvis.xlsx", ActualsWorkbook(Manager, 8_200), Manager, June.AddDays(1));
        var second = await RefreshAsync();

        Assert.True(second.Succeeded, second.Message);
        Assert.Equal([FileStatus.Loaded], second.Files.Select(f => f.Status));
        Assert.Null(Actuals.Find(ObjectId, "delvis.resultat.xlsx"));
        Assert.Single(_graph.Requests, r => r.Method == "DELETE" && r.Status == 204);
    }

    [Fact]
    public async Task Always_WritesAWorkbookForEveryUpload_EvenWithTheColumns()
    {
        Actuals.WithStatusColumns();
        var good = Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);

        var run = await RefreshAsync(results: ResultWorkbookPolicy.Always);

        Assert.True(run.Succeeded, run.Message);
        Assert.NotNull(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx"));
        Assert.Equal(FileStatus.Loaded, Statuses()[good.Id].Status);
    }

    [Fact]
    public async Task WithProblems_WritesNoWorkbookForACleanUpload_EvenWithoutTheColumns_AndADeleteOfNoneIsFine()
    {
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);
        Actuals.File(ObjectId, "kollegans.xlsx", ActualsWorkbook(Manager, 9_000), "kollega@nacka.se", June.AddMinutes(1));

        var run = await RefreshAsync(results: ResultWorkbookPolicy.WithProblems);

        Assert.True(run.Succeeded, run.Message);
        Assert.Null(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx"));
        Assert.NotNull(Actuals.Find(ObjectId, "kollegans.resultat.xlsx"));
        Assert.Empty(_graph.FieldPatches);
        // There was no stale workbook to remove: Graph's 404 settles it all the same.
        Assert.Contains(_graph.Requests, r => r.Method == "DELETE" && r.Status == 404);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    /// <summary>The status columns of every file that has them, by item id.</summary>
    private Dictionary<string, (string Status, string Message)> Statuses() =>
        BusinessCases.Files.Concat(Actuals.Files)
            .Where(f => f.Fields["Inlasningsstatus"] is not null)
            .ToDictionary(f => f.Id, f => (f.Fields["Inlasningsstatus"]!.GetValue<string>(), f.Fields["Inlasningsmeddelande"]!.GetValue<string>()));

    private static byte[] ActualsWorkbook(string reportedBy, decimal value, bool withUnknownLine = false)
    {
        object?[][] rows = withUnknownLine
            ? [
                ["Initiativ-ID", "Nyttopost", "Typ", "År", "Planerat", "Utfall", "Kommentar"],
                [ContractWorkbooks.ReferenceId, "Minskade portokostnader", "Finansiell", 2023, 6_400, value, null],
                [ContractWorkbooks.ReferenceId, "Kaffeautomat", "Finansiell", 2023, null, 100, null],
            ]
            : [
                ["Initiativ-ID", "Nyttopost", "Typ", "År", "Planerat", "Utfall", "Kommentar"],
                [ContractWorkbooks.ReferenceId, "Minskade portokostnader", "Finansiell", 2023, 6_400, value, null],
            ];
        return new RawXlsx()
            .Sheet("Utfall", rows)
            .Sheet("Om", ["Förvaltningsobjekt", ObjectId], ["Rapporterad av", reportedBy])
            .ToBytes();
    }

    private async Task<RunResult> RefreshAsync(IRunObserver? observer = null, int maxRetries = 0, ResultWorkbookPolicy results = ResultWorkbookPolicy.Auto)
    {
        var options = FakeGraphOptions.For(_graph, maxRetries: maxRetries);
        var credential = new FixedTokenCredential();
        using var lists = new GraphListSource(options, credential, NullLogger<GraphListSource>.Instance);
        using var businessCases = new GraphLibrarySource(options, SourceKind.BusinessCase, SourceFolder.WorkbookExtensions, credential, NullLogger<GraphLibrarySource>.Instance);
        using var actuals = new GraphLibrarySource(options, SourceKind.Actuals, SourceFolder.WorkbookExtensions, credential, NullLogger<GraphLibrarySource>.Instance);
        var pipeline = new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), _log, results: new ResultWorkbookOptions { When = results });
        return await pipeline.RunAsync(new RunSources([businessCases, actuals], lists), "test", observer, Ct);
    }
}

public sealed class SqliteLibraryStatusFacts : LibraryStatusFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresLibraryStatusFacts(PostgresCluster cluster) : LibraryStatusFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
