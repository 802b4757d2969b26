namespace NackaInsights.Etl.Service;

/// <summary>
/// The worker's recurring jobs, by their stable ids: the keys of <c>WorkerOptions:Schedules</c>, the ids
/// the Hangfire dashboard shows, and the <c>run_kind</c> of the runs they start in <c>pbi_etl_run</c>.
/// </summary>
public static class WorkerJobs
{
    /// <summary>The four SharePoint lists through Graph, by delta.</summary>
    public const string SharePointLists = "sharepoint-lists";

    /// <summary>The business case and actuals document libraries through Graph, by delta.</summary>
    public const string DocumentLibraries = "document-libraries";

    /// <summary>The offline source folder (<c>WorkerOptions:SourceDir</c>), when one is configured.</summary>
    public const string SourceFolder = "source-folder";

    /// <summary>The maturity survey exports: a survey document library through Graph, or the source folder's <c>index/</c>.</summary>
    public const string MaturitySurvey = "maturity-survey";

    /// <summary>The daily snapshot of every initiative's project status.</summary>
    public const string ProjectStatusSnapshot = "project-status-snapshot";

    /// <summary>Rebuilds every computed fact from what is loaded; a continuation of a source job that loaded something.</summary>
    public const string Recompute = "recompute";

    /// <summary>Runs the data checks over the published facts; a continuation of the recompute.</summary>
    public const string Checks = "checks";

    /// <summary>Jobs whose runs read no sources: a refresh is a run of any other kind.</summary>
    public static readonly IReadOnlyList<string> ReadNoSources = [Recompute, Checks];
}
