using Dapper;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Loading;

/// <summary>A row of <c>pbi_etl_run</c>.</summary>
public sealed record RunRow
{
    public long RunId { get; init; }

    public DateTime StartedAtUtc { get; init; }

    public DateTime? FinishedAtUtc { get; init; }

    public string Status { get; init; } = "";

    public int RowsLoaded { get; init; }

    public int RowsRejected { get; init; }

    public string? Message { get; init; }

    public string RunKind { get; init; } = "";
}

/// <summary>A row of <c>pbi_etl_file</c>.</summary>
public sealed record FileRow
{
    public long RunId { get; init; }

    public string SourceKind { get; init; } = "";

    public string FileName { get; init; } = "";

    public string ContentSha256 { get; init; } = "";

    public string Status { get; init; } = "";

    public int RowsLoaded { get; init; }

    public int RowsRejected { get; init; }

    public string? Message { get; init; }

    public DateTime ProcessedAtUtc { get; init; }
}

/// <summary>A row of <c>pbi_etl_problem</c>.</summary>
public sealed record ProblemRow
{
    public long RunId { get; init; }

    public string SourceName { get; init; } = "";

    public string? SheetName { get; init; }

    public string? Cell { get; init; }

    public string Message { get; init; } = "";

    public string? ItemId { get; init; }
}

/// <summary>What the operator asks of the warehouse: its runs, their files and problems. Reads the pbi_* views only.</summary>
public sealed class WarehouseQueries(WarehouseDatabase database)
{
    public async Task<IReadOnlyList<RunRow>> LatestRunsAsync(int count, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"""
            SELECT run_id AS RunId, started_at_utc AS StartedAtUtc, finished_at_utc AS FinishedAtUtc, status AS Status,
                   rows_loaded AS RowsLoaded, rows_rejected AS RowsRejected, message AS Message, run_kind AS RunKind
            FROM pbi_etl_run
            ORDER BY run_id DESC
            {database.Dialect.Limit(count)}
            """, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<IReadOnlyList<FileRow>> FilesOfRunAsync(long runId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<FileRow>(new CommandDefinition(
            """
            SELECT run_id AS RunId, source_kind AS SourceKind, file_name AS FileName, content_sha256 AS ContentSha256, status AS Status,
                   rows_loaded AS RowsLoaded, rows_rejected AS RowsRejected, message AS Message, processed_at_utc AS ProcessedAtUtc
            FROM pbi_etl_file
            WHERE run_id = @RunId
            ORDER BY file_id
            """, new { RunId = runId }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<IReadOnlyList<ProblemRow>> ProblemsOfRunAsync(long runId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<ProblemRow>(new CommandDefinition(
            """
            SELECT run_id AS RunId, source_name AS SourceName, sheet_name AS SheetName, cell AS Cell, message AS Message, item_id AS ItemId
            FROM pbi_etl_problem
            WHERE run_id = @RunId
            ORDER BY problem_id
            """, new { RunId = runId }, cancellationToken: ct));
        return rows.ToList();
    }
}
