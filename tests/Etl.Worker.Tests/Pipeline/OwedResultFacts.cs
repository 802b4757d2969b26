using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// Every processed upload gets its result workbook, even when the process dies between publishing the run and writing
/// them: the run records what it owes with what it publishes, and it or a later run writes it. On each database.
/// </summary>
public abstract class OwedResultFacts() : SourceFolderFacts("nacka-owed")
{

    [Fact]
    public async Task ACrashBetweenPublishAndTheResults_LeavesThemOwed_AndTheNextRunWritesEveryOne_AndNoTemporary()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("DIG-2024-002.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-002"));
        AddWorkbook("trasig.xlsx", new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows("DIG-2024-003"))
            .Sheet("Kostnader", [["Kostnadspost", "Kategori", 2023], ["Konsulter", "Investering", "ca 500k"]])
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows()));

        // The process dies once the run has published, before it has written a single result workbook…
        await Assert.ThrowsAsync<IOException>(() => Pipeline().RunAsync(Source.Path, "test", new FailingRunObserver(PhaseTimings.Results), Ct));

        var crashed = await ScalarAsync<long>("SELECT MAX(run_id) FROM pbi_etl_run");
        Assert.Equal("Lyckad", await ScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @crashed", new { crashed }));
        Assert.Empty(Results());
        Assert.Equal(3L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed WHERE run_id = @crashed", new { crashed }));
        var owed = (await QueryAsync<(string Name, byte[] Workbook)>("SELECT upload_name, workbook FROM etl_result_owed")).ToDictionary(o => o.Name, o => o.Workbook);
        // …or while it wrote one through its temporary file.
        File.WriteAllBytes(Source.File("business-cases/DIG-2024-001.resultat.xlsx.tmp"), [0x50, 0x4B]);

        // The next run finds the two good uploads unchanged, and reads the broken one again, as always.
        var next = await RunAsync(Source.Path);

        Assert.True(next.Succeeded, next.Message);
        Assert.Equal(2, next.Files.Count(f => f.Status == FileStatus.Unchanged));
        Assert.Equal(["DIG-2024-001.resultat.xlsx", "DIG-2024-002.resultat.xlsx", "trasig.resultat.xlsx"], Results());
        Assert.Empty(Directory.GetFiles(Source.File("business-cases"), "*.tmp"));
        // What the crashed run owed the unchanged uploads, exactly: their outcome when they were loaded.
        foreach (var name in new[] { "DIG-2024-001", "DIG-2024-002" })
        {
            Assert.Equal(owed[$"business-cases/{name}.xlsx"], File.ReadAllBytes(Source.File($"business-cases/{name}.resultat.xlsx")));
        }
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task AResultThatCannotBeWritten_StaysOwed_AndTheNextRunWritesIt()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("DIG-2024-002.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-002"));
        var source = new UnwritableOnce(Folder(), "business-cases/DIG-2024-002.xlsx");

        var first = await RunAsync(new RunSources([source], null));

        Assert.True(first.Succeeded, first.Message);
        Assert.Equal(["DIG-2024-001.resultat.xlsx"], Results());
        var left = await QuerySingleAsync<(string Name, long Attempts)>("SELECT upload_name, attempts FROM etl_result_owed");
        Assert.Equal(("business-cases/DIG-2024-002.xlsx", 1L), left);

        var second = await RunAsync(new RunSources([source], null));

        Assert.True(second.Succeeded, second.Message);
        Assert.All(second.Files, f => Assert.Equal(FileStatus.Unchanged, f.Status));
        Assert.Equal(["DIG-2024-001.resultat.xlsx", "DIG-2024-002.resultat.xlsx"], Results());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task AResultThatCanNeverBeWritten_IsGivenUpAfterItsAttempts()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        var source = new UnwritableOnce(Folder(), "business-cases/DIG-2024-001.xlsx", times: int.MaxValue);

        for (var run = 1; run <= RefreshRun.OwedResultAttempts; run++)
        {
            Assert.True((await RunAsync(new RunSources([source], null))).Succeeded);
            // Owed until the last attempt has failed too; then given up, and logged as lost.
            Assert.Equal(run < RefreshRun.OwedResultAttempts ? 1L : 0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
        }

        Assert.Equal(RefreshRun.OwedResultAttempts, source.Attempts);
        Assert.Empty(Results());
    }

    [Fact]
    public async Task WithProblems_AFolderUploadThatIsMended_LosesItsStaleResultWorkbook_AndACleanOneNeverGetsOne()
    {
        AddWorkbook("DIG-2024-001.xlsx", Broken("DIG-2024-001"));
        AddWorkbook("DIG-2024-002.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-002"));
        var pipeline = new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance,
            results: new ResultWorkbookOptions { When = ResultWorkbookPolicy.WithProblems });

        var first = await pipeline.RunAsync(Source.Path, "test", null, Ct);

        Assert.True(first.Succeeded, first.Message);
        Assert.Equal(["DIG-2024-001.resultat.xlsx"], Results());

        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        var mended = await pipeline.RunAsync(Source.Path, "test", null, Ct);

        Assert.True(mended.Succeeded, mended.Message);
        Assert.Equal(FileStatus.Loaded, mended.Files.Single(f => f.Name.EndsWith("DIG-2024-001.xlsx", StringComparison.Ordinal)).Status);
        Assert.Empty(Results());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task Auto_InAFolder_WritesEveryUploadItsResultWorkbook_ForAFolderHasNoStatusColumns()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("DIG-2024-002.xlsx", Broken("DIG-2024-002"));

        var run = await RunAsync(Source.Path);

        Assert.True(run.Succeeded, run.Message);
        Assert.Equal(["DIG-2024-001.resultat.xlsx", "DIG-2024-002.resultat.xlsx"], Results());
    }

    [Fact]
    public async Task ARunsResults_AreStagedWhileItRuns_AndShownAfterItPublishes_AsTheBytesItOwed()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("DIG-2024-002.xlsx", Broken("DIG-2024-002"));
        var source = new Staging(Folder());

        // The results are staged before the run publishes: it finds them as temporaries, none shown yet.
        var run = await RunAsync(new RunSources([source], null), new Watching(PhaseTimings.Publish, () =>
        {
            Assert.Empty(Results());
            Assert.Equal(2, Directory.GetFiles(Source.File("business-cases"), "*" + Upload.ResultSuffix + FolderUploadSource.TemporarySuffix).Length);
        }));

        Assert.True(run.Succeeded, run.Message);
        Assert.Equal(2, source.Staged);
        await AssertEveryOneShownAsStagedAsync(source, ["DIG-2024-001", "DIG-2024-002"], rejected: "DIG-2024-002");
    }

    [Fact]
    public async Task AFailedRun_ShowsNoResultItStaged_AndLeavesNoTemporary()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("DIG-2024-002.xlsx", Broken("DIG-2024-002"));

        var failed = await Pipeline().RunAsync(Source.Path, "test", new FailingRunObserver(PhaseTimings.Publish), Ct);

        Assert.False(failed.Succeeded);
        Assert.Empty(Results());
        Assert.Empty(Directory.GetFiles(Source.File("business-cases"), "*.tmp"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task ManyBatches_ReadAheadOfTheirLoad_AreTakenInInTheOrderListed_EachWithItsResult()
    {
        // More than two batches of 64, each read ahead of the load of the one before.
        var names = Enumerable.Range(1, 150).Select(i => $"DIG-2024-{i:000}").ToList();
        foreach (var name in names)
        {
            AddWorkbook($"{name}.xlsx", name == "DIG-2024-077" ? Broken(name) : ContractWorkbooks.Reference(id: name));
            File.SetLastWriteTimeUtc(Source.File($"business-cases/{name}.xlsx"), new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        var run = await RunAsync(Source.Path);

        Assert.True(run.Succeeded, run.Message);
        Assert.Equal(names.Select(n => $"business-cases/{n}.xlsx"), run.Files.Select(f => f.Name));
        var byId = (await QueryAsync<string>("SELECT file_name FROM pbi_etl_file ORDER BY file_id")).ToList();
        Assert.Equal(names.Select(n => $"business-cases/{n}.xlsx"), byId);
        Assert.Equal(FileStatus.Rejected, run.Files.Single(f => f.Name.EndsWith("077.xlsx", StringComparison.Ordinal)).Status);
        Assert.Equal(names.Select(n => $"{n}.resultat.xlsx"), Results());
    }

    [Fact]
    public async Task ResultsRenderedSlowerThanTheLoadAndTheMarts_AreAllOwedBeforeThePublish_AndShown()
    {
        // Two batches, their results staged slowly: rendering outlasts the load, and is owed while the marts are built.
        var names = Enumerable.Range(1, 70).Select(i => $"DIG-2024-{i:000}").ToList();
        foreach (var name in names)
        {
            AddWorkbook($"{name}.xlsx", name == "DIG-2024-066" ? Broken(name) : ContractWorkbooks.Reference(id: name));
        }
        var source = new Staging(Folder(), delay: TimeSpan.FromMilliseconds(15));
        var stagedAtPublish = -1;

        var run = await RunAsync(new RunSources([source], null), new Watching(PhaseTimings.Publish, () => stagedAtPublish = source.Staged));

        Assert.True(run.Succeeded, run.Message);
        Assert.Equal(names.Count, stagedAtPublish);
        await AssertEveryOneShownAsStagedAsync(source, names, rejected: "DIG-2024-066");
    }

    [Fact]
    public async Task ARunThatFailsWhileItsResultsAreStillRendering_OwesNone_ShowsNone_AndLeavesNoTemporary()
    {
        var names = Enumerable.Range(1, 70).Select(i => $"DIG-2024-{i:000}").ToList();
        foreach (var name in names)
        {
            AddWorkbook($"{name}.xlsx", ContractWorkbooks.Reference(id: name));
        }
        var source = new Staging(Folder(), delay: TimeSpan.FromMilliseconds(100));

        // It fails as the marts begin, long before 70 slow stagings are done.
        var failed = await Pipeline().RunAsync(new RunSources([source], null), "test", new FailingRunObserver(PhaseTimings.Compute), Ct);

        Assert.False(failed.Succeeded);
        Assert.True(source.Staged < names.Count, $"{source.Staged} of {names.Count} were staged: the renders were not stopped");
        Assert.Equal(0, source.Shown);
        Assert.Empty(Results());
        Assert.Empty(Directory.GetFiles(Source.File("business-cases"), "*.tmp"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    /// <summary>
    /// Each upload's result was shown as it was staged (none written again), nothing is left owed or as a temporary, and,
    /// read back with the project's reader, the result of <paramref name="rejected"/> says it was rejected.
    /// </summary>
    private async Task AssertEveryOneShownAsStagedAsync(Staging source, IReadOnlyList<string> uploads, string rejected)
    {
        Assert.Equal(uploads.Count, source.Shown);
        Assert.Equal(0, source.Written);
        Assert.Equal(uploads.Select(n => $"{n}.resultat.xlsx"), Results());
        Assert.Empty(Directory.GetFiles(Source.File("business-cases"), "*.tmp"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
        using var result = XlsxWorkbook.Open(new MemoryStream(File.ReadAllBytes(Source.File($"business-cases/{rejected}.resultat.xlsx"))), new WorkbookLimits());
        Assert.Contains(result.ReadRows(ResultWorkbookWriterSheet).SelectMany(r => r.Cells), c => c.Text == FileStatus.Rejected);
    }

    private static RawXlsx Broken(string id) => new RawXlsx()
        .Sheet("Initiativ", ContractWorkbooks.InitiativeRows(id))
        .Sheet("Kostnader", [["Kostnadspost", "Kategori", 2023], ["Konsulter", "Investering", "ca 500k"]])
        .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows());

    private FolderUploadSource Folder() => new(new SourceFolder(Source.Path), SourceFolder.BusinessCases, SourceKind.BusinessCase);

    private List<string> Results() =>
        Directory.GetFiles(Source.File("business-cases"), "*" + Upload.ResultSuffix).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();

    private const string ResultWorkbookWriterSheet = NackaInsights.Etl.Writers.ResultWorkbookWriter.SummarySheet;

    /// <summary>Runs a check as the run enters a phase.</summary>
    private sealed class Watching(string phase, Action check) : IRunObserver
    {
        public void PhaseStarting(long runId, string entered)
        {
            if (entered == phase)
            {
                check();
            }
        }

        public void FileProcessed(long runId, FileResult file)
        {
        }
    }

    /// <summary>A folder that counts how its result workbooks are staged, shown and written.</summary>
    private sealed class Staging(FolderUploadSource inner, TimeSpan delay = default) : IUploadSource
    {
        private int _staged;
        private int _shown;
        private int _written;

        public int Staged => _staged;

        public int Shown => _shown;

        public int Written => _written;

        public string Kind => inner.Kind;

        public string? StateKey => inner.StateKey;

        public string SourceKey => inner.SourceKey;

        public Task<UploadListing> ListAsync(string? deltaLink, CancellationToken ct) => inner.ListAsync(deltaLink, ct);

        public Task<byte[]?> ReadAsync(Upload upload, long maxBytes, CancellationToken ct) => inner.ReadAsync(upload, maxBytes, ct);

        public Task WriteResultAsync(Upload upload, byte[] workbook, CancellationToken ct)
        {
            Interlocked.Increment(ref _written);
            return inner.WriteResultAsync(upload, workbook, ct);
        }

        public async Task<bool> StageResultAsync(Upload upload, byte[] workbook, CancellationToken ct)
        {
            if (delay > TimeSpan.Zero)
            {
                // A slow share: the render thread waits, as it would for the disk.
                Thread.Sleep(delay);
            }
            var staged = await inner.StageResultAsync(upload, workbook, ct);
            Interlocked.Increment(ref _staged);
            return staged;
        }

        public Task ShowStagedResultAsync(Upload upload, CancellationToken ct)
        {
            Interlocked.Increment(ref _shown);
            return inner.ShowStagedResultAsync(upload, ct);
        }

        public Task DiscardStagedResultAsync(Upload upload, CancellationToken ct) => inner.DiscardStagedResultAsync(upload, ct);

        public Task RemoveResultAsync(Upload upload, CancellationToken ct) => inner.RemoveResultAsync(upload, ct);

        public Task<IReadOnlyList<string>> RemoveTemporariesAsync(CancellationToken ct) => inner.RemoveTemporariesAsync(ct);
    }

    /// <summary>A folder whose result workbook for one upload cannot be written, the first <paramref name="times"/> times.</summary>
    private sealed class UnwritableOnce(IUploadSource inner, string failing, int times = 1) : IUploadSource
    {
        public int Attempts { get; private set; }

        public string Kind => inner.Kind;

        public string? StateKey => inner.StateKey;

        public string SourceKey => inner.SourceKey;

        public Task<UploadListing> ListAsync(string? deltaLink, CancellationToken ct) => inner.ListAsync(deltaLink, ct);

        public Task<byte[]?> ReadAsync(Upload upload, long maxBytes, CancellationToken ct) => inner.ReadAsync(upload, maxBytes, ct);

        public Task WriteResultAsync(Upload upload, byte[] workbook, CancellationToken ct)
        {
            if (upload.Name == failing && Attempts++ < times)
            {
                throw new IOException("The share is read-only just now.");
            }
            return inner.WriteResultAsync(upload, workbook, ct);
        }

        public Task RemoveResultAsync(Upload upload, CancellationToken ct) => inner.RemoveResultAsync(upload, ct);

        public Task<IReadOnlyList<string>> RemoveTemporariesAsync(CancellationToken ct) => inner.RemoveTemporariesAsync(ct);
    }
}

public sealed class SqliteOwedResultFacts : OwedResultFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresOwedResultFacts(PostgresCluster cluster) : OwedResultFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
