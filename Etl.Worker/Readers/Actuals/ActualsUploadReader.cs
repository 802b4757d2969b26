using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers.Actuals;

/// <summary>Actuals workbooks (<c>actuals/</c>): after the business cases they are checked against; the report loaded last replaces earlier ones.</summary>
public sealed class ActualsUploadReader(WorkbookLimits limits, InputLimits inputs) : WorkbookUploadReader(limits, inputs)
{
    private readonly ActualsWorkbookReader _reader = new(limits, inputs);

    public override string Kind => SourceKind.Actuals;

    public override int Order => 1;

    public override string Subfolder => SourceFolder.Actuals;

    public override (string Singular, string Plural) Nouns => ("utfallsrapporten", "utfallsrapporterna");

    // Its result lists the rows read (ResultWorkbookWriter.WriteActuals).
    public override bool ResultsHoldTheUpload => true;

    protected override UploadOutcome Read(XlsxWorkbook workbook, Upload upload, SourceFile file)
    {
        var actuals = _reader.Read(workbook, upload.Name);
        return actuals.Upload is { } read && actuals.FileProblems.Count == 0
            ? new Accepted(file, read)
            : new UploadRejected(file, actuals.FileProblems, actuals.Upload?.Rows.Count ?? 0);
    }

    public override ResultRenderer RenderRejected(UploadRejected rejected)
    {
        var fileProblems = new ActualsValidation([], rejected.Problems);
        return (summary, _) => ResultWorkbookWriter.WriteActuals(summary, null, fileProblems);
    }

    private sealed record Accepted(SourceFile File, ActualsUpload Upload) : UploadAccepted(File)
    {
        public override Task PrepareAsync(RefreshRun run, CancellationToken ct) => run.GetActualsCatalogueAsync(ct);

        public override async Task<ResultRenderer?> StageAsync(RefreshRun run, CancellationToken ct)
        {
            var validation = await run.AddActualsAsync(File, Upload, ct);
            var upload = Upload;
            return (summary, _) => ResultWorkbookWriter.WriteActuals(summary, upload, validation);
        }
    }
}
