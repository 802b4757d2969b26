using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>
/// A file found unchanged again has its one <c>Oförändrad</c> row brought up to date, by runs of consecutive ids: those
/// of the files this run saw, and no other row, whether their ids run unbroken or not.
/// </summary>
public abstract class SightingFacts : WarehouseFacts
{
    private static readonly SourceFile[] Files = [CaseFile("DIG-1", "v1"), CaseFile("DIG-2", "v1"), CaseFile("DIG-3", "v1")];

    private long _loadRunId;

    private long _firstSightingRunId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _loadRunId = (await RunAsync(async run =>
        {
            await run.AddBusinessCaseAsync(Files[0], Dig1(), Ct);
            await run.AddBusinessCaseAsync(Files[1], Dig2(), Ct);
            await run.AddBusinessCaseAsync(Files[2], Dig3(), Ct);
        })).RunId;
        // Each file's first sighting: a row of its own, their ids consecutive.
        _firstSightingRunId = (await SeeAsync(Files)).RunId;
    }

    [Fact]
    public async Task SightingsWithAGapBetweenThem_AreBroughtUpToDate_AndTheFileNotSeenKeepsItsRun()
    {
        var third = await SeeAsync(Files[0], Files[2]);

        Assert.Equal(
            [
                ("DIG-1", FileStatus.Loaded, _loadRunId), ("DIG-2", FileStatus.Loaded, _loadRunId), ("DIG-3", FileStatus.Loaded, _loadRunId),
                ("DIG-1", FileStatus.Unchanged, third.RunId), ("DIG-2", FileStatus.Unchanged, _firstSightingRunId), ("DIG-3", FileStatus.Unchanged, third.RunId),
            ],
            await RowsAsync());
    }

    [Fact]
    public async Task SightingsOfConsecutiveIds_AreAllBroughtUpToDate_AndNoLoadedRowIs()
    {
        var third = await SeeAsync(Files);
        var fourth = await SeeAsync(Files[2], Files[1], Files[0]);

        Assert.NotEqual(third.RunId, fourth.RunId);
        Assert.Equal(
            [
                ("DIG-1", FileStatus.Loaded, _loadRunId), ("DIG-2", FileStatus.Loaded, _loadRunId), ("DIG-3", FileStatus.Loaded, _loadRunId),
                ("DIG-1", FileStatus.Unchanged, fourth.RunId), ("DIG-2", FileStatus.Unchanged, fourth.RunId), ("DIG-3", FileStatus.Unchanged, fourth.RunId),
            ],
            await RowsAsync());
    }

    [Theory]
    [InlineData(new long[] { }, "")]
    [InlineData(new long[] { 7 }, "7-7")]
    [InlineData(new long[] { 9, 7, 8, 8 }, "7-9")]
    [InlineData(new long[] { 4, 6, 7, 10, 1 }, "1-1 4-4 6-7 10-10")]
    public void IdsAreTakenAsRunsOfConsecutiveIds_EachIdInExactlyOne(long[] ids, string expected)
    {
        Assert.Equal(expected, string.Join(" ", RefreshRun.ConsecutiveRuns(ids).Select(r => $"{r.First}-{r.Last}")));
    }

    private async Task<List<(string, string, long)>> RowsAsync() =>
        (await QueryAsync<(string Name, string Status, long RunId)>("SELECT file_name, status, run_id FROM etl_file ORDER BY file_id"))
        .Select(r => (r.Name.Replace("business-cases/", "").Replace(".xlsx", ""), r.Status, r.RunId))
        .ToList();

    private Task<RunResult> SeeAsync(params SourceFile[] files) => RunAsync(async run =>
    {
        foreach (var file in files)
        {
            Assert.True(run.IsUnchanged(file), file.Name);
            await run.AddUnchangedAsync(file, Ct);
        }
    });
}

public sealed class SqliteSightingFacts : SightingFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresSightingFacts(PostgresCluster cluster) : SightingFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
