using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using NackaInsights.Etl.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>
/// A stop signal to a <c>refresh</c> on the command line, sent to the real program in a process of its own mid-load:
/// the run is cancelled, rolled back and recorded as cancelled, the program says so on standard error and exits 3
/// (cli.md: the run failed, the warehouse is as it was), and the next refresh loads everything.
/// </summary>
public abstract class TerminationSignalsFacts : WarehouseFacts
{
    public const int Sigint = 2;
    public const int Sigquit = 3;
    public const int Sigterm = 15;

    private const int Workbooks = 300;
    private readonly TempDirectory _source = new("nacka-signals");

    /// <summary>The command line options that point the program at this warehouse.</summary>
    protected abstract string[] DatabaseArguments { get; }

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public Task Sigterm_DuringARefresh_RollsItBack_RecordsItAsCancelled_AndExits3() => StopMidLoadAsync(Sigterm, "SIGTERM");

    protected async Task StopMidLoadAsync(int signal, string name)
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        var first = await CliRunner.RunAsync(["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        var before = await DataViewsAsync();
        for (var i = 0; i < Workbooks; i++)
        {
            ContractWorkbooks.Reference(id: $"DIG-2025-{i:000}").Save(_source.File($"business-cases/DIG-2025-{i:000}.xlsx"));
        }

        using var refresh = CliProcess.Start(
            new Dictionary<string, string> { ["Logging__LogLevel__NackaInsights.Warehouse.Loading"] = "Debug" },
            ["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        var running = await WaitForRunningRunAsync(refresh);
        // The run says at Debug level when it takes each file in: then it is mid-load, its transaction open.
        await refresh.WaitForOutputAsync($"Run {running}: {NackaInsights.Warehouse.Loading.SourceKind.BusinessCase} file", Ct);
        refresh.Signal(signal);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(120));
            await refresh.WaitForExitAsync(timeout.Token);
        }

        Assert.True(refresh.ExitCode == ExitCodes.Failed, $"exit {refresh.ExitCode}\n{refresh.Output}\n{refresh.Error}");
        Assert.Contains($"{name} received", refresh.Error);
        Assert.DoesNotContain("   at ", refresh.Output);
        Assert.Contains($"Run {running} FAILED; the warehouse is as it was before", refresh.Output);
        Assert.Equal("Misslyckad", await ScalarAsync<string>($"SELECT status FROM pbi_etl_run WHERE run_id = {running}"));
        // The run says what it was working on when it was stopped: "Körningen avbröts när nyttokalkylen … lästes; inget publicerades."
        var message = await ScalarAsync<string>($"SELECT message FROM pbi_etl_run WHERE run_id = {running}");
        Assert.StartsWith("Körningen avbröts", message);
        Assert.EndsWith("; inget publicerades.", message);
        Assert.Equal(before, await DataViewsAsync());

        var next = await CliRunner.RunAsync(["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        Assert.True(next.ExitCode == ExitCodes.Success, next.ToString());
        Assert.Equal(Workbooks + 1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
    }

    private Task<SortedDictionary<string, List<string>>> DataViewsAsync() =>
        ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

    private async Task<long> WaitForRunningRunAsync(CliProcess refresh)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(refresh.HasExited, $"the refresh ended before it was stopped:\n{refresh.Output}");
            if (await ScalarAsync<long?>("SELECT MAX(run_id) FROM pbi_etl_run WHERE status = 'Pågår'") is { } id)
            {
                return id;
            }
            await Task.Delay(10, Ct);
        }
        throw new TimeoutException($"The refresh never started its run:\n{refresh.Output}");
    }
}

public sealed class SqliteTerminationSignalsFacts : TerminationSignalsFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    protected override string[] DatabaseArguments => ["--db", ((SqliteTestWarehouse)Warehouse).FilePath];

    [Theory]
    [InlineData(Sigint, "SIGINT")]
    [InlineData(Sigquit, "SIGQUIT")]
    public Task CtrlCOrSigquit_DuringARefresh_RollsItBack_RecordsItAsCancelled_AndExits3(int signal, string name) => StopMidLoadAsync(signal, name);
}

public sealed class PostgresTerminationSignalsFacts(PostgresCluster cluster) : TerminationSignalsFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    protected override string[] DatabaseArguments => ["--provider", "postgres", "--connection", Warehouse.Options.ConnectionString];
}

/// <summary>The real program running one command in a process of its own, its output captured, to be signalled.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private CliProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => Read(_output);

    public string Error => Read(_error);

    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var cli = new CliProcess(Process.Start(CliRunner.ProgramStart(args, environment))!);
        cli._process.OutputDataReceived += (_, e) => Append(cli._output, e.Data);
        cli._process.ErrorDataReceived += (_, e) => Append(cli._error, e.Data);
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Waits until the program has written <paramref name="text"/> to standard error, where it logs.</summary>
    public async Task WaitForOutputAsync(string text, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(_process.HasExited, $"the program ended before it wrote \"{text}\":\n{Output}\n{Error}");
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"The program never wrote \"{text}\":\n{Output}\n{Error}");
            }
            await Task.Delay(10, ct);
        }
    }

    /// <summary>Sends <paramref name="signal"/>, as <c>kill -SIGNAL pid</c>, Ctrl+C on a terminal, systemd or <c>docker stop</c> do.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async Task WaitForExitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct);
        // The exit does not wait for the last lines read from the pipes; this does.
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (text)
        {
            text.AppendLine(line);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in the test project for one call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
