using System.Diagnostics;
using Dapper;
using Hangfire;
using Hangfire.Storage;
using NackaInsights.Etl.Service;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Service;

/// <summary>The service as the real program in a process of its own on an SQLite warehouse: killed, stopped, misconfigured.</summary>
public sealed class WorkerProcessFacts : WarehouseFacts
{
    private const int Workbooks = 200;
    private readonly TempDirectory _source = new("nacka-worker-process");

    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    private string[] DatabaseArguments => ["--db", ((SqliteTestWarehouse)Warehouse).FilePath];

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    private Dictionary<string, string> Environment(string cron = "* * * * * *", int shutdownSeconds = 10) =>
        WorkerProcess.Settings(_source.Path, cron, shutdownSeconds);

    [Fact]
    public async Task KillingTheWorkerMidLoad_LeavesTheViewsAsTheyWere_AndAfterARestartTheNextRunCompletes()
    {
        var before = await LoadReferenceAndGenerateAsync();

        long killed;
        using (var worker = WorkerProcess.Start(Environment(), DatabaseArguments))
        {
            killed = await WaitForRunningRunAsync(worker);
            worker.Kill();
            await worker.WaitForExitAsync(Ct);
        }

        Assert.True(await StatusAsync(killed) == "Pågår", "the run had already ended when it was killed; the test needs a larger load");
        Assert.Equal(before, await DataViewsAsync());

        using (var restarted = WorkerProcess.Start(Environment(), DatabaseArguments))
        {
            var runs = await WorkerTestHost.WaitForRunsAsync(Warehouse.Database,
                r => r.Any(x => x.RunId > killed && x.RunKind == WorkerJobs.SourceFolder && x.Status == "Lyckad"), Ct);
            Assert.Equal("Misslyckad", runs.Single(r => r.RunId == killed).Status);
        }
        Assert.Equal(Workbooks + 1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
    }

    [Fact]
    public async Task SigtermDuringARun_StopsTheWorkerWithinTheShutdownTimeout_AndLeavesNoHalfRun()
    {
        var before = await LoadReferenceAndGenerateAsync();
        var environment = Environment(shutdownSeconds: 10);
        // The loader says at Debug level when it takes each file into the run: then the run is mid-load.
        environment["Logging__LogLevel__NackaInsights.Warehouse.Loading"] = "Debug";
        using var worker = WorkerProcess.Start(environment, DatabaseArguments);
        var running = await WaitForRunningRunAsync(worker);
        await worker.WaitForOutputAsync($"Run {running}: {NackaInsights.Warehouse.Loading.SourceKind.BusinessCase} file", Ct);

        var stopping = Stopwatch.StartNew();
        worker.Terminate();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(10 + 10));
            await worker.WaitForExitAsync(timeout.Token);
        }

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10 + 5), $"stopped in {stopping.Elapsed}");
        Assert.True(worker.ExitCode == 0, worker.Output);
        // The run rolled back and said so, or had already committed: never half of it, and never left running.
        var status = await StatusAsync(running);
        Assert.True(status is "Misslyckad" or "Lyckad", $"run {running} is {status}\n{worker.Output}");
        var after = await DataViewsAsync();
        if (status == "Misslyckad")
        {
            Assert.Equal(before, after);
            Assert.Contains("avbröts", await ScalarAsync<string>($"SELECT message FROM pbi_etl_run WHERE run_id = {running}"));
        }
        else
        {
            Assert.Equal(Workbooks + 1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
        }
    }

    [Fact]
    public async Task AWrongSetting_StopsTheServiceAtStart_WithExitCode2AndTheKeyNamed()
    {
        var environment = Environment(cron: "every minute");
        environment["WorkerOptions__TimeZone"] = "Europe/Nacka";

        var result = await CliRunner.RunProcessAsync(_source.Path, environment, DatabaseArguments);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("WorkerOptions:Schedules:source-folder", result.Error);
        Assert.Contains("WorkerOptions:TimeZone", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    /// <summary>Loads the reference case with the command line, writes <see cref="Workbooks"/> more, and returns the data views as they are.</summary>
    private async Task<SortedDictionary<string, List<string>>> LoadReferenceAndGenerateAsync()
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        var first = await CliRunner.RunAsync(["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = await DataViewsAsync();
        for (var i = 0; i < Workbooks; i++)
        {
            ContractWorkbooks.Reference(id: $"DIG-2025-{i:000}").Save(_source.File($"business-cases/DIG-2025-{i:000}.xlsx"));
        }
        return before;
    }

    private Task<SortedDictionary<string, List<string>>> DataViewsAsync() =>
        ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

    private async Task<long> WaitForRunningRunAsync(WorkerProcess worker)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(worker.HasExited, $"the worker ended:\n{worker.Output}");
            if (await ScalarAsync<long?>($"SELECT MAX(run_id) FROM pbi_etl_run WHERE status = 'Pågår' AND run_kind = '{WorkerJobs.SourceFolder}'") is { } id)
            {
                return id;
            }
            await Task.Delay(20, Ct);
        }
        throw new TimeoutException($"The worker never started a run:\n{worker.Output}");
    }

    private Task<string> StatusAsync(long runId) => ScalarAsync<string>($"SELECT status FROM pbi_etl_run WHERE run_id = {runId}");
}
