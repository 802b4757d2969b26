using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary>Whether a command that reads the warehouse has one to read.</summary>
internal static class ExistingWarehouse
{
    /// <summary>Why there is no warehouse to read, for the operator; null when there is one with its schema.</summary>
    public static async Task<string?> ProblemAsync(IHost host, CancellationToken ct) => (await OpenForReadingAsync(host, ct)).Problem;

    /// <summary>
    /// The warehouse opened only to read (<see cref="WarehouseQueries.OpenForReadingAsync"/>), or, for the operator, why
    /// there is none to read: no file, a database that cannot be opened or read (naming it and the reason), or one
    /// without the warehouse schema.
    /// </summary>
    public static async Task<(WarehouseQueries? Queries, string? Problem)> OpenForReadingAsync(IHost host, CancellationToken ct)
    {
        var warehouse = host.Services.GetRequiredService<WarehouseDatabase>();
        if (warehouse.Options.Provider == WarehouseProvider.Sqlite)
        {
            var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(warehouse.Options.ConnectionString).DataSource;
            if (Directory.Exists(dataSource))
            {
                // SQLite would only say "disk I/O error".
                return (null, $"Cannot read the warehouse, {warehouse.Describe()}: it is a directory, not a database file.");
            }
            if (dataSource != ":memory:" && !File.Exists(dataSource))
            {
                return (null, $"There is no warehouse at {warehouse.Describe()}. Run 'nacka-insights migrate' or 'refresh' first.");
            }
        }
        WarehouseReading reading;
        try
        {
            reading = await WarehouseQueries.OpenForReadingAsync(warehouse, ct);
        }
        catch (WarehouseUnreadableException e)
        {
            return (null, e.Message);
        }
        if (reading.SchemaVersion is null)
        {
            return (null, $"{warehouse.Describe()} has no warehouse schema. Run 'nacka-insights migrate' or 'refresh' first.");
        }
        return (reading.Queries, null);
    }
}
