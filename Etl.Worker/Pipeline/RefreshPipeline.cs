using System.Data.Common;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Pipeline;

/// <summary>What a run reads: uploaded workbooks and survey exports (from source folders or document libraries), and the lists.</summary>
/// <param name="Uploads">
/// Whatever the order given, taken business cases first, then actuals (checked against the business cases), then
/// survey exports (<see cref="SourceKind.Index"/>; the index they feed also counts the realisation).
/// </param>
public sealed record RunSources(IReadOnlyList<IUploadSource> Uploads, IListSource? Lists)
{
    /// <summary>A source folder's workbooks and survey exports, and its lists when it has a <c>lists/</c> folder.</summary>
    public static RunSources FromFolder(SourceFolder folder)
    {
        var lists = Path.Combine(folder.Root, SourceFolder.Lists);
        return new RunSources(
            [
                new FolderUploadSource(folder, SourceFolder.BusinessCases, SourceKind.BusinessCase),
                new FolderUploadSource(folder, SourceFolder.Actuals, SourceKind.Actuals),
                SurveySource(folder),
            ],
            Directory.Exists(lists) ? new OfflineListSource(lists) : null)
        {
            Folder = folder,
        };
    }

    /// <summary>
    /// Only the maturity survey exports of a source folder (<c>index/*.csv|*.xlsx</c>): what a survey job runs. The
    /// run still recomputes the digitaliseringsindex from everything loaded (register, business cases, actuals).
    /// </summary>
    public static RunSources SurveyFromFolder(SourceFolder folder) => new([SurveySource(folder)], null) { Folder = folder };

    /// <summary>The survey exports of a source folder's <c>index/</c>.</summary>
    public static FolderUploadSource SurveySource(SourceFolder folder) =>
        new(folder, SourceFolder.Index, SourceKind.Index, SurveyReader.Extensions);

    /// <summary>The source folder, when the run reads one.</summary>
    public SourceFolder? Folder { get; init; }

    /// <summary>Whether the run rebuilds every computed fact, not only what its sources changed (<see cref="RefreshRun.RecomputeAll"/>).</summary>
    public bool RecomputeAll { get; init; }

    /// <summary>When set, the run also records every initiative's latest project status as of that day (the daily snapshot).</summary>
    public DateOnly? ProjectStatusSnapshot { get; init; }

    /// <summary>No sources: a run that only rebuilds every computed fact and checks them.</summary>
    public static RunSources Recompute { get; } = new([], null) { RecomputeAll = true };

    /// <summary>No sources and nothing to rebuild: a run that only checks the published facts.</summary>
    public static RunSources ChecksOnly { get; } = new([], null);

    /// <summary>For the operator: what the run reads.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Folder is not null)
        {
            parts.Add(Folder.Root);
        }
        parts.AddRange(Uploads.Where(u => u is not FolderUploadSource).Select(u => u.ToString() ?? u.Kind));
        if (Lists is not null and not OfflineListSource)
        {
            parts.Add($"lists through {Lists}");
        }
        if (parts.Count == 0)
        {
            return RecomputeAll ? "the loaded facts (recompute)" : "the published facts (checks)";
        }
        return string.Join("; ", parts);
    }
}

/// <summary>Runs the whole pipeline once over its sources: read, validate, load, compute, check, publish.</summary>
/// <remarks>
/// One hostile unit of input costs only itself: whatever one upload throws while it is read, validated or taken into
/// the run, and whatever one list item throws while it is parsed, becomes that upload's or item's rejection, naming
/// it, and the run goes on. Only a fault of the run itself fails the run (<see cref="IsRunFault"/>): the database, a
/// source or list that cannot be read at all, a failing data check, cancellation, memory.
/// </remarks>
/// <param name="inputs">What a value from a source may be; here, how much of an unexpected error a rejection quotes.</param>
public sealed class RefreshPipeline(
    WarehouseLoader loader,
    WorkbookLimits limits,
    ILogger<RefreshPipeline> logger,
    InputLimits? inputs = null)
{
    private readonly InputLimits _inputs = inputs ?? new InputLimits();

    /// <summary>How many uploads are read and validated at once, in parallel, before they are loaded in order.</summary>
    private const int Batch = 64;

    /// <summary>Turns one list item into the warehouse's validated item: <see cref="ListItemParser.Parse"/>, or a test's fault.</summary>
    internal Func<string, ListItemData, DateTime, ListItemChange>? ParseListItem { get; init; }

    private abstract record Outcome(SourceFile File);

    private sealed record Unchanged(SourceFile File) : Outcome(File);

    private sealed record BusinessCaseRead(SourceFile File, BusinessCase BusinessCase) : Outcome(File);

    private sealed record ActualsRead(SourceFile File, ActualsUpload Upload) : Outcome(File);

    private sealed record SurveyRead(SourceFile File, SurveyUpload Upload) : Outcome(File);

    private sealed record Rejected(SourceFile File, IReadOnlyList<SourceProblem> Problems, int RowsRejected) : Outcome(File);

    /// <summary>A fault of the run met while one upload was read: raised again, naming the upload, when its turn comes.</summary>
    private sealed record Faulted(SourceFile File, ExceptionDispatchInfo Error) : Outcome(File);

    /// <summary>
    /// Whether an exception is a fault of the run itself, which fails the run, rather than of the one file or item it
    /// came from, which only that file or item pays for: the database, memory, cancellation, a document library or
    /// list that cannot be read at all (a library's delta link must not move past a file it could not download), and
    /// staging that could not be undone.
    /// </summary>
    internal static bool IsRunFault(Exception e) => e switch
    {
        OperationCanceledException or OutOfMemoryException or DbException => true,
        DocumentLibraryException or ListUnreadableException or StagingNotUndoneException => true,
        AggregateException a => a.InnerExceptions.Any(IsRunFault),
        _ => false,
    };

    /// <summary>
    /// Loads everything in <paramref name="sourceDir"/>. Never throws for a failed run: the result says
    /// it failed, the warehouse is as it was, and the reason is in <c>pbi_etl_run</c>.
    /// </summary>
    public Task<RunResult> RunAsync(string sourceDir, string runKind, IRunObserver? observer = null, CancellationToken ct = default)
    {
        var folder = new SourceFolder(sourceDir);
        if (!Directory.Exists(folder.Root))
        {
            throw new DirectoryNotFoundException($"The source folder {folder.Root} does not exist.");
        }
        return RunAsync(RunSources.FromFolder(folder), runKind, observer, ct);
    }

    /// <summary>
    /// Loads the given sources: lists first, then business cases, then actuals (which are checked
    /// against them), then survey exports. Each business case and actuals upload is owed a result workbook, recorded
    /// with the run; once the run has ended, still holding the refresh lock, the result workbooks still owed to its
    /// sources, earlier runs' first, are written beside the uploads. Survey exports get none (their outcome is in
    /// <c>pbi_etl_file</c> and <c>pbi_etl_problem</c>).
    /// </summary>
    public async Task<RunResult> RunAsync(RunSources sources, string runKind, IRunObserver? observer = null, CancellationToken ct = default)
    {
        // Survey exports come from the survey tool, not from a person waiting for feedback: no result workbook.
        var answered = sources.Uploads.Where(u => u.Kind != SourceKind.Index).ToList();
        RunResult result;
        await using var run = await loader.StartRunAsync(runKind, sources.Describe(), observer, ct);
        run.KeepLockUntilDisposed();
        try
        {
            await RemoveTemporariesAsync(answered, run.RunId, ct);
            if (sources.RecomputeAll)
            {
                run.RecomputeAll();
            }
            if (sources.ProjectStatusSnapshot is { } snapshotDate)
            {
                run.TakeProjectStatusSnapshot(snapshotDate);
            }
            if (sources.Lists is not null)
            {
                observer?.PhaseStarting(run.RunId, PhaseTimings.Read);
                await LoadListsAsync(sources.Lists, run, ct);
            }
            foreach (var source in sources.Uploads.OrderBy(u => ProcessingOrder(u.Kind)))
            {
                await LoadUploadsAsync(source, run, observer, ct);
            }
            result = await run.CompleteAsync(ct);
        }
        catch (Exception e)
        {
            result = await run.FailAsync(e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e);
        }
        // Outside the run's six phases, timed on their own so that the benchmark can show them.
        observer?.PhaseStarting(run.RunId, PhaseTimings.Results);
        await result.Timings.MeasureAsync(PhaseTimings.Results, () => WriteOwedResultsAsync(run, answered, ct));
        return result;
    }

    private static int ProcessingOrder(string kind) => kind switch
    {
        SourceKind.BusinessCase => 0,
        SourceKind.Actuals => 1,
        _ => 2,
    };

    /// <summary>
    /// Reads the four lists, objects and initiatives first. An offline file with the content it had
    /// when it was last read is not read again; through Graph, the kept delta link asks only for changes.
    /// A list that cannot be read at all throws, failing the run; an item that cannot be parsed is rejected.
    /// </summary>
    private async Task LoadListsAsync(IListSource source, RefreshRun run, CancellationToken ct)
    {
        foreach (var listName in ListNames.All)
        {
            run.Activity = $"när listan {listName} lästes";
            var state = await run.GetListStateAsync(listName, ct);
            ListReadInfo info;
            IEnumerable<ListItemData> items;
            DateTime asOf;
            if (source is OfflineListSource offline)
            {
                if (!offline.Has(listName))
                {
                    continue;
                }
                var sha = await run.Timings.MeasureAsync(PhaseTimings.Read, () => offline.FingerprintAsync(listName, ct));
                if (state is not null && string.Equals(state.ContentSha256, sha, StringComparison.OrdinalIgnoreCase))
                {
                    await run.AddUnchangedListAsync(listName, state.LastRunId, ct);
                    continue;
                }
                var file = await run.Timings.MeasureAsync(PhaseTimings.Read, () => offline.OpenAsync(listName, ct));
                info = new ListReadInfo(listName, ListReadModes.File, IsComplete: true, DeltaLink: null, file.ContentSha256);
                items = file.Items;
                asOf = offline.ModifiedUtc(listName);
                // The file's time stands in for items that lack lastModifiedDateTime. A file unpacked from an old archive
                // (1980) or with a clock gone wrong would date their history outside the calendar: the read is then as of now.
                if (!_inputs.Contains(DateOnly.FromDateTime(asOf)))
                {
                    logger.LogWarning("Run {RunId}: list file {List} is dated {Modified:yyyy-MM-dd}, outside {Window}; items without lastModifiedDateTime are taken as of now",
                        run.RunId, listName, asOf, _inputs.Window);
                    asOf = run.StartedAtUtc;
                }
            }
            else
            {
                var read = await run.Timings.MeasureAsync(PhaseTimings.Read, () => source.ReadAsync(listName, state?.DeltaLink, ct));
                info = new ListReadInfo(listName, read.Mode == ListReadMode.Delta ? ListReadModes.Delta : ListReadModes.Full, read.IsComplete, read.DeltaLink, null);
                items = read.Items;
                asOf = run.StartedAtUtc;
            }
            // Taken in parts, so that a long list is never held parsed whole.
            var load = await run.Timings.MeasureAsync(PhaseTimings.Load, () => run.BeginListAsync(info, ct));
            using var enumerator = items.GetEnumerator();
            while (true)
            {
                var part = run.Timings.Measure(PhaseTimings.Read, () => Take(enumerator, ListPart));
                if (part.Count == 0)
                {
                    break;
                }
                var changes = run.Timings.Measure(PhaseTimings.Validate, () => part.Select(item => ParseContained(listName, item, asOf, run.RunId)).ToList());
                await run.Timings.MeasureAsync(PhaseTimings.Load, () => load.AddAsync(changes, ct));
            }
            await run.Timings.MeasureAsync(PhaseTimings.Load, () => load.CompleteAsync(ct));
        }
        run.Activity = null;
    }

    /// <summary>One list item parsed; whatever its parsing throws (short of a fault of the run) rejects that item alone.</summary>
    private ListItemChange ParseContained(string listName, ListItemData item, DateTime asOf, long runId)
    {
        try
        {
            return ParseListItem is { } parse ? parse(listName, item, asOf) : ListItemParser.Parse(listName, item, asOf, _inputs);
        }
        catch (Exception e) when (!IsRunFault(e))
        {
            logger.LogError(e, "Run {RunId}: parsing item {ItemId} of list {List} failed unexpectedly; the item is rejected", runId, item.Id, listName);
            var modified = item.LastModified?.UtcDateTime ?? DateTime.SpecifyKind(asOf, DateTimeKind.Utc);
            var fields = item.Fields.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "{}" : item.Fields.GetRawText();
            var problem = SourceProblem.ForItem(listName, item.Id, _inputs.Cut($"Objektet kunde inte läsas på grund av ett oväntat fel: {InputLimits.Excerpt(e.Message)}."));
            return new ListItemChange(item.Id, modified, fields, Removed: false, null, [problem]);
        }
    }

    /// <summary>How many list items are parsed and taken into the run at a time.</summary>
    private const int ListPart = 5_000;

    private static List<T> Take<T>(IEnumerator<T> items, int count)
    {
        var part = new List<T>(count);
        while (part.Count < count && items.MoveNext())
        {
            part.Add(items.Current);
        }
        return part;
    }

    /// <summary>
    /// Lists a source's new or changed uploads, reads and validates them in parallel batches, and takes
    /// them into the run in processing order: for business cases the version loaded last is current, for
    /// actuals the report loaded last replaces earlier ones. Each is owed its result workbook as it is taken in.
    /// </summary>
    private async Task LoadUploadsAsync(IUploadSource source, RefreshRun run, IRunObserver? observer, CancellationToken ct)
    {
        if (source is FolderUploadSource folder)
        {
            foreach (var ignored in folder.Ignored())
            {
                logger.LogWarning("Ignoring {File}: only {Extensions} files are read there", ignored, string.Join(" and ", folder.Extensions));
            }
        }
        observer?.PhaseStarting(run.RunId, PhaseTimings.Read);
        var (singular, plural) = Nouns(source.Kind);
        run.Activity = $"när {plural} listades ({source})";
        var deltaLink = source.StateKey is { } key ? await run.GetUploadDeltaLinkAsync(key, ct) : null;
        var listing = await run.Timings.MeasureAsync(PhaseTimings.Read, () => source.ListAsync(deltaLink, ct));
        foreach (var removed in listing.Removed)
        {
            logger.LogInformation("{Kind} upload {File} was removed from {Source}; what it loaded stays", source.Kind, removed, source);
        }
        var readers = new Readers(limits, _inputs, new BusinessCaseWorkbookReader(limits, _inputs), new ActualsWorkbookReader(limits, _inputs), new SurveyReader(limits, _inputs));
        foreach (var batch in listing.Uploads.Chunk(Batch))
        {
            run.Activity = $"när {plural} lästes ({source})";
            var outcomes = new Outcome[batch.Length];
            // Timed per upload on each thread, then the batch's wall time shared out: the phases add up to the run's wall time.
            var timings = new PhaseTimings();
            var started = Stopwatch.GetTimestamp();
            await Parallel.ForAsync(0, batch.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = ct },
                async (i, token) => outcomes[i] = await ProcessAsync(source, batch[i], readers, run, timings, token));
            run.Timings.AddShares(timings, Stopwatch.GetElapsedTime(started));
            var owed = new List<(Upload Upload, Func<ResultSummary, byte[]> Render, ResultSummary Summary)>();
            for (var i = 0; i < batch.Length; i++)
            {
                if (outcomes[i] is Faulted faulted)
                {
                    run.Activity = $"när {singular} {faulted.File.Name} lästes";
                    faulted.Error.Throw();
                }
                run.Activity = $"när {singular} {outcomes[i].File.Name} laddades";
                var (outcome, validation) = await TakeInAsync(outcomes[i], run, ct);
                if (batch[i].Refusal is null && source.Kind != SourceKind.Index && Renderer(source.Kind, outcome, validation, run.Files[^1].Problems) is { } render)
                {
                    var recorded = run.Files[^1];
                    owed.Add((batch[i], render, new ResultSummary(batch[i].FileName, DateTime.UtcNow, recorded.Status, recorded.Message)));
                }
            }
            await OweResultsAsync(source, owed, run, ct);
        }
        if (source.StateKey is { } stateKey)
        {
            run.SetUploadDeltaLink(stateKey, listing.DeltaLink);
        }
        run.Activity = null;
    }

    /// <summary>An upload's kind as the run's failure names it: the one, and the several.</summary>
    private static (string Singular, string Plural) Nouns(string kind) => kind switch
    {
        SourceKind.BusinessCase => ("nyttokalkylen", "nyttokalkylerna"),
        SourceKind.Actuals => ("utfallsrapporten", "utfallsrapporterna"),
        SourceKind.Index => ("enkätexporten", "enkätexporterna"),
        _ => ("filen", "filerna"),
    };

    /// <summary>
    /// Takes one upload's outcome into the run. A file read whole is staged as a unit: whatever its staging throws
    /// (short of a fault of the run) undoes it and rejects it instead, so that it costs only itself.
    /// </summary>
    private async Task<(Outcome Outcome, ActualsValidation? Validation)> TakeInAsync(Outcome outcome, RefreshRun run, CancellationToken ct)
    {
        if (outcome is ActualsRead)
        {
            // Brought up to date before the file is staged, not while: what that writes is the run's, not the file's, and cannot be undone.
            await run.GetActualsCatalogueAsync(ct);
        }
        try
        {
            switch (outcome)
            {
                case Unchanged u:
                    await run.AddUnchangedAsync(u.File, ct);
                    return (outcome, null);
                case BusinessCaseRead r:
                    await run.StageAsync(r.File, async () =>
                    {
                        await run.AddBusinessCaseAsync(r.File, r.BusinessCase, ct);
                        return true;
                    }, ct);
                    return (outcome, null);
                case ActualsRead a:
                    return (outcome, await run.StageAsync(a.File, () => run.AddActualsAsync(a.File, a.Upload, ct), ct));
                case SurveyRead s:
                    await run.StageAsync(s.File, async () =>
                    {
                        await run.AddSurveyAsync(s.File, s.Upload, ct);
                        return true;
                    }, ct);
                    return (outcome, null);
                case Rejected x:
                    await run.AddRejectedAsync(x.File, x.Problems, x.RowsRejected, ct);
                    return (outcome, null);
                default:
                    throw new InvalidOperationException($"No way to take {outcome.GetType().Name} into a run.");
            }
        }
        catch (Exception e) when (!IsRunFault(e))
        {
            logger.LogError(e, "Run {RunId}: taking {File} into the run failed unexpectedly; the file is rejected", run.RunId, outcome.File.Name);
            var rejected = new Rejected(outcome.File, [Unexpected(outcome.File.Name, e)], 0);
            await run.AddRejectedAsync(rejected.File, rejected.Problems, 0, ct);
            return (rejected, null);
        }
    }

    /// <summary>
    /// Renders a batch's result workbooks now, several at once, from what the run recorded of each upload, and records
    /// them as owed in the run's transaction: they are written once the run has ended, or by a later run should this
    /// process die first. Rendered as soon as they can be, a batch's uploads and their judgements need not be held.
    /// </summary>
    private async Task OweResultsAsync(IUploadSource source, List<(Upload Upload, Func<ResultSummary, byte[]> Render, ResultSummary Summary)> owed, RefreshRun run, CancellationToken ct)
    {
        var workbooks = new byte[]?[owed.Count];
        run.Timings.Measure(PhaseTimings.Results, () => Parallel.For(0, owed.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = ct }, i =>
            {
                try
                {
                    workbooks[i] = owed[i].Render(owed[i].Summary);
                }
                catch (Exception e) when (!IsRunFault(e))
                {
                    // Its outcome is recorded, and shown in pbi_etl_file; only the feedback beside it is lost.
                    logger.LogError(e, "Run {RunId}: could not render the result workbook of {File}; it gets none", run.RunId, owed[i].Upload.Name);
                }
            }));
        for (var i = 0; i < owed.Count; i++)
        {
            if (workbooks[i] is { } workbook)
            {
                var upload = owed[i].Upload;
                await run.OweResultAsync(new OwedResult(source.SourceKey, upload.Name, upload.FileName, upload.Id, workbook), ct);
            }
        }
    }

    /// <param name="recorded">The problems the run recorded against the file: for a loaded business case, the notes on keys it spelled otherwise.</param>
    private static Func<ResultSummary, byte[]>? Renderer(string kind, Outcome outcome, ActualsValidation? validation, IReadOnlyList<SourceProblem> recorded)
    {
        switch (outcome)
        {
            case ActualsRead a when validation is not null:
                var upload = a.Upload;
                return summary => ResultWorkbookWriter.WriteActuals(summary, upload, validation);
            case Rejected x when kind == SourceKind.Actuals:
                var fileProblems = new ActualsValidation([], x.Problems);
                return summary => ResultWorkbookWriter.WriteActuals(summary, null, fileProblems);
            case Rejected x:
                var problems = x.Problems;
                int? rowsSeen = x.RowsRejected > 0 ? x.RowsRejected : null;
                return summary => ResultWorkbookWriter.WriteBusinessCase(summary, problems, rowsSeen);
            case BusinessCaseRead r:
                var lines = r.BusinessCase.LineCount;
                return summary => ResultWorkbookWriter.WriteBusinessCase(summary, recorded, lines);
            default:
                return null;
        }
    }

    private sealed record Readers(WorkbookLimits Limits, InputLimits Inputs, BusinessCaseWorkbookReader BusinessCases, ActualsWorkbookReader Actuals, SurveyReader Survey);

    /// <summary>
    /// Reads and validates one upload. Never throws but for cancellation: whatever else reading, decoding or validating
    /// it throws rejects it, naming it (and the sheet and cell, when the exception knows them); a fault of the run is
    /// handed back, to be raised when the upload's turn comes.
    /// </summary>
    private async Task<Outcome> ProcessAsync(IUploadSource source, Upload upload, Readers readers, RefreshRun run, PhaseTimings timings, CancellationToken ct)
    {
        // Until it is read, there is no fingerprint; the name alone is what the sender will recognise.
        var file = new SourceFile(source.Kind, upload.Name, "", upload.SizeBytes, upload.ModifiedUtc) { AuthorEmail = upload.AuthorEmail, SourceUrl = upload.WebUrl };
        if (upload.Refusal is { } refusal)
        {
            return new Rejected(file, [SourceProblem.ForFile(upload.Name, refusal)], 0);
        }
        try
        {
            var bytes = await timings.MeasureAsync(PhaseTimings.Read, () => source.ReadAsync(upload, limits.MaxFileBytes, ct));
            if (bytes is null)
            {
                return new Rejected(file, [SourceProblem.ForFile(upload.Name, XlsxWorkbook.TooLargeMessage(upload.SizeBytes, limits))], 0);
            }
            file = file with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), SizeBytes = bytes.LongLength };
            return run.IsUnchanged(file) ? new Unchanged(file) : ReadAndValidate(source.Kind, upload, file, bytes, readers, timings);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsRunFault(e))
        {
            return new Faulted(file, ExceptionDispatchInfo.Capture(e));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Run {RunId}: reading {File} failed unexpectedly; the file is rejected", run.RunId, upload.Name);
            return new Rejected(file, [Unexpected(upload.Name, e)], 0);
        }
    }

    private static Outcome ReadAndValidate(string kind, Upload upload, SourceFile file, byte[] bytes, Readers readers, PhaseTimings timings)
    {
        if (kind == SourceKind.Index)
        {
            return timings.Measure(PhaseTimings.Validate, () =>
            {
                var survey = readers.Survey.Read(bytes, upload.FileName, upload.Name);
                return survey.Upload is { } read && survey.FileProblems.Count == 0
                    ? (Outcome)new SurveyRead(file, read)
                    : new Rejected(file, survey.FileProblems, 0);
            });
        }
        // Decoding the workbook (zip, XML, cells) counts as reading; what the reader then makes of the
        // cells, and every rule it checks, as validating.
        var started = Stopwatch.GetTimestamp();
        XlsxWorkbook? workbook = null;
        try
        {
            workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), readers.Limits, readers.Inputs);
            if (kind == SourceKind.Actuals)
            {
                var actuals = readers.Actuals.Read(workbook, upload.Name);
                return actuals.Upload is { } read && actuals.FileProblems.Count == 0
                    ? new ActualsRead(file, read)
                    : new Rejected(file, actuals.FileProblems, actuals.Upload?.Rows.Count ?? 0);
            }
            var result = readers.BusinessCases.Read(workbook, upload.Name);
            return result.IsValid
                ? new BusinessCaseRead(file, result.BusinessCase!)
                : new Rejected(file, result.Problems, result.RowsSeen);
        }
        catch (UnreadableWorkbookException e)
        {
            return new Rejected(file, [new SourceProblem(upload.Name, e.Sheet, null, e.Message)], 0);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var decoding = workbook?.DecodingTime ?? elapsed;
            workbook?.Dispose();
            timings.Add(PhaseTimings.Read, decoding);
            timings.Add(PhaseTimings.Validate, elapsed - decoding);
        }
    }

    /// <summary>
    /// The rejection of a file for an exception nobody foresaw: in Swedish, naming the file, and the sheet and cell when
    /// the exception carries them (<see cref="UnreadableWorkbookException.Sheet"/>, or <c>Data["Sheet"]</c> and
    /// <c>Data["Cell"]</c> anywhere in its chain), quoting no more than an excerpt of its message. The whole of it, with
    /// its stack, is in the log.
    /// </summary>
    private SourceProblem Unexpected(string fileName, Exception e)
    {
        string? sheet = null;
        string? cell = null;
        for (var at = e; at is not null && (sheet is null || cell is null); at = at.InnerException)
        {
            sheet ??= (at as UnreadableWorkbookException)?.Sheet ?? at.Data["Sheet"] as string;
            cell ??= at.Data["Cell"] as string;
        }
        var message = _inputs.Cut($"Filen kunde inte läsas på grund av ett oväntat fel: {InputLimits.Excerpt(e.Message)}.");
        return new SourceProblem(fileName, sheet, sheet is null ? null : cell, message);
    }

    /// <summary>
    /// Removes the temporary files a process that died while writing result workbooks left in the run's sources. The
    /// run holds the refresh lock, so no other run is writing one now. One that cannot be removed is only logged.
    /// </summary>
    private async Task RemoveTemporariesAsync(IReadOnlyList<IUploadSource> sources, long runId, CancellationToken ct)
    {
        foreach (var source in sources)
        {
            try
            {
                var removed = await source.RemoveTemporariesAsync(ct);
                if (removed.Count > 0)
                {
                    logger.LogWarning("Run {RunId}: removed {Count} temporary result workbook(s) an earlier run left in {Source}: {Files}",
                        runId, removed.Count, source, string.Join(", ", removed));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Run {RunId}: could not remove the temporary result workbooks in {Source}", runId, source);
            }
        }
    }

    /// <summary>
    /// Once the run has ended, with the refresh lock still held: writes the result workbooks still owed to the uploads
    /// of the run's sources, an earlier run's first, several at once. Each is settled once it is written; one that cannot
    /// be written is logged and stays owed, for the next run. The run has already published or failed by now: nothing
    /// here changes that, so nothing here throws.
    /// </summary>
    private async Task WriteOwedResultsAsync(RefreshRun run, IReadOnlyList<IUploadSource> sources, CancellationToken ct)
    {
        if (sources.Count == 0 || ct.IsCancellationRequested)
        {
            return;
        }
        var bySource = sources.GroupBy(s => s.SourceKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        try
        {
            var written = await run.WriteOwedResultsAsync(bySource.Keys, async (owed, token) =>
            {
                var source = bySource[owed.SourceKey];
                var upload = new Upload(owed.UploadName, owed.FileName, owed.UploadId, owed.Workbook!.LongLength, DateTime.UtcNow, AuthorEmail: null, WebUrl: null);
                try
                {
                    await source.WriteResultAsync(upload, owed.Workbook, token);
                    return true;
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    logger.LogWarning(e, "Run {RunId}: could not write the result workbook {Result} for {File} (owed since run {OwedBy}); it stays owed",
                        run.RunId, upload.ResultName, upload.Name, owed.RunId);
                    return false;
                }
            }, Math.Max(2, Environment.ProcessorCount), ct);
            if (written.Written > 0 || written.Failed > 0)
            {
                logger.LogInformation("Run {RunId}: wrote {Count} result workbook(s) beside the uploads; {Failed} could not be written and stay owed",
                    run.RunId, written.Written, written.Failed);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogWarning("Run {RunId}: cancelled while writing the owed result workbooks; what is not written stays owed, for the next run", run.RunId);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Run {RunId}: could not write the owed result workbooks; they stay owed, for the next run", run.RunId);
        }
    }
}
