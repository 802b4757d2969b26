using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.PowerBi;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.PowerBi;

/// <summary>
/// What the <c>refresh</c> command prints about Power BI, one line per semantic model: its pipeline and its Power BI step
/// in a host built as the command's, with the fake Power BI's transport.
/// </summary>
public sealed class PowerBiRefreshCommandFacts : WarehouseFacts
{
    private const string Workspace = "3f0c9a7e-1b2d-4c5e-8f90-a1b2c3d4e5f6";
    private const string Model = "9e8d7c6b-5a4f-4e3d-b2c1-0f1e2d3c4b5a";
    private const string DeniedWorkspace = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

    private readonly TempDirectory _source = new("nacka-powerbi-command");
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
    public async Task Refresh_PrintsOneLinePerSemanticModel_WhatBecameOfIt_AndWhyNothingWasAskedForAfterANoOpRun()
    {
        _powerBi.DenyWorkspace(DeniedWorkspace);
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        using var host = Build(enabled: true);

        var first = await RunAsync(host);

        Assert.Equal(2, first.Length);
        Assert.Equal($"  Power BI semantic model {Model} in workspace {Workspace}: refreshed (Klar).", first[0]);
        Assert.StartsWith($"  Power BI semantic model {Model} in workspace {DeniedWorkspace}: refresh FAILED; the next run that publishes tries again (Misslyckad). ", first[1]);
        // The recorded reason follows, naming the workspace and model the principal may not reach.
        Assert.Contains($"arbetsytan {DeniedWorkspace}", first[1]);
        Assert.Contains("HTTP 401", first[1]);

        var second = await RunAsync(host);

        // Only the model whose last refresh failed is named: it is still stale. The other needs nothing.
        Assert.StartsWith(
            $"  Power BI semantic model {Model} in workspace {DeniedWorkspace}: not refreshed: the run published nothing new, and its last refresh had failed (Ej begärd).",
            Assert.Single(second));
    }

    [Fact]
    public async Task Refresh_PrintsNothingAboutPowerBi_AndAsksNothing_WhenItIsOff()
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        using var host = Build(enabled: false);

        Assert.Empty(await RunAsync(host));
        Assert.Empty(_powerBi.Requests);
    }

    /// <summary>One run of the pipeline, then the Power BI step as the command takes it; the lines it printed.</summary>
    private async Task<string[]> RunAsync(IHost host)
    {
        var result = await RefreshCommand.RunPipelineAsync(host, _source.Path, "refresh", TextWriter.Null, Ct);
        Assert.True(result.Succeeded, result.Message);
        using var output = new StringWriter();
        await RefreshCommand.RefreshPowerBiAsync(host.Services, result, output, Ct);
        return output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }

    private IHost Build(bool enabled)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WarehouseOptions:Provider"] = Warehouse.Options.Provider.ToString(),
            ["WarehouseOptions:ConnectionString"] = Warehouse.Options.ConnectionString,
            ["PowerBiOptions:Enabled"] = enabled ? "true" : "false",
            ["PowerBiOptions:TenantId"] = FakePowerBiServer.TenantId,
            ["PowerBiOptions:ClientId"] = FakePowerBiServer.ClientId,
            ["PowerBiOptions:ClientSecret"] = FakePowerBiServer.ClientSecret,
            ["PowerBiOptions:AuthorityHost"] = _powerBi.AuthorityHost,
            ["PowerBiOptions:ApiBaseUrl"] = _powerBi.ApiBaseUrl,
            ["PowerBiOptions:SemanticModels:0:WorkspaceId"] = Workspace,
            ["PowerBiOptions:SemanticModels:0:SemanticModelId"] = Model,
            ["PowerBiOptions:SemanticModels:1:WorkspaceId"] = DeniedWorkspace,
            ["PowerBiOptions:SemanticModels:1:SemanticModelId"] = Model,
            ["PowerBiOptions:PollInterval"] = "00:00:00.020",
        });
        builder.Services.AddSingleton(new PowerBiTransport(_powerBi.CreateTrustingHandler));
        builder.AddNackaInsights();
        return builder.Build();
    }
}
