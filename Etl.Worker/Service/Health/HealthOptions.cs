using System.ComponentModel.DataAnnotations;

namespace NackaInsights.Etl.Service.Health;

/// <summary>When the worker counts as ready. Bound from the configuration section <c>HealthOptions</c>.</summary>
public sealed class HealthOptions
{
    /// <summary>
    /// How old the last successful refresh may be. The default, a day and an hour, suits jobs that run
    /// once a day; lower it when sources are refreshed more often.
    /// </summary>
    [Range(1, 525_600)]
    public int MaxRefreshAgeMinutes { get; set; } = 1500;

    /// <summary>How long one readiness check may take before it counts as failed.</summary>
    [Range(1, 300)]
    public int CheckTimeoutSeconds { get; set; } = 10;
}
