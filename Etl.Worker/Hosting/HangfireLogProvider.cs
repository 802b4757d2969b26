using Hangfire.Logging;
using HangfireLevel = Hangfire.Logging.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace NackaInsights.Etl.Hosting;

/// <summary>
/// Hangfire's log lines into the host's logging. Hangfire keeps its log provider and its loggers in
/// process-wide statics, created once; Hangfire.AspNetCore's own provider would tie them for ever to the
/// logger factory of the first host, which fails once that host is disposed (tests start several hosts in
/// one process). This one writes to the factory of the host started last, and drops a line rather than throw.
/// </summary>
internal sealed class HangfireLogProvider : ILogProvider
{
    private static volatile ILoggerFactory? _factory;

    public static HangfireLogProvider For(ILoggerFactory factory)
    {
        _factory = factory;
        return new HangfireLogProvider();
    }

    public ILog GetLogger(string name) => new HostLog(name);

    private sealed class HostLog(string name) : ILog
    {
        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                if (_factory?.CreateLogger(name) is not { } logger)
                {
                    return false;
                }
                var level = logLevel switch
                {
                    HangfireLevel.Trace => LogLevel.Trace,
                    HangfireLevel.Debug => LogLevel.Debug,
                    HangfireLevel.Info => LogLevel.Information,
                    HangfireLevel.Warn => LogLevel.Warning,
                    HangfireLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (messageFunc is null)
                {
                    return logger.IsEnabled(level);
                }
                if (logger.IsEnabled(level))
                {
                    logger.Log(level, 0, messageFunc(), exception, static (message, _) => message);
                }
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
