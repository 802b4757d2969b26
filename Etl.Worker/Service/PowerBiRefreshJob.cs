using System.ComponentModel;
using Hangfire;
using NackaInsights.Etl.PowerBi;

namespace NackaInsights.Etl.Service;

/// <summary>A refresh of the Power BI service that failed; the run it followed stays published.</summary>
public sealed class PowerBiRefreshFailedException(long runId, string message) : Exception($"The Power BI refresh after run {runId} failed: {message}")
{
    public long RunId { get; } = runId;
}

/// <summary>
/// The refresh of the Power BI service after a run that published: a Hangfire continuation of the run's job, so that
/// it shows on the dashboard under that job and has Hangfire's retries, while the run's own job has succeeded.
/// </summary>
public sealed class PowerBiRefreshJob(PowerBiRefresher refresher, ILogger<PowerBiRefreshJob> logger)
{
    /// <summary>
    /// Refreshes every configured semantic model for the run <paramref name="runId"/> and records each. When one
    /// failed, throws after recording it, so that Hangfire retries the job (its retry replaces the run's rows).
    /// </summary>
    [DisplayName("powerbi-refresh (run {0})")]
    // The service may be busy or a credential being fixed: a few retries, minutes apart; the next run that publishes asks anyway.
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [300, 900, 1800])]
    public async Task<string> RefreshAsync(long runId, CancellationToken ct)
    {
        var outcomes = await refresher.RefreshAsync(runId, ct);
        var summary = string.Join("; ", outcomes.Select(o => $"{o.Model}: {o.Status}{(o.Message is null ? "" : " (" + o.Message + ")")}"));
        if (outcomes.Any(o => o.Status != PowerBiRefreshStatus.Completed))
        {
            logger.LogWarning("The Power BI refresh after run {RunId} failed for some semantic model; Hangfire retries it: {Summary}", runId, summary);
            throw new PowerBiRefreshFailedException(runId, summary);
        }
        return outcomes.Count == 0 ? "Power BI refresh is off (PowerBiOptions:Enabled)." : $"Refreshed after run {runId}: {summary}";
    }
}
