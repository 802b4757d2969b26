using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// The base of pipeline facts that run over a source folder of their own: the folder, and business case workbooks put
/// in it a minute apart, so that the processing order (last modified, then name) is the order they were added in.
/// </summary>
public abstract class SourceFolderFacts(string prefix) : PipelineFacts
{
    private static readonly DateTime FirstModified = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);
    private int _files;

    protected TempDirectory Source { get; } = new(prefix);

    public override ValueTask DisposeAsync()
    {
        Source.Dispose();
        return base.DisposeAsync();
    }

    /// <summary>Saves a business case workbook as <c>business-cases/<paramref name="name"/></c>, modified after the last one added.</summary>
    protected void AddWorkbook(string name, RawXlsx workbook)
    {
        var path = Source.File($"business-cases/{name}");
        workbook.Save(path);
        File.SetLastWriteTimeUtc(path, FirstModified.AddMinutes(++_files));
    }
}
