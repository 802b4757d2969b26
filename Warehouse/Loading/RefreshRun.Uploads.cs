namespace NackaInsights.Warehouse.Loading;

public sealed partial class RefreshRun
{
    /// <summary>
    /// The content tags (Graph's <c>cTag</c>) of the uploads of a source whose content a published run took in, by
    /// upload id (<c>etl_upload_content</c>). A document library lists an upload again whenever its columns change
    /// (the status a run writes there among them); with the tag it had, its content did not change.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> GetUploadContentTagsAsync(string sourceKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sourceKey);
        var rows = await ReadAsync("SELECT upload_id, content_tag FROM etl_upload_content WHERE source_key = @key",
            r => new ContentTag(r.GetString(0), r.GetString(1)), ct, ("@key", sourceKey));
        return rows.ToDictionary(r => r.UploadId, r => r.Tag, StringComparer.Ordinal);
    }

    /// <summary>
    /// Keeps, in the run's transaction, the content tag of an upload the run took in (loaded, unchanged or rejected):
    /// published with the run, rolled back with it, so that a failed run's uploads are read again.
    /// </summary>
    public async Task KeepUploadContentTagAsync(string sourceKey, string uploadId, string contentTag, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sourceKey);
        ArgumentNullException.ThrowIfNull(uploadId);
        ArgumentNullException.ThrowIfNull(contentTag);
        await ExecuteAsync("DELETE FROM etl_upload_content WHERE source_key = @key AND upload_id = @id", [("@key", sourceKey), ("@id", uploadId)], ct);
        await ExecuteAsync("INSERT INTO etl_upload_content (source_key, upload_id, content_tag, run_id) VALUES (@key, @id, @tag, @run)",
            [("@key", sourceKey), ("@id", uploadId), ("@tag", contentTag), ("@run", RunId)], ct);
    }

    private sealed record ContentTag(string UploadId, string Tag);
}
