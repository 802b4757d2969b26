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
}
