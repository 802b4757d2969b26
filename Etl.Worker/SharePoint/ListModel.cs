using System.Text.Json;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.SharePoint;

/// <summary>
/// The four SharePoint lists of sharepoint-lists.md, by the names their offline files carry: the
/// warehouse's names, which it keys its staging tables and list state by.
/// </summary>
public static class ListNames
{
    public const string Initiatives = NackaInsights.Warehouse.Loading.RefreshRun.Lists.Initiatives;
    public const string Assessments = NackaInsights.Warehouse.Loading.RefreshRun.Lists.Assessments;
    public const string ProjectStatus = NackaInsights.Warehouse.Loading.RefreshRun.Lists.ProjectStatus;
    public const string Objects = NackaInsights.Warehouse.Loading.RefreshRun.Lists.Objects;

    /// <summary>In the order they are loaded: objects and initiatives first, what refers to them after.</summary>
    public static readonly IReadOnlyList<string> All = [Objects, Initiatives, Assessments, ProjectStatus];
}

/// <summary>How a list was read.</summary>
public enum ListReadMode
{
    /// <summary>Every item, following <c>@odata.nextLink</c>: the list's whole content.</summary>
    Full,

    /// <summary>The changes since the kept <c>@odata.deltaLink</c>: changed, new and removed items.</summary>
    Delta,

    /// <summary>The offline JSON file of the source folder: the list's whole content.</summary>
    Offline,
}

/// <summary>
/// One list item as Graph returns it: its id, when it was last modified, and its <c>fields</c> as
/// raw JSON; or, in a delta, the note that it was removed.
/// </summary>
public sealed record ListItemData(string Id, DateTimeOffset? LastModified, JsonElement Fields, bool Removed)
{
    /// <summary>When the item was created (<c>createdDateTime</c>), where the source gives it: when its initiative was registered.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>A <c>createdDateTime</c> given but no timestamp (as text), so that the item is rejected naming it, as for <see cref="UnreadableLastModified"/>.</summary>
    public string? UnreadableCreated { get; init; }

    /// <summary>
    /// A <c>lastModifiedDateTime</c> given but no timestamp (as text), so that the item is rejected naming it rather
    /// than taken as if it had none.
    /// </summary>
    public string? UnreadableLastModified { get; init; }
}

/// <summary>What one read of a list returned.</summary>
/// <param name="DeltaLink">The <c>@odata.deltaLink</c> to keep for the next read, when the source gives one.</param>
/// <param name="ContentSha256">For an offline file, the SHA-256 of its content.</param>
public sealed record ListRead(string ListName, ListReadMode Mode, IReadOnlyList<ListItemData> Items, string? DeltaLink, string? ContentSha256 = null)
{
    /// <summary>Whether the items are the list's whole content (items not among them are gone), rather than changes.</summary>
    public bool IsComplete => Mode != ListReadMode.Delta;
}

/// <summary>A list could not be read at all: the run fails and the warehouse stays as it was.</summary>
public sealed class ListUnreadableException(string listName, string message, Exception? inner = null)
    : Exception($"Listan {listName} kunde inte läsas: {message}", inner)
{
    public string ListName { get; } = listName;
}

/// <summary>A source of the four lists: Microsoft Graph, or the offline files of a source folder.</summary>
public interface IListSource
{
    /// <summary>
    /// Reads one list: all of it, or only what changed since <paramref name="deltaLink"/> when the source
    /// supports that and a link is given. Throws <see cref="ListUnreadableException"/> when the list
    /// cannot be read.
    /// </summary>
    Task<ListRead> ReadAsync(string listName, string? deltaLink, CancellationToken ct);

    /// <summary>Whether the source has the list at all: a source folder may lack one, and the run then leaves it as it is.</summary>
    bool Has(string listName) => true;

    /// <summary>
    /// The SHA-256 of the list's content when the source can tell it before reading the list (an offline file), so that
    /// a list unchanged since its last read is not read again; null when it cannot.
    /// </summary>
    Task<string?> FingerprintAsync(string listName, CancellationToken ct) => Task.FromResult<string?>(null);

    /// <summary>
    /// The list's file, named as the source folder names it (<c>lists/Initiativ.json</c>), with its size and modification
    /// time, for a source of files: what tells an unchanged file without hashing it. Null for a source of no files (Graph)
    /// or a file that is not there.
    /// </summary>
    (string Name, FileStamp Stamp)? FileOf(string listName) => null;

    /// <summary>
    /// One list as a run takes it in, its items streamed so that a long list is never held parsed whole. Unless the
    /// source says otherwise, <see cref="ReadAsync"/>'s read, as of the run's start.
    /// </summary>
    async Task<ListStream> StreamAsync(string listName, string? deltaLink, CancellationToken ct)
    {
        var read = await ReadAsync(listName, deltaLink, ct);
        return new ListStream(read.Mode == ListReadMode.Delta ? ListReadModes.Delta : ListReadModes.Full, read.IsComplete, read.DeltaLink, null, read.Items, AsOfUtc: null);
    }

    /// <summary>For the operator's account of a run: where the lists are read from, or null when the run's source folder says it.</summary>
    string? RunDescription => ToString();

    /// <summary>
    /// The list's column definitions (Graph's <c>/lists/{list}/columns</c>, or the offline form's <c>lists/&lt;list&gt;.columns.json</c>),
    /// which tell a person or lookup column and a number shown as a percentage; null when the source has none. Throws
    /// <see cref="ListUnreadableException"/> when the source has them but they cannot be read.
    /// </summary>
    Task<IReadOnlyList<ListColumn>?> ColumnsAsync(string listName, CancellationToken ct) => Task.FromResult<IReadOnlyList<ListColumn>?>(null);

    /// <summary>
    /// The site's user information list, which person columns point into: read the first time it is asked for and kept for
    /// the source's life (one run). <see cref="SiteUsers.None"/> when the source has none. Throws
    /// <see cref="ListUnreadableException"/> (naming <see cref="SiteUsers.ListTitle"/>) when it cannot be read.
    /// </summary>
    Task<SiteUsers> UsersAsync(CancellationToken ct) => Task.FromResult(SiteUsers.None);
}

/// <summary>One list as a run takes it in.</summary>
/// <param name="Mode">How it was read, as <c>etl_list_read</c> records it (<see cref="ListReadModes"/>).</param>
/// <param name="ContentSha256">For an offline file, the SHA-256 of its content.</param>
/// <param name="AsOfUtc">When items without <c>lastModifiedDateTime</c> were last modified (an offline file's time); null for as of the run's start.</param>
public sealed record ListStream(string Mode, bool IsComplete, string? DeltaLink, string? ContentSha256, IEnumerable<ListItemData> Items, DateTime? AsOfUtc);

/// <summary>
/// Parses one page of Graph's list item JSON, <c>{"value": [...], "@odata.nextLink": ...,
/// "@odata.deltaLink": ...}</c>: the one parser both the Graph reader and the offline reader feed.
/// An item with <c>@removed</c> or a <c>deleted</c> facet is a removal.
/// </summary>
public static class ListJson
{
    public sealed record Page(IReadOnlyList<ListItemData> Items, string? NextLink, string? DeltaLink);

    /// <exception cref="JsonException">The page is not JSON of that shape; the message says where.</exception>
    public static async Task<Page> ParsePageAsync(Stream json, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await json.CopyToAsync(buffer, ct);
        return ParsePage(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// Parses a page item by item. A <see cref="JsonDocument"/> over a whole page would rent buffers of the
    /// page's size from the shared array pool, which keeps them for the life of the process: a list export of
    /// 16 MB held 128 MB that way.
    /// </summary>
    public static Page ParsePage(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException(NoValueList);
        }
        List<ListItemData>? items = null;
        string? nextLink = null, deltaLink = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "value" when reader.TokenType == JsonTokenType.StartArray && items is null:
                    items = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        using var item = JsonDocument.ParseValue(ref reader);
                        items.Add(ParseItem(item.RootElement, items.Count));
                    }
                    break;
                case "@odata.nextLink" when reader.TokenType == JsonTokenType.String:
                    nextLink = reader.GetString();
                    break;
                case "@odata.deltaLink" when reader.TokenType == JsonTokenType.String:
                    deltaLink = reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return items is null ? throw new JsonException(NoValueList) : new Page(items, nextLink, deltaLink);
    }

    /// <summary>
    /// The items of a page held in memory, parsed one at a time as they are asked for, so that a long list export
    /// is never held parsed whole. The page's links are not read. A page that is not well-formed, or not of
    /// Graph's form, throws <see cref="JsonException"/> when the enumeration reaches the fault.
    /// </summary>
    public static IEnumerable<ListItemData> EnumerateItems(byte[] json) => EnumerateItems(new MemoryStream(json, writable: false));

    /// <summary>
    /// The items of a page read from <paramref name="stream"/> a block at a time, as <see cref="EnumerateItems(byte[])"/>
    /// reads them from memory: a list export is never held whole either (a 16.7 MB array for Bedomningar at scale 4,
    /// the largest object of a full refresh while the lists load). The stream is disposed with the enumeration.
    /// </summary>
    /// <param name="blockBytes">How much is read at a time; the block grows to hold the longest item.</param>
    public static IEnumerable<ListItemData> EnumerateItems(Stream stream, int blockBytes = 64 * 1024)
    {
        using (stream)
        {
            var buffer = new byte[blockBytes];
            int start = 0, end = 0;
            var final = false;
            var cursor = new Cursor { State = new JsonReaderState(ReaderOptions) };
            while (true)
            {
                var item = NextItem(buffer.AsSpan(start, end - start), final, cursor, out var consumed);
                start += consumed;
                if (item is not null)
                {
                    yield return item;
                    continue;
                }
                if (cursor.Done)
                {
                    yield break;
                }
                // More is needed: what is left moves to the front, and the block grows only when it is full of one item.
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var read = stream.Read(buffer, end, buffer.Length - end);
                end += read;
                final = read == 0;
            }
        }
    }

    private sealed class Cursor
    {
        public JsonReaderState State;
        public int Index;
        public bool InValue;
        public bool Done;
    }

    /// <summary>
    /// The next item in <paramref name="json"/>, the part of the page not yet consumed; null when the page is done
    /// (<see cref="Cursor.Done"/>) or more of it is needed (<paramref name="final"/> false: the part may end anywhere, and
    /// only whole items and the whole page head are consumed, so that a retry with more reads as one read of the whole).
    /// </summary>
    private static ListItemData? NextItem(ReadOnlySpan<byte> json, bool final, Cursor cursor, out int consumed)
    {
        consumed = 0;
        if (cursor.Done)
        {
            return null;
        }
        var reader = new Utf8JsonReader(json, isFinalBlock: final, cursor.State);
        if (!cursor.InValue)
        {
            // At the final block a read returns false only at the end of the input, as before; short of it, for more.
            if (!reader.Read())
            {
                return final ? throw new JsonException(NoValueList) : null;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException(NoValueList);
            }
            var found = false;
            while (true)
            {
                if (!reader.Read())
                {
                    if (!final)
                    {
                        return null;
                    }
                    break;
                }
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    break;
                }
                var name = reader.GetString();
                if (!reader.Read() && !final)
                {
                    return null;
                }
                if (name == "value" && reader.TokenType == JsonTokenType.StartArray)
                {
                    found = true;
                    break;
                }
                if (!reader.TrySkip())
                {
                    return null;
                }
            }
            if (!found)
            {
                throw new JsonException(NoValueList);
            }
            cursor.InValue = true;
            consumed = (int)reader.BytesConsumed;
            cursor.State = reader.CurrentState;
            json = json[consumed..];
            reader = new Utf8JsonReader(json, isFinalBlock: final, cursor.State);
        }
        if (!reader.Read() && !final)
        {
            return null;
        }
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            if (!final)
            {
                // The rest of the page is read to its end, so that a page cut short is an error here too: all of it first.
                return null;
            }
            while (reader.Read())
            {
            }
            cursor.Done = true;
            return null;
        }
        ListItemData item;
        JsonDocument? document;
        if (final)
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        else if (!JsonDocument.TryParseValue(ref reader, out document))
        {
            return null;
        }
        using (document)
        {
            item = ParseItem(document.RootElement, cursor.Index++);
        }
        consumed += (int)reader.BytesConsumed;
        cursor.State = reader.CurrentState;
        return item;
    }

    private const string NoValueList = "Svaret har ingen lista \"value\" med listobjekt.";

    private static readonly JsonReaderOptions ReaderOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 32 };

    private static ListItemData ParseItem(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"Listobjekt nummer {index + 1} är inget JSON-objekt.");
        }
        var id = item.TryGetProperty("id", out var idElement)
            ? idElement.ValueKind switch
            {
                JsonValueKind.String => idElement.GetString(),
                JsonValueKind.Number => idElement.GetRawText(),
                _ => null,
            }
            : null;
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new JsonException($"Listobjekt nummer {index + 1} saknar id.");
        }
        // OData marks a removed entry with "@removed"; Graph's list item delta documents a "deleted" facet
        // instead ({"deleted": {"state": "deleted"}}), as for drive items. Either one is a removal.
        var removed = item.TryGetProperty("@removed", out _)
            || (item.TryGetProperty("deleted", out var deleted) && deleted.ValueKind == JsonValueKind.Object);
        var (modified, unreadable) = Timestamp(item, "lastModifiedDateTime");
        var (created, unreadableCreated) = Timestamp(item, "createdDateTime");
        var fields = item.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Object ? f.Clone() : EmptyObject;
        return new ListItemData(id, modified, fields, removed)
        {
            UnreadableLastModified = unreadable, Created = created, UnreadableCreated = unreadableCreated,
        };
    }

    /// <summary>An item's own timestamp: absent or null is none; anything but an ISO 8601 timestamp is kept as text to be named.</summary>
    private static (DateTimeOffset? Value, string? Unreadable) Timestamp(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var t) || t.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }
        if (t.ValueKind == JsonValueKind.String && t.TryGetDateTimeOffset(out var parsed))
        {
            return (parsed, null);
        }
        return (null, t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText());
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
}
