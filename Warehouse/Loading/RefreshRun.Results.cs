using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

/// <summary>
/// A result workbook owed to an upload (<c>etl_result_owed</c>): rendered as the upload was taken into its run, and
/// kept until it has been written beside the upload.
/// </summary>
/// <param name="SourceKey">The source the upload came from, across runs (a folder, a document library).</param>
/// <param name="UploadName">The upload's name across runs, as <c>pbi_etl_file.file_name</c> shows it.</param>
/// <param name="FileName">The upload's own file name.</param>
/// <param name="UploadId">What the source finds the upload by again: a full path, a drive item id.</param>
/// <param name="Workbook">The result workbook, as rendered; null until it is read back for writing.</param>
public sealed record OwedResult(string SourceKey, string UploadName, string FileName, string UploadId, byte[]? Workbook)
{
    /// <summary>Its row, once recorded.</summary>
    public long OwedId { get; init; }

    /// <summary>The run that owes it.</summary>
    public long RunId { get; init; }

    /// <summary>How many earlier attempts to write it failed.</summary>
    public int Attempts { get; init; }
}

/// <summary>What writing the owed result workbooks came to.</summary>
public sealed record OwedResultsWritten(int Written, int Failed, int Superseded, int GivenUp);

public sealed partial class RefreshRun
{
    /// <summary>How many runs in a row may fail to write one result workbook before it is given up (and logged as lost).</summary>
    public const int OwedResultAttempts = 5;

    /// <summary>How many owed result workbooks are read back, written and settled at a time: few, so that each settling is a small transaction.</summary>
    private const int OwedResultPage = 16;

    private string? _activity;
    private bool _keepLock;
    private Stage? _stage;

    /// <summary>
    /// What the run is working on, in Swedish, as the end of a sentence: <c>när listan Initiativ lästes</c>. A run that
    /// fails says so in its message (<c>pbi_etl_run.message</c>), so that a failure names the list, file or phase. The
    /// run sets it for its own phases; its caller for each source it takes in.
    /// </summary>
    public string? Activity
    {
        get => Volatile.Read(ref _activity);
        set => Volatile.Write(ref _activity, value);
    }

    /// <summary>The files taken into the run so far, in order.</summary>
    public IReadOnlyList<FileResult> Files => _ledger.Files;

    /// <summary>
    /// Keeps the refresh lock past <see cref="CompleteAsync"/> or <see cref="FailAsync"/> until the run is disposed, so
    /// that the owed result workbooks are written (<see cref="WriteOwedResultsAsync"/>) with no other run writing them
    /// too, or removing the temporary files they are written through.
    /// </summary>
    public void KeepLockUntilDisposed() => _keepLock = true;

    /// <summary>
    /// Takes one file into the run as a unit (<see cref="AddBusinessCaseAsync"/>, <see cref="AddActualsAsync"/>,
    /// <see cref="AddSurveyAsync"/>): when <paramref name="stage"/> throws, everything it had taken in is undone, its
    /// file row, problems and rows, so that nothing half-staged is ever published, and the exception is rethrown for the
    /// caller to record the file as rejected. What it buffers is written to the database only once it has succeeded;
    /// should the database have been written while it ran (the model brought up to date for an actuals upload), the undo
    /// cannot reach that, and the exception is rethrown as <see cref="StagingNotUndoneException"/>, a fault of the run.
    /// </summary>
    public async Task<T> StageAsync<T>(SourceFile file, Func<Task<T>> stage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(stage);
        if (_stage is not null)
        {
            throw new InvalidOperationException("A file is already being staged.");
        }
        _stage = new Stage(this, file.Kind == SourceKind.Index);
        T value;
        try
        {
            value = await stage();
        }
        catch (Exception e)
        {
            var started = _stage;
            _stage = null;
            // A fault of the run (the database, cancellation, memory) fails it anyway, as it is.
            if (started.TouchedDatabase && e is not (DbException or OperationCanceledException or OutOfMemoryException))
            {
                throw new StagingNotUndoneException(file.Name, e);
            }
            started.Undo(this);
            throw;
        }
        _stage = null;
        await FlushIfFullAsync(ct);
        return value;
    }

    /// <summary>What a run held before a file was staged: enough to undo what the staging took in.</summary>
    private sealed class Stage
    {
        private readonly RowBuffer.Mark _buffered;
        private readonly RunLedger.Mark _ledger;
        private readonly long? _nextActualId;
        private readonly bool _indexInputsChanged;
        private readonly IReadOnlyDictionary<(int Year, string Unit, string Dimension), object?[]>? _surveyResults;
        private readonly (int Initiatives, int Units, int Objects)? _keys;

        public Stage(RefreshRun run, bool survey)
        {
            _buffered = run._buffer.Marked();
            _ledger = run._ledger.Marked();
            _nextActualId = run._nextActualId;
            _indexInputsChanged = run._indexInputsChanged;
            // Survey values replace earlier ones of their key: only a copy can give those back. Survey exports are few.
            _surveyResults = survey ? run._survey.Marked() : null;
            // Key spellings the file would have made known are forgotten with it; loaded during the staging, all the run's are.
            _keys = run._keys?.Mark;
        }

        /// <summary>Whether the staging wrote to the database, which the undo cannot reach.</summary>
        public bool TouchedDatabase { get; set; }

        public void Undo(RefreshRun run)
        {
            run._keys?.Forget(_keys ?? (0, 0, 0));
            run._buffer.Forget(_buffered);
            run._ledger.Forget(_ledger);
            foreach (var fileId in run._caseFiles.Keys.Where(id => id >= _ledger.NextFileId).ToList())
            {
                run._caseFiles.Remove(fileId);
            }
            run._nextActualId = _nextActualId;
            run._indexInputsChanged = _indexInputsChanged;
            if (_surveyResults is not null)
            {
                run._survey.Forget(_surveyResults);
            }
            // Nothing of it reached the database, so nothing of it is pending for the marts (RunTransaction.Pending).
        }
    }

    /// <summary>
    /// Records, in the run's transaction, a result workbook that an upload is owed: it is published with the run, or
    /// rolled back with it, and written after the run by <see cref="WriteOwedResultsAsync"/>, by this run or a later one.
    /// </summary>
    public async Task OweResultAsync(OwedResult owed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(owed);
        ArgumentNullException.ThrowIfNull(owed.Workbook);
        await _connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO etl_result_owed (run_id, source_key, upload_name, file_name, upload_id, workbook, attempts, owed_at_utc)
            VALUES (@RunId, @SourceKey, @UploadName, @FileName, @UploadId, @Workbook, 0, @OwedAtUtc)
            """,
            new { RunId, owed.SourceKey, owed.UploadName, owed.FileName, owed.UploadId, owed.Workbook, OwedAtUtc = Dialect.Timestamp(_time.UtcNowToTheMillisecond()) },
            Transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
    }

    /// <summary>
    /// Once the run has finished (published or failed): writes every result workbook still owed to the uploads of
    /// <paramref name="sourceKeys"/>, earlier runs' first, so that a later result is never overwritten by an earlier
    /// one; of several owed to one upload only the latest is written. Each row is deleted, in a small transaction of
    /// its own page, once <paramref name="write"/> says its workbook was written; one it could not write stays owed,
    /// for the next run, up to <see cref="OwedResultAttempts"/> attempts. Needs <see cref="KeepLockUntilDisposed"/>.
    /// </summary>
    /// <param name="write">Writes one workbook; says whether it was written. Runs for several at once.</param>
    public async Task<OwedResultsWritten> WriteOwedResultsAsync(
        IReadOnlyCollection<string> sourceKeys, Func<OwedResult, CancellationToken, Task<bool>> write, int parallelism, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sourceKeys);
        ArgumentNullException.ThrowIfNull(write);
        if (!_finished || !_keepLock)
        {
            throw new InvalidOperationException("Owed result workbooks are written after the run has finished, while it still holds the refresh lock.");
        }
        if (sourceKeys.Count == 0)
        {
            return new OwedResultsWritten(0, 0, 0, 0);
        }
        // A connection of its own: the run's may be what broke a failed run.
        await using var connection = await _database.OpenAsync(ct);
        var owed = new List<OwedResult>();
        foreach (var key in sourceKeys.Distinct(StringComparer.Ordinal))
        {
            var rows = await connection.QueryAsync<OwedRow>(new CommandDefinition(
                """
                SELECT owed_id AS OwedId, run_id AS RunId, source_key AS SourceKey, upload_name AS UploadName, file_name AS FileName,
                       upload_id AS UploadId, attempts AS Attempts
                FROM etl_result_owed WHERE source_key = @key ORDER BY owed_id
                """, new { key }, commandTimeout: _database.CommandTimeoutSeconds, cancellationToken: ct));
            owed.AddRange(rows.Select(r => new OwedResult(r.SourceKey, r.UploadName, r.FileName, r.UploadId, null) { OwedId = r.OwedId, RunId = r.RunId, Attempts = r.Attempts }));
        }
        var latest = owed.GroupBy(o => (o.SourceKey, o.UploadId)).Select(g => g.MaxBy(o => o.OwedId)!).OrderBy(o => o.OwedId).ToList();
        var kept = latest.Select(o => o.OwedId).ToHashSet();
        var superseded = owed.Where(o => !kept.Contains(o.OwedId)).Select(o => o.OwedId).ToList();
        await SettleAsync(connection, superseded, [], ct);

        var (written, failed, givenUp) = (0, 0, 0);
        foreach (var page in latest.Chunk(OwedResultPage))
        {
            var filled = new List<OwedResult>(page.Length);
            foreach (var o in page)
            {
                var workbook = await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(
                    "SELECT workbook FROM etl_result_owed WHERE owed_id = @OwedId", new { o.OwedId }, commandTimeout: _database.CommandTimeoutSeconds, cancellationToken: ct));
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
                else if (o.Attempts + 1 >= OwedResultAttempts)
                {
                    givenUp++;
                    done.Add(o.OwedId);
                    _logger.LogError("Gave up the result workbook of {Upload} (owed since run {RunId}) after {Attempts} failed attempts; the upload's outcome is still in pbi_etl_file",
                        o.UploadName, o.RunId, OwedResultAttempts);
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
            done.Select(id => new { OwedId = id }), transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("UPDATE etl_result_owed SET attempts = attempts + 1 WHERE owed_id = @OwedId",
            retry.Select(id => new { OwedId = id }), transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }
}

/// <summary>
/// A file's staging failed after the run had written to the database on its behalf: what it took in cannot be undone,
/// so the run fails rather than publish half of it. Its message is Swedish: it ends up in the failed run's message.
/// </summary>
public sealed class StagingNotUndoneException(string fileName, Exception inner)
    : Exception($"{inner.Message} Det som redan skrivits för {fileName} kunde inte tas bort ur körningen igen.", inner)
{
    public string FileName { get; } = fileName;
}
