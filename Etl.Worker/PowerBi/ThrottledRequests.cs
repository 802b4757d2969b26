using System.Net;
using System.Net.Http.Headers;
using Azure.Core;

namespace NackaInsights.Etl.PowerBi;

/// <summary>
/// Requests to a Microsoft REST API (Power BI, Fabric) with a bearer token for <paramref name="scope"/>, sent again after
/// a <c>429</c> once its <c>Retry-After</c> has passed, up to <see cref="PowerBiOptions.MaxRetries"/> times: the one way
/// both clients talk to the service.
/// </summary>
/// <param name="service">The service's name, for the log.</param>
internal sealed class ThrottledRequests(HttpClient http, TokenCredential credential, string scope, PowerBiOptions options, TimeProvider time, ILogger logger, string service)
{
    /// <summary>Sends a request made by <paramref name="make"/> (a request cannot be sent twice); the response of the last attempt.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), ct);
            using var request = make();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            var response = await http.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= options.MaxRetries)
            {
                return response;
            }
            var wait = RetryAfter(response.Headers.RetryAfter) ?? options.PollInterval;
            logger.LogWarning("{Service} answered 429 to {Method} {Path} (retry {Attempt} of {MaxRetries}); waiting {Seconds:0.###} s as Retry-After asks",
                service, request.Method, request.RequestUri?.AbsolutePath, attempt + 1, options.MaxRetries, wait.TotalSeconds);
            response.Dispose();
            await Task.Delay(wait, time, ct);
        }
    }

    /// <summary>How long a <c>Retry-After</c> asks to wait, as seconds or as a date; null when there is none.</summary>
    public TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };
}
