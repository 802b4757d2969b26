using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using NackaInsights.Etl.Tests.Commands;

namespace NackaInsights.Etl.Tests.Service;

/// <summary>The real program running as the service (no command) in a process of its own, on a free loopback port.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WorkerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it wrote to standard output and standard error so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The service's settings for a test, as environment variables: the source folder, its cron, fast polling.</summary>
    public static Dictionary<string, string> Settings(string sourceDir, string cron, int shutdownSeconds) => new()
    {
        ["WorkerOptions__SourceDir"] = sourceDir,
        ["WorkerOptions__Schedules__source-folder"] = cron,
        ["WorkerOptions__PollingIntervalSeconds"] = "1",
        ["WorkerOptions__RefreshLockWaitSeconds"] = "60",
        ["WorkerOptions__ShutdownTimeoutSeconds"] = shutdownSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Logging__Console__FormatterName"] = "simple",
    };

    /// <summary>Starts <c>nacka-insights [args] --urls http://127.0.0.1:PORT</c> with <paramref name="environment"/> added.</summary>
    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var port = FreePort();
        var start = CliRunner.ProgramStart([.. args, "--urls", $"http://127.0.0.1:{port}"], environment);
        var worker = new WorkerProcess(Process.Start(start)!, port);
        worker._process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits until the dashboard answers, which it does once the host, and with it the Hangfire server, has started.</summary>
    public async Task WaitUntilServingAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(_process.HasExited, $"the worker ended before it served:\n{Output}");
            try
            {
                using var response = await http.GetAsync($"{Url}/hangfire", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"The worker never served its dashboard:\n{Output}");
    }

    /// <summary>Waits until the worker has written <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_process.HasExited, $"the worker ended before it wrote \"{text}\":\n{Output}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"The worker never wrote \"{text}\":\n{Output}");
            }
            await Task.Delay(20, ct);
        }
    }

    /// <summary>SIGKILL: the process dies at once, as in a power cut or the OOM killer.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: what systemd and <c>docker stop</c> send.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int Sigterm = 15;

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in the test project for one call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
