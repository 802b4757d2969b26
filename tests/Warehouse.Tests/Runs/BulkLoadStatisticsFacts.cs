using System.Data.Common;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>
/// The planner's statistics of what a run bulk-loads, taken again inside the run's transaction where the database plans
/// by them (<see cref="RunTransaction.AnalyzeBulkLoadsAsync"/>): PostgreSQL's autovacuum never sees a run's uncommitted
/// rows, so the marts and checks after a first full load were planned for empty tables.
/// </summary>
public abstract class BulkLoadStatisticsFacts : WarehouseFacts
{
    private static readonly BulkTable Probe = new("statistics_probe", new BulkColumn("id", ColumnType.Int32), new BulkColumn("name", ColumnType.Text));

    /// <summary>Loads <paramref name="rows"/> rows into a new table in one transaction, analyses the run's bulk loads, and says what the planner then estimates.</summary>
    private async Task<double?> EstimateAfterLoadAsync(int rows)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE statistics_probe (id integer NOT NULL, name text NULL)", transaction: transaction);
        var sql = new RunTransaction(Warehouse.Database, connection, transaction);
        await sql.InsertAsync(Probe, [.. Enumerable.Range(1, rows).Select(i => new object?[] { i, $"rad {i}" })], Ct);

        await sql.AnalyzeBulkLoadsAsync(Ct);

        var estimate = await EstimateAsync(connection, transaction);
        await transaction.RollbackAsync(Ct);
        return estimate;
    }

    /// <summary>The planner's row count of the probe table as the database keeps it, or null where it keeps none.</summary>
    protected abstract Task<double?> EstimateAsync(DbConnection connection, DbTransaction transaction);

    [Fact]
    public async Task ATableARunLoadedThousandsOfRowsInto_IsPlannedForThoseRows_BeforeTheRunCommits()
    {
        var estimate = await EstimateAfterLoadAsync(5_000);

        AssertPlannedFor(5_000, estimate);
    }

    [Fact]
    public async Task ASmallLoad_LeavesTheStatisticsAsTheyWere()
    {
        var estimate = await EstimateAfterLoadAsync(RunTransaction.AnalyzeThreshold - 1);

        AssertNotAnalysed(estimate);
    }

    protected abstract void AssertPlannedFor(int rows, double? estimate);

    protected abstract void AssertNotAnalysed(double? estimate);
}

public sealed class PostgresBulkLoadStatisticsFacts(PostgresCluster cluster) : BulkLoadStatisticsFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    // reltuples is -1 for a table never analysed (PostgreSQL 14 and later), and what ANALYZE counted after.
    protected override Task<double?> EstimateAsync(DbConnection connection, DbTransaction transaction) =>
        connection.ExecuteScalarAsync<double?>("SELECT reltuples::float8 FROM pg_class WHERE relname = 'statistics_probe'", transaction: transaction);

    protected override void AssertPlannedFor(int rows, double? estimate) => Assert.Equal(rows, estimate);

    protected override void AssertNotAnalysed(double? estimate) => Assert.Equal(-1, estimate);

    [Fact]
    public async Task TheRunsStatistics_AreTakenAtTheRunsLowTarget_AndTheSessionKeepsItsOwnAfterwards()
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE statistics_probe (id integer NOT NULL, name text NULL)", transaction: transaction);
        var sql = new RunTransaction(Warehouse.Database, connection, transaction);
        await sql.InsertAsync(new BulkTable("statistics_probe", new BulkColumn("id", ColumnType.Int32), new BulkColumn("name", ColumnType.Text)),
            [.. Enumerable.Range(1, 5_000).Select(i => new object?[] { i, $"rad {i}" })], Ct);

        await sql.AnalyzeBulkLoadsAsync(Ct);

        // 5,000 distinct ids: the histogram has a bound per bucket and one more, as many buckets as the target says.
        var bounds = await connection.ExecuteScalarAsync<int>(
            "SELECT cardinality(histogram_bounds::text::int[]) FROM pg_stats WHERE tablename = 'statistics_probe' AND attname = 'id'", transaction: transaction);
        Assert.Equal(PostgresDialect.RunStatisticsTarget + 1, bounds);
        await transaction.RollbackAsync(Ct);
        Assert.Equal("100", await connection.ExecuteScalarAsync<string>("SHOW default_statistics_target"));
    }
}

public sealed class SqliteBulkLoadStatisticsFacts : BulkLoadStatisticsFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    // SQLite plans without statistics unless ANALYZE is asked for; it is not, so none are written.
    protected override async Task<double?> EstimateAsync(DbConnection connection, DbTransaction transaction) =>
        await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'", transaction: transaction) == 0 ? null : 0;

    protected override void AssertPlannedFor(int rows, double? estimate) => Assert.Null(estimate);

    protected override void AssertNotAnalysed(double? estimate) => Assert.Null(estimate);
}
