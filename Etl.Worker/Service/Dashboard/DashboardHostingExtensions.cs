using Hangfire;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Service.Health;
using NackaInsights.Etl.Service.Report;
using HangfireDashboardOptions = Hangfire.DashboardOptions;

namespace NackaInsights.Etl.Service.Dashboard;

public static class DashboardHostingExtensions
{
    /// <summary>Health endpoints, anonymous for probes.</summary>
    public const string LivePath = "/health/live";

    public const string ReadyPath = "/health/ready";

    private const string ReadyTag = "ready";

    /// <summary>
    /// The dashboard's and the health endpoints' services: <c>DashboardOptions</c> and <c>HealthOptions</c>
    /// bound and validated at start, antiforgery for the dashboard's commands, and the readiness checks (the
    /// warehouse database, the age of the last refresh). Needs <c>AddNackaInsights</c> for the warehouse.
    /// </summary>
    public static IHostApplicationBuilder AddNackaInsightsDashboard(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddValidatedOptions<DashboardOptions>(nameof(DashboardOptions), DashboardOptionsValidation.Problems);
        builder.AddValidatedOptions<HealthOptions>(nameof(HealthOptions));
        // The host check is ASP.NET Core's own middleware, which the web host already puts first in the pipeline;
        // only its options are ours: the loopback names by default, no empty Host, and no '*'.
        services.AddOptions<HostFilteringOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<HostFilteringOptions>, ConfigureHostFiltering>();
        services.AddSingleton<IValidateOptions<HostFilteringOptions>, AllowedHostsValidation>();
        services.TryAddSingleton(TimeProvider.System);
        // Hangfire checks the antiforgery token of every dashboard command when IAntiforgery is registered:
        // with Basic authentication the browser sends the credentials by itself, so a forged POST would succeed.
        services.AddAntiforgery();

        // Clamped here only so that registration succeeds; an out-of-range setting is named by the validation at start.
        var timeoutSeconds = builder.Configuration.GetValue($"{nameof(HealthOptions)}:{nameof(HealthOptions.CheckTimeoutSeconds)}", new HealthOptions().CheckTimeoutSeconds);
        var timeout = TimeSpan.FromSeconds(Math.Clamp(timeoutSeconds, 1, 300));
        services.AddHealthChecks()
            .AddCheck<WarehouseDatabaseHealthCheck>(WarehouseDatabaseHealthCheck.Name, HealthStatus.Unhealthy, [ReadyTag], timeout)
            .AddCheck<RefreshFreshnessHealthCheck>(RefreshFreshnessHealthCheck.Name, HealthStatus.Unhealthy, [ReadyTag], timeout);
        return builder;
    }

    /// <summary>
    /// Behind the host check of <see cref="AllowedHosts"/>: the Hangfire dashboard at <c>DashboardOptions:Path</c>, behind <see cref="DashboardAuthorizationFilter"/> and
    /// read-only as configured; where the worker's <see cref="ServiceReport"/> is registered, <c>GET /rapport</c> behind the same filter;
    /// <c>GET /health/live</c> (the process runs, no database) and <c>GET /health/ready</c>
    /// (the database answers and the last refresh is recent enough; 503 otherwise). Needs <c>AddHangfire</c> with a storage.
    /// </summary>
    public static WebApplication MapNackaInsightsDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILogger<DashboardAuthorizationFilter>>();
        var filter = new DashboardAuthorizationFilter(options, logger, app.Services.GetRequiredService<TimeProvider>());
        logger.LogInformation(
            "Dashboard at {Path}: loopback {Loopback}; remote {Remote}{ReadOnly}",
            options.Path,
            options.AllowAnonymousLoopback ? "without credentials" : "with credentials",
            options.Users.Count == 0 ? "refused (no users configured)"
                : $"for {options.Users.Count} user(s) with Basic credentials{(options.RequireHttps ? " over HTTPS only" : ", also over plain HTTP")}",
            options.ReadOnly ? "; read-only" : "");
        logger.LogInformation(
            "The dashboard and the health endpoints answer only to the host names {Hosts} ({Key}); any other Host gets 400",
            string.Join(";", app.Services.GetRequiredService<IOptions<HostFilteringOptions>>().Value.AllowedHosts), AllowedHosts.Key);
        app.UseHangfireDashboard(options.Path, new HangfireDashboardOptions
        {
            DashboardTitle = "NackaInsights",
            AppPath = null,
            Authorization = [filter],
            IsReadOnlyFunc = filter.IsReadOnly,
            DisplayStorageConnectionString = false,
        });

        if (app.Services.GetService<ServiceReport>() is { } report)
        {
            ReportEndpoint.Map(app, filter, report);
            logger.LogInformation("The follow-up report at {Path}, protected as the dashboard is, from {File}", ReportEndpoint.Path, report.FilePath);
        }

        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }
}
