using System.Diagnostics;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>A refresh killed with SIGKILL in the middle of its load leaves the views as they were, and the next run completes.</summary>
public abstract class KilledRunFacts : WarehouseFacts
{
    private const int Workbooks = 300;
    private readonly TempDirectory _source = new("nacka-killed");

    /// <summary>The command line options that point the program at this warehouse.</summary>
    protected abstract string[] DatabaseArguments { get; }

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task KillingTheWorkerMidLoad_LeavesTheViewsAsTheyWere_AndTheNextRunCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        var first = await CliRunner.RunAsync(["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        Assert.Equal(0, first.ExitCode);
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

        for (var i = 0; i < Workbooks; i++)
        {
            ContractWorkbooks.Reference(id: $"DIG-2025-{i:000}").Save(_source.File($"business-cases/DIG-2025-{i:000}.xlsx"));
        }
        using var worker = StartWorker(["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        var running = await WaitForRunningRunAsync(worker, ct);
        worker.Kill(entireProcessTree: true);
        await worker.WaitForExitAsync(ct);

        var status = await ScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @running", new { running });
        Assert.True(status == "Pågår", $"the run had already ended ({status}) when it was killed; the test needs a larger load");
        Assert.Equal(before, await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal)));

        var next = await CliRunner.RunAsync(["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Equal("Misslyckad", await ScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @running", new { running }));
        Assert.Equal(Workbooks + 1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
    }

    private static Process StartWorker(string[] args)
    {
        var process = Process.Start(CliRunner.ProgramStart(args))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<long> WaitForRunningRunAsync(Process worker, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(worker.HasExited, "the worker ended before it was killed");
            var running = await ScalarAsync<long?>("SELECT MAX(run_id) FROM pbi_etl_run WHERE status = 'Pågår'");
            if (running is { } id)
            {
                return id;
            }
            await Task.Delay(10, ct);
        }
        throw new TimeoutException("The worker never started its run.");
    }
}

public sealed class SqliteKilledRunFacts : KilledRunFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    protected override string[] DatabaseArguments => ["--db", ((SqliteTestWarehouse)Warehouse).FilePath];
}

public sealed class PostgresKilledRunFacts(PostgresCluster cluster) : KilledRunFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    protected override string[] DatabaseArguments => ["--provider", "postgres", "--connection", Warehouse.Options.ConnectionString];
}
