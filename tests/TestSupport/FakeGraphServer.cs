using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NackaInsights.TestSupport;

/// <summary>
/// A small Microsoft Graph for tests, over real HTTP on 127.0.0.1: one SharePoint site with lists of
/// items, <c>/items</c> and <c>/items/delta</c> paged by <see cref="PageSize"/>, opaque delta tokens that
/// remember the list's version, scripted faults, and a log of every request. The site also has document
/// libraries (<see cref="Drive"/>): <c>/sites/{id}/drives</c>, <c>root/delta</c>, downloads that answer 302
/// to a pre-authenticated URL on another host name (<c>localhost</c>) that needs no token, as SharePoint's
/// do, and small-file uploads by parent id and name.
/// </summary>
public sealed partial class FakeGraphServer : IAsyncDisposable
{
    public const string AccessToken = "fake-graph-access-token";
    public const string Hostname = "nacka.sharepoint.com";
    public const string SitePath = "/sites/digitalisering";
    public const string SiteId = "nacka.sharepoint.com,6a1f0c2e-7d4b-4f57-9a52-0f3c2d1e8b71,b7d2e5a9-3c14-4e8f-a6d0-5e9f1b2c3d4e";

    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, FakeList> _lists = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FakeDrive> _drives = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);
    private readonly List<Fault> _faults = [];
    private readonly List<LoggedRequest> _log = [];
    private readonly WebApplication _app;
    private long _version;
    private long _nextToken;

    private FakeGraphServer(WebApplication app) => _app = app;

    /// <summary>The Graph base URL to configure, e.g. <c>http://127.0.0.1:41234/v1.0</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>How many items one page holds.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Every request so far, in order of arrival.</summary>
    public IReadOnlyList<LoggedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    public static async Task<FakeGraphServer> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeGraphServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseUrl = $"{address.TrimEnd('/')}/v1.0";
        return server;
    }

    /// <summary>The list with this title, created empty the first time.</summary>
    public FakeList List(string title)
    {
        lock (_gate)
        {
            if (!_lists.TryGetValue(title, out var list))
            {
                list = new FakeList(this, title);
                _lists[title] = list;
                _lists[list.Id] = list;
            }
            return list;
        }
    }

    /// <summary>The next <paramref name="times"/> requests whose path and query contain <paramref name="pathContains"/> answer <paramref name="status"/>.</summary>
    public void FailNext(string pathContains, int times, HttpStatusCode status, int? retryAfterSeconds = null, string? errorCode = null)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(pathContains, status, retryAfterSeconds, errorCode ?? status.ToString()) { Remaining = times });
        }
    }

    /// <summary>Every request whose path and query contain <paramref name="pathContains"/> answers <paramref name="status"/>.</summary>
    public void FailAlways(string pathContains, HttpStatusCode status, int? retryAfterSeconds = null, string? errorCode = null) =>
        FailNext(pathContains, int.MaxValue, status, retryAfterSeconds, errorCode);

    /// <summary>Every delta token handed out so far now answers <paramref name="status"/> with the error code <paramref name="errorCode"/>.</summary>
    public void ExpireDeltaTokens(HttpStatusCode status, string errorCode)
    {
        lock (_gate)
        {
            foreach (var cursor in _cursors.Values.Where(c => c.Kind == CursorKind.Delta))
            {
                cursor.Expired = (status, errorCode);
            }
        }
    }

    public void ClearLog()
    {
        lock (_gate)
        {
            _log.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One request as the server saw it: <see cref="At"/> is when it arrived, from the server's start.</summary>
    /// <param name="Host">The host name it was sent to: the base URL's, or the download host's.</param>
    /// <param name="HadAuthorization">Whether it carried an <c>Authorization</c> header at all.</param>
    public sealed record LoggedRequest(string Method, string PathAndQuery, int Status, TimeSpan At, string Host = "", bool HadAuthorization = false);

    /// <summary>One list of the site: items by id, each stamped with the version that last changed it.</summary>
    public sealed class FakeList
    {
        private readonly FakeGraphServer _server;
        internal readonly Dictionary<string, (JsonObject Item, long Version)> Items = new(StringComparer.Ordinal);
        internal readonly Dictionary<string, long> Removed = new(StringComparer.Ordinal);

        internal FakeList(FakeGraphServer server, string title)
        {
            _server = server;
            Title = title;
        }

        public string Title { get; }

        public string Id { get; } = Guid.NewGuid().ToString();

        /// <summary>
        /// Adds or replaces an item; <paramref name="fields"/> is serialized as its <c>fields</c>. Like SharePoint, the item
        /// keeps the <c>createdDateTime</c> it got when first put (its first modification time, unless
        /// <paramref name="created"/> says otherwise); <paramref name="created"/> given again replaces it, as a restored item's.
        /// </summary>
        public FakeList Put(string id, object fields, DateTimeOffset? lastModified = null, DateTimeOffset? created = null)
        {
            lock (_server._gate)
            {
                var modified = (lastModified ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-ddTHH:mm:ssZ");
                var createdText = created?.ToString("yyyy-MM-ddTHH:mm:ssZ")
                    ?? (Items.TryGetValue(id, out var existing) ? existing.Item["createdDateTime"]?.GetValue<string>() : null)
                    ?? modified;
                var item = new JsonObject
                {
                    ["id"] = id,
                    ["createdDateTime"] = createdText,
                    ["lastModifiedDateTime"] = modified,
                    ["fields"] = JsonSerializer.SerializeToNode(fields),
                };
                Items[id] = (item, ++_server._version);
                Removed.Remove(id);
            }
            return this;
        }

        public FakeList Remove(string id)
        {
            lock (_server._gate)
            {
                if (Items.Remove(id))
                {
                    Removed[id] = ++_server._version;
                }
            }
            return this;
        }
    }

    private enum CursorKind
    {
        Delta,
        Page,
    }

    /// <summary>What a token stands for: a list version to give changes since, or the rest of an enumeration.</summary>
    private sealed class Cursor(CursorKind kind, FakeList? list, bool expandFields)
    {
        public CursorKind Kind { get; } = kind;

        public FakeList? List { get; } = list;

        public FakeDrive? Drive { get; init; }

        public bool ExpandFields { get; } = expandFields;

        public long Version { get; init; }

        public List<JsonObject> Pending { get; init; } = [];

        public string? FinalDeltaToken { get; init; }

        public bool IsDeltaFunction { get; init; }

        public (HttpStatusCode Status, string Code)? Expired { get; set; }
    }

    private sealed record Fault(string PathContains, HttpStatusCode Status, int? RetryAfterSeconds, string Code)
    {
        public int Remaining { get; set; }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var at = _clock.Elapsed;
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        byte[] content = [];
        if (HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            content = buffer.ToArray();
        }
        var isDownload = (context.Request.Path.Value ?? string.Empty).StartsWith(DownloadPrefix, StringComparison.Ordinal);
        var reply = isDownload ? AnswerDownload(context.Request, target) : Answer(context.Request, target, content);
        lock (_gate)
        {
            _log.Add(new LoggedRequest(context.Request.Method, target, (int)reply.Status, at, context.Request.Host.Host, context.Request.Headers.Authorization.Count > 0));
        }
        context.Response.StatusCode = (int)reply.Status;
        if (reply.RetryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (reply.Location is not null)
        {
            context.Response.Headers.Location = reply.Location;
        }
        if (reply.Bytes is not null)
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(reply.Bytes, context.RequestAborted);
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(reply.Json!.ToJsonString(), context.RequestAborted);
    }

    private Reply Answer(HttpRequest request, string target, byte[] content)
    {
        if (request.Headers.Authorization.ToString() != $"Bearer {AccessToken}")
        {
            return Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty or wrong.");
        }
        lock (_gate)
        {
            if (ScriptedFault(target) is { } fault)
            {
                return fault;
            }

            var path = request.Path.Value ?? string.Empty;
            if (path.StartsWith("/v1.0/drives/", StringComparison.Ordinal))
            {
                return AnswerDrive(request, path["/v1.0/drives/".Length..], content);
            }
            const string prefix = "/v1.0/sites/";
            if (request.Method != HttpMethods.Get || !path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return Error(HttpStatusCode.BadRequest, "BadRequest", $"Unsupported request {request.Method} {path}.");
            }
            var rest = path[prefix.Length..];
            if (rest.Contains(":/", StringComparison.Ordinal))
            {
                return rest.Equals($"{Hostname}:{SitePath}", StringComparison.OrdinalIgnoreCase)
                    ? new Reply(HttpStatusCode.OK, new JsonObject { ["id"] = SiteId, ["webUrl"] = $"https://{Hostname}{SitePath}" })
                    : Error(HttpStatusCode.NotFound, "itemNotFound", "The provided path does not exist, or does not represent a site.");
            }
            // {site-id}/lists/{list}/items[/delta], or {site-id}/drives
            var parts = rest.Split('/');
            if (parts is [_, "drives"])
            {
                return parts[0].Equals(SiteId, StringComparison.OrdinalIgnoreCase)
                    ? new Reply(HttpStatusCode.OK, new JsonObject { ["value"] = new JsonArray([.. _drives.Values.Distinct().Select(d => d.Json())]) })
                    : Error(HttpStatusCode.NotFound, "itemNotFound", "Site not found.");
            }
            var isItems = parts is [_, "lists", _, "items"];
            var isDelta = parts is [_, "lists", _, "items", "delta" or "delta()"];
            if (!isItems && !isDelta)
            {
                return Error(HttpStatusCode.BadRequest, "BadRequest", $"Unsupported path {path}.");
            }
            if (!parts[0].Equals(SiteId, StringComparison.OrdinalIgnoreCase))
            {
                return Error(HttpStatusCode.NotFound, "itemNotFound", "Site not found.");
            }
            if (!_lists.TryGetValue(parts[2], out var list))
            {
                return Error(HttpStatusCode.NotFound, "itemNotFound", $"List '{parts[2]}' does not exist.");
            }
            var expand = $"{request.Query["$expand"]}{request.Query["expand"]}".Contains("fields", StringComparison.OrdinalIgnoreCase);
            var token = isDelta ? request.Query["token"].ToString() : request.Query["$skiptoken"].ToString();
            if (token.Length == 0)
            {
                // A first request: the whole list; through delta it ends with a link for the changes after it.
                var all = list.Items.Values.OrderBy(i => i.Version).Select(i => i.Item).ToList();
                return Enumerate(list, all, expand, isDelta, isDelta ? NewDeltaToken(list, expand) : null);
            }
            if (isDelta && token == "latest")
            {
                return Enumerate(list, [], expand, true, NewDeltaToken(list, expand));
            }
            if (!_cursors.TryGetValue(token, out var cursor) || cursor.List != list || cursor.List is null)
            {
                return Error(HttpStatusCode.Gone, "resyncChangesApplyDifferences", "The token is not known.");
            }
            if (cursor.Expired is { } expired)
            {
                return Error(expired.Status, expired.Code, "The delta token has expired.");
            }
            if (cursor.Kind == CursorKind.Page)
            {
                return Enumerate(list, cursor.Pending, cursor.ExpandFields, cursor.IsDeltaFunction, cursor.FinalDeltaToken);
            }
            var changed = list.Items.Values.Where(i => i.Version > cursor.Version).Select(i => (i.Item, i.Version));
            var removed = list.Removed.Where(r => r.Value > cursor.Version)
                .Select(r => (Item: new JsonObject { ["id"] = r.Key, ["@removed"] = new JsonObject { ["reason"] = "deleted" } }, Version: r.Value));
            var changes = changed.Concat(removed).OrderBy(c => c.Version).Select(c => c.Item).ToList();
            return Enumerate(list, changes, cursor.ExpandFields, true, NewDeltaToken(list, cursor.ExpandFields));
        }
    }

    /// <summary>The first page of <paramref name="items"/>, with a next link to the rest or, at the end, the delta link.</summary>
    private Reply Enumerate(FakeList list, List<JsonObject> items, bool expand, bool isDelta, string? finalDeltaToken)
    {
        var page = new JsonArray();
        foreach (var item in items.Take(PageSize))
        {
            var copy = item.DeepClone().AsObject();
            if (!expand)
            {
                copy.Remove("fields");
            }
            page.Add(copy);
        }
        var body = new JsonObject { ["value"] = page };
        var listUrl = $"{BaseUrl}/sites/{SiteId}/lists/{list.Id}/items";
        if (items.Count > PageSize)
        {
            var token = NewToken();
            _cursors[token] = new Cursor(CursorKind.Page, list, expand)
            {
                Pending = items.Skip(PageSize).ToList(),
                FinalDeltaToken = finalDeltaToken,
                IsDeltaFunction = isDelta,
            };
            body["@odata.nextLink"] = isDelta ? $"{listUrl}/delta?token={token}" : $"{listUrl}?$skiptoken={token}";
        }
        else if (finalDeltaToken is not null)
        {
            body["@odata.deltaLink"] = $"{listUrl}/delta?token={finalDeltaToken}";
        }
        return new Reply(HttpStatusCode.OK, body);
    }

    private string NewDeltaToken(FakeList list, bool expand)
    {
        var token = NewToken();
        _cursors[token] = new Cursor(CursorKind.Delta, list, expand) { Version = _version };
        return token;
    }

    private string NewToken() => $"{++_nextToken}-{Guid.NewGuid():N}";

    private static Reply Error(HttpStatusCode status, string code, string message) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    /// <summary>The first scripted fault whose text the request's path and query contain, used up by one.</summary>
    private Reply? ScriptedFault(string target)
    {
        var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && Uri.UnescapeDataString(target).Contains(f.PathContains, StringComparison.OrdinalIgnoreCase));
        if (fault is null)
        {
            return null;
        }
        fault.Remaining--;
        return Error(fault.Status, fault.Code, "Scripted fault.") with { RetryAfter = fault.RetryAfterSeconds };
    }

    /// <summary>An answer: JSON, or raw bytes, with an optional <c>Retry-After</c> and <c>Location</c>.</summary>
    private sealed record Reply(HttpStatusCode Status, JsonNode? Json, int? RetryAfter = null)
    {
        public byte[]? Bytes { get; init; }

        public string? Location { get; init; }
    }
}
