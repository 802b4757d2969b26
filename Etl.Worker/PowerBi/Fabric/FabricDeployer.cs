using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.PowerBi.Fabric;

/// <summary>What the deploy did to one item.</summary>
public sealed record DeployedItem(string Type, string DisplayName, string Id, bool Created)
{
    public override string ToString() => $"{(Created ? "created" : "updated")} {Type} \"{DisplayName}\" ({Id})";
}

/// <summary>
/// Publishes the project to a workspace: the semantic model first (its parameters pointing at the configured warehouse),
/// then the report bound to it by id. Each is found by display name and type, and updated, or created when absent, so
/// that a second deploy updates rather than duplicates.
/// </summary>
public sealed class FabricDeployer(FabricClient client)
{
    public async Task<IReadOnlyList<DeployedItem>> DeployAsync(string workspaceId, FabricProject project, WarehouseOptions warehouse, CancellationToken ct)
    {
        var parameters = ModelParameters.For(warehouse);
        var model = await PutAsync(workspaceId, "SemanticModel", "TMDL", project.ModelName, project.ModelParts(parameters), ct);
        var report = await PutAsync(workspaceId, "Report", "PBIR", project.ReportName, project.ReportParts(model.Id), ct);
        return [model, report];
    }

    private async Task<DeployedItem> PutAsync(string workspaceId, string type, string format, string displayName, IReadOnlyList<FabricPart> parts, CancellationToken ct)
    {
        var existing = (await client.ListItemsAsync(workspaceId, type, ct))
            .FirstOrDefault(i => i.Type == type && string.Equals(i.DisplayName, displayName, StringComparison.Ordinal));
        if (existing is not null)
        {
            await client.UpdateDefinitionAsync(workspaceId, existing.Id, format, parts, ct);
            return new DeployedItem(type, displayName, existing.Id, Created: false);
        }
        var created = await client.CreateItemAsync(workspaceId, displayName, type, format, parts, ct);
        return new DeployedItem(type, displayName, created.Id, Created: true);
    }
}
