using NackaInsights.TestSupport;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// The SQL Server scripts, as parsed, define the same tables, views and columns as SQLite and
/// PostgreSQL do live after migration with the production migrator.
/// </summary>
public sealed class SchemaParityFacts(PostgresCluster cluster)
{
    private const string TSql = "T-SQL";

    [Fact]
    public async Task SqlServerScripts_DefineTheSameTablesAndColumns_AsSqlite()
    {
        using var warehouse = new SqliteTestWarehouse();

        AssertNone(TableDifferences(await LiveAsync(warehouse), "SQLite"));
    }

    [Fact]
    public async Task SqlServerScripts_DefineTheSameTablesAndColumns_AsPostgres()
    {
        using var warehouse = await PostgresTestWarehouse.CreateAsync(cluster);

        AssertNone(TableDifferences(await LiveAsync(warehouse), "PostgreSQL"));
    }

    [Fact]
    public async Task SqlServerScripts_DefineTheSameViewsAndColumns_AsSqlite()
    {
        using var warehouse = new SqliteTestWarehouse();

        AssertNone(ViewDifferences(await LiveAsync(warehouse), "SQLite"));
    }

    [Fact]
    public async Task SqlServerScripts_DefineTheSameViewsAndColumns_AsPostgres()
    {
        using var warehouse = await PostgresTestWarehouse.CreateAsync(cluster);

        AssertNone(ViewDifferences(await LiveAsync(warehouse), "PostgreSQL"));
    }

    private static void AssertNone(List<string> differences) =>
        Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));

    private static async Task<IReadOnlyList<SchemaObject>> LiveAsync(TestWarehouse warehouse)
    {
        await warehouse.MigratedAsync();
        var live = await SchemaCatalog.ReadAsync(warehouse.Database);
        Assert.NotEmpty(live);
        return live;
    }

    /// <summary>Tables compare as sets of columns: column order differs harmlessly where columns were added later.</summary>
    private static List<string> TableDifferences(IReadOnlyList<SchemaObject> live, string database) =>
        Differences("table", SqlServerScriptFacts.BuildModel().Tables, Normalized(live, SchemaObject.Table), database, ordered: false);

    /// <summary>Views compare as ordered lists of columns: Power BI and SELECT * see the order.</summary>
    private static List<string> ViewDifferences(IReadOnlyList<SchemaObject> live, string database) =>
        Differences("view", SqlServerScriptFacts.BuildModel().Views, Normalized(live, SchemaObject.View), database, ordered: true);

    private static Dictionary<string, IReadOnlyList<string>> Normalized(IReadOnlyList<SchemaObject> live, string kind) =>
        live.Where(o => o.Kind == kind).ToDictionary(o => o.Name.ToLowerInvariant(), o => (IReadOnlyList<string>)o.Columns.Select(c => c.ToLowerInvariant()).ToList(), StringComparer.Ordinal);

    private static List<string> Differences(
        string kind, IReadOnlyDictionary<string, IReadOnlyList<string>> tsql, IReadOnlyDictionary<string, IReadOnlyList<string>> other, string database, bool ordered)
    {
        Assert.NotEmpty(tsql);
        var differences = new List<string>();
        differences.AddRange(tsql.Keys.Except(other.Keys).Order(StringComparer.Ordinal).Select(name => $"{kind} {name} is only in {TSql}"));
        differences.AddRange(other.Keys.Except(tsql.Keys).Order(StringComparer.Ordinal).Select(name => $"{kind} {name} is only in {database}"));
        foreach (var name in tsql.Keys.Intersect(other.Keys).Order(StringComparer.Ordinal))
        {
            var (mine, theirs) = (tsql[name], other[name]);
            differences.AddRange(mine.Except(theirs).Select(column => $"{kind} {name}: column {column} is only in {TSql}"));
            differences.AddRange(theirs.Except(mine).Select(column => $"{kind} {name}: column {column} is only in {database}"));
            if (ordered && mine.ToHashSet().SetEquals(theirs) && !mine.SequenceEqual(theirs))
            {
                differences.Add($"{kind} {name}: the columns come in another order; {TSql}: {string.Join(", ", mine)}; {database}: {string.Join(", ", theirs)}");
            }
        }
        return differences;
    }
}
