using System.Data.Common;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

/// <summary>The run's reads and writes, all in its <see cref="RunTransaction"/>, which records what they wrote.</summary>
public sealed partial class RefreshRun
{
    private Task<int> ExecuteAsync(string sql, CancellationToken ct) => _sql.ExecuteAsync(sql, ct);

    private Task<int> ExecuteAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct, IEnumerable<string>? initiatives = null) =>
        _sql.ExecuteAsync(sql, parameters, ct, initiatives);

    private Task<int> ExecuteDapperAsync(string sql, object parameters, CancellationToken ct, IEnumerable<string>? initiatives = null) =>
        _sql.ExecuteDapperAsync(sql, parameters, ct, initiatives);

    private Task InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken ct) => _sql.InsertAsync(table, rows, ct);

    private Task<List<T>> QueryDapperAsync<T>(string sql, CancellationToken ct) => _sql.QueryDapperAsync<T>(sql, ct);

    private Task<long> CountAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters) => _sql.CountAsync(sql, ct, parameters);

    private Task<List<T>> ReadAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class => _sql.ReadAsync(sql, row, ct, parameters);

    private Task<T> ReadOneAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class => _sql.ReadOneAsync(sql, row, ct, parameters);

    private Task<List<T>> ReadScopedAsync<T>(string sql, string column, IReadOnlyCollection<string>? keys, Func<DbDataReader, T> row, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
        where T : class => _sql.ReadScopedAsync(sql, column, keys, row, ct, parameters);

    private Task<int> ExecuteScopedAsync(string sql, string column, IReadOnlyCollection<string>? keys, CancellationToken ct, params (string Name, object? Value)[] parameters) =>
        _sql.ExecuteScopedAsync(sql, column, keys, ct, parameters);
}
