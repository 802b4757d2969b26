using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Core;

namespace NackaInsights.Etl.PowerBi;

/// <summary>A Power BI REST request that failed: its HTTP status and the service's error code, when it gave one.</summary>
public sealed class PowerBiRequestException(HttpStatusCode status, string? code, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public string? Code { get; } = code;
}

/// <summary>A refresh's state as the service reports it (<c>GET .../refreshes/{refreshId}</c>).</summary>
/// <param name="Status">The service's <c>extendedStatus</c> where it gives one, else its <c>status</c>.</param>
/// <param name="Messages">The error and warning messages of a refresh that ended.</param>
public sealed record PowerBiRefreshState(string Status, IReadOnlyList<string> Messages)
{
    /// <summary>
    /// Whether the refresh has ended. <c>NotStarted</c>, <c>InProgress</c> and <c>Unknown</c> (the plain <c>status</c> of a
    /// running refresh) have not; <c>Completed</c>, <c>Failed</c>, <c>TimedOut</c>, <c>Cancelled</c> and <c>Disabled</c> have
    /// (https://learn.microsoft.com/power-bi/connect-data/asynchronous-refresh, "GET /refreshes/&lt;requestId&gt;").
    /// </summary>
    public bool HasEnded => Status is not ("NotStarted" or "InProgress" or "Unknown" or "");

    public bool Completed => Status == "Completed";
}

/// <summary>
/// The part of the Power BI REST API the refresh uses: start an enhanced refresh of a semantic model, and read its
/// state. Plain HttpClient and System.Text.Json rather than the Microsoft.PowerBI.Api package: that package is not
/// among the served ones, and two requests need no generated client. Every request carries a token for
/// <see cref="PowerBiOptions.PowerBiScope"/> and is sent again after a <c>429</c>, waiting out its <c>Retry-After</c>.
/// </summary>
public sealed class PowerBiClient(HttpClient http, TokenCredential credential, PowerBiOptions options, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Starts an enhanced refresh (a body other than <c>notifyOption</c> alone makes it one): a full, transactional
    /// refresh, retried by the service <see cref="PowerBiOptions.ServiceRetryCount"/> times. The service answers
    /// <c>202 Accepted</c> with the refresh's URL in <c>Location</c> and its id in <c>x-ms-request-id</c>
    /// (https://learn.microsoft.com/rest/api/power-bi/datasets/refresh-dataset-in-group;
    /// https://learn.microsoft.com/power-bi/connect-data/asynchronous-refresh, "POST /refreshes"). Returns that URL.
    /// </summary>
    public async Task<Uri> StartRefreshAsync(PowerBiSemanticModel model, CancellationToken ct)
    {
        var url = new Uri($"{options.NormalizedApiBaseUrl}/groups/{Uri.EscapeDataString(model.WorkspaceId.Trim())}/datasets/{Uri.EscapeDataString(model.SemanticModelId.Trim())}/refreshes");
        var body = new RefreshRequest("full", "transactional", options.ServiceRetryCount);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Json) }, ct);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await FailureAsync(response, ct);
        }
        if (response.Headers.Location is { } location)
        {
            return location.IsAbsoluteUri ? location : new Uri(url, location);
        }
        // Without Location the request id is the refresh's id.
        if (response.Headers.TryGetValues("x-ms-request-id", out var ids) && ids.FirstOrDefault() is { Length: > 0 } id)
        {
            return new Uri($"{url}/{Uri.EscapeDataString(id)}");
        }
        throw new PowerBiRequestException(response.StatusCode, null, "Power BI accepted the refresh but named neither its Location nor its x-ms-request-id");
    }

    /// <summary>The refresh's state at <paramref name="location"/>, the URL <see cref="StartRefreshAsync"/> returned.</summary>
    public async Task<PowerBiRefreshState> GetRefreshAsync(Uri location, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, location), ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await FailureAsync(response, ct);
        }
        var details = await response.Content.ReadFromJsonAsync<RefreshDetails>(Json, ct)
            ?? throw new PowerBiRequestException(response.StatusCode, null, "Power BI answered an empty refresh state");
        var status = details.ExtendedStatus is { Length: > 0 } extended ? extended : details.Status ?? string.Empty;
        var messages = (details.Messages ?? []).Select(m => m.Message ?? m.Code).OfType<string>().Where(m => m.Length > 0).ToList();
        return new PowerBiRefreshState(status, messages);
    }

    public void Dispose() => http.Dispose();

    private readonly ThrottledRequests _requests = new(http, credential, PowerBiOptions.PowerBiScope, options, time, logger, "Power BI");

    private Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct) => _requests.SendAsync(make, ct);

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => _requests.RetryAfter(header);

    private static async Task<PowerBiRequestException> FailureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string? code = null;
        string? detail = null;
        try
        {
            // The service's errors: {"error":{"code":"...","message":"..."}}.
            var error = await response.Content.ReadFromJsonAsync<ErrorBody>(Json, ct);
            code = error?.Error?.Code;
            detail = error?.Error?.Message;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // Not JSON (a gateway's HTML page): the status says enough.
        }
        var text = $"Power BI answered HTTP {(int)response.StatusCode} ({response.StatusCode})"
            + (code is null ? string.Empty : $", {code}") + (detail is null ? string.Empty : $": {detail}");
        return new PowerBiRequestException(response.StatusCode, code, text);
    }

    private sealed record RefreshRequest(string Type, string CommitMode, int RetryCount);

    private sealed record RefreshDetails(string? Status, string? ExtendedStatus, List<RefreshMessage>? Messages);

    private sealed record RefreshMessage(string? Code, string? Message);

    private sealed record ErrorBody(ErrorDetail? Error);

    private sealed record ErrorDetail(string? Code, string? Message);
}
