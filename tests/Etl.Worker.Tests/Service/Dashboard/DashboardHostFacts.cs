using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Service.Dashboard;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Service.Dashboard;

/// <summary>
/// The host check in front of the dashboard and the health endpoints, on real Kestrel: a page in a browser on the
/// server whose own name resolves to loopback (DNS rebinding) names that name in <c>Host</c>, and is refused before
/// any page or command. The requests are sent over loopback, where the dashboard lets anyone in without credentials.
/// </summary>
public sealed class DashboardHostFacts
{
    private const string Evil = "evil.example";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Evil)]
    [InlineData(Evil + ":80")]
    [InlineData("127.0.0.1.evil.example")]
    [InlineData("localhost.evil.example")]
    public async Task APageRequest_NamingAnotherHost_IsRefusedWith400_WithoutThePageOrItsAntiforgeryToken(string host)
    {
        await using var server = await DashboardTestServer.StartAsync(Defaults());
        using var client = server.Client();

        var (status, body) = await GetAsync(client, new Uri(server.Loopback, "/hangfire/recurring"), host);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain("csrf-token", body);
        Assert.DoesNotContain(DashboardTestServer.RecurringJobId, body);
    }

    [Fact]
    public async Task ATrigger_NamingAnotherHost_IsRefusedWith400_AndEnqueuesNothing_ThoughItsTokenIsValid()
    {
        await using var server = await DashboardTestServer.StartAsync(Defaults());
        using var client = server.Client();
        // The token and its cookie are got as the dashboard's own page gets them, so that only the host is wrong.
        var (header, token) = await AntiforgeryAsync(server, client);

        var refused = await TriggerAsync(server, client, header, token, $"{Evil}:{server.Loopback.Port}");
        var enqueuedAfterRefusal = server.EnqueuedJobs();
        var accepted = await TriggerAsync(server, client, header, token, host: null);

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(0, enqueuedAfterRefusal);
        Assert.Equal(HttpStatusCode.NoContent, accepted);
        Assert.Equal(1, server.EnqueuedJobs());
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LocalHost:5080")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:1")]
    [InlineData("[::1]")]
    [InlineData("[::1]:65535")]
    public async Task TheLoopbackNames_AreAllowedByDefault_WithAnyPort(string host)
    {
        await using var server = await DashboardTestServer.StartAsync(Defaults());
        using var client = server.Client();

        var (status, body) = await GetAsync(client, new Uri(server.Loopback, "/hangfire/recurring"), host);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(DashboardTestServer.RecurringJobId, body);
    }

    [Fact]
    public async Task ByDefault_ANameThatIsNotLoopback_IsRefused_EvenThisMachinesOwnAddress()
    {
        await using var server = await DashboardTestServer.StartAsync(Defaults());
        using var user = server.Client("operator", DashboardAccessFacts.Password);

        using var remote = await user.GetAsync(new Uri(server.RemoteHttps, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, remote.StatusCode);
        Assert.DoesNotContain(server.Log.Entries, e => e.Message.Contains("signed in"));
    }

    [Fact]
    public async Task AConfiguredName_IsServed_AndTakesThePlaceOfTheDefault()
    {
        await using var server = await DashboardTestServer.StartAsync(DashboardAccessFacts.Settings(
            (DashboardTestServer.AllowedHostsKey, "insights.nacka.se; *.drift.nacka.se ;localhost")));
        using var client = server.Client();
        var page = new Uri(server.Loopback, "/hangfire");

        var (named, _) = await GetAsync(client, page, "INSIGHTS.nacka.se:8443");
        var (wildcard, _) = await GetAsync(client, page, "jobb.drift.nacka.se");
        var (local, _) = await GetAsync(client, page, "localhost");
        var (notListed, _) = await GetAsync(client, page, "127.0.0.1");
        var (evil, _) = await GetAsync(client, page, Evil);

        Assert.Equal(HttpStatusCode.OK, named);
        Assert.Equal(HttpStatusCode.OK, wildcard);
        Assert.Equal(HttpStatusCode.OK, local);
        Assert.Equal(HttpStatusCode.BadRequest, notListed);
        Assert.Equal(HttpStatusCode.BadRequest, evil);
    }

    [Fact]
    public async Task TheHealthEndpoints_AreBehindTheHostCheckToo()
    {
        await using var server = await DashboardTestServer.StartAsync(Defaults());
        using var client = server.Client();
        var live = new Uri(server.Loopback, DashboardHostingExtensions.LivePath);

        var (refused, body) = await GetAsync(client, live, Evil);
        var (served, _) = await GetAsync(client, live, "localhost");

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.DoesNotContain("Healthy", body);
        Assert.Equal(HttpStatusCode.OK, served);
    }

    [Theory]
    [InlineData("/hangfire")]
    [InlineData(DashboardHostingExtensions.LivePath)]
    public async Task ARequestWithoutAHost_IsRefusedWith400(string path)
    {
        await using var server = await DashboardTestServer.StartAsync(Defaults());

        // HTTP/1.0 is the only version that may leave Host out (Kestrel refuses HTTP/1.1 without it by itself);
        // no browser sends such a request, so nothing a user needs is lost by refusing it.
        var statusLine = await RawHttp10Async(server.Loopback, path);

        Assert.StartsWith("HTTP/1.1 400", statusLine);
    }

    [Theory]
    [InlineData("*", "would allow every host")]
    [InlineData("insights.nacka.se:443", "'insights.nacka.se:443'")]
    [InlineData("https://insights.nacka.se", "'https://insights.nacka.se'")]
    [InlineData("localhost;insights.nacka.se/hangfire", "'insights.nacka.se/hangfire'")]
    [InlineData("::1", "'::1'")]
    [InlineData("*.", "'*.'")]
    [InlineData("insights nacka", "'insights nacka'")]
    public async Task AWrongAllowedHostsSetting_StopsTheStart_NamingTheKeyAndTheEntry(string value, string expected)
    {
        using var host = BuildHost(value);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(error.Failures, f => f.StartsWith("AllowedHosts", StringComparison.Ordinal) && f.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("insights.nacka.se")]
    [InlineData("*.nacka.se;localhost;127.0.0.1;[::1]")]
    [InlineData("10.1.2.3;[fe80::1]")]
    [InlineData("insikter.nacka.se;  ")]
    [InlineData("insikter.räksmörgås.se")]
    [InlineData("")]
    public async Task ARightAllowedHostsSetting_LetsTheHostStart(string value)
    {
        using var host = BuildHost(value);

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task TheService_AsTheRealProgram_RefusesAnotherHost_AndServesLoopback()
    {
        using var folder = new TempDirectory("nacka-host-check");
        using var worker = WorkerProcess.Start(new Dictionary<string, string>(), "--db", folder.File("warehouse.db"));
        await worker.WaitUntilServingAsync(Ct);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var (evil, _) = await GetAsync(client, new Uri($"{worker.Url}/hangfire/recurring"), $"{Evil}:{worker.Port}");
        var (health, _) = await GetAsync(client, new Uri($"{worker.Url}{DashboardHostingExtensions.LivePath}"), Evil);
        var (local, _) = await GetAsync(client, new Uri($"{worker.Url}/hangfire/recurring"), $"localhost:{worker.Port}");

        Assert.Equal(HttpStatusCode.BadRequest, evil);
        Assert.Equal(HttpStatusCode.BadRequest, health);
        Assert.Equal(HttpStatusCode.OK, local);
    }

    /// <summary>The dashboard test settings with <c>AllowedHosts</c> as shipped: not set.</summary>
    private static Dictionary<string, string?> Defaults() => DashboardAccessFacts.Settings((DashboardTestServer.AllowedHostsKey, null));

    private static IHost BuildHost(string allowedHosts)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [DashboardTestServer.AllowedHostsKey] = allowedHosts });
        builder.Logging.ClearProviders();
        builder.AddNackaInsightsDashboard();
        return builder.Build();
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, Uri uri, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Host = host;
        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<(string Header, string Token)> AntiforgeryAsync(DashboardTestServer server, HttpClient client)
    {
        using var page = await client.GetAsync(new Uri(server.Loopback, "/hangfire/recurring"), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        var header = Regex.Match(html, "<meta name=\"csrf-header\" content=\"([^\"]+)\"");
        var token = Regex.Match(html, "<meta name=\"csrf-token\" content=\"([^\"]+)\"");
        Assert.True(header.Success && token.Success, "The dashboard page carries no antiforgery token.");
        return (header.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[1].Value));
    }

    /// <summary>The dashboard's trigger command for the test's recurring job, as its own script posts it.</summary>
    private static async Task<HttpStatusCode> TriggerAsync(DashboardTestServer server, HttpClient client, string header, string token, string? host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Loopback, "/hangfire/recurring/trigger"))
        {
            Content = new FormUrlEncodedContent([new("jobs[]", DashboardTestServer.RecurringJobId)]),
        };
        request.Headers.Add(header, token);
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    /// <summary>Sends <c>GET path HTTP/1.0</c> with no headers at all, and returns the status line of the answer.</summary>
    private static async Task<string> RawHttp10Async(Uri server, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, Ct);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\n\r\n"), Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync(Ct) ?? "";
    }
}
