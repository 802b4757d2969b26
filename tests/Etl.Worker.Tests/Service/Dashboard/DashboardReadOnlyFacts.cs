using System.Net;
using System.Text.RegularExpressions;
using Hangfire.Storage;

namespace NackaInsights.Etl.Tests.Service.Dashboard;

/// <summary>
/// What the dashboard lets a user do: trigger and delete recurring jobs, unless the dashboard or the user is
/// read-only. The POSTs are sent as the dashboard's own script sends them, with the antiforgery token from the page.
/// </summary>
public sealed class DashboardReadOnlyFacts
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AUserWhoIsNotReadOnly_TriggersTheRecurringJob_AndItIsEnqueued()
    {
        await using var server = await DashboardTestServer.StartAsync(DashboardAccessFacts.Settings());
        using var client = server.Client("operator", DashboardAccessFacts.Password);

        var (page, status) = await PostAsync(server, client, "trigger");

        Assert.Contains("recurring/trigger", page);
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(1, server.EnqueuedJobs());
    }

    [Fact]
    public async Task AReadOnlyUser_CannotTriggerOrDeleteTheRecurringJob()
    {
        await using var server = await DashboardTestServer.StartAsync(DashboardAccessFacts.Settings());
        using var client = server.Client("controller", DashboardAccessFacts.Password);

        var (page, trigger) = await PostAsync(server, client, "trigger");
        var (_, remove) = await PostAsync(server, client, "remove");

        Assert.DoesNotContain("recurring/trigger", page);
        Assert.Equal(HttpStatusCode.Unauthorized, trigger);
        Assert.Equal(HttpStatusCode.Unauthorized, remove);
        Assert.Equal(0, server.EnqueuedJobs());
        Assert.Equal(DashboardTestServer.RecurringJobId, Assert.Single(RecurringJobs(server)).Id);
    }

    [Fact]
    public async Task AReadOnlyDashboard_LetsNoUserTriggerTheRecurringJob_NotEvenFromLoopback()
    {
        await using var server = await DashboardTestServer.StartAsync(DashboardAccessFacts.Settings(("DashboardOptions:ReadOnly", "true")));
        using var user = server.Client("operator", DashboardAccessFacts.Password);
        using var local = server.Client();

        var (page, remote) = await PostAsync(server, user, "trigger");
        var (_, loopback) = await PostAsync(server, local, "trigger", server.Loopback);

        Assert.DoesNotContain("recurring/trigger", page);
        Assert.Equal(HttpStatusCode.Unauthorized, remote);
        Assert.Equal(HttpStatusCode.Unauthorized, loopback);
        Assert.Equal(0, server.EnqueuedJobs());
    }

    [Fact]
    public async Task ATriggerWithoutTheAntiforgeryToken_IsRefused_AndEnqueuesNothing()
    {
        await using var server = await DashboardTestServer.StartAsync(DashboardAccessFacts.Settings());
        using var client = server.Client("operator", DashboardAccessFacts.Password);

        using var response = await client.PostAsync(new Uri(server.RemoteHttps, "/hangfire/recurring/trigger"), TriggerForm(), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, server.EnqueuedJobs());
    }

    /// <summary>
    /// Opens the recurring jobs page, reads the antiforgery header name and token from its meta tags (the cookie
    /// is kept by the client), and posts the command for the test's recurring job as the dashboard's script does.
    /// </summary>
    private static async Task<(string Page, HttpStatusCode Status)> PostAsync(DashboardTestServer server, HttpClient client, string command, Uri? baseUri = null)
    {
        baseUri ??= server.RemoteHttps;
        using var page = await client.GetAsync(new Uri(baseUri, "/hangfire/recurring"), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(Ct);
        var header = MetaPattern("csrf-header").Match(html);
        var token = MetaPattern("csrf-token").Match(html);
        Assert.True(header.Success && token.Success, "The dashboard page carries no antiforgery token.");

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"/hangfire/recurring/{command}")) { Content = TriggerForm() };
        request.Headers.Add(header.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[1].Value));
        using var response = await client.SendAsync(request, Ct);
        return (html, response.StatusCode);
    }

    private static FormUrlEncodedContent TriggerForm() => new([new("jobs[]", DashboardTestServer.RecurringJobId)]);

    private static Regex MetaPattern(string name) => new($"<meta name=\"{name}\" content=\"([^\"]+)\"");

    private static List<RecurringJobDto> RecurringJobs(DashboardTestServer server)
    {
        using var connection = server.Storage.GetConnection();
        return connection.GetRecurringJobs();
    }
}
