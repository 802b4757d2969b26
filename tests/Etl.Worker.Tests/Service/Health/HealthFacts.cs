using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Service;
using NackaInsights.Etl.Service.Dashboard;
using NackaInsights.Etl.Tests.Service.Dashboard;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Service.Health;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> on real Kestrel, in each state of a real warehouse on each
/// database: no refresh yet, a fresh one made by the real pipeline, and the same one once it is too old.
/// </summary>
public abstract class HealthFacts : WarehouseFacts
{
    private const int MaxAgeMinutes = 60;
    private readonly TempDirectory _source = new("nacka-source");
    private readonly AdjustableTime _time = new();

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Ready_Is503_WhenNothingWasRefreshedYet_WhileLiveIs200()
    {
        await using var server = await StartAsync();

        var (liveStatus, live) = await GetAsync(server, DashboardHostingExtensions.LivePath);
        var (readyStatus, ready) = await GetAsync(server, DashboardHostingExtensions.ReadyPath);

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", live.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.Equal("Unhealthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(ready, "database").Status);
        var freshness = Check(ready, "freshness");
        Assert.Equal("Unhealthy", freshness.Status);
        Assert.Equal("no successful refresh yet; at most 60 min allowed", freshness.Description);
    }

    [Fact]
    public async Task Ready_Is200_AfterASuccessfulRefresh_And503_OnceItIsOlderThanAllowed()
    {
        await using var server = await StartAsync();
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        var run = await server.Services.GetRequiredService<RefreshPipeline>()
            .RunAsync(RunSources.FromFolder(new SourceFolder(_source.Path)), WorkerJobs.SourceFolder, ct: Ct);
        Assert.True(run.Succeeded, run.Message);

        var (freshStatus, fresh) = await GetAsync(server, DashboardHostingExtensions.ReadyPath);
        _time.Advance(TimeSpan.FromMinutes(MaxAgeMinutes + 30));
        var (staleStatus, stale) = await GetAsync(server, DashboardHostingExtensions.ReadyPath);

        Assert.Equal(HttpStatusCode.OK, freshStatus);
        Assert.Equal("Healthy", fresh.GetProperty("status").GetString());
        Assert.Equal("Healthy", Check(fresh, "database").Status);
        Assert.Matches(@"^last successful refresh \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, [01] min ago; at most 60 min allowed$", Check(fresh, "freshness").Description);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, staleStatus);
        Assert.Equal("Unhealthy", Check(stale, "freshness").Status);
        Assert.Matches(@", (89|90|91) min ago; at most 60 min allowed$", Check(stale, "freshness").Description);
        Assert.Equal("Healthy", Check(stale, "database").Status);
    }

    [Fact]
    public async Task Ready_DoesNotCountARecompute_AsARefresh()
    {
        await using var server = await StartAsync();
        var run = await server.Services.GetRequiredService<RefreshPipeline>().RunAsync(RunSources.Recompute, WorkerJobs.Recompute, ct: Ct);
        Assert.True(run.Succeeded, run.Message);

        var (status, ready) = await GetAsync(server, DashboardHostingExtensions.ReadyPath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("no successful refresh yet", Check(ready, "freshness").Description);
    }

    private Task<DashboardTestServer> StartAsync() => StartAsync(Warehouse.Options, _time, ("HealthOptions:MaxRefreshAgeMinutes", MaxAgeMinutes.ToString()));

    internal static Task<DashboardTestServer> StartAsync(WarehouseOptions warehouse, TimeProvider? time, params (string Key, string? Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["WarehouseOptions:Provider"] = warehouse.Provider.ToString(),
            ["WarehouseOptions:ConnectionString"] = warehouse.ConnectionString,
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        return DashboardTestServer.StartAsync(all, builder =>
        {
            builder.AddNackaInsights();
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
    }

    /// <summary>GETs a health endpoint anonymously from another address, as a load balancer's probe does.</summary>
    internal static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(DashboardTestServer server, string path)
    {
        using var client = server.Client();
        using var response = await client.GetAsync(new Uri(server.RemoteHttp, path), Ct);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return (response.StatusCode, json.RootElement.Clone());
    }

    internal static (string? Status, string? Description) Check(JsonElement report, string name)
    {
        var check = report.GetProperty("checks").GetProperty(name);
        return (check.GetProperty("status").GetString(), check.GetProperty("description").GetString());
    }

    /// <summary>The clock the readiness check reads, moved forward by the test instead of waiting.</summary>
    private sealed class AdjustableTime : TimeProvider
    {
        private TimeSpan _offset;

        public void Advance(TimeSpan by) => _offset += by;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
    }
}

public sealed class SqliteHealthFacts : HealthFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresHealthFacts(PostgresCluster cluster) : HealthFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}

/// <summary>The health endpoints when the warehouse cannot be reached, and the settings they and the dashboard refuse.</summary>
public sealed class HealthUnreachableFacts
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_Is503_WhenTheSqliteFileIsInAFolderThatDoesNotExist_WhileLiveIs200()
    {
        using var folder = new TempDirectory("nacka-health");
        var missing = Path.Combine(folder.Path, "finns-inte", "nacka-insights.db");
        await using var server = await HealthFacts.StartAsync(WarehouseOptions.ForSqliteFile(missing), null);

        var (liveStatus, _) = await HealthFacts.GetAsync(server, DashboardHostingExtensions.LivePath);
        var (readyStatus, ready) = await HealthFacts.GetAsync(server, DashboardHostingExtensions.ReadyPath);

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        var database = HealthFacts.Check(ready, "database");
        Assert.Equal("Unhealthy", database.Status);
        Assert.StartsWith("Sqlite warehouse unreachable: ", database.Description);
        Assert.Equal("Unhealthy", HealthFacts.Check(ready, "freshness").Status);
        Assert.DoesNotContain("finns-inte", ready.GetRawText());
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public async Task Ready_Is503_WhenPostgresDoesNotAnswer_AndShowsNoPassword()
    {
        var connection = $"Host=127.0.0.1;Port={ClosedPort()};Database=nacka;Username=nacka;Password=Hemligt-Lösen-42;Timeout=5";
        await using var server = await HealthFacts.StartAsync(new WarehouseOptions { Provider = WarehouseProvider.Postgres, ConnectionString = connection }, null);

        var (liveStatus, _) = await HealthFacts.GetAsync(server, DashboardHostingExtensions.LivePath);
        var (readyStatus, ready) = await HealthFacts.GetAsync(server, DashboardHostingExtensions.ReadyPath);

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        var database = HealthFacts.Check(ready, "database");
        Assert.Equal("Unhealthy", database.Status);
        Assert.StartsWith("Postgres warehouse unreachable: ", database.Description);
        Assert.DoesNotContain("Hemligt", ready.GetRawText());
        Assert.DoesNotContain("Password", ready.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("DashboardOptions:Users:0:PasswordHash", "hemligt", "DashboardOptions:Users:0:PasswordHash is not in the format pbkdf2-sha256$")]
    [InlineData("DashboardOptions:Users:0:PasswordHash", "", "DashboardOptions:Users:0:PasswordHash is empty")]
    [InlineData("DashboardOptions:Users:0:UserName", "", "DashboardOptions:Users:0:UserName is empty")]
    [InlineData("DashboardOptions:Path", "hangfire", "DashboardOptions:Path 'hangfire' must start with '/'")]
    [InlineData("HealthOptions:MaxRefreshAgeMinutes", "0", "MaxRefreshAgeMinutes")]
    public async Task AWrongSetting_StopsTheStart_WithAMessageNamingIt(string key, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DashboardOptions:Users:0:UserName"] = "operator",
            ["DashboardOptions:Users:0:PasswordHash"] = PasswordHasher.Hash("hemligt", PasswordHasher.MinIterations),
            [key] = value,
        });
        builder.Logging.ClearProviders();
        builder.AddNackaInsightsDashboard();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
