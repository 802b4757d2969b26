namespace NackaInsights.Warehouse.Loading;

/// <summary>A file's size and modification time, as the file system gives them.</summary>
public sealed record FileStamp(long SizeBytes, DateTime ModifiedUtc);

public sealed partial class RefreshRun
{
    private Dictionary<string, ListFileRow>? _listFiles;

    /// <summary>
    /// The SHA-256 an offline list file still has, known without reading it: the one a run recorded with the file's size
    /// and modification time (<c>etl_list_file</c>), when both are the same now and that run began more than
    /// <see cref="RacyMargin"/> after that time (the rule of the workbooks, <see cref="UnchangedByItsTimes"/>). Null when
    /// the file must be hashed: SHA-256 stays the truth whenever either differs.
    /// </summary>
    public async Task<string?> ListFileUnchangedByItsTimesAsync(string fileName, FileStamp stamp, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(stamp);
        // A handful of rows (the four lists and the user list), read once a run.
        _listFiles ??= (await ReadAsync(
                """
                SELECT f.file_name, f.content_sha256, f.size_bytes, f.modified_at_utc, r.started_at_utc
                FROM etl_list_file f JOIN etl_run r ON r.run_id = f.run_id
                """,
                r => new ListFileRow(r.GetString(0), r.GetString(1), Runs.Columns.Long(r, 2), Runs.Columns.Timestamp(r, 3), Runs.Columns.Timestamp(r, 4)), ct))
            .ToDictionary(f => f.FileName, StringComparer.Ordinal);
        if (!_listFiles.TryGetValue(fileName, out var last))
        {
            return null;
        }
        var modified = ToTheMillisecond(stamp.ModifiedUtc);
        return last.SizeBytes == stamp.SizeBytes && ToTheMillisecond(last.ModifiedUtc) == modified && modified < last.ReadFromUtc - RacyMargin
            ? last.Sha256
            : null;
    }

    /// <summary>
    /// Keeps, in the run's transaction, the SHA-256 a list file had at the size and time it had when the run hashed it:
    /// published with the run, rolled back with it.
    /// </summary>
    public async Task RecordListFileAsync(string fileName, string sha256, FileStamp stamp, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentNullException.ThrowIfNull(stamp);
        var modified = ToTheMillisecond(stamp.ModifiedUtc);
        await ExecuteAsync("DELETE FROM etl_list_file WHERE file_name = @name", [("@name", fileName)], ct);
        await ExecuteAsync("INSERT INTO etl_list_file (file_name, content_sha256, size_bytes, modified_at_utc, run_id) VALUES (@name, @sha, @size, @modified, @run)",
            [("@name", fileName), ("@sha", sha256), ("@size", stamp.SizeBytes), ("@modified", Dialect.Timestamp(modified)), ("@run", RunId)], ct);
        // Asked again in this run (the user list, once per list that has people), the file has what this run hashed.
        _listFiles?[fileName] = new ListFileRow(fileName, sha256, stamp.SizeBytes, modified, StartedAtUtc);
    }

    private sealed record ListFileRow(string FileName, string Sha256, long SizeBytes, DateTime ModifiedUtc, DateTime ReadFromUtc);
}
