using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Service;

/// <summary>What one job's run reads, and the Graph clients to dispose of when it is done.</summary>
public sealed class JobSources(RunSources sources, IReadOnlyList<IDisposable> owned) : IDisposable
{
    public RunSources Sources { get; } = sources;

    /// <summary>Whether the job reads sources, so that a run that loaded something is followed by the recompute and the checks.</summary>
    public bool ReadsSources => Sources.Uploads.Count > 0 || Sources.Lists is not null;

    public void Dispose()
    {
        foreach (var d in owned)
        {
            d.Dispose();
        }
    }
}

/// <summary>Builds the sources of each pipeline job from the configuration.</summary>
public sealed class WorkerRunSources(
    Microsoft.Extensions.Options.IOptions<WorkerOptions> worker,
    GraphOptions graph,
    ILoggerFactory loggers)
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
                return new JobSources(RunSources.FromFolder(new SourceFolder(dir)), []);
            case WorkerJobs.SharePointLists:
            {
                RequireGraph(jobId);
                var lists = new GraphListSource(graph, GraphCredentials.Create(graph), loggers.CreateLogger<GraphListSource>());
                return new JobSources(new RunSources([], lists), [lists]);
            }
            case WorkerJobs.DocumentLibraries:
            {
                RequireGraph(jobId);
                var credential = GraphCredentials.Create(graph);
                var libraries = new List<GraphLibrarySource>();
                foreach (var kind in new[] { SourceKind.BusinessCase, SourceKind.Actuals })
                {
                    if (graph.LibraryFor(kind).Library.IsEnabled)
                    {
                        libraries.Add(new GraphLibrarySource(graph, kind, credential, loggers.CreateLogger<GraphLibrarySource>()));
                    }
                }
                return new JobSources(new RunSources(libraries, null), libraries);
            }
            case WorkerJobs.MaturitySurvey:
            {
                if (graph.Enabled && graph.SurveyLibrary.IsEnabled)
                {
                    var survey = new GraphLibrarySource(graph, SourceKind.Index, GraphCredentials.Create(graph), loggers.CreateLogger<GraphLibrarySource>());
                    return new JobSources(new RunSources([survey], null), [survey]);
                }
                var root = worker.Value.SourceDir is { Length: > 0 } surveyDir
                    ? surveyDir
                    : throw new InvalidOperationException($"The job {jobId} needs GraphOptions:SurveyLibrary or {WorkerOptions.Section}:{nameof(WorkerOptions.SourceDir)}.");
                return new JobSources(RunSources.SurveyFromFolder(new SourceFolder(root)), []);
            }
            case WorkerJobs.ProjectStatusSnapshot:
            {
                // The lists first (by delta through Graph, or the folder's offline files), so that the snapshot
                // holds the reports of the day; the workbooks are the other jobs' work.
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, worker.Value.ResolveTimeZone()));
                if (graph.Enabled)
                {
                    var lists = new GraphListSource(graph, GraphCredentials.Create(graph), loggers.CreateLogger<GraphListSource>());
                    return new JobSources(new RunSources([], lists) { ProjectStatusSnapshot = today }, [lists]);
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
