using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Microsoft.Extensions.Options;

namespace NackaInsights.Etl.Service;

/// <summary>
/// The service's settings (section <c>WorkerOptions</c>): when each recurring job runs, in which time
/// zone, the offline source folder, and how the Hangfire server works and stops. Validated at start,
/// naming every wrong setting.
/// </summary>
public sealed class WorkerOptions
{
    public const string Section = nameof(WorkerOptions);

    /// <summary>Every 15 minutes.</summary>
    public const string Often = "*/15 * * * *";

    /// <summary>
    /// Job id (<see cref="WorkerJobs"/>) → cron expression (5 parts, or 6 with seconds first). A key
    /// given in configuration replaces the default; <see cref="Cron.Never"/> keeps a job off the
    /// schedule but still triggerable from the dashboard.
    /// </summary>
    public Dictionary<string, string> Schedules { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [WorkerJobs.SharePointLists] = Often,
        [WorkerJobs.DocumentLibraries] = Often,
        [WorkerJobs.SourceFolder] = Often,
        // Daily, early: the survey is exported a few times a year.
        [WorkerJobs.MaturitySurvey] = "0 5 * * *",
        // Just before midnight, in TimeZone: the day's last word on each project's status.
        [WorkerJobs.ProjectStatusSnapshot] = "55 23 * * *",
        // Continuations of a source job that loaded something; on their own only when triggered.
        [WorkerJobs.Recompute] = Cron.Never(),
        [WorkerJobs.Checks] = Cron.Never(),
    };

    /// <summary>The time zone the cron expressions are read in (IANA or Windows id).</summary>
    public string TimeZone { get; set; } = "Europe/Stockholm";

    /// <summary>An offline source folder; when set, the <c>source-folder</c> job runs the pipeline over it.</summary>
    public string? SourceDir { get; set; }

    /// <summary>How many jobs this process runs at once. Refreshes still run one at a time; a second worker lets a trigger wait and be skipped visibly.</summary>
    public int WorkerCount { get; set; } = 2;

    /// <summary>How long a triggered job waits for a running refresh before it is skipped.</summary>
    public int RefreshLockWaitSeconds { get; set; } = 60;

    /// <summary>How long a stop waits for the running job to roll back or commit; the host's and Hangfire's shutdown timeout.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>How often the server looks for due recurring jobs and, on PostgreSQL, for queued ones.</summary>
    public int PollingIntervalSeconds { get; set; } = 15;

    public TimeZoneInfo ResolveTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    private TimeZoneInfo? TryResolveTimeZone()
    {
        try
        {
            return string.IsNullOrWhiteSpace(TimeZone) ? null : ResolveTimeZone();
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The job ids that may be scheduled; <see cref="WorkerJobs.ProjectStatusSnapshot"/> is registered where it is built.</summary>
    public static readonly IReadOnlyList<string> KnownJobs =
    [
        WorkerJobs.SharePointLists, WorkerJobs.DocumentLibraries, WorkerJobs.SourceFolder,
        WorkerJobs.MaturitySurvey, WorkerJobs.ProjectStatusSnapshot, WorkerJobs.Recompute, WorkerJobs.Checks,
    ];

    /// <summary>Every wrong setting, each naming its key.</summary>
    public IEnumerable<string> Validate()
    {
        var zone = TryResolveTimeZone();
        if (zone is null)
        {
            yield return $"{Section}:{nameof(TimeZone)} '{TimeZone}' is not a known time zone (e.g. Europe/Stockholm).";
        }
        foreach (var (key, cron) in Schedules)
        {
            if (!KnownJobs.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{Section}:{nameof(Schedules)}:{key} is not a job; the jobs are {string.Join(", ", KnownJobs)}.";
            }
            else if (CronProblem(cron, zone ?? TimeZoneInfo.Utc) is { } problem)
            {
                yield return $"{Section}:{nameof(Schedules)}:{key} '{cron}' is not a valid cron expression: {problem}";
            }
        }
        if (SourceDir is { Length: > 0 } dir && !Directory.Exists(dir))
        {
            yield return $"{Section}:{nameof(SourceDir)} '{dir}' does not exist.";
        }
        if (WorkerCount is < 1 or > 20)
        {
            yield return $"{Section}:{nameof(WorkerCount)} must be between 1 and 20 (was {WorkerCount}).";
        }
        if (RefreshLockWaitSeconds is < 0 or > 86_400)
        {
            yield return $"{Section}:{nameof(RefreshLockWaitSeconds)} must be between 0 and 86400 (was {RefreshLockWaitSeconds}).";
        }
        if (ShutdownTimeoutSeconds is < 1 or > 3_600)
        {
            yield return $"{Section}:{nameof(ShutdownTimeoutSeconds)} must be between 1 and 3600 (was {ShutdownTimeoutSeconds}).";
        }
        if (PollingIntervalSeconds is < 1 or > 3_600)
        {
            yield return $"{Section}:{nameof(PollingIntervalSeconds)} must be between 1 and 3600 (was {PollingIntervalSeconds}).";
        }
    }

    /// <summary>
    /// Why Hangfire would refuse <paramref name="cron"/>, or null. Asked of Hangfire itself (its cron parser
    /// is internal), against a throwaway in-memory storage, so that what passes here is what it accepts.
    /// </summary>
    private static string? CronProblem(string cron, TimeZoneInfo zone)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return "it is empty.";
        }
        using var storage = new InMemoryStorage();
        try
        {
            new RecurringJobManager(storage).AddOrUpdate("validation", Job.FromExpression(() => Console.WriteLine()), cron, new RecurringJobOptions { TimeZone = zone });
            return null;
        }
        catch (ArgumentException e)
        {
            return (e.InnerException ?? e).Message;
        }
    }
}
