using System.Globalization;
using Dapper;

namespace NackaInsights.TestSupport;

/// <summary>
/// The base of a behaviour's facts that run on every database: a subclass per provider creates the
/// warehouse, the facts use it. The schema is installed with the production migrator.
/// </summary>
public abstract class WarehouseFacts : IAsyncLifetime
{
    protected TestWarehouse Warehouse { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<TestWarehouse> CreateWarehouseAsync();

    public virtual async ValueTask InitializeAsync() => Warehouse = await (await CreateWarehouseAsync()).MigratedAsync();

    public virtual ValueTask DisposeAsync()
    {
        Warehouse?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Every row of a query on a fresh connection to the warehouse.</summary>
    protected async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: Ct))).ToList();
    }

    /// <summary>The one row of a query on a fresh connection to the warehouse.</summary>
    protected async Task<T> QuerySingleAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        return await connection.QuerySingleAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: Ct));
    }

    /// <summary>
    /// The first column of the first row, as a T whatever type the provider returns it as: SQLite gives
    /// long, double and string where PostgreSQL gives int, decimal and DateTime. NULL is default(T).
    /// </summary>
    protected async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        var value = await connection.ExecuteScalarAsync(new CommandDefinition(sql, parameters, cancellationToken: Ct));
        return value switch
        {
            null or DBNull => default!,
            T typed => typed,
            _ => (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture),
        };
    }
}
