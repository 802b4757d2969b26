using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>The production migrator, on each database that can run here.</summary>
public abstract class SchemaMigratorFacts : IAsyncLifetime
{
    protected TestWarehouse Warehouse { get; private set; } = null!;

    protected abstract Task<TestWarehouse> CreateWarehouseAsync();

    public async ValueTask InitializeAsync() => Warehouse = await CreateWarehouseAsync();

    public ValueTask DisposeAsync()
    {
        Warehouse?.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Migrate_AppliesEveryVersionedScript_AndNothingTheSecondTime()
    {
        var versioned = SchemaMigrator.ScriptsFor(Warehouse.Database.Dialect).Where(s => s.Version > 0).ToList();

        var first = await Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken);
        var schemaAfterFirst = await SchemaCatalog.ReadAsync(Warehouse.Database);
        var recordedAfterFirst = await RecordedAsync();
        var second = await Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(versioned.Select(s => s.Name), first.Applied.Select(s => s.Name));
        Assert.Equal(versioned[^1].Version, first.CurrentVersion);
        Assert.Empty(second.Applied);
        Assert.Equal(first.CurrentVersion, second.CurrentVersion);
        Assert.Equal(versioned.Select(s => (s.Version, s.Checksum)), recordedAfterFirst);
        Assert.Equal(recordedAfterFirst, await RecordedAsync());
        Assert.Equivalent(schemaAfterFirst, await SchemaCatalog.ReadAsync(Warehouse.Database), strict: true);
    }

    [Fact]
    public async Task Migrate_RecordsWhenItAppliedEachScriptAndTheViews_AsItsTimeProviderTellsIt()
    {
        var at = new DateTimeOffset(2026, 3, 14, 9, 26, 53, 589, TimeSpan.Zero).AddTicks(7_931);
        var migrator = new SchemaMigrator(Warehouse.Database, Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance, new FixedTime(at));

        await migrator.MigrateAsync(TestContext.Current.CancellationToken);

        await using var connection = await Warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);
        var rows = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version");
        // Stored to the millisecond, as every time the warehouse keeps.
        var toTheMillisecond = Warehouse.Database.Dialect.Timestamp(new DateTime(2026, 3, 14, 9, 26, 53, 589, DateTimeKind.Utc));
        var recordedThen = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version WHERE applied_at_utc = @At", new { At = toTheMillisecond });
        Assert.True(rows > 1);
        Assert.Equal(rows, recordedThen);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Migrate_AppliesEachScriptOnce_WhenSeveralMigratorsStartOnANewDatabaseAtOnce()
    {
        var versioned = SchemaMigrator.ScriptsFor(Warehouse.Database.Dialect).Where(s => s.Version > 0).ToList();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)));

        Assert.Equal(versioned.Select(s => s.Name).Order(StringComparer.Ordinal), results.SelectMany(r => r.Applied).Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(versioned.Select(s => (s.Version, s.Checksum)), await RecordedAsync());
    }

    [Fact]
    public async Task Migrate_RefusesADatabase_WhereAnAppliedScriptHasSinceChanged()
    {
        await Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken);
        var changed = SchemaMigrator.ScriptsFor(Warehouse.Database.Dialect).First(s => s.Version > 0);
        await using (var connection = await Warehouse.Database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync(
                "UPDATE schema_version SET checksum_sha256 = @Checksum WHERE version = @Version",
                new { Checksum = new string('0', 64), changed.Version });
        }

        var refusal = await Assert.ThrowsAsync<SchemaMismatchException>(() => Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken));

        Assert.Contains(changed.Name, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_RefusesADatabase_ThatANewerProgramHasMigrated()
    {
        await Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken);
        var newest = SchemaMigrator.ScriptsFor(Warehouse.Database.Dialect)[^1];
        await using (var connection = await Warehouse.Database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, script_name, checksum_sha256, applied_at_utc) VALUES (@Version, 'from_the_future.sql', @Checksum, @At)",
                new { Version = newest.Version + 1, Checksum = new string('0', 64), At = Warehouse.Database.Dialect.Timestamp(DateTime.UtcNow) });
        }

        await Assert.ThrowsAsync<SchemaMismatchException>(() => Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Migrate_RecreatesEveryPbiView_FromItsText_AndDropsThoseNoTextDefines()
    {
        var ct = TestContext.Current.CancellationToken;
        await Warehouse.Migrator().MigrateAsync(ct);
        var installed = await SchemaCatalog.ViewDefinitionsAsync(Warehouse.Database);
        await using (var connection = await Warehouse.Database.OpenAsync(ct))
        {
            // A view changed by hand, and one of an earlier program that reads it (dropped first, or PostgreSQL refuses).
            await connection.ExecuteAsync("DROP VIEW pbi_dim_unit");
            await connection.ExecuteAsync("CREATE VIEW pbi_dim_unit AS SELECT 'changed by hand' AS unit");
            await connection.ExecuteAsync("CREATE VIEW pbi_no_longer_defined AS SELECT unit FROM pbi_dim_unit");
        }

        var second = await Warehouse.Migrator().MigrateAsync(ct);

        Assert.Empty(second.Applied);
        Assert.Equal(ViewCatalog.Embedded.Views.Select(v => v.Name).Order(StringComparer.Ordinal), installed.Keys);
        Assert.Equal(installed, await SchemaCatalog.ViewDefinitionsAsync(Warehouse.Database));
    }

    [Fact]
    public async Task Migrate_LeavesTheViewsAlone_WhenNoScriptIsPending_AndTheirTextsAreThoseTheyWereCreatedFrom()
    {
        var ct = TestContext.Current.CancellationToken;
        await Warehouse.Migrator().MigrateAsync(ct);
        var created = await ViewIdentityAsync();

        var second = await Warehouse.Migrator().MigrateAsync(ct);

        Assert.Empty(second.Applied);
        Assert.Equal(created, await ViewIdentityAsync());
        Assert.Equal(ViewCatalog.Embedded.Checksum(Warehouse.Database.Dialect), await RecordedViewsChecksumAsync());
    }

    [Fact]
    public async Task Migrate_RecreatesTheViews_WhenTheyWereCreatedFromOtherTexts()
    {
        var ct = TestContext.Current.CancellationToken;
        await Warehouse.Migrator().MigrateAsync(ct);
        var installed = await SchemaCatalog.ViewDefinitionsAsync(Warehouse.Database);
        var created = await ViewIdentityAsync();
        await using (var connection = await Warehouse.Database.OpenAsync(ct))
        {
            // As after an upgrade of the program whose sql/views/ changed a view.
            await connection.ExecuteAsync("UPDATE schema_version SET checksum_sha256 = @Checksum WHERE version = 0", new { Checksum = new string('0', 64) });
        }

        var second = await Warehouse.Migrator().MigrateAsync(ct);

        Assert.Empty(second.Applied);
        Assert.NotEqual(created, await ViewIdentityAsync());
        Assert.Equal(installed, await SchemaCatalog.ViewDefinitionsAsync(Warehouse.Database));
        Assert.Equal(ViewCatalog.Embedded.Checksum(Warehouse.Database.Dialect), await RecordedViewsChecksumAsync());
    }

    [Fact]
    public async Task Migrate_AcceptsADatabase_ThatRecordedAnEarlierTextOfAScript_BeforeItsViewsMovedToSqlViews()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await Warehouse.Migrator().MigrateAsync(ct);
        var (version, earlier) = SchemaMigrator.SupersededChecksumsFor(Warehouse.Database.Dialect).SelectMany(g => g.Select(c => (g.Key, c))).First();
        await using (var connection = await Warehouse.Database.OpenAsync(ct))
        {
            await connection.ExecuteAsync("UPDATE schema_version SET checksum_sha256 = @Checksum WHERE version = @Version", new { Checksum = earlier, Version = version });
        }

        var second = await Warehouse.Migrator().MigrateAsync(ct);

        Assert.Empty(second.Applied);
        Assert.Equal(first.CurrentVersion, second.CurrentVersion);
        Assert.Contains((version, earlier), await RecordedAsync());
    }

    [Fact]
    public void SupersededChecksums_EachNameAScriptOfThisDatabase_AndDifferFromItsTextToday()
    {
        var scripts = SchemaMigrator.ScriptsFor(Warehouse.Database.Dialect).Where(s => s.Version > 0).ToDictionary(s => s.Version);
        var superseded = SchemaMigrator.SupersededChecksumsFor(Warehouse.Database.Dialect);

        Assert.NotEmpty(superseded);
        Assert.All(superseded.SelectMany(g => g.Select(c => (Version: g.Key, Checksum: c))), entry =>
        {
            Assert.True(scripts.ContainsKey(entry.Version), $"No script has version {entry.Version}.");
            Assert.Matches("^[0-9a-f]{64}$", entry.Checksum);
            Assert.NotEqual(scripts[entry.Version].Checksum, entry.Checksum);
        });
    }

    [Fact]
    public async Task Migrate_IndexesTheKeyNoTwoCurrentItemsOfBedomningarOrProjektstatusMayShare()
    {
        await Warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken);

        // What ListSharedKeys groups each list by, and RunKeys reads the initiative ids of: by the index, not the table.
        Assert.Equal(["initiative_id", "criterion_code", "assessed_on"], await IndexColumnsAsync("stg_list_assessment", "ix_stg_list_assessment_key"));
        Assert.Equal(["initiative_id", "report_date"], await IndexColumnsAsync("stg_list_status", "ix_stg_list_status_key"));
    }

    private async Task<List<string>> IndexColumnsAsync(string table, string index)
    {
        await using var connection = await Warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);
        return (Warehouse.Options.Provider == WarehouseProvider.Sqlite
            ? await connection.QueryAsync<string>($"SELECT name FROM pragma_index_info('{index}') ORDER BY seqno")
            : await connection.QueryAsync<string>(
                """
                SELECT a.attname FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid AND c.relname = @index AND c.relnamespace = current_schema()::regnamespace
                JOIN pg_class t ON t.oid = i.indrelid AND t.relname = @table
                CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                ORDER BY k.n
                """, new { index, table })).ToList();
    }

    /// <summary>What changes when the views are dropped and created again: SQLite's schema cookie, PostgreSQL's view oids.</summary>
    private async Task<string> ViewIdentityAsync()
    {
        await using var connection = await Warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);
        return Warehouse.Options.Provider == WarehouseProvider.Sqlite
            ? (await connection.ExecuteScalarAsync<long>("PRAGMA schema_version")).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : await connection.ExecuteScalarAsync<string>(
                "SELECT string_agg(c.oid::text, ',' ORDER BY c.relname) FROM pg_class c WHERE c.relkind = 'v' AND c.relname LIKE 'pbi%' AND c.relnamespace = current_schema()::regnamespace") ?? "";
    }

    private async Task<string?> RecordedViewsChecksumAsync()
    {
        await using var connection = await Warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<string>("SELECT checksum_sha256 FROM schema_version WHERE version = 0");
    }

    private async Task<List<(int Version, string Checksum)>> RecordedAsync()
    {
        await using var connection = await Warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<(int, string)>("SELECT version, checksum_sha256 FROM schema_version WHERE version > 0 ORDER BY version")).ToList();
    }
}

public sealed class SqliteSchemaMigratorFacts : SchemaMigratorFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresSchemaMigratorFacts(PostgresCluster cluster) : SchemaMigratorFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
