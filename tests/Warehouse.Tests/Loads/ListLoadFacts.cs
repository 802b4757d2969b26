using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Loads;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Tests.Loads;

/// <summary>
/// A list read taken into a run in parts (<see cref="RefreshRun.BeginListAsync"/>), as a long list export is; and a
/// <see cref="ListLoad"/> with no run around it, writing only through what it is given.
/// </summary>
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
    public async Task AnItemsCreationTime_TellsWhetherItChanged_WhileAnItemWithoutOneIsFingerprintedByItsFieldsAlone()
    {
        var created = new DateTime(2023, 11, 20, 8, 0, 0, DateTimeKind.Utc);
        await RunAsync("v1", [Object("1", "OBJ-1", "a@nacka.se"), Object("2", "OBJ-2", "b@nacka.se")]);
        var fieldsOnly = await ScalarAsync<string>("SELECT content_sha256 FROM raw_list_item WHERE item_id = '2'");

        await RunAsync("v2", [Object("1", "OBJ-1", "a@nacka.se") with { CreatedUtc = created }, Object("2", "OBJ-2", "b@nacka.se")]);
        var given = await LastReadAsync();
        await RunAsync("v3", [Object("1", "OBJ-1", "a@nacka.se") with { CreatedUtc = created }, Object("2", "OBJ-2", "b@nacka.se")]);
        var same = await LastReadAsync();
        await RunAsync("v4", [Object("1", "OBJ-1", "a@nacka.se") with { CreatedUtc = created.AddDays(1) }, Object("2", "OBJ-2", "b@nacka.se")]);

        Assert.Equal(WarehouseBuilders.Sha("""{"ObjektId":"OBJ-2","ForvaltareEpost":"b@nacka.se"}"""), fieldsOnly);
        Assert.Equal((2L, 1L, 0L, 0L), given);
        Assert.Equal((2L, 0L, 0L, 0L), same);
        Assert.Equal((2L, 1L, 0L, 0L), await LastReadAsync());
    }

    [Fact]
    public async Task AStoredFingerprintNotInTheFormItIsWritten_ReadsAsChanged_AndTheItemIsLandedAgainInThatForm()
    {
        await RunAsync("v1", [Object("1", "OBJ-1", "a@nacka.se"), Object("2", "OBJ-2", "b@nacka.se")]);
        var written = await ScalarAsync<string>("SELECT content_sha256 FROM raw_list_item WHERE item_id = '1'");
        await ScalarAsync<long?>("UPDATE raw_list_item SET content_sha256 = UPPER(content_sha256) WHERE item_id = '1'");

        await RunAsync("v2", [Object("1", "OBJ-1", "a@nacka.se"), Object("2", "OBJ-2", "b@nacka.se")]);

        Assert.Equal((2L, 1L, 0L, 0L), await LastReadAsync());
        Assert.Equal(written, await ScalarAsync<string>("SELECT content_sha256 FROM raw_list_item WHERE item_id = '1' AND run_id = (SELECT MAX(run_id) FROM etl_run)"));
    }

    [Fact]
    public void AContentFingerprint_IsWrittenAsTheLowercaseHexOfTheSha256OfItsText_AndReadBackAsItself()
    {
        var text = """{"ObjektId":"OBJ-1","Namn":"Åtgärd"}""";
        var sha = ContentSha.Of(text);

        Assert.Equal(WarehouseBuilders.Sha(text), sha.ToString());
        Assert.Equal(sha, ContentSha.Parse(sha.ToString()));
        Assert.NotEqual(sha, ContentSha.Of(text + " "));
        Assert.Equal(default, ContentSha.Parse(sha.ToString().ToUpperInvariant()));
        Assert.Equal(default, ContentSha.Parse("inte ett fingeravtryck"));
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

    /// <summary>A clock that always says the same instant, a day no test's run starts on.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Stands in for the run: keeps the reads handed to it as they complete.</summary>
    private sealed class Recorder : IListReadRecorder
    {
        public List<(ListResult Result, int SharedKeys)> Reads { get; } = [];

        public Task ListReadAsync(ListResult result, int sharedKeys, CancellationToken ct)
        {
            Reads.Add((result, sharedKeys));
            return Task.CompletedTask;
        }
    }

    private sealed record ProblemRow(long ProblemId, string ItemId);

    /// <summary>A published run with nothing in it, for a load alone to name: what it writes refers to a run.</summary>
    private async Task<long> EmptyRunAsync()
    {
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        return result.RunId;
    }

    /// <summary>
    /// One read by a load given a transaction, buffer, ledger (its last problem id 40), keys and clock of its own, and
    /// no run: what it buffered is written and the transaction committed, as a run would.
    /// </summary>
    private async Task<(ListResult Result, int SharedKeys, RunLedger Ledger)> LoadAloneAsync(long runId, params ListItemChange[] items)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var sql = new RunTransaction(Warehouse.Database, connection, transaction);
        var buffer = new RowBuffer();
        var ledger = new RunLedger(lastFileId: 0, lastProblemId: 40, lastVersionId: 0);
        var keys = new RunKeys();
        var recorder = new Recorder();
        var load = await ListLoad.BeginAsync(Read("alone"), sql, buffer, ledger, _ => Task.FromResult(keys), runId,
            new FixedTime(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero)), recorder, Ct);
        await load.AddAsync(items, Ct);
        await load.CompleteAsync(Ct);
        await buffer.FlushAsync(sql, Ct);
        await transaction.CommitAsync(Ct);
        var (result, shared) = Assert.Single(recorder.Reads);
        return (result, shared, ledger);
    }

    [Fact]
    public async Task ALoadWithNoRunAroundIt_WritesThroughWhatItIsGiven_AndHandsItsReadToTheRecorder()
    {
        var runId = await EmptyRunAsync();

        var (result, shared, ledger) = await LoadAloneAsync(runId, Object("1", "OBJ-1", "a@nacka.se"), Rejected("2"));

        Assert.Equal((2, 1, 0, 1, 0), (result.ItemsRead, result.ItemsChanged, result.ItemsRemoved, result.ItemsRejected, shared));
        Assert.Equal("2 objekt lästa: 1 nya eller ändrade, 0 borttagna, 1 avvisade.", result.Message);
        Assert.Equal([new ObjectRow("1", "OBJ-1", "a@nacka.se")], await ObjectsAsync());
        Assert.Equal((2L, 1L, 0L, 1L), await LastReadAsync());
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM raw_list_item WHERE run_id = @runId", new { runId }));
        // The rejected item's problem took the ledger's next id, and the ledger moved past it.
        Assert.Equal([new ProblemRow(41, "2")], await QueryAsync<ProblemRow>("SELECT problem_id AS ProblemId, item_id AS ItemId FROM etl_problem WHERE run_id = @runId", new { runId }));
        Assert.Equal(42L, ledger.TakeProblemId());
        // The list's state is the load's run's, read at the time of the clock it was given.
        Assert.Equal(runId, await ScalarAsync<long>("SELECT last_run_id FROM etl_list_state WHERE list_name = @name", new { name = RefreshRun.Lists.Objects }));
        Assert.StartsWith("2031-05-06", await ScalarAsync<string>("SELECT CAST(last_read_utc AS VARCHAR(40)) FROM etl_list_state WHERE list_name = @name", new { name = RefreshRun.Lists.Objects }));
    }

    [Fact]
    public async Task ItemsSharingAKey_AreCountedToTheRecorder_EachWithAProblemNamingBoth_AndNoSpellingNote()
    {
        var runId = await EmptyRunAsync();

        // The second spells the first's key otherwise: read as the same key, so the two share it.
        var (result, shared, _) = await LoadAloneAsync(runId, Object("1", "OBJ-1", "a@nacka.se"), Object("2", "obj-1", "b@nacka.se"));

        Assert.Equal(2, shared);
        Assert.Equal(["1", "2"], result.Problems.Select(p => p.ItemId));
        Assert.All(result.Problems, p => Assert.StartsWith("ObjektId \"OBJ-1\" finns i 2 objekt (1, 2).", p.Message));
        Assert.EndsWith(" 2 objekt har en nyckel som ett annat objekt också har, och läses inte in.", result.Message);
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_problem WHERE run_id = @runId", new { runId }));
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
