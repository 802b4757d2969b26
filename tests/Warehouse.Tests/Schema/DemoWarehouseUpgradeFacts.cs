using System.Globalization;
using System.IO.Compression;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// A warehouse made before the redesign (issue 15) upgrades with migrate and keeps its data: the demo's SQLite
/// warehouse at schema version 10 (Fixtures/README.md), its views then still created by the versioned scripts.
/// </summary>
public sealed class DemoWarehouseUpgradeFacts : IDisposable
{
    private const string Fixture = "demo-warehouse-schema-v10.db.gz";

    private readonly TempDirectory _directory = new("nacka-upgrade");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public async Task Migrate_UpgradesTheDemoWarehouseOfSchemaVersion10_KeepingEveryRow_AndEndsWithTheViewsOfAFreshInstall()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = new WarehouseDatabase(WarehouseOptions.ForSqliteFile(Decompressed()));
        var tablesBefore = await RowCountsAsync(database);
        var listStatesBefore = await ListStatesAsync(database);
        var scriptsBefore = await AppliedScriptsAsync(database);
        var viewsBefore = await ViewRowsAsync(database);
        using var fresh = new SqliteTestWarehouse();
        await fresh.MigratedAsync();

        // What `nacka-insights migrate` runs.
        var result = await new SchemaMigrator(database, NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);

        Assert.Equal(SchemaMigrator.ScriptsFor(database.Dialect)[^1].Version, result.CurrentVersion);
        Assert.Contains(tablesBefore, t => t.Value > 0);
        // Every table keeps its rows; a table a later script adds starts empty, to be filled by the next run.
        var tablesAfter = await RowCountsAsync(database);
        Assert.Equal(tablesBefore, new SortedDictionary<string, long>(tablesAfter.Where(t => tablesBefore.ContainsKey(t.Key)).ToDictionary(), StringComparer.Ordinal));
        Assert.All(tablesAfter.Where(t => !tablesBefore.ContainsKey(t.Key)), t => Assert.Equal(0, t.Value));
        // schema_version keeps what it recorded and gains the scripts after version 10 (and the views' row, version 0).
        var scriptsAfter = await AppliedScriptsAsync(database);
        Assert.Equal(scriptsBefore, scriptsAfter.Where(s => s.Version <= 10));
        Assert.Equal(SchemaMigrator.ScriptsFor(database.Dialect).Where(s => s.Version > 10).Select(s => s.Version), scriptsAfter.Where(s => s.Version > 10).Select(s => s.Version));
        // Version 11 has the list Initiativ read whole once more, for its items' createdDateTime; the other lists read on as before.
        Assert.Contains(listStatesBefore, l => l.ListName == "Initiativ" && (l.DeltaLink ?? l.ContentSha256) is not null);
        Assert.Equal(listStatesBefore.Select(l => l.ListName == "Initiativ" ? l with { DeltaLink = null, ContentSha256 = null } : l), await ListStatesAsync(database));
        Assert.Contains(viewsBefore, v => v.Value.Count > 0);
        // Every view of version 10 shows the same rows; a view added since is there, as in a fresh install.
        // (A column added since, such as the range of pbi_fct_business_case of version 12, is left out: it is filled by the next run.)
        var viewsAfter = await ViewRowsAsync(database, ColumnsOf(viewsBefore));
        Assert.Equal(ViewCatalog.Embedded.Views.Count, viewsAfter.Count);
        Assert.Equal(viewsBefore, new SortedDictionary<string, List<string>>(viewsAfter.Where(v => viewsBefore.ContainsKey(v.Key)).ToDictionary(), StringComparer.Ordinal));
        Assert.Equal(await SchemaCatalog.ViewDefinitionsAsync(fresh.Database), await SchemaCatalog.ViewDefinitionsAsync(database));
        Assert.Equivalent(await SchemaCatalog.ReadAsync(fresh.Database), await SchemaCatalog.ReadAsync(database), strict: true);

        // The next run, given nothing to load, builds what version 12 added for the business cases already there: every
        // current business case gets its range, every SEK line its row of the sensitivity.
        var loader = new WarehouseLoader(database, new CalculationOptions(), new EvaluationOptions(), new ActualsOptions(), new IndexOptions(), new AccessOptions(),
            NullLogger<WarehouseLoader>.Instance);
        await using (var run = await loader.StartRunAsync("test", null, ct: ct))
        {
            var next = await run.CompleteAsync(ct);
            Assert.True(next.Succeeded, next.Message);
        }
        await using var connection = await database.OpenAsync(ct);
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case") > 0);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case WHERE npv_pessimistic_sek IS NULL OR npv_optimistic_sek IS NULL"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM pbi_fct_business_case_line l WHERE l.category <> 'Förflyttning'
              AND NOT EXISTS (SELECT 1 FROM pbi_fct_business_case_sensitivity s WHERE s.initiative_id = l.initiative_id AND s.line_name = l.line_name)
            """));
    }

    /// <summary>The columns each view's rows name (<see cref="ViewRowsAsync"/>), by view.</summary>
    private static Dictionary<string, HashSet<string>> ColumnsOf(SortedDictionary<string, List<string>> views) =>
        views.Where(v => v.Value.Count > 0).ToDictionary(
            v => v.Key,
            v => v.Value[0].Split(" | ").Select(c => c[..c.IndexOf('=', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);

    private string Decompressed()
    {
        var path = _directory.File("nacka-insights.db");
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(RepositoryScripts.Root, "tests", "Warehouse.Tests", "Fixtures", Fixture)), CompressionMode.Decompress);
        using var file = File.Create(path);
        gzip.CopyTo(file);
        return path;
    }

    private static async Task<SortedDictionary<string, long>> RowCountsAsync(WarehouseDatabase database)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync();
        foreach (var table in (await SchemaCatalog.ReadAsync(database)).Where(o => o.Kind == SchemaObject.Table && o.Name != "schema_version"))
        {
            counts[table.Name] = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{table.Name}\"");
        }
        return counts;
    }

    private static async Task<List<(int Version, string Name, string Checksum)>> AppliedScriptsAsync(WarehouseDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<(int, string, string)>("SELECT version, script_name, checksum_sha256 FROM schema_version WHERE version > 0 ORDER BY version")).ToList();
    }

    private sealed record ListState(string ListName, string? DeltaLink, string? ContentSha256);

    private static async Task<List<ListState>> ListStatesAsync(WarehouseDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<(string, string?, string?)>("SELECT list_name, delta_link, content_sha256 FROM etl_list_state ORDER BY list_name"))
            .Select(r => new ListState(r.Item1, r.Item2, r.Item3)).ToList();
    }

    /// <summary>Each pbi_* view's rows, exactly as stored (type and value), sorted: row order is no part of a view.</summary>
    /// <param name="columnsOf">When given, the columns kept of each view it names.</param>
    private static async Task<SortedDictionary<string, List<string>>> ViewRowsAsync(WarehouseDatabase database, IReadOnlyDictionary<string, HashSet<string>>? columnsOf = null)
    {
        var views = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync();
        foreach (var view in (await SchemaCatalog.ReadAsync(database)).Where(o => o.Kind == SchemaObject.View && o.Name.StartsWith("pbi_", StringComparison.Ordinal)))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {view.Name}";
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                var kept = columnsOf?.GetValueOrDefault(view.Name);
                rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Where(i => kept is null || kept.Contains(reader.GetName(i))).Select(i =>
                {
                    var value = reader.GetValue(i);
                    return $"{reader.GetName(i)}={value.GetType().Name}:{Convert.ToString(value, CultureInfo.InvariantCulture)}";
                })));
            }
            rows.Sort(StringComparer.Ordinal);
            views[view.Name] = rows;
        }
        return views;
    }
}
