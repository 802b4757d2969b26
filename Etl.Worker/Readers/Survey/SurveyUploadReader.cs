using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers.Survey;

/// <summary>
/// The maturity survey's exports (<c>index/*.csv|*.xlsx</c>): last in a run, since the index they feed also counts the
/// realisation. They get no result workbook.
/// </summary>
public sealed class SurveyUploadReader(WorkbookLimits limits, InputLimits inputs) : IUploadReader
{
    private readonly SurveyReader _reader = new(limits, inputs);

    public string Kind => SourceKind.Index;

    public int Order => 2;

    public string Subfolder => SourceFolder.Index;

    public IReadOnlyList<string> Extensions => SurveyReader.Extensions;

    public (string Singular, string Plural) Nouns => ("enkätexporten", "enkätexporterna");

    public bool OwesResults => false;

    public UploadOutcome Read(Upload upload, SourceFile file, byte[] bytes, PhaseTimings timings) =>
        timings.Measure(PhaseTimings.Validate, () =>
        {
            var survey = _reader.Read(bytes, upload.FileName, upload.Name);
            return survey.Upload is { } read && survey.FileProblems.Count == 0
                ? (UploadOutcome)new Accepted(file, read)
                : new UploadRejected(file, survey.FileProblems, 0);
        });

    public ResultRenderer? RenderRejected(UploadRejected rejected) => null;

    private sealed record Accepted(SourceFile File, SurveyUpload Upload) : UploadAccepted(File)
    {
        public override async Task<ResultRenderer?> StageAsync(RefreshRun run, CancellationToken ct)
        {
            await run.AddSurveyAsync(File, Upload, ct);
            return null;
        }
    }
}
