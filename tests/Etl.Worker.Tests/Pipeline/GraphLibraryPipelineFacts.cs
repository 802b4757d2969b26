using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Tests.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using OfficeOpenXml;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// Business cases and actuals from SharePoint document libraries through Graph's drive API, with the
/// lists, into the warehouse and the result workbooks back into the libraries: a fake Graph over real
/// HTTP, the real GraphServiceClient, each database.
/// </summary>
public abstract class GraphLibraryPipelineFacts : PipelineFacts
{
    private const string ObjectId = "FO-SIGN";
    private const string Manager = "maria.objekt@nacka.se";
    private static readonly DateTimeOffset January = new(2024, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset June = new(2024, 6, 10, 9, 0, 0, TimeSpan.Zero);
    private FakeGraphServer _graph = null!;

    private FakeGraphServer.FakeDrive BusinessCases => _graph.Drive(GraphOptions.DefaultBusinessCaseLibrary);

    private FakeGraphServer.FakeDrive Actuals => _graph.Drive(GraphOptions.DefaultActualsLibrary);

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
        BusinessCases.File("2023", $"{ContractWorkbooks.ReferenceId}.xlsx", businessCase, "agare@nacka.se", January);
        Actuals.Folder(ObjectId);
    }

    public override async ValueTask DisposeAsync()
    {
        await _graph.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task UploadsInTheLibraries_AreDownloadedLoadedAndAnswered_AndARerunWithNothingNewDownloadsNothing()
    {
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);
        // Filled in by the objektsförvaltare, but uploaded by a colleague: the uploader is checked too.
        Actuals.File(ObjectId, "kollegans.xlsx", ActualsWorkbook(Manager, 9_000), "kollega@nacka.se", June.AddMinutes(5));
        Actuals.File("", "../../x.xlsx", ActualsWorkbook(Manager, 1), Manager, June.AddMinutes(10));

        var first = await RefreshAsync();

        Assert.True(first.Succeeded, first.Message);
        var files = first.Files.ToDictionary(f => f.Name);
        Assert.Equal(FileStatus.Loaded, files[$"{GraphOptions.DefaultBusinessCaseLibrary}/2023/{ContractWorkbooks.ReferenceId}.xlsx"].Status);
        var good = files[$"{GraphOptions.DefaultActualsLibrary}/{ObjectId}/Utfall juni.xlsx"];
        Assert.Equal((FileStatus.Loaded, 1), (good.Status, good.RowsLoaded));
        var colleague = files[$"{GraphOptions.DefaultActualsLibrary}/{ObjectId}/kollegans.xlsx"];
        Assert.Equal(FileStatus.Rejected, colleague.Status);
        Assert.Contains("kollega@nacka.se är inte objektsförvaltare", colleague.Problems.Single().Message);
        var refused = Assert.Single(first.Files, f => f.Name.EndsWith("x.xlsx", StringComparison.Ordinal) && f.Name.Contains("..", StringComparison.Ordinal));
        Assert.Equal(FileStatus.Rejected, refused.Status);
        Assert.Contains("inte tillåtet", refused.Message);

        Assert.Equal(8_000m, await ScalarAsync<decimal>("SELECT actual_value FROM pbi_fct_benefit_realization WHERE benefit_line = 'Minskade portokostnader' AND year = 2023"));
        var lineage = await QuerySingleAsync<(string Author, string Url)>(
            $"SELECT author_email, source_url FROM pbi_etl_file WHERE file_name = '{GraphOptions.DefaultActualsLibrary}/{ObjectId}/Utfall juni.xlsx'");
        Assert.Equal(Manager, lineage.Author);
        Assert.StartsWith("https://", lineage.Url);

        // Three files downloaded; the refused one never was, and nothing was written for it.
        Assert.Equal(3, _graph.Downloads.Count);
        var result = Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx");
        Assert.NotNull(result);
        Assert.Equal("Inläst", ResultOf(result.Bytes, row: 2));
        Assert.Contains("kollega@nacka.se", ResultOf(Actuals.Find(ObjectId, "kollegans.resultat.xlsx")!.Bytes, row: 2));
        Assert.NotNull(BusinessCases.Find("2023", $"{ContractWorkbooks.ReferenceId}.resultat.xlsx"));
        Assert.DoesNotContain(Actuals.Files, f => f.Name.Contains("x.resultat", StringComparison.Ordinal));

        // Nothing new: the delta links ask for the changes, which are only our own result workbooks.
        _graph.ClearLog();
        var actualsBefore = await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual");
        var second = await RefreshAsync();

        Assert.True(second.Succeeded, second.Message);
        Assert.Empty(_graph.Downloads);
        Assert.DoesNotContain(_graph.Requests, r => r.Method == "PUT");
        Assert.Empty(second.Files);
        Assert.Equal(actualsBefore, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual"));

        // A corrected upload: only it is downloaded, and it replaces the earlier report.
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 7_500), Manager, June.AddDays(1));
        _graph.ClearLog();
        var third = await RefreshAsync();

        Assert.True(third.Succeeded, third.Message);
        Assert.Single(_graph.Downloads);
        Assert.Equal(7_500m, await ScalarAsync<decimal>("SELECT actual_value FROM pbi_fct_benefit_realization WHERE benefit_line = 'Minskade portokostnader' AND year = 2023"));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual WHERE year = 2023"));
    }

    [Fact]
    public async Task AFailedRun_KeepsTheLibrarysDeltaLink_SoTheNextRunDownloadsTheUploadAgain()
    {
        var first = await RefreshAsync();
        Assert.True(first.Succeeded, first.Message);
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);
        // The upload was listed and downloaded; the run then fails at its checks.
        var failed = await RefreshAsync(new FailingRunObserver(PhaseTimings.Checks));

        Assert.False(failed.Succeeded);
        Assert.Null(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual"));

        _graph.ClearLog();
        var next = await RefreshAsync();

        Assert.True(next.Succeeded, next.Message);
        Assert.True(_graph.Downloads.Count == 1, string.Join(", ", _graph.Requests.Select(r => $"{r.Method} {r.PathAndQuery}")));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual"));
        Assert.NotNull(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx"));
    }

    [Fact]
    public async Task ACrashAfterPublish_LeavesTheLibrarysResultsOwed_AndTheNextRunWritesThem_ThoughItDownloadsNothing()
    {
        Actuals.File(ObjectId, "Utfall juni.xlsx", ActualsWorkbook(Manager, 8_000), Manager, June);

        // The process dies once the run has published, before it has written a result workbook.
        await Assert.ThrowsAsync<IOException>(() => RefreshAsync(new FailingRunObserver(PhaseTimings.Results)));
        Assert.Null(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx"));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));

        _graph.ClearLog();
        var next = await RefreshAsync();

        // The delta links moved on with the published run: nothing is new, nothing is downloaded, and still every upload is answered.
        Assert.True(next.Succeeded, next.Message);
        Assert.Empty(next.Files);
        Assert.Empty(_graph.Downloads);
        Assert.Equal("Inläst", ResultOf(Actuals.Find(ObjectId, "Utfall juni.resultat.xlsx")!.Bytes, row: 2));
        Assert.NotNull(BusinessCases.Find("2023", $"{ContractWorkbooks.ReferenceId}.resultat.xlsx"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    private static byte[] ActualsWorkbook(string reportedBy, decimal value) => new RawXlsx()
        .Sheet("Utfall",
            ["Initiativ-ID", "Nyttopost", "Typ", "År", "Planerat", "Utfall", "Kommentar"],
            [ContractWorkbooks.ReferenceId, "Minskade portokostnader", "Finansiell", 2023, 6_400, value, null])
        .Sheet("Om", ["Förvaltningsobjekt", ObjectId], ["Rapporterad av", reportedBy])
        .ToBytes();

    private static string ResultOf(byte[] workbook, int row)
    {
        using var package = new ExcelPackage(new MemoryStream(workbook));
        var sheet = package.Workbook.Worksheets["Utfall"];
        var column = Enumerable.Range(1, sheet.Dimension.End.Column).Single(c => sheet.Cells[1, c].Text == "Resultat");
        return sheet.Cells[row, column].Text;
    }

    private async Task<RunResult> RefreshAsync(IRunObserver? observer = null)
    {
        var options = FakeGraphOptions.For(_graph, maxRetries: 0);
        var credential = new FixedTokenCredential();
        using var lists = new GraphListSource(options, credential, NullLogger<GraphListSource>.Instance);
        using var businessCases = new GraphLibrarySource(options, SourceKind.BusinessCase, SourceFolder.WorkbookExtensions, credential, NullLogger<GraphLibrarySource>.Instance);
        using var actuals = new GraphLibrarySource(options, SourceKind.Actuals, SourceFolder.WorkbookExtensions, credential, NullLogger<GraphLibrarySource>.Instance);
        return await RunAsync(new RunSources([businessCases, actuals], lists), observer);
    }
}
public sealed class SqliteGraphLibraryPipelineFacts : GraphLibraryPipelineFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresGraphLibraryPipelineFacts(PostgresCluster cluster) : GraphLibraryPipelineFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
