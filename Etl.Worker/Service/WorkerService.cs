using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Service.Dashboard;

namespace NackaInsights.Etl.Service;

/// <summary>
/// <c>nacka-insights</c> with no command: the long-running service. The web host carries the Hangfire
/// server with the recurring jobs and the dashboard.
/// </summary>
public static class WorkerService
{
    /// <summary>Where the service listens when nothing else is configured: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Builds the service: <paramref name="overrides"/> are configuration from the command line (the database options).</summary>
    public static WebApplication Build(string[] webArgs, IDictionary<string, string?> overrides)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = webArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        if (!HasConfiguredEndpoints(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.AddNackaInsights();
        builder.AddNackaInsightsWorker();
        builder.AddNackaInsightsDashboard();

        var app = builder.Build();
        app.MapNackaInsightsDashboard();
        return app;
    }

    /// <summary>Runs the service until it is stopped (SIGTERM, Ctrl+C, the service manager).</summary>
    public static async Task RunAsync(string[] webArgs, IDictionary<string, string?> overrides, CancellationToken ct)
    {
        await using var app = Build(webArgs, overrides);
        await app.RunAsync(ct);
    }

    /// <summary>Whether <c>--urls</c>, <c>ASPNETCORE_URLS</c>, the HTTP(S) ports or Kestrel endpoints say where to listen.</summary>
    internal static bool HasConfiguredEndpoints(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["urls"])
        || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
