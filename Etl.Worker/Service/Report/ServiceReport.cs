using Microsoft.Data.Sqlite;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.Report.Pdf;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Service.Report;

/// <summary>
/// The municipality's follow-up report that the service serves at <c>/rapport</c>: one file, <c>rapport.html</c>, made
/// afresh after each run that published and written whole or not at all, so that it is always the report of a published
/// warehouse and a request never waits for one to be made.
/// </summary>
public sealed class ServiceReport(WarehouseDatabase database, ReportOptions options, ILogger<ServiceReport> logger)
{
    public const string FileName = "rapport.html";

    // Runs are one at a time under the refresh lock; this only keeps a run and anything else that remakes it apart.
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>
    /// Where the report is kept: <c>Report:Directory</c> when set (a relative one from the current directory, as
    /// <c>--db</c> is), else beside the SQLite warehouse file, else (a server database) the program's folder.
    /// </summary>
    public string FilePath { get; } = Path.Combine(Folder(options, database), FileName);

    /// <summary>Makes the report from the warehouse as it is now, replacing the one before once it is written whole.</summary>
    public async Task RemakeAsync(CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            await ReportFile.WriteAsync(database, ReportRequest.Municipality, FilePath, ct);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// After a run: a run that published makes the report afresh; one that failed published nothing, and the report
    /// stays as it was. The run has published by now, so a report that cannot be made is logged, never the run's failure.
    /// </summary>
    public async Task AfterRunAsync(RunResult result, CancellationToken ct)
    {
        if (!result.Succeeded)
        {
            return;
        }
        try
        {
            await RemakeAsync(ct);
            logger.LogInformation("Run {RunId} published: the follow-up report at {Path} is made afresh", result.RunId, FilePath);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            logger.LogWarning("Run {RunId}: cancelled while the follow-up report was made; {Path} stays as it was", result.RunId, FilePath);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogError(e, "Run {RunId} published, but the follow-up report could not be made; {Path} stays as it was", result.RunId, FilePath);
        }
    }

    private static string Folder(ReportOptions options, WarehouseDatabase database)
    {
        if (!string.IsNullOrWhiteSpace(options.Directory))
        {
            return Path.GetFullPath(options.Directory.Trim());
        }
        if (database.Options.Provider == WarehouseProvider.Sqlite)
        {
            var dataSource = new SqliteConnectionStringBuilder(database.Options.ConnectionString).DataSource;
            if (dataSource is not ("" or ":memory:") && !dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                return Path.GetDirectoryName(Path.GetFullPath(dataSource))!;
            }
        }
        return AppContext.BaseDirectory;
    }
}
