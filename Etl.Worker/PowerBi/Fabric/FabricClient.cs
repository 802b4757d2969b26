using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;

namespace NackaInsights.Etl.PowerBi.Fabric;

/// <summary>A Fabric REST request or operation that failed: the HTTP status (0 for a failed operation) and the service's words.</summary>
public sealed class FabricRequestException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>An item in a workspace, as the Fabric REST API names it.</summary>
public sealed record FabricItem(string Id, string DisplayName, string Type);

/// <summary>
/// The part of the Fabric REST API the deploy uses. Plain HttpClient and System.Text.Json, as <see cref="PowerBiClient"/>:
/// no Fabric client package is among the served ones (nuget.tsv), and four endpoints need no generated client. Every
/// request carries a token for <see cref="PowerBiOptions.FabricScope"/> and is sent again after a <c>429</c>, waiting its
/// <c>Retry-After</c>; long-running operations are followed to their end
/// (https://learn.microsoft.com/rest/api/fabric/articles/long-running-operation).
/// </summary>
public sealed class FabricClient(HttpClient http, TokenCredential credential, PowerBiOptions options, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string Base => options.FabricBaseUrl.Trim().TrimEnd('/');

    /// <summary>
    /// The workspace's items of a type, every page: <c>GET /v1/workspaces/{ws}/items?type=...</c>, then again with each
    /// <c>continuationToken</c> until there is none (https://learn.microsoft.com/rest/api/fabric/core/items/list-items).
    /// </summary>
    public async Task<IReadOnlyList<FabricItem>> ListItemsAsync(string workspaceId, string type, CancellationToken ct)
    {
        var items = new List<FabricItem>();
        string? continuation = null;
        do
        {
            var url = $"{Base}/workspaces/{Uri.EscapeDataString(workspaceId)}/items?type={Uri.EscapeDataString(type)}"
                + (continuation is null ? string.Empty : $"&continuationToken={Uri.EscapeDataString(continuation)}");
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await FailureAsync(response, workspaceId, ct);
            }
            var page = await response.Content.ReadFromJsonAsync<ItemsPage>(Json, ct);
            items.AddRange((page?.Value ?? []).Where(i => i.Id is not null).Select(i => new FabricItem(i.Id!, i.DisplayName ?? string.Empty, i.Type ?? type)));
            continuation = page?.ContinuationToken is { Length: > 0 } token ? token : null;
        }
        while (continuation is not null);
        return items;
    }

    /// <summary>
    /// Creates an item with its definition: <c>POST /v1/workspaces/{ws}/items</c> with <c>displayName</c>, <c>type</c> and
    /// <c>definition</c>; <c>201</c> with the item, or <c>202</c> and an operation whose <c>/result</c> is the item
    /// (https://learn.microsoft.com/rest/api/fabric/core/items/create-item).
    /// </summary>
    public async Task<FabricItem> CreateItemAsync(string workspaceId, string displayName, string type, string format, IReadOnlyList<FabricPart> parts, CancellationToken ct)
    {
        var url = $"{Base}/workspaces/{Uri.EscapeDataString(workspaceId)}/items";
        var body = new CreateRequest(displayName, type, Definition(format, parts));
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Json) }, ct);
        ItemBody? item;
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            item = await response.Content.ReadFromJsonAsync<ItemBody>(Json, ct);
        }
        else if (response.StatusCode == HttpStatusCode.Accepted)
        {
            var operation = await FollowAsync(response, workspaceId, ct);
            using var result = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(operation + "/result")), ct);
            if (result.StatusCode != HttpStatusCode.OK)
            {
                throw await FailureAsync(result, workspaceId, ct);
            }
            item = await result.Content.ReadFromJsonAsync<ItemBody>(Json, ct);
        }
        else
        {
            throw await FailureAsync(response, workspaceId, ct);
        }
        return item?.Id is { Length: > 0 } id ? new FabricItem(id, item.DisplayName ?? displayName, item.Type ?? type)
            : throw new FabricRequestException(response.StatusCode, $"Fabric created the {type} {displayName} but did not name its id");
    }

    /// <summary>
    /// Replaces an item's definition: <c>POST /v1/workspaces/{ws}/items/{id}/updateDefinition</c>; <c>200</c>, or
    /// <c>202</c> and an operation (https://learn.microsoft.com/rest/api/fabric/core/items/update-item-definition).
    /// </summary>
    public async Task UpdateDefinitionAsync(string workspaceId, string itemId, string format, IReadOnlyList<FabricPart> parts, CancellationToken ct)
    {
        var url = $"{Base}/workspaces/{Uri.EscapeDataString(workspaceId)}/items/{Uri.EscapeDataString(itemId)}/updateDefinition";
        var body = new UpdateRequest(Definition(format, parts));
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Json) }, ct);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            await FollowAsync(response, workspaceId, ct);
        }
        else if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await FailureAsync(response, workspaceId, ct);
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>The definition: every part base64 (<c>payloadType</c> <c>InlineBase64</c>), in the item type's format.</summary>
    private static DefinitionBody Definition(string format, IReadOnlyList<FabricPart> parts) =>
        new(format, parts.Select(p => new PartBody(p.Path, Convert.ToBase64String(p.Payload), "InlineBase64")).ToList());

    /// <summary>
    /// Follows the operation a <c>202</c> started (<c>/operations/{x-ms-operation-id}</c>, else its <c>Location</c>) until
    /// it is <c>Succeeded</c> or <c>Failed</c>, waiting each <c>Retry-After</c> (else <see cref="PowerBiOptions.PollInterval"/>)
    /// between looks. Returns the operation's URL.
    /// </summary>
    private async Task<Uri> FollowAsync(HttpResponseMessage accepted, string workspaceId, CancellationToken ct)
    {
        // By id first: Get Operation State is GET /v1/operations/{id} and Get Operation Result its /result
        // (https://learn.microsoft.com/rest/api/fabric/core/long-running-operations/get-operation-state, .../get-operation-result),
        // while the documented samples' Location lacks the /v1, so a result URL derived from it could miss.
        var operation = accepted.Headers.TryGetValues("x-ms-operation-id", out var ids) && ids.FirstOrDefault() is { Length: > 0 } id
            ? new Uri($"{Base}/operations/{Uri.EscapeDataString(id)}")
            : accepted.Headers.Location is { } location
                ? (location.IsAbsoluteUri ? location : new Uri(new Uri(Base + "/"), location))
                : throw new FabricRequestException(accepted.StatusCode, "Fabric accepted the request but named neither its x-ms-operation-id nor its Location");
        var wait = RetryAfter(accepted.Headers.RetryAfter) ?? options.PollInterval;
        while (true)
        {
            await Task.Delay(wait, time, ct);
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, operation), ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await FailureAsync(response, workspaceId, ct);
            }
            var state = await response.Content.ReadFromJsonAsync<OperationState>(Json, ct);
            switch (state?.Status)
            {
                case "Succeeded":
                    return operation;
                case "Failed":
                    throw new FabricRequestException(0, $"The Fabric operation {operation.AbsolutePath} failed"
                        + (state.Error is { } e ? $": {e.ErrorCode}: {e.Message}" : string.Empty));
            }
            logger.LogInformation("Fabric operation {Operation} is {Status}", operation.AbsolutePath, state?.Status);
            wait = RetryAfter(response.Headers.RetryAfter) ?? options.PollInterval;
        }
    }

    private readonly ThrottledRequests _requests = new(http, credential, PowerBiOptions.FabricScope, options, time, logger, "Fabric");

    private Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct) => _requests.SendAsync(make, ct);

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => _requests.RetryAfter(header);

    /// <summary>The service's error (<c>{"errorCode":...,"message":...}</c>) in words; a 401/403 names the workspace.</summary>
    private static async Task<FabricRequestException> FailureAsync(HttpResponseMessage response, string workspaceId, CancellationToken ct)
    {
        string? detail = null;
        try
        {
            var error = await response.Content.ReadFromJsonAsync<ErrorBody>(Json, ct);
            detail = error is null ? null : $"{error.ErrorCode}: {error.Message}".Trim(' ', ':');
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // Not JSON: the status says enough.
        }
        var access = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? $"; the service principal may not use workspace {workspaceId}: make it a Member or Contributor of the workspace, and allow service principals to use Fabric APIs in the tenant settings"
            : string.Empty;
        return new FabricRequestException(response.StatusCode,
            $"Fabric answered HTTP {(int)response.StatusCode} ({response.StatusCode}) to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}"
            + (string.IsNullOrEmpty(detail) ? string.Empty : $", {detail}") + access);
    }

    private sealed record CreateRequest(string DisplayName, string Type, DefinitionBody Definition);

    private sealed record UpdateRequest(DefinitionBody Definition);

    private sealed record DefinitionBody(string Format, List<PartBody> Parts);

    private sealed record PartBody(string Path, string Payload, string PayloadType);

    private sealed record ItemsPage(List<ItemBody>? Value, string? ContinuationToken);

    private sealed record ItemBody(string? Id, string? DisplayName, string? Type);

    private sealed record OperationState(string? Status, OperationError? Error);

    private sealed record OperationError(string? ErrorCode, string? Message);

    private sealed record ErrorBody(string? ErrorCode, string? Message);
}
