using System.CommandLine;
using Azure.Identity;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.PowerBi;
using NackaInsights.Etl.PowerBi.Fabric;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary><c>powerbi deploy --workspace ID [--project DIR]</c>: publishes <c>reports/</c> through the Fabric REST API.</summary>
internal static class PowerBiCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var powerbi = new Command("powerbi", "The Power BI project in the service.");
        var deploy = new Command("deploy", "Publishes the semantic model and report of reports/ to a workspace: creates them, or updates them where they exist.");
        var workspace = new Option<string>("--workspace") { Description = "The workspace's id (a GUID).", Required = true };
        var project = new Option<string?>("--project") { Description = "The Power BI project folder (default: reports/ of the checkout above the current folder, else beside the program)." };
        var database = new DatabaseOptions();
        deploy.Options.Add(workspace);
        deploy.Options.Add(project);
        database.AddTo(deploy);
        deploy.SetAction(async (parse, ct) =>
        {
            using var host = CommandHost.Build(database.Overrides(parse));
            return await DeployAsync(host.Services, parse.GetValue(workspace)!, parse.GetValue(project) ?? DefaultProject(), stdout, stderr, ct);
        });
        powerbi.Subcommands.Add(deploy);
        return powerbi;
    }

    /// <summary>
    /// The deploy in a built host: 0 when both items are published, 2 for bad usage or missing settings (naming them),
    /// 3 when the service refused or an operation failed.
    /// </summary>
    internal static async Task<int> DeployAsync(IServiceProvider services, string workspaceId, string projectDir, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (!Guid.TryParse(workspaceId, out _))
        {
            await stderr.WriteLineAsync($"--workspace must be the workspace's id (a GUID), not \"{workspaceId}\"");
            return ExitCodes.Usage;
        }
        var options = services.GetRequiredService<IOptions<PowerBiOptions>>().Value;
        var warehouse = services.GetRequiredService<IOptions<WarehouseOptions>>().Value;
        FabricProject project;
        Azure.Core.TokenCredential credential;
        try
        {
            project = FabricProject.Open(projectDir);
            credential = PowerBiSignIn.CreateForDeploy(options, services.GetRequiredService<PowerBiTransport>());
            ModelParameters.For(warehouse);
        }
        catch (InvalidOperationException e)
        {
            await stderr.WriteLineAsync(e.Message);
            return ExitCodes.Usage;
        }
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("NackaInsights.Etl.PowerBi.Deploy");
        using var client = new FabricClient(new HttpClient(services.GetRequiredService<PowerBiTransport>().CreateHandler()), credential, options, TimeProvider.System, logger);
        try
        {
            await stdout.WriteLineAsync($"Deploying {project.Directory} to workspace {workspaceId}");
            foreach (var item in await new FabricDeployer(client).DeployAsync(workspaceId, project, warehouse, ct))
            {
                await stdout.WriteLineAsync($"  {item}");
            }
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is FabricRequestException or AuthenticationFailedException or HttpRequestException)
        {
            await stderr.WriteLineAsync($"The deploy to workspace {workspaceId} failed: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>reports/ of the checkout the operator stands in (or above), else reports/ beside the program.</summary>
    internal static string DefaultProject()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "reports");
            if (Directory.Exists(candidate) && Directory.GetDirectories(candidate, "*.SemanticModel").Length > 0)
            {
                return candidate;
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "reports");
    }
}
