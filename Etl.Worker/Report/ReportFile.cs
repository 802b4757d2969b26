using System.Text;
using Microsoft.Data.Sqlite;
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
                await FollowUpReport.WriteHtmlAsync(await ReadOnlyAsync(database, ct), request, writer, ct);
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

    /// <summary>SQLite's SQLITE_CANTOPEN.</summary>
    private const int SqliteCantOpen = 14;

    /// <summary>
    /// The warehouse as the report reads it: an SQLite file opened read-only, so that the report can never create,
    /// migrate or change it; a server database as configured (its login decides). A file in WAL mode in a folder this
    /// user may not write cannot be opened read-only (the reader needs its -shm file beside it): it is read as immutable,
    /// as <c>status</c> reads it, as it is on disk.
    /// </summary>
    public static async Task<WarehouseDatabase> ReadOnlyAsync(WarehouseDatabase database, CancellationToken ct)
    {
        var readOnly = ReadOnly(database, immutable: false);
        if (ReferenceEquals(readOnly, database))
        {
            return database;
        }
        try
        {
            await using var connection = await readOnly.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master";
            await command.ExecuteScalarAsync(ct);
            return readOnly;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen && File.Exists(SqliteFile(database)))
        {
            return ReadOnly(database, immutable: true);
        }
    }

    private static string SqliteFile(WarehouseDatabase database) =>
        Path.GetFullPath(new SqliteConnectionStringBuilder(database.Options.ConnectionString).DataSource);

    private static WarehouseDatabase ReadOnly(WarehouseDatabase database, bool immutable)
    {
        if (database.Options.Provider != WarehouseProvider.Sqlite)
        {
            return database;
        }
        var builder = new SqliteConnectionStringBuilder(database.Options.ConnectionString);
        if (builder.DataSource is "" or ":memory:" || builder.Mode == SqliteOpenMode.Memory
            || builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return database;
        }
        builder.Mode = SqliteOpenMode.ReadOnly;
        if (immutable)
        {
            // A URI file name carries SQLite's immutable parameter; Microsoft.Data.Sqlite opens "file:" names as URIs.
            builder.DataSource = new Uri(SqliteFile(database)).AbsoluteUri + "?immutable=1";
        }
        return new WarehouseDatabase(new WarehouseOptions
        {
            Provider = WarehouseProvider.Sqlite,
            ConnectionString = builder.ToString(),
            CommandTimeoutSeconds = database.Options.CommandTimeoutSeconds,
            RefreshLockTimeoutSeconds = database.Options.RefreshLockTimeoutSeconds,
        });
    }
}
