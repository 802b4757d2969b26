using System.Globalization;
using Dapper;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Runs;

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

    /// <summary>
    /// A run of the warehouse's loader: <paramref name="work"/> done in it, with <paramref name="recompute"/> every computed
    /// fact rebuilt, then completed, and asserted to have succeeded.
    /// </summary>
    protected async Task<RunResult> RunAsync(Func<RefreshRun, Task>? work = null, bool recompute = false)
    {
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        if (work is not null)
        {
            await work(run);
        }
        if (recompute)
        {
            run.RecomputeAll();
        }
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="work"/> with the marts' context of a run after <paramref name="lastRunId"/>, its row in etl_run
    /// added so that the rows it rewrites can be told from those it leaves, in a transaction rolled back after it.
    /// </summary>
    protected Task<T> InRolledBackRunAsync<T>(long lastRunId, Func<MartContext, Task<T>> work) =>
        InRolledBackContextAsync(lastRunId + 1, WarehouseBuilders.Listed, work, sql => sql.ExecuteAsync(
            "INSERT INTO etl_run (run_id, run_kind, started_at_utc, status) SELECT @NewId, run_kind, started_at_utc, status FROM etl_run WHERE run_id = @RunId",
            [("@NewId", lastRunId + 1), ("@RunId", lastRunId)], Ct));

    /// <summary>
    /// Runs <paramref name="work"/> with a marts' context as run <paramref name="runId"/> started at
    /// <paramref name="startedAtUtc"/>, after <paramref name="first"/> if given, in a transaction rolled back after it.
    /// </summary>
    protected async Task<T> InRolledBackContextAsync<T>(long runId, DateTime startedAtUtc, Func<MartContext, Task<T>> work, Func<RunTransaction, Task>? first = null)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var sql = new RunTransaction(Warehouse.Database, connection, transaction);
        try
        {
            if (first is not null)
            {
                await first(sql);
            }
            return await work(new MartContext
            {
                Sql = sql,
                RunId = runId,
                StartedAtUtc = startedAtUtc,
                Calculation = Warehouse.Calculation,
                Evaluation = Warehouse.Evaluation,
                Index = Warehouse.Index,
                Access = Warehouse.Access,
            });
        }
        finally
        {
            await transaction.RollbackAsync(Ct);
        }
    }

    /// <summary>A statement on a fresh connection to the warehouse, outside any run: what a fact plants or breaks by hand.</summary>
    protected async Task ExecuteAsync(string sql)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: Ct));
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
