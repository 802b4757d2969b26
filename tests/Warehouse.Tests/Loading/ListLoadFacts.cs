using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>A list read taken into a run in parts (<see cref="RefreshRun.BeginListAsync"/>), as a long list export is.</summary>
public abstract class ListLoadFacts : WarehouseFacts
{
    private static readonly DateTime Listed = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    private sealed record ObjectRow(string ItemId, string ObjectId, string? ManagerEmail);

    private sealed class ReadRow
    {
        public long ItemsRead { get; init; }
        public long ItemsChanged { get; init; }
        public long ItemsRemoved { get; init; }
        public long ItemsRejected { get; init; }

        public (long, long, long, long) Counts => (ItemsRead, ItemsChanged, ItemsRemoved, ItemsRejected);
    }

    private static ListItemChange Object(string itemId, string objectId, string manager) =>
        new(itemId, Listed, $$"""{"ObjektId":"{{objectId}}","ForvaltareEpost":"{{manager}}"}""", false,
            new ObjectItem(new ListItemOrigin(RefreshRun.Lists.Objects, itemId, Listed), objectId, $"Objekt {objectId}", manager, "Välfärd skola"), []);

    private static ListItemChange Rejected(string itemId) =>
        new(itemId, Listed, """{"ObjektId":""}""", false, null, [new SourceProblem("Forvaltningsobjekt", null, null, "ObjektId saknas.") { ItemId = itemId }]);

    private static ListReadInfo Read(string content) => new(RefreshRun.Lists.Objects, ListReadModes.File, true, null, WarehouseBuilders.Sha(content));

    private async Task RunAsync(string content, params ListItemChange[][] parts)
    {
        var loader = Warehouse.Loader();
        await using var run = await loader.StartRunAsync("test", null, ct: Ct);
        var load = await run.BeginListAsync(Read(content), Ct);
        foreach (var part in parts)
        {
            await load.AddAsync(part, Ct);
        }
        await load.CompleteAsync(Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
    }

    private Task<List<ObjectRow>> ObjectsAsync() => QueryAsync<ObjectRow>(
        "SELECT item_id AS ItemId, object_id AS ObjectId, manager_email AS ManagerEmail FROM stg_list_object ORDER BY item_id");

    private async Task<(long Read, long Changed, long Removed, long Rejected)> LastReadAsync() => (await QuerySingleAsync<ReadRow>(
        """
        SELECT items_read AS ItemsRead, items_changed AS ItemsChanged, items_removed AS ItemsRemoved, items_rejected AS ItemsRejected
        FROM etl_list_read WHERE run_id = (SELECT MAX(run_id) FROM etl_list_read)
        """)).Counts;

    [Fact]
    public async Task AListTakenInParts_LandsAsTheSameListTakenWhole()
    {
        ListItemChange[] items = [Object("1", "OBJ-1", "a@nacka.se"), Object("2", "OBJ-2", "b@nacka.se"), Object("3", "OBJ-3", "c@nacka.se")];

        await RunAsync("v1", items[..1], items[1..]);

        Assert.Equal(
            [new ObjectRow("1", "OBJ-1", "a@nacka.se"), new ObjectRow("2", "OBJ-2", "b@nacka.se"), new ObjectRow("3", "OBJ-3", "c@nacka.se")],
            await ObjectsAsync());
        Assert.Equal((3L, 3L, 0L, 0L), await LastReadAsync());
    }

    [Fact]
    public async Task AnItemInTwoParts_CountsOnceAsItLastReads()
    {
        await RunAsync("v1", [Object("1", "OBJ-1", "a@nacka.se"), Object("2", "OBJ-2", "b@nacka.se")]);

        await RunAsync("v2", [Object("1", "OBJ-1", "ny@nacka.se"), Rejected("2")], [Object("1", "OBJ-1", "a@nacka.se"), Object("2", "OBJ-2", "c@nacka.se")]);

        Assert.Equal([new ObjectRow("1", "OBJ-1", "a@nacka.se"), new ObjectRow("2", "OBJ-2", "c@nacka.se")], await ObjectsAsync());
        // Item 1 reads as it did before the run in the end, but it was landed in between, so it is landed again.
        Assert.Equal((2L, 2L, 0L, 0L), await LastReadAsync());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_problem WHERE run_id = (SELECT MAX(run_id) FROM etl_run)"));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM raw_list_item WHERE run_id = (SELECT MAX(run_id) FROM etl_run)"));
    }

    [Fact]
    public async Task ACompleteReadInParts_RemovesOnlyWhatNoPartHeld()
    {
        await RunAsync("v1", [Object("1", "OBJ-1", "a@nacka.se"), Object("2", "OBJ-2", "b@nacka.se"), Object("3", "OBJ-3", "c@nacka.se")]);

        await RunAsync("v2", [Object("3", "OBJ-3", "c@nacka.se")], [], [Object("1", "OBJ-1", "a@nacka.se")]);

        Assert.Equal([new ObjectRow("1", "OBJ-1", "a@nacka.se"), new ObjectRow("3", "OBJ-3", "c@nacka.se")], await ObjectsAsync());
        Assert.Equal((2L, 0L, 1L, 0L), await LastReadAsync());
    }
}

public sealed class SqliteListLoadFacts : ListLoadFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresListLoadFacts(PostgresCluster cluster) : ListLoadFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
