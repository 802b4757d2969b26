using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Service.Health;

/// <summary>Readiness: the warehouse database answers a query.</summary>
public sealed class WarehouseDatabaseHealthCheck(WarehouseDatabase database) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy($"{database.Options.Provider} warehouse reachable");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{database.Options.Provider} warehouse unreachable: {HealthText.Reason(e)}");
        }
    }
}

/// <summary>Readiness: the last successful refresh, a run that read sources, is younger than <see cref="HealthOptions.MaxRefreshAgeMinutes"/>.</summary>
public sealed class RefreshFreshnessHealthCheck(WarehouseQueries queries, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck
{
    public const string Name = "freshness";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var allowed = TimeSpan.FromMinutes(options.Value.MaxRefreshAgeMinutes);
        DateTime? last;
        try
        {
            last = await queries.LastSuccessfulRefreshAsync(WorkerJobs.ReadNoSources, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the last refresh could not be read: {HealthText.Reason(e)}");
        }
        if (last is not { } finished)
        {
            return HealthCheckResult.Unhealthy($"no successful refresh yet; at most {HealthText.Age(allowed)} allowed");
        }
        var age = time.GetUtcNow().UtcDateTime - finished;
        var text = $"last successful refresh {finished.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}, {HealthText.Age(age)} ago; at most {HealthText.Age(allowed)} allowed";
        return age <= allowed ? HealthCheckResult.Healthy(text) : HealthCheckResult.Unhealthy(text);
    }
}

internal static class HealthText
{
    /// <summary>An age in words an operator reads at a glance: minutes below two hours, else hours, else days.</summary>
    public static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }
        return age.TotalHours < 2 ? $"{(int)age.TotalMinutes} min"
            : age.TotalDays < 3 ? $"{(int)age.TotalHours} h"
            : $"{(int)age.TotalDays} days";
    }

    /// <summary>
    /// Why a check failed, in one line: the exception's type and first line. Database drivers do not put
    /// passwords in their messages; the connection string itself is never shown.
    /// </summary>
    public static string Reason(Exception e)
    {
        var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;
        var message = inner.Message.Split('\n', 2)[0].Trim();
        if (message.Length > 300)
        {
            message = message[..300] + "…";
        }
        return inner is DbException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException
            ? message
            : $"{inner.GetType().Name}: {message}";
    }
}
