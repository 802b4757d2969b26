using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Sources.BusinessCases;
using NackaInsights.Etl.Sources.SharePoint;
using NackaInsights.Etl.Sources.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Pipeline;

/// <summary>What a run reads: a source folder (its workbooks, and its lists unless they come from Graph), and the lists.</summary>
public sealed record RunSources(SourceFolder? Folder, IListSource? Lists)
{
    /// <summary>A source folder's workbooks, and its lists when it has a <c>lists/</c> folder.</summary>
    public static RunSources FromFolder(SourceFolder folder)
    {
        var lists = Path.Combine(folder.Root, SourceFolder.Lists);
        return new RunSources(folder, Directory.Exists(lists) ? new OfflineListSource(lists) : null);
    }

    /// <summary>For the operator: what the run reads.</summary>
    public string Describe() => (Folder, Lists) switch
    {
        ({ } folder, OfflineListSource or null) => folder.Root,
        ({ } folder, { } lists) => $"{folder.Root}; lists through {lists}",
        (null, { } lists) => $"lists through {lists}",
        _ => "nothing",
    };
}

/// <summary>Runs the whole pipeline once over its sources: read, validate, load, compute, check, publish.</summary>
public sealed class RefreshPipeline(
    WarehouseLoader loader,
    WorkbookLimits limits,
    ILogger<RefreshPipeline> logger)
{
    private abstract record Outcome(SourceFile File);

    private sealed record Unchanged(SourceFile File) : Outcome(File);

    private sealed record Read(SourceFile File, BusinessCase BusinessCase) : Outcome(File);

    private sealed record Rejected(SourceFile File, IReadOnlyList<SourceProblem> Problems, int RowsRejected) : Outcome(File);

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

    /// <summary>Loads the given sources: a source folder's workbooks and lists, or lists through Graph.</summary>
    public async Task<RunResult> RunAsync(RunSources sources, string runKind, IRunObserver? observer = null, CancellationToken ct = default)
    {
        foreach (var part in new[] { SourceFolder.Actuals, SourceFolder.Index })
        {
            if (sources.Folder is { } folder && Directory.Exists(Path.Combine(folder.Root, part)))
            {
                logger.LogWarning("The source folder has {Part}/, which this version does not read yet", part);
            }
        }
        await using var run = await loader.StartRunAsync(runKind, sources.Describe(), observer, ct);
        try
        {
            if (sources.Lists is not null)
            {
                observer?.PhaseStarting(run.RunId, PhaseTimings.Read);
                await LoadListsAsync(sources.Lists, run, ct);
            }
            if (sources.Folder is not null)
            {
                await LoadBusinessCasesAsync(sources.Folder, run, observer, ct);
            }
            return await run.CompleteAsync(ct);
        }
        catch (Exception e)
        {
            return await run.FailAsync(e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e);
        }
    }

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
            ListRead read;
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
                read = await run.Timings.MeasureAsync(PhaseTimings.Read, () => offline.ReadAsync(listName, null, ct));
                info = new ListReadInfo(listName, ListReadModes.File, IsComplete: true, DeltaLink: null, read.ContentSha256);
                asOf = offline.ModifiedUtc(listName);
            }
            else
            {
                read = await run.Timings.MeasureAsync(PhaseTimings.Read, () => source.ReadAsync(listName, state?.DeltaLink, ct));
                info = new ListReadInfo(listName, read.Mode == ListReadMode.Delta ? ListReadModes.Delta : ListReadModes.Full, read.IsComplete, read.DeltaLink, null);
                asOf = run.StartedAtUtc;
            }
            var changes = run.Timings.Measure(PhaseTimings.Validate, () => read.Items.Select(item => ListItemParser.Parse(listName, item, asOf)).ToList());
            await run.AddListAsync(info, changes, ct);
        }
    }

    private async Task LoadBusinessCasesAsync(SourceFolder folder, RefreshRun run, IRunObserver? observer, CancellationToken ct)
    {
        foreach (var ignored in folder.Ignored(SourceFolder.BusinessCases))
        {
            logger.LogWarning("Ignoring {File}: only .xlsx workbooks are read", ignored);
        }
        var reader = new BusinessCaseWorkbookReader(limits);
        var files = folder.Workbooks(SourceFolder.BusinessCases);
        observer?.PhaseStarting(run.RunId, PhaseTimings.Read);

        // Read and validate in parallel, load in processing order: the version loaded last is current.
        var outcomes = files
            .AsParallel()
            .AsOrdered()
            .WithDegreeOfParallelism(Math.Max(1, Environment.ProcessorCount))
            .WithCancellation(ct)
            .Select(file => Process(folder, file, reader, run));
        foreach (var outcome in outcomes)
        {
            switch (outcome)
            {
                case Unchanged u:
                    await run.AddUnchangedAsync(u.File, ct);
                    break;
                case Read r:
                    await run.AddBusinessCaseAsync(r.File, r.BusinessCase, ct);
                    break;
                case Rejected x:
                    await run.AddRejectedAsync(x.File, x.Problems, x.RowsRejected, ct);
                    break;
            }
        }
    }

    private Outcome Process(SourceFolder folder, FileInfo file, BusinessCaseWorkbookReader reader, RefreshRun run)
    {
        var content = run.Timings.Measure(PhaseTimings.Read, () => folder.Read(file, SourceKind.BusinessCase, limits.MaxFileBytes));
        if (run.IsUnchanged(content.File))
        {
            return new Unchanged(content.File);
        }
        if (content.Bytes is null)
        {
            return new Rejected(content.File, [SourceProblem.ForFile(content.File.Name, XlsxWorkbook.TooLargeMessage(content.File.SizeBytes, limits))], 0);
        }
        var result = run.Timings.Measure(PhaseTimings.Validate, () =>
        {
            try
            {
                using var workbook = XlsxWorkbook.Open(new MemoryStream(content.Bytes, writable: false), limits);
                return reader.Read(workbook, content.File.Name);
            }
            catch (UnreadableWorkbookException e)
            {
                return new BusinessCaseReadResult(null, [new SourceProblem(content.File.Name, e.Sheet, null, e.Message)], 0);
            }
        });
        return result.IsValid
            ? new Read(content.File, result.BusinessCase!)
            : new Rejected(content.File, result.Problems, result.RowsSeen);
    }
}
