using System.Data.Common;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Readers;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Loads;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Pipeline;

/// <summary>What a run reads: uploaded workbooks and survey exports (from source folders or document libraries), and the lists.</summary>
/// <param name="Uploads">
/// Whatever the order given, taken business cases first, then actuals (checked against the business cases), then
/// survey exports (<see cref="SourceKind.Index"/>; the index they feed also counts the realisation).
/// </param>
public sealed record RunSources(IReadOnlyList<IUploadSource> Uploads, IListSource? Lists)
{
    /// <summary>
    /// A source folder: each reader's subfolder (<see cref="IUploadReader.Subfolder"/>), and its lists when it has a
    /// <c>lists/</c> folder.
    /// </summary>
    public static RunSources FromFolder(SourceFolder folder, IEnumerable<IUploadReader> readers)
    {
        var lists = Path.Combine(folder.Root, SourceFolder.Lists);
        return new RunSources(FolderUploads(folder, readers), Directory.Exists(lists) ? new OfflineListSource(lists) : null) { Folder = folder };
    }

    /// <summary>Outside a host (tests): <see cref="FromFolder(SourceFolder, IEnumerable{IUploadReader})"/> with the contract's readers.</summary>
    public static RunSources FromFolder(SourceFolder folder) => FromFolder(folder, DefaultReaders);

    /// <summary>
    /// Only the maturity survey exports of a source folder (<c>index/*.csv|*.xlsx</c>): what a survey job runs. The
    /// run still recomputes the digitaliseringsindex from everything loaded (register, business cases, actuals).
    /// </summary>
    public static RunSources SurveyFromFolder(SourceFolder folder, IEnumerable<IUploadReader> readers) =>
        new(FolderUploads(folder, readers.Where(r => r.Kind == SourceKind.Index)), null) { Folder = folder };

    /// <summary>Outside a host (tests): <see cref="SurveyFromFolder(SourceFolder, IEnumerable{IUploadReader})"/> with the contract's readers.</summary>
    public static RunSources SurveyFromFolder(SourceFolder folder) => SurveyFromFolder(folder, DefaultReaders);

    private static IReadOnlyList<IUploadReader> DefaultReaders => UploadReaders.Default(new WorkbookLimits(), new InputLimits());

    private static List<IUploadSource> FolderUploads(SourceFolder folder, IEnumerable<IUploadReader> readers) =>
        readers.OrderBy(r => r.Order).Select(r => (IUploadSource)new FolderUploadSource(folder, r.Subfolder, r.Kind, r.Extensions)).ToList();

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
        parts.AddRange(Uploads.Select(u => u.RunDescription).OfType<string>());
        if (Lists?.RunDescription is { } lists)
        {
            parts.Add($"lists through {lists}");
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
/// <param name="readers">One per kind of upload (<see cref="IUploadReader"/>), registered in the host.</param>
/// <param name="inputs">What a value from a source may be; here, how much of an unexpected error a rejection quotes.</param>
/// <param name="results">Which uploads get a result workbook beside them.</param>
/// <param name="graph">Each list's mapping to the site's own columns and values (<see cref="GraphOptions.ListOptions"/>), for Graph and offline files alike.</param>
public sealed class RefreshPipeline(
    WarehouseLoader loader,
    IEnumerable<IUploadReader> readers,
    WorkbookLimits limits,
    InputLimits inputs,
    ResultWorkbookOptions results,
    TimeProvider time,
    ILogger<RefreshPipeline> logger,
    GraphOptions graph)
{
    /// <summary>
    /// Outside a host (tests, the benchmark): the contract's readers (<see cref="UploadReaders.Default"/>), the system
    /// clock, result workbooks as configured by default unless <paramref name="results"/> says otherwise, and, unless given,
    /// the contract's list columns.
    /// </summary>
    public RefreshPipeline(
        WarehouseLoader loader, WorkbookLimits limits, ILogger<RefreshPipeline> logger, InputLimits? inputs = null, ResultWorkbookOptions? results = null, GraphOptions? graph = null)
        : this(loader, limits, inputs ?? new InputLimits(), results ?? new ResultWorkbookOptions(), logger, graph ?? new GraphOptions())
    {
    }

    private RefreshPipeline(WarehouseLoader loader, WorkbookLimits limits, InputLimits inputs, ResultWorkbookOptions results, ILogger<RefreshPipeline> logger, GraphOptions graph)
        : this(loader, UploadReaders.Default(limits, inputs), limits, inputs, results, TimeProvider.System, logger, graph)
    {
    }

    /// <summary>The most characters of an upload's message put in its library's message column: what a view shows at a glance; the result workbook and pbi_etl_file hold the rest.</summary>
    internal const int StatusMessageLength = 255;

    private readonly InputLimits _inputs = inputs;

    /// <summary>The readers by the kind they read.</summary>
    private readonly IReadOnlyDictionary<string, IUploadReader> _readers = readers.ToDictionary(r => r.Kind, StringComparer.Ordinal);

    private IUploadReader ReaderFor(string kind) =>
        _readers.TryGetValue(kind, out var reader) ? reader : throw new InvalidOperationException($"No reader is registered for {kind} uploads.");

    /// <summary>How many uploads are read and validated at once, in parallel, before they are loaded in order.</summary>
    private const int Batch = 64;

    /// <summary>
    /// How many batches' result workbooks may wait to be rendered before the load waits for half of them: rendered behind
    /// the load, they are rendered while the marts are built. What a batch's are rendered from is held until then, which
    /// for business cases is a count and the problems. At 16 a full refresh at scale 1 (32 batches) waited 0.2–0.5 s in
    /// the load for renders that the marts' idle core then did not need to do; at 64 it never waits there (issue 21,
    /// fifteenth steps, one build, 4 runs interleaved: 4.94–5.10 → 4.63–4.81 s whole process), and scale 4 is level in
    /// time and in peak memory (3 runs: 222–230 → 216–223 MB).
    /// </summary>
    private const int RenderBacklog = 64;

    /// <summary>
    /// The same for the batches of a reader whose results hold their uploads (<see cref="IUploadReader.ResultsHoldTheUpload"/>),
    /// counted apart and rendered first: with 16, a full refresh at scale 4 held its actuals' rows behind the business
    /// cases' renders, 25-30 MB more at its peak.
    /// </summary>
    private const int RenderBacklogHoldingUploads = 4;

    /// <summary>Turns one list item into the warehouse's validated item: <see cref="ListItemParser.Parse"/>, or a test's fault.</summary>
    internal Func<string, ListItemData, DateTime, ListItemChange>? ParseListItem { get; init; }

    /// <summary>How many list items are parsed and taken into the run at a time: <see cref="ListPart"/>, or a test's few.</summary>
    internal int ListPartSize { get; init; } = ListPart;

    /// <summary>An upload whose content was loaded before: not read again.</summary>
    private sealed record Unchanged(SourceFile File) : UploadOutcome(File);

    /// <summary>A fault of the run met while one upload was read: raised again, naming the upload, when its turn comes.</summary>
    private sealed record Faulted(SourceFile File, ExceptionDispatchInfo Error) : UploadOutcome(File);

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
        return RunAsync(RunSources.FromFolder(folder, _readers.Values), runKind, observer, ct);
    }

    /// <summary>
    /// Loads the given sources: lists first, then business cases, then actuals (which are checked
    /// against them), then survey exports. Each business case and actuals upload is owed, recorded with the run, its
    /// result workbook (or the removal of a stale one, as <see cref="ResultWorkbookOptions"/> decides) and, where its
    /// library has the status columns, its status; once the run has ended, still holding the refresh lock, what is still
    /// owed to its sources, earlier runs' first, is done. Survey exports get neither (their outcome is in
    /// <c>pbi_etl_file</c> and <c>pbi_etl_problem</c>).
    /// </summary>
    public async Task<RunResult> RunAsync(RunSources sources, string runKind, IRunObserver? observer = null, CancellationToken ct = default)
    {
        // Survey exports come from the survey tool, not from a person waiting for feedback: no result workbook.
        var answered = sources.Uploads.Where(u => ReaderFor(u.Kind).OwesResults).ToList();
        var staged = new StagedResults();
        RunResult result;
        // The result workbooks are rendered on threads of their own (RenderThreads) until the run has ended.
        using var renderer = new RenderThreads();
        using var stopRendering = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The folders are listed while the run starts (ListedAhead).
        var readingBegan = loader.UtcNow();
        var ahead = ListedAhead.Start(sources.Uploads, ct);
        RefreshRun started;
        try
        {
            started = await loader.StartRunAsync(runKind, sources.Describe(), observer, ct, readingBegan);
        }
        catch
        {
            await ahead.ForgetAsync();
            throw;
        }
        await using var run = started;
        run.KeepLockUntilDisposed();
        if (run.StartedAtUtc != readingBegan)
        {
            // It waited for another refresh: what was listed then may have changed since.
            await ahead.ForgetAsync();
        }
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
            var planned = new List<(ListedUploads Uploads, ReadAhead Reads)>();
            try
            {
                // Listed first, then read ahead of their load from the start, one source's after the other's: the lists load
                // on one core, and the first batches are read and validated on the other meanwhile. Reading a workbook needs
                // nothing of the lists (what is checked against them is checked as the upload is taken in, in order). Once,
                // when the lists were not yet loaded in parts, the two peaks of memory added up (296 MB at scale 4, against
                // 270 MB); later the load waited as much longer for the renders (RenderBacklog), which had had that core.
                // Measured again (issue 21, fifteenth steps, one build, interleaved): scale 1 5.22 → 5.02 s whole process
                // (5 pairs, medians), scale 4 level in time and in memory (219–228 MB → 221–223 MB, 3 pairs).
                Task after = Task.CompletedTask;
                foreach (var source in sources.Uploads.OrderBy(u => ReaderFor(u.Kind).Order))
                {
                    var uploads = await ListUploadsAsync(source, run, observer, ahead.Take(source), ct);
                    var reads = new ReadAhead(uploads.Batches.Length, after, (b, token) => ReadBatchAsync(uploads.Source, uploads.Reader, uploads.Batches[b], run, token), ct);
                    planned.Add((uploads, reads));
                    after = reads.Done;
                }
                if (sources.Lists is not null)
                {
                    observer?.PhaseStarting(run.RunId, PhaseTimings.Read);
                    await LoadListsAsync(sources.Lists, run, ct);
                    NackaInsights.Warehouse.Runs.HeapCompaction.BetweenPhases();
                }
                foreach (var (uploads, reads) in planned)
                {
                    await LoadUploadsAsync(uploads, reads, run, staged, renderer, stopRendering.Token, ct);
                }
            }
            finally
            {
                // A failing run reads nothing more.
                foreach (var (_, reads) in planned)
                {
                    await reads.DisposeAsync();
                }
            }
            result = await run.CompleteAsync(ct);
        }
        catch (Exception e)
        {
            // What is still to be rendered is not owed any more, nor what was listed ahead and not yet taken.
            await stopRendering.CancelAsync();
            await ahead.ForgetAsync();
            result = await run.FailAsync(e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e);
        }
        // The run is over: every render has ended before what was staged is shown, or discarded.
        await renderer.WhenAllEndedAsync();
        // Outside the run's six phases, timed on their own so that the benchmark can show them.
        observer?.PhaseStarting(run.RunId, PhaseTimings.Results);
        await result.Timings.MeasureAsync(PhaseTimings.Results, async () =>
        {
            await WriteOwedResultsAsync(run, answered, staged, ct);
            // What was staged and not shown (the run failed, or was cancelled) must not stay beside the uploads.
            await staged.DiscardRestAsync(logger, run.RunId);
        });
        return result;
    }

    /// <summary>
    /// Reads the four lists, objects and initiatives first, each through its mapping to the site's own columns and values
    /// (<see cref="ListMapping"/>). An offline file with the content it had when it was last read, under the same mapping,
    /// people and looked-up keys, is not read again; through Graph, the kept delta link asks only for changes.
    /// A list that cannot be read at all throws, failing the run; an item that cannot be parsed is rejected.
    /// </summary>
    private async Task LoadListsAsync(IListSource source, RefreshRun run, CancellationToken ct)
    {
        foreach (var listName in ListNames.All)
        {
            run.Activity = $"när listan {listName} lästes";
            var state = await run.GetListStateAsync(listName, ct);
            if (!source.Has(listName))
            {
                continue;
            }
            // How the list is read (its columns, the users, the looked-up keys) is asked for only when needed: for a file's
            // fingerprint, or once the read has items, so that a delta without changes still costs Graph one round trip.
            ListReading? reading = null;
            Task<ListReading> ReadingAsync() => run.Timings.MeasureAsync(PhaseTimings.Read, () => ReadingOfAsync(source, listName, run, ct));
            var sha = await run.Timings.MeasureAsync(PhaseTimings.Read, () => FingerprintAsync(source, listName, run, ct));
            if (sha is not null)
            {
                reading = await ReadingAsync();
                if (state is not null && string.Equals(state.ContentSha256, reading.Fingerprint(sha), StringComparison.OrdinalIgnoreCase))
                {
                    await run.AddUnchangedListAsync(listName, state, ct);
                    continue;
                }
            }
            // A source without a file's fingerprint (Graph) keeps its configured mapping's beside the delta link instead: a
            // delta gives only the items that changed, so a changed mapping reads the list whole once.
            var configured = sha is null ? ConfiguredFingerprint(graph.ListOptions(listName)) : null;
            var deltaLink = state?.DeltaLink;
            if (deltaLink is not null && sha is null && !string.Equals(state!.ContentSha256, configured, StringComparison.Ordinal))
            {
                logger.LogInformation("Run {RunId}: the mapping of list {List} changed since its last read; it is read whole", run.RunId, listName);
                deltaLink = null;
            }
            var read = await run.Timings.MeasureAsync(PhaseTimings.Read, () => source.StreamAsync(listName, deltaLink, ct));
            // What the list state keeps is the file's fingerprint together with its mapping's, so that either's change is read.
            var info = new ListReadInfo(listName, read.Mode, read.IsComplete, read.DeltaLink,
                read.ContentSha256 is { } content ? (reading ??= await ReadingAsync()).Fingerprint(content) : configured);
            var items = read.Items;
            var asOf = read.AsOfUtc ?? run.StartedAtUtc;
            // A file's time stands in for items that lack lastModifiedDateTime. A file unpacked from an old archive
            // (1980) or with a clock gone wrong would date their history outside the calendar: the read is then as of now.
            if (read.AsOfUtc is not null && !_inputs.Contains(DateOnly.FromDateTime(asOf)))
            {
                logger.LogWarning("Run {RunId}: list file {List} is dated {Modified:yyyy-MM-dd}, outside {Window}; items without lastModifiedDateTime are taken as of now",
                    run.RunId, listName, asOf, _inputs.Window);
                asOf = run.StartedAtUtc;
            }
            // Taken in parts, so that a long list is never held parsed whole.
            var load = await run.Timings.MeasureAsync(PhaseTimings.Load, () => run.BeginListAsync(info, ct));
            using var enumerator = items.GetEnumerator();
            var first = run.Timings.Measure(PhaseTimings.Read, () => Take(enumerator, ListPartSize));
            if (first.Count > 0)
            {
                // How the items read is asked for only once the list has some (its looked-up keys are read from the run).
                reading ??= await ReadingAsync();
                var context = await run.Timings.MeasureAsync(PhaseTimings.Read, () => reading.ContextAsync(ct));
                var changes = run.Timings.Measure(PhaseTimings.Validate, () => first.Select(item => ParseContained(listName, item, asOf, run.RunId, context)).ToList());
                // Let go of the part's raw items: only their parsed changes are loaded.
                first = [];
                await LoadListPartsAsync(load, enumerator, changes, item => ParseContained(listName, item, asOf, run.RunId, context), ListPartSize, run, ct);
            }
            await run.Timings.MeasureAsync(PhaseTimings.Load, () => load.CompleteAsync(ct));
        }
        run.Activity = null;
    }

    /// <summary>
    /// How one list is read in a run: its mapping against the list's columns, its problems logged for the operator; the
    /// site's people and the looked-up lists' keys where the mapping needs them. What decides how the items read goes
    /// into the list's fingerprint.
    /// </summary>
    private async Task<ListReading> ReadingOfAsync(IListSource source, string listName, RefreshRun run, CancellationToken ct)
    {
        var columns = await source.ColumnsAsync(listName, ct);
        var mapping = ListMapping.Create(listName, graph.ListOptions(listName), columns);
        foreach (var problem in mapping.Problems)
        {
            logger.LogWarning("Run {RunId}: list {List}: {Problem}", run.RunId, listName, problem);
        }
        var fields = ListFields.Of(listName);
        // Without column definitions, an export's item may give any e-mail field as a person (a LookupId): the user list
        // is then read if the folder has one, which offline is a local file read once.
        var users = mapping.HasPersonColumns || (columns is null && fields.Any(f => f.Kind == ListFieldKind.Email))
            ? await source.UsersAsync(ct)
            : SiteUsers.None;
        var usersFingerprint = users.Count > 0 && source.Has(SiteUsers.ListTitle) ? await FingerprintAsync(source, SiteUsers.ListTitle, run, ct) : null;
        var lookedUp = fields.Where(f => f.RefersTo is not null && (mapping[f.Name].IsKeyLookup || columns is null)).Select(f => f.RefersTo!).Distinct().ToList();
        // With definitions the looked-up keys are known lookups, and go into the fingerprint: an object's new key reaches
        // the initiatives that look it up though their file did not change. Without them they are read only for a list read.
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? keys = null;
        if (mapping.HasKeyLookups)
        {
            keys = await KeysAsync(run, lookedUp, ct);
        }
        return new ListReading(mapping, users, usersFingerprint, keys, () => KeysAsync(run, lookedUp, ct));
    }

    /// <summary>
    /// A list file's SHA-256 (<see cref="IListSource.FingerprintAsync"/>), unread when its size and modification time are
    /// those a run recorded when it last hashed it (<see cref="RefreshRun.ListFileUnchangedByItsTimesAsync"/>); else hashed,
    /// and recorded with them. The size and time are taken before the hash, so that a file written meanwhile is hashed again.
    /// </summary>
    private static async Task<string?> FingerprintAsync(IListSource source, string listName, RefreshRun run, CancellationToken ct)
    {
        if (source.FileOf(listName) is not { } file)
        {
            return await source.FingerprintAsync(listName, ct);
        }
        if (await run.ListFileUnchangedByItsTimesAsync(file.Name, file.Stamp, ct) is { } known)
        {
            return known;
        }
        var sha = await source.FingerprintAsync(listName, ct);
        if (sha is not null)
        {
            await run.RecordListFileAsync(file.Name, sha, file.Stamp, ct);
        }
        return sha;
    }

    /// <summary>
    /// A fingerprint of a list's configured columns and choice values, or null when it has none (the contract's names):
    /// what a Graph list's state keeps to tell a changed mapping without asking Graph for anything.
    /// </summary>
    private static string? ConfiguredFingerprint(GraphListOptions options)
    {
        var parts = options.Columns.Select(c => $"column:{c.Key.ToUpperInvariant()}={c.Value?.Trim()}")
            .Concat(options.Choices.SelectMany(f => (f.Value ?? []).Select(v => $"choice:{f.Key.ToUpperInvariant()}:{v.Key.Trim().ToUpperInvariant()}={v.Value?.Trim()}")))
            .Order(StringComparer.Ordinal)
            .ToList();
        return parts.Count == 0 ? null : Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", parts))));
    }

    private static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> KeysAsync(RefreshRun run, IReadOnlyList<string> lists, CancellationToken ct)
    {
        var keys = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var list in lists)
        {
            keys[list] = await run.ListKeysByItemAsync(list, ct);
        }
        return keys;
    }

    /// <summary>One list's reading in a run (<see cref="ReadingOfAsync"/>).</summary>
    private sealed class ListReading(
        ListMapping mapping,
        SiteUsers users,
        string? usersFingerprint,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? keys,
        Func<Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>>> readKeys)
    {
        /// <summary>
        /// The list's fingerprint: the file's, and what else decides how its items read (the mapping, the user list, the
        /// looked-up keys). A list read the contract's way keeps the file's own, as etl_list_state has kept it.
        /// </summary>
        public string Fingerprint(string contentSha256)
        {
            if (mapping.Fingerprint is null && usersFingerprint is null && keys is null)
            {
                return contentSha256;
            }
            var text = new System.Text.StringBuilder(contentSha256)
                .Append("\nmapping:").Append(mapping.Fingerprint)
                .Append("\nusers:").Append(usersFingerprint);
            foreach (var (list, byItem) in (keys ?? new Dictionary<string, IReadOnlyDictionary<string, string>>()).OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                text.Append("\nkeys:").Append(list);
                foreach (var (item, key) in byItem.OrderBy(k => k.Key, StringComparer.Ordinal))
                {
                    text.Append('\n').Append(item).Append('=').Append(key);
                }
            }
            return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
        }

        public async Task<ListItemContext> ContextAsync(CancellationToken ct)
        {
            var lookups = keys ?? await readKeys();
            return new ListItemContext
            {
                Mapping = mapping,
                Users = users,
                // The parser gives the id as item ids are written (ListItemParser's IdOf).
                LookUpKey = (list, itemId) => lookups.TryGetValue(list, out var byItem) && byItem.TryGetValue(itemId, out var key) ? key : null,
            };
        }
    }

    /// <summary>One list item parsed; whatever its parsing throws (short of a fault of the run) rejects that item alone.</summary>
    private ListItemChange ParseContained(string listName, ListItemData item, DateTime asOf, long runId, ListItemContext? context = null)
    {
        try
        {
            return ParseListItem is { } parse ? parse(listName, item, asOf) : ListItemParser.Parse(listName, item, asOf, _inputs, context);
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

    /// <summary>
    /// Takes a list's parts into the run, each next part read and parsed on another thread while the one before is
    /// loaded: the business cases' reads wait for the lists, so a core was idle while the lists were read, parsed and
    /// loaded one after another on the run's thread. A list that cannot be read fails the run as before, once the part
    /// before it is loaded; the enumerator is left alone before it is disposed.
    /// </summary>
    private static async Task LoadListPartsAsync(ListLoad load, IEnumerator<ListItemData> enumerator, List<ListItemChange> changes,
        Func<ListItemData, ListItemChange> parse, int partSize, RefreshRun run, CancellationToken ct)
    {
        Task<(List<ListItemChange> Changes, PhaseTimings Timings)>? next = null;
        try
        {
            while (changes.Count > 0)
            {
                next = Task.Run(() =>
                {
                    var timings = new PhaseTimings();
                    var part = timings.Measure(PhaseTimings.Read, () => Take(enumerator, partSize));
                    return (timings.Measure(PhaseTimings.Validate, () => part.ConvertAll(item => parse(item))), timings);
                }, ct);
                var loading = changes;
                await run.Timings.MeasureAsync(PhaseTimings.Load, () => load.AddAsync(loading, ct));
                // Timed on its thread, then the wall time the run waited for it shared out: a read hidden behind the load costs none.
                var started = Stopwatch.GetTimestamp();
                var (parsed, timings) = await next;
                next = null;
                run.Timings.AddShares(timings, Stopwatch.GetElapsedTime(started));
                changes = parsed;
            }
        }
        finally
        {
            if (next is not null)
            {
                await Task.WhenAny(next);
            }
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

    /// <summary>One source's uploads listed for a run, in batches of <see cref="Batch"/>.</summary>
    private sealed record ListedUploads(IUploadSource Source, IUploadReader Reader, UploadListing Listing, Upload[][] Batches, bool StatusColumns);

    /// <summary>Lists a source's new or changed uploads: those not taken in before, in processing order.</summary>
    private async Task<ListedUploads> ListUploadsAsync(IUploadSource source, RefreshRun run, IRunObserver? observer, Task<UploadListing>? listedAhead, CancellationToken ct)
    {
        var reader = ReaderFor(source.Kind);
        observer?.PhaseStarting(run.RunId, PhaseTimings.Read);
        run.Activity = $"när {reader.Nouns.Plural} listades ({source})";
        var deltaLink = source.StateKey is { } key ? await run.GetUploadDeltaLinkAsync(key, ct) : null;
        var listing = await run.Timings.MeasureAsync(PhaseTimings.Read, () => listedAhead ?? source.ListAsync(deltaLink, ct));
        foreach (var ignored in listing.Ignored)
        {
            logger.LogWarning("Ignoring {File}: only {Extensions} files are read there", ignored, string.Join(" and ", reader.Extensions));
        }
        foreach (var removed in listing.Removed)
        {
            logger.LogInformation("{Kind} upload {File} was removed from {Source}; what it loaded stays", source.Kind, removed, source);
        }
        var uploads = await NotTakenInAsync(source, listing.Uploads, run, ct);
        // Asked only when there is something to answer, once per run (the source keeps the answer).
        var statusColumns = uploads.Count > 0 && reader.OwesResults && await source.HasStatusColumnsAsync(ct);
        run.Activity = null;
        return new ListedUploads(source, reader, listing, [.. uploads.Chunk(Batch)], statusColumns);
    }

    /// <summary>
    /// Takes a source's uploads into the run in processing order, each batch as <paramref name="reads"/> has read and
    /// validated it: for business cases the version loaded last is current, for actuals the report loaded last replaces
    /// earlier ones. Each is owed its result workbook as it is taken in.
    /// </summary>
    private async Task LoadUploadsAsync(
        ListedUploads listed, ReadAhead reads, RefreshRun run, StagedResults staged, RenderThreads renderer, CancellationToken rendering, CancellationToken ct)
    {
        var (source, reader, statusColumns) = (listed.Source, listed.Reader, listed.StatusColumns);
        var (singular, plural) = reader.Nouns;
        for (var b = 0; b < listed.Batches.Length; b++)
        {
            var batch = listed.Batches[b];
            run.Activity = $"när {plural} lästes ({source})";
            // Timed per upload on each thread, then the wall time the run waited for the batch shared out: the phases
            // add up to the run's wall time, and a read hidden behind the load costs none.
            var started = Stopwatch.GetTimestamp();
            var (outcomes, timings) = await reads.TakeAsync(b);
            run.Timings.AddShares(timings, Stopwatch.GetElapsedTime(started));
            // Taking the batch in is the load's: what of it is not timed as a phase already (each file's rows staged
            // into the run, its outcome recorded) is timed as the load's. Untimed, about 0.5 s of a full refresh at
            // scale 1 showed as the benchmark's rest of the process.
            var takingIn = Stopwatch.GetTimestamp();
            var timedBefore = TimedSoFar(run.Timings);
            var owed = new List<Owed>();
            for (var i = 0; i < batch.Length; i++)
            {
                if (outcomes[i] is Faulted faulted)
                {
                    run.Activity = $"när {singular} {faulted.File.Name} lästes";
                    faulted.Error.Throw();
                }
                run.Activity = $"när {singular} {outcomes[i].File.Name} laddades";
                var render = await TakeInAsync(reader, outcomes[i], run, ct);
                if (batch[i].ContentTag is { } tag)
                {
                    // Its content is taken in, whatever became of it: listed again with this tag, only its columns changed.
                    await run.KeepUploadContentTagAsync(source.SourceKey, batch[i].Id, tag, ct);
                }
                if (reader.OwesResults && Owes(batch[i], render, run.Files[^1], statusColumns) is { } o)
                {
                    owed.Add(o);
                }
            }
            var untimed = Stopwatch.GetElapsedTime(takingIn) - (TimedSoFar(run.Timings) - timedBefore);
            run.Timings.Add(PhaseTimings.Load, untimed > TimeSpan.Zero ? untimed : TimeSpan.Zero);
            if (owed.Count > 0)
            {
                var workbooks = renderer.Run(() => RenderAndStageAsync(source, owed, staged, run.RunId, rendering).GetAwaiter().GetResult(), reader.ResultsHoldTheUpload, rendering);
                run.OweResultsWhenRendered(OwedWhenRenderedAsync(source, owed, workbooks));
            }
            // What is rendered by now is recorded, and no longer held; the rest between the marts, and after the checks.
            await run.OweRenderedResultsAsync(ct);
            var holding = reader.ResultsHoldTheUpload;
            var backlog = holding ? RenderBacklogHoldingUploads : RenderBacklog;
            if (renderer.Backlog(holding) > backlog)
            {
                // Far behind: the load lends the renders its core for a while.
                await run.Timings.MeasureAsync(PhaseTimings.Results, () => renderer.WhenBacklogAtMostAsync(holding, backlog / 2));
            }
        }
        if (source.StateKey is { } stateKey)
        {
            run.SetUploadDeltaLink(stateKey, listed.Listing.DeltaLink);
        }
        run.Activity = null;
    }

    /// <summary>The time a run's phases have taken so far, all of them together.</summary>
    private static TimeSpan TimedSoFar(PhaseTimings timings) => timings.Phases.Values.Aggregate(TimeSpan.Zero, (sum, t) => sum + t);

    /// <summary>
    /// The listings of the sources that need nothing of the run to be listed (a folder: no delta link), begun on the
    /// thread pool before the run starts, so that the file system's answers (a size and time for each of the folder's
    /// files) come while the warehouse is opened and its fingerprints are read. A one-changed-workbook run at scale 4
    /// spent about 110 ms listing 8,800 files and 125 ms starting, one after the other. The run is recorded as started
    /// when they began (<see cref="WarehouseLoader.StartRunAsync"/>); a run that waited for another's lock lists again.
    /// </summary>
    private sealed class ListedAhead
    {
        private readonly Dictionary<IUploadSource, Task<UploadListing>> _listings = [];

        public static ListedAhead Start(IEnumerable<IUploadSource> sources, CancellationToken ct)
        {
            var ahead = new ListedAhead();
            foreach (var source in sources.Where(s => s.StateKey is null))
            {
                ahead._listings[source] = Task.Run(() => source.ListAsync(null, ct), ct);
            }
            return ahead;
        }

        /// <summary>The source's listing begun ahead, once; null when there is none (it is listed then).</summary>
        public Task<UploadListing>? Take(IUploadSource source) => _listings.Remove(source, out var listing) ? listing : null;

        /// <summary>Lets every listing end, unused: a failure of one is the run's to meet when it lists again, if it does.</summary>
        public async Task ForgetAsync()
        {
            foreach (var listing in _listings.Values)
            {
                try
                {
                    await listing;
                }
                catch (Exception)
                {
                    // Listed again, or not at all (the run did not start).
                }
            }
            _listings.Clear();
        }
    }

    /// <summary>
    /// Reads and validates a source's batches in order, ahead of their load, at most <see cref="Ahead"/> batches ahead
    /// (what is read and not yet loaded is held), after <c>after</c> (the source before's reads) is done.
    /// </summary>
    private sealed class ReadAhead : IAsyncDisposable
    {
        private readonly SemaphoreSlim _room = new(Ahead);
        private readonly TaskCompletionSource<(UploadOutcome[] Outcomes, PhaseTimings Timings)>?[] _batches;
        private readonly CancellationTokenSource _stop;

        public ReadAhead(int count, Task after, Func<int, CancellationToken, Task<(UploadOutcome[] Outcomes, PhaseTimings Timings)>> read, CancellationToken ct)
        {
            _batches = [.. Enumerable.Range(0, count).Select(_ => new TaskCompletionSource<(UploadOutcome[], PhaseTimings)>(TaskCreationOptions.RunContinuationsAsynchronously))];
            _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Done = Task.Run(async () =>
            {
                var b = 0;
                try
                {
                    await after;
                    for (; b < count; b++)
                    {
                        await _room.WaitAsync(_stop.Token);
                        _batches[b]!.SetResult(await read(b, _stop.Token));
                    }
                }
                catch (Exception e)
                {
                    // Stopped (the run failed or was cancelled): whoever waits for a batch not read hears why.
                    for (; b < count; b++)
                    {
                        _batches[b]?.TrySetException(e);
                    }
                }
            });
        }

        /// <summary>
        /// How many batches are read ahead of the one being loaded: what is read and not loaded is held (at 8, the peak
        /// grew by about 80 MB at scale 1), and a few already cover most of the time the lists load.
        /// </summary>
        private const int Ahead = 4;

        /// <summary>Done when every batch is read, or reading stopped. Never faults.</summary>
        public Task Done { get; }

        /// <summary>Batch <paramref name="b"/>, once read; the batches are taken in order.</summary>
        public async Task<(UploadOutcome[] Outcomes, PhaseTimings Timings)> TakeAsync(int b)
        {
            var batch = await _batches[b]!.Task;
            // Let go of it: a batch taken is the loader's, and one held here was every batch of the source, to the end.
            _batches[b] = null;
            _room.Release();
            return batch;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Done;
            _stop.Dispose();
            _room.Dispose();
        }
    }

    /// <summary>Reads and validates a batch of uploads, several at once, on the thread pool (<see cref="ProcessAsync"/>).</summary>
    private Task<(UploadOutcome[] Outcomes, PhaseTimings Timings)> ReadBatchAsync(IUploadSource source, IUploadReader reader, Upload[] batch, RefreshRun run, CancellationToken ct) =>
        Task.Run(async () =>
        {
            var outcomes = new UploadOutcome[batch.Length];
            var timings = new PhaseTimings();
            await Parallel.ForAsync(0, batch.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = ct },
                async (i, token) => outcomes[i] = await ProcessAsync(source, reader, batch[i], run, timings, token));
            return (outcomes, timings);
        }, ct);

    /// <summary>
    /// The listed uploads without those listed again with the content they had when a published run took them in (their
    /// <see cref="Upload.ContentTag"/> is the one kept): only their columns changed, the status a run writes there or a
    /// person's edit, and reading them again would mark them <c>Oförändrad</c> and write their status again, every run.
    /// </summary>
    private async Task<IReadOnlyList<Upload>> NotTakenInAsync(IUploadSource source, IReadOnlyList<Upload> listed, RefreshRun run, CancellationToken ct)
    {
        if (!listed.Any(u => u.ContentTag is not null))
        {
            return listed;
        }
        var kept = await run.GetUploadContentTagsAsync(source.SourceKey, ct);
        var uploads = new List<Upload>(listed.Count);
        foreach (var upload in listed)
        {
            if (upload.ContentTag is { } tag && kept.TryGetValue(upload.Id, out var was) && string.Equals(tag, was, StringComparison.Ordinal))
            {
                logger.LogInformation("{Kind} upload {File} in {Source} is listed again with the content it had when it was taken in (cTag {ContentTag}): only its columns changed; not read again",
                    source.Kind, upload.Name, source, tag);
                continue;
            }
            uploads.Add(upload);
        }
        return uploads;
    }

    /// <summary>
    /// The result workbooks a run has staged beside their uploads (<see cref="IUploadSource.StageResultAsync"/>) while it
    /// still computed: shown after it has published, in place of writing them, when what is owed is the staged bytes;
    /// whatever is not shown by the end is discarded.
    /// </summary>
    private sealed class StagedResults
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string SourceKey, string UploadId), (IUploadSource Source, Upload Upload, byte[] Sha256)> _staged = new();

        /// <summary>Stages one workbook; one that cannot be is only logged, and written after the run as any other.</summary>
        public async Task StageAsync(IUploadSource source, Upload upload, byte[] workbook, ILogger logger, long runId, CancellationToken ct)
        {
            try
            {
                if (await source.StageResultAsync(upload, workbook, ct))
                {
                    _staged[(source.SourceKey, upload.Id)] = (source, upload, SHA256.HashData(workbook));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                logger.LogWarning(e, "Run {RunId}: could not stage the result workbook of {File}; it is written after the run", runId, upload.Name);
            }
        }

        /// <summary>
        /// Shows the staged workbook of what <paramref name="owed"/> writes, if one was staged with exactly its bytes (the
        /// warehouse's copy is the truth); false when there is none, or it could not be shown, for the caller to write it.
        /// </summary>
        public async Task<bool> ShowAsync(OwedResult owed, CancellationToken ct)
        {
            if (owed.Workbook is not { } workbook || !_staged.TryRemove((owed.SourceKey, owed.UploadId), out var staged))
            {
                return false;
            }
            if (!SHA256.HashData(workbook).AsSpan().SequenceEqual(staged.Sha256))
            {
                return false;
            }
            try
            {
                await staged.Source.ShowStagedResultAsync(staged.Upload, ct);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone or held: written whole instead, through the same temporary.
                return false;
            }
        }

        /// <summary>Removes what was staged and not shown: the run failed or was cancelled. One that cannot be removed is logged, and left to the next run.</summary>
        public async Task DiscardRestAsync(ILogger logger, long runId)
        {
            foreach (var ((_, _), (source, upload, _)) in _staged)
            {
                try
                {
                    await source.DiscardStagedResultAsync(upload, CancellationToken.None);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    logger.LogWarning(e, "Run {RunId}: could not remove the staged result workbook of {File}; the next run removes it", runId, upload.Name);
                }
            }
            _staged.Clear();
        }
    }

    /// <summary>What one upload is owed after the run: its result workbook's fate, rendered later, and its status.</summary>
    private sealed record Owed(Upload Upload, string Action, Func<ResultSummary, byte[]>? Render, ResultSummary Summary, string? Status, string? Message);

    /// <summary>
    /// What an upload taken into the run is owed: with the status columns, its status and message; a result workbook when
    /// <see cref="ResultWorkbookOptions"/> wants one for it, else the removal of a stale one an earlier version had. An
    /// unchanged upload keeps the workbook it has; a refused one gets none, for its name is not safe to write beside, but
    /// may get its status, by its item id. Null when it is owed nothing.
    /// </summary>
    private Owed? Owes(Upload upload, ResultRenderer? render, FileResult recorded, bool statusColumns)
    {
        var summary = new ResultSummary(upload.FileName, time.GetUtcNow().UtcDateTime, recorded.Status, recorded.Message);
        var (status, message) = statusColumns ? (recorded.Status, StatusMessage(recorded.Message)) : (null, null);
        if (upload.Refusal is not null || render is null)
        {
            return status is null ? null : new Owed(upload, ResultAction.Leave, null, summary, status, message);
        }
        var hasProblems = recorded.Status != FileStatus.Loaded || recorded.Problems.Count > 0;
        if (!results.Writes(statusColumns, hasProblems))
        {
            return new Owed(upload, ResultAction.Remove, null, summary, status, message);
        }
        var problems = recorded.Problems;
        return new Owed(upload, ResultAction.Write, s => render(s, problems), summary, status, message);
    }

    /// <summary>An upload's message as its library's message column shows it: one line, cut to <see cref="StatusMessageLength"/>.</summary>
    internal static string StatusMessage(string? message)
    {
        var line = string.Join(' ', (message ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= StatusMessageLength ? line : line[..(StatusMessageLength - 1)].TrimEnd() + "…";
    }

    /// <summary>
    /// Takes one upload's outcome into the run, and says how its result workbook is rendered (null for none). A file
    /// read whole is staged as a unit: whatever its staging throws (short of a fault of the run) undoes it and rejects
    /// it instead, so that it costs only itself.
    /// </summary>
    private async Task<ResultRenderer?> TakeInAsync(IUploadReader reader, UploadOutcome outcome, RefreshRun run, CancellationToken ct)
    {
        if (outcome is UploadAccepted accepted)
        {
            // Brought up to date before the file is staged, not while: what that writes is the run's, not the file's, and cannot be undone.
            await accepted.PrepareAsync(run, ct);
        }
        try
        {
            switch (outcome)
            {
                case Unchanged u:
                    await run.AddUnchangedAsync(u.File, ct);
                    return null;
                case UploadAccepted a:
                    return await run.StageAsync(a.File, () => a.StageAsync(run, ct), ct);
                case UploadRejected x:
                    await run.AddRejectedAsync(x.File, x.Problems, x.RowsRejected, ct);
                    return reader.RenderRejected(x);
                default:
                    throw new InvalidOperationException($"No way to take {outcome.GetType().Name} into a run.");
            }
        }
        catch (Exception e) when (!IsRunFault(e))
        {
            logger.LogError(e, "Run {RunId}: taking {File} into the run failed unexpectedly; the file is rejected", run.RunId, outcome.File.Name);
            var rejected = new UploadRejected(outcome.File, [Unexpected(outcome.File.Name, e)], 0);
            await run.AddRejectedAsync(rejected.File, rejected.Problems, 0, ct);
            return reader.RenderRejected(rejected);
        }
    }

    /// <summary>
    /// Renders a batch's result workbooks, one at a time on a thread of their own, while the run goes on reading and
    /// loading on the others, and stages each (<see cref="IUploadSource.StageResultAsync"/>) where its source can: after
    /// publishing, showing it is then a rename. A workbook that cannot be rendered is logged, and its upload gets none;
    /// one that cannot be staged is written after the run, as any other.
    /// </summary>
    private async Task<byte[]?[]> RenderAndStageAsync(IUploadSource source, List<Owed> owed, StagedResults staged, long runId, CancellationToken ct)
    {
        var workbooks = new byte[]?[owed.Count];
        for (var i = 0; i < owed.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (owed[i].Render is not { } render)
            {
                continue;
            }
            try
            {
                workbooks[i] = render(owed[i].Summary);
            }
            catch (Exception e) when (!IsRunFault(e))
            {
                // Its outcome is recorded, and shown in pbi_etl_file and its status; only the feedback beside it is lost.
                logger.LogError(e, "Run {RunId}: could not render the result workbook of {File}; it gets none", runId, owed[i].Upload.Name);
                continue;
            }
            await staged.StageAsync(source, owed[i].Upload, workbooks[i]!, logger, runId, ct);
        }
        return workbooks;
    }

    /// <summary>
    /// What each upload of a batch is owed, once its workbook is rendered, for the run to record in its transaction
    /// (<see cref="RefreshRun.OweResultsWhenRendered"/>): it is done once the run has ended, or by a later run should this
    /// process die first, and never for a run that failed. A batch's in a few statements: one a row was 2,200 statements
    /// at scale 1, on PostgreSQL each a round trip.
    /// </summary>
    private static async Task<IReadOnlyList<OwedResult>> OwedWhenRenderedAsync(IUploadSource source, List<Owed> owed, Task<byte[]?[]> rendering)
    {
        var workbooks = await rendering;
        var records = new List<OwedResult>(owed.Count);
        for (var i = 0; i < owed.Count; i++)
        {
            var (upload, action) = (owed[i].Upload, owed[i].Action);
            if (action == ResultAction.Write && workbooks[i] is null)
            {
                if (owed[i].Status is null)
                {
                    continue;
                }
                action = ResultAction.Leave;
            }
            records.Add(new OwedResult(source.SourceKey, upload.Name, upload.FileName, upload.Id, workbooks[i])
            {
                Action = action,
                Status = owed[i].Status,
                Message = owed[i].Message,
            });
        }
        return records;
    }

    /// <summary>
    /// Reads and validates one upload. Never throws but for cancellation: whatever else reading, decoding or validating
    /// it throws rejects it, naming it (and the sheet and cell, when the exception knows them); a fault of the run is
    /// handed back, to be raised when the upload's turn comes.
    /// </summary>
    private async Task<UploadOutcome> ProcessAsync(IUploadSource source, IUploadReader reader, Upload upload, RefreshRun run, PhaseTimings timings, CancellationToken ct)
    {
        // Until it is read, there is no fingerprint; the name alone is what the sender will recognise.
        // Its modification time as the warehouse keeps it, so that the next run compares like with like on every database.
        var file = new SourceFile(source.Kind, upload.Name, "", upload.SizeBytes, RefreshRun.ToTheMillisecond(upload.ModifiedUtc)) { AuthorEmail = upload.AuthorEmail, SourceUrl = upload.WebUrl };
        if (upload.Refusal is { } refusal)
        {
            return new UploadRejected(file, [SourceProblem.ForFile(upload.Name, refusal)], 0);
        }
        if (source.TrustsModifiedTime && upload.SizeBytes <= limits.MaxFileBytes && run.UnchangedByItsTimes(source.Kind, upload.Name, upload.SizeBytes, upload.ModifiedUtc) is { } known)
        {
            // Same size and modification time as when its content was last fingerprinted: not read, not hashed.
            return new Unchanged(file with { Sha256 = known });
        }
        try
        {
            var bytes = await timings.MeasureAsync(PhaseTimings.Read, () => source.ReadAsync(upload, limits.MaxFileBytes, ct));
            if (bytes is null)
            {
                return new UploadRejected(file, [SourceProblem.ForFile(upload.Name, XlsxWorkbook.TooLargeMessage(upload.SizeBytes, limits))], 0);
            }
            file = file with { Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), SizeBytes = bytes.LongLength };
            return run.IsUnchanged(file) ? new Unchanged(file) : reader.Read(upload, file, bytes, timings);
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
            return new UploadRejected(file, [Unexpected(upload.Name, e)], 0);
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
    private async Task WriteOwedResultsAsync(RefreshRun run, IReadOnlyList<IUploadSource> sources, StagedResults staged, CancellationToken ct)
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
                var upload = new Upload(owed.UploadName, owed.FileName, owed.UploadId, owed.Workbook?.LongLength ?? 0, time.GetUtcNow().UtcDateTime, AuthorEmail: null, WebUrl: null);
                try
                {
                    switch (owed.Action)
                    {
                        case ResultAction.Write when await staged.ShowAsync(owed, token):
                            break;
                        case ResultAction.Write:
                            await source.WriteResultAsync(upload, owed.Workbook!, token);
                            break;
                        case ResultAction.Remove:
                            await source.RemoveResultAsync(upload, token);
                            break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    logger.LogWarning(e, "Run {RunId}: could not {Action} the result workbook {Result} for {File} (owed since run {OwedBy}); it stays owed",
                        run.RunId, owed.Action, upload.ResultName, upload.Name, owed.RunId);
                    return OwedOutcome.Failed;
                }
                if (owed.Status is not { } status)
                {
                    return OwedOutcome.Done;
                }
                try
                {
                    // After the workbook: a status that cannot be set never holds the workbook back.
                    await source.SetStatusAsync(upload, status, owed.Message ?? string.Empty, token);
                    return OwedOutcome.Done;
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    logger.LogWarning(e, "Run {RunId}: could not set the status {Status} of {File} in {Source} (owed since run {OwedBy}); it stays owed",
                        run.RunId, status, upload.Name, source, owed.RunId);
                    return OwedOutcome.StatusFailed;
                }
            }, Math.Max(2, Environment.ProcessorCount), ct);
            if (written.Written > 0 || written.Failed > 0)
            {
                logger.LogInformation("Run {RunId}: did what {Count} upload(s) were owed (result workbooks, statuses); {Failed} could not be done and stay owed",
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
