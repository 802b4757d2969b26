using System.Buffers;

namespace NackaInsights.Etl.Pipeline;

/// <summary>
/// Where uploaded workbooks of one kind come from, and where their result workbooks go: a subfolder of
/// the source folder (offline), or a SharePoint document library read through Graph's drive API.
/// </summary>
public interface IUploadSource
{
    /// <summary><see cref="Warehouse.Loading.SourceKind.BusinessCase"/> or <see cref="Warehouse.Loading.SourceKind.Actuals"/>.</summary>
    string Kind { get; }

    /// <summary>
    /// The key its read state is kept under in the warehouse between runs (a library's delta link), or
    /// null when it keeps none (a folder is listed whole every run).
    /// </summary>
    string? StateKey { get; }

    /// <summary>
    /// The source across runs and processes: the key the result workbooks it is still owed are kept under
    /// (<c>etl_result_owed.source_key</c>), so that a later run of the same source writes them.
    /// </summary>
    string SourceKey { get; }

    /// <summary>
    /// The uploads that are new or changed since <paramref name="deltaLink"/> (all of them without one),
    /// in processing order: last-modified time, then name. Result workbooks (<c>*.resultat.xlsx</c>) and
    /// Excel's lock files are never among them.
    /// </summary>
    Task<UploadListing> ListAsync(string? deltaLink, CancellationToken ct);

    /// <summary>The upload's bytes; null when it is larger than <paramref name="maxBytes"/> (then it is not downloaded).</summary>
    Task<byte[]?> ReadAsync(Upload upload, long maxBytes, CancellationToken ct);

    /// <summary>Writes <paramref name="workbook"/> as <see cref="Upload.ResultName"/> beside the upload.</summary>
    Task WriteResultAsync(Upload upload, byte[] workbook, CancellationToken ct);

    /// <summary>
    /// Writes <paramref name="workbook"/> beside the upload where nobody takes it for a result yet (the temporary a result
    /// is written through), while the run that owes it has still to publish; <see cref="ShowStagedResultAsync"/> then
    /// only has to show it. False where the source cannot: a library's upload is itself the write. A process that dies
    /// leaves it to <see cref="RemoveTemporariesAsync"/>.
    /// </summary>
    Task<bool> StageResultAsync(Upload upload, byte[] workbook, CancellationToken ct) => Task.FromResult(false);

    /// <summary>Shows a result staged by <see cref="StageResultAsync"/> as <see cref="Upload.ResultName"/>, replacing the one there.</summary>
    Task ShowStagedResultAsync(Upload upload, CancellationToken ct) =>
        throw new NotSupportedException($"{this} stages no result workbooks.");

    /// <summary>Removes a result staged by <see cref="StageResultAsync"/> that is not to be shown: its run failed. None there is fine.</summary>
    Task DiscardStagedResultAsync(Upload upload, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Removes the result workbook beside the upload, if there is one: an earlier version of the upload had problems that
    /// this one no longer has, and no workbook is written for it this time.
    /// </summary>
    Task RemoveResultAsync(Upload upload, CancellationToken ct);

    /// <summary>
    /// Whether each upload's status can be shown beside it: a document library with the columns <c>Inlasningsstatus</c>
    /// and <c>Inlasningsmeddelande</c> (sharepoint-lists.md, "Document libraries: status on the file"). Asked once per run;
    /// never throws: a source that cannot tell has none.
    /// </summary>
    Task<bool> HasStatusColumnsAsync(CancellationToken ct) => Task.FromResult(false);

    /// <summary>Sets the upload's status and message in its status columns; only where <see cref="HasStatusColumnsAsync"/> says there are some.</summary>
    Task SetStatusAsync(Upload upload, string status, string message, CancellationToken ct) =>
        throw new NotSupportedException($"{this} has no status columns.");

    /// <summary>
    /// Removes the temporary files that result workbooks are written through, left behind by a process that died while
    /// writing one; returns their names. Only called while the run holds the refresh lock, so none is being written.
    /// </summary>
    Task<IReadOnlyList<string>> RemoveTemporariesAsync(CancellationToken ct);

    /// <summary>
    /// Whether an upload whose size and modification time are those recorded when its content was last fingerprinted
    /// may be taken as unchanged without being read (<see cref="Warehouse.Loading.RefreshRun.UnchangedByItsTimes"/>): a
    /// folder, whose times come from the file system of the machine whose clock starts the run. A document library has
    /// its cTag instead (<see cref="Upload.ContentTag"/>), and the server's clock is not the run's.
    /// </summary>
    bool TrustsModifiedTime => false;

    /// <summary>For the operator's account of a run: where the uploads are read from, or null when the run's source folder says it.</summary>
    string? RunDescription => ToString();
}

/// <summary>One run's listing of a source.</summary>
/// <param name="Uploads">New or changed uploads, in processing order.</param>
/// <param name="DeltaLink">For next time: where to ask for the changes after this listing; null for a folder.</param>
/// <param name="Removed">Names of uploads removed since the last listing, for the log.</param>
public sealed record UploadListing(IReadOnlyList<Upload> Uploads, string? DeltaLink, IReadOnlyList<string> Removed)
{
    /// <summary>Files in the source that are not uploads it reads, for the operator's attention (a folder's).</summary>
    public IReadOnlyList<string> Ignored { get; init; } = [];
}

/// <summary>An uploaded workbook, as listed.</summary>
/// <param name="Name">Its name across runs, as <c>pbi_etl_file.file_name</c> shows it: <c>actuals/x.xlsx</c>, or the library and path.</param>
/// <param name="FileName">The file's own name, without any folder.</param>
/// <param name="Id">What the source finds it by again: a full path, or a drive item id.</param>
/// <param name="AuthorEmail">Who uploaded or last changed it, when the source knows (SharePoint does).</param>
/// <param name="WebUrl">Where a person can open it, when the source has such an address.</param>
/// <param name="Refusal">Why it is refused unread (a name that would let a write escape its folder), in Swedish; null when it may be read.</param>
public sealed record Upload(
    string Name,
    string FileName,
    string Id,
    long SizeBytes,
    DateTime ModifiedUtc,
    string? AuthorEmail,
    string? WebUrl,
    string? Refusal = null)
{
    /// <summary>
    /// The tag of its content as the source gives it (Graph's <c>cTag</c>, which changes with the content and not with the
    /// columns): an upload listed again with the tag it had when it was taken in has only had its columns changed, and is
    /// not read again. Null where the source has none (a folder).
    /// </summary>
    public string? ContentTag { get; init; }

    /// <summary>The suffix of the feedback workbooks written beside uploads; never read back as uploads.</summary>
    public const string ResultSuffix = ".resultat.xlsx";

    /// <summary><c>x.xlsx</c> gives <c>x.resultat.xlsx</c>.</summary>
    public string ResultName => Path.GetFileNameWithoutExtension(FileName) + ResultSuffix;

    /// <summary>
    /// Whether a file name from a source may be used: a plain file name with no folder part, no "." or "..",
    /// and no character that a file system or a Graph path treats specially.
    /// </summary>
    public static bool IsSafeFileName(string name) =>
        !string.IsNullOrWhiteSpace(name)
        && name != "." && name != ".."
        && name.Length <= 255
        && name.AsSpan().IndexOfAny(UnsafeInFileNames) < 0
        && !name.Contains("..", StringComparison.Ordinal)
        && name.AsSpan().Trim().Length == name.Length;

    /// <summary>
    /// What no file name may hold: the characters a file system or a Graph path treats specially, and the control
    /// characters (<see cref="char.IsControl(char)"/>: U+0000–U+001F and U+007F–U+009F). Searched for at once: every
    /// listed file is asked, 8,800 of them in every run at scale 4, and the array of nine characters and the test of
    /// each character that it replaced took about 25 ms of a run's listing.
    /// </summary>
    private static readonly SearchValues<char> UnsafeInFileNames = SearchValues.Create(
        "/\\:*?\"<>|" + new string([.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)]));

    /// <summary>
    /// Why a listed file is refused unread, in Swedish, or null when its name may be used: a name that is not a plain
    /// file name (<see cref="IsSafeFileName"/>) could let a result workbook's write escape its folder, or not be
    /// writable at all, so it is never read, from a folder and a document library alike.
    /// </summary>
    public static string? RefusalOf(string name) => IsSafeFileName(name) ? null : $"Filnamnet \"{name}\" är inte tillåtet; filen lästes inte.";

    /// <summary>Whether a name is one of ours (a result workbook) or Excel's lock file, never read as an upload.</summary>
    public static bool IsIgnoredName(string name) =>
        name.EndsWith(ResultSuffix, StringComparison.OrdinalIgnoreCase) || name.StartsWith("~$", StringComparison.Ordinal);
}
