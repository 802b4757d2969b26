namespace NackaInsights.Etl.Pipeline;

/// <summary>
/// Uploads from a subfolder of the source folder (<c>business-cases/</c>, <c>actuals/</c>, <c>index/</c>): the
/// offline form of the document libraries. The whole folder is listed every run; a file whose content was
/// loaded before is recognised by its fingerprint and not loaded again. Results are written beside it. A file whose
/// name is not a plain file name (<see cref="Upload.IsSafeFileName"/>) is listed refused, and never read.
/// </summary>
/// <param name="extensions">The file types read; <c>.xlsx</c> unless given (the survey exports of <c>index/</c> are also <c>.csv</c>).</param>
public sealed class FolderUploadSource(SourceFolder folder, string subfolder, string kind, IReadOnlyList<string>? extensions = null) : IUploadSource
{
    public string Kind { get; } = kind;

    /// <summary>The file types read from the folder.</summary>
    public IReadOnlyList<string> Extensions { get; } = extensions ?? SourceFolder.WorkbookExtensions;

    public string? StateKey => null;

    /// <summary>Yes: a file of the same size and modification time as when it was last loaded is not read again (git's rule).</summary>
    public bool TrustsModifiedTime => true;

    /// <summary><c>folder:{kind}:{full path}</c>.</summary>
    public string SourceKey => $"folder:{Kind}:{Directory}";

    /// <summary>What a result workbook is written as first, beside its final name, and then moved.</summary>
    public const string TemporarySuffix = ".tmp";

    public string Directory { get; } = Path.Combine(folder.Root, subfolder);

    public Task<UploadListing> ListAsync(string? deltaLink, CancellationToken ct)
    {
        // A name a document library would refuse is refused here too, unread: its result workbook could not be written safely.
        var listed = folder.List(subfolder, Extensions);
        var uploads = listed.Files
            .Select(f => new Upload(folder.Name(f.FullName), f.FileName, f.FullName, f.Length, f.LastWriteTimeUtc, AuthorEmail: null, WebUrl: null, Upload.RefusalOf(f.FileName)))
            .ToList();
        return Task.FromResult(new UploadListing(uploads, null, []) { Ignored = listed.Ignored });
    }

    /// <exception cref="InvalidOperationException">The upload was refused: it is never read.</exception>
    public async Task<byte[]?> ReadAsync(Upload upload, long maxBytes, CancellationToken ct)
    {
        if (upload.Refusal is not null)
        {
            throw new InvalidOperationException($"{upload.Name} was refused ({upload.Refusal}); it is never read");
        }
        var file = new FileInfo(upload.Id);
        if (file.Length > maxBytes)
        {
            return null;
        }
        return await File.ReadAllBytesAsync(file.FullName, ct);
    }

    public async Task WriteResultAsync(Upload upload, byte[] workbook, CancellationToken ct)
    {
        // Written beside and then moved, so that a reader never sees half a workbook.
        await StageResultAsync(upload, workbook, ct);
        await ShowStagedResultAsync(upload, ct);
    }

    /// <summary>
    /// Writes the result as its temporary (<see cref="TemporarySuffix"/>), which no reader takes for a result. Written
    /// at once, on the calling thread: a few kilobytes, which async file I/O would only hand to the thread pool.
    /// </summary>
    public Task<bool> StageResultAsync(Upload upload, byte[] workbook, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        File.WriteAllBytes(ResultPath(upload, "write") + TemporarySuffix, workbook);
        return Task.FromResult(true);
    }

    public Task ShowStagedResultAsync(Upload upload, CancellationToken ct)
    {
        var path = ResultPath(upload, "write");
        File.Move(path + TemporarySuffix, path, overwrite: true);
        return Task.CompletedTask;
    }

    public Task DiscardStagedResultAsync(Upload upload, CancellationToken ct)
    {
        File.Delete(ResultPath(upload, "remove") + TemporarySuffix);
        return Task.CompletedTask;
    }

    private static string ResultPath(Upload upload, string verb)
    {
        var directory = Path.GetDirectoryName(upload.Id) ?? throw new InvalidOperationException($"{upload.Id} has no folder.");
        if (!Upload.IsSafeFileName(upload.ResultName))
        {
            throw new InvalidOperationException($"Refusing to {verb} a result for {upload.Name}: its name is not a plain file name.");
        }
        return Path.Combine(directory, upload.ResultName);
    }

    public Task RemoveResultAsync(Upload upload, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(upload.Id) ?? throw new InvalidOperationException($"{upload.Id} has no folder.");
        if (!Upload.IsSafeFileName(upload.ResultName))
        {
            throw new InvalidOperationException($"Refusing to remove a result for {upload.Name}: its name is not a plain file name.");
        }
        // None there is fine: the upload's earlier versions had none, or it was removed by hand.
        File.Delete(Path.Combine(directory, upload.ResultName));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> RemoveTemporariesAsync(CancellationToken ct)
    {
        var removed = new List<string>();
        if (System.IO.Directory.Exists(Directory))
        {
            foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*" + Upload.ResultSuffix + TemporarySuffix))
            {
                file.Delete();
                removed.Add(folder.Name(file.FullName));
            }
        }
        return Task.FromResult<IReadOnlyList<string>>(removed);
    }

    public override string ToString() => Directory;

    /// <summary>None: the run's source folder names it.</summary>
    public string? RunDescription => null;
}
