using NackaInsights.Etl.Pipeline;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>What a source folder's subfolder lists: the uploads read, in processing order, and the files the operator is told are ignored.</summary>
public sealed class FolderUploadSourceFacts : IDisposable
{
    private static readonly DateTime March = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory _dir = new("nacka-folder-listing");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AFolderListsItsWorkbooks_ByTimeThenName_WithTheirSizeAndTime()
    {
        Save("business-cases/b.xlsx", 3, March.AddDays(1));
        Save("business-cases/c.xlsx", 5, March);
        Save("business-cases/a.XLSX", 7, March.AddDays(1));
        var source = Source();

        var listing = await source.ListAsync(null, TestContext.Current.CancellationToken);

        Assert.Equal(["business-cases/c.xlsx", "business-cases/a.XLSX", "business-cases/b.xlsx"], listing.Uploads.Select(u => u.Name));
        Assert.Equal(["c.xlsx", "a.XLSX", "b.xlsx"], listing.Uploads.Select(u => u.FileName));
        Assert.Equal([5L, 7L, 3L], listing.Uploads.Select(u => u.SizeBytes));
        Assert.Equal([March, March.AddDays(1), March.AddDays(1)], listing.Uploads.Select(u => u.ModifiedUtc));
        Assert.Equal(_dir.File("business-cases/c.xlsx"), listing.Uploads[0].Id);
        Assert.All(listing.Uploads, u => Assert.Null(u.Refusal));
    }

    [Fact]
    public async Task ResultWorkbooksLockFilesAndFolders_AreNeitherReadNorReportedIgnored_OtherFilesAreReportedIgnored()
    {
        Save("business-cases/a.xlsx", 1, March);
        Save("business-cases/a.resultat.xlsx", 1, March);
        Save("business-cases/b.resultat.xlsx.tmp", 1, March);
        Save("business-cases/~$a.xlsx", 1, March);
        Save("business-cases/anteckningar.docx", 1, March);
        Save("business-cases/.dold.txt", 1, March);
        Save("business-cases/undermapp/c.xlsx", 1, March);
        var source = Source();

        var listing = await source.ListAsync(null, TestContext.Current.CancellationToken);

        Assert.Equal(["business-cases/a.xlsx"], listing.Uploads.Select(u => u.Name));
        Assert.Equal(["business-cases/.dold.txt", "business-cases/anteckningar.docx"], listing.Ignored.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ASurveyFolderReadsEachOfItsExtensions_AndAMissingFolderListsNothing()
    {
        Save("index/enkat 2023.csv", 2, March);
        Save("index/enkat 2024.xlsx", 2, March.AddDays(1));
        Save("index/enkat.txt", 2, March);
        var survey = new FolderUploadSource(new SourceFolder(_dir.Path), "index", "index", [".csv", ".xlsx"]);

        var listing = await survey.ListAsync(null, TestContext.Current.CancellationToken);
        var missing = await new FolderUploadSource(new SourceFolder(_dir.Path), "actuals", "actuals").ListAsync(null, TestContext.Current.CancellationToken);

        Assert.Equal(["index/enkat 2023.csv", "index/enkat 2024.xlsx"], listing.Uploads.Select(u => u.Name));
        Assert.Equal(["index/enkat.txt"], listing.Ignored);
        Assert.Empty(missing.Uploads);
        Assert.Empty(missing.Ignored);
    }

    private FolderUploadSource Source() => new(new SourceFolder(_dir.Path), "business-cases", "business-case");

    private void Save(string relative, int bytes, DateTime modifiedUtc)
    {
        var path = _dir.File(relative);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, modifiedUtc);
    }
}
