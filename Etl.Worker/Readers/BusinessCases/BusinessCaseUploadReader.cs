using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers.BusinessCases;

/// <summary>Business case workbooks (<c>business-cases/</c>): first in a run, the version loaded last is current.</summary>
public sealed class BusinessCaseUploadReader(WorkbookLimits limits, InputLimits inputs) : WorkbookUploadReader(limits, inputs)
{
    private readonly BusinessCaseWorkbookReader _reader = new(limits, inputs);

    public override string Kind => SourceKind.BusinessCase;

    public override int Order => 0;

    public override string Subfolder => SourceFolder.BusinessCases;

    public override (string Singular, string Plural) Nouns => ("nyttokalkylen", "nyttokalkylerna");

    protected override UploadOutcome Read(XlsxWorkbook workbook, Upload upload, SourceFile file)
    {
        var result = _reader.Read(workbook, upload.Name);
        return result.IsValid
            ? new Accepted(file, result.BusinessCase!)
            : new UploadRejected(file, result.Problems, result.RowsSeen);
    }

    public override ResultRenderer RenderRejected(UploadRejected rejected)
    {
        var problems = rejected.Problems;
        int? rowsSeen = rejected.RowsRejected > 0 ? rejected.RowsRejected : null;
        return (summary, _) => ResultWorkbookWriter.WriteBusinessCase(summary, problems, rowsSeen);
    }

    private sealed record Accepted(SourceFile File, BusinessCase BusinessCase) : UploadAccepted(File)
    {
        public override async Task<ResultRenderer?> StageAsync(RefreshRun run, CancellationToken ct)
        {
            await run.AddBusinessCaseAsync(File, BusinessCase, ct);
            // Only the count is kept for the result workbook, not the business case: a batch's uploads need not be held.
            var lines = BusinessCase.LineCount;
            // The problems the run recorded against a loaded business case are the notes on keys it spelled otherwise.
            return (summary, recorded) => ResultWorkbookWriter.WriteBusinessCase(summary, recorded, lines);
        }
    }
}
