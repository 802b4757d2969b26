using System.Diagnostics;
using Dapper;
using Hangfire;
using NackaInsights.Etl.Service;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Service;

/// <summary>On PostgreSQL the job storage is shared, in the warehouse database: any number of worker processes, one refresh at a time.</summary>
public sealed class MultipleWorkerProcessFacts(PostgresCluster cluster) : WarehouseFacts
{
    private readonly TempDirectory _source = new("nacka-workers");

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    protected override async Task<TestWarehouse> CreateWarehouseAsync()
    {
        cluster.SkipIfUnavailable();
        return await PostgresTestWarehouse.CreateAsync(cluster);
    }

    private string[] DatabaseArguments => ["--provider", "postgres", "--connection", Warehouse.Options.ConnectionString];

    [Fact]
    public async Task TwoWorkerProcesses_TriggeredAtTheSameMoment_NeverRefreshAtOnce_AndLoadEverythingExactlyOnce()
    {
        for (var i = 0; i < 20; i++)
        {
            ContractWorkbooks.Reference(id: $"DIG-2025-{i:000}").Save(_source.File($"business-cases/DIG-2025-{i:000}.xlsx"));
        }
        // The storage's schema is created here first, so that the two processes start on a prepared one.
        var storage = WorkerJobStorage.Create(Warehouse.Options, new WorkerOptions());
        var environment = WorkerProcess.Settings(_source.Path, Cron.Never(), shutdownSeconds: 10);
        using var first = WorkerProcess.Start(environment, DatabaseArguments);
        using var second = WorkerProcess.Start(environment, DatabaseArguments);
        await Task.WhenAll(first.WaitUntilServingAsync(Ct), second.WaitUntilServingAsync(Ct));
        await WaitForAsync(() => storage.GetMonitoringApi().Servers().Count == 2, "both Hangfire servers");

        var manager = new RecurringJobManager(storage);
        var triggered = await Task.WhenAll(
            Task.Run(() => manager.TriggerJob(WorkerJobs.SourceFolder), Ct),
            Task.Run(() => manager.TriggerJob(WorkerJobs.SourceFolder), Ct));

        // Two source runs, one of which loads and is followed by the recompute and the checks.
        var runs = await WorkerTestHost.WaitForRunsAsync(Warehouse.Database,
            r => r.Count(x => x.RunKind == WorkerJobs.SourceFolder && x.Status == "Lyckad") == 2
                 && r.Any(x => x.RunKind == WorkerJobs.Checks && x.Status == "Lyckad"), Ct);
        Assert.Equal(2, triggered.Distinct().Count());
        Assert.All(runs, r => Assert.Equal("Lyckad", r.Status));
        Assert.All(runs, a => Assert.DoesNotContain(runs, b => a != b && WorkerTestHost.Overlap(a, b)));
        Assert.Equal(20L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
        Assert.Equal(20L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case_version"));
        Assert.Equal(20L, await ScalarAsync<long>(
            $"SELECT COUNT(*) FROM pbi_etl_file f JOIN pbi_etl_run r ON r.run_id = f.run_id WHERE f.status = 'Inläst' AND r.run_kind = '{WorkerJobs.SourceFolder}'"));
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Never saw {what}.");
            }
            await Task.Delay(100, Ct);
        }
    }
}
