using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Quality;

/// <summary>
/// What the check planning takes each pbi_* view to read (<see cref="ViewCatalogLineage"/>, parsed from its text) is what
/// the database defines: a reading that missed a table would leave checks of the view unrun after a write to it.
/// </summary>
public abstract partial class ViewCatalogLineageFacts : WarehouseFacts
{
    [Fact]
    public async Task EveryView_ReadsTheTablesItsTextSaysItReads_AndHasTheColumnItsHeaderScopesItBy()
    {
        var schema = await SchemaCatalog.ReadAsync(Warehouse.Database);
        var views = schema.Where(o => o.Kind == SchemaObject.View && o.Name.StartsWith("pbi_", StringComparison.Ordinal)).ToList();
        var actual = await TablesOfViewsAsync(schema.Where(o => o.Kind == SchemaObject.Table).Select(o => o.Name).ToHashSet(StringComparer.Ordinal));

        Assert.Equal(views.Select(v => v.Name).Order(StringComparer.Ordinal), ViewCatalog.Embedded.Views.Select(v => v.Name).Order(StringComparer.Ordinal));
        Assert.All(views, view =>
        {
            Assert.True(ViewCatalogLineage.Instance.TryGetSources(view.Name, out var declared));
            Assert.True(actual[view.Name].SetEquals(declared.All), $"{view.Name} reads {string.Join(", ", actual[view.Name].Order())}; declared {string.Join(", ", declared.All)}");
            if (declared.ScopeColumn is { } scope)
            {
                Assert.Contains(scope, view.Columns);
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

public sealed class SqliteViewCatalogLineageFacts : ViewCatalogLineageFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresViewCatalogLineageFacts(PostgresCluster cluster) : ViewCatalogLineageFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
