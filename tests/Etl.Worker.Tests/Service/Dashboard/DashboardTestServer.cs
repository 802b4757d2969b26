using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Service.Dashboard;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Service.Dashboard;

/// <summary>
/// A minimal worker web host on real Kestrel for the dashboard and health facts: Hangfire with its own
/// in-memory storage and one recurring job, the dashboard and health endpoints of
/// <see cref="DashboardHostingExtensions"/>, listening on loopback over HTTP, and on this machine's own
/// non-loopback address (so that the server sees a remote client) over HTTP and over HTTPS with a
/// self-signed certificate made for the test.
/// </summary>
public sealed class DashboardTestServer : IAsyncDisposable
{
    public const string RecurringJobId = "test-refresh";

    /// <summary>ASP.NET Core's setting of the host names the server answers to.</summary>
    public const string AllowedHostsKey = "AllowedHosts";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    // One certificate for the whole test run: making an RSA key takes a while.
    private static readonly Lazy<X509Certificate2> Certificate = new(() => SelfSignedCertificate(RemoteAddress()));

    private DashboardTestServer(WebApplication app, X509Certificate2 certificate, InMemoryStorage storage, CapturingLogger<DashboardAuthorizationFilter> log)
    {
        _app = app;
        _certificate = certificate;
        Storage = storage;
        Log = log;
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(a)).ToList();
        Loopback = addresses.Single(a => a.Scheme == "http" && IPAddress.IsLoopback(IPAddress.Parse(a.Host)));
        RemoteHttp = addresses.Single(a => a.Scheme == "http" && !IPAddress.IsLoopback(IPAddress.Parse(a.Host)));
        RemoteHttps = addresses.Single(a => a.Scheme == "https");
    }

    public InMemoryStorage Storage { get; }

    public CapturingLogger<DashboardAuthorizationFilter> Log { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary><c>http://127.0.0.1:port/</c></summary>
    public Uri Loopback { get; }

    /// <summary><c>http://&lt;this machine's address&gt;:port/</c></summary>
    public Uri RemoteHttp { get; }

    /// <summary><c>https://&lt;this machine's address&gt;:port/</c></summary>
    public Uri RemoteHttps { get; }

    /// <summary>
    /// Starts a host with these settings (<c>Section:Key</c>). <paramref name="configure"/> adds services,
    /// e.g. the warehouse for the health facts, before the dashboard's.
    /// </summary>
    public static async Task<DashboardTestServer> StartAsync(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var remote = RemoteAddress();
        var certificate = Certificate.Value;
        // Hangfire's log provider is process-wide, and AddHangfire points it at the host's logger factory, which
        // is disposed with the host; every test host sets one that outlives it, before anything logs.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(SilentLogProvider.Instance);
        var storage = new InMemoryStorage();
        var log = new CapturingLogger<DashboardAuthorizationFilter>();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The remote facts reach the server by this machine's address, so it is allowed as a host name, as an operator
        // who serves the dashboard under a name of its own would configure; a test that sets AllowedHosts decides itself.
        if (!settings.ContainsKey(AllowedHostsKey))
        {
            settings = new Dictionary<string, string?>(settings) { [AllowedHostsKey] = $"localhost;127.0.0.1;[::1];{remote}" };
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(remote, 0);
            kestrel.Listen(remote, 0, listen => listen.UseHttps(certificate));
        });
        // The storage is the test's own, not Hangfire's global JobStorage.Current, so that tests run side by side.
        builder.Services.AddSingleton<JobStorage>(storage);
        builder.Services.AddHangfire(hangfire => hangfire.UseLogProvider(SilentLogProvider.Instance));
        builder.Services.AddSingleton<ILogger<DashboardAuthorizationFilter>>(log);
        configure?.Invoke(builder);
        builder.AddNackaInsightsDashboard();

        var app = builder.Build();
        app.MapNackaInsightsDashboard();
        await app.StartAsync(TestContext.Current.CancellationToken);
        app.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate(RecurringJobId, Job.FromExpression(() => DashboardTestJobs.Refresh()), Cron.Never());
        return new DashboardTestServer(app, certificate, storage, log);
    }

    /// <summary>How many jobs wait in the default queue: what a trigger from the dashboard adds to.</summary>
    public long EnqueuedJobs() => Storage.GetMonitoringApi().EnqueuedCount("default");

    /// <summary>A client that trusts exactly this server's certificate, keeps cookies, and follows no redirects.</summary>
    public HttpClient Client(string? userName = null, string? password = null)
    {
        var expected = _certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == expected,
            },
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        if (userName is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userName}:{password}")));
        }
        return client;
    }

    /// <summary>
    /// This machine's own IPv4 address on a network interface that is up and not loopback. Without one the
    /// facts about remote clients cannot be shown, and they fail saying so rather than pass without checking.
    /// </summary>
    public static IPAddress RemoteAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a) && !a.ToString().StartsWith("169.254.", StringComparison.Ordinal));
        return address ?? throw new InvalidOperationException(
            "This machine has no non-loopback IPv4 address, so the dashboard cannot be reached as a remote client would; " +
            "the remote access facts need a network interface that is up (even a private or documentation address will do).");
    }

    private static X509Certificate2 SelfSignedCertificate(IPAddress address)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={address}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Storage.Dispose();
    }
}

/// <summary>Hangfire's own log lines are not what these facts are about.</summary>
internal sealed class SilentLogProvider : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
{
    public static readonly SilentLogProvider Instance = new();

    public Hangfire.Logging.ILog GetLogger(string name) => this;

    public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
}

/// <summary>The recurring job the dashboard facts trigger; no server runs it, so a trigger leaves it enqueued.</summary>
public static class DashboardTestJobs
{
    public static void Refresh()
    {
    }
}
