using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
/// A small Power BI service and Microsoft Entra ID for tests, over real HTTPS on 127.0.0.1: the token endpoint of the
/// client credentials flow (<c>/{tenant}/oauth2/v2.0/token</c>), and the enhanced refresh of semantic models (<c>POST
/// .../refreshes</c> answering 202 with <c>Location</c>, <c>GET .../refreshes/{id}</c> walking through a script of
/// states). HTTPS because Azure.Identity takes only an https authority host; the certificate is self-signed, made
/// per server, and only the handler <see cref="CreateTrustingHandler"/> trusts it. Scripted faults, and a log of every request.
/// </summary>
public sealed partial class FakePowerBiServer : IAsyncDisposable
{
    public const string TenantId = "7c1d1b2e-0a3f-4f4e-9a51-3d2c1b0a9f8e";
    public const string ClientId = "0b8f6e2d-5c4a-4b3e-8d2f-1a9e8c7b6d5a";
    public const string ClientSecret = "fake-power-bi-secret";

    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, Queue<(string Status, string[] Messages)>> _scripts = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _deniedWorkspaces = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _issuedTokens = new(StringComparer.Ordinal);
    private readonly List<X509Certificate2> _clientCertificates = [];
    private readonly List<Fault> _faults = [];
    private readonly List<LoggedRequest> _log = [];
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private int _next;

    private FakePowerBiServer(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
    }

    /// <summary>The root, e.g. <c>https://127.0.0.1:41234/</c>: the authority host to configure.</summary>
    public string AuthorityHost { get; private set; } = string.Empty;

    /// <summary>The Power BI REST API to configure, e.g. <c>https://127.0.0.1:41234/v1.0/myorg</c>.</summary>
    public string ApiBaseUrl { get; private set; } = string.Empty;

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

    public static async Task<FakePowerBiServer> StartAsync(CancellationToken ct)
    {
        var certificate = SelfSignedCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new FakePowerBiServer(app, certificate);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var root = address.TrimEnd('/').Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        server.AuthorityHost = root + "/";
        server.ApiBaseUrl = root + "/v1.0/myorg";
        server.FabricBaseUrl = root + "/v1";
        return server;
    }

    /// <summary>A handler that trusts this server's certificate, and no other self-signed one.</summary>
    public HttpMessageHandler CreateTrustingHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && certificate.GetCertHashString() == _certificate.GetCertHashString()),
        },
    };

    /// <summary>
    /// The states the next refresh of the model will report, one per <c>GET</c>, the last repeated: e.g. <c>NotStarted</c>,
    /// <c>InProgress</c>, <c>Completed</c>; or <c>Failed</c> with its messages. Without a script a refresh completes at once.
    /// </summary>
    public void ScriptRefresh(string workspaceId, string modelId, params (string Status, string[] Messages)[] states)
    {
        lock (_gate)
        {
            _scripts[$"{workspaceId}/{modelId}"] = new Queue<(string, string[])>(states);
        }
    }

    /// <summary>The app registration also signs in with this certificate (its public part, as uploaded to the app).</summary>
    public void AcceptClientCertificate(X509Certificate2 certificate)
    {
        lock (_gate)
        {
            _clientCertificates.Add(X509CertificateLoader.LoadCertificate(certificate.RawData));
        }
    }

    /// <summary>Every request about the workspace answers 401, as to a principal that is not a member of it.</summary>
    public void DenyWorkspace(string workspaceId)
    {
        lock (_gate)
        {
            _deniedWorkspaces.Add(workspaceId);
        }
    }

    /// <summary>The next <paramref name="times"/> requests whose method and path contain <paramref name="contains"/> answer <paramref name="status"/>.</summary>
    public void FailNext(string method, string contains, int times, HttpStatusCode status, int? retryAfterSeconds = null)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(method, contains, status, retryAfterSeconds) { Remaining = times });
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
        _certificate.Dispose();
    }

    /// <summary>One request: its method, path, form or JSON body, the answer's status and when it came, from the server's start.</summary>
    public sealed record LoggedRequest(string Method, string Path, string Body, int Status, TimeSpan At, string? Authorization);

    private sealed record Fault(string Method, string Contains, HttpStatusCode Status, int? RetryAfterSeconds)
    {
        public int Remaining { get; set; }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var at = _clock.Elapsed;
        var (status, json, headers) = Answer(request, body);
        lock (_gate)
        {
            _log.Add(new LoggedRequest(request.Method, request.Path.Value ?? string.Empty, body, (int)status, at, request.Headers.Authorization.FirstOrDefault()));
        }
        context.Response.StatusCode = (int)status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }
        if (json is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(json.ToJsonString(), context.RequestAborted);
        }
    }

    private (HttpStatusCode, JsonNode?, List<(string, string)>) Answer(HttpRequest request, string body)
    {
        var path = request.Path.Value ?? string.Empty;
        var headers = new List<(string, string)>();
        lock (_gate)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Method == request.Method && path.Contains(f.Contains, StringComparison.OrdinalIgnoreCase));
            if (fault is not null)
            {
                fault.Remaining--;
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    headers.Add(("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                return (fault.Status, Error(fault.Status.ToString(), "A scripted fault."), headers);
            }

            // The client credentials flow: POST /{tenant}/oauth2/v2.0/token with a form.
            if (request.Method == "POST" && path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
            {
                var form = System.Web.HttpUtility.ParseQueryString(body);
                var signedIn = form["client_secret"] == ClientSecret
                    || (form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" && SignedByAcceptedCertificate(form["client_assertion"]));
                if (!path.StartsWith($"/{TenantId}/", StringComparison.Ordinal) || form["client_id"] != ClientId || !signedIn
                    || form["grant_type"] != "client_credentials")
                {
                    return (HttpStatusCode.Unauthorized, new JsonObject { ["error"] = "invalid_client", ["error_description"] = "AADSTS7000215: Invalid client secret provided." }, headers);
                }
                var token = $"fake-power-bi-token-{++_next}";
                _issuedTokens.Add(token);
                return (HttpStatusCode.OK, new JsonObject
                {
                    ["token_type"] = "Bearer", ["expires_in"] = 3599, ["ext_expires_in"] = 3599, ["access_token"] = token,
                }, headers);
            }

            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            // v1.0/myorg/groups/{ws}/datasets/{ds}/refreshes[/{id}]
            if (parts.Length >= 7 && parts[0] == "v1.0" && parts[1] == "myorg" && parts[2] == "groups" && parts[4] == "datasets" && parts[6] == "refreshes")
            {
                var authorization = request.Headers.Authorization.FirstOrDefault() ?? string.Empty;
                if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_issuedTokens.Contains(authorization["Bearer ".Length..]))
                {
                    return (HttpStatusCode.Unauthorized, Error("TokenExpired", "Access token is missing or invalid."), headers);
                }
                var (workspace, model) = (parts[3], parts[5]);
                if (_deniedWorkspaces.Contains(workspace))
                {
                    return (HttpStatusCode.Unauthorized, Error("PowerBINotAuthorizedException", "The principal has no access to the workspace."), headers);
                }
                if (request.Method == "POST" && parts.Length == 7)
                {
                    var refreshId = Guid.NewGuid().ToString();
                    var script = _scripts.Remove($"{workspace}/{model}", out var states) ? states : new Queue<(string, string[])>([("Completed", [])]);
                    _scriptsByRefresh[refreshId] = script;
                    headers.Add(("Location", $"https://{request.Host}/v1.0/myorg/groups/{workspace}/datasets/{model}/refreshes/{refreshId}"));
                    headers.Add(("x-ms-request-id", refreshId));
                    headers.Add(("RequestId", Guid.NewGuid().ToString()));
                    return (HttpStatusCode.Accepted, null, headers);
                }
                if (request.Method == "GET" && parts.Length == 8 && _scriptsByRefresh.TryGetValue(parts[7], out var queue))
                {
                    var (status, messages) = queue.Count > 1 ? queue.Dequeue() : queue.Peek();
                    return (HttpStatusCode.OK, new JsonObject
                    {
                        ["startTime"] = "2026-12-03T10:00:00Z",
                        ["type"] = "Full",
                        ["commitMode"] = "Transactional",
                        // The plain status of a running refresh is Unknown; extendedStatus says more.
                        ["status"] = status is "InProgress" ? "Unknown" : status,
                        ["extendedStatus"] = status,
                        ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["code"] = "ModelRefreshFailed", ["message"] = m, ["type"] = "Error" }).ToArray()),
                    }, headers);
                }
            }
            // The Fabric REST API under /v1 (FakePowerBiServer.Fabric.cs).
            if (parts.Length >= 2 && parts[0] == "v1")
            {
                return AnswerFabric(request, parts, body, headers);
            }
            return (HttpStatusCode.NotFound, Error("ItemNotFound", $"No such resource: {path}"), headers);
        }
    }

    private readonly Dictionary<string, Queue<(string Status, string[] Messages)>> _scriptsByRefresh = new(StringComparer.Ordinal);

    /// <summary>Whether a client assertion (a JWT) is the app's own, for this tenant, signed by a certificate it accepts.</summary>
    private bool SignedByAcceptedCertificate(string? assertion)
    {
        var parts = assertion?.Split('.') ?? [];
        if (parts.Length != 3)
        {
            return false;
        }
        using var payload = JsonDocument.Parse(Base64Url(parts[1]));
        if (payload.RootElement.GetProperty("iss").GetString() != ClientId || payload.RootElement.GetProperty("sub").GetString() != ClientId
            || payload.RootElement.GetProperty("aud").GetString()?.Contains(TenantId, StringComparison.Ordinal) != true)
        {
            return false;
        }
        var signed = System.Text.Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        var signature = Base64Url(parts[2]);
        return _clientCertificates.Any(c =>
        {
            using var key = c.GetRSAPublicKey();
            return key is not null && (key.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)
                || key.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        });
    }

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    private static JsonObject Error(string code, string message) => new() { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12, so that Kestrel's TLS gets a key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
