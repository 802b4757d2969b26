using NackaInsights.TestSupport;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// The model against the live warehouse schema, built by the production migrator on SQLite and on PostgreSQL:
/// every partition reads an existing <c>pbi_*</c> view, every <c>sourceColumn</c> is a column of that view, and
/// every <c>pbi_*</c> view has a table.
/// </summary>
public sealed class SemanticModelSchemaFacts(PostgresCluster cluster)
{
    [Fact]
    public async Task EveryPartitionAndSourceColumn_ExistsLive_OnSqlite()
    {
        using var warehouse = new SqliteTestWarehouse();

        AssertNone(Differences(await ViewsAsync(warehouse)));
    }

    [Fact]
    public async Task EveryPartitionAndSourceColumn_ExistsLive_OnPostgres()
    {
        using var warehouse = await PostgresTestWarehouse.CreateAsync(cluster);

        AssertNone(Differences(await ViewsAsync(warehouse)));
    }

    private static async Task<Dictionary<string, IReadOnlyList<string>>> ViewsAsync(TestWarehouse warehouse)
    {
        await warehouse.MigratedAsync();
        var views = (await SchemaCatalog.ReadAsync(warehouse.Database))
            .Where(o => o.Kind == SchemaObject.View && o.Name.StartsWith("pbi_", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(o => o.Name.ToLowerInvariant(), o => (IReadOnlyList<string>)o.Columns.Select(c => c.ToLowerInvariant()).ToList());
        Assert.True(views.Count >= 25, $"only {views.Count} pbi_* views");
        return views;
    }

    private static List<string> Differences(Dictionary<string, IReadOnlyList<string>> views)
    {
        var problems = new List<string>();
        var read = new HashSet<string>();
        // Mått, the measure table, and the what-if parameters are calculated in the model and read no view.
        foreach (var table in ModelNames.Model.Tables.Where(t => t.Name != ModelNames.MeasureTable && !ModelNames.Parameters.Any(p => p.Table == t.Name)))
        {
            var view = SemanticModelFacts.SourceView(table.Partitions.Single());
            if (view is null || !views.TryGetValue(view, out var columns))
            {
                problems.Add($"'{table.Name}' reads {view ?? "no view"}, which the warehouse does not have");
                continue;
            }
            read.Add(view);
            problems.AddRange(table.Columns
                .Where(c => c.SourceColumn is null || !columns.Contains(c.SourceColumn))
                .Select(c => $"'{table.Name}'[{c.Name}]: {view} has no column {c.SourceColumn ?? "(no sourceColumn)"}"));
            var twice = table.Columns.GroupBy(c => c.SourceColumn).Where(g => g.Count() > 1).Select(g => g.Key);
            problems.AddRange(twice.Select(c => $"'{table.Name}' reads {view}.{c} twice"));
        }
        problems.AddRange(views.Keys.Except(read).Order().Select(v => $"{v} has no table in the model"));
        return problems;
    }

    private static void AssertNone(List<string> problems) => Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
}
