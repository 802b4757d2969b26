using System.Diagnostics;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers;

/// <summary>
/// An upload that is an <c>.xlsx</c> workbook: opened here within the limits, so that each kind only reads cells.
/// Decoding the workbook (zip, XML, cells) counts as reading; what the reader then makes of the cells, and every rule
/// it checks, as validating.
/// </summary>
public abstract class WorkbookUploadReader(WorkbookLimits limits, InputLimits inputs) : IUploadReader
{
    public abstract string Kind { get; }

    public abstract int Order { get; }

    public abstract string Subfolder { get; }

    public IReadOnlyList<string> Extensions => SourceFolder.WorkbookExtensions;

    public abstract (string Singular, string Plural) Nouns { get; }

    public bool OwesResults => true;

    public virtual bool ResultsHoldTheUpload => false;

    public UploadOutcome Read(Upload upload, SourceFile file, byte[] bytes, PhaseTimings timings)
    {
        var started = Stopwatch.GetTimestamp();
        XlsxWorkbook? workbook = null;
        try
        {
            workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), limits, inputs);
            return Read(workbook, upload, file);
        }
        catch (UnreadableWorkbookException e)
        {
            return new UploadRejected(file, [new SourceProblem(upload.Name, e.Sheet, null, e.Message)], 0);
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

    /// <summary>Reads and validates the opened workbook.</summary>
    protected abstract UploadOutcome Read(XlsxWorkbook workbook, Upload upload, SourceFile file);

    public abstract ResultRenderer? RenderRejected(UploadRejected rejected);
}
