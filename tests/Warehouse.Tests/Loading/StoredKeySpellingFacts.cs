using Microsoft.Extensions.Logging;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>
/// A run spells each key a source names as the warehouse stores it. Every stored spelling is read once in a warehouse's
/// life, by the first run (which folds a warehouse loaded before keys were folded to one spelling of each, and records it
/// in <c>etl_key_fold</c>); after it, a run looks a key up exactly in its dimension, and reads every stored spelling only
/// when the key is not found there.
/// </summary>
public abstract class StoredKeySpellingFacts : WarehouseFacts
{
    private const string ReadEverySpelling = "read every stored spelling of the keys";

    private readonly CapturingLogger<WarehouseLoader> _log = new();

    private static SourceFile File(string name) => new(SourceKind.BusinessCase, name, Sha(name), 1_000, DateTime.UtcNow);

    /// <summary>A run of a loader that logs into this class's log; what it logged is returned with its result.</summary>
    private async Task<(RunResult Result, List<string> Log)> RunLoggedAsync(Func<RefreshRun, Task>? work = null)
    {
        var before = _log.Entries.Count;
        var loader = new WarehouseLoader(Warehouse.Database, Warehouse.Calculation, Warehouse.Evaluation, Warehouse.Actuals, Warehouse.Index, Warehouse.Access, _log);
        await using var run = await loader.StartRunAsync("test", null, ct: Ct);
        if (work is not null)
        {
            await work(run);
        }
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        return (result, _log.Entries.Skip(before).Where(e => e.Level >= LogLevel.Debug).Select(e => e.Message).ToList());
    }

    private static bool ReadEvery(List<string> log) => log.Any(m => m.Contains(ReadEverySpelling, StringComparison.Ordinal));

    private async Task<long> LoadedAsync()
    {
        var (first, log) = await RunLoggedAsync(async run =>
        {
            await AddListsAsync(run);
            await run.AddBusinessCaseAsync(File("dig-1.xlsx"), Dig1(), Ct);
        });
        Assert.True(ReadEvery(log));
        return first.RunId;
    }

    [Fact]
    public async Task TheFirstRun_ReadsEveryStoredSpelling_AndRecordsIt_Once()
    {
        var first = await LoadedAsync();

        var (_, log) = await RunLoggedAsync();

        Assert.Equal([first], await QueryAsync<long>("SELECT run_id FROM etl_key_fold"));
        Assert.False(ReadEvery(log));
    }

    [Fact]
    public async Task ABusinessCase_NamingStoredKeysAsTheyAreSpelled_IsLoaded_WithoutReadingEveryStoredSpelling()
    {
        await LoadedAsync();

        var (result, log) = await RunLoggedAsync(run => run.AddBusinessCaseAsync(File("dig-1 v2.xlsx"), Dig1(2m, "v2"), Ct));

        Assert.False(ReadEvery(log));
        Assert.Equal([FileStatus.Loaded], result.Files.Select(f => f.Status));
        Assert.Equal("v2", await ScalarAsync<string>("SELECT version_label FROM pbi_fct_business_case WHERE initiative_id = 'DIG-1'"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_problem WHERE run_id = @RunId", new { result.RunId }));
    }

    [Fact]
    public async Task ABusinessCase_NamingAStoredKeyOtherwise_IsSpelledAsStored_FromEveryStoredSpelling()
    {
        await LoadedAsync();

        var (result, log) = await RunLoggedAsync(run => run.AddBusinessCaseAsync(File("dig-1 v2.xlsx"),
            Case("dig-1", "VÄLFÄRD SKOLA", "obj-1", 2023, 2025, "v2", ["MAXIMALT_VARDE"]), Ct));

        Assert.True(ReadEvery(log));
        Assert.Equal(["DIG-1"], await QueryAsync<string>("SELECT initiative_id FROM fct_business_case_version WHERE version_label = 'v2'"));
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT unit FROM fct_business_case_version WHERE version_label = 'v2'"));
        Assert.Equal(["OBJ-1"], await QueryAsync<string>("SELECT object_id FROM fct_business_case_version WHERE version_label = 'v2'"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_problem WHERE run_id = @RunId AND message LIKE '%läses som%'", new { result.RunId }));
    }

    [Fact]
    public async Task AKeyStoredOnlyOutsideItsDimension_IsSpelledAsStored()
    {
        // DIG-N is assessed and reported on in the lists, but is in no register: not in the initiative dimension.
        await LoadedAsync();
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM dim_initiative WHERE initiative_id = 'DIG-N'"));

        var (_, log) = await RunLoggedAsync(run => run.AddBusinessCaseAsync(File("dig-n.xlsx"),
            Case("dig-n", "Välfärd skola", "OBJ-1", 2024, 2026, "v1", []), Ct));

        Assert.True(ReadEvery(log));
        Assert.Equal(["DIG-N"], await QueryAsync<string>("SELECT initiative_id FROM fct_business_case_version WHERE version_label = 'v1' AND initiative_id <> 'DIG-1'"));
    }

    [Fact]
    public async Task AnUpgradedWarehouse_WithoutTheRecord_HasItsSpellingsFolded_ByItsFirstRun_GivenNoSource()
    {
        await LoadedAsync();
        // What a warehouse loaded before keys were folded may hold, and, upgraded to schema version 21, no record of a fold.
        await ExecuteAsync("UPDATE fct_business_case_version SET unit = 'VÄLFÄRD SKOLA' WHERE initiative_id = 'DIG-1'");
        await ExecuteAsync("DELETE FROM etl_key_fold");

        var (result, log) = await RunLoggedAsync();

        Assert.True(ReadEvery(log));
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT DISTINCT unit FROM fct_business_case_version WHERE initiative_id = 'DIG-1'"));
        Assert.Equal([result.RunId], await QueryAsync<long>("SELECT run_id FROM etl_key_fold"));
    }
}

public sealed class SqliteStoredKeySpellingFacts : StoredKeySpellingFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresStoredKeySpellingFacts(PostgresCluster cluster) : StoredKeySpellingFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
