using Dapper;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.PowerBi;

/// <summary>The statuses of <c>pbi_etl_powerbi_refresh</c>, in Swedish as the data quality page shows them.</summary>
public static class PowerBiRefreshStatus
{
    /// <summary>Asked for; the service has not said it ended.</summary>
    public const string Requested = "Begärd";

    public const string Completed = "Klar";

    public const string Failed = "Misslyckad";

    /// <summary>Not asked for: the run published nothing new, but the model's last refresh failed, so it is still stale.</summary>
    public const string NotRequested = "Ej begärd";
}

/// <summary>
/// Records the refreshes in <c>etl_powerbi_refresh</c>: plain SQL on the warehouse's database, each write its own
/// short transaction, after the run's transaction committed. A retry of the same run's refresh replaces its row.
/// </summary>
public sealed class PowerBiRefreshStore(WarehouseDatabase database)
{
    public async Task RecordAsync(long runId, PowerBiSemanticModel model, string status, DateTime? requestedAtUtc, DateTime? finishedAtUtc, string? message, CancellationToken ct)
    {
        var dialect = database.Dialect;
        var table = dialect.ObjectName("etl_powerbi_refresh");
        var key = new { runId, workspaceId = model.WorkspaceId.Trim(), modelId = model.SemanticModelId.Trim() };
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Delete and insert rather than a dialect's upsert: the same text on all three databases.
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {table} WHERE run_id = @runId AND workspace_id = @workspaceId AND semantic_model_id = @modelId",
            key, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {table} (run_id, workspace_id, semantic_model_id, requested_at_utc, finished_at_utc, status, message) " +
            "VALUES (@runId, @workspaceId, @modelId, @requested, @finished, @status, @message)",
            new { key.runId, key.workspaceId, key.modelId, requested = dialect.Timestamp(requestedAtUtc), finished = dialect.Timestamp(finishedAtUtc), status, message },
            transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }

    /// <summary>The status recorded for the run and model; null when none is.</summary>
    public async Task<string?> StatusAsync(long runId, PowerBiSemanticModel model, CancellationToken ct)
    {
        var table = database.Dialect.ObjectName("etl_powerbi_refresh");
        await using var connection = await database.OpenAsync(ct);
        return await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            $"SELECT status FROM {table} WHERE run_id = @runId AND workspace_id = @workspaceId AND semantic_model_id = @modelId",
            new { runId, workspaceId = model.WorkspaceId.Trim(), modelId = model.SemanticModelId.Trim() }, cancellationToken: ct));
    }

    /// <summary>The status of the model's latest recorded refresh that was asked for (not <c>Ej begärd</c>); null when none was.</summary>
    public async Task<string?> LastRequestedStatusAsync(PowerBiSemanticModel model, CancellationToken ct)
    {
        var table = database.Dialect.ObjectName("etl_powerbi_refresh");
        await using var connection = await database.OpenAsync(ct);
        return await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            $"SELECT status FROM {table} WHERE workspace_id = @workspaceId AND semantic_model_id = @modelId AND status <> @notRequested ORDER BY run_id DESC",
            new { workspaceId = model.WorkspaceId.Trim(), modelId = model.SemanticModelId.Trim(), notRequested = PowerBiRefreshStatus.NotRequested },
            cancellationToken: ct));
    }
}
