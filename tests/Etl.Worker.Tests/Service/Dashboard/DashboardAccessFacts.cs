using System.Net;
using NackaInsights.Etl.Service.Dashboard;

namespace NackaInsights.Etl.Tests.Service.Dashboard;

/// <summary>Who gets into the Hangfire dashboard, over real HTTP and HTTPS, from loopback and from another address.</summary>
public sealed class DashboardAccessFacts
{
    public const string Password = "Rätt lösenord för Nacka";

    private static readonly string Hash = PasswordHasher.Hash(Password, PasswordHasher.MinIterations);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DashboardOptions:Users:0:UserName"] = "operator",
            ["DashboardOptions:Users:0:PasswordHash"] = Hash,
            ["DashboardOptions:Users:1:UserName"] = "controller",
            ["DashboardOptions:Users:1:PasswordHash"] = Hash,
            ["DashboardOptions:Users:1:ReadOnly"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    [Fact]
    public async Task AnAnonymousRemoteRequest_IsRefusedWith401_AndABasicChallenge()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings());
        using var client = server.Client();

        using var response = await client.GetAsync(new Uri(server.RemoteHttps, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains("realm=\"NackaInsights\"", challenge.Parameter);
        Assert.Contains(server.Log.Entries, e => e.Message.Contains("refused: no credentials"));
    }

    [Fact]
    public async Task AWrongPasswordOrAnUnknownUser_IsRefusedWith401_AndLoggedWithoutThePassword()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings());
        using var wrong = server.Client("operator", "fel lösenord");
        using var unknown = server.Client("okänd", Password);

        using var wrongResponse = await wrong.GetAsync(new Uri(server.RemoteHttps, "/hangfire"), Ct);
        using var unknownResponse = await unknown.GetAsync(new Uri(server.RemoteHttps, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal("Basic", Assert.Single(wrongResponse.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownResponse.StatusCode);
        Assert.Contains(server.Log.Entries, e => e.Message.Contains("wrong password for user operator"));
        Assert.Contains(server.Log.Entries, e => e.Message.Contains("unknown user okänd"));
        Assert.DoesNotContain(server.Log.Entries, e => e.Message.Contains("fel lösenord") || e.Message.Contains(Password));
    }

    [Fact]
    public async Task AConfiguredUserOverHttps_IsServedTheDashboard()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings());
        using var client = server.Client("operator", Password);

        using var response = await client.GetAsync(new Uri(server.RemoteHttps, "/hangfire"), Ct);
        using var again = await client.GetAsync(new Uri(server.RemoteHttps, "/hangfire/recurring"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("NackaInsights", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains(DashboardTestServer.RecurringJobId, await again.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task AConfiguredUserOverPlainHttpFromAnotherAddress_IsRefused_AndToldToUseHttps()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings());
        using var client = server.Client("operator", Password);

        using var response = await client.GetAsync(new Uri(server.RemoteHttp, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Contains(server.Log.Entries, e => e.Message.Contains("use HTTPS") && e.Message.Contains("credentials sent in the clear were ignored"));
    }

    [Fact]
    public async Task PlainHttpFromAnotherAddress_IsServed_WhenHttpsIsNotRequired()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings(("DashboardOptions:RequireHttps", "false")));
        using var client = server.Client("operator", Password);
        using var anonymous = server.Client();

        using var response = await client.GetAsync(new Uri(server.RemoteHttp, "/hangfire"), Ct);
        using var refused = await anonymous.GetAsync(new Uri(server.RemoteHttp, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task AnAnonymousLoopbackRequest_IsServed()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings());
        using var client = server.Client();

        using var response = await client.GetAsync(new Uri(server.Loopback, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnAnonymousLoopbackRequest_IsRefused_WhenAnonymousLoopbackIsNotAllowed()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings(
            ("DashboardOptions:AllowAnonymousLoopback", "false"), ("DashboardOptions:RequireHttps", "false")));
        using var client = server.Client();
        using var user = server.Client("operator", Password);

        using var response = await client.GetAsync(new Uri(server.Loopback, "/hangfire"), Ct);
        using var signedIn = await user.GetAsync(new Uri(server.Loopback, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task WithNoUsersConfigured_EveryRemoteRequestIsRefused_AndLoopbackStillServed()
    {
        await using var server = await DashboardTestServer.StartAsync(new Dictionary<string, string?>());
        using var client = server.Client("operator", Password);

        using var https = await client.GetAsync(new Uri(server.RemoteHttps, "/hangfire"), Ct);
        using var http = await client.GetAsync(new Uri(server.RemoteHttp, "/hangfire"), Ct);
        using var loopback = await server.Client().GetAsync(new Uri(server.Loopback, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, https.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, http.StatusCode);
        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
        Assert.Contains(server.Log.Entries, e => e.Message.Contains("no dashboard users are configured"));
        Assert.Contains(server.Log.Entries, e => e.Message == "Dashboard at /hangfire: loopback without credentials; remote refused (no users configured)");
    }

    [Fact]
    public async Task TheDashboard_AnswersAtTheConfiguredPath()
    {
        await using var server = await DashboardTestServer.StartAsync(Settings(("DashboardOptions:Path", "/drift/jobb")));
        using var client = server.Client("operator", Password);

        using var moved = await client.GetAsync(new Uri(server.RemoteHttps, "/drift/jobb"), Ct);
        using var old = await client.GetAsync(new Uri(server.RemoteHttps, "/hangfire"), Ct);

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }
}
