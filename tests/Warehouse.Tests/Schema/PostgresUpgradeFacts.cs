using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// A PostgreSQL warehouse made before the redesign (issue 15) upgrades with migrate: the scripts of main at
/// schema version 10, views and grants in them (Fixtures/postgres-scripts-schema-v10), applied and recorded
/// as main's migrator did, then migrated with the current code.
/// </summary>
public sealed class PostgresUpgradeFacts(PostgresCluster cluster)
{
    private const string ReaderRole = WarehouseDialect.ReaderRole;

    [Fact]
    public async Task Migrate_UpgradesAWarehouseMadeByThePreRedesignScripts_AndEndsWithTheViewsAndGrantsOfAFreshInstall()
    {
        var ct = TestContext.Current.CancellationToken;
        using var old = await PostgresTestWarehouse.CreateAsync(cluster);
        var recorded = await ApplyPreRedesignScriptsAsync(old.Database);
        await using (var connection = await old.Database.OpenAsync(ct))
        {
            await connection.ExecuteAsync("INSERT INTO etl_run (run_kind, started_at_utc, status) VALUES ('refresh', now() at time zone 'utc', 'Lyckad')");
        }
        using var fresh = await PostgresTestWarehouse.CreateAsync(cluster);
        await fresh.MigratedAsync();

        var result = await new SchemaMigrator(old.Database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);

        // The earlier texts of the scripts whose views moved out: their checksums are the superseded ones.
        var current = SchemaMigrator.ScriptsFor(old.Database.Dialect).ToDictionary(s => s.Version, s => s.Checksum);
        var superseded = SchemaMigrator.SupersededChecksumsFor(old.Database.Dialect);
        Assert.Equal(superseded.SelectMany(g => g.Select(c => (g.Key, c))).Order(), recorded.Where(r => r.Checksum != current[r.Version]).Order());
        Assert.NotEmpty(await ReaderGrantsAsync(fresh.Database));
        // Only the scripts after version 10 are applied; what version 10 recorded stays as it was.
        Assert.Equal(SchemaMigrator.ScriptsFor(old.Database.Dialect).Where(s => s.Version > 10).Select(s => s.Version), result.Applied.Select(a => a.Version));
        Assert.Equal(SchemaMigrator.ScriptsFor(old.Database.Dialect)[^1].Version, result.CurrentVersion);
        Assert.Equal(recorded, (await RecordedAsync(old.Database)).Where(r => r.Version <= 10));
        Assert.Equal(await SchemaCatalog.ViewDefinitionsAsync(fresh.Database), await SchemaCatalog.ViewDefinitionsAsync(old.Database));
        Assert.Equivalent(await SchemaCatalog.ReadAsync(fresh.Database), await SchemaCatalog.ReadAsync(old.Database), strict: true);
        Assert.Equal(await ReaderGrantsAsync(fresh.Database), await ReaderGrantsAsync(old.Database));
        await using (var connection = await old.Database.OpenAsync(ct))
        {
            Assert.Equal(["Lyckad"], await connection.QueryAsync<string>("SELECT status FROM pbi_etl_run"));
        }
    }

    /// <summary>What main's migrator did: the bootstrap, then each script in its own transaction, recorded with its checksum.</summary>
    private static async Task<List<(int Version, string Checksum)>> ApplyPreRedesignScriptsAsync(WarehouseDatabase database)
    {
        var folder = Path.Combine(RepositoryScripts.Root, "tests", "Warehouse.Tests", "Fixtures", "postgres-scripts-schema-v10");
        var scripts = Directory.EnumerateFiles(folder, "*.sql").Order(StringComparer.Ordinal)
            .Select(path => new SchemaScript(int.Parse(Path.GetFileName(path)[..3], System.Globalization.CultureInfo.InvariantCulture), Path.GetFileName(path), File.ReadAllText(path)))
            .ToList();
        Assert.Equal(11, scripts.Count);
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(scripts[0].Sql);
        foreach (var script in scripts.Skip(1))
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(script.Sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO schema_version (version, script_name, checksum_sha256, applied_at_utc) VALUES (@Version, @Name, @Checksum, now() at time zone 'utc')",
                new { script.Version, script.Name, script.Checksum }, transaction);
            await transaction.CommitAsync();
        }
        return await RecordedAsync(database);
    }

    private static async Task<List<(int Version, string Checksum)>> RecordedAsync(WarehouseDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<(int, string)>("SELECT version, checksum_sha256 FROM schema_version WHERE version > 0 ORDER BY version")).ToList();
    }

    private static async Task<List<(string Table, string Privilege)>> ReaderGrantsAsync(WarehouseDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<(string, string)>(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = @Role AND table_schema = current_schema() ORDER BY table_name, privilege_type",
            new { Role = ReaderRole })).ToList();
    }
}
