using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// The result workbooks owed to uploads (<c>etl_result_owed</c>): recorded in a run's transaction, so that they are
/// published or rolled back with it, and written after it, by that run or a later one.
/// </summary>
public sealed class OwedResults(WarehouseDatabase database, ILogger logger, TimeProvider time)
{
    /// <summary>How many runs in a row may fail to write one result workbook before it is given up (and logged as lost).</summary>
    public const int Attempts = 5;

    /// <summary>How many owed result workbooks are read back, written and settled at a time: few, so that each settling is a small transaction.</summary>
    private const int Page = 16;

    /// <summary>
    /// Records, in the run's transaction, a result workbook that an upload is owed: it is published with the run, or
    /// rolled back with it, and written after the run by <see cref="WriteAsync"/>, by this run or a later one.
    /// </summary>
    public async Task OweAsync(DbConnection connection, DbTransaction transaction, long runId, OwedResult owed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(owed);
        ArgumentNullException.ThrowIfNull(owed.Workbook);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO etl_result_owed (run_id, source_key, upload_name, file_name, upload_id, workbook, attempts, owed_at_utc)
            VALUES (@RunId, @SourceKey, @UploadName, @FileName, @UploadId, @Workbook, 0, @OwedAtUtc)
            """,
            new { RunId = runId, owed.SourceKey, owed.UploadName, owed.FileName, owed.UploadId, owed.Workbook, OwedAtUtc = database.Dialect.Timestamp(time.UtcNowToTheMillisecond()) },
            transaction, database.CommandTimeoutSeconds, cancellationToken: ct));
    }

    /// <summary>
    /// Once the run has finished (published or failed): writes every result workbook still owed to the uploads of
    /// <paramref name="sourceKeys"/>, earlier runs' first, so that a later result is never overwritten by an earlier
    /// one; of several owed to one upload only the latest is written. Each row is deleted, in a small transaction of
    /// its own page, once <paramref name="write"/> says its workbook was written; one it could not write stays owed,
    /// for the next run, up to <see cref="Attempts"/> attempts. The caller holds the refresh lock (<see cref="RefreshRun.KeepLockUntilDisposed"/>).
    /// </summary>
    /// <param name="write">Writes one workbook; says whether it was written. Runs for several at once.</param>
    public async Task<OwedResultsWritten> WriteAsync(
        IReadOnlyCollection<string> sourceKeys, Func<OwedResult, CancellationToken, Task<bool>> write, int parallelism, CancellationToken ct)
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
                       upload_id AS UploadId, attempts AS Attempts
                FROM etl_result_owed WHERE source_key = @key ORDER BY owed_id
                """, new { key }, commandTimeout: database.CommandTimeoutSeconds, cancellationToken: ct));
            owed.AddRange(rows.Select(r => new OwedResult(r.SourceKey, r.UploadName, r.FileName, r.UploadId, null) { OwedId = r.OwedId, RunId = r.RunId, Attempts = r.Attempts }));
        }
        var latest = owed.GroupBy(o => (o.SourceKey, o.UploadId)).Select(g => g.MaxBy(o => o.OwedId)!).OrderBy(o => o.OwedId).ToList();
        var kept = latest.Select(o => o.OwedId).ToHashSet();
        var superseded = owed.Where(o => !kept.Contains(o.OwedId)).Select(o => o.OwedId).ToList();
        await SettleAsync(connection, superseded, [], ct);

        var (written, failed, givenUp) = (0, 0, 0);
        foreach (var page in latest.Chunk(Page))
        {
            var filled = new List<OwedResult>(page.Length);
            foreach (var o in page)
            {
                var workbook = await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(
                    "SELECT workbook FROM etl_result_owed WHERE owed_id = @OwedId", new { o.OwedId }, commandTimeout: database.CommandTimeoutSeconds, cancellationToken: ct));
                filled.Add(o with { Workbook = workbook });
            }
            var outcomes = new bool[filled.Count];
            await Parallel.ForAsync(0, filled.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct },
                async (i, token) => outcomes[i] = await write(filled[i], token));
            var done = new List<long>();
            var retry = new List<long>();
            for (var i = 0; i < filled.Count; i++)
            {
                var o = filled[i];
                if (outcomes[i])
                {
                    written++;
                    done.Add(o.OwedId);
                }
                else if (o.Attempts + 1 >= Attempts)
                {
                    givenUp++;
                    done.Add(o.OwedId);
                    logger.LogError("Gave up the result workbook of {Upload} (owed since run {RunId}) after {Attempts} failed attempts; the upload's outcome is still in pbi_etl_file",
                        o.UploadName, o.RunId, Attempts);
                }
                else
                {
                    failed++;
                    retry.Add(o.OwedId);
                }
            }
            await SettleAsync(connection, done, retry, ct);
        }
        return new OwedResultsWritten(written, failed, superseded.Count, givenUp);
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
    }

    /// <summary>Deletes the rows of written (or given up) workbooks, and counts a failed attempt on the others: one small transaction.</summary>
    private async Task SettleAsync(DbConnection connection, IReadOnlyList<long> done, IReadOnlyList<long> retry, CancellationToken ct)
    {
        if (done.Count + retry.Count == 0)
        {
            return;
        }
        // Row by row: a page is small, and Dapper hands a list to PostgreSQL as an array, which IN (…) does not take.
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM etl_result_owed WHERE owed_id = @OwedId",
            done.Select(id => new { OwedId = id }), transaction, database.CommandTimeoutSeconds, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("UPDATE etl_result_owed SET attempts = attempts + 1 WHERE owed_id = @OwedId",
            retry.Select(id => new { OwedId = id }), transaction, database.CommandTimeoutSeconds, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }
}
