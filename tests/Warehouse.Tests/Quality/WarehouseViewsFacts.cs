using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Quality;

/// <summary>
/// What <see cref="WarehouseViews"/> declares each pbi_* view reads is what the database defines: a view changed
/// without its declaration would leave checks of it unrun after a write to a table it now reads.
/// </summary>
public abstract partial class WarehouseViewsFacts : WarehouseFacts
{
    [Fact]
    public async Task EveryView_ReadsTheTablesDeclaredForIt()
    {
        var schema = await SchemaCatalog.ReadAsync(Warehouse.Database);
        var views = schema.Where(o => o.Kind == SchemaObject.View && o.Name.StartsWith("pbi_", StringComparison.Ordinal)).ToList();
        var actual = await TablesOfViewsAsync(schema.Where(o => o.Kind == SchemaObject.Table).Select(o => o.Name).ToHashSet(StringComparer.Ordinal));

        Assert.Equal(views.Select(v => v.Name).Order(StringComparer.Ordinal), WarehouseViews.Sources.Keys.Order(StringComparer.Ordinal));
        Assert.All(views, view =>
        {
            var declared = WarehouseViews.Sources[view.Name];
            Assert.True(actual[view.Name].SetEquals(declared.All), $"{view.Name} reads {string.Join(", ", actual[view.Name].Order())}; declared {string.Join(", ", declared.All)}");
            if (declared.ByInitiative)
            {
                Assert.Contains("initiative_id", view.Columns);
            }
        });
    }

    private async Task<Dictionary<string, HashSet<string>>> TablesOfViewsAsync(IReadOnlySet<string> tables)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        if (Warehouse.Options.Provider == WarehouseProvider.Postgres)
        {
            var usage = await connection.QueryAsync<(string View, string Table)>(
                "SELECT view_name, table_name FROM information_schema.view_table_usage WHERE view_schema = current_schema()");
            return usage.Where(u => u.View.StartsWith("pbi_", StringComparison.Ordinal)).GroupBy(u => u.View)
                .ToDictionary(g => g.Key, g => g.Select(u => u.Table).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        }
        var definitions = await connection.QueryAsync<(string Name, string Sql)>("SELECT name, sql FROM sqlite_master WHERE type = 'view' AND name LIKE 'pbi_%'");
        return definitions.ToDictionary(
            d => d.Name,
            d => Identifier().Matches(d.Sql).Select(m => m.Value).Where(tables.Contains).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    [GeneratedRegex("[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();
}

public sealed class SqliteWarehouseViewsFacts : WarehouseViewsFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresWarehouseViewsFacts(PostgresCluster cluster) : WarehouseViewsFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
