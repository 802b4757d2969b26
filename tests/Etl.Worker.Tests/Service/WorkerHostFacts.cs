using Dapper;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.Service;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Service;

/// <summary>The worker service in a test host on an SQLite warehouse: its recurring jobs, their continuations, the refresh lock, and failures.</summary>
public sealed class WorkerHostFacts : WarehouseFacts
{
    private readonly TempDirectory _source = new("nacka-worker-source");

    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    private string DbPath => ((SqliteTestWarehouse)Warehouse).FilePath;

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task ASourceJobOnANearCron_RunsThePipeline_ThenTheRecomputeAndThenTheChecksAsItsContinuations()
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));

        using var host = await WorkerTestHost.StartAsync(Warehouse, new Dictionary<string, string?>
        {
            ["SourceDir"] = _source.Path,
            // Every second, in Hangfire's six-part form.
            [$"Schedules:{WorkerJobs.SourceFolder}"] = "* * * * * *",
        }, Ct);
        var runs = await WorkerTestHost.WaitForRunsAsync(Warehouse.Database,
            r => r.Any(x => x.RunKind == WorkerJobs.Checks && x.Status == "Lyckad"), Ct);
        await host.StopAsync(Ct);
        runs = await WorkerTestHost.RunsAsync(Warehouse.Database, Ct);

        var load = runs.First(r => r.RunKind == WorkerJobs.SourceFolder);
        var recompute = runs.First(r => r.RunKind == WorkerJobs.Recompute);
        var checks = runs.First(r => r.RunKind == WorkerJobs.Checks);
        Assert.Equal("Lyckad", load.Status);
        Assert.Equal("Lyckad", recompute.Status);
        Assert.True(load.RunId < recompute.RunId && recompute.RunId < checks.RunId, string.Join("; ", runs));
        Assert.True(recompute.StartedAtUtc >= load.FinishedAtUtc && checks.StartedAtUtc >= recompute.FinishedAtUtc, string.Join("; ", runs));
        // Only the load that took something in is followed: the later ticks find the file unchanged.
        Assert.Single(runs, r => r.RunKind == WorkerJobs.Recompute);
        Assert.Single(runs, r => r.RunKind == WorkerJobs.Checks);
        Assert.All(runs, a => Assert.DoesNotContain(runs, b => a != b && WorkerTestHost.Overlap(a, b)));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));

        // The chain is Hangfire's: the recompute and the checks waited as continuations of the load's job.
        var storage = host.Services.GetRequiredService<JobStorage>();
        var monitoring = storage.GetMonitoringApi();
        var succeeded = monitoring.SucceededJobs(0, 100).Select(j => j.Value).ToList();
        Assert.Contains(succeeded, j => j.Job.Args[0] as string == WorkerJobs.Recompute);
        var recomputeJob = monitoring.SucceededJobs(0, 100).First(j => j.Value.Job.Args[0] as string == WorkerJobs.Recompute).Key;
        Assert.Contains(monitoring.JobDetails(recomputeJob).History, h => h.StateName == AwaitingState.StateName);
    }

    [Fact]
    public async Task TheSnapshotJob_ReadsTheListsAndRecordsTodaysProjectStatus_InTheConfiguredTimeZone()
    {
        var modified = new DateTimeOffset(2024, 1, 2, 8, 0, 0, TimeSpan.Zero);
        ListFiles.Write(_source.Path, "Initiativ", ListFiles.Initiative("1", "DIG-1", "Projekt", modified));
        ListFiles.Write(_source.Path, "Projektstatus", ListFiles.Status("1", "DIG-1", "2024-01-31", "Gul", 40));
        // A business case in the folder is the source-folder job's work, not the snapshot's.
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));

        using var host = await WorkerTestHost.StartAsync(Warehouse, new Dictionary<string, string?>
        {
            ["SourceDir"] = _source.Path,
            [$"Schedules:{WorkerJobs.SourceFolder}"] = Cron.Never(),
            ["TimeZone"] = "Pacific/Kiritimati",
        }, Ct);
        var storage = host.Services.GetRequiredService<JobStorage>();
        var jobId = host.Services.GetRequiredService<IRecurringJobManagerV2>().TriggerJob(WorkerJobs.ProjectStatusSnapshot);
        await WorkerTestHost.WaitForJobAsync(storage, jobId, Ct, SucceededState.StateName, FailedState.StateName);
        await WorkerTestHost.WaitForRunsAsync(Warehouse.Database, r => r.Any(x => x.RunKind == WorkerJobs.Checks && x.Status == "Lyckad"), Ct);
        await host.StopAsync(Ct);

        // UTC+14: the day in the configured zone, which is often not UTC's.
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(14));
        var snapshot = await QueryAsync<(DateOnly Day, string InitiativeId, string Status, int DaysSinceReport)>(
            "SELECT snapshot_date, initiative_id, status, days_since_report FROM pbi_fct_project_status_snapshot");
        var row = Assert.Single(snapshot);
        Assert.Equal((today, "DIG-1", "Gul", today.DayNumber - new DateOnly(2024, 1, 31).DayNumber), row);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
    }

    [Fact]
    public async Task TheSurveyJob_ReadsOnlyTheSurveyExports_AndTheIndexFollows()
    {
        File.WriteAllText(_source.File("index/index-2024.csv"),
            "År;Verksamhet;Dimension;Procent\n2024;Välfärd skola;Digital förmåga;60\n2024;Välfärd skola;Digitalt arv;70\n");
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));

        using var host = await WorkerTestHost.StartAsync(Warehouse, new Dictionary<string, string?>
        {
            ["SourceDir"] = _source.Path,
            [$"Schedules:{WorkerJobs.SourceFolder}"] = Cron.Never(),
        }, Ct);
        var storage = host.Services.GetRequiredService<JobStorage>();
        var jobId = host.Services.GetRequiredService<IRecurringJobManagerV2>().TriggerJob(WorkerJobs.MaturitySurvey);
        await WorkerTestHost.WaitForJobAsync(storage, jobId, Ct, SucceededState.StateName, FailedState.StateName);
        await WorkerTestHost.WaitForRunsAsync(Warehouse.Database, r => r.Any(x => x.RunKind == WorkerJobs.Checks && x.Status == "Lyckad"), Ct);
        await host.StopAsync(Ct);

        Assert.Equal([("index", "Inläst")], await QueryAsync<(string, string)>("SELECT source_kind, status FROM pbi_etl_file"));
        // Digital mognad 6.5 and no completed initiative (a score of 0), weighted equally.
        Assert.Equal(3.25m, Math.Round(await ScalarAsync<decimal>("SELECT index_value FROM pbi_fct_digitalization_index_unit WHERE unit = 'Välfärd skola' AND year = 2024"), 6));
    }

    [Fact]
    public async Task AFailedDataCheck_KeepsThePublishedFacts_AndFailsTheJobWithoutRetries()
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        var first = await CliRunner.RunAsync(["refresh", "--source-dir", _source.Path, "--db", DbPath]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));
        // A file status the contract does not know: the accepted-values check fails every run from now on.
        await ExecuteAsync(
            """
            INSERT INTO etl_file (file_id, run_id, source_kind, file_name, content_sha256, size_bytes, status, rows_loaded, rows_rejected, processed_at_utc)
            SELECT 999, run_id, 'business-case', 'manual.xlsx', 'x', 0, 'Okänd', 0, 0, started_at_utc FROM etl_run
            """);
        ContractWorkbooks.Reference(id: "DIG-2024-001").Save(_source.File("business-cases/DIG-2024-001.xlsx"));

        using var host = await WorkerTestHost.StartAsync(Warehouse, new Dictionary<string, string?>
        {
            ["SourceDir"] = _source.Path,
            [$"Schedules:{WorkerJobs.SourceFolder}"] = Cron.Never(),
        }, Ct);
        var storage = host.Services.GetRequiredService<JobStorage>();
        var jobId = host.Services.GetRequiredService<IRecurringJobManagerV2>().TriggerJob(WorkerJobs.SourceFolder);
        var details = await WorkerTestHost.WaitForJobAsync(storage, jobId, Ct, FailedState.StateName, SucceededState.StateName, ScheduledState.StateName);
        await host.StopAsync(Ct);

        var state = WorkerTestHost.StateOf(storage, jobId)!;
        Assert.Equal(FailedState.StateName, state.Name);
        Assert.Contains(nameof(DataChecksFailedException), state.Data["ExceptionType"]);
        Assert.Contains("accepted_values:pbi_etl_file.status", state.Data["ExceptionMessage"]);
        // No retry: the job went from Processing straight to Failed, never back to Scheduled.
        Assert.DoesNotContain(details.History, h => h.StateName == ScheduledState.StateName);
        Assert.Null(storage.GetConnection().GetJobParameter(jobId, "RetryCount"));

        var runs = await WorkerTestHost.RunsAsync(Warehouse.Database, Ct);
        var failed = Assert.Single(runs, r => r.RunKind == WorkerJobs.SourceFolder);
        Assert.Equal("Misslyckad", failed.Status);
        Assert.Contains("accepted_values:pbi_etl_file.status", failed.Message);
        Assert.DoesNotContain(runs, r => r.RunKind is WorkerJobs.Recompute or WorkerJobs.Checks);
        Assert.Equal(before, await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ATriggerWhileARefreshHoldsTheLock_IsSkippedVisibly_AndRunsNothing()
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        using var host = await WorkerTestHost.StartAsync(Warehouse, new Dictionary<string, string?>
        {
            ["SourceDir"] = _source.Path,
            [$"Schedules:{WorkerJobs.SourceFolder}"] = Cron.Never(),
            ["RefreshLockWaitSeconds"] = "2",
        }, Ct);
        var storage = host.Services.GetRequiredService<JobStorage>();

        string jobId;
        using (var connection = storage.GetConnection())
        using (connection.AcquireDistributedLock(RefreshJobs.RefreshLock, TimeSpan.FromSeconds(5)))
        {
            jobId = host.Services.GetRequiredService<IRecurringJobManagerV2>().TriggerJob(WorkerJobs.SourceFolder);
            await WorkerTestHost.WaitForJobAsync(storage, jobId, Ct, SucceededState.StateName, FailedState.StateName);
        }
        await host.StopAsync(Ct);

        var state = WorkerTestHost.StateOf(storage, jobId)!;
        Assert.Equal(SucceededState.StateName, state.Name);
        var result = storage.GetMonitoringApi().SucceededJobs(0, 10).Single(j => j.Key == jobId).Value.Result as string;
        Assert.NotNull(result);
        Assert.Contains(RefreshJobs.SkippedPrefix, result);
        Assert.Contains("RefreshLockWaitSeconds", result);
        Assert.Empty(await WorkerTestHost.RunsAsync(Warehouse.Database, Ct));
    }

    [Theory]
    [InlineData("Schedules:source-folder", "every minute", "WorkerOptions:Schedules:source-folder")]
    [InlineData("Schedules:recompute", "61 * * * *", "WorkerOptions:Schedules:recompute")]
    [InlineData("Schedules:nightly-magic", "0 3 * * *", "WorkerOptions:Schedules:nightly-magic")]
    [InlineData("TimeZone", "Europe/Nacka", "WorkerOptions:TimeZone")]
    [InlineData("WorkerCount", "0", "WorkerOptions:WorkerCount")]
    public async Task AWrongSetting_StopsTheStart_NamingTheKey(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            using var host = WorkerTestHost.Build(Warehouse, new Dictionary<string, string?> { [key] = value });
            await host.StartAsync(Ct);
        });

        Assert.Contains(error.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheJobsFollowTheConfiguration_AndAJobNoLongerConfiguredIsRemoved()
    {
        using var storage = new InMemoryStorage();
        var manager = new RecurringJobManager(storage);
        var stockholm = new WorkerOptions { SourceDir = _source.Path };
        await Registration(storage, manager, stockholm, new GraphOptions()).StartAsync(Ct);

        var jobs = storage.GetConnection().GetRecurringJobs();
        Assert.Equal(
            [WorkerJobs.Checks, WorkerJobs.MaturitySurvey, WorkerJobs.ProjectStatusSnapshot, WorkerJobs.Recompute, WorkerJobs.SourceFolder],
            jobs.Select(j => j.Id).Order());
        Assert.Equal("55 23 * * *", jobs.Single(j => j.Id == WorkerJobs.ProjectStatusSnapshot).Cron);
        var folder = jobs.Single(j => j.Id == WorkerJobs.SourceFolder);
        Assert.Equal(WorkerOptions.Often, folder.Cron);
        Assert.Equal("Europe/Stockholm", folder.TimeZoneId);
        Assert.Equal(Cron.Never(), jobs.Single(j => j.Id == WorkerJobs.Recompute).Cron);

        // The source folder is taken out of the configuration: its job goes with it.
        await Registration(storage, manager, new WorkerOptions(), new GraphOptions()).StartAsync(Ct);

        Assert.Equal([WorkerJobs.Checks, WorkerJobs.Recompute], storage.GetConnection().GetRecurringJobs().Select(j => j.Id).Order());
    }

    private static RecurringJobRegistration Registration(JobStorage storage, IRecurringJobManager manager, WorkerOptions worker, GraphOptions graph) =>
        new(storage, manager, Options.Create(worker), graph, NullLogger<RecurringJobRegistration>.Instance);
}
