using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers;
using NackaInsights.Etl.Service;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Service;

/// <summary>What each job reads, from the configuration, the registered readers and the clock.</summary>
public sealed class WorkerRunSourcesFacts : IDisposable
{
    private readonly TempDirectory _source = new("nacka-jobs");

    public WorkerRunSourcesFacts() => Directory.CreateDirectory(_source.File(SourceFolder.Lists));

    public void Dispose() => _source.Dispose();

    [Fact]
    public void TheSnapshotIsOfTheDayTheClockShowsInTheConfiguredTimeZone()
    {
        // 22:30 UTC on 31 March 2024 is already 00:30 on 1 April in Stockholm (summer time).
        var sources = Sources(new FixedTime(new DateTimeOffset(2024, 3, 31, 22, 30, 0, TimeSpan.Zero)));

        using var job = sources.For(WorkerJobs.ProjectStatusSnapshot);

        Assert.Equal(new DateOnly(2024, 4, 1), job.Sources.ProjectStatusSnapshot);
        Assert.IsType<OfflineListSource>(job.Sources.Lists);
        Assert.Empty(job.Sources.Uploads);
    }

    [Fact]
    public void TheSourceFolderJobReadsEachRegisteredReadersFolderInTheirOrder()
    {
        using var job = Sources(TimeProvider.System).For(WorkerJobs.SourceFolder);

        Assert.Equal([SourceKind.BusinessCase, SourceKind.Actuals, SourceKind.Index], job.Sources.Uploads.Select(u => u.Kind));
        Assert.True(job.ReadsSources);
    }

    [Fact]
    public void TheSurveyJobWithoutALibraryReadsOnlyTheFoldersSurveyExports()
    {
        using var job = Sources(TimeProvider.System).For(WorkerJobs.MaturitySurvey);

        var survey = Assert.IsType<FolderUploadSource>(Assert.Single(job.Sources.Uploads));
        Assert.Equal(SourceKind.Index, survey.Kind);
        Assert.Equal([".csv", ".xlsx"], survey.Extensions);
        Assert.Null(job.Sources.Lists);
    }

    private WorkerRunSources Sources(TimeProvider time)
    {
        var graph = new GraphOptions();
        var worker = Options.Create(new WorkerOptions { SourceDir = _source.Path, TimeZone = "Europe/Stockholm" });
        var readers = UploadReaders.Default(new WorkbookLimits(), new InputLimits());
        return new WorkerRunSources(worker, graph, new GraphSources(graph, readers, NullLoggerFactory.Instance), readers, time);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
