using System.Data.Common;

namespace NackaInsights.Warehouse.Storage;

/// <summary>One warehouse: its dialect and how to reach it.</summary>
public sealed class WarehouseDatabase
{
    public WarehouseDatabase(WarehouseOptions options)
    {
        Options = options;
        Dialect = WarehouseDialect.For(options.Provider);
        DateOnlyHandler.Register();
    }

    public WarehouseOptions Options { get; }

    public WarehouseDialect Dialect { get; }

    public int CommandTimeoutSeconds => Options.CommandTimeoutSeconds;

    /// <summary>A description for logs and operator output, without secrets.</summary>
    public string Describe()
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = Options.ConnectionString;
        }
        catch (ArgumentException)
        {
            return Options.Provider.ToString();
        }
        string? Get(params string[] keys) => keys.Select(k => builder.TryGetValue(k, out var v) ? v?.ToString() : null).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return Options.Provider switch
        {
            WarehouseProvider.Sqlite => $"SQLite file {Path.GetFullPath(Get("Data Source", "DataSource", "Filename") ?? "?")}",
            WarehouseProvider.Postgres => $"PostgreSQL database {Get("Database") ?? "?"} on {Get("Host", "Server") ?? "?"}:{Get("Port") ?? "5432"}",
            _ => $"SQL Server database {Get("Initial Catalog", "Database") ?? "?"} on {Get("Data Source", "Server") ?? "?"}",
        };
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = Dialect.CreateConnection(Options.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
