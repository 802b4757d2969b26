using NackaInsights.Etl.Writers;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Pipeline;

/// <summary>
/// Reads one kind of upload (<see cref="SourceKind"/>): where it lies in a source folder, its turn in a run, what one
/// upload becomes and how it is taken into the run. The pipeline knows uploads only through these: a new kind of
/// upload is one reader, registered in <see cref="Hosting.NackaInsightsHostingExtensions.AddNackaInsights"/>.
/// </summary>
public interface IUploadReader
{
    /// <summary>The <see cref="SourceKind"/> it reads.</summary>
    string Kind { get; }

    /// <summary>Its turn in a run, lowest first: business cases before the actuals checked against them, the survey last.</summary>
    int Order { get; }

    /// <summary>The subfolder of a source folder its uploads lie in.</summary>
    string Subfolder { get; }

    /// <summary>The file types it reads.</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>An upload of this kind as a run's failure names it, in Swedish: the one and the several.</summary>
    (string Singular, string Plural) Nouns { get; }

    /// <summary>
    /// Whether each upload is owed a result workbook beside it. Survey exports come from the survey tool, not from a
    /// person waiting for feedback: their outcome is in <c>pbi_etl_file</c> and <c>pbi_etl_problem</c>.
    /// </summary>
    bool OwesResults { get; }

    /// <summary>
    /// Whether rendering an upload's result workbook needs what was read of it (the actuals' rows), so that a result
    /// waiting to be rendered holds its upload: the run then lets fewer of them wait.
    /// </summary>
    bool ResultsHoldTheUpload => false;

    /// <summary>
    /// Reads and validates one upload's bytes, timing the decoding as reading and the rest as validating: an
    /// <see cref="UploadAccepted"/>, or an <see cref="UploadRejected"/> naming each problem. Whatever else it throws
    /// the pipeline turns into the upload's rejection, or the run's failure for a fault of the run.
    /// </summary>
    UploadOutcome Read(Upload upload, SourceFile file, byte[] bytes, PhaseTimings timings);

    /// <summary>The result workbook of an upload it rejected, or null when it owes none.</summary>
    ResultRenderer? RenderRejected(UploadRejected rejected);
}

/// <summary>What the pipeline made of one upload.</summary>
public abstract record UploadOutcome(SourceFile File);

/// <summary>An upload rejected whole, with its problems; <paramref name="RowsRejected"/> rows were seen.</summary>
public sealed record UploadRejected(SourceFile File, IReadOnlyList<SourceProblem> Problems, int RowsRejected) : UploadOutcome(File);

/// <summary>An upload read whole and valid, to be staged into the run.</summary>
public abstract record UploadAccepted(SourceFile File) : UploadOutcome(File)
{
    /// <summary>
    /// What the run must bring up to date before the file is staged, not while: what that writes is the run's, not the
    /// file's, and is not undone with it.
    /// </summary>
    public virtual Task PrepareAsync(RefreshRun run, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Takes it into the run, inside the run's staging of the file; returns how its result workbook is rendered, or null for none.</summary>
    public abstract Task<ResultRenderer?> StageAsync(RefreshRun run, CancellationToken ct);
}

/// <summary>Renders an upload's result workbook from the run's summary of it and the problems the run recorded against it.</summary>
public delegate byte[] ResultRenderer(ResultSummary summary, IReadOnlyList<SourceProblem> recorded);
