using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace NackaInsights.TestSupport;

/// <summary>
/// The Fabric REST API's items, for <c>powerbi deploy</c>: list by type (one item per page, so that the client must follow
/// <c>continuationToken</c>), create with a definition, update a definition, and long-running operations
/// (<c>202</c> + <c>Location</c> + <c>x-ms-operation-id</c>, <c>GET /v1/operations/{id}</c>, then <c>/result</c>).
/// </summary>
public sealed partial class FakePowerBiServer
{
    private readonly List<FabricItem> _fabricItems = [];
    private readonly Dictionary<string, (Queue<string> States, string? Error, JsonNode? Result)> _operations = new(StringComparer.Ordinal);
    private (string[] States, string? Error)? _nextOperation;

    /// <summary>The Fabric REST API to configure, e.g. <c>https://127.0.0.1:41234/v1</c>.</summary>
    public string FabricBaseUrl { get; private set; } = string.Empty;

    /// <summary>The items in every workspace, with the definition parts last posted for each (path → decoded bytes).</summary>
    public IReadOnlyList<FabricItem> FabricItems
    {
        get
        {
            lock (_gate)
            {
                return [.. _fabricItems];
            }
        }
    }

    /// <summary>
    /// The next create or update answers <c>202</c> with an operation that reports these states, one per <c>GET</c>, the
    /// last repeated (e.g. <c>NotStarted</c>, <c>Running</c>, <c>Succeeded</c>); a <c>Failed</c> one carries <paramref name="error"/>.
    /// Without it, a create answers <c>201</c> and an update <c>200</c>.
    /// </summary>
    public void ScriptNextFabricOperation(string[] states, string? error = null)
    {
        lock (_gate)
        {
            _nextOperation = (states, error);
        }
    }

    /// <summary>An item already in a workspace, as if published before.</summary>
    public FabricItem AddFabricItem(string workspaceId, string displayName, string type)
    {
        lock (_gate)
        {
            var item = new FabricItem(workspaceId, Guid.NewGuid().ToString(), displayName, type);
            _fabricItems.Add(item);
            return item;
        }
    }

    /// <summary>One item: its workspace, id, name, type, how often its definition was posted, and the parts last posted.</summary>
    public sealed record FabricItem(string WorkspaceId, string Id, string DisplayName, string Type)
    {
        public string? Format { get; set; }

        public int Definitions { get; set; }

        public IReadOnlyDictionary<string, byte[]> Parts { get; set; } = new Dictionary<string, byte[]>();
    }

    // Called under _gate.
    private (HttpStatusCode, JsonNode?, List<(string, string)>) AnswerFabric(HttpRequest request, string[] parts, string body, List<(string, string)> headers)
    {
        var authorization = request.Headers.Authorization.FirstOrDefault() ?? string.Empty;
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_issuedTokens.Contains(authorization["Bearer ".Length..]))
        {
            return (HttpStatusCode.Unauthorized, FabricError("TokenExpired", "Access token is missing or invalid."), headers);
        }
        // v1/operations/{id}[/result]
        if (request.Method == "GET" && parts[1] == "operations" && parts.Length >= 3 && _operations.TryGetValue(parts[2], out var operation))
        {
            if (parts.Length == 4 && parts[3] == "result")
            {
                return (HttpStatusCode.OK, operation.Result?.DeepClone(), headers);
            }
            var state = operation.States.Count > 1 ? operation.States.Dequeue() : operation.States.Peek();
            var answer = new JsonObject { ["status"] = state, ["percentComplete"] = state == "Succeeded" ? 100 : 50 };
            if (state == "Failed")
            {
                answer["error"] = new JsonObject { ["errorCode"] = "OperationFailed", ["message"] = operation.Error };
            }
            return (HttpStatusCode.OK, answer, headers);
        }
        // v1/workspaces/{ws}/items[/{id}/updateDefinition]
        if (parts.Length < 4 || parts[1] != "workspaces" || parts[3] != "items")
        {
            return (HttpStatusCode.NotFound, FabricError("EntityNotFound", "No such resource."), headers);
        }
        var workspace = parts[2];
        if (_deniedWorkspaces.Contains(workspace))
        {
            return (HttpStatusCode.Unauthorized, FabricError("InsufficientPrivileges", "The caller does not have sufficient permissions to the workspace."), headers);
        }
        if (request.Method == "GET" && parts.Length == 4)
        {
            var type = request.Query["type"].ToString();
            var all = _fabricItems.Where(i => i.WorkspaceId == workspace && (type.Length == 0 || i.Type == type)).ToList();
            var start = int.TryParse(request.Query["continuationToken"].ToString(), out var token) ? token : 0;
            var page = new JsonObject
            {
                ["value"] = new JsonArray(all.Skip(start).Take(1).Select(i => (JsonNode)ItemJson(i)).ToArray()),
            };
            if (start + 1 < all.Count)
            {
                page["continuationToken"] = (start + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                page["continuationUri"] = $"https://{request.Host}/v1/workspaces/{workspace}/items?continuationToken={start + 1}";
            }
            return (HttpStatusCode.OK, page, headers);
        }
        var json = JsonNode.Parse(body)!.AsObject();
        var definition = json["definition"]!.AsObject();
        var posted = definition["parts"]!.AsArray().ToDictionary(
            p => p!["path"]!.GetValue<string>(),
            p => p!["payloadType"]!.GetValue<string>() == "InlineBase64" ? Convert.FromBase64String(p["payload"]!.GetValue<string>()) : throw new InvalidOperationException("not InlineBase64"));
        FabricItem item;
        bool created;
        if (request.Method == "POST" && parts.Length == 4)
        {
            item = new FabricItem(workspace, Guid.NewGuid().ToString(), json["displayName"]!.GetValue<string>(), json["type"]!.GetValue<string>());
            _fabricItems.Add(item);
            created = true;
        }
        else if (request.Method == "POST" && parts.Length == 6 && parts[5] == "updateDefinition"
            && _fabricItems.FirstOrDefault(i => i.WorkspaceId == workspace && i.Id == parts[4]) is { } existing)
        {
            item = existing;
            created = false;
        }
        else
        {
            return (HttpStatusCode.NotFound, FabricError("EntityNotFound", "No such item."), headers);
        }
        item.Format = definition["format"]?.GetValue<string>();
        item.Definitions++;
        item.Parts = posted;
        if (_nextOperation is { } next)
        {
            _nextOperation = null;
            var id = Guid.NewGuid().ToString();
            _operations[id] = (new Queue<string>(next.States), next.Error, created ? ItemJson(item) : null);
            // Location as in Microsoft's samples (Get Operation State), without the /v1: a client goes by the operation id.
            headers.Add(("Location", $"https://{request.Host}/operations/{id}"));
            headers.Add(("x-ms-operation-id", id));
            return (HttpStatusCode.Accepted, null, headers);
        }
        return created ? (HttpStatusCode.Created, ItemJson(item), headers) : (HttpStatusCode.OK, null, headers);
    }

    private static JsonObject ItemJson(FabricItem item) => new()
    {
        ["id"] = item.Id, ["displayName"] = item.DisplayName, ["type"] = item.Type, ["workspaceId"] = item.WorkspaceId, ["description"] = string.Empty,
    };

    private static JsonObject FabricError(string code, string message) => new() { ["errorCode"] = code, ["message"] = message, ["requestId"] = Guid.NewGuid().ToString() };
}
