using System.Text.RegularExpressions;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.PowerBi;
using NackaInsights.Etl.Service;
using NackaInsights.Etl.Tests.Service;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.PowerBi;

/// <summary>
/// The worker service refreshes Power BI as a Hangfire continuation of the run's job: the real hosting of the service on an
/// SQLite warehouse, a source folder job triggered by hand, and the fake Power BI over HTTPS.
/// </summary>
public sealed partial class PowerBiServiceFacts : WarehouseFacts
{
    private const string Workspace = "3f0c9a7e-1b2d-4c5e-8f90-a1b2c3d4e5f6";
    private const string Model = "9e8d7c6b-5a4f-4e3d-b2c1-0f1e2d3c4b5a";

    private readonly TempDirectory _source = new("nacka-powerbi-worker");
    private FakePowerBiServer _powerBi = null!;

    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _powerBi = await FakePowerBiServer.StartAsync(Ct);
    }

    public override async ValueTask DisposeAsync()
    {
        await _powerBi.DisposeAsync();
        _source.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task ARunThatPublished_IsFollowedByThePowerBiRefreshAsAContinuationOfItsJob()
    {
        _powerBi.ScriptRefresh(Workspace, Model, ("InProgress", []), ("Completed", []));
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        using var host = await StartAsync();
        var storage = host.Services.GetRequiredService<JobStorage>();

        var (runJob, checksJob, refreshJob) = await TriggerSourceFolderAsync(host, storage);

        var refresh = await WorkerTestHost.WaitForJobAsync(storage, refreshJob, Ct, SucceededState.StateName, FailedState.StateName, ScheduledState.StateName);
        Assert.Equal(SucceededState.StateName, WorkerTestHost.StateOf(storage, refreshJob)?.Name);
        Assert.Equal(typeof(PowerBiRefreshJob), refresh.Job.Type);
        // Hangfire's continuation: it waited on the end of the run's chain (its checks), so that the service read the final facts.
        Assert.Contains(refresh.History, h => h.StateName == AwaitingState.StateName && h.Data.TryGetValue("ParentId", out var parent) && parent == checksJob);
        Assert.Equal(SucceededState.StateName, WorkerTestHost.StateOf(storage, runJob)?.Name);
        var run = (await WorkerTestHost.RunsAsync(Warehouse.Database, Ct)).First(r => r.RunKind == WorkerJobs.SourceFolder);
        Assert.Equal(run.RunId, Convert.ToInt64(refresh.Job.Args[0]));
        Assert.Equal(PowerBiRefreshStatus.Completed, await ScalarAsync<string>("SELECT status FROM pbi_etl_powerbi_refresh WHERE run_id = @RunId", new { run.RunId }));
        Assert.Single(_powerBi.Requests, r => r.Method == "POST" && r.Path.EndsWith("/refreshes", StringComparison.Ordinal));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task AFailedRefresh_FailsOnlyItsOwnJob_ForHangfireToRetry_WhileTheRunsJobSucceeded()
    {
        _powerBi.DenyWorkspace(Workspace);
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        using var host = await StartAsync();
        var storage = host.Services.GetRequiredService<JobStorage>();

        var (runJob, _, refreshJob) = await TriggerSourceFolderAsync(host, storage);

        // AutomaticRetry schedules the failed refresh again minutes later.
        await WorkerTestHost.WaitForJobAsync(storage, refreshJob, Ct, ScheduledState.StateName, FailedState.StateName);
        Assert.Equal(SucceededState.StateName, WorkerTestHost.StateOf(storage, runJob)?.Name);
        var run = (await WorkerTestHost.RunsAsync(Warehouse.Database, Ct)).First(r => r.RunKind == WorkerJobs.SourceFolder);
        Assert.Equal("Lyckad", run.Status);
        var message = await ScalarAsync<string>("SELECT message FROM pbi_etl_powerbi_refresh WHERE run_id = @RunId AND status = 'Misslyckad'", new { run.RunId });
        Assert.Contains(Workspace, message);
        Assert.Contains(Model, message);
        await host.StopAsync(Ct);
    }

    /// <summary>Triggers the source folder job, waits for it, and reads its continuations' job ids from its result.</summary>
    private async Task<(string RunJob, string ChecksJob, string RefreshJob)> TriggerSourceFolderAsync(IHost host, JobStorage storage)
    {
        var runJob = host.Services.GetRequiredService<IRecurringJobManagerV2>().TriggerJob(WorkerJobs.SourceFolder);
        await WorkerTestHost.WaitForJobAsync(storage, runJob, Ct, SucceededState.StateName, FailedState.StateName);
        var state = WorkerTestHost.StateOf(storage, runJob);
        Assert.Equal(SucceededState.StateName, state?.Name);
        var result = state!.Data["Result"];
        var checks = ChecksJobId().Match(result);
        var refresh = RefreshJobId().Match(result);
        Assert.True(checks.Success && refresh.Success, result);
        return (runJob, checks.Groups[1].Value, refresh.Groups[1].Value);
    }

    private async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WarehouseOptions:Provider"] = Warehouse.Options.Provider.ToString(),
            ["WarehouseOptions:ConnectionString"] = Warehouse.Options.ConnectionString,
            ["WorkerOptions:PollingIntervalSeconds"] = "1",
            ["WorkerOptions:SourceDir"] = _source.Path,
            [$"WorkerOptions:Schedules:{WorkerJobs.SourceFolder}"] = Cron.Never(),
            ["Logging:Console:FormatterName"] = "simple",
            ["PowerBiOptions:Enabled"] = "true",
            ["PowerBiOptions:TenantId"] = FakePowerBiServer.TenantId,
            ["PowerBiOptions:ClientId"] = FakePowerBiServer.ClientId,
            ["PowerBiOptions:ClientSecret"] = FakePowerBiServer.ClientSecret,
            ["PowerBiOptions:AuthorityHost"] = _powerBi.AuthorityHost,
            ["PowerBiOptions:ApiBaseUrl"] = _powerBi.ApiBaseUrl,
            ["PowerBiOptions:SemanticModels:0:WorkspaceId"] = Workspace,
            ["PowerBiOptions:SemanticModels:0:SemanticModelId"] = Model,
            ["PowerBiOptions:PollInterval"] = "00:00:00.020",
        });
        // Before AddNackaInsights, whose default transport would not trust the fake's certificate.
        builder.Services.AddSingleton(new PowerBiTransport(_powerBi.CreateTrustingHandler));
        builder.AddNackaInsights();
        builder.AddNackaInsightsWorker();
        var host = builder.Build();
        await host.StartAsync(Ct);
        return host;
    }

    [GeneratedRegex(@"Followed by the Power BI refresh \(job ([^)]+)\)")]
    private static partial Regex RefreshJobId();

    [GeneratedRegex(@"and checks \(job ([^)]+)\)")]
    private static partial Regex ChecksJobId();
}
