using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.PowerBi;
using NackaInsights.Etl.Tests.Pipeline;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.PowerBi;

/// <summary>
/// The refresh of the Power BI service after real runs over a source folder, against a fake Power BI and Entra ID on
/// 127.0.0.1 over HTTPS, with the real Azure.Identity credential and HttpClient; recorded in the warehouse of each database.
/// </summary>
public abstract class PowerBiRefresherFacts() : SourceFolderFacts("powerbi-source")
{
    protected const string Workspace = "3f0c9a7e-1b2d-4c5e-8f90-a1b2c3d4e5f6";
    protected const string Model = "9e8d7c6b-5a4f-4e3d-b2c1-0f1e2d3c4b5a";
    protected const string OtherModel = "11111111-2222-4333-8444-555555555555";

    protected FakePowerBiServer PowerBi { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        PowerBi = await FakePowerBiServer.StartAsync(Ct);
    }

    public override async ValueTask DisposeAsync()
    {
        await PowerBi.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Options that reach the fake, polling every 20 ms.</summary>
    protected static PowerBiOptions Options(FakePowerBiServer fake, params string[] models) => new()
    {
        Enabled = true,
        TenantId = FakePowerBiServer.TenantId,
        ClientId = FakePowerBiServer.ClientId,
        ClientSecret = FakePowerBiServer.ClientSecret,
        AuthorityHost = fake.AuthorityHost,
        ApiBaseUrl = fake.ApiBaseUrl,
        SemanticModels = [.. (models.Length == 0 ? [Model] : models).Select(m => new PowerBiSemanticModel { WorkspaceId = Workspace, SemanticModelId = m })],
        PollInterval = TimeSpan.FromMilliseconds(20),
        Timeout = TimeSpan.FromSeconds(60),
        MaxRetries = 3,
    };

    protected PowerBiRefresher Refresher(PowerBiOptions? options = null) => new(
        options ?? Options(PowerBi), new PowerBiTransport(PowerBi.CreateTrustingHandler), new PowerBiRefreshStore(Warehouse.Database),
        TimeProvider.System, NullLoggerFactory.Instance);

    private Task<RunResult> RefreshAsync() => RunAsync(Source.Path);

    private async Task<List<RefreshRow>> RowsAsync() =>
        (await QueryAsync<dynamic>("SELECT run_id, semantic_model_id, requested_at_utc, finished_at_utc, status, message FROM pbi_etl_powerbi_refresh ORDER BY run_id, semantic_model_id"))
        .Select(r => new RefreshRow(Convert.ToInt64(r.run_id), (string)r.semantic_model_id, r.requested_at_utc is null ? null : Convert.ToDateTime(r.requested_at_utc),
            r.finished_at_utc is null ? null : Convert.ToDateTime(r.finished_at_utc), (string)r.status, (string?)r.message))
        .ToList();

    private List<FakePowerBiServer.LoggedRequest> RefreshRequests(string method) =>
        PowerBi.Requests.Where(r => r.Method == method && r.Path.Contains("/refreshes", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task APublishingRun_SignsIn_StartsAnEnhancedRefresh_FollowsItToCompleted_AndRecordsKlar()
    {
        PowerBi.ScriptRefresh(Workspace, Model, ("NotStarted", []), ("InProgress", []), ("InProgress", []), ("Completed", []));
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();
        Assert.True(run.Succeeded, run.Message);

        var outcome = Assert.Single(await Refresher().AfterRunAsync(run, Ct));

        Assert.Equal(PowerBiRefreshStatus.Completed, outcome.Status);
        var token = Assert.Single(PowerBi.Requests, r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));
        Assert.Equal($"/{FakePowerBiServer.TenantId}/oauth2/v2.0/token", token.Path);
        Assert.Contains("scope=https%3A%2F%2Fanalysis.windows.net%2Fpowerbi%2Fapi%2F.default", token.Body);
        var start = Assert.Single(RefreshRequests("POST"));
        Assert.Equal($"/v1.0/myorg/groups/{Workspace}/datasets/{Model}/refreshes", start.Path);
        Assert.Equal(202, start.Status);
        Assert.StartsWith("Bearer fake-power-bi-token-", start.Authorization);
        using (var body = JsonDocument.Parse(start.Body))
        {
            Assert.Equal("full", body.RootElement.GetProperty("type").GetString());
            Assert.Equal("transactional", body.RootElement.GetProperty("commitMode").GetString());
            Assert.Equal(1, body.RootElement.GetProperty("retryCount").GetInt32());
            Assert.False(body.RootElement.TryGetProperty("notifyOption", out _), "notifyOption would make it a standard refresh");
        }
        // NotStarted, InProgress twice, then Completed: four looks at the Location, none after the end.
        var polls = RefreshRequests("GET");
        Assert.Equal(4, polls.Count);
        Assert.All(polls, p => Assert.StartsWith($"/v1.0/myorg/groups/{Workspace}/datasets/{Model}/refreshes/", p.Path));
        var row = Assert.Single(await RowsAsync());
        Assert.Equal((run.RunId, Model, PowerBiRefreshStatus.Completed, (string?)null), (row.RunId, row.ModelId, row.Status, row.Message));
        Assert.NotNull(row.RequestedAtUtc);
        Assert.True(row.FinishedAtUtc >= row.RequestedAtUtc);
    }

    [Fact]
    public async Task AFailedRefresh_IsRecordedWithTheServicesMessage_TheRunStaysPublished_AndTheNextPublishingRunRetries()
    {
        PowerBi.ScriptRefresh(Workspace, Model, ("InProgress", []), ("Failed", ["The credentials provided for the PostgreSQL source are invalid."]));
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var first = await RefreshAsync();

        var failed = Assert.Single(await Refresher().AfterRunAsync(first, Ct));

        Assert.Equal(PowerBiRefreshStatus.Failed, failed.Status);
        Assert.True(first.Succeeded, first.Message);
        Assert.Equal(RunStatus.Succeeded, await ScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @RunId", new { first.RunId }));
        var row = Assert.Single(await RowsAsync());
        Assert.Equal(PowerBiRefreshStatus.Failed, row.Status);
        Assert.Contains("Failed", row.Message);
        Assert.Contains("The credentials provided for the PostgreSQL source are invalid.", row.Message);
        Assert.NotNull(row.FinishedAtUtc);

        // Nothing new: no request, and the model is shown still stale.
        PowerBi.ClearLog();
        var unchanged = await RefreshAsync();
        Assert.Equal(PowerBiRefreshStatus.NotRequested, Assert.Single(await Refresher().AfterRunAsync(unchanged, Ct)).Status);
        Assert.Empty(RefreshRequests("POST"));
        var notRequested = (await RowsAsync()).Single(r => r.RunId == unchanged.RunId);
        Assert.Equal(PowerBiRefreshStatus.NotRequested, notRequested.Status);
        Assert.Null(notRequested.RequestedAtUtc);

        // The next run that publishes asks again, and this time the service completes it.
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        var next = await RefreshAsync();
        var retried = Assert.Single(await Refresher().AfterRunAsync(next, Ct));
        Assert.Equal(PowerBiRefreshStatus.Completed, retried.Status);
        Assert.Single(RefreshRequests("POST"));
        Assert.Equal(
            [(first.RunId, PowerBiRefreshStatus.Failed), (unchanged.RunId, PowerBiRefreshStatus.NotRequested), (next.RunId, PowerBiRefreshStatus.Completed)],
            (await RowsAsync()).Select(r => (r.RunId, r.Status)));
    }

    [Fact]
    public async Task ARunThatPublishedNothingNew_AsksForNothing_AndRecordsNothing_WhenTheLastRefreshCompleted()
    {
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var first = await RefreshAsync();
        Assert.Equal(PowerBiRefreshStatus.Completed, Assert.Single(await Refresher().AfterRunAsync(first, Ct)).Status);
        PowerBi.ClearLog();

        var unchanged = await RefreshAsync();
        Assert.Equal(FileStatus.Unchanged, Assert.Single(unchanged.Files).Status);

        Assert.Empty(await Refresher().AfterRunAsync(unchanged, Ct));
        Assert.Empty(PowerBi.Requests);
        Assert.Equal([first.RunId], (await RowsAsync()).Select(r => r.RunId));
    }

    [Fact]
    public async Task A429_IsHonoured_TheRequestIsSentAgainAfterItsRetryAfter()
    {
        PowerBi.FailNext("POST", "/refreshes", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        PowerBi.FailNext("GET", "/refreshes/", 1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();

        var outcome = Assert.Single(await Refresher().AfterRunAsync(run, Ct));

        Assert.Equal(PowerBiRefreshStatus.Completed, outcome.Status);
        foreach (var method in new[] { "POST", "GET" })
        {
            var requests = RefreshRequests(method);
            Assert.Equal([429, method == "POST" ? 202 : 200], requests.Select(r => r.Status));
            // Loosely: not before the hinted second (the server's clock, a little slack for its own timing).
            Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(900), $"{method} came again after {(requests[1].At - requests[0].At).TotalMilliseconds} ms");
        }
    }

    [Fact]
    public async Task APrincipalWithoutAccess_FailsTheRefreshWithAPlainMessageNamingWorkspaceAndModel_NotTheRun()
    {
        PowerBi.DenyWorkspace(Workspace);
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();

        var outcome = Assert.Single(await Refresher().AfterRunAsync(run, Ct));

        Assert.Equal(PowerBiRefreshStatus.Failed, outcome.Status);
        Assert.Equal(401, Assert.Single(RefreshRequests("POST")).Status);
        var row = Assert.Single(await RowsAsync());
        Assert.Equal(PowerBiRefreshStatus.Failed, row.Status);
        Assert.Contains(Workspace, row.Message);
        Assert.Contains(Model, row.Message);
        Assert.Contains("HTTP 401", row.Message);
        Assert.Equal(RunStatus.Succeeded, await ScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @RunId", new { run.RunId }));
    }

    [Fact]
    public async Task AWrongSecret_FailsAtSignIn_AndAsksThePowerBiServiceNothing()
    {
        var options = Options(PowerBi);
        options.ClientSecret = "not the secret";
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();

        var outcome = Assert.Single(await Refresher(options).AfterRunAsync(run, Ct));

        Assert.Equal(PowerBiRefreshStatus.Failed, outcome.Status);
        Assert.Contains("Microsoft Entra ID", outcome.Message);
        Assert.Contains(PowerBi.Requests, r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) && r.Status == 401);
        Assert.Empty(RefreshRequests("POST"));
    }

    [Fact]
    public async Task ACertificate_SignsInWithASignedAssertion_InsteadOfASecret()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=nacka-insights-powerbi", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        PowerBi.AcceptClientCertificate(certificate);
        var pem = Source.File("app.pem");
        await File.WriteAllTextAsync(pem, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem(), Ct);
        var options = Options(PowerBi);
        options.ClientSecret = null;
        options.CertificatePath = pem;
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();

        var outcome = Assert.Single(await Refresher(options).AfterRunAsync(run, Ct));

        Assert.Equal(PowerBiRefreshStatus.Completed, outcome.Status);
        var token = Assert.Single(PowerBi.Requests, r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));
        Assert.Contains("client_assertion=", token.Body);
        Assert.DoesNotContain("client_secret", token.Body);
    }

    [Fact]
    public async Task ACertificateThatCannotBeRead_FailsTheRefresh_NotTheRun()
    {
        var pem = Source.File("broken.pem");
        await File.WriteAllTextAsync(pem, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n", Ct);
        var options = Options(PowerBi);
        options.ClientSecret = null;
        options.CertificatePath = pem;
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();

        var outcome = Assert.Single(await Refresher(options).AfterRunAsync(run, Ct));

        Assert.Equal(PowerBiRefreshStatus.Failed, outcome.Status);
        Assert.Equal(PowerBiRefreshStatus.Failed, Assert.Single(await RowsAsync()).Status);
        Assert.Empty(PowerBi.Requests);
    }

    [Fact]
    public async Task EachSemanticModel_IsRefreshedAndRecordedOnItsOwn()
    {
        PowerBi.ScriptRefresh(Workspace, OtherModel, ("Cancelled", []));
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();

        var outcomes = await Refresher(Options(PowerBi, Model, OtherModel)).AfterRunAsync(run, Ct);

        Assert.Equal([(Model, PowerBiRefreshStatus.Completed), (OtherModel, PowerBiRefreshStatus.Failed)], outcomes.Select(o => (o.Model.SemanticModelId, o.Status)));
        var rows = await RowsAsync();
        Assert.Equal([PowerBiRefreshStatus.Failed, PowerBiRefreshStatus.Completed], rows.OrderBy(r => r.ModelId == Model).Select(r => r.Status));
        Assert.Contains("Cancelled", rows.Single(r => r.ModelId == OtherModel).Message);
    }

    [Fact]
    public async Task ARetryOfTheSameRunsRefresh_AsksOnlyForTheModelsThatFailed_AndReplacesTheirRows()
    {
        PowerBi.ScriptRefresh(Workspace, OtherModel, ("Failed", ["The gateway is offline."]));
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        var run = await RefreshAsync();
        var refresher = Refresher(Options(PowerBi, Model, OtherModel));
        Assert.Equal(PowerBiRefreshStatus.Failed, (await refresher.AfterRunAsync(run, Ct))[1].Status);
        PowerBi.ClearLog();

        // As Hangfire's retry of the continuation calls it: the run's id only.
        var retried = await refresher.RefreshAsync(run.RunId, Ct);

        Assert.All(retried, o => Assert.Equal(PowerBiRefreshStatus.Completed, o.Status));
        Assert.Equal([$"/v1.0/myorg/groups/{Workspace}/datasets/{OtherModel}/refreshes"], RefreshRequests("POST").Select(r => r.Path));
        Assert.Equal([(Model, PowerBiRefreshStatus.Completed), (OtherModel, PowerBiRefreshStatus.Completed)],
            (await RowsAsync()).Select(r => (r.ModelId, r.Status)).OrderBy(r => r.ModelId == OtherModel));
    }

    private sealed record RefreshRow(long RunId, string ModelId, DateTime? RequestedAtUtc, DateTime? FinishedAtUtc, string Status, string? Message);
}

public sealed class SqlitePowerBiRefresherFacts : PowerBiRefresherFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresPowerBiRefresherFacts(PostgresCluster cluster) : PowerBiRefresherFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
