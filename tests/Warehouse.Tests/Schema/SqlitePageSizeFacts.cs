using Microsoft.Data.Sqlite;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// A new SQLite warehouse is created with 16 KiB pages (sql/sqlite/000_schema_version.sql); one created before keeps its
/// pages until an operator moves it over with the VACUUM the operator guide gives, and migrates either way.
/// </summary>
public sealed class SqlitePageSizeFacts : IDisposable
{
    private const long NewPageSize = 16384;

    private readonly SqliteTestWarehouse _warehouse = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _warehouse.Dispose();

    [Fact]
    public async Task Migrate_CreatesANewWarehouse_WithPagesOf16KiB_InWriteAheadLogging()
    {
        await _warehouse.Migrator().MigrateAsync(Ct);

        Assert.Equal(NewPageSize, await PragmaAsync("page_size"));
        Assert.Equal("wal", await PragmaAsync("journal_mode"));
    }

    [Fact]
    public async Task Migrate_KeepsThePagesOfAWarehouseCreatedBefore_AndBringsItUpToDate()
    {
        await ExecuteAsync("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE kept (n INTEGER NOT NULL); INSERT INTO kept (n) VALUES (1), (2), (3);");

        var migrated = await _warehouse.Migrator().MigrateAsync(Ct);

        Assert.Equal(4096L, await PragmaAsync("page_size"));
        Assert.Equal("wal", await PragmaAsync("journal_mode"));
        Assert.Equal(SchemaMigrator.ScriptsFor(SqliteDialect.Instance).Max(s => s.Version), migrated.CurrentVersion);
        Assert.Equal(6L, await ScalarAsync("SELECT SUM(n) FROM kept"));
    }

    [Fact]
    public async Task TheOperatorGuidesVacuum_MovesAWarehouseCreatedBeforeTo16KiBPages_WithEverythingInIt()
    {
        await ExecuteAsync("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;");
        await _warehouse.Migrator().MigrateAsync(Ct);
        await ExecuteAsync("CREATE TABLE kept (n INTEGER NOT NULL); INSERT INTO kept (n) VALUES (1), (2), (3);");
        var versions = await ScalarAsync("SELECT COUNT(*) FROM schema_version");
        Assert.Equal(4096L, await PragmaAsync("page_size"));

        // As docs/operator-guide.md gives it, with no process holding the warehouse open: no pooled connection either.
        SqliteConnection.ClearAllPools();
        await ExecuteAsync("PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL;");
        var again = await _warehouse.Migrator().MigrateAsync(Ct);

        Assert.Equal(NewPageSize, await PragmaAsync("page_size"));
        Assert.Equal("wal", await PragmaAsync("journal_mode"));
        Assert.Empty(again.Applied);
        Assert.Equal(versions, await ScalarAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.Equal(6L, await ScalarAsync("SELECT SUM(n) FROM kept"));
    }

    private Task ExecuteAsync(string sql) => OnCommandAsync(sql, command => command.ExecuteNonQueryAsync(Ct));

    private Task<object?> ScalarAsync(string sql) => OnCommandAsync(sql, command => command.ExecuteScalarAsync(Ct));

    /// <summary>On a connection of its own, as a process of its own would.</summary>
    private async Task<T> OnCommandAsync<T>(string sql, Func<SqliteCommand, Task<T>> run)
    {
        await using var connection = new SqliteConnection(_warehouse.Options.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await run(command);
    }

    private Task<object?> PragmaAsync(string pragma) => ScalarAsync("PRAGMA " + pragma);
}
