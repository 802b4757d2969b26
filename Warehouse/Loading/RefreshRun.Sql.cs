using System.Data.Common;
using System.Globalization;
using Dapper;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Loading;

/// <summary>
/// How a run reads and writes: every write records its table (<see cref="TableWrites"/>), and the reads every run
/// makes go through a plain data reader with a row function. In a fresh process (the command line) compiling code is
/// most of what a small run costs: Dapper builds a materialiser the first time it meets a row shape (about 10 ms
/// each), and every collection or LINQ operator over a value type (a tuple) is compiled anew, where one over a class
/// shares the code already compiled. So rows are read as classes (records), and counts through <see cref="CountAsync"/>.
/// </summary>
public sealed partial class RefreshRun
{
    /// <summary>Runs one INSERT, UPDATE or DELETE of the run and records the table as written when it changed a row.</summary>
    private Task<int> ExecuteAsync(string sql, CancellationToken ct) => ExecuteAsync(sql, [], ct);

    /// <summary>
    /// Runs one INSERT, UPDATE or DELETE with named parameters (<c>@name</c>) and records the table it names as
    /// written when it changed a row: rows of <paramref name="initiatives"/>, or of any initiative when null.
    /// </summary>
    private async Task<int> ExecuteAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct, IEnumerable<string>? initiatives = null)
    {
        await using var command = Command(sql, parameters);
        var affected = await command.ExecuteNonQueryAsync(ct);
        _written.RecordStatement(sql, affected, initiatives);
        return affected;
    }

    /// <summary>
    /// Runs one INSERT, UPDATE or DELETE with Dapper's parameters (an object, or a sequence of them to run it once per
    /// element) and records the table it names as written when it changed a row: rows of <paramref name="initiatives"/>,
    /// or of any when null. For the writes of larger changes, where a materialiser's first cost does not count.
    /// </summary>
    private async Task<int> ExecuteDapperAsync(string sql, object parameters, CancellationToken ct, IEnumerable<string>? initiatives = null)
    {
        var affected = await _connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
        _written.RecordStatement(sql, affected, initiatives);
        return affected;
    }

    /// <summary>Bulk-inserts rows of the run and records the table as written, with the rows' initiatives when it knows them, when there were any.</summary>
    private async Task InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        await Dialect.BulkInsertAsync(_connection, Transaction, table, rows, _database.CommandTimeoutSeconds, ct);
        var (column, keys) = KeysOf(table, rows);
        _written.Record(table.Name, TableWrite.Inserted, column, keys);
    }

    /// <summary>
    /// The keys of inserted rows of <paramref name="table"/>: their initiatives (a business case workbook's raw rows
    /// are its initiative's); null when the table has none or a row has none.
    /// </summary>
    private (string? Column, List<object>? Keys) KeysOf(BulkTable table, IReadOnlyList<object?[]> rows)
    {
        var initiative = IndexOf(table, TableWrites.InitiativeColumn);
        Func<object?[], string?>? initiativeOf =
            initiative >= 0 ? row => row[initiative] as string
            : table.Name.StartsWith("raw_business_case_", StringComparison.Ordinal) && table.Columns[0].Name == "file_id"
                ? row => _caseFiles.GetValueOrDefault(Convert.ToInt64(row[0], CultureInfo.InvariantCulture))
            : null;
        if (initiativeOf is null)
        {
            return (null, null);
        }
        var keys = new List<object>(rows.Count);
        foreach (var row in rows)
        {
            if (initiativeOf(row) is not { } value)
            {
                return (null, null);
            }
            keys.Add(value);
        }
        return (TableWrites.InitiativeColumn, keys);
    }

    private static int IndexOf(BulkTable table, string column)
    {
        for (var i = 0; i < table.Columns.Count; i++)
        {
            if (table.Columns[i].Name == column)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Every row of a query, mapped by Dapper: for the reads of rarer work, where a materialiser's first cost does not count.</summary>
    private async Task<List<T>> QueryDapperAsync<T>(string sql, CancellationToken ct) =>
        (await _connection.QueryAsync<T>(new CommandDefinition(sql, transaction: Transaction, commandTimeout: _database.CommandTimeoutSeconds, cancellationToken: ct))).ToList();

    /// <summary>The one number a query returns (a count, a maximum), 0 for none.</summary>
    private async Task<long> CountAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Every row of a query, each made by <paramref name="row"/> from the reader.</summary>
    private async Task<List<T>> ReadAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(row(reader));
        }
        return rows;
    }

    /// <summary>The one row of a query (an aggregate), made by <paramref name="row"/>.</summary>
    private async Task<T> ReadOneAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class =>
        (await ReadAsync(sql, row, ct, parameters)).Single();

    /// <summary>
    /// A query over some keys or all: <c>{scope}</c> in <paramref name="sql"/> becomes <c>column IN (…)</c> for each
    /// chunk of <paramref name="keys"/>, or <c>1 = 1</c> when <paramref name="keys"/> is null (everything).
    /// </summary>
    private async Task<List<T>> ReadScopedAsync<T>(string sql, string column, IReadOnlyCollection<string>? keys, Func<DbDataReader, T> row, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
        where T : class
    {
        var rows = new List<T>();
        foreach (var (text, values) in Scoped(sql, column, keys, parameters))
        {
            rows.AddRange(await ReadAsync(text, row, ct, values));
        }
        return rows;
    }

    /// <summary>
    /// An INSERT, UPDATE or DELETE over some keys or all, as <see cref="ReadScopedAsync{T}"/> takes them; recorded as
    /// <see cref="ExecuteAsync(string, IReadOnlyList{ValueTuple{string, object}}, CancellationToken, IEnumerable{string})"/>
    /// does, as rows of those initiatives when the keys are initiatives (the column is an <c>initiative_id</c>).
    /// </summary>
    private async Task<int> ExecuteScopedAsync(string sql, string column, IReadOnlyCollection<string>? keys, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        var initiatives = keys is not null && (column == "initiative_id" || column.EndsWith(".initiative_id", StringComparison.Ordinal)) ? keys : null;
        var affected = 0;
        foreach (var (text, values) in Scoped(sql, column, keys, parameters))
        {
            affected += await ExecuteAsync(text, values, ct, initiatives);
        }
        return affected;
    }

    private static IEnumerable<(string Sql, (string Name, object? Value)[] Parameters)> Scoped(string sql, string column, IReadOnlyCollection<string>? keys,
        (string Name, object? Value)[] parameters)
    {
        if (keys is null)
        {
            yield return (sql.Replace("{scope}", "1 = 1", StringComparison.Ordinal), parameters);
            yield break;
        }
        foreach (var chunk in keys.Chunk(InListChunk))
        {
            var names = chunk.Select((_, i) => $"@scope{i}").ToList();
            yield return (sql.Replace("{scope}", $"{column} IN ({string.Join(", ", names)})", StringComparison.Ordinal),
                [.. parameters, .. chunk.Select((key, i) => (names[i], (object?)key))]);
        }
    }

    private DbCommand Command(string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandTimeout = _database.CommandTimeoutSeconds;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    // Columns as the three databases return them: SQLite gives long, double and text where PostgreSQL gives int, decimal and dates.
    private static string Text(DbDataReader r, int i) => r.GetString(i);

    private static string? TextOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static int Int(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    private static int? IntOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Int(r, i);

    private static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static long? LongOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Long(r, i);

    private static decimal Dec(DbDataReader r, int i) => Convert.ToDecimal(r.GetValue(i), CultureInfo.InvariantCulture);

    private static decimal? DecOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Dec(r, i);

    private static double Double(DbDataReader r, int i) => Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    private static double? DoubleOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Double(r, i);

    private static DateOnly Date(DbDataReader r, int i) => r.GetValue(i) switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        string s => DateOnly.FromDateTime(DateTime.Parse(s, CultureInfo.InvariantCulture)),
        var other => throw new InvalidCastException($"Not a date: {other}"),
    };

    private static DateOnly? DateOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Date(r, i);

    private static DateTime Timestamp(DbDataReader r, int i) => ReadTimestamp(r.GetValue(i));
}
