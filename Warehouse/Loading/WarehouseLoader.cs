using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Loading;

/// <summary>Another refresh held the warehouse for longer than the configured wait.</summary>
public sealed class RefreshLockTimeoutException(string message) : Exception(message);

/// <summary>
/// Starts pipeline runs against one warehouse, one at a time across all processes. Without <c>limits</c>, runs
/// keep the default <see cref="InputLimits"/>; without <c>time</c>, they take the system's clock.
/// </summary>
public sealed class WarehouseLoader(
    WarehouseDatabase database,
    CalculationOptions calculation,
    EvaluationOptions evaluation,
    ActualsOptions actuals,
    IndexOptions index,
    AccessOptions access,
    ILogger<WarehouseLoader> logger,
    InputLimits? limits = null,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Takes the refresh lock (waiting for a running refresh to finish), records the run as
    /// <c>Pågår</c>, and opens its transaction.
    /// </summary>
    /// <param name="runKind">What started it: <c>refresh</c>, <c>demo</c>, a job's id.</param>
    /// <param name="source">What it reads, for the operator: a folder, a site.</param>
    /// <param name="readingBeganUtc">
    /// When the caller began reading the run's sources, by <see cref="UtcNow"/>, if it did before starting the run (the
    /// pipeline lists its folders while the run starts). The run is then recorded as started at that moment, so that no
    /// file's size and time were taken before the run's start, which the fingerprints' rule of racily clean files rests on
    /// (<see cref="RefreshRun.UnchangedByItsTimes"/>); unless it had to wait for another refresh's lock: then what was read
    /// before is stale, the run starts now, and <see cref="RefreshRun.StartedAtUtc"/> says so by being later.
    /// </param>
    public async Task<RefreshRun> StartRunAsync(string runKind, string? source, IRunObserver? observer = null, CancellationToken ct = default, DateTime? readingBeganUtc = null)
    {
        var dialect = database.Dialect;
        var connection = await database.OpenAsync(ct);
        IAsyncDisposable? refreshLock = null;
        DbTransaction? transaction = null;
        long? startedRunId = null;
        try
        {
            (refreshLock, var waited) = await AcquireRefreshLockAsync(connection, ct);

            // We hold the lock: a run still marked as running died before it finished.
            var now = _time.UtcNowToTheMillisecond();
            var started = readingBeganUtc is { } began && !waited && began <= now ? began : now;
            var abandoned = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE etl_run SET status = @Failed, finished_at_utc = @Now, message = @Message WHERE status = @Running",
                new
                {
                    Failed = RunStatus.Failed,
                    Running = RunStatus.Running,
                    Now = dialect.Timestamp(now),
                    Message = "Körningen avbröts innan den blev klar (processen stoppades); inget av den publicerades.",
                },
                cancellationToken: ct));
            if (abandoned > 0)
            {
                logger.LogWarning("Marked {Count} run(s) that died while running as failed", abandoned);
            }

            var runId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                dialect.InsertRunReturningId,
                new { RunKind = runKind, Source = source, HostName = Environment.MachineName, StartedAtUtc = dialect.Timestamp(started), Status = RunStatus.Running },
                cancellationToken: ct));
            startedRunId = runId;
            logger.LogInformation("Run {RunId} ({RunKind}) started on {Database}", runId, runKind, database.Describe());

            transaction = await connection.BeginTransactionAsync(ct);
            var ids = await connection.QuerySingleAsync<(long File, long Problem, long Version)>(new CommandDefinition(
                """
                SELECT (SELECT COALESCE(MAX(file_id), 0) FROM etl_file),
                       (SELECT COALESCE(MAX(problem_id), 0) FROM etl_problem),
                       (SELECT COALESCE(MAX(bc_version_id), 0) FROM fct_business_case_version)
                """,
                transaction: transaction, cancellationToken: ct));
            // The last processed content of each name, and from its latest row (the same content, when that row is
            // Oförändrad) the size and modification time it had then and when that run began reading; and that row itself,
            // which a run that finds the file unchanged again brings up to date rather than add one (RefreshRun.AddUnchangedAsync).
            // Both ids of a name in one pass over etl_file: as two GROUP BYs joined on the name (SQLite building an
            // automatic index for the join each run) the query took 40-60 ms of CPU at scale 4 in the sqlite3 shell, as one 12-33 ms.
            var fingerprints = (await ReadFingerprintsAsync(connection, transaction, ct))
                .ToDictionary(r => (r.Kind, r.Name), r => new RefreshRun.Fingerprint(r.Sha, r.Status, r.RunId)
                {
                    SizeBytes = r.Size,
                    ModifiedUtc = r.Modified is null or DBNull ? null : Runs.Columns.ReadTimestamp(r.Modified),
                    ReadFromUtc = Runs.Columns.ReadTimestamp(r.ReadFrom),
                    Sighting = r.LatestStatus == FileStatus.Unchanged ? new RefreshRun.Sighting(r.LatestFileId, r.LatestAuthor, r.LatestUrl) : null,
                });

            return new RefreshRun(database, connection, refreshLock, transaction, runId, started, calculation, evaluation, actuals, index, access, observer, logger, fingerprints, ids, _time)
            {
                Limits = limits ?? new InputLimits(),
            };
        }
        catch (Exception error)
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
            if (startedRunId is { } id)
            {
                await MarkFailedAsync(connection, id, error);
            }
            if (refreshLock is not null)
            {
                await refreshLock.DisposeAsync();
            }
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The fingerprint query: for each name, its last processed row and its latest row, found by grouping the index of
    /// etl_file's names and statuses (on SQLite, schema version 19), then each row by its id.
    /// </summary>
    internal const string FingerprintSql =
        """
        SELECT f.source_kind AS Kind, f.file_name AS Name, f.content_sha256 AS Sha, f.status AS Status, f.run_id AS RunId,
               s.size_bytes AS Size, s.modified_at_utc AS Modified, r.started_at_utc AS ReadFrom,
               s.file_id AS LatestFileId, s.status AS LatestStatus, s.author_email AS LatestAuthor, s.source_url AS LatestUrl
        FROM (SELECT MAX(CASE WHEN status <> @Unchanged THEN file_id END) AS last_id, MAX(file_id) AS latest_id
              FROM etl_file GROUP BY source_kind, file_name) g
        JOIN etl_file f ON f.file_id = g.last_id
        JOIN etl_file s ON s.file_id = g.latest_id
        JOIN etl_run r ON r.run_id = s.run_id
        """;

    /// <summary>
    /// The last processed content of each name and its latest row (<see cref="StartRunAsync"/>). On SQLite read through
    /// SQLite's own API (<see cref="SqliteRawReader"/>), as the loads and marts read, rather than through Dapper, whose row
    /// mapping is code emitted at run time and so compiled anew by every process: the 8,800 names of a scale-4 warehouse
    /// took 150-183 ms of CPU through Dapper, 110-129 ms so (a one-changed-workbook run, 3 runs each, same build).
    /// </summary>
    private async Task<List<FingerprintRow>> ReadFingerprintsAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite && SqliteRawReader.TryOpen(sqlite, FingerprintSql, [("@Unchanged", FileStatus.Unchanged)]) is { } raw)
        {
            using (raw)
            {
                var rows = new List<FingerprintRow>();
                while (raw.Read())
                {
                    ct.ThrowIfCancellationRequested();
                    rows.Add(new FingerprintRow
                    {
                        Kind = raw.GetString(0),
                        Name = raw.GetString(1),
                        Sha = raw.GetString(2),
                        Status = raw.GetString(3),
                        RunId = Runs.Columns.Long(raw, 4),
                        Size = Runs.Columns.LongOrNull(raw, 5) ?? 0,
                        Modified = raw.IsDBNull(6) ? null : raw.GetValue(6),
                        ReadFrom = raw.GetValue(7),
                        LatestFileId = Runs.Columns.Long(raw, 8),
                        LatestStatus = raw.GetString(9),
                        LatestAuthor = Runs.Columns.TextOrNull(raw, 10),
                        LatestUrl = Runs.Columns.TextOrNull(raw, 11),
                    });
                }
                return rows;
            }
        }
        return (await connection.QueryAsync<FingerprintRow>(new CommandDefinition(
            FingerprintSql, new { Unchanged = FileStatus.Unchanged }, transaction, database.CommandTimeoutSeconds, cancellationToken: ct))).ToList();
    }

    internal sealed class FingerprintRow
    {
        public string Kind { get; init; } = "";

        public string Name { get; init; } = "";

        public string Sha { get; init; } = "";

        public string Status { get; init; } = "";

        public long RunId { get; init; }

        public long Size { get; init; }

        public object? Modified { get; init; }

        public object ReadFrom { get; init; } = "";

        public long LatestFileId { get; init; }

        public string LatestStatus { get; init; } = "";

        public string? LatestAuthor { get; init; }

        public string? LatestUrl { get; init; }
    }

    /// <summary>A run whose row was written but whose start failed (cancelled, connection lost) does not stay <c>Pågår</c>.</summary>
    private async Task MarkFailedAsync(DbConnection connection, long runId, Exception error)
    {
        var message = error is OperationCanceledException
            ? "Körningen avbröts innan den började; inget publicerades."
            : $"Körningen kunde inte starta; inget publicerades. {error.Message}";
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE etl_run SET status = @Failed, finished_at_utc = @Now, message = @Message WHERE run_id = @RunId AND status = @Running",
                new { Failed = RunStatus.Failed, Running = RunStatus.Running, Now = database.Dialect.Timestamp(_time.UtcNowToTheMillisecond()), Message = message, RunId = runId },
                cancellationToken: CancellationToken.None));
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // The next run marks it failed when it finds it still running.
            logger.LogWarning(e, "Could not mark run {RunId} as failed after its start failed", runId);
        }
    }

    /// <summary>Now, by the runs' clock, to the millisecond: what <see cref="StartRunAsync"/>'s <c>readingBeganUtc</c> is taken from.</summary>
    public DateTime UtcNow() => _time.UtcNowToTheMillisecond();

    /// <summary>The refresh lock, and whether another refresh held it first.</summary>
    private async Task<(IAsyncDisposable Lock, bool Waited)> AcquireRefreshLockAsync(DbConnection connection, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(database.Options.RefreshLockTimeoutSeconds);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            var acquired = await database.Dialect.TryAcquireRefreshLockAsync(connection, ct);
            if (acquired is not null)
            {
                if (told)
                {
                    logger.LogInformation("The other refresh finished after {Waited:0.0} s; starting", waited.Elapsed.TotalSeconds);
                }
                return (acquired, told);
            }
            if (waited.Elapsed >= timeout)
            {
                throw new RefreshLockTimeoutException(
                    $"Another refresh has held the warehouse for {timeout.TotalSeconds:0} s; this one gave up. " +
                    $"Raise {nameof(WarehouseOptions)}:{nameof(WarehouseOptions.RefreshLockTimeoutSeconds)} or try again later.");
            }
            if (!told)
            {
                logger.LogInformation("Another refresh is running; waiting for it to finish (at most {Timeout} s)", timeout.TotalSeconds);
                told = true;
            }
            await Task.Delay(LockPollInterval, ct);
        }
    }
}
