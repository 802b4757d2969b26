using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Tests.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>The lists through Microsoft Graph, into the warehouse: a fake Graph over real HTTP, the real GraphServiceClient, each database.</summary>
public abstract class GraphPipelineFacts : PipelineFacts
{
    private static readonly DateTimeOffset January = new(2024, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private FakeGraphServer _graph = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _graph = await FakeGraphServer.StartAsync(Ct);
        foreach (var list in ListNames.All)
        {
            _graph.List(list);
        }
        _graph.List(ListNames.Initiatives)
            .Put("1", new { Title = "Digital signering", InitiativId = "DIG-1", Verksamhet = "Stadsledningskontoret", Fas = "Idé" }, January)
            .Put("2", new { Title = "E-tjänst för bygglov", InitiativId = "DIG-2", Verksamhet = "Miljö och stadsbyggnad", Fas = "Projekt" }, January)
            .Put("3", new { Title = "Chattbot", InitiativId = "DIG-3", Verksamhet = "Stadsledningskontoret", Fas = "Beredning" }, January);
        _graph.List(ListNames.ProjectStatus)
            .Put("1", new { InitiativId = "DIG-2", Rapportdatum = "2024-01-31", Status = "Grön", Fardiggrad = 20 }, January);
    }

    public override async ValueTask DisposeAsync()
    {
        await _graph.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task AFirstFullRead_ThenADeltaWithAChangedANewAndARemovedItem_AndARunWithoutChangesCostsOneRoundTripPerList()
    {
        var first = await RefreshAsync();
        Assert.True(first.Succeeded, first.Message);
        Assert.All(first.Lists, l => Assert.Equal(ListReadModes.Full, l.Mode));
        Assert.Equal(["DIG-1", "DIG-2", "DIG-3"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        Assert.Equal(4L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_list_state WHERE delta_link IS NOT NULL"));

        _graph.List(ListNames.Initiatives)
            .Put("1", new { Title = "Digital signering", InitiativId = "DIG-1", Verksamhet = "Stadsledningskontoret", Fas = "Beredning" }, new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero))
            .Put("4", new { Title = "Digitala nycklar", InitiativId = "DIG-4", Verksamhet = "Fastighet och service", Fas = "Idé" }, new DateTimeOffset(2024, 3, 2, 9, 0, 0, TimeSpan.Zero))
            .Remove("3");
        var second = await RefreshAsync();

        Assert.True(second.Succeeded, second.Message);
        var initiatives = second.Lists.Single(l => l.ListName == ListNames.Initiatives);
        Assert.Equal(ListReadModes.Delta, initiatives.Mode);
        Assert.Equal((3, 2, 1), (initiatives.ItemsRead, initiatives.ItemsChanged, initiatives.ItemsRemoved));
        Assert.Equal(["DIG-1", "DIG-2", "DIG-4"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        Assert.Equal(["Idé", "Beredning"], await QueryAsync<string>("SELECT phase FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-1' ORDER BY version_no"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT is_current FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-3'"));

        _graph.ClearLog();
        var rawBefore = await ScalarAsync<long>("SELECT COUNT(*) FROM raw_list_item");
        var third = await RefreshAsync();

        Assert.True(third.Succeeded, third.Message);
        // Per list its columns (for the mapping) and one delta round trip; the site once.
        Assert.Equal(ListNames.All.Count, _graph.Requests.Count(r => r.PathAndQuery.Contains("/items/delta", StringComparison.Ordinal)));
        Assert.Equal(1 + 2 * ListNames.All.Count, _graph.Requests.Count);
        Assert.All(third.Lists, l => Assert.Equal((ListReadModes.Delta, 0, 0), (l.Mode, l.ItemsChanged, l.ItemsRemoved)));
        Assert.Equal(rawBefore, await ScalarAsync<long>("SELECT COUNT(*) FROM raw_list_item"));
    }

    [Fact]
    public async Task TheItemsCreatedDateTime_IsReadThroughGraph_AndKeptOnTheInitiativesCurrentVersionAcrossAChangeOfPhase()
    {
        _graph.List(ListNames.Initiatives)
            .Put("1", new { Title = "Digital signering", InitiativId = "DIG-1", Verksamhet = "Stadsledningskontoret", Fas = "Idé" }, January,
                created: new DateTimeOffset(2023, 12, 31, 23, 30, 0, TimeSpan.Zero));
        var first = await RefreshAsync();
        Assert.True(first.Succeeded, first.Message);

        _graph.List(ListNames.Initiatives)
            .Put("1", new { Title = "Digital signering", InitiativId = "DIG-1", Verksamhet = "Stadsledningskontoret", Fas = "Beredning" }, January.AddDays(50));
        var second = await RefreshAsync();

        Assert.True(second.Succeeded, second.Message);
        Assert.Equal(ListReadModes.Delta, second.Lists.Single(l => l.ListName == ListNames.Initiatives).Mode);
        // Graph gives every item its createdDateTime: the fake stamps the others with their first modification.
        Assert.Equal(["1 2023-12-31 23:30:00.000", "2 2024-01-10 09:00:00.000", "3 2024-01-10 09:00:00.000"],
            (await QueryAsync<(string ItemId, object Created)>("SELECT item_id, created_at_utc FROM stg_list_initiative ORDER BY item_id"))
            .Select(s => $"{s.ItemId} {ViewSnapshot.Normalize(s.Created)}"));
        Assert.Equal(["1 2023-12-31 23:30:00.000", "2 2023-12-31 23:30:00.000"],
            (await QueryAsync<(int VersionNo, object Created)>("SELECT version_no, created_at_utc FROM dim_initiative_version WHERE initiative_id = 'DIG-1' ORDER BY version_no"))
            .Select(v => $"{v.VersionNo} {ViewSnapshot.Normalize(v.Created)}"));
        // The full read asked for the items whole: a select only inside fields(...), none that could leave createdDateTime out.
        Assert.All(_graph.Requests.Where(r => r.PathAndQuery.Contains("/items", StringComparison.Ordinal)),
            r => Assert.DoesNotContain("?$select", Uri.UnescapeDataString(r.PathAndQuery).Replace("&$select", "?$select", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AListThatKeepsFailing_FailsTheRun_AndKeepsTheWarehouseAndItsDeltaLinksAsTheyWere()
    {
        await RefreshAsync();
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));
        var links = await QueryAsync<string>("SELECT delta_link FROM etl_list_state ORDER BY list_name");

        _graph.List(ListNames.Initiatives).Put("1", new { InitiativId = "DIG-1", Verksamhet = "Stadsledningskontoret", Fas = "Projekt" }, January.AddDays(40));
        // Graph's links name a list by its id.
        _graph.FailNext($"/lists/{_graph.List(ListNames.ProjectStatus).Id}/", 1, HttpStatusCode.InternalServerError);
        var failed = await RefreshAsync();

        Assert.False(failed.Succeeded);
        Assert.Contains("Projektstatus", failed.Message);
        Assert.Equal(before, await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal)));
        Assert.Equal(links, await QueryAsync<string>("SELECT delta_link FROM etl_list_state ORDER BY list_name"));

        // The kept delta links still ask for the change the failed run could not publish.
        var next = await RefreshAsync();
        Assert.True(next.Succeeded, next.Message);
        Assert.Equal("Projekt", await ScalarAsync<string>("SELECT phase FROM pbi_dim_initiative WHERE initiative_id = 'DIG-1'"));
    }

    [Fact]
    public async Task AnExpiredDeltaLink_FallsBackToAFullRead_AndWhatIsGoneIsRemoved()
    {
        await RefreshAsync();

        _graph.List(ListNames.Initiatives).Remove("2");
        _graph.ExpireDeltaTokens(HttpStatusCode.Gone, "resyncRequired");
        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var initiatives = result.Lists.Single(l => l.ListName == ListNames.Initiatives);
        Assert.Equal(ListReadModes.Full, initiatives.Mode);
        Assert.Equal(1, initiatives.ItemsRemoved);
        Assert.Equal(["DIG-1", "DIG-3"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        // DIG-2's status report went with it.
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_project_status"));
    }

    [Fact]
    public async Task ItemsWithBadValues_AreSkippedNamingListAndItem_AndTheRestLoads()
    {
        _graph.List(ListNames.Initiatives).Put("5", new { Title = "Utan fas", InitiativId = "DIG-5", Fas = "Pågående" }, January);
        _graph.List(ListNames.ProjectStatus).Put("2", new { InitiativId = "DIG-2", Rapportdatum = "2024-02-29", Status = "Lila", Fardiggrad = 140 }, January);

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        Assert.True(result.HasRejections);
        var problems = result.Lists.SelectMany(l => l.Problems).ToList();
        Assert.Contains(problems, p => p.Source == ListNames.Initiatives && p.ItemId == "5" && p.Message.Contains("\"Pågående\""));
        Assert.Contains(problems, p => p.Source == ListNames.ProjectStatus && p.ItemId == "2" && p.Message.Contains("\"Lila\""));
        Assert.Contains(problems, p => p.Source == ListNames.ProjectStatus && p.ItemId == "2" && p.Message.Contains("0–100"));
        Assert.Equal(["DIG-1", "DIG-2", "DIG-3"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_project_status"));
        Assert.Equal(2L, await ScalarAsync<long>($"SELECT rows_rejected FROM pbi_etl_run WHERE run_id = {result.RunId}"));
    }

    private async Task<RunResult> RefreshAsync()
    {
        var options = FakeGraphOptions.For(_graph);
        using var lists = new GraphListSource(options, new FixedTokenCredential(), NullLogger<GraphListSource>.Instance);
        return await RunAsync(new RunSources([], lists));
    }
}

public sealed class SqliteGraphPipelineFacts : GraphPipelineFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresGraphPipelineFacts(PostgresCluster cluster) : GraphPipelineFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
