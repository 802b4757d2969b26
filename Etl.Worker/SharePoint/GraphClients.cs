using System.Net;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Graph.Sites.Item;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace NackaInsights.Etl.SharePoint;

/// <summary>
/// The one Graph client setup of the list reader and the library source: Graph's own handler pipeline
/// with its retry handler bounded by <see cref="GraphOptions.MaxRetries"/>, each throttled answer logged,
/// the configured base URL, and a token for that host only.
/// </summary>
internal static class GraphClients
{
    public static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    /// <summary>Throws when the options cannot make a client, naming each wrong setting.</summary>
    /// <param name="purpose">What the tenant is needed for, for the message when none is configured.</param>
    public static void EnsureUsable(GraphOptions options, string purpose)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            throw new ArgumentException($"GraphOptions:Enabled is false: no tenant is configured to read {purpose} from", nameof(options));
        }
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        }
    }

    /// <summary>The HTTP client (its owner disposes it) and the Graph client over it.</summary>
    public static (HttpClient Http, GraphServiceClient Client) Create(GraphOptions options, TokenCredential credential, ILogger logger)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        var retry = handlers.Single(h => h is RetryHandler);
        handlers[handlers.IndexOf(retry)] = new RetryHandler(new RetryHandlerOption { MaxRetry = options.MaxRetries });
        // Innermost, so it sees every answer the retry handler acts on, not only the last one.
        handlers.Add(new ThrottlingLogHandler(logger));
        var http = GraphClientFactory.Create(handlers);
        // The factory's 100 s covers a request with all its retries; Graph may ask for longer waits than that.
        http.Timeout = TimeSpan.FromMinutes(10);

        var baseUrl = options.NormalizedBaseUrl;
        // Without its host among the allowed ones, the provider silently sends no token (a custom BaseUrl).
        // The scope is derived from the host: https://graph.microsoft.com/.default for Graph itself. A
        // redirect elsewhere (a download URL) gets no token: the provider signs only requests to this host,
        // and the redirect handler drops the header when the host changes.
        var authentication = new AzureIdentityAuthenticationProvider(credential, allowedHosts: [new Uri(baseUrl).Host], observabilityOptions: null, isCaeEnabled: true);
        return (http, new GraphServiceClient(http, authentication, baseUrl));
    }

    /// <summary>The configured site's Graph id: <see cref="GraphOptions.SiteId"/>, or looked up by hostname and path.</summary>
    public static async Task<string?> LookUpSiteIdAsync(GraphServiceClient client, GraphOptions options, CancellationToken ct)
    {
        var hostname = options.SiteHostname!.Trim();
        var path = string.Join('/', options.NormalizedSitePath.Split('/').Select(Uri.EscapeDataString));
        // GET /sites/{hostname}:/{path}, as Graph documents it; written out because the request builder's
        // site id segment would escape the colon and slashes.
        var request = new SiteItemRequestBuilder($"{options.NormalizedBaseUrl}/sites/{hostname}:{path}?$select=id", client.RequestAdapter)
            .ToGetRequestInformation();
        var site = await client.RequestAdapter.SendAsync(request, Site.CreateFromDiscriminatorValue, ErrorMapping, ct);
        return string.IsNullOrWhiteSpace(site?.Id) ? null : site.Id;
    }

    /// <summary>The site as an operator knows it, in Swedish.</summary>
    public static string SiteTarget(GraphOptions options) =>
        options.SiteId is { Length: > 0 } id ? $"webbplatsen {id.Trim()}" : $"webbplatsen {options.SiteHostname?.Trim()}{options.NormalizedSitePath}";

    /// <summary>Whether Graph says it cannot give the changes since a delta link (410 Gone, or a resync error code).</summary>
    public static bool IsDeltaExpired(Exception e, out int status, out string? code)
    {
        status = e is ApiException api ? api.ResponseStatusCode : 0;
        code = (e as ODataError)?.Error?.Code;
        return status == (int)HttpStatusCode.Gone
            || (code is not null && (code.StartsWith("resync", StringComparison.OrdinalIgnoreCase)
                || code.Equals("syncStateNotFound", StringComparison.OrdinalIgnoreCase)
                || code.Equals("syncStateInvalid", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>An operator-facing, Swedish account of why a Graph request failed.</summary>
    /// <param name="target">What was asked for, e.g. <c>SharePoint-listan "Initiativ"</c>.</param>
    /// <param name="permissions">The Graph permissions the app registration needs for it.</param>
    public static string Describe(Exception e, GraphOptions options, string target, string permissions)
    {
        var host = new Uri(options.NormalizedBaseUrl).Host;
        return e switch
        {
            AggregateException { InnerExceptions: [.., ApiException last] } =>
                $"Microsoft Graph svarade fortfarande HTTP {last.ResponseStatusCode} efter {options.MaxRetries} nya försök (GraphOptions:MaxRetries).",
            ApiException { ResponseStatusCode: 404 } => $"Microsoft Graph hittar inte {target} (HTTP 404{CodeOf(e)}).",
            ApiException { ResponseStatusCode: 401 or 403 } a =>
                $"Microsoft Graph nekade åtkomst till {target} (HTTP {a.ResponseStatusCode}{CodeOf(e)}). Kontrollera appens behörighet till webbplatsen ({permissions}).",
            ApiException { ResponseStatusCode: >= 500 } a => $"Microsoft Graph svarade med ett serverfel (HTTP {a.ResponseStatusCode}{CodeOf(e)}) för {target}.",
            ApiException a => $"Microsoft Graph svarade HTTP {a.ResponseStatusCode}{CodeOf(e)} för {target}.",
            AuthenticationFailedException or CredentialUnavailableException =>
                "inloggningen mot Microsoft Entra ID misslyckades. Kontrollera GraphOptions: TenantId, ClientId och hemligheten, certifikatet eller den hanterade identiteten.",
            JsonException { LineNumber: null } j => $"svaret från Microsoft Graph för {target} går inte att tolka: {j.Message}",
            JsonException => $"svaret från Microsoft Graph för {target} är inte giltig JSON.",
            HttpRequestException => $"Microsoft Graph ({host}) gick inte att nå.",
            TaskCanceledException or TimeoutException => $"Microsoft Graph ({host}) svarade inte i tid.",
            _ => $"oväntat fel vid läsning av {target} från Microsoft Graph ({e.GetType().Name}).",
        };
    }

    private static string CodeOf(Exception e) => e is ODataError { Error.Code: { Length: > 0 } code } ? $", {code}" : string.Empty;

    /// <summary>Logs each throttled or unavailable answer with its <c>Retry-After</c>, before the retry handler waits it out.</summary>
    private sealed class ThrottlingLogHandler(ILogger logger) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                var retryAfter = response.Headers.RetryAfter switch
                {
                    { Delta: { } delta } => $"{delta.TotalSeconds:0.###} s",
                    { Date: { } date } => date.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                    _ => "none (exponential back-off)",
                };
                var attempt = request.Headers.TryGetValues("Retry-Attempt", out var values) ? values.FirstOrDefault() : "0";
                logger.LogWarning(
                    "Microsoft Graph answered {Status} ({StatusCode}) to {Method} {Path} (retry {Attempt}); Retry-After {RetryAfter}",
                    (int)response.StatusCode, response.StatusCode, request.Method, request.RequestUri?.AbsolutePath, attempt, retryAfter);
            }
            return response;
        }
    }
}
