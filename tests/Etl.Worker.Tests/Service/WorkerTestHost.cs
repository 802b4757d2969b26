using System.Diagnostics;
using Dapper;
using Hangfire;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using NackaInsights.Etl.Hosting;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Service;

/// <summary>One row of <c>pbi_etl_run</c>, as the service tests read it.</summary>
public sealed record RunRow(long RunId, string RunKind, string Status, DateTime StartedAtUtc, DateTime? FinishedAtUtc, string? Message);

/// <summary>The worker service in this process: the real AddNackaInsights and AddNackaInsightsWorker on a test warehouse, without the web host.</summary>
public static class WorkerTestHost
{
    public static async Task<IHost> StartAsync(TestWarehouse warehouse, IDictionary<string, string?> worker, CancellationToken ct)
    {
        var host = Build(warehouse, worker);
        await host.StartAsync(ct);
        return host;
    }

    public static IHost Build(TestWarehouse warehouse, IDictionary<string, string?> worker)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        var settings = new Dictionary<string, string?>
        {
            ["WarehouseOptions:Provider"] = warehouse.Options.Provider.ToString(),
            ["WarehouseOptions:ConnectionString"] = warehouse.Options.ConnectionString,
            ["WarehouseOptions:RefreshLockTimeoutSeconds"] = "30",
            ["WorkerOptions:PollingIntervalSeconds"] = "1",
            ["Logging:Console:FormatterName"] = "simple",
        };
        foreach (var (key, value) in worker)
        {
            settings[$"WorkerOptions:{key}"] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddNackaInsights();
        builder.AddNackaInsightsWorker();
        return builder.Build();
    }

    /// <summary>Every run in <c>pbi_etl_run</c>, in run order.</summary>
    public static async Task<List<RunRow>> RunsAsync(WarehouseDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync(
            "SELECT run_id, run_kind, status, started_at_utc, finished_at_utc, message FROM pbi_etl_run ORDER BY run_id");
        return rows.Cast<IDictionary<string, object?>>().Select(r => new RunRow(
            Convert.ToInt64(r["run_id"]), (string)r["run_kind"]!, (string)r["status"]!, Timestamp(r["started_at_utc"])!.Value,
            Timestamp(r["finished_at_utc"]), r["message"] as string)).ToList();
    }

    /// <summary>Polls until <paramref name="done"/> holds for the runs, with a generous timeout.</summary>
    public static async Task<List<RunRow>> WaitForRunsAsync(WarehouseDatabase database, Func<List<RunRow>, bool> done, CancellationToken ct, int seconds = 90)
    {
        var deadline = Stopwatch.StartNew();
        List<RunRow> runs = [];
        while (deadline.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            runs = await RunsAsync(database, ct);
            if (done(runs))
            {
                return runs;
            }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"The runs never got there: {string.Join("; ", runs)}");
    }

    /// <summary>Polls a Hangfire job until it reaches one of <paramref name="states"/>; returns its details.</summary>
    public static async Task<JobDetailsDto> WaitForJobAsync(JobStorage storage, string jobId, CancellationToken ct, params string[] states)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            var details = storage.GetMonitoringApi().JobDetails(jobId);
            using (var connection = storage.GetConnection())
            {
                if (connection.GetStateData(jobId) is { } state && states.Contains(state.Name))
                {
                    return details;
                }
            }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"Job {jobId} never reached {string.Join(" or ", states)}.");
    }

    /// <summary>The current state of a Hangfire job.</summary>
    public static StateData? StateOf(JobStorage storage, string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId);
    }

    /// <summary>Whether two runs overlapped in time.</summary>
    public static bool Overlap(RunRow a, RunRow b) =>
        a.StartedAtUtc < (b.FinishedAtUtc ?? DateTime.MaxValue) && b.StartedAtUtc < (a.FinishedAtUtc ?? DateTime.MaxValue);

    private static DateTime? Timestamp(object? value) => value switch
    {
        null or DBNull => null,
        DateTime d => d,
        string s => DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
        _ => Convert.ToDateTime(value, System.Globalization.CultureInfo.InvariantCulture),
    };
}
