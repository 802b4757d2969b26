using Dapper;
using NackaInsights.TestSupport;
using Npgsql;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// Power BI's account reads the pbi_* views and nothing else: PostgreSQL's reader role, live.
/// (The SQL Server scripts' grants are checked by parsing, in <see cref="SqlServerScriptFacts"/>.)
/// </summary>
public sealed class ReaderRoleFacts(PostgresCluster cluster)
{
    private const string ReaderRole = "nacka_insights_reader";

    [Fact]
    public async Task PostgresReaderRole_MaySelect_ExactlyThePbiViews_AndNoTable()
    {
        using var warehouse = await MigratedAsync();

        await AssertReaderMaySelectExactlyThePbiViewsAsync(warehouse);
    }

    /// <summary>A migration that recreates the views drops their grants with them: they must come back.</summary>
    [Fact]
    public async Task PostgresReaderRole_MaySelect_ExactlyThePbiViews_AfterAMigrationRecreatedThem()
    {
        using var warehouse = await MigratedAsync();
        var views = await SchemaCatalog.ViewDefinitionsAsync(warehouse.Database);

        await using (var owner = await warehouse.Database.OpenAsync(TestContext.Current.CancellationToken))
        {
            // Views created from other texts: the second migration drops and creates them all again.
            await owner.ExecuteAsync("UPDATE schema_version SET checksum_sha256 = @Checksum WHERE version = 0", new { Checksum = new string('0', 64) });
        }

        var second = await warehouse.Migrator().MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Empty(second.Applied);
        Assert.Equal(views, await SchemaCatalog.ViewDefinitionsAsync(warehouse.Database));
        await AssertReaderMaySelectExactlyThePbiViewsAsync(warehouse);
    }

    private static async Task AssertReaderMaySelectExactlyThePbiViewsAsync(PostgresTestWarehouse warehouse)
    {
        var pbiViews = (await SchemaCatalog.ReadAsync(warehouse.Database))
            .Where(o => o.Kind == SchemaObject.View && o.Name.StartsWith("pbi_", StringComparison.Ordinal))
            .Select(o => o.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        await using var connection = await warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);

        // Every relation, sequences included: what the role may read, however it came by the right.
        var readable = await connection.QueryAsync<string>(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND has_table_privilege(@Role, c.oid, 'SELECT')
            """,
            new { Role = ReaderRole });
        var granted = await connection.QueryAsync<(string Table, string Privilege)>(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = @Role AND table_schema = current_schema()",
            new { Role = ReaderRole });

        Assert.NotEmpty(pbiViews);
        Assert.Equal(pbiViews, readable.Order(StringComparer.Ordinal));
        Assert.Equal(pbiViews.Select(v => (v, "SELECT")), granted.OrderBy(g => g.Table, StringComparer.Ordinal).ThenBy(g => g.Privilege, StringComparer.Ordinal));
    }

    [Fact]
    public async Task PostgresLogin_InTheReaderRole_ReadsAPbiView_ButIsRefusedTheTableBehindIt()
    {
        using var warehouse = await MigratedAsync();
        await using (var owner = await warehouse.Database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await owner.ExecuteAsync("INSERT INTO etl_run (run_kind, started_at_utc, status) VALUES ('refresh', now() at time zone 'utc', 'Lyckad')");
        }
        var login = $"pbi_{Guid.NewGuid():N}";
        await AdminAsync($"CREATE ROLE {login} LOGIN IN ROLE {ReaderRole}");
        try
        {
            var asLogin = new NpgsqlConnectionStringBuilder(warehouse.Options.ConnectionString) { Username = login, Pooling = false };
            await using var reader = new NpgsqlConnection(asLogin.ConnectionString);
            await reader.OpenAsync(TestContext.Current.CancellationToken);

            var statuses = await reader.QueryAsync<string>("SELECT status FROM pbi_etl_run");
            var select = await Assert.ThrowsAsync<PostgresException>(() => reader.QueryAsync<string>("SELECT status FROM etl_run"));
            var insert = await Assert.ThrowsAsync<PostgresException>(() => reader.ExecuteAsync(
                "INSERT INTO pbi_etl_run (run_kind, started_at_utc, status) VALUES ('refresh', now(), 'Lyckad')"));

            Assert.Equal(["Lyckad"], statuses);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, select.SqlState);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState);
        }
        finally
        {
            await AdminAsync($"DROP ROLE {login}");
        }
    }

    [Fact]
    public async Task PostgresReaderRole_IsCreatedOnce_WhenSeveralDatabasesOfANewClusterMigrateAtOnce()
    {
        // Roles belong to the cluster, not to a database, and the migration lock is per database:
        // the first migrations of a cluster's databases race to create the role. A cluster of its
        // own, since the test run's cluster has the role already.
        var fresh = new PostgresCluster();
        await fresh.InitializeAsync();
        try
        {
            fresh.SkipIfUnavailable();
            var warehouses = new List<PostgresTestWarehouse>();
            for (var i = 0; i < 8; i++)
            {
                warehouses.Add(await PostgresTestWarehouse.CreateAsync(fresh));
            }

            var results = await Task.WhenAll(warehouses.Select(w => Task.Run(() => w.Migrator().MigrateAsync(TestContext.Current.CancellationToken))));

            Assert.All(results, r => Assert.NotEmpty(r.Applied));
            await using var admin = new NpgsqlConnection(fresh.AdminConnectionString);
            Assert.Equal(1, await admin.ExecuteScalarAsync<int>("SELECT count(*) FROM pg_roles WHERE rolname = @Role", new { Role = ReaderRole }));
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    private async Task<PostgresTestWarehouse> MigratedAsync()
    {
        var warehouse = await PostgresTestWarehouse.CreateAsync(cluster);
        await warehouse.MigratedAsync();
        return warehouse;
    }

    private async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(cluster.AdminConnectionString);
        await admin.OpenAsync(TestContext.Current.CancellationToken);
        await admin.ExecuteAsync(sql);
    }
}
