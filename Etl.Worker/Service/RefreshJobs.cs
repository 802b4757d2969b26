using System.ComponentModel;
using System.Diagnostics;
using Hangfire;
using Hangfire.Server;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.PowerBi;
using NackaInsights.Etl.Service.Report;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Service;

/// <summary>A run that failed for a passing reason (database, Graph after its own retries, IO): Hangfire retries it.</summary>
public sealed class RefreshRunFailedException(long runId, string message) : Exception($"Run {runId} failed: {message}")
{
    public long RunId { get; } = runId;
}

/// <summary>A run whose data checks failed: nothing was published, and retrying would fail the same way. It needs a person.</summary>
public sealed class DataChecksFailedException(long runId, string message) : Exception($"Run {runId} failed its data checks: {message}")
{
    public long RunId { get; } = runId;
}

/// <summary>
/// The worker's pipeline jobs: each runs the pipeline once, under one refresh lock on the job storage
/// shared by every worker. A source job that loaded something is followed by the recompute and then the
/// checks, as Hangfire continuations; any run that published new data, by the Power BI refresh when it is configured.
/// </summary>
public sealed class RefreshJobs(
    RefreshPipeline pipeline,
    SchemaMigrator migrator,
    WorkerRunSources sources,
    IBackgroundJobClient jobs,
    IOptions<WorkerOptions> options,
    ServiceReport report,
    PowerBiRefresher powerBi,
    ILogger<RefreshJobs> logger)
{
    /// <summary>The distributed lock every pipeline job holds for its whole run.</summary>
    public const string RefreshLock = "nacka-insights:refresh";

    /// <summary>The result of a job that did not run because another refresh held the lock.</summary>
    public const string SkippedPrefix = "Skipped:";

    /// <summary>
    /// Runs the pipeline job <paramref name="jobId"/> (its run kind in <c>pbi_etl_run</c>). Returns what it
    /// did, shown as the job's result on the dashboard. A failed data check throws
    /// <see cref="DataChecksFailedException"/> and is not retried; any other failed run throws and is.
    /// </summary>
    [DisplayName("{0}")]
    // A passing fault is retried five times, from a minute to an hour apart; a failed data check waits for a person.
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [60, 300, 900, 1800, 3600], ExceptOn = [typeof(DataChecksFailedException)])]
    public async Task<string> RunAsync(string jobId, PerformContext? context, CancellationToken ct)
    {
        var recurringId = context?.GetJobParameter<string>("RecurringJobId", allowStale: true);
        using var scope = logger.BeginScope("Job {JobId} ({RecurringJobId}), source {Source}", context?.BackgroundJob.Id, recurringId, jobId);
        var wait = TimeSpan.FromSeconds(options.Value.RefreshLockWaitSeconds);
        using var refreshLock = context is null ? null : AcquireRefreshLock(context.Connection, wait, ct);
        if (context is not null && refreshLock is null)
        {
            var skipped = $"{SkippedPrefix} another refresh held the lock {RefreshLock} for longer than {wait.TotalSeconds:0} s " +
                $"({nameof(WorkerOptions)}:{nameof(WorkerOptions.RefreshLockWaitSeconds)}); this trigger did not run.";
            logger.LogWarning("Job {Job} skipped: another refresh held the lock for longer than {WaitSeconds} s", jobId, wait.TotalSeconds);
            return skipped;
        }

        await migrator.MigrateAsync(ct);
        using var jobSources = sources.For(jobId);
        logger.LogInformation("Job {Job} starts a run over {Sources}", jobId, jobSources.Sources.Describe());
        var result = await pipeline.RunAsync(jobSources.Sources, jobId, observer: null, ct);
        if (!result.Succeeded)
        {
            // A stop of the service: Hangfire puts the job back in the queue, and it runs again after the restart.
            ct.ThrowIfCancellationRequested();
            if (result.Checks.Any(c => !c.Passed))
            {
                logger.LogError("Job {Job}: run {RunId} failed its data checks; nothing was published and it is not retried: {Message}", jobId, result.RunId, result.Message);
                throw new DataChecksFailedException(result.RunId, result.Message);
            }
            logger.LogError("Job {Job}: run {RunId} failed; nothing was published, and Hangfire retries it: {Message}", jobId, result.RunId, result.Message);
            throw new RefreshRunFailedException(result.RunId, result.Message);
        }

        // Published: the follow-up report at /rapport follows (a failed run has thrown above, and leaves it as it was).
        await report.AfterRunAsync(result, ct);

        var summary = $"Run {result.RunId} {result.Status}: {result.Message}";
        string? endOfChain = null;
        if (jobSources.ReadsSources && LoadedSomething(result) && context is not null)
        {
            var recompute = jobs.ContinueJobWith<RefreshJobs>(context.BackgroundJob.Id, j => j.RunAsync(WorkerJobs.Recompute, null, CancellationToken.None));
            var checks = jobs.ContinueJobWith<RefreshJobs>(recompute, j => j.RunAsync(WorkerJobs.Checks, null, CancellationToken.None));
            logger.LogInformation("Job {Job}: run {RunId} loaded something; the recompute (job {Recompute}) and the checks (job {Checks}) follow",
                jobId, result.RunId, recompute, checks);
            summary += $" Followed by {WorkerJobs.Recompute} (job {recompute}) and {WorkerJobs.Checks} (job {checks}).";
            endOfChain = checks;
        }
        // After the run committed, a continuation: a failed refresh is retried by Hangfire and shown apart from the run.
        // One refresh per publishing job: after the end of its recompute-and-checks chain when it has one (whatever the
        // checks found: the run's data is published), so that the service reads the final facts and two refreshes of one
        // model never overlap (the service answers 409 to the second). The recompute and checks of such a chain, which
        // no schedule started, ask for none of their own.
        var startedOnItsOwn = jobSources.ReadsSources || recurringId is not null;
        if (context is not null && startedOnItsOwn && await powerBi.NeedsRefreshAsync(result, ct))
        {
            var refresh = endOfChain is null
                ? ContinueWithPowerBiRefresh(jobs, context.BackgroundJob.Id, result.RunId, JobContinuationOptions.OnlyOnSucceededState)
                : ContinueWithPowerBiRefresh(jobs, endOfChain, result.RunId, JobContinuationOptions.OnAnyFinishedState);
            logger.LogInformation("Job {Job}: run {RunId} published new data; the Power BI refresh (job {Refresh}) follows", jobId, result.RunId, refresh);
            summary += $" Followed by the Power BI refresh (job {refresh}).";
        }
        return summary;
    }

    /// <summary>Continues the job <paramref name="parentJobId"/> with the Power BI refresh after the run <paramref name="runId"/>; its job id.</summary>
    public static string ContinueWithPowerBiRefresh(IBackgroundJobClient jobs, string parentJobId, long runId, JobContinuationOptions options) =>
        jobs.ContinueJobWith<PowerBiRefreshJob>(parentJobId, j => j.RefreshAsync(runId, CancellationToken.None), new Hangfire.States.EnqueuedState(), options);

    /// <summary>Whether a run took anything new into the warehouse: rows, list changes or loaded files.</summary>
    public static bool LoadedSomething(RunResult result) =>
        result.RowsLoaded > 0
        || result.Lists.Any(l => l.ItemsChanged > 0 || l.ItemsRemoved > 0)
        || result.Files.Any(f => f.Status is FileStatus.Loaded or FileStatus.PartlyLoaded);

    /// <summary>
    /// Takes the refresh lock, waiting up to <paramref name="wait"/> in short steps so that a stop of the
    /// service is not held up by the wait; null when another refresh kept it.
    /// </summary>
    private static IDisposable? AcquireRefreshLock(IStorageConnection connection, TimeSpan wait, CancellationToken ct)
    {
        var step = TimeSpan.FromSeconds(1);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var remaining = wait - waited.Elapsed;
            try
            {
                return connection.AcquireDistributedLock(RefreshLock, remaining < step ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : step);
            }
            catch (DistributedLockTimeoutException)
            {
                if (waited.Elapsed >= wait)
                {
                    return null;
                }
            }
        }
    }
}
