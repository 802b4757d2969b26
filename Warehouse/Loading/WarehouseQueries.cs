using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
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

/// <summary>
/// The warehouse could not be opened or read (a file that is no database, a directory, a server that refuses): not the
/// same as a warehouse without its schema yet. The message names the database and the reason.
/// </summary>
public sealed class WarehouseUnreadableException(string message, Exception inner) : Exception(message, inner);

/// <summary>What <see cref="WarehouseQueries.OpenForReadingAsync"/> found: queries that only read, and the schema version (null: no schema yet).</summary>
public sealed record WarehouseReading(WarehouseQueries Queries, int? SchemaVersion);

/// <summary>What the operator asks of the warehouse: its runs, their files and problems. Reads the pbi_* views only.</summary>
public sealed class WarehouseQueries(WarehouseDatabase database)
{
    /// <summary>
    /// Opens <paramref name="warehouse"/> only to read, as <c>status</c> does, and reads its schema version. An SQLite
    /// file is opened read-only, so that a warehouse on a read-only file system, or in a directory this user may not
    /// write, can still be read. Throws <see cref="WarehouseUnreadableException"/> when it cannot be opened or read.
    /// </summary>
    public static async Task<WarehouseReading> OpenForReadingAsync(WarehouseDatabase warehouse, CancellationToken ct = default)
    {
        try
        {
            var reading = await ReadOnlyWarehouse.OpenAsync(warehouse, ct);
            return new WarehouseReading(new WarehouseQueries(reading), await SchemaVersionAsync(reading, ct));
        }
        catch (DbException e)
        {
            throw Unreadable(warehouse, e);
        }
    }

    private static WarehouseUnreadableException Unreadable(WarehouseDatabase warehouse, DbException e) =>
        new($"Cannot read the warehouse, {warehouse.Describe()}: {e.Message}", e);

    /// <summary>
    /// The recorded schema version; null when there is no <c>schema_version</c> table, which is asked of the catalogue so
    /// that a database that cannot be read fails here rather than passing for one without a schema.
    /// </summary>
    private static async Task<int?> SchemaVersionAsync(WarehouseDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(database.Dialect.Provider switch
        {
            WarehouseProvider.Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'",
            WarehouseProvider.Postgres => "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = 'schema_version' AND schemaname = ANY (current_schemas(false))",
            _ => "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'schema_version'",
        }, cancellationToken: ct));
        return exists == 0
            ? null
            : await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", cancellationToken: ct));
    }

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

    /// <summary>
    /// When the last run that read sources and published finished (recompute and checks runs read none);
    /// null when none has. For the worker's readiness.
    /// </summary>
    public async Task<DateTime?> LastSuccessfulRefreshAsync(IReadOnlyCollection<string> runKindsThatReadNoSources, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var parameters = new DynamicParameters(new { Succeeded = RunStatus.Succeeded });
        var excluded = runKindsThatReadNoSources.Select((kind, i) =>
        {
            parameters.Add($"k{i}", kind);
            return $"@k{i}";
        }).ToList();
        var sql = "SELECT MAX(finished_at_utc) FROM pbi_etl_run WHERE status = @Succeeded" +
            (excluded.Count == 0 ? "" : $" AND run_kind NOT IN ({string.Join(", ", excluded)})");
        var value = await connection.ExecuteScalarAsync<object?>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        return value switch
        {
            null or DBNull => null,
            DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc),
            string text => DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
            _ => Convert.ToDateTime(value, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// What an actuals workbook is judged by, as last published: for <c>validate FILE</c>, which checks a
    /// workbook without loading it. A run judges against its own state instead (<see cref="RefreshRun.GetActualsCatalogueAsync"/>).
    /// </summary>
    public async Task<ActualsCatalogue> GetActualsCatalogueAsync(IEnumerable<string> administrators, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        var initiatives = await connection.QueryAsync<(string InitiativeId, string? ObjectId, string? ManagerEmail, int? FirstYear, int? LastYear)>(new CommandDefinition(
            """
            SELECT i.initiative_id, i.object_id, o.manager_email, b.first_year, b.last_year
            FROM pbi_dim_initiative i
            LEFT JOIN pbi_dim_object o ON o.object_id = i.object_id
            LEFT JOIN pbi_fct_business_case b ON b.initiative_id = i.initiative_id
            """, cancellationToken: ct));
        var lines = (await connection.QueryAsync<(string InitiativeId, string BenefitLine, string BenefitType)>(new CommandDefinition(
            "SELECT DISTINCT initiative_id, benefit_line, benefit_type FROM pbi_fct_benefit_realization", cancellationToken: ct)))
            .ToLookup(l => l.InitiativeId, StringComparer.Ordinal);
        return new ActualsCatalogue(
            initiatives.Select(i => new CatalogueInitiative(i.InitiativeId, i.ObjectId, i.ManagerEmail, i.FirstYear, i.LastYear,
                lines[i.InitiativeId]
                    .Select(l => new CatalogueLine(l.BenefitLine, Labels.TryParseBenefitType(l.BenefitType, out var type) ? type : BenefitType.Financial))
                    .ToList())),
            administrators);
    }

    /// <summary>
    /// The pre-filled actuals workbook's content for one förvaltningsobjekt (matched regardless of letter
    /// case), from the published realisation; null when neither the object nor any initiative of it is known.
    /// </summary>
    public async Task<ActualsTemplateData?> GetActualsTemplateAsync(string objectId, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        // The object id as Power BI compares it: regardless of letter case, ö and Ö alike (UPPER() folds ASCII only).
        string Fold(string sql) => DataChecks.ForDatabase(connection, sql);
        var id = objectId.Trim();
        var obj = await connection.QueryFirstOrDefaultAsync<(string ObjectId, string? Name, string? ManagerEmail)?>(new CommandDefinition(
            Fold("SELECT object_id, name, manager_email FROM pbi_dim_object WHERE KEY_FOLD(object_id) = KEY_FOLD(@id) ORDER BY object_id"),
            new { id }, cancellationToken: ct));
        var initiatives = (await connection.QueryAsync<(string InitiativeId, string? Name, string ObjectId)>(new CommandDefinition(
            Fold("SELECT initiative_id, name, object_id FROM pbi_dim_initiative WHERE KEY_FOLD(object_id) = KEY_FOLD(@id)"),
            new { id }, cancellationToken: ct))).ToList();
        if (obj is null && initiatives.Count == 0)
        {
            return null;
        }
        var rows = (await connection.QueryAsync<TemplateRealization>(new CommandDefinition(
            Fold("""
            SELECT r.initiative_id AS InitiativeId, r.benefit_line AS BenefitLine, r.benefit_type AS BenefitType, r.year AS Year,
                   r.planned_value AS Planned, r.actual_value AS Reported, r.comment AS Comment, r.line_row AS LineRow
            FROM pbi_fct_benefit_realization r
            JOIN pbi_dim_initiative i ON i.initiative_id = r.initiative_id
            WHERE KEY_FOLD(i.object_id) = KEY_FOLD(@id)
            """), new { id }, cancellationToken: ct))).ToList();
        var names = initiatives.ToDictionary(i => i.InitiativeId, i => i.Name, StringComparer.Ordinal);
        return new ActualsTemplateData(
            obj?.ObjectId ?? initiatives[0].ObjectId,
            obj?.Name,
            obj?.ManagerEmail,
            rows.OrderBy(r => r.InitiativeId, StringComparer.Ordinal).ThenBy(r => r.LineRow).ThenBy(r => r.Year)
                .Select(r => new ActualsTemplateRow(r.InitiativeId, names.GetValueOrDefault(r.InitiativeId), r.BenefitLine, r.BenefitType, r.Year, r.Planned, r.Reported, r.Comment))
                .ToList());
    }

    private sealed class TemplateRealization
    {
        public string InitiativeId { get; init; } = "";
        public string BenefitLine { get; init; } = "";
        public string BenefitType { get; init; } = "";
        public int Year { get; init; }
        public decimal Planned { get; init; }
        public decimal? Reported { get; init; }
        public string? Comment { get; init; }
        public int LineRow { get; init; }
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
