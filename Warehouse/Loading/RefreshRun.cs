using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loads;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.Columns;
using static NackaInsights.Warehouse.Runs.KeySpelling;

namespace NackaInsights.Warehouse.Loading;

/// <summary>Told what a run is doing: the terminal shows progress from it, tests inject failures through it.</summary>
public interface IRunObserver
{
    /// <summary>Called as a run enters a phase (<see cref="PhaseTimings"/>).</summary>
    void PhaseStarting(long runId, string phase);

    /// <summary>Called when a file has been taken into the run.</summary>
    void FileProcessed(long runId, FileResult file);

    /// <summary>Called when a list has been taken into the run.</summary>
    void ListProcessed(long runId, ListResult list)
    {
    }
}

/// <summary>
/// One pipeline run. Everything it writes goes into one transaction that is committed only when the
/// loads, the computed facts and the data checks are all complete: until then, and for ever if it
/// fails or the process dies, the pbi_* views show what they showed before. Only its own row in
/// <c>etl_run</c> is written outside that transaction, so that a running and a failed run are visible.
/// </summary>
public sealed partial class RefreshRun : IAsyncDisposable
{
    /// <summary>How much of the error a failed run's message quotes; the whole of it, with its stack, is in the log.</summary>
    private const int FailureMessageCharacters = 1_000;

    private readonly WarehouseDatabase _database;
    private readonly DbConnection _connection;
    private readonly IAsyncDisposable _refreshLock;
    private readonly CalculationOptions _calculation;
    private readonly EvaluationOptions _evaluation;
    private readonly ActualsOptions _actuals;
    private readonly IndexOptions _index;
    private readonly AccessOptions _access;
    private readonly IRunObserver? _observer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Kind, string Name), Fingerprint> _fingerprints;
    private readonly RowBuffer _buffer = new();
    private readonly RunLedger _ledger;
    private readonly RunTransaction _sql;

    private readonly BusinessCaseLoad _businessCases = new();

    private readonly MartBuilds _marts = new(WarehouseMarts.Graph);

    private bool _sourcesOffered;
    private int _checksRun;
    private List<PlannedCheck> _checksScoped = [];
    private bool _finished;
    // What the COMMIT left running (SQLite's checkpoint), waited for before the connection goes.
    private IAsyncDisposable? _published;

    internal RefreshRun(
        WarehouseDatabase database,
        DbConnection connection,
        IAsyncDisposable refreshLock,
        DbTransaction transaction,
        long runId,
        DateTime startedAtUtc,
        CalculationOptions calculation,
        EvaluationOptions evaluation,
        ActualsOptions actuals,
        IndexOptions index,
        AccessOptions access,
        IRunObserver? observer,
        ILogger logger,
        Dictionary<(string Kind, string Name), Fingerprint> fingerprints,
        (long File, long Problem, long Version) lastIds,
        TimeProvider time)
    {
        _time = time;
        _owed = new OwedResults(database, logger, time);
        _database = database;
        _connection = connection;
        _refreshLock = refreshLock;
        _sql = new RunTransaction(database, connection, transaction, _businessCases.InitiativeOfFile);
        RunId = runId;
        StartedAtUtc = startedAtUtc;
        _calculation = calculation;
        _evaluation = evaluation;
        _actuals = actuals;
        _index = index;
        _access = access;
        _observer = observer;
        _logger = logger;
        _fingerprints = fingerprints;
        _ledger = new RunLedger(lastIds.File, lastIds.Problem, lastIds.Version);
        // The run's own row, written as it started: the calendar spans the runs' days too.
        _sql.Written.Record("etl_run", TableWrite.Inserted);
        _sql.Pending.Record("etl_run", TableWrite.Inserted);
    }

    /// <summary>
    /// The last processed content of a file name, and what became of it; and, from the name's latest row, the size and
    /// modification time it had and when the run that recorded them began (<see cref="UnchangedByItsTimes"/>).
    /// </summary>
    internal sealed record Fingerprint(string Sha256, string Status, long RunId)
    {
        public long SizeBytes { get; init; } = -1;

        public DateTime? ModifiedUtc { get; init; }

        public DateTime ReadFromUtc { get; init; }

        /// <summary>The file's latest row when it is <c>Oförändrad</c>: what a run that finds it unchanged again brings up to date.</summary>
        public Sighting? Sighting { get; init; }
    }

    /// <summary>A file's <c>Oförändrad</c> row, and what of it a sighting may change besides its run and time.</summary>
    internal sealed record Sighting(long FileId, string? AuthorEmail, string? SourceUrl);

    /// <summary>Sightings whose row stays as it was but for its run and time, brought up to date together as the load ends.</summary>
    private readonly List<long> _sightingsAsRecorded = [];

    /// <summary>
    /// How much earlier than the run that recorded it a modification time must be to be trusted: file systems keep it
    /// coarser than the clock (FAT to two seconds, many to one), so a file rewritten just after it was read may show
    /// the time it had before.
    /// </summary>
    public static readonly TimeSpan RacyMargin = TimeSpan.FromSeconds(2);

    /// <summary>A modification time as the warehouse keeps it: to the millisecond, as every database stores it.</summary>
    public static DateTime ToTheMillisecond(DateTime utc) =>
        new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>
    /// The content a file still has, known without reading it, as git and rsync know it: it was last loaded (Inläst or
    /// Delvis inläst) and its size and modification time are those recorded since, in a run that began reading more
    /// than <see cref="RacyMargin"/> after that time. A time that late is not trusted (git's "racily clean" file: it
    /// may have been rewritten, same size, within the clock's tick after it was read). Null when it must be read and
    /// hashed: SHA-256 stays the truth whenever either differs.
    /// </summary>
    public string? UnchangedByItsTimes(string kind, string name, long sizeBytes, DateTime modifiedUtc)
    {
        if (!_fingerprints.TryGetValue((kind, name), out var last)
            || last.Status is not (FileStatus.Loaded or FileStatus.PartlyLoaded)
            || last.ModifiedUtc is not { } recorded)
        {
            return null;
        }
        var modified = ToTheMillisecond(modifiedUtc);
        return last.SizeBytes == sizeBytes && ToTheMillisecond(recorded) == modified && modified < last.ReadFromUtc - RacyMargin
            ? last.Sha256
            : null;
    }

    public long RunId { get; }

    public DateTime StartedAtUtc { get; }

    /// <summary>Now, by the run's clock, to the millisecond.</summary>
    private DateTime UtcNow() => _time.UtcNowToTheMillisecond();

    public PhaseTimings Timings { get; } = new();

    private WarehouseDialect Dialect => _database.Dialect;

    private DbTransaction Transaction => _sql.Transaction;

    /// <summary>How many bulk inserts the run has sent so far (<see cref="RunTransaction.BulkInserts"/>).</summary>
    internal int BulkInserts => _sql.BulkInserts;

    /// <summary>
    /// Whether a file has the content it had when that file was last loaded, so that it need not be
    /// read again. A file that was rejected is read again: its problems are reported every run
    /// until it is mended.
    /// </summary>
    public bool IsUnchanged(SourceFile file) =>
        _fingerprints.TryGetValue((file.Kind, file.Name), out var last)
        && string.Equals(last.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase)
        && last.Status is FileStatus.Loaded or FileStatus.PartlyLoaded;

    /// <summary>
    /// Records a file found with the content it had when it was last loaded. A file already found so since then has its
    /// one <c>Oförändrad</c> row brought up to date (its run, time, size and modification time) rather than another
    /// added: every run added a row per unchanged file (2,201 per no-op at scale 1), so that etl_file, and the
    /// fingerprints each run reads at its start, grew with the warehouse's age. Now a file's rows are its loads and its
    /// latest sighting since, and pbi_etl_file still shows every file the latest run saw.
    /// </summary>
    public async Task AddUnchangedAsync(SourceFile file, CancellationToken ct)
    {
        var last = _fingerprints[(file.Kind, file.Name)];
        var message = $"Samma innehåll som vid inläsningen i körning {last.RunId}; inte inläst igen.";
        if (last.Sighting is not { } sighting)
        {
            await AddFileAsync(file, FileStatus.Unchanged, 0, 0, message, [], ct);
            return;
        }
        _sourcesOffered = true;
        RecordSighting();
        var modified = file.ModifiedUtc is { } m ? ToTheMillisecond(m) : (DateTime?)null;
        if (file.SizeBytes == last.SizeBytes && modified == (last.ModifiedUtc is { } r ? ToTheMillisecond(r) : null)
            && sighting.AuthorEmail == file.AuthorEmail && sighting.SourceUrl == file.SourceUrl)
        {
            // Only its run and time change: set in one statement with the others (BringSightingsUpToDateAsync).
            _sightingsAsRecorded.Add(sighting.FileId);
        }
        else
        {
            // Touched, or another uploader: rare, one statement of its own.
            await _sql.ExecuteUnrecordedAsync(
                """
                UPDATE etl_file SET run_id = @RunId, size_bytes = @Size, modified_at_utc = @Modified, processed_at_utc = @Now,
                                    author_email = @Author, source_url = @Url, message = @Message
                WHERE file_id = @Id
                """,
                new
                {
                    RunId,
                    Size = file.SizeBytes,
                    Modified = Dialect.Timestamp(modified),
                    Now = Dialect.Timestamp(UtcNow()),
                    Author = file.AuthorEmail,
                    Url = file.SourceUrl,
                    Message = message,
                    Id = sighting.FileId,
                },
                ct);
        }
        var result = new FileResult(file.Kind, file.Name, FileStatus.Unchanged, 0, 0, message, []);
        _ledger.Add(result);
        _observer?.FileProcessed(RunId, result);
        _logger.LogDebug("Run {RunId}: {Kind} file {File}: {Status}", RunId, file.Kind, file.Name, FileStatus.Unchanged);
    }

    public async Task AddRejectedAsync(SourceFile file, IReadOnlyList<SourceProblem> problems, int rowsRejected, CancellationToken ct)
    {
        var message = problems.Count == 1
            ? $"Avvisad: {Describe(problems[0])}"
            : $"Avvisad, {problems.Count} fel. Första: {Describe(problems[0])}";
        await AddFileAsync(file, FileStatus.Rejected, 0, rowsRejected, message, problems, ct);
    }

    /// <summary>Loads one business case workbook as a new version of its initiative's business case.</summary>
    public async Task AddBusinessCaseAsync(SourceFile file, BusinessCase businessCase, CancellationToken ct)
    {
        // Its initiative id, unit and object id as the warehouse already spells them: a variant in letter case is noted, not rejected.
        var notes = new List<SourceProblem>();
        var named = businessCase.Initiative;
        var keys = await KeysForAsync([(KeyKind.Initiative, named.InitiativeId), (KeyKind.Unit, named.Unit), (KeyKind.Object, named.ObjectId)], ct);
        var card = SpellKeys(keys, file, businessCase, notes);
        var figures = Timings.Measure(PhaseTimings.Compute, () => BusinessCaseCalculator.Calculate(businessCase, _calculation.DiscountRate));
        var fileId = _ledger.NextFileId;
        var versionId = _ledger.TakeVersionId();
        var version = card.VersionLabel is null ? "" : $", version {card.VersionLabel}";
        var message = $"Nyttokalkyl för {card.InitiativeId} inläst{version}: {businessCase.Costs.Count} kostnadsposter, {businessCase.Benefits.Count} nyttoposter."
            + KeyVariantsSentence(notes.Count);
        await AddFileAsync(file, FileStatus.Loaded, businessCase.LineCount, 0, message, notes, ct);

        _businessCases.Take(businessCase, card, figures, fileId, versionId, RunId, StartedAtUtc, _buffer);
        await FlushIfFullAsync(ct);
    }

    /// <summary>Whether this run rebuilds every computed fact (<see cref="RecomputeAll"/>).</summary>
    public bool RecomputesAll { get; private set; }

    /// <summary>
    /// Makes this run rebuild every computed fact from what is loaded, not only what its own sources
    /// changed: current business cases, the initiative dimension and its history, evaluations, project
    /// status, the realisation, the digitaliseringsindex, the calendar and the unit access of Power BI's
    /// row-level security. The recompute job does this after a
    /// load, and it brings the facts to a changed configuration (discount rate, evaluation thresholds, the
    /// index's target and weights) without reloading a file.
    /// </summary>
    public void RecomputeAll() => RecomputesAll = true;

    /// <summary>
    /// Whether this run runs every data check, not only those that what it wrote can affect: a recompute does,
    /// and so does a run given nothing to load, no file, list, upload state or snapshot (the checks job).
    /// </summary>
    public bool ChecksAll => RecomputesAll || !_sourcesOffered;

    /// <summary>
    /// Finishes the run: loads what is buffered, recomputes what depends on it, runs the data checks
    /// that what it wrote can affect (<see cref="ChecksAll">all of them</see> for a recompute or a checks
    /// run) and publishes everything at once. A failing check rolls the whole run back.
    /// </summary>
    public async Task<RunResult> CompleteAsync(CancellationToken ct)
    {
        Phase(PhaseTimings.Load);
        await Timings.MeasureAsync(PhaseTimings.Load, () => FlushAsync(ct));
        await Timings.MeasureAsync(PhaseTimings.Load, () => BringSightingsUpToDateAsync(ct));
        await Timings.MeasureAsync(PhaseTimings.Load, () => _sql.AnalyzeBulkLoadsAsync(ct));
        // A run given no source still gives a warehouse loaded before keys were folded one spelling of each, once in its life.
        await Timings.MeasureAsync(PhaseTimings.Load, () => FoldStoredKeysOnceAsync(ct));

        Phase(PhaseTimings.Compute);
        HeapCompaction.BetweenPhases();
        // The last of the loads' writes, then every mart they make due, in the graph's order.
        await Timings.MeasureAsync(PhaseTimings.Load, () => CompleteUploadStateAsync(ct));
        await Timings.MeasureAsync(PhaseTimings.Load, () => _survey.MergeAsync(_sql, ct));
        await BringModelUpToDateAsync(null, ct);
        RecordUnknownInitiatives();
        await Timings.MeasureAsync(PhaseTimings.Load, () => FlushAsync(ct));
        await Timings.MeasureAsync(PhaseTimings.Compute, () => _sql.AnalyzeBulkLoadsAsync(ct));

        Phase(PhaseTimings.Checks);
        var selected = Timings.Measure(PhaseTimings.Checks, () => ChecksAll ? DataChecks.All.Select(PlannedCheck.EveryRow).ToList() : DataChecks.Plan(_sql.Written));
        _checksRun = selected.Count;
        _checksScoped = selected.Where(c => c.Keys is not null).ToList();
        if (!ChecksAll)
        {
            _logger.LogDebug("Run {RunId}: {Count} of {All} data checks read tables it wrote, {Scoped} of them over its initiatives' rows only ({Tables})",
                RunId, selected.Count, DataChecks.All.Count, _checksScoped.Count,
                string.Join(", ", _sql.Written.Tables.Select(t => $"{t.Key}: {t.Value.Kinds} ({(t.Value.Keys is { } ids ? $"{ids.Count} of {t.Value.KeyColumn}" : "any rows")})")));
        }
        var checks = await Timings.MeasureAsync(PhaseTimings.Checks, () => DataChecks.RunAsync(_connection, Transaction, selected, _database.CommandTimeoutSeconds, ct));
        if (checks.Any(c => !c.Passed))
        {
            throw new DataCheckFailedException(checks);
        }
        // Rendered beside the marts and the checks, which read none of it; published with the rest, or not at all.
        await OweEveryRenderedResultAsync(ct);

        Phase(PhaseTimings.Publish);
        var result = BuildResult(RunStatus.Succeeded, Summarise(), checks);
        await Timings.MeasureAsync(PhaseTimings.Publish, async () =>
        {
            await WriteCheckResultsAsync(Transaction, checks, ct);
            await FinishRunRowAsync(_connection, Transaction, result, ct);
            _published = await Dialect.PublishAsync(_database, _connection, Transaction, _logger, ct);
        });
        _finished = true;
        await ReleaseAsync();
        _logger.LogInformation("Run {RunId} published: {Message}", RunId, result.Message);
        return result;
    }

    /// <summary>
    /// Rolls the run back and records why it failed. Nothing it loaded becomes visible.
    /// </summary>
    public async Task<RunResult> FailAsync(Exception error)
    {
        if (_finished)
        {
            throw new InvalidOperationException("The run has already finished.", error);
        }
        _finished = true;
        ForgetRenderedResults();
        var checks = (error as DataCheckFailedException)?.Results ?? [];
        var activity = Activity is { Length: > 0 } doing ? $" {doing}" : "";
        var message = error switch
        {
            DataCheckFailedException => "Datakontroller misslyckades; inget publicerades. " +
                string.Join("; ", checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.FailingRows} rader")),
            OperationCanceledException => $"Körningen avbröts{activity}; inget publicerades.",
            // What it was working on first: the list, file or phase, so that the operator knows where to look.
            // Cut: the message may carry a hostile value whole (an exception that quotes its input).
            _ => $"Körningen misslyckades{activity}: {InputLimits.Cut(error.Message, FailureMessageCharacters)} Inget publicerades.",
        };
        if (error is OperationCanceledException)
        {
            // A stop the operator asked for (a signal, the service stopping) is no fault: no stack trace on stderr.
            _logger.LogWarning("Run {RunId} was cancelled and rolled back: {Message}", RunId, message);
        }
        else
        {
            _logger.LogError(error, "Run {RunId} failed and was rolled back: {Message}", RunId, message);
        }
        await RollbackQuietlyAsync();

        var result = BuildResult(RunStatus.Failed, message, checks);
        try
        {
            // A fresh connection: the run's own may be what broke.
            await using var connection = await _database.OpenAsync(CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            await WriteCheckResultsAsync(transaction, checks, CancellationToken.None, connection);
            await FinishRunRowAsync(connection, transaction, result, CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        catch (Exception recordError) when (recordError is DbException or InvalidOperationException or IOException)
        {
            // The next run marks this one as failed when it finds it still running.
            _logger.LogError(recordError, "Could not record the failure of run {RunId}", RunId);
        }
        finally
        {
            await ReleaseAsync();
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            await FailAsync(new OperationCanceledException("The run was abandoned before it completed."));
        }
        if (_published is { } published)
        {
            _published = null;
            await published.DisposeAsync();
        }
        if (_keepLock)
        {
            _keepLock = false;
            await ReleaseAsync();
        }
        await _connection.DisposeAsync();
    }

    private async Task AddFileAsync(SourceFile file, string status, int rowsLoaded, int rowsRejected, string message, IReadOnlyList<SourceProblem> problems, CancellationToken ct)
    {
        _sourcesOffered = true;
        var fileId = _ledger.TakeFileId();
        Buffer(WarehouseTables.EtlFile,
            fileId, RunId, file.Kind, file.Name, file.Sha256, file.SizeBytes, file.ModifiedUtc,
            status, rowsLoaded, rowsRejected, message, UtcNow(), file.AuthorEmail, file.SourceUrl);
        foreach (var p in problems)
        {
            Buffer(WarehouseTables.EtlProblem, _ledger.TakeProblemId(), RunId, fileId, file.Kind, file.Name, p.Sheet, p.Cell, p.Message, p.ItemId);
        }
        var result = new FileResult(file.Kind, file.Name, status, rowsLoaded, rowsRejected, message, problems);
        _ledger.Add(result);
        _observer?.FileProcessed(RunId, result);
        if (status == FileStatus.Rejected)
        {
            _logger.LogWarning("Run {RunId}: {Kind} file {File} rejected: {Problems}", RunId, file.Kind, file.Name, string.Join(" | ", problems.Select(Describe)));
        }
        else
        {
            _logger.LogDebug("Run {RunId}: {Kind} file {File}: {Status}", RunId, file.Kind, file.Name, status);
        }
        await FlushIfFullAsync(ct);
    }

    /// <summary>
    /// Gives the files found unchanged as they were last seen (<see cref="AddUnchangedAsync"/>) this run and this time:
    /// by runs of consecutive ids, <c>file_id BETWEEN</c> the first and the last of each, up to 250 runs a statement.
    /// A folder's sightings were added by one run, so their ids mostly run unbroken: a scale-4 no-op's 8,800 are one
    /// range. As 18 statements of 500 ids each (Dapper's parameters, bound by name) the step took 155–172 ms of the
    /// process's CPU in that no-op, by marks in a traced build (the same UPDATEs from Python: 10–12 ms); as ranges 31–44 ms.
    /// </summary>
    private async Task BringSightingsUpToDateAsync(CancellationToken ct)
    {
        if (_sightingsAsRecorded.Count == 0)
        {
            return;
        }
        var now = Dialect.Timestamp(UtcNow());
        foreach (var chunk in ConsecutiveRuns(_sightingsAsRecorded).Chunk(RunTransaction.InListChunk / 2))
        {
            var parameters = new DynamicParameters(new { RunId, Now = now, Unchanged = FileStatus.Unchanged });
            var ranges = string.Join(" OR ", chunk.Select((range, i) =>
            {
                parameters.Add($"first{i}", range.First);
                parameters.Add($"last{i}", range.Last);
                return $"file_id BETWEEN @first{i} AND @last{i}";
            }));
            await _sql.ExecuteUnrecordedAsync(
                $"UPDATE etl_file SET run_id = @RunId, processed_at_utc = @Now WHERE ({ranges}) AND status = @Unchanged", parameters, ct);
        }
        _sightingsAsRecorded.Clear();
    }

    /// <summary>The distinct ids, ascending, as runs of consecutive ids: every id of each run is among them.</summary>
    internal static List<(long First, long Last)> ConsecutiveRuns(IEnumerable<long> ids)
    {
        var runs = new List<(long First, long Last)>();
        foreach (var id in ids.Distinct().Order())
        {
            if (runs.Count > 0 && runs[^1].Last == id - 1)
            {
                runs[^1] = (runs[^1].First, id);
            }
            else
            {
                runs.Add((id, id));
            }
        }
        return runs;
    }

    /// <summary>
    /// To the data checks and the marts, a sighting brought up to date is the row it stands for: a row of this run in
    /// etl_file, as an insert would have made. It changes no key: no row refers to an <c>Oförändrad</c> row (facts and
    /// problems take the id of the row loaded with them), so no relationship to pbi_etl_file can lose its parent.
    /// </summary>
    private void RecordSighting()
    {
        _sql.Written.Record(WarehouseTables.EtlFile.Name, TableWrite.Inserted);
        _sql.Pending.Record(WarehouseTables.EtlFile.Name, TableWrite.Inserted);
    }

    private static string Describe(SourceProblem p) => p.Location.Length == 0 ? p.Message : $"{p.Location}: {p.Message}";

    private void Buffer(BulkTable table, params object?[] row) => _buffer.Add(table, row);

    private async Task FlushIfFullAsync(CancellationToken ct)
    {
        // A file being staged is flushed once it is whole (StageAsync): until then it can still be undone.
        if (_buffer.IsFull && _stage is null)
        {
            await Timings.MeasureAsync(PhaseTimings.Load, () => FlushAsync(ct));
        }
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_buffer.Count > 0)
        {
            // Marked before the writes: a staging whose rows were half written cannot be undone.
            _stage?.TouchedDatabase = true;
        }
        await _buffer.FlushAsync(_sql, ct);
    }

    /// <summary>
    /// Builds the marts that what the run wrote since they were last built makes due (<see cref="MartBuilds"/>): all of
    /// them, or only those that feed <paramref name="tables"/> when a load needs those as they now stand. Returns
    /// whether anything was built.
    /// </summary>
    private async Task<bool> BringModelUpToDateAsync(IReadOnlyCollection<string>? tables, CancellationToken ct)
    {
        // Mid-run, only what those tables and their marts read need be written first. Every actuals upload asks, and
        // holds rows of none of them: flushing for each cost PostgreSQL three COPYs per upload, each with its key checks.
        if (tables is null || _buffer.Holds(WarehouseMarts.Graph.ReadFor([.. tables])))
        {
            await Timings.MeasureAsync(PhaseTimings.Load, () => FlushAsync(ct));
        }
        var built = await _marts.BuildAsync(MartContext(), tables, async (mart, build) =>
        {
            // What a mart writes during a file's staging cannot be undone with the file.
            _stage?.TouchedDatabase = true;
            await Timings.MeasureAsync(PhaseTimings.Compute, build);
            if (_stage is null)
            {
                // Between marts the connection is free for what has been rendered meanwhile (OweResultsWhenRendered).
                await OweRenderedResultsAsync(ct);
            }
        }, ct);
        if (built)
        {
            _catalogue = null;
        }
        return built;
    }

    private async Task WriteCheckResultsAsync(DbTransaction transaction, IReadOnlyList<DataCheckResult> checks, CancellationToken ct, DbConnection? connection = null)
    {
        var rows = checks.Select(c => new object?[] { RunId, c.Name, c.FailingRows }).ToList();
        await Dialect.BulkInsertAsync(connection ?? _connection, transaction, WarehouseTables.EtlCheckResult, rows, _database.CommandTimeoutSeconds, ct);
    }

    /// <summary>The report shows when a run finished in Swedish time; DAX has no time zones, so the run records it.</summary>
    private static readonly TimeZoneInfo Stockholm = StockholmTime.Zone;

    private async Task FinishRunRowAsync(DbConnection connection, DbTransaction transaction, RunResult result, CancellationToken ct)
    {
        var finished = UtcNow();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE etl_run
            SET status = @Status, finished_at_utc = @FinishedAtUtc, finished_at_local = @FinishedAtLocal, rows_loaded = @RowsLoaded, rows_rejected = @RowsRejected,
                files_processed = @FilesProcessed, files_unchanged = @FilesUnchanged, files_rejected = @FilesRejected, message = @Message
            WHERE run_id = @RunId
            """,
            new
            {
                result.Status,
                FinishedAtUtc = Dialect.Timestamp(finished),
                FinishedAtLocal = Dialect.Timestamp(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(finished, DateTimeKind.Utc), Stockholm)),
                result.RowsLoaded,
                result.RowsRejected,
                FilesProcessed = result.Files.Count(f => f.Status != FileStatus.Unchanged),
                FilesUnchanged = result.Files.Count(f => f.Status == FileStatus.Unchanged),
                FilesRejected = result.Files.Count(f => f.Status == FileStatus.Rejected),
                result.Message,
                RunId,
            },
            transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
    }

    private RunResult BuildResult(string status, string message, IReadOnlyList<DataCheckResult> checks)
    {
        var loaded = status == RunStatus.Succeeded;
        return new RunResult(
            RunId,
            status,
            loaded ? _ledger.RowsLoaded : 0,
            loaded ? _ledger.RowsRejected : 0,
            message,
            _ledger.Files,
            _ledger.Lists,
            checks,
            Timings)
        {
            Marts = _marts.Built,
        };
    }

    /// <summary>The run's outcome in a sentence or two, for <c>pbi_etl_run.message</c>.</summary>
    private string Summarise() => new RunSummary
    {
        Files = _ledger.Files,
        Lists = _ledger.Lists,
        SnapshotDate = _snapshot?.Date,
        SnapshotRows = _snapshot?.Rows ?? 0,
        RecomputesAll = RecomputesAll,
        ChecksAll = ChecksAll,
        ChecksRun = _checksRun,
        ChecksScoped = _checksScoped,
    }.ToString();

    private void Phase(string phase)
    {
        Activity = phase switch
        {
            PhaseTimings.Load => "när det inlästa skrevs till lagret",
            PhaseTimings.Compute => "vid beräkningen",
            PhaseTimings.Checks => "vid datakontrollerna",
            PhaseTimings.Publish => "vid publiceringen",
            _ => Activity,
        };
        _logger.LogDebug("Run {RunId}: {Phase}", RunId, phase);
        // A phase starts on a compacted heap if the last one grew it enough: the checks leave about 12 MB of garbage at
        // scale 4 (10 MB of it large objects), which publish and the result workbooks then added to.
        HeapCompaction.WhenGrown();
        _observer?.PhaseStarting(RunId, phase);
    }

    private async Task RollbackQuietlyAsync()
    {
        var transaction = _sql.Take();
        if (transaction is null)
        {
            return;
        }
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            _logger.LogDebug(e, "Rollback of run {RunId} reported an error; the database discards the transaction anyway", RunId);
        }
        await transaction.DisposeAsync();
    }

    private async Task ReleaseAsync()
    {
        var transaction = _sql.Take();
        if (transaction is not null)
        {
            await transaction.DisposeAsync();
        }
        if (_keepLock)
        {
            // Released as the run is disposed, once its owed result workbooks are written.
            return;
        }
        try
        {
            await _refreshLock.DisposeAsync();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // A lost connection releases the lock on the server's side too.
            _logger.LogDebug(e, "Releasing the refresh lock of run {RunId} failed", RunId);
        }
    }
}
