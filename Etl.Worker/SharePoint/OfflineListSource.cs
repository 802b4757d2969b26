using System.Security.Cryptography;
using System.Text.Json;
using NackaInsights.Etl.Readers;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.SharePoint;

/// <summary>A list export read from a source folder (<see cref="OfflineListSource.OpenAsync"/>).</summary>
public sealed record OfflineListFile(string ListName, string ContentSha256, IEnumerable<ListItemData> Items);

/// <summary>
/// The lists' offline form: <c>lists/&lt;list&gt;.json</c> in the source folder, each holding what Graph
/// would return (<c>{"value": [...]}</c>), read by the same item parser as Graph's pages. Beside them, as Graph gives
/// them, each list's column definitions (<c>lists/&lt;list&gt;.columns.json</c>, the shape of <c>GET /lists/{list}/columns</c>)
/// and the site's user information list (<c>lists/User Information List.json</c>, items with <c>EMail</c> and <c>Title</c>),
/// so that an export of a site's own lists, person and lookup columns included, reads as the site does. Neither is
/// taken as a list: the run reads only the four lists by name.
/// </summary>
public sealed class OfflineListSource(string listsFolder) : IListSource
{
    /// <summary>The largest list file read: far beyond the largest municipality's lists.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    public string Path(string listName) => System.IO.Path.Combine(listsFolder, listName + ".json");

    public bool Has(string listName) => File.Exists(Path(listName));

    /// <summary>The SHA-256 of a list file, to tell whether it changed since it was last read.</summary>
    public async Task<string?> FingerprintAsync(string listName, CancellationToken ct)
    {
        await using var stream = File.OpenRead(Path(listName));
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    public (string Name, FileStamp Stamp)? FileOf(string listName)
    {
        var info = new FileInfo(Path(listName));
        return info.Exists ? (Relative(listName), new FileStamp(info.Length, info.LastWriteTimeUtc)) : null;
    }

    public async Task<ListRead> ReadAsync(string listName, string? deltaLink, CancellationToken ct)
    {
        var file = await OpenAsync(listName, ct);
        return new ListRead(listName, ListReadMode.Offline, file.Items.ToList(), DeltaLink: null, ContentSha256: file.ContentSha256);
    }

    /// <summary>
    /// Reads a list's fingerprint; its items are read and parsed as they are enumerated, so that a long list is never
    /// held whole, neither parsed nor as bytes (the file was read whole before: 16.7 MB for Bedomningar at scale 4, the
    /// largest object while the lists load). A file that cannot be read, or is no list, throws
    /// <see cref="ListUnreadableException"/>: here, or from the enumeration when it reaches the fault, as does a file
    /// whose bytes are not those it was fingerprinted by when the enumeration ends.
    /// </summary>
    public async Task<OfflineListFile> OpenAsync(string listName, CancellationToken ct)
    {
        var path = Path(listName);
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                throw new ListUnreadableException(listName, $"{Relative(listName)} är större än {MaxFileBytes / (1024 * 1024)} MB.");
            }
            byte[] sha;
            await using (var stream = File.OpenRead(path))
            {
                sha = await SHA256.HashDataAsync(stream, ct);
            }
            return new OfflineListFile(listName, Convert.ToHexStringLower(sha), Items(listName, path, sha));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ListUnreadableException(listName, $"{Relative(listName)} kunde inte läsas: {e.Message}", e);
        }
    }

    private static IEnumerable<ListItemData> Items(string listName, string path, byte[] sha)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        IEnumerator<ListItemData> items;
        try
        {
            items = ListJson.EnumerateItems(new HashingStream(File.OpenRead(path), hash)).GetEnumerator();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ListUnreadableException(listName, $"{Relative(listName)} kunde inte läsas: {e.Message}", e);
        }
        using var _ = items;
        while (true)
        {
            bool more;
            try
            {
                more = items.MoveNext();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ListUnreadableException(listName, $"{Relative(listName)} kunde inte läsas: {e.Message}", e);
            }
            catch (JsonException e) when (e.LineNumber is { } line)
            {
                // The parser's own words are English and technical: say where, in Swedish.
                throw new ListUnreadableException(listName, $"{Relative(listName)} är inte giltig JSON (rad {line + 1}, tecken {e.BytePositionInLine + 1}).", e);
            }
            catch (JsonException e)
            {
                throw new ListUnreadableException(listName, $"{Relative(listName)} har inte Graphs form: {e.Message}", e);
            }
            if (!more)
            {
                // The page is read to its end: a file changed since its fingerprint was taken would be recorded as read
                // under a fingerprint that is not its own, and not read again while it stays as it is now.
                if (!hash.GetCurrentHash().AsSpan().SequenceEqual(sha))
                {
                    throw new ListUnreadableException(listName, $"{Relative(listName)} ändrades medan den lästes.");
                }
                yield break;
            }
            yield return items.Current;
        }
    }

    /// <summary>A file read forward, each block read also fed to a hash.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : ReadThroughStream(inner)
    {
        protected override void Observe(ReadOnlySpan<byte> read) => hash.AppendData(read);
    }

    private static string Relative(string listName) => $"lists/{listName}.json";

    /// <summary>The time a list file's content is as of, for items that lack their own modification time.</summary>
    public DateTime ModifiedUtc(string listName) => File.GetLastWriteTimeUtc(Path(listName));

    /// <summary>The whole file, streamed; its time stands in for items that lack <c>lastModifiedDateTime</c>.</summary>
    public async Task<ListStream> StreamAsync(string listName, string? deltaLink, CancellationToken ct)
    {
        var file = await OpenAsync(listName, ct);
        return new ListStream(ListReadModes.File, IsComplete: true, DeltaLink: null, file.ContentSha256, file.Items, ModifiedUtc(listName));
    }

    /// <summary>None: the run's source folder names it.</summary>
    public string? RunDescription => null;

    /// <summary>Where a list's column definitions are kept: <c>lists/&lt;list&gt;.columns.json</c>.</summary>
    public string ColumnsPath(string listName) => System.IO.Path.Combine(listsFolder, listName + ColumnsSuffix);

    public const string ColumnsSuffix = ".columns.json";

    /// <summary>The list's column definitions from <c>lists/&lt;list&gt;.columns.json</c>, or null when the folder has none.</summary>
    public async Task<IReadOnlyList<ListColumn>?> ColumnsAsync(string listName, CancellationToken ct)
    {
        var relative = $"lists/{listName}{ColumnsSuffix}";
        var bytes = await ReadIfPresentAsync(listName, ColumnsPath(listName), relative, ct);
        if (bytes is null)
        {
            return null;
        }
        try
        {
            return ListColumnJson.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new ListUnreadableException(listName, Unreadable(relative, e), e);
        }
    }

    private Task<SiteUsers>? _users;

    private readonly Lock _usersLock = new();

    /// <summary>The site's user information list from <c>lists/User Information List.json</c>, read once; none when the folder has no such file.</summary>
    public Task<SiteUsers> UsersAsync(CancellationToken ct)
    {
        lock (_usersLock)
        {
            // A read that failed is not kept: the run fails on it, and a later call reads again.
            if (_users is null || _users.IsFaulted || _users.IsCanceled)
            {
                _users = ReadUsersAsync(ct);
            }
            return _users;
        }
    }

    private async Task<SiteUsers> ReadUsersAsync(CancellationToken ct)
    {
        var relative = $"lists/{SiteUsers.ListTitle}.json";
        var bytes = await ReadIfPresentAsync(SiteUsers.ListTitle, Path(SiteUsers.ListTitle), relative, ct);
        if (bytes is null)
        {
            return SiteUsers.None;
        }
        try
        {
            return SiteUsers.FromItems(ListJson.ParsePage(bytes).Items);
        }
        catch (JsonException e)
        {
            throw new ListUnreadableException(SiteUsers.ListTitle, Unreadable(relative, e), e);
        }
    }

    /// <summary>A side file's content, or null when it is not there; one that cannot be read throws <see cref="ListUnreadableException"/>.</summary>
    private static async Task<byte[]?> ReadIfPresentAsync(string listName, string path, string relative, CancellationToken ct)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return null;
            }
            if (info.Length > MaxFileBytes)
            {
                throw new ListUnreadableException(listName, $"{relative} är större än {MaxFileBytes / (1024 * 1024)} MB.");
            }
            return await File.ReadAllBytesAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ListUnreadableException(listName, $"{relative} kunde inte läsas: {e.Message}", e);
        }
    }

    private static string Unreadable(string relative, JsonException e) => e.LineNumber is { } line
        ? $"{relative} är inte giltig JSON (rad {line + 1}, tecken {e.BytePositionInLine + 1})."
        : $"{relative} har inte Graphs form: {e.Message}";
}
