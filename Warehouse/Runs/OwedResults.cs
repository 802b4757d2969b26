using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// What uploads are owed after their run (<c>etl_result_owed</c>): their result workbooks written or stale ones removed,
/// and their status in the library's columns. Recorded in a run's transaction, so that it is published or rolled back
/// with it, and done after it, by that run or a later one: a failed run sets no status and writes no workbook.
/// </summary>
public sealed class OwedResults(WarehouseDatabase database, ILogger logger, TimeProvider time)
{
    /// <summary>How many runs in a row may fail at what one upload is owed before it is given up (and logged as lost).</summary>
    public const int Attempts = 5;

    /// <summary>
    /// How many owed result workbooks are read back, written and settled at a time: a small transaction each, and what a
    /// process that dies while writing does again. A run's own are staged already, so writing one is mostly a rename; at
    /// 16 a page, settling 2,000 took 140 transactions.
    /// </summary>
    private const int Page = 128;

    /// <summary>
    /// How many owed rows one INSERT statement records: 8 parameters a row, within SQL Server's 2,100 and its 1,000 rows
    /// of a VALUES list. One statement a row was 2,200 statements at scale 1, on PostgreSQL each a round trip.
    /// </summary>
    private const int RowsPerInsert = 64;

    /// <summary>
    /// Records, in the run's transaction, what an upload is owed: it is published with the run, or rolled back with it,
    /// and done after the run by <see cref="WriteAsync"/>, by this run or a later one.
    /// </summary>
    public Task OweAsync(DbConnection connection, DbTransaction transaction, long runId, OwedResult owed, CancellationToken ct) =>
        OweAsync(connection, transaction, runId, [owed], ct);

    /// <summary>
    /// Records what several uploads are owed, as <see cref="OweAsync(DbConnection, DbTransaction, long, OwedResult, CancellationToken)"/>,
    /// a few statements for all of them; their rows are numbered in the order given.
    /// </summary>
    public async Task OweAsync(DbConnection connection, DbTransaction transaction, long runId, IReadOnlyList<OwedResult> owed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(owed);
        foreach (var o in owed)
        {
            ArgumentNullException.ThrowIfNull(o, nameof(owed));
            if (!ResultAction.All.Contains(o.Action))
            {
                throw new ArgumentException($"Unknown result action \"{o.Action}\".", nameof(owed));
            }
            if (o.Action == ResultAction.Write)
            {
                ArgumentNullException.ThrowIfNull(o.Workbook, nameof(owed));
            }
        }
        var owedAt = database.Dialect.Timestamp(time.UtcNowToTheMillisecond());
        if (connection is SqliteConnection sqlite)
        {
            OweRowByRow(sqlite, (SqliteTransaction)transaction, runId, owedAt, owed, ct);
            return;
        }
        foreach (var chunk in owed.Chunk(RowsPerInsert))
        {
            var parameters = new DynamicParameters();
            parameters.Add("RunId", runId);
            parameters.Add("OwedAtUtc", owedAt);
            var values = new System.Text.StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                var o = chunk[i];
                var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                values.Append(i == 0 ? "" : ",\n")
                    .Append($"(@RunId, @SourceKey{n}, @UploadName{n}, @FileName{n}, @UploadId{n}, @Workbook{n}, 0, @OwedAtUtc, @Action{n}, @Status{n}, @Message{n})");
                parameters.Add("SourceKey" + n, o.SourceKey);
                parameters.Add("UploadName" + n, o.UploadName);
                parameters.Add("FileName" + n, o.FileName);
                parameters.Add("UploadId" + n, o.UploadId);
                // workbook is NOT NULL since version 8: an upload owed no workbook keeps an empty one.
                parameters.Add("Workbook" + n, o.Action == ResultAction.Write ? o.Workbook : []);
                parameters.Add("Action" + n, o.Action);
                parameters.Add("Status" + n, o.Status);
                parameters.Add("Message" + n, o.Message);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO etl_result_owed (run_id, source_key, upload_name, file_name, upload_id, workbook, attempts, owed_at_utc, result_action, file_status, file_message)
                VALUES {values}
                """,
                parameters, transaction, database.CommandTimeoutSeconds, cancellationToken: ct));
        }
    }

    /// <summary>
    /// SQLite has no round trips to save: one prepared statement, its parameters bound anew for each row. The statement of
    /// 64 rows had 578 named parameters, each looked up by name in a list SQLite searches from the start, when preparing
    /// and binding: recording a full refresh's 2,200 uploads (scale 1) took 0.23–0.25 s of the writing thread's CPU
    /// (110 µs a row, on the single writer connection, in the load), row by row 0.057–0.060 s (3 runs each).
    /// </summary>
    private void OweRowByRow(SqliteConnection connection, SqliteTransaction transaction, long runId, object? owedAt, IReadOnlyList<OwedResult> owed, CancellationToken ct)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandTimeout = database.CommandTimeoutSeconds;
        insert.CommandText = """
            INSERT INTO etl_result_owed (run_id, source_key, upload_name, file_name, upload_id, workbook, attempts, owed_at_utc, result_action, file_status, file_message)
            VALUES ($run, $key, $name, $file, $id, $workbook, 0, $at, $action, $status, $message)
            """;
        var run = insert.Parameters.Add("$run", SqliteType.Integer);
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var file = insert.Parameters.Add("$file", SqliteType.Text);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var workbook = insert.Parameters.Add("$workbook", SqliteType.Blob);
        var at = insert.Parameters.Add("$at", SqliteType.Text);
        var action = insert.Parameters.Add("$action", SqliteType.Text);
        var status = insert.Parameters.Add("$status", SqliteType.Text);
        var message = insert.Parameters.Add("$message", SqliteType.Text);
        run.Value = runId;
        at.Value = owedAt ?? DBNull.Value;
        insert.Prepare();
        foreach (var o in owed)
        {
            ct.ThrowIfCancellationRequested();
            key.Value = o.SourceKey;
            name.Value = o.UploadName;
            file.Value = o.FileName;
            id.Value = o.UploadId;
            // workbook is NOT NULL since version 8: an upload owed no workbook keeps an empty one.
            workbook.Value = o.Action == ResultAction.Write ? o.Workbook! : Array.Empty<byte>();
            action.Value = o.Action;
            status.Value = (object?)o.Status ?? DBNull.Value;
            message.Value = (object?)o.Message ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Once the run has finished (published or failed): does what is still owed to the uploads of
    /// <paramref name="sourceKeys"/>, an upload at a time, earlier runs' first. Of several rows owed to one upload, its
    /// status is the latest row's, and its workbook the latest that writes or removes one (a later unchanged upload
    /// leaves the workbook an earlier run still owes it); the rest are superseded. The rows are deleted, in a small
    /// transaction of their own page, once <paramref name="write"/> says all was done; when only the status failed,
    /// only the status stays owed. What could not be done stays owed, for the next run, up to <see cref="Attempts"/>
    /// attempts. The caller holds the refresh lock (<see cref="RefreshRun.KeepLockUntilDisposed"/>).
    /// </summary>
    /// <param name="write">Does what one upload is owed; says how far it got. Runs for several at once.</param>
    public async Task<OwedResultsWritten> WriteAsync(
        IReadOnlyCollection<string> sourceKeys, Func<OwedResult, CancellationToken, Task<OwedOutcome>> write, int parallelism, CancellationToken ct)
    {
        if (sourceKeys.Count == 0)
        {
            return new OwedResultsWritten(0, 0, 0, 0);
        }
        // A connection of its own: the run's may be what broke a failed run.
        await using var connection = await database.OpenAsync(ct);
        var owed = new List<OwedResult>();
        foreach (var key in sourceKeys.Distinct(StringComparer.Ordinal))
        {
            var rows = await connection.QueryAsync<OwedRow>(new CommandDefinition(
                """
                SELECT owed_id AS OwedId, run_id AS RunId, source_key AS SourceKey, upload_name AS UploadName, file_name AS FileName,
                       upload_id AS UploadId, attempts AS Attempts, result_action AS Action, file_status AS Status, file_message AS Message
                FROM etl_result_owed WHERE source_key = @key ORDER BY owed_id
                """, new { key }, commandTimeout: database.CommandTimeoutSeconds, cancellationToken: ct));
            owed.AddRange(rows.Select(r => new OwedResult(r.SourceKey, r.UploadName, r.FileName, r.UploadId, null)
            {
                OwedId = r.OwedId, RunId = r.RunId, Attempts = r.Attempts, Action = r.Action, Status = r.Status, Message = r.Message,
            }));
        }
        var plans = owed.GroupBy(o => (o.SourceKey, o.UploadId)).Select(Plan.Of).OrderBy(p => p.Latest.OwedId).ToList();
        var kept = plans.SelectMany(p => p.Rows).ToHashSet();
        var superseded = owed.Where(o => !kept.Contains(o.OwedId)).Select(o => o.OwedId).ToList();
        await SettleAsync(connection, superseded, [], [], ct);

        var (written, failed, givenUp) = (0, 0, 0);
        foreach (var page in plans.Chunk(Page))
        {
            var workbooks = await WorkbooksAsync(connection, page.Select(p => p.Workbook).Where(w => w is { Action: ResultAction.Write }).Select(w => w!.OwedId).ToList(), ct);
            var filled = page.Select(plan => plan.Latest with
            {
                Action = plan.Workbook?.Action ?? ResultAction.Leave,
                Workbook = plan.Workbook is { Action: ResultAction.Write } w ? workbooks[w.OwedId] : null,
            }).ToList();
            var outcomes = new OwedOutcome[filled.Count];
            await Parallel.ForAsync(0, filled.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
                async (i, token) => outcomes[i] = await write(filled[i], token));
            var done = new List<long>();
            var retry = new List<long>();
            var statusOnly = new List<long>();
            for (var i = 0; i < filled.Count; i++)
            {
                var (plan, o) = (page[i], filled[i]);
                if (outcomes[i] == OwedOutcome.Done)
                {
                    written++;
                    done.AddRange(plan.Rows);
                }
                else if (o.Attempts + 1 >= Attempts)
                {
                    givenUp++;
                    done.AddRange(plan.Rows);
                    logger.LogError("Gave up what {Upload} was owed (owed since run {RunId}; {What}) after {Attempts} failed attempts; the upload's outcome is still in pbi_etl_file",
                        o.UploadName, o.RunId, outcomes[i] == OwedOutcome.Failed ? $"its result workbook ({o.Action})" : "its status", Attempts);
                }
                else
                {
                    failed++;
                    if (outcomes[i] == OwedOutcome.StatusFailed)
                    {
                        // The workbook is done: what stays owed is the status, on the latest row.
                        done.AddRange(plan.Rows.Where(id => id != o.OwedId));
                        statusOnly.Add(o.OwedId);
                    }
                    retry.Add(o.OwedId);
                }
            }
            await SettleAsync(connection, done, retry, statusOnly, ct);
            HeapCompaction.WhenGrown();
        }
        return new OwedResultsWritten(written, failed, superseded.Count, givenUp);
    }

    /// <summary>What is owed to one upload: the latest row (its status, its attempts), and the row whose workbook it gets.</summary>
    private sealed record Plan(OwedResult Latest, OwedResult? Workbook)
    {
        public IEnumerable<long> Rows => Workbook is null || Workbook.OwedId == Latest.OwedId ? [Latest.OwedId] : [Latest.OwedId, Workbook.OwedId];

        public static Plan Of(IEnumerable<OwedResult> rows)
        {
            var all = rows.OrderBy(o => o.OwedId).ToList();
            return new Plan(all[^1], all.LastOrDefault(o => o.Action != ResultAction.Leave));
        }
    }

    private sealed class OwedRow
    {
        public long OwedId { get; set; }

        public long RunId { get; set; }

        public string SourceKey { get; set; } = "";

        public string UploadName { get; set; } = "";

        public string FileName { get; set; } = "";

        public string UploadId { get; set; } = "";

        public int Attempts { get; set; }

        public string Action { get; set; } = ResultAction.Write;

        public string? Status { get; set; }

        public string? Message { get; set; }
    }

    /// <summary>
    /// Deletes the rows of what was done (or given up), counts a failed attempt on the others, and marks those whose
    /// workbook is done as owing only their status: one small transaction.
    /// </summary>
    private async Task SettleAsync(DbConnection connection, IReadOnlyList<long> done, IReadOnlyList<long> retry, IReadOnlyList<long> statusOnly, CancellationToken ct)
    {
        if (done.Count + retry.Count + statusOnly.Count == 0)
        {
            return;
        }
        // One statement for each kind of settling, the ids as parameters of an IN list: a page is small. Row by row, on
        // PostgreSQL each was a round trip, about 0.3 s of the 2.5 s the result workbooks of 2,000 uploads took.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteForAsync(connection, transaction, "DELETE FROM etl_result_owed WHERE owed_id IN ({ids})", done, null, ct);
        await ExecuteForAsync(connection, transaction, "UPDATE etl_result_owed SET attempts = attempts + 1 WHERE owed_id IN ({ids})", retry, null, ct);
        await ExecuteForAsync(connection, transaction, "UPDATE etl_result_owed SET result_action = @Leave WHERE owed_id IN ({ids})", statusOnly, ResultAction.Leave, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The workbooks of <paramref name="owedIds"/>, in one query: one a row, on PostgreSQL a round trip each, was about
    /// 0.6 s of the 2.5 s the result workbooks of 2,000 uploads took.
    /// </summary>
    private async Task<Dictionary<long, byte[]>> WorkbooksAsync(DbConnection connection, IReadOnlyList<long> owedIds, CancellationToken ct)
    {
        if (owedIds.Count == 0)
        {
            return [];
        }
        var (list, parameters) = IdList(owedIds);
        var rows = await connection.QueryAsync<OwedWorkbook>(new CommandDefinition(
            $"SELECT owed_id AS OwedId, workbook AS Workbook FROM etl_result_owed WHERE owed_id IN ({list})",
            parameters, commandTimeout: database.CommandTimeoutSeconds, cancellationToken: ct));
        return rows.ToDictionary(r => r.OwedId, r => r.Workbook);
    }

    private async Task ExecuteForAsync(DbConnection connection, DbTransaction transaction, string sql, IReadOnlyList<long> owedIds, string? leave, CancellationToken ct)
    {
        if (owedIds.Count == 0)
        {
            return;
        }
        // The superseded rows of one write are as many as runs left them: in chunks, within SQL Server's 2,100 parameters.
        foreach (var chunk in owedIds.Chunk(RunTransaction.InListChunk))
        {
            var (list, parameters) = IdList(chunk);
            if (leave is not null)
            {
                parameters.Add("Leave", leave);
            }
            await connection.ExecuteAsync(new CommandDefinition(sql.Replace("{ids}", list, StringComparison.Ordinal), parameters, transaction,
                database.CommandTimeoutSeconds, cancellationToken: ct));
        }
    }

    /// <summary>
    /// An IN list of one parameter per id: Dapper hands a list to PostgreSQL as an array, which IN (…) does not take. The
    /// lists are a page's (<see cref="Page"/>) or a chunk of at most <see cref="RunTransaction.InListChunk"/>.
    /// </summary>
    private static (string List, DynamicParameters Parameters) IdList(IReadOnlyList<long> owedIds)
    {
        var parameters = new DynamicParameters();
        var names = new string[owedIds.Count];
        for (var i = 0; i < owedIds.Count; i++)
        {
            names[i] = "@id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add(names[i][1..], owedIds[i]);
        }
        return (string.Join(", ", names), parameters);
    }

    private sealed class OwedWorkbook
    {
        public long OwedId { get; set; }

        public byte[] Workbook { get; set; } = [];
    }
}
