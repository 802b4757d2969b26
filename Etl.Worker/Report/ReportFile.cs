using System.Text;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Report;

/// <summary>Writes the follow-up report to a file, whole or not at all: the command's, the demo's and the service's.</summary>
public static class ReportFile
{
    /// <summary>UTF-8 without a byte order mark: the page declares its charset itself.</summary>
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Writes the report of <paramref name="request"/> to <paramref name="path"/>: into a temporary file beside it, then
    /// moved over it, so that a browser, a mail client or <c>/rapport</c> never reads half a page, and a report that fails
    /// (<see cref="ReportException"/>, a database error) leaves the file that was there as it was.
    /// </summary>
    public static async Task WriteAsync(WarehouseDatabase database, ReportRequest request, string path, CancellationToken ct)
    {
        var target = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            await using (var writer = new StreamWriter(stream, Utf8))
            {
                // Read-only: the report can never create, migrate or change the warehouse.
                await FollowUpReport.WriteHtmlAsync(await ReadOnlyWarehouse.OpenAsync(database, ct), request, writer, ct);
                await writer.FlushAsync(ct);
                // On disk before it takes the report's name: a crash after the move must not leave an empty page.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A temporary name nobody reads; not worth failing a written report for.
            }
        }
    }
}
