using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Sources.Actuals;
using NackaInsights.Etl.Sources.BusinessCases;
using NackaInsights.Etl.Sources.Results;
using NackaInsights.Etl.Sources.SharePoint;
using NackaInsights.Etl.Sources.Survey;
using NackaInsights.Etl.Sources.Xlsx;
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
public sealed class RefreshPipeline(
    WarehouseLoader loader,
    WorkbookLimits limits,
    ILogger<RefreshPipeline> logger)
{
    /// <summary>How many uploads are read and validated at once, in parallel, before they are loaded in order.</summary>
    private const int Batch = 64;

    private abstract record Outcome(SourceFile File);

    private sealed record Unchanged(SourceFile File) : Outcome(File);

    private sealed record BusinessCaseRead(SourceFile File, BusinessCase BusinessCase) : Outcome(File);

    private sealed record ActualsRead(SourceFile File, ActualsUpload Upload) : Outcome(File);

    private sealed record SurveyRead(SourceFile File, SurveyUpload Upload) : Outcome(File);

    private sealed record Rejected(SourceFile File, IReadOnlyList<SourceProblem> Problems, int RowsRejected) : Outcome(File);

    /// <summary>
    /// An upload taken into the run, and how its result workbook is written once the run has published. Held
    /// from reading until then, so it keeps only what the result shows: a business case's problems and line
    /// count, not the workbook read.
    /// </summary>
    private sealed record Processed(IUploadSource Source, Upload Upload, Func<ResultSummary, byte[]> Render);

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
    /// against them), then survey exports. Result workbooks are written beside the business case and
    /// actuals uploads once the run has published; survey exports get none (their outcome is in
    /// <c>pbi_etl_file</c> and <c>pbi_etl_problem</c>).
    /// </summary>
    public async Task<RunResult> RunAsync(RunSources sources, string runKind, IRunObserver? observer = null, CancellationToken ct = default)
    {
        var processed = new List<Processed>();
        RunResult result;
        await using (var run = await loader.StartRunAsync(runKind, sources.Describe(), observer, ct))
        {
            try
            {
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
                    await LoadUploadsAsync(source, run, observer, processed, ct);
                }
                result = await run.CompleteAsync(ct);
            }
            catch (Exception e)
            {
                result = await run.FailAsync(e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e);
            }
        }
        if (result.Succeeded)
        {
            // After publishing, outside the run's six phases; timed on its own so that the benchmark can show it.
            await result.Timings.MeasureAsync(PhaseTimings.Results, () => WriteResultsAsync(processed, result, ct));
        }
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
    /// A list that cannot be read at all throws, failing the run.
    /// </summary>
    private async Task LoadListsAsync(IListSource source, RefreshRun run, CancellationToken ct)
    {
        foreach (var listName in ListNames.All)
        {
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
                var changes = run.Timings.Measure(PhaseTimings.Validate, () => part.Select(item => ListItemParser.Parse(listName, item, asOf)).ToList());
                await run.Timings.MeasureAsync(PhaseTimings.Load, () => load.AddAsync(changes, ct));
            }
            await run.Timings.MeasureAsync(PhaseTimings.Load, () => load.CompleteAsync(ct));
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
    /// actuals the report loaded last replaces earlier ones.
    /// </summary>
    private async Task LoadUploadsAsync(IUploadSource source, RefreshRun run, IRunObserver? observer, List<Processed> processed, CancellationToken ct)
    {
        if (source is FolderUploadSource folder)
        {
            foreach (var ignored in folder.Ignored())
            {
                logger.LogWarning("Ignoring {File}: only {Extensions} files are read there", ignored, string.Join(" and ", folder.Extensions));
            }
        }
        observer?.PhaseStarting(run.RunId, PhaseTimings.Read);
        var deltaLink = source.StateKey is { } key ? await run.GetUploadDeltaLinkAsync(key, ct) : null;
        var listing = await run.Timings.MeasureAsync(PhaseTimings.Read, () => source.ListAsync(deltaLink, ct));
        foreach (var removed in listing.Removed)
        {
            logger.LogInformation("{Kind} upload {File} was removed from {Source}; what it loaded stays", source.Kind, removed, source);
        }
        var readers = new Readers(new BusinessCaseWorkbookReader(limits), new ActualsWorkbookReader(limits), new SurveyReader(limits));
        foreach (var batch in listing.Uploads.Chunk(Batch))
        {
            var outcomes = new Outcome[batch.Length];
            // Timed per upload on each thread, then the batch's wall time shared out: the phases add up to the run's wall time.
            var timings = new PhaseTimings();
            var started = Stopwatch.GetTimestamp();
            await Parallel.ForAsync(0, batch.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = ct },
                async (i, token) => outcomes[i] = await ProcessAsync(source, batch[i], readers, run, timings, token));
            run.Timings.AddShares(timings, Stopwatch.GetElapsedTime(started));
            for (var i = 0; i < batch.Length; i++)
            {
                var outcome = outcomes[i];
                ActualsValidation? validation = null;
                switch (outcome)
                {
                    case Unchanged u:
                        await run.AddUnchangedAsync(u.File, ct);
                        break;
                    case BusinessCaseRead r:
                        await run.AddBusinessCaseAsync(r.File, r.BusinessCase, ct);
                        break;
                    case ActualsRead a:
                        validation = await run.AddActualsAsync(a.File, a.Upload, ct);
                        break;
                    case SurveyRead survey:
                        await run.AddSurveyAsync(survey.File, survey.Upload, ct);
                        break;
                    case Rejected x:
                        await run.AddRejectedAsync(x.File, x.Problems, x.RowsRejected, ct);
                        break;
                }
                // Survey exports come from the survey tool, not from a person waiting for feedback: no result workbook.
                if (batch[i].Refusal is null && source.Kind != SourceKind.Index && Renderer(source.Kind, outcome, validation) is { } render)
                {
                    processed.Add(new Processed(source, batch[i], render));
                }
            }
        }
        if (source.StateKey is { } stateKey)
        {
            run.SetUploadDeltaLink(stateKey, listing.DeltaLink);
        }
    }

    private static Func<ResultSummary, byte[]>? Renderer(string kind, Outcome outcome, ActualsValidation? validation)
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
                return summary => ResultWorkbookWriter.WriteBusinessCase(summary, [], lines);
            default:
                return null;
        }
    }

    private sealed record Readers(BusinessCaseWorkbookReader BusinessCases, ActualsWorkbookReader Actuals, SurveyReader Survey);

    private async Task<Outcome> ProcessAsync(IUploadSource source, Upload upload, Readers readers, RefreshRun run, PhaseTimings timings, CancellationToken ct)
    {
        if (upload.Refusal is { } refusal)
        {
            // Never read, so there is no fingerprint; the name alone is what the sender will recognise.
            var refused = new SourceFile(source.Kind, upload.Name, "", upload.SizeBytes, upload.ModifiedUtc) { AuthorEmail = upload.AuthorEmail, SourceUrl = upload.WebUrl };
            return new Rejected(refused, [SourceProblem.ForFile(upload.Name, refusal)], 0);
        }
        var bytes = await timings.MeasureAsync(PhaseTimings.Read, () => source.ReadAsync(upload, limits.MaxFileBytes, ct));
        var sha = bytes is null ? "" : Convert.ToHexStringLower(SHA256.HashData(bytes));
        var file = new SourceFile(source.Kind, upload.Name, sha, bytes?.LongLength ?? upload.SizeBytes, upload.ModifiedUtc)
        {
            AuthorEmail = upload.AuthorEmail,
            SourceUrl = upload.WebUrl,
        };
        if (bytes is null)
        {
            return new Rejected(file, [SourceProblem.ForFile(upload.Name, XlsxWorkbook.TooLargeMessage(upload.SizeBytes, limits))], 0);
        }
        if (run.IsUnchanged(file))
        {
            return new Unchanged(file);
        }
        if (source.Kind == SourceKind.Index)
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
            workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), limits);
            if (source.Kind == SourceKind.Actuals)
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
    /// Writes each processed upload's result workbook beside it, several at once. The run is published by
    /// now: a result that cannot be written is logged, and the upload's row in <c>pbi_etl_file</c> still
    /// tells its outcome.
    /// </summary>
    private async Task WriteResultsAsync(IReadOnlyList<Processed> processed, RunResult result, CancellationToken ct)
    {
        var outcomes = result.Files
            .GroupBy(f => (f.Kind, f.Name))
            .ToDictionary(g => g.Key, g => g.Last());
        var processedAt = DateTime.UtcNow;
        var written = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = ct };
        await Parallel.ForEachAsync(processed, options, async (p, token) =>
        {
            if (!outcomes.TryGetValue((p.Source.Kind, p.Upload.Name), out var file))
            {
                return;
            }
            var workbook = p.Render(new ResultSummary(p.Upload.FileName, processedAt, file.Status, file.Message));
            try
            {
                await p.Source.WriteResultAsync(p.Upload, workbook, token);
                Interlocked.Increment(ref written);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or HttpRequestException or Microsoft.Kiota.Abstractions.ApiException)
            {
                logger.LogWarning(e, "Run {RunId}: could not write the result workbook {Result} for {File}", result.RunId, p.Upload.ResultName, p.Upload.Name);
            }
        });
        if (written > 0)
        {
            logger.LogInformation("Run {RunId}: wrote {Count} result workbook(s) beside the uploads", result.RunId, written);
        }
    }
}
