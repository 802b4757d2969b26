using Dapper;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.TestSupport;

/// <summary>A table or view of a live warehouse, with its columns in order.</summary>
public sealed record SchemaObject(string Name, string Kind, IReadOnlyList<string> Columns)
{
    public const string Table = "table";
    public const string View = "view";
}

/// <summary>Reads what a live database actually defines, to compare databases and scripts without hand-kept lists.</summary>
public static class SchemaCatalog
{
    public static async Task<IReadOnlyList<SchemaObject>> ReadAsync(WarehouseDatabase database)
    {
        await using var connection = await database.OpenAsync();
        var objects = new List<SchemaObject>();
        switch (database.Options.Provider)
        {
            case WarehouseProvider.Sqlite:
                var names = await connection.QueryAsync<(string Name, string Type)>(
                    "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name");
                foreach (var (name, type) in names)
                {
                    var columns = await connection.QueryAsync<string>($"SELECT name FROM pragma_table_info('{name}') ORDER BY cid");
                    objects.Add(new SchemaObject(name, type == "view" ? SchemaObject.View : SchemaObject.Table, columns.ToList()));
                }
                break;
            case WarehouseProvider.Postgres:
                var tables = await connection.QueryAsync<(string Name, string Type)>(
                    "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name");
                foreach (var (name, type) in tables)
                {
                    var columns = await connection.QueryAsync<string>(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @Name ORDER BY ordinal_position",
                        new { Name = name });
                    objects.Add(new SchemaObject(name, type == "VIEW" ? SchemaObject.View : SchemaObject.Table, columns.ToList()));
                }
                break;
            default:
                throw new NotSupportedException($"{database.Options.Provider} cannot run here; its scripts are parsed instead.");
        }
        return objects;
    }

    /// <summary>
    /// The text each pbi_* view has in the database: SQLite's as created, PostgreSQL's as it prints it back.
    /// Two warehouses whose views came from the same texts have the same definitions.
    /// </summary>
    public static async Task<SortedDictionary<string, string>> ViewDefinitionsAsync(WarehouseDatabase database)
    {
        await using var connection = await database.OpenAsync();
        var sql = database.Options.Provider switch
        {
            WarehouseProvider.Sqlite => "SELECT name, sql FROM sqlite_master WHERE type = 'view'",
            WarehouseProvider.Postgres => "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema()",
            _ => throw new NotSupportedException($"{database.Options.Provider} cannot run here; its scripts are parsed instead."),
        };
        var definitions = await connection.QueryAsync<(string Name, string Sql)>(sql);
        return new SortedDictionary<string, string>(
            definitions.Where(d => d.Name.StartsWith("pbi_", StringComparison.Ordinal)).ToDictionary(d => d.Name, d => d.Sql, StringComparer.Ordinal),
            StringComparer.Ordinal);
    }
}
