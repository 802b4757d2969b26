using System.Data.Common;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Marts;

/// <summary>One build of a mart in a run: its context, and the run's reads and writes as a mart makes them.</summary>
internal abstract class MartWork(MartContext context)
{
    /// <summary>
    /// Beyond this many changed initiatives a build rewrites whole tables instead of the initiatives' rows:
    /// a few large statements then cost less than many scoped ones.
    /// </summary>
    public const int ScopedRebuildLimit = 500;

    protected MartContext Context { get; } = context;

    protected RunTransaction Sql => Context.Sql;

    protected long RunId => Context.RunId;

    protected DateTime StartedAtUtc => Context.StartedAtUtc;

    protected InputLimits Limits => Context.Limits;

    protected ILogger Logger => Context.Logger;

    protected WarehouseDialect Dialect => Sql.Dialect;

    protected int RebuildPart => Context.RebuildPart;

    protected Task<int> ExecuteAsync(string sql, CancellationToken ct) => Sql.ExecuteAsync(sql, ct);

    protected Task<int> ExecuteDapperAsync(string sql, object parameters, CancellationToken ct, IEnumerable<string>? initiatives = null) =>
        Sql.ExecuteDapperAsync(sql, parameters, ct, initiatives);

    protected async Task InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        await Sql.InsertAsync(table, rows, ct);
        HeapCompaction.WhenGrown();
    }

    protected Task<List<T>> QueryDapperAsync<T>(string sql, CancellationToken ct) => Sql.QueryDapperAsync<T>(sql, ct);

    protected Task<long> CountAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) => Sql.CountAsync(sql, ct, parameters);

    protected Task<List<T>> ReadAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class => Sql.ReadAsync(sql, row, ct, parameters);

    protected Task<T> ReadOneAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class => Sql.ReadOneAsync(sql, row, ct, parameters);

    protected Task<List<T>> ReadScopedAsync<T>(string sql, string column, IReadOnlyCollection<string>? keys, Func<DbDataReader, T> row, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
        where T : class => Sql.ReadScopedAsync(sql, column, keys, row, ct, parameters);

    protected Task<int> ExecuteScopedAsync(string sql, string column, IReadOnlyCollection<string>? keys, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        Sql.ExecuteScopedAsync(sql, column, keys, ct, parameters);

    /// <summary>
    /// The initiatives a list's staged items name, in parts of <see cref="MartContext.RebuildPart"/>: a rebuild of every
    /// initiative's rows goes part by part, so that a large municipality's lists are never held whole.
    /// </summary>
    protected async Task<IEnumerable<string[]>> PartsAsync(string stagingTable, CancellationToken ct) =>
        (await ReadAsync($"SELECT DISTINCT initiative_id FROM {stagingTable}", r => Columns.Text(r, 0), ct))
            .Order(StringComparer.Ordinal)
            .Chunk(RebuildPart);

    /// <summary>
    /// Whether a rebuild of every initiative's rows may write straight away, without reading the stored rows to compare:
    /// on a recompute (the tables are emptied first), or when the tables it writes hold no row yet (a first build, the
    /// full refresh of a new warehouse), where every computed row differs from the none stored. Asked once, before the
    /// first part is written. Reading back and comparing with nothing cost the marts of a scale-1 full refresh about 1 s of
    /// CPU (4.7 s against 3.7 s, medians of 3).
    /// </summary>
    protected async Task<bool> WritesStraightAsync(IReadOnlyList<string> tables, CancellationToken ct) =>
        Context.RecomputesAll || await HoldNoRowAsync(tables, ct);

    /// <summary>Whether none of <paramref name="tables"/> holds a row.</summary>
    protected async Task<bool> HoldNoRowAsync(IReadOnlyList<string> tables, CancellationToken ct) =>
        await CountAsync($"SELECT CASE WHEN {string.Join(" OR ", tables.Select(t => $"EXISTS (SELECT 1 FROM {t})"))} THEN 0 ELSE 1 END", ct) == 1;

    /// <summary>How many elements <see cref="ComputeEach{TSource, TResult}"/> takes before it computes on more than one core.</summary>
    public const int ParallelFrom = 64;

    /// <summary>
    /// <paramref name="compute"/> of each element, in the elements' order. Computed on every core when there are at least
    /// <see cref="ParallelFrom"/>: the marts' calculations hold no state but their own, and while the database is busy
    /// with nothing else the run's one connection leaves the other core idle. A failure is the calculation's own exception.
    /// </summary>
    protected static TResult[] ComputeEach<TSource, TResult>(IReadOnlyList<TSource> items, Func<TSource, TResult> compute, CancellationToken ct)
        where TResult : class
    {
        var results = new TResult[items.Count];
        if (items.Count < ParallelFrom || Environment.ProcessorCount < 2)
        {
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = compute(items[i]);
            }
            return results;
        }
        try
        {
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
                i => results[i] = compute(items[i]));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return results;
    }

    /// <summary>
    /// A straight rebuild (<see cref="WritesStraightAsync"/>) slice by slice, its computation beside its SQL: each slice's
    /// inputs are read (<paramref name="read"/>) and its rows written (<paramref name="write"/>) on the run's one
    /// connection, in the slices' order, while the slice read before is computed (<paramref name="compute"/>) on another
    /// thread. The run's connection takes one statement at a time, but a mart's calculation needs none of it: computed in
    /// turn, the realisation's and the sensitivities' C# left the second core idle while the first waited on it. At most
    /// three slices are held at once (one written, one computed, one read), so memory stays as flat as slice by slice.
    /// <paramref name="compute"/> must not use the connection. A failure is the read's, the calculation's or the write's
    /// own exception, raised once no calculation is left running.
    /// </summary>
    protected static async Task PipelineAsync<TInput, TOutput>(IEnumerable<string[]> slices, Func<string[], Task<TInput>> read, Func<TInput, TOutput> compute,
        Func<TOutput, Task> write, CancellationToken ct)
    {
        Task<TOutput>? computing = null;
        try
        {
            foreach (var slice in slices)
            {
                var input = await read(slice);
                var next = Task.Run(() => compute(input), ct);
                if (computing is not null)
                {
                    var done = computing;
                    computing = next;
                    await write(await done);
                }
                else
                {
                    computing = next;
                }
            }
            if (computing is not null)
            {
                var last = computing;
                computing = null;
                await write(await last);
            }
        }
        catch when (computing is not null)
        {
            // The run rolls back once this returns: no calculation of its is left to outlive it (its own failure, if any,
            // is not the one raised).
            await Task.WhenAny(computing);
            throw;
        }
    }

    /// <summary>
    /// Whether the rows a mart wants and the rows stored hold the same rows as often (as <c>decimal</c> compares them, 1.5
    /// equals 1.50): a mart that writes only what differs rewrites an initiative when they do not.
    /// </summary>
    protected static bool SameRows<T>(IEnumerable<T> wanted, IEnumerable<T> stored)
        where T : notnull
    {
        var counts = new Dictionary<T, int>();
        var total = 0;
        foreach (var row in wanted)
        {
            counts[row] = counts.GetValueOrDefault(row) + 1;
            total++;
        }
        foreach (var row in stored)
        {
            if (!counts.TryGetValue(row, out var left) || left == 0)
            {
                return false;
            }
            counts[row] = left - 1;
            total--;
        }
        return total == 0;
    }
}
