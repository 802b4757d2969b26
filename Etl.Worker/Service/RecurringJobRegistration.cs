using Hangfire;
using Hangfire.Common;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;

namespace NackaInsights.Etl.Service;

/// <summary>One recurring job: its stable id, what it runs, and its cron expression.</summary>
public sealed record RecurringJobDefinition(string Id, Job Job, string Cron);

/// <summary>The recurring jobs the configuration asks for.</summary>
public static class WorkerJobCatalog
{
    /// <summary>
    /// The jobs to register: a source job only when its source is configured (the source folder, Graph),
    /// the recompute and the checks always (on <see cref="Cron.Never"/> by default, triggerable).
    /// </summary>
    public static IReadOnlyList<RecurringJobDefinition> Configured(WorkerOptions worker, GraphOptions graph)
    {
        var jobs = new List<RecurringJobDefinition>();
        void Pipeline(string id) =>
            jobs.Add(new RecurringJobDefinition(id, Job.FromExpression<RefreshJobs>(j => j.RunAsync(id, null, CancellationToken.None)), ScheduleOf(worker, id)));

        if (graph.Enabled)
        {
            Pipeline(WorkerJobs.SharePointLists);
            Pipeline(WorkerJobs.DocumentLibraries);
        }
        if (worker.SourceDir is { Length: > 0 })
        {
            Pipeline(WorkerJobs.SourceFolder);
        }
        if ((graph.Enabled && graph.SurveyLibrary.IsEnabled) || worker.SourceDir is { Length: > 0 })
        {
            Pipeline(WorkerJobs.MaturitySurvey);
        }
        if (graph.Enabled || worker.SourceDir is { Length: > 0 })
        {
            Pipeline(WorkerJobs.ProjectStatusSnapshot);
        }
        Pipeline(WorkerJobs.Recompute);
        Pipeline(WorkerJobs.Checks);
        return jobs;
    }

    private static string ScheduleOf(WorkerOptions worker, string id) =>
        worker.Schedules.TryGetValue(id, out var cron) ? cron : Cron.Never();
}

/// <summary>
/// At start, registers the configured recurring jobs in the configured time zone, and removes every
/// registered recurring job that is no longer configured (turning a source off removes its job).
/// </summary>
public sealed class RecurringJobRegistration(
    JobStorage storage,
    IRecurringJobManager manager,
    IOptions<WorkerOptions> worker,
    GraphOptions graph,
    ILogger<RecurringJobRegistration> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = worker.Value;
        var zone = options.ResolveTimeZone();
        var configured = WorkerJobCatalog.Configured(options, graph);
        foreach (var job in configured)
        {
            manager.AddOrUpdate(job.Id, job.Job, job.Cron, new RecurringJobOptions { TimeZone = zone });
            logger.LogInformation("Recurring job {RecurringJobId}: {Cron} ({TimeZone})", job.Id, job.Cron, zone.Id);
        }
        using var connection = storage.GetConnection();
        foreach (var registered in connection.GetRecurringJobs())
        {
            if (!configured.Any(j => j.Id == registered.Id))
            {
                manager.RemoveIfExists(registered.Id);
                logger.LogInformation("Removed the recurring job {RecurringJobId}: it is no longer configured", registered.Id);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
