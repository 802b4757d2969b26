using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

/// <summary>What becomes of the result workbook beside an upload (<c>etl_result_owed.result_action</c>).</summary>
public static class ResultAction
{
    /// <summary>The rendered workbook is written beside the upload, replacing an earlier one.</summary>
    public const string Write = "write";

    /// <summary>No workbook this time: one an earlier version of the upload had is removed, or it would show mended problems.</summary>
    public const string Remove = "remove";

    /// <summary>The workbook beside the upload is left as it is (an unchanged upload, or one that only gets its status).</summary>
    public const string Leave = "leave";

    public static readonly IReadOnlyList<string> All = [Write, Remove, Leave];
}

/// <summary>
/// What an upload is owed after its run (<c>etl_result_owed</c>): its result workbook written, or a stale one removed,
/// and its status and message in the columns of the library it lies in. Recorded as the upload was taken into its run,
/// and kept until it has been done.
/// </summary>
/// <param name="SourceKey">The source the upload came from, across runs (a folder, a document library).</param>
/// <param name="UploadName">The upload's name across runs, as <c>pbi_etl_file.file_name</c> shows it.</param>
/// <param name="FileName">The upload's own file name.</param>
/// <param name="UploadId">What the source finds the upload by again: a full path, a drive item id.</param>
/// <param name="Workbook">
/// The result workbook, as rendered, when <see cref="Action"/> is <see cref="ResultAction.Write"/>; null until it is
/// read back for writing, and for the other actions.
/// </param>
public sealed record OwedResult(string SourceKey, string UploadName, string FileName, string UploadId, byte[]? Workbook)
{
    /// <summary>What becomes of the workbook beside the upload (<see cref="ResultAction"/>).</summary>
    public string Action { get; init; } = ResultAction.Write;

    /// <summary>The upload's status as <c>etl_file</c> records it, for the library's status column; null when the source shows none.</summary>
    public string? Status { get; init; }

    /// <summary>The upload's message, cut short, for the library's message column; with <see cref="Status"/>.</summary>
    public string? Message { get; init; }

    /// <summary>Its row, once recorded.</summary>
    public long OwedId { get; init; }

    /// <summary>The run that owes it.</summary>
    public long RunId { get; init; }

    /// <summary>How many earlier attempts to write it failed.</summary>
    public int Attempts { get; init; }
}

/// <summary>How far one attempt at what an upload is owed got.</summary>
public enum OwedOutcome
{
    /// <summary>Nothing is done: the workbook could not be written or removed. It stays owed whole.</summary>
    Failed,

    /// <summary>The workbook is done, the status is not: only the status stays owed.</summary>
    StatusFailed,

    /// <summary>All of it is done.</summary>
    Done,
}

/// <summary>What writing the owed result workbooks came to.</summary>
public sealed record OwedResultsWritten(int Written, int Failed, int Superseded, int GivenUp);

public sealed partial class RefreshRun
{
    /// <summary>How many runs in a row may fail to write one result workbook before it is given up (and logged as lost).</summary>
    public const int OwedResultAttempts = OwedResults.Attempts;

    private readonly OwedResults _owed;
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
        private readonly IReadOnlyDictionary<(int Year, string Unit, string Dimension), object?[]>? _surveyResults;
        private readonly (int Initiatives, int Units, int Objects)? _keys;

        public Stage(RefreshRun run, bool survey)
        {
            _buffered = run._buffer.Marked();
            _ledger = run._ledger.Marked();
            _nextActualId = run._actualsLoad.Mark;
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
            run._businessCases.ForgetFilesFrom(_ledger.NextFileId);
            run._actualsLoad.Forget(_nextActualId);
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
    public Task OweResultAsync(OwedResult owed, CancellationToken ct) => _owed.OweAsync(_connection, Transaction, RunId, owed, ct);

    /// <summary>Records what several uploads are owed, as <see cref="OweResultAsync"/>, in a few statements; numbered in the order given.</summary>
    public Task OweResultsAsync(IReadOnlyList<OwedResult> owed, CancellationToken ct) => _owed.OweAsync(_connection, Transaction, RunId, owed, ct);

    /// <summary>What uploads are owed, given before their workbooks were rendered, in the order given.</summary>
    private readonly Queue<Task<IReadOnlyList<OwedResult>>> _owedWhenRendered = new();

    /// <summary>
    /// Records what some uploads are owed once <paramref name="owed"/> has their workbooks: the caller renders them beside
    /// the run, on a core its one connection leaves idle, while later uploads are loaded and the marts are built. Each set
    /// that is done is recorded between marts (<see cref="OweRenderedResultsAsync"/>), and every one after the data
    /// checks (which read none of them), before the run publishes them all, or none. A set that faults fails the run, as
    /// recording it would.
    /// </summary>
    public void OweResultsWhenRendered(Task<IReadOnlyList<OwedResult>> owed)
    {
        ArgumentNullException.ThrowIfNull(owed);
        _owedWhenRendered.Enqueue(owed);
    }

    /// <summary>
    /// Records the sets given to <see cref="OweResultsWhenRendered"/> whose workbooks are rendered, in order, up to the
    /// first that is not: what is rendered is not held longer than it takes the run to get to it.
    /// </summary>
    public Task OweRenderedResultsAsync(CancellationToken ct) => OweRenderedAsync(every: false, ct);

    /// <summary>A failed run owes nothing: the sets still to be recorded are let go, a render's fault observed.</summary>
    private void ForgetRenderedResults()
    {
        while (_owedWhenRendered.TryDequeue(out var owed))
        {
            _ = owed.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Records every set still being rendered, waiting for each.</summary>
    private Task OweEveryRenderedResultAsync(CancellationToken ct) => OweRenderedAsync(every: true, ct);

    /// <summary>
    /// Records the sets given in order, those rendered only, or <paramref name="every"/> one: the run's wait for a render
    /// is timed as the result workbooks', recording it as the load's (it writes into the run's transaction).
    /// </summary>
    private async Task OweRenderedAsync(bool every, CancellationToken ct)
    {
        while (_owedWhenRendered.TryPeek(out var next) && (every || next.IsCompleted))
        {
            _ = _owedWhenRendered.Dequeue();
            var owed = await Timings.MeasureAsync(PhaseTimings.Results, () => next);
            if (owed.Count > 0)
            {
                await Timings.MeasureAsync(PhaseTimings.Load, () => OweResultsAsync(owed, ct));
            }
        }
    }

    /// <summary>
    /// Once the run has finished (published or failed): writes every result workbook still owed to the uploads of
    /// <paramref name="sourceKeys"/> (<see cref="OwedResults.WriteAsync"/>). Needs <see cref="KeepLockUntilDisposed"/>.
    /// </summary>
    /// <param name="write">Does what one upload is owed; says how far it got. Runs for several at once.</param>
    public Task<OwedResultsWritten> WriteOwedResultsAsync(
        IReadOnlyCollection<string> sourceKeys, Func<OwedResult, CancellationToken, Task<OwedOutcome>> write, int parallelism, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sourceKeys);
        ArgumentNullException.ThrowIfNull(write);
        if (!_finished || !_keepLock)
        {
            throw new InvalidOperationException("Owed result workbooks are written after the run has finished, while it still holds the refresh lock.");
        }
        return _owed.WriteAsync(sourceKeys, write, parallelism, ct);
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
