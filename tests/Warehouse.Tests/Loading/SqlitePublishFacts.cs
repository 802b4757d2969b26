using Dapper;
using Microsoft.Data.Sqlite;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>
/// SQLite's publish: the COMMIT leaves the copy of the run's log into the database file (the checkpoint) to a connection
/// of its own, waited for as the run is disposed. The data is published at the COMMIT, and a process killed at any
/// point of that copy leaves the published run readable.
/// </summary>
public sealed class SqlitePublishFacts : WarehouseFacts
{
    private readonly TempDirectory _copies = new("nacka-publish");

    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    private string FilePath => ((SqliteTestWarehouse)Warehouse).FilePath;

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _copies.Dispose();
        return base.DisposeAsync();
    }

    private static BusinessCase Case(string id) => new(
        new InitiativeCard(id, $"Initiativ {id}", "Välfärd skola", "agare@nacka.se", "FO-1", ["MAXIMALT_VARDE"], "v1"),
        [2024, 2025, 2026],
        [new CostLine(2, "Införande", CostCategory.Investment, [new YearValue(2024, 100_000, "C2", "100000")])],
        [new BenefitLine(2, "Tid", BenefitType.Redistribution, [new YearValue(2026, 30_000, "D2", "30000")])],
        [new SourceAttribute("Initiativ-ID", id, "B1")]);

    private static SourceFile File(string name) => new(SourceKind.BusinessCase, name, WarehouseBuilders.Sha(name), 1_000, DateTime.UtcNow);

    private static async Task<RefreshRun> CompletedRunAsync(TestWarehouse warehouse, params string[] ids)
    {
        var run = await warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        foreach (var id in ids)
        {
            await run.AddBusinessCaseAsync(File($"{id}.xlsx"), Case(id), Ct);
        }
        Assert.True((await run.CompleteAsync(Ct)).Succeeded);
        return run;
    }

    /// <summary>The warehouse as a process that died would have left it: the given database file and log, no shared memory.</summary>
    private WarehouseDatabase Left(string name, string database, string log)
    {
        var path = _copies.File($"{name}.db");
        System.IO.File.Copy(database, path);
        System.IO.File.Copy(log, path + "-wal");
        return new WarehouseDatabase(WarehouseOptions.ForSqliteFile(path));
    }

    private static Task<SortedDictionary<string, List<string>>> ViewsAsync(WarehouseDatabase database) =>
        ViewSnapshot.ReadAsync(database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

    [Fact]
    public async Task APublishedRun_IsInTheDatabaseFileItself_OnceTheRunIsDisposed()
    {
        await (await CompletedRunAsync(Warehouse, "DIG-A", "DIG-B")).DisposeAsync();

        // The file alone, without its log: what the checkpoint copied.
        var path = _copies.File("file-alone.db");
        System.IO.File.Copy(FilePath, path);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync(Ct);
        Assert.Equal(["DIG-A", "DIG-B"], await connection.QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
    }

    [Fact]
    public async Task APublishedRun_IsSeenByANewReader_AtOnce()
    {
        await using var run = await CompletedRunAsync(Warehouse, "DIG-A");

        await using var reader = new SqliteConnection($"Data Source={FilePath};Pooling=false");
        await reader.OpenAsync(Ct);
        Assert.Equal(["DIG-A"], await reader.QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative"));
    }

    [Fact]
    public async Task AProcessKilledBeforeOrDuringTheCheckpoint_LeavesThePublishedRunReadable_AndTheNextRunCompletes()
    {
        await (await CompletedRunAsync(Warehouse, "DIG-A")).DisposeAsync();
        var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        // The database file as the run's transaction found it; nothing is copied into it until the run has committed.
        var before = _copies.File("before.db");
        System.IO.File.Copy(FilePath, before);
        await run.AddBusinessCaseAsync(File("DIG-B.xlsx"), Case("DIG-B"), Ct);
        Assert.True((await run.CompleteAsync(Ct)).Succeeded);
        // The log as the COMMIT left it: the checkpoint only reads it.
        var log = _copies.File("at-commit.db-wal");
        System.IO.File.Copy(FilePath + "-wal", log);
        await run.DisposeAsync();
        var published = await ViewsAsync(Warehouse.Database);
        Assert.Contains(published["pbi_dim_initiative"], row => row.Contains("DIG-B", StringComparison.Ordinal));

        // Killed before the checkpoint wrote a page, and after it wrote them all but before the log was let go of: any
        // page in between is the log's, which a reader takes over the file's.
        foreach (var (name, database) in new[] { ("before-checkpoint", before), ("after-checkpoint", FilePath) })
        {
            var left = Left(name, database, log);
            Assert.Equal(published, await ViewsAsync(left));
            await using (var connection = await left.OpenAsync(Ct))
            {
                Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
            }
            await using var next = await new WarehouseLoader(left, Warehouse.Calculation, Warehouse.Evaluation, Warehouse.Actuals, Warehouse.Index, Warehouse.Access,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<WarehouseLoader>.Instance).StartRunAsync("test", null, ct: Ct);
            await next.AddBusinessCaseAsync(File("DIG-C.xlsx"), Case("DIG-C"), Ct);
            Assert.True((await next.CompleteAsync(Ct)).Succeeded);
        }
    }

    [Fact]
    public async Task AReaderHoldingTheStateBeforeARun_KeepsIt_WhileTheRunPublishes()
    {
        await (await CompletedRunAsync(Warehouse, "DIG-A")).DisposeAsync();
        await using var reader = new SqliteConnection($"Data Source={FilePath};Pooling=false");
        await reader.OpenAsync(Ct);
        // Deferred: a reader's snapshot, taken at its first read, not Microsoft.Data.Sqlite's default write lock.
        await using var snapshot = reader.BeginTransaction(deferred: true);
        Assert.Equal(1L, await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative", transaction: snapshot));

        // The checkpoint waits for no reader: it copies what it can, the rest stays in the log.
        await (await CompletedRunAsync(Warehouse, "DIG-B")).DisposeAsync();

        Assert.Equal(1L, await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative", transaction: snapshot));
        await snapshot.CommitAsync(Ct);
        Assert.Equal(2L, await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative"));
    }

    [Fact]
    public async Task TheRunsConnections_GoBackToThePool_WithSqlitesAutoCheckpointOn()
    {
        await (await CompletedRunAsync(Warehouse, "DIG-A")).DisposeAsync();

        // More connections at once than the run and its checkpoint left in the pool: each of theirs is among them.
        var connections = new List<System.Data.Common.DbConnection>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                connections.Add(await Warehouse.Database.OpenAsync(Ct));
            }
            foreach (var connection in connections)
            {
                Assert.Equal(1000L, await connection.ExecuteScalarAsync<long>("PRAGMA wal_autocheckpoint"));
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
