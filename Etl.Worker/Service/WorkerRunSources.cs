using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Service;

/// <summary>Builds the sources of each pipeline job from the configuration.</summary>
public sealed class WorkerRunSources(
    Microsoft.Extensions.Options.IOptions<WorkerOptions> worker,
    GraphOptions graph,
    GraphSources sharePoint,
    IEnumerable<IUploadReader> readers,
    TimeProvider time)
{
    /// <summary>The sources of the job <paramref name="jobId"/>; throws for a job that is not a pipeline run or is not configured.</summary>
    public JobSources For(string jobId)
    {
        switch (jobId)
        {
            case WorkerJobs.SourceFolder:
                var dir = worker.Value.SourceDir is { Length: > 0 } d
                    ? d
                    : throw new InvalidOperationException($"The job {jobId} needs {WorkerOptions.Section}:{nameof(WorkerOptions.SourceDir)}.");
                return new JobSources(RunSources.FromFolder(new SourceFolder(dir), readers), []);
            case WorkerJobs.SharePointLists:
                RequireGraph(jobId);
                return sharePoint.Create(lists: true);
            case WorkerJobs.DocumentLibraries:
                RequireGraph(jobId);
                return sharePoint.Create(lists: false, SourceKind.BusinessCase, SourceKind.Actuals);
            case WorkerJobs.MaturitySurvey:
            {
                if (graph.Enabled && graph.SurveyLibrary.IsEnabled)
                {
                    return sharePoint.Create(lists: false, SourceKind.Index);
                }
                var root = worker.Value.SourceDir is { Length: > 0 } surveyDir
                    ? surveyDir
                    : throw new InvalidOperationException($"The job {jobId} needs GraphOptions:SurveyLibrary or {WorkerOptions.Section}:{nameof(WorkerOptions.SourceDir)}.");
                return new JobSources(RunSources.SurveyFromFolder(new SourceFolder(root), readers), []);
            }
            case WorkerJobs.ProjectStatusSnapshot:
            {
                // The lists first (by delta through Graph, or the folder's offline files), so that the snapshot
                // holds the reports of the day; the workbooks are the other jobs' work.
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(time.GetUtcNow().UtcDateTime, worker.Value.ResolveTimeZone()));
                if (graph.Enabled)
                {
                    return sharePoint.Create(lists: true).WithSnapshot(today);
                }
                var folder = worker.Value.SourceDir is { Length: > 0 } root
                    ? new SourceFolder(root)
                    : throw new InvalidOperationException($"The job {jobId} needs GraphOptions:Enabled or {WorkerOptions.Section}:{nameof(WorkerOptions.SourceDir)}.");
                var offline = Path.Combine(folder.Root, SourceFolder.Lists);
                return new JobSources(new RunSources([], Directory.Exists(offline) ? new OfflineListSource(offline) : null) { ProjectStatusSnapshot = today }, []);
            }
            case WorkerJobs.Recompute:
                return new JobSources(RunSources.Recompute, []);
            case WorkerJobs.Checks:
                return new JobSources(RunSources.ChecksOnly, []);
            default:
                throw new InvalidOperationException($"{jobId} is not a pipeline job.");
        }
    }

    private void RequireGraph(string jobId)
    {
        if (!graph.Enabled)
        {
            throw new InvalidOperationException($"The job {jobId} needs GraphOptions:Enabled.");
        }
    }
}
