using NackaInsights.Etl.Hosting;

namespace NackaInsights.Etl.Commands;

/// <summary>Builds the host a command runs in: configuration, logging and the services of <see cref="NackaInsightsHostingExtensions.AddNackaInsights"/>.</summary>
internal static class CommandHost
{
    /// <summary>Whether a person watches: then progress is drawn and only errors are logged; elsewhere, plain log lines.</summary>
    public static bool Interactive => !Console.IsErrorRedirected;

    public static IHost Build(IDictionary<string, string?> overrides, bool verbose = false)
    {
        // A command reads its settings once: watching appsettings.json for changes started a file system watcher
        // (and its thread) in every command, for nothing.
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection([new("hostBuilder:reloadConfigOnChange", "false")]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            Configuration = configuration,
        });
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = false;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (!verbose && Interactive)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Error);
        }
        builder.AddNackaInsights();
        return builder.Build();
    }
}
