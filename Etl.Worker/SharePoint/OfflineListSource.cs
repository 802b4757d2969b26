using System.Security.Cryptography;
using System.Text.Json;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.SharePoint;

/// <summary>A list export read from a source folder (<see cref="OfflineListSource.OpenAsync"/>).</summary>
public sealed record OfflineListFile(string ListName, string ContentSha256, IEnumerable<ListItemData> Items);

/// <summary>
/// The lists' offline form: <c>lists/&lt;list&gt;.json</c> in the source folder, each holding what Graph
/// would return (<c>{"value": [...]}</c>), read by the same item parser as Graph's pages.
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

    public async Task<ListRead> ReadAsync(string listName, string? deltaLink, CancellationToken ct)
    {
        var file = await OpenAsync(listName, ct);
        return new ListRead(listName, ListReadMode.Offline, file.Items.ToList(), DeltaLink: null, ContentSha256: file.ContentSha256);
    }

    /// <summary>
    /// Reads a list's file and its fingerprint; its items are parsed as they are enumerated, so that a long
    /// list is never held parsed whole. A file that cannot be read, or is no list, throws
    /// <see cref="ListUnreadableException"/>: here, or from the enumeration when it reaches the fault.
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
            var bytes = await File.ReadAllBytesAsync(path, ct);
            return new OfflineListFile(listName, Convert.ToHexStringLower(SHA256.HashData(bytes)), Items(listName, bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ListUnreadableException(listName, $"{Relative(listName)} kunde inte läsas: {e.Message}", e);
        }
    }

    private static IEnumerable<ListItemData> Items(string listName, byte[] bytes)
    {
        using var items = ListJson.EnumerateItems(bytes).GetEnumerator();
        while (true)
        {
            bool more;
            try
            {
                more = items.MoveNext();
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
                yield break;
            }
            yield return items.Current;
        }
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
}
