using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.Service.Report;
using NackaInsights.Etl.Tests.Service.Dashboard;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// <c>GET /rapport</c> on real Kestrel, from loopback and from this machine's own address: protected exactly as the
/// dashboard is, the page once a report is made, and a short Swedish 404 before.
/// </summary>
public sealed class ReportEndpointFacts : IAsyncLifetime
{
    private readonly SqliteTestWarehouse _warehouse = new();
    private readonly TempDirectory _reports = new("nacka-rapport");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _warehouse.MigratedAsync();

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _warehouse.Dispose();
        _reports.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task BeforeAReportIsMade_Loopback_GetsA404InSwedish()
    {
        await using var server = await StartAsync();
        using var client = server.Client();

        using var response = await client.GetAsync(new Uri(server.Loopback, ReportEndpoint.Path), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Ingen uppföljningsrapport ännu", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task TheReport_IsServedToLoopback_AndToADashboardUserOverHttps_AndRefusedToAnAnonymousRemoteWith401()
    {
        await using var server = await StartAsync();
        await server.Services.GetRequiredService<ServiceReport>().RemakeAsync(Ct);
        using var anonymous = server.Client();
        using var user = server.Client("operator", DashboardAccessFacts.Password);

        using var loopback = await anonymous.GetAsync(new Uri(server.Loopback, ReportEndpoint.Path), Ct);
        using var remote = await anonymous.GetAsync(new Uri(server.RemoteHttps, ReportEndpoint.Path), Ct);
        using var signedIn = await user.GetAsync(new Uri(server.RemoteHttps, ReportEndpoint.Path), Ct);

        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
        Assert.Equal("text/html", loopback.Content.Headers.ContentType?.MediaType);
        var page = await loopback.Content.ReadAsStringAsync(Ct);
        Assert.All(ReportSections.All, id => Assert.Contains($"<section id=\"{id}\"", page));
        Assert.Equal(ReportEndpoint.ContentSecurityPolicy, loopback.Headers.GetValues("Content-Security-Policy").Single());

        Assert.Equal(HttpStatusCode.Unauthorized, remote.StatusCode);
        Assert.Equal("Basic", Assert.Single(remote.Headers.WwwAuthenticate).Scheme);
        Assert.DoesNotContain("<section", await remote.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Equal(page, await signedIn.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task OverPlainHttpFromAnotherMachine_EvenADashboardUser_IsRefused()
    {
        await using var server = await StartAsync();
        await server.Services.GetRequiredService<ServiceReport>().RemakeAsync(Ct);
        using var user = server.Client("operator", DashboardAccessFacts.Password);

        using var response = await user.GetAsync(new Uri(server.RemoteHttp, ReportEndpoint.Path), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("<section", await response.Content.ReadAsStringAsync(Ct));
    }

    private Task<DashboardTestServer> StartAsync() => DashboardTestServer.StartAsync(
        DashboardAccessFacts.Settings(
            ("WarehouseOptions:Provider", "Sqlite"),
            ("WarehouseOptions:ConnectionString", _warehouse.Options.ConnectionString),
            ("Report:Directory", _reports.Path)),
        builder =>
        {
            builder.AddNackaInsights();
            builder.Services.AddSingleton<ServiceReport>();
        });
}
