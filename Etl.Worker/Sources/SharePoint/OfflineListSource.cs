using System.Security.Cryptography;
using System.Text.Json;

namespace NackaInsights.Etl.Sources.SharePoint;

/// <summary>
/// The lists' offline form: <c>lists/&lt;list&gt;.json</c> in the source folder, each holding what Graph
/// would return (<c>{"value": [...]}</c>), read by the same parser as Graph's pages.
/// </summary>
public sealed class OfflineListSource(string listsFolder) : IListSource
{
    /// <summary>The largest list file read: far beyond the largest municipality's lists.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    public string Path(string listName) => System.IO.Path.Combine(listsFolder, listName + ".json");

    public bool Has(string listName) => File.Exists(Path(listName));

    /// <summary>The SHA-256 of a list file, to tell whether it changed since it was last read.</summary>
    public async Task<string> FingerprintAsync(string listName, CancellationToken ct)
    {
        await using var stream = File.OpenRead(Path(listName));
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    public async Task<ListRead> ReadAsync(string listName, string? deltaLink, CancellationToken ct)
    {
        var path = Path(listName);
        var relative = $"lists/{listName}.json";
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                throw new ListUnreadableException(listName, $"{relative} är större än {MaxFileBytes / (1024 * 1024)} MB.");
            }
            var bytes = await File.ReadAllBytesAsync(path, ct);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var page = ListJson.ParsePage(bytes);
            return new ListRead(listName, ListReadMode.Offline, page.Items, DeltaLink: null, ContentSha256: sha);
        }
        catch (JsonException e) when (e.LineNumber is { } line)
        {
            // The parser's own words are English and technical: say where, in Swedish.
            throw new ListUnreadableException(listName, $"{relative} är inte giltig JSON (rad {line + 1}, tecken {e.BytePositionInLine + 1}).", e);
        }
        catch (JsonException e)
        {
            throw new ListUnreadableException(listName, $"{relative} har inte Graphs form: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ListUnreadableException(listName, $"{relative} kunde inte läsas: {e.Message}", e);
        }
    }

    /// <summary>The time a list file's content is as of, for items that lack their own modification time.</summary>
    public DateTime ModifiedUtc(string listName) => File.GetLastWriteTimeUtc(Path(listName));
}
