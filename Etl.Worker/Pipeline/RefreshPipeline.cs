using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Sources.BusinessCases;
using NackaInsights.Etl.Sources.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Pipeline;

/// <summary>Runs the whole pipeline once over a source folder: read, validate, load, compute, check, publish.</summary>
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
    public async Task<RunResult> RunAsync(string sourceDir, string runKind, IRunObserver? observer = null, CancellationToken ct = default)
    {
        var folder = new SourceFolder(sourceDir);
        if (!Directory.Exists(folder.Root))
        {
            throw new DirectoryNotFoundException($"The source folder {folder.Root} does not exist.");
        }
        foreach (var part in new[] { SourceFolder.Actuals, SourceFolder.Lists, SourceFolder.Index })
        {
            if (Directory.Exists(Path.Combine(folder.Root, part)))
            {
                logger.LogWarning("The source folder has {Part}/, which this version does not read yet", part);
            }
        }
        foreach (var ignored in folder.Ignored(SourceFolder.BusinessCases))
        {
            logger.LogWarning("Ignoring {File}: only .xlsx workbooks are read", ignored);
        }

        await using var run = await loader.StartRunAsync(runKind, folder.Root, observer, ct);
        try
        {
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
            return await run.CompleteAsync(ct);
        }
        catch (Exception e)
        {
            return await run.FailAsync(e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e);
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
