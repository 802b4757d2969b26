using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.PowerBi;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.PowerBi;

/// <summary>
/// <c>powerbi deploy</c> against the fake Fabric REST API over HTTPS: the real Azure.Identity sign-in and HttpClient, the
/// project in the repository's <c>reports/</c>, and a host built as the command's.
/// </summary>
public sealed class DeployCommandFacts : IAsyncLifetime
{
    private const string Workspace = "5d2e8f1a-3b4c-4d5e-9f60-718293a4b5c6";

    private static readonly string Reports = Path.Combine(RepositoryFolder.Root, "reports");

    private readonly TempDirectory _folder = new("nacka-powerbi-deploy");
    private FakePowerBiServer _fabric = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DbPath => _folder.File("lager/nacka-insights.db");

    public async ValueTask InitializeAsync() => _fabric = await FakePowerBiServer.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await _fabric.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task Deploy_CreatesBothItems_InAnEmptyWorkspace_PostingExactlyTheProjectsFiles_SaveTheParametersAndTheModelReference()
    {
        var (exit, output, error) = await DeployAsync();

        Assert.True(exit == ExitCodes.Success, error);
        var token = Assert.Single(_fabric.Requests, r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));
        Assert.Contains("scope=" + Uri.EscapeDataString("https://api.fabric.microsoft.com/.default"), token.Body, StringComparison.Ordinal);
        var model = Assert.Single(_fabric.FabricItems, i => i.Type == "SemanticModel");
        var report = Assert.Single(_fabric.FabricItems, i => i.Type == "Report");
        Assert.Equal(("NackaInsights", "TMDL", Workspace), (model.DisplayName, model.Format, model.WorkspaceId));
        Assert.Equal(("NackaInsights", "PBIR", Workspace), (report.DisplayName, report.Format, report.WorkspaceId));
        Assert.Contains($"  created SemanticModel \"NackaInsights\" ({model.Id})", output);
        Assert.Contains($"  created Report \"NackaInsights\" ({report.Id})", output);

        // The model: definition.pbism and every file under definition/, byte for byte, but for the parameters' values.
        var modelFolder = Path.Combine(Reports, "NackaInsights.SemanticModel");
        Assert.Equal(Files(modelFolder, "definition.pbism"), model.Parts.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in model.Parts.Where(p => p.Key != "definition/expressions.tmdl"))
        {
            Assert.True(File.ReadAllBytes(Path.Combine(modelFolder, path)).AsSpan().SequenceEqual(bytes), path);
        }
        var original = File.ReadAllText(Path.Combine(modelFolder, "definition/expressions.tmdl")).Split('\n');
        var posted = Encoding.UTF8.GetString(model.Parts["definition/expressions.tmdl"]).Split('\n');
        Assert.Equal(original.Length, posted.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != posted[i]).ToList();
        Assert.Equal(
            [
                "expression Databastyp = \"SQLite (ODBC)\" meta [IsParameterQuery=true, List={\"SQL Server\", \"PostgreSQL\", \"SQLite (ODBC)\"}, DefaultValue=\"SQL Server\", Type=\"Text\", IsParameterQueryRequired=true]",
                $"expression Database = \"{DbPath}\" meta [IsParameterQuery=true, Type=\"Text\", IsParameterQueryRequired=true]",
            ],
            changed.Select(i => posted[i].TrimEnd('\r')));

        // The report: definition.pbir and definition/**; the pbir bound to the created model by id, not by path.
        var reportFolder = Path.Combine(Reports, "NackaInsights.Report");
        Assert.Equal(Files(reportFolder, "definition.pbir"), report.Parts.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in report.Parts.Where(p => p.Key != "definition.pbir"))
        {
            Assert.True(File.ReadAllBytes(Path.Combine(reportFolder, path)).AsSpan().SequenceEqual(bytes), path);
        }
        var pbir = JsonNode.Parse(report.Parts["definition.pbir"])!.AsObject();
        var file = JsonNode.Parse(File.ReadAllBytes(Path.Combine(reportFolder, "definition.pbir")))!.AsObject();
        Assert.Equal($"semanticmodelid={model.Id}", pbir["datasetReference"]!["byConnection"]!["connectionString"]!.GetValue<string>());
        Assert.Null(pbir["datasetReference"]!["byPath"]);
        Assert.Equal(file["$schema"]!.GetValue<string>(), pbir["$schema"]!.GetValue<string>());
        Assert.Equal(file["version"]!.GetValue<string>(), pbir["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task ASecondDeploy_UpdatesTheItems_FoundAcrossPagesOfTheList_RatherThanDuplicatingThem()
    {
        // Other items first, so that ours are on a later page of the list (one item per page).
        _fabric.AddFabricItem(Workspace, "Ekonomi", "SemanticModel");
        _fabric.AddFabricItem(Workspace, "Ekonomi", "Report");
        Assert.Equal(ExitCodes.Success, (await DeployAsync()).Exit);
        var first = _fabric.FabricItems.Where(i => i.DisplayName == "NackaInsights").ToList();

        var (exit, output, error) = await DeployAsync();

        Assert.True(exit == ExitCodes.Success, error);
        Assert.Equal(4, _fabric.FabricItems.Count);
        var model = Assert.Single(_fabric.FabricItems, i => i.DisplayName == "NackaInsights" && i.Type == "SemanticModel");
        var report = Assert.Single(_fabric.FabricItems, i => i.DisplayName == "NackaInsights" && i.Type == "Report");
        Assert.Equal(first.Select(i => i.Id), new[] { model.Id, report.Id });
        Assert.Equal((2, 2), (model.Definitions, report.Definitions));
        Assert.Contains($"  updated SemanticModel \"NackaInsights\" ({model.Id})", output);
        Assert.Contains($"  updated Report \"NackaInsights\" ({report.Id})", output);
        Assert.Contains(_fabric.Requests, r => r.Path == $"/v1/workspaces/{Workspace}/items/{model.Id}/updateDefinition" && r.Status == 200);
        Assert.Equal($"semanticmodelid={model.Id}", JsonNode.Parse(report.Parts["definition.pbir"])!["datasetReference"]!["byConnection"]!["connectionString"]!.GetValue<string>());
    }

    [Fact]
    public async Task ALongRunningCreate_IsFollowedUntilItSucceeds_AndItsResultNamesTheItem()
    {
        _fabric.ScriptNextFabricOperation(["NotStarted", "Running", "Succeeded"]);

        var (exit, output, error) = await DeployAsync();

        Assert.True(exit == ExitCodes.Success, error);
        var model = Assert.Single(_fabric.FabricItems, i => i.Type == "SemanticModel");
        var polls = _fabric.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/v1/operations/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, polls.Count(r => !r.Path.EndsWith("/result", StringComparison.Ordinal)));
        Assert.EndsWith("/result", polls[^1].Path, StringComparison.Ordinal);
        Assert.Contains($"  created SemanticModel \"NackaInsights\" ({model.Id})", output);
        // The report was posted only after the model's operation ended, bound to its id.
        Assert.Equal($"semanticmodelid={model.Id}", JsonNode.Parse(Assert.Single(_fabric.FabricItems, i => i.Type == "Report").Parts["definition.pbir"])!["datasetReference"]!["byConnection"]!["connectionString"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFailedOperation_EndsTheDeployWithExitCode3_AndItsError()
    {
        _fabric.ScriptNextFabricOperation(["Running", "Failed"], "The TMDL could not be deserialized at line 3.");

        var (exit, output, error) = await DeployAsync();

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("The TMDL could not be deserialized at line 3.", error);
        Assert.DoesNotContain(_fabric.FabricItems, i => i.Type == "Report");
        Assert.DoesNotContain("created", output);
    }

    [Fact]
    public async Task A429_IsHonoured_TheListIsAskedForAgainAfterItsRetryAfter()
    {
        _fabric.FailNext("GET", "/items", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);

        var (exit, _, error) = await DeployAsync();

        Assert.True(exit == ExitCodes.Success, error);
        var lists = _fabric.Requests.Where(r => r.Method == "GET" && r.Path == $"/v1/workspaces/{Workspace}/items").Take(2).ToList();
        Assert.Equal([429, 200], lists.Select(r => r.Status));
        // Loosely: not before the hinted second (the server's clock, a little slack for its own timing).
        Assert.True(lists[1].At - lists[0].At >= TimeSpan.FromMilliseconds(900), $"came again after {(lists[1].At - lists[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task APrincipalWithoutAccess_EndsTheDeployWithExitCode3_NamingTheWorkspace()
    {
        _fabric.DenyWorkspace(Workspace);

        var (exit, _, error) = await DeployAsync();

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("HTTP 401", error);
        Assert.Contains($"workspace {Workspace}", error);
        Assert.Empty(_fabric.FabricItems);
    }

    [Fact]
    public async Task MissingSettings_AreBadUsage_NamingEachSetting_AndNothingIsAsked()
    {
        var (exit, _, error) = await DeployAsync(new Dictionary<string, string?> { ["PowerBiOptions:TenantId"] = null, ["PowerBiOptions:ClientSecret"] = null });

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("PowerBiOptions:TenantId", error);
        Assert.Contains("ClientSecret", error);
        Assert.Empty(_fabric.Requests);
    }

    [Fact]
    public async Task TheCommandLine_HasPowerBiDeploy_AndCallsAMissingOrMalformedWorkspaceBadUsage()
    {
        using var output = new StringWriter();
        using var missing = new StringWriter();
        using var malformed = new StringWriter();

        Assert.Equal(ExitCodes.Usage, await NackaInsightsCommandLine.InvokeAsync(["powerbi", "deploy"], output, missing, Ct));
        Assert.Equal(ExitCodes.Usage, await NackaInsightsCommandLine.InvokeAsync(["powerbi", "deploy", "--workspace", "Nacka", "--project", Reports], output, malformed, Ct));

        Assert.Contains("--workspace", missing.ToString());
        Assert.Contains("--workspace must be the workspace's id (a GUID), not \"Nacka\"", malformed.ToString());
        Assert.Empty(_fabric.Requests);
    }

    private async Task<(int Exit, string[] Output, string Error)> DeployAsync(Dictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["WarehouseOptions:Provider"] = "Sqlite",
            ["WarehouseOptions:ConnectionString"] = $"Data Source={DbPath}",
            ["PowerBiOptions:TenantId"] = FakePowerBiServer.TenantId,
            ["PowerBiOptions:ClientId"] = FakePowerBiServer.ClientId,
            ["PowerBiOptions:ClientSecret"] = FakePowerBiServer.ClientSecret,
            ["PowerBiOptions:AuthorityHost"] = _fabric.AuthorityHost,
            ["PowerBiOptions:FabricBaseUrl"] = _fabric.FabricBaseUrl,
            ["PowerBiOptions:PollInterval"] = "00:00:00.020",
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(new PowerBiTransport(_fabric.CreateTrustingHandler));
        builder.AddNackaInsights();
        using var host = builder.Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PowerBiCommand.DeployAsync(host.Services, Workspace, Reports, output, error, Ct);
        return (exit, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }

    /// <summary>The root file and every file under definition/ of an item folder, as definition part paths.</summary>
    private static IEnumerable<string> Files(string folder, string rootFile) =>
        new[] { rootFile }.Concat(Directory.EnumerateFiles(Path.Combine(folder, "definition"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .Where(p => !p.Split('/').Contains(".pbi") && !p.EndsWith(".abf", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
