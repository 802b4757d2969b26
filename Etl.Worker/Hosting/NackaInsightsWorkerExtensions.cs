using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Service;
using NackaInsights.Etl.Service.Report;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Hosting;

public static class NackaInsightsWorkerExtensions
{
    /// <summary>
    /// The worker service on top of <see cref="NackaInsightsHostingExtensions.AddNackaInsights"/>: the
    /// validated <see cref="WorkerOptions"/>, Hangfire with the job storage that follows the warehouse
    /// database, its server, the recurring jobs, and the service lifetimes of systemd and Windows.
    /// </summary>
    public static IHostApplicationBuilder AddNackaInsightsWorker(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddValidatedOptions<WorkerOptions>(WorkerOptions.Section, o => o.Validate());
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(worker.Value.ShutdownTimeoutSeconds));

        // The storage and the job activator are this host's own, not Hangfire's process-wide defaults
        // (JobStorage.Current, JobActivator.Current), so that a host's jobs never run in another's.
        services.AddSingleton<JobStorage>(sp => WorkerJobStorage.Create(
            sp.GetRequiredService<WarehouseOptions>(), sp.GetRequiredService<IOptions<WorkerOptions>>().Value));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, configuration) => configuration
            .UseLogProvider(HangfireLogProvider.For(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        services.AddSingleton<WorkerRunSources>();
        services.AddTransient<RefreshJobs>();
        services.AddTransient<PowerBiRefreshJob>();
        // The municipality's follow-up report, made after each run that published and served at /rapport.
        services.AddSingleton<ServiceReport>();
        // Registered before the server, so that the jobs are in place when it starts polling.
        services.AddHostedService<RecurringJobRegistration>();
        services.AddHangfireServer((sp, server) =>
        {
            var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            server.WorkerCount = worker.WorkerCount;
            server.SchedulePollingInterval = TimeSpan.FromSeconds(worker.PollingIntervalSeconds);
            // A stop cancels the running job's token at once: its run rolls back (or finishes its commit)
            // within the shutdown timeout, and the job is queued again for after the restart.
            server.StopTimeout = TimeSpan.Zero;
            server.ShutdownTimeout = TimeSpan.FromSeconds(worker.ShutdownTimeoutSeconds);
        });

        services.AddSystemd();
        services.AddWindowsService();
        // Under systemd AddSystemd picks its own console format; the configured one (JSON by default) wins.
        services.Configure<ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));
        return builder;
    }
}
