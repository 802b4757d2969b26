using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>The pipeline from real workbooks in a source folder to the pbi_* views, on each database.</summary>
public abstract class RefreshPipelineFacts() : SourceFolderFacts("nacka-source")
{

    [Fact]
    public async Task ReferenceCase_ComesOutToTheKronaAndDecimal_FromARealWorkbook()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        await AssertReferenceTableAsync(ContractWorkbooks.ReferenceId);
        var summary = await QuerySingleAsync(
            "SELECT first_year, last_year, cost_total_sek, economic_benefit_total_sek, net_benefit_total_sek, payback_year, npv_sek, discount_rate FROM pbi_fct_business_case WHERE initiative_id = @Id",
            new { Id = ContractWorkbooks.ReferenceId });
        Assert.Equal(2023, Convert.ToInt32(summary.first_year));
        Assert.Equal(2030, Convert.ToInt32(summary.last_year));
        Assert.Equal(-1_200_000m, Money(summary.cost_total_sek));
        Assert.Equal(691_200m, Money(summary.economic_benefit_total_sek));
        Assert.Equal(-508_800m, Money(summary.net_benefit_total_sek));
        Assert.Null(summary.payback_year);
        // -433 600 − 73 600/1.03 − 8 600/1.03² + 1 400 × (1.03⁻³ + … + 1.03⁻⁷), to the krona.
        Assert.Equal(-507_119m, Money(summary.npv_sek));
        Assert.Equal(0.03m, Math.Round(Convert.ToDecimal(summary.discount_rate), 6));
    }

    [Fact]
    public async Task ReferenceCase_ComesOutTheSame_WhenCostsAreNegativeAndNumbersAreSwedishText()
    {
        var costs = ContractWorkbooks.ReferenceCostRows(negative: true)
            .Select((row, i) => i == 0 ? row : row.Select(v => v is int n ? (object)$"{n:# ### ###} kr".Trim().Replace("- ", "-") : v).ToArray())
            .ToArray();
        AddWorkbook("text.xlsx", new RawXlsx { InlineStrings = true }
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows())
            .Sheet("kostnader", costs)
            .Sheet("NYTTOR", ContractWorkbooks.ReferenceBenefitRows())
            .Sheet("Sammanställning", ["Egen summering"], [new RawXlsx.Formula("SUM(Kostnader!C2:J3)", -1_200_000)]));

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(FileStatus.Loaded, Assert.Single(result.Files).Status);
        await AssertReferenceTableAsync(ContractWorkbooks.ReferenceId);
    }

    [Fact]
    public async Task Refresh_RecordsAnUnchangedFileAsOforandrad_AndLoadsNoFactRows()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var first = await RefreshAsync();
        var factsBefore = await CountAsync("fct_business_case_year");

        var second = await RefreshAsync();

        Assert.True(second.Succeeded, second.Message);
        var file = Assert.Single(second.Files);
        Assert.Equal(FileStatus.Unchanged, file.Status);
        Assert.Contains($"körning {first.RunId}", file.Message);
        Assert.Equal(factsBefore, await CountAsync("fct_business_case_year"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case_version"));
        var recorded = await QuerySingleAsync("SELECT status, rows_loaded FROM pbi_etl_file WHERE run_id = @RunId", new { second.RunId });
        Assert.Equal("Oförändrad", (string)recorded.status);
    }

    [Fact]
    public async Task AFileUnchangedRunAfterRun_KeepsOneOforandradRowSinceItsLoad_ItsLatestSighting()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference(version: "v1"));
        var loaded = await RefreshAsync();
        await RefreshAsync();
        await RefreshAsync();

        var fourth = await RefreshAsync();

        Assert.True(fourth.Succeeded, fourth.Message);
        Assert.Equal(FileStatus.Unchanged, Assert.Single(fourth.Files).Status);
        // The loaded row, and one sighting: the latest run's, not one row per run.
        var rows = (await QueryAsync("SELECT run_id, status FROM pbi_etl_file ORDER BY file_id")).ToList();
        Assert.Equal([(loaded.RunId, "Inläst"), (fourth.RunId, "Oförändrad")], rows.Select(r => (Convert.ToInt64(r.run_id), (string)r.status)));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT files_unchanged FROM etl_run WHERE run_id = @RunId", new { fourth.RunId }));

        // Touched, the same content: the sighting takes its new time.
        var path = Source.File("business-cases/DIG-2023-014.xlsx");
        var touched = File.GetLastWriteTimeUtc(path).AddHours(1);
        File.SetLastWriteTimeUtc(path, touched);
        var fifth = await RefreshAsync();

        Assert.Equal(FileStatus.Unchanged, Assert.Single(fifth.Files).Status);
        var sighting = await QuerySingleAsync("SELECT run_id, modified_at_utc FROM etl_file WHERE status = 'Oförändrad'");
        Assert.Equal(fifth.RunId, Convert.ToInt64(sighting.run_id));
        Assert.Equal(RefreshRun.ToTheMillisecond(touched), NackaInsights.Warehouse.Runs.Columns.ReadTimestamp((object)sighting.modified_at_utc));

        // A new content is loaded in a row of its own; the sighting before it stays, and the next run's is a new one.
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference(version: "v2"));
        var changed = await RefreshAsync();
        var next = await RefreshAsync();

        Assert.Equal(FileStatus.Loaded, Assert.Single(changed.Files).Status);
        Assert.Equal(FileStatus.Unchanged, Assert.Single(next.Files).Status);
        var after = (await QueryAsync("SELECT run_id, status FROM pbi_etl_file ORDER BY file_id")).ToList();
        Assert.Equal([(loaded.RunId, "Inläst"), (fifth.RunId, "Oförändrad"), (changed.RunId, "Inläst"), (next.RunId, "Oförändrad")],
            after.Select(r => (Convert.ToInt64(r.run_id), (string)r.status)));
    }

    [Fact]
    public async Task AFileOfTheSameSizeAndModificationTime_IsOforandrad_WithoutBeingRead()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var sources = CountingReads();
        var first = await RunAsync(sources.Run);
        Assert.Equal(1, sources.Reads);

        var second = await RunAsync(sources.Run);

        Assert.True(second.Succeeded, second.Message);
        Assert.Equal(1, sources.Reads);
        var file = Assert.Single(second.Files);
        Assert.Equal(FileStatus.Unchanged, file.Status);
        Assert.Contains($"körning {first.RunId}", file.Message);
        var recorded = await QueryAsync("SELECT run_id, content_sha256, size_bytes FROM etl_file ORDER BY file_id");
        Assert.Equal(2, recorded.Count());
        Assert.Single(recorded.Select(r => (string)r.content_sha256).Distinct());
        Assert.Equal(new FileInfo(Source.File("business-cases/DIG-2023-014.xlsx")).Length, Convert.ToInt64(recorded.Last().size_bytes));
    }

    [Fact]
    public async Task AModificationTimeFinerThanAMillisecond_IsComparedAsTheWarehouseKeepsIt()
    {
        // A file system keeps ticks a database does not (SQLite keeps milliseconds, PostgreSQL microseconds).
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var path = Source.File("business-cases/DIG-2023-014.xlsx");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddTicks(1_234_567));
        var sources = CountingReads();
        await RunAsync(sources.Run);

        var second = await RunAsync(sources.Run);

        Assert.Equal(1, sources.Reads);
        Assert.Equal(FileStatus.Unchanged, Assert.Single(second.Files).Status);
    }

    [Fact]
    public async Task AFileTouchedWithTheSameContent_IsRead_AndStillOforandrad()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var sources = CountingReads();
        await RunAsync(sources.Run);
        var path = Source.File("business-cases/DIG-2023-014.xlsx");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddHours(1));

        var second = await RunAsync(sources.Run);
        var third = await RunAsync(sources.Run);

        Assert.Equal(2, sources.Reads);
        Assert.Equal(FileStatus.Unchanged, Assert.Single(second.Files).Status);
        // Recorded as Oförändrad with its new time, it is trusted from then on.
        Assert.Equal(FileStatus.Unchanged, Assert.Single(third.Files).Status);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case_version"));
    }

    [Fact]
    public async Task AFileOfTheSameModificationTime_ButAnotherSize_IsReadAndLoaded()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference(version: "v1"));
        var path = Source.File("business-cases/DIG-2023-014.xlsx");
        var (size, modified) = (new FileInfo(path).Length, File.GetLastWriteTimeUtc(path));
        var sources = CountingReads();
        await RunAsync(sources.Run);
        ContractWorkbooks.Reference(version: "version 2 med en längre etikett").Save(path);
        File.SetLastWriteTimeUtc(path, modified);
        Assert.NotEqual(size, new FileInfo(path).Length);

        var second = await RunAsync(sources.Run);

        Assert.Equal(2, sources.Reads);
        Assert.Equal(FileStatus.Loaded, Assert.Single(second.Files).Status);
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case_version"));
    }

    [Fact]
    public async Task AFileModifiedAsTheRunThatRecordedItBegan_IsNotTrusted_AndReadAgain()
    {
        // Saved now: its time is within the file system's tick of the run's start, so the run may have read it before
        // a rewrite of the same size in the same tick (git's racily clean file).
        var path = Source.File("business-cases/DIG-2023-014.xlsx");
        ContractWorkbooks.Reference().Save(path);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(1));
        var sources = CountingReads();
        await RunAsync(sources.Run);

        var second = await RunAsync(sources.Run);

        Assert.Equal(2, sources.Reads);
        Assert.Equal(FileStatus.Unchanged, Assert.Single(second.Files).Status);
    }

    [Fact]
    public async Task AFolder_IsListedOnce_NoEarlierThanTheRunIsRecordedAsStarted()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var sources = CountingReads();

        var result = await RunAsync(sources.Run);

        Assert.True(result.Succeeded, result.Message);
        // Listed while the run started, and still after the moment it is recorded as started: the rule of racily clean
        // files compares a file's time with that moment.
        Assert.Equal(sources.Run.Uploads.Count, sources.Listings.Count);
        var started = Columns.ReadTimestamp(await ScalarAsync<object>("SELECT started_at_utc FROM pbi_etl_run WHERE run_id = @RunId", new { result.RunId }));
        Assert.All(sources.Listings, listed => Assert.True(listed.At >= started, $"{listed.Kind} listed at {listed.At:O}, before the run's start {started:O}"));
    }

    [Fact]
    public async Task ARunThatWaitsForAnother_ListsItsFolderAgain_AndLoadsAFileAddedMeanwhile()
    {
        Warehouse.Options.RefreshLockTimeoutSeconds = 60;
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var sources = CountingReads();
        var other = await Warehouse.Loader().StartRunAsync("other", null, ct: Ct);
        var waiting = Task.Run(() => RunAsync(sources.Run), Ct);
        // Listed ahead while it waits for the other run's lock; a file added now is only seen by listing again.
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        AddWorkbook("DIG-2023-015.xlsx", ContractWorkbooks.Reference(id: "DIG-2023-015"));
        await other.CompleteAsync(Ct);
        await other.DisposeAsync();

        var result = await waiting;

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(2, result.Files.Count(f => f.Kind == "business-case"));
        var businessCases = sources.Run.Uploads.Count(u => u.Kind == "business-case");
        Assert.Equal(2 * businessCases, sources.Listings.Count(l => l.Kind == "business-case"));
    }

    [Fact]
    public async Task ARejectedFile_IsReadAgain_EvenWithTheSameSizeAndModificationTime()
    {
        AddWorkbook("trasig.xlsx", new RawXlsx().Sheet("Något annat", ["inget"]));
        var sources = CountingReads();
        await RunAsync(sources.Run);

        var second = await RunAsync(sources.Run);

        Assert.Equal(2, sources.Reads);
        Assert.Equal(FileStatus.Rejected, Assert.Single(second.Files).Status);
    }

    /// <summary>The source folder's sources, each counting the uploads it is asked to read.</summary>
    private ReadCount CountingReads()
    {
        var count = new ReadCount();
        var folder = RunSources.FromFolder(new SourceFolder(Source.Path));
        count.Run = folder with { Uploads = folder.Uploads.Select(u => (IUploadSource)new CountingSource(u, count)).ToList() };
        return count;
    }

    private sealed class ReadCount
    {
        private int _reads;

        public RunSources Run { get; set; } = null!;

        /// <summary>When each listing began, by the system clock the warehouse's runs are recorded by, and of what.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<Listing> Listings { get; } = new();

        public int Reads => Volatile.Read(ref _reads);

        public void Add() => Interlocked.Increment(ref _reads);
    }

    private sealed record Listing(string Kind, DateTime At);

    private sealed class CountingSource(IUploadSource inner, ReadCount count) : IUploadSource
    {
        public string Kind => inner.Kind;

        public string? StateKey => inner.StateKey;

        public string SourceKey => inner.SourceKey;

        public bool TrustsModifiedTime => inner.TrustsModifiedTime;

        public Task<UploadListing> ListAsync(string? deltaLink, CancellationToken ct)
        {
            count.Listings.Enqueue(new Listing(inner.Kind, RefreshRun.ToTheMillisecond(DateTime.UtcNow)));
            return inner.ListAsync(deltaLink, ct);
        }

        public Task<byte[]?> ReadAsync(Upload upload, long maxBytes, CancellationToken ct)
        {
            count.Add();
            return inner.ReadAsync(upload, maxBytes, ct);
        }

        public Task WriteResultAsync(Upload upload, byte[] workbook, CancellationToken ct) => inner.WriteResultAsync(upload, workbook, ct);

        public Task RemoveResultAsync(Upload upload, CancellationToken ct) => inner.RemoveResultAsync(upload, ct);

        public Task<IReadOnlyList<string>> RemoveTemporariesAsync(CancellationToken ct) => inner.RemoveTemporariesAsync(ct);

    }

    [Fact]
    public async Task Refresh_WarnsOnceOfEachFileItDoesNotRead_FromTheFoldersOneListing()
    {
        AddWorkbook("v1.xlsx", ContractWorkbooks.Reference(version: "v1"));
        File.WriteAllText(Source.File("business-cases/anteckningar.docx"), "inte en kalkyl");
        var log = new CapturingLogger<RefreshPipeline>();

        var result = await new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), log).RunAsync(Source.Path, "test", null, Ct);

        Assert.True(result.Succeeded);
        Assert.Single(result.Files);
        var warning = Assert.Single(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.StartsWith("Ignoring", StringComparison.Ordinal));
        Assert.Equal("Ignoring business-cases/anteckningar.docx: only .xlsx files are read there", warning.Message);
    }

    [Fact]
    public async Task Refresh_MakesTheLatestVersionCurrent_AndKeepsTheEarlierAsHistory()
    {
        AddWorkbook("v1.xlsx", ContractWorkbooks.Reference(version: "v1"));
        var revised = new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows(version: "v2"))
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", [["Nyttopost", "Typ", 2023, 2024], ["Frigjord tid", "Omfördelning", 100_000, 100_000]]);
        AddWorkbook("v2.xlsx", revised);

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var versions = (await QueryAsync("SELECT version_label, is_current FROM pbi_fct_business_case_version ORDER BY bc_version_id")).ToList();
        Assert.Equal(["v1", "v2"], versions.Select(v => (string)v.version_label));
        Assert.Equal([0L, 1L], versions.Select(v => Convert.ToInt64(v.is_current)));
        Assert.Equal("v2", await ScalarAsync<string>("SELECT version_label FROM pbi_fct_business_case"));
        Assert.Equal(200_000m, Money(await ScalarAsync<object>("SELECT economic_benefit_total_sek FROM pbi_fct_business_case")));
    }

    [Fact]
    public async Task Refresh_KeepsTheEarlierBusinessCaseCurrent_WhenANewVersionIsRejected()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        await RefreshAsync();
        var before = await SnapshotOfDataAsync();

        var broken = new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows(version: "trasig"))
            .Sheet("Kostnader", [["Kostnadspost", "Kategori", 2023], ["Konsulter", "Investering", "ca 500k"]])
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows());
        AddWorkbook("DIG-2023-014 ny.xlsx", broken);
        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        Assert.True(result.HasRejections);
        var rejected = result.Files.Single(f => f.Status == FileStatus.Rejected);
        var problem = Assert.Single(rejected.Problems);
        Assert.Equal("Kostnader!C2", problem.Location);
        Assert.Contains("\"ca 500k\" är inte ett belopp", problem.Message);
        Assert.Equal(before, await SnapshotOfDataAsync());
        var recorded = await QuerySingleAsync("SELECT source_name, sheet_name, cell, message FROM pbi_etl_problem WHERE run_id = @RunId", new { result.RunId });
        Assert.Equal("business-cases/DIG-2023-014 ny.xlsx", (string)recorded.source_name);
        Assert.Equal("C2", (string)recorded.cell);
    }

    [Fact]
    public async Task Refresh_KeepsTheEarlierBusinessCaseCurrent_WhenItsSheetKänslighetIsRejected()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference()
            .Sheet("Känslighet", ["Post", "Lägsta", "Högsta"], ["Licens och införande", 90, 120]));
        await RefreshAsync();
        var before = await SnapshotOfDataAsync();

        // Kostnader and Nyttor are fine; only Känslighet breaks a rule: a Lägsta above 100 and a line that does not exist.
        AddWorkbook("DIG-2023-014 ny.xlsx", ContractWorkbooks.Reference(version: "v2")
            .Sheet("Känslighet", ["Post", "Lägsta", "Högsta"], ["Licens och införande", "120 %", 150], ["Konsulter", 80, 120]));
        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var rejected = result.Files.Single(f => f.Status == FileStatus.Rejected);
        Assert.Equal(["Känslighet!B2", "Känslighet!A3"], rejected.Problems.Select(p => p.Location));
        Assert.Equal(before, await SnapshotOfDataAsync());
        Assert.Equal("2023-05-09", await ScalarAsync<string>("SELECT version_label FROM pbi_fct_business_case"));
        var recorded = (await QueryAsync("SELECT sheet_name, cell FROM pbi_etl_problem WHERE run_id = @RunId ORDER BY cell", new { result.RunId }))
            .Select(p => ((string)p.sheet_name, (string)p.cell)).ToList();
        Assert.Equal([("Känslighet", "A3"), ("Känslighet", "B2")], recorded);
    }

    [Theory]
    [InlineData(PhaseTimings.Load)]
    [InlineData(PhaseTimings.Compute)]
    [InlineData(PhaseTimings.Checks)]
    [InlineData(PhaseTimings.Publish)]
    public async Task Refresh_LeavesEveryViewAsItWas_WhenTheRunFailsPartWay(string failingPhase)
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        await RefreshAsync();
        var before = await SnapshotOfDataAsync();
        var runsBefore = await ViewSnapshot.ReadAsync(Warehouse.Database, v => v.StartsWith("pbi_etl_", StringComparison.Ordinal));

        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("DIG-2023-014 v2.xlsx", ContractWorkbooks.Reference(version: "v2"));
        var result = await RefreshAsync(new FailingRunObserver(failingPhase));

        Assert.False(result.Succeeded);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(before, await SnapshotOfDataAsync());
        // Only the failed run's own row is new in the lineage views: its files and problems were rolled back with it.
        var runsAfter = await ViewSnapshot.ReadAsync(Warehouse.Database, v => v.StartsWith("pbi_etl_", StringComparison.Ordinal));
        Assert.Equal(runsBefore["pbi_etl_file"], runsAfter["pbi_etl_file"]);
        var failedRun = await QuerySingleAsync("SELECT status, message, rows_loaded FROM pbi_etl_run WHERE run_id = @RunId", new { result.RunId });
        Assert.Equal("Misslyckad", (string)failedRun.status);
        Assert.EndsWith("Inget publicerades.", (string)failedRun.message);

        // The next run loads what the failed one could not.
        var next = await RefreshAsync();
        Assert.True(next.Succeeded, next.Message);
        Assert.Equal(2, next.Files.Count(f => f.Status == FileStatus.Loaded));
    }

    [Fact]
    public async Task Refresh_GivesIdenticalViews_WhenTheSameFolderIsLoadedTwice()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        await RefreshAsync();
        var once = await SnapshotOfDataAsync();

        await RefreshAsync();

        Assert.Equal(once, await SnapshotOfDataAsync());
    }

    [Fact]
    public async Task EveryFactRow_TracesToItsRunFileAndCell()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var result = await RefreshAsync();

        var traced = await QueryAsync(
            """
            SELECT y.year, y.run_id, f.file_name, f.content_sha256
            FROM pbi_fct_business_case_year y
            JOIN pbi_etl_file f ON f.file_id = y.file_id AND f.run_id = y.run_id
            """);
        Assert.Equal(8, traced.Count());
        Assert.All(traced, row =>
        {
            Assert.Equal(result.RunId, Convert.ToInt64(row.run_id));
            Assert.Equal("business-cases/DIG-2023-014.xlsx", (string)row.file_name);
            Assert.Equal(64, ((string)row.content_sha256).Length);
        });
        var cell = await QuerySingleAsync(
            "SELECT sheet_name, cell, raw_text, value FROM pbi_fct_business_case_line WHERE initiative_id = @Id AND category = 'Investering' AND year = 2023",
            new { Id = ContractWorkbooks.ReferenceId });
        Assert.Equal("Kostnader", (string)cell.sheet_name);
        Assert.Equal("C2", (string)cell.cell);
        Assert.Equal(520_000m, Money(cell.value));
    }

    [Fact]
    public async Task Refresh_FailsAndPublishesNothing_WhenADataCheckFails()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var first = await RefreshAsync();
        var before = await SnapshotOfDataAsync();
        await ExecuteAsync(
            """
            INSERT INTO etl_file (file_id, run_id, source_kind, file_name, content_sha256, size_bytes, status, rows_loaded, rows_rejected, processed_at_utc)
            SELECT 999, run_id, 'business-case', 'manual.xlsx', 'x', 0, 'Okänd', 0, 0, started_at_utc FROM etl_run WHERE run_id = @RunId
            """, new { first.RunId });

        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        var result = await RefreshAsync();

        Assert.False(result.Succeeded);
        var failed = Assert.Single(result.Checks, c => !c.Passed);
        Assert.Equal("accepted_values:pbi_etl_file.status", failed.Name);
        Assert.Equal(before, await SnapshotOfDataAsync());
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_check WHERE run_id = @RunId AND passed = 0", new { result.RunId }));
        Assert.Contains("accepted_values:pbi_etl_file.status", await ScalarAsync<string>("SELECT message FROM pbi_etl_run WHERE run_id = @RunId", new { result.RunId }));
    }

    [Fact]
    public async Task Refresh_MarksARunThatDiedAsFailed_AndCompletes()
    {
        var dialect = Warehouse.Database.Dialect;
        await ExecuteAsync(dialect.InsertRunReturningId, new { RunKind = "refresh", Source = "x", HostName = "dead", StartedAtUtc = dialect.Timestamp(DateTime.UtcNow), Status = RunStatus.Running });
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var dead = await QuerySingleAsync("SELECT status, message FROM pbi_etl_run WHERE run_id < @RunId", new { result.RunId });
        Assert.Equal("Misslyckad", (string)dead.status);
        Assert.Contains("avbröts", (string)dead.message);
    }

    [Fact]
    public async Task ChangingTheDiscountRate_RecomputesTheNetPresentValue_WithoutReloading()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        await RefreshAsync();

        Warehouse.Calculation.DiscountRate = 0m;
        var result = await RefreshAsync();

        Assert.Equal(FileStatus.Unchanged, Assert.Single(result.Files).Status);
        var summary = await QuerySingleAsync("SELECT npv_sek, net_benefit_total_sek, discount_rate FROM pbi_fct_business_case");
        Assert.Equal(-508_800m, Money(summary.npv_sek));
        Assert.Equal(0m, Convert.ToDecimal(summary.discount_rate));
    }

    private async Task AssertReferenceTableAsync(string initiativeId)
    {
        var rows = (await QueryAsync("SELECT * FROM pbi_fct_business_case_year WHERE initiative_id = @Id ORDER BY year", new { Id = initiativeId }))
            .Cast<IDictionary<string, object?>>()
            .ToList();
        Assert.Equal(ContractWorkbooks.ReferenceYears, rows.Select(r => Convert.ToInt32(r["year"])));
        foreach (var (column, expected) in ContractWorkbooks.ReferenceTable)
        {
            var actual = rows.Select(r => ContractWorkbooks.IsRatio(column)
                ? Math.Round(Convert.ToDecimal(r[column]), 1, MidpointRounding.AwayFromZero)
                : Money(r[column])).ToArray();
            Assert.True(expected.SequenceEqual(actual), $"{column}: expected {string.Join("; ", expected)}, was {string.Join("; ", actual)}");
        }
    }

    private static decimal Money(object? value) => Math.Round(Convert.ToDecimal(value), 0, MidpointRounding.AwayFromZero);

    private Task<RunResult> RefreshAsync(IRunObserver? observer = null) =>
        RunAsync(Source.Path, observer);

    /// <summary>Every pbi_* view but the lineage views, which record runs by design.</summary>
    private Task<SortedDictionary<string, List<string>>> SnapshotOfDataAsync() =>
        ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

    private async Task<DbConnection> OpenAsync() => await Warehouse.Database.OpenAsync();

    private async Task<IEnumerable<dynamic>> QueryAsync(string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync();
        return (await connection.QueryAsync(sql, parameters)).ToList();
    }

    private async Task<dynamic> QuerySingleAsync(string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync();
        return await connection.QuerySingleAsync(sql, parameters);
    }

    private async Task<long> CountAsync(string table) => await ScalarAsync<long>($"SELECT COUNT(*) FROM {table}");

    private async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }
}

public sealed class SqliteRefreshPipelineFacts : RefreshPipelineFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresRefreshPipelineFacts(PostgresCluster cluster) : RefreshPipelineFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
