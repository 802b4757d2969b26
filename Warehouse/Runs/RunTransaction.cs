using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// The one transaction of a run and how the run reads and writes in it: every write records its table
/// (<see cref="Written"/>), which decides the marts rebuilt and the data checks run, and the reads every run makes go
/// through a plain data reader with a row function. In a fresh process (the command line) compiling code is most of
/// what a small run costs: Dapper builds a materialiser the first time it meets a row shape (about 10 ms each), and
/// every collection or LINQ operator over a value type (a tuple) is compiled anew, where one over a class shares the
/// code already compiled. So rows are read as classes (records), and counts through <see cref="CountAsync"/>.
/// </summary>
public sealed class RunTransaction
{
    /// <summary>How many values one <c>IN (…)</c> list takes: well below SQL Server's 2,100 parameters of a statement.</summary>
    public const int InListChunk = 500;

    private readonly WarehouseDatabase _database;
    private readonly Func<long, string?> _initiativeOfFile;
    private DbTransaction? _transaction;

    /// <param name="initiativeOfFile">The initiative of a business case file loaded in the run: a workbook's raw rows are its rows.</param>
    public RunTransaction(WarehouseDatabase database, DbConnection connection, DbTransaction transaction, Func<long, string?>? initiativeOfFile = null)
    {
        _database = database;
        Connection = connection;
        _transaction = transaction;
        _initiativeOfFile = initiativeOfFile ?? (_ => null);
    }

    public DbConnection Connection { get; }

    public WarehouseDialect Dialect => _database.Dialect;

    public int CommandTimeoutSeconds => _database.CommandTimeoutSeconds;

    /// <summary>The tables written in this transaction so far, and how.</summary>
    public TableWrites Written { get; } = new();

    /// <summary>The tables written since the model was last brought up to date (<see cref="TakePending"/>): what decides which marts are due.</summary>
    public TableWrites Pending { get; private set; } = new();

    /// <summary>What was written since the last call, and starts anew.</summary>
    public TableWrites TakePending()
    {
        var pending = Pending;
        Pending = new TableWrites();
        return pending;
    }

    public DbTransaction Transaction => _transaction ?? throw new InvalidOperationException("The run has already finished.");

    /// <summary>Takes the transaction away, once, to commit, roll back or dispose it; null when it already was.</summary>
    public DbTransaction? Take() => Interlocked.Exchange(ref _transaction, null);

    /// <summary>Runs one INSERT, UPDATE or DELETE and records the table as written when it changed a row.</summary>
    public Task<int> ExecuteAsync(string sql, CancellationToken ct) => ExecuteAsync(sql, [], ct);

    /// <summary>
    /// Runs one INSERT, UPDATE or DELETE with named parameters (<c>@name</c>) and records the table it names as
    /// written when it changed a row: rows of <paramref name="initiatives"/>, or of any initiative when null.
    /// </summary>
    public async Task<int> ExecuteAsync(string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken ct, IEnumerable<string>? initiatives = null)
    {
        await using var command = Command(sql, parameters);
        var affected = await command.ExecuteNonQueryAsync(ct);
        Written.RecordStatement(sql, affected, initiatives);
        Pending.RecordStatement(sql, affected, initiatives);
        return affected;
    }

    /// <summary>
    /// Runs one INSERT, UPDATE or DELETE with Dapper's parameters (an object, or a sequence of them to run it once per
    /// element) and records the table it names as written when it changed a row: rows of <paramref name="initiatives"/>,
    /// or of any when null. For the writes of larger changes, where a materialiser's first cost does not count.
    /// </summary>
    public async Task<int> ExecuteDapperAsync(string sql, object parameters, CancellationToken ct, IEnumerable<string>? initiatives = null)
    {
        var affected = await Connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, CommandTimeoutSeconds, cancellationToken: ct));
        Written.RecordStatement(sql, affected, initiatives);
        Pending.RecordStatement(sql, affected, initiatives);
        return affected;
    }

    /// <summary>
    /// Runs a statement with Dapper's parameters without recording it: for writes of a column no pbi_* view shows,
    /// which no data check needs to know of.
    /// </summary>
    public Task<int> ExecuteUnrecordedAsync(string sql, object parameters, CancellationToken ct) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, CommandTimeoutSeconds, cancellationToken: ct));

    /// <summary>
    /// Records that the keys of <paramref name="table"/> changed, for <paramref name="initiatives"/> (rows added or removed),
    /// under the name a key-set read declares (<see cref="Marts.KeySet"/>); nothing when none did.
    /// </summary>
    public void RecordKeysChanged(string table, IReadOnlyCollection<string> initiatives)
    {
        if (initiatives.Count == 0)
        {
            return;
        }
        Written.RecordInitiatives(Marts.KeySet.Of(table), TableWrite.Inserted | TableWrite.Changed, initiatives);
        Pending.RecordInitiatives(Marts.KeySet.Of(table), TableWrite.Inserted | TableWrite.Changed, initiatives);
    }

    /// <summary>Rows bulk-inserted per table since their statistics were last brought up to date (<see cref="AnalyzeBulkLoadsAsync"/>).</summary>
    private readonly Dictionary<string, long> _bulkRows = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many rows a bulk load must add to a table before its statistics are taken again: below it, the old ones serve.</summary>
    public const int AnalyzeThreshold = 1_000;

    /// <summary>
    /// Brings the planner's statistics of the tables this run bulk-loaded at least <see cref="AnalyzeThreshold"/> rows into up
    /// to date, inside the run's transaction, where the dialect needs it (<see cref="WarehouseDialect.AnalyzeTables"/>):
    /// PostgreSQL's autovacuum never sees a run's uncommitted rows, so the marts and checks that read them right after
    /// would be planned for the tables as they were (empty, on a first full refresh: nested loops over thousands of rows).
    /// </summary>
    public async Task AnalyzeBulkLoadsAsync(CancellationToken ct)
    {
        var tables = _bulkRows.Where(t => t.Value >= AnalyzeThreshold).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
        if (tables.Count == 0 || Dialect.AnalyzeTables(tables) is not { } sql)
        {
            return;
        }
        await using var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        command.CommandTimeout = CommandTimeoutSeconds;
        await command.ExecuteNonQueryAsync(ct);
        tables.ForEach(t => _bulkRows.Remove(t));
    }

    /// <summary>How many bulk inserts it sent: on PostgreSQL each is a <c>COPY</c> with its own key checks, so fewer and larger is cheaper.</summary>
    internal int BulkInserts { get; private set; }

    /// <summary>Bulk-inserts rows of the run and records the table as written, with the rows' initiatives when it knows them, when there were any.</summary>
    public async Task InsertAsync(BulkTable table, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        await Dialect.BulkInsertAsync(Connection, Transaction, table, rows, CommandTimeoutSeconds, ct);
        BulkInserts++;
        _bulkRows[table.Name] = _bulkRows.GetValueOrDefault(table.Name) + rows.Count;
        var (column, keys) = KeysOf(table, rows);
        Written.Record(table.Name, TableWrite.Inserted, column, keys);
        Pending.Record(table.Name, TableWrite.Inserted, column, keys);
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
                ? row => _initiativeOfFile(Convert.ToInt64(row[0], CultureInfo.InvariantCulture))
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
    public async Task<List<T>> QueryDapperAsync<T>(string sql, CancellationToken ct) =>
        (await Connection.QueryAsync<T>(new CommandDefinition(sql, transaction: Transaction, commandTimeout: CommandTimeoutSeconds, cancellationToken: ct))).ToList();

    /// <summary>The one number a query returns (a count, a maximum), 0 for none.</summary>
    public async Task<long> CountAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>
    /// Every row of a query, each made by <paramref name="row"/> from the reader. On SQLite the reader is
    /// <see cref="SqliteRawReader"/>, over SQLite's own API, when it takes the query as Microsoft.Data.Sqlite would: the
    /// marts' reads cost a few native calls a value rather than Microsoft.Data.Sqlite's checks around each.
    /// </summary>
    public Task<List<T>> ReadAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class => ReadIntoAsync([], sql, row, ct, parameters);

    /// <summary>
    /// Adds every row of a query to <paramref name="rows"/>: the chunks of a scoped read go straight into one list, not
    /// each into its own and then copied (lists grown and copied showed in a profile of the realisation mart at scale 4).
    /// </summary>
    private async Task<List<T>> ReadIntoAsync<T>(List<T> rows, string sql, Func<DbDataReader, T> row, CancellationToken ct, (string Name, object? Value)[] parameters)
        where T : class
    {
        if (Connection is SqliteConnection sqlite && _transaction is not null && SqliteRawReader.TryOpen(sqlite, sql, parameters) is { } raw)
        {
            using (raw)
            {
                while (raw.Read())
                {
                    ct.ThrowIfCancellationRequested();
                    rows.Add(row(raw));
                }
                return rows;
            }
        }
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(row(reader));
        }
        return rows;
    }

    /// <summary>The one row of a query (an aggregate), made by <paramref name="row"/>.</summary>
    public async Task<T> ReadOneAsync<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params (string Name, object? Value)[] parameters)
        where T : class =>
        (await ReadAsync(sql, row, ct, parameters)).Single();

    /// <summary>
    /// A query over some keys or all: <c>{scope}</c> in <paramref name="sql"/> becomes <c>column IN (…)</c> for each
    /// chunk of <paramref name="keys"/>, or <c>1 = 1</c> when <paramref name="keys"/> is null (everything).
    /// </summary>
    public async Task<List<T>> ReadScopedAsync<T>(string sql, string column, IReadOnlyCollection<string>? keys, Func<DbDataReader, T> row, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
        where T : class
    {
        var rows = new List<T>();
        foreach (var (text, values) in Scoped(sql, column, keys, parameters))
        {
            await ReadIntoAsync(rows, text, row, ct, values);
        }
        return rows;
    }

    /// <summary>
    /// An INSERT, UPDATE or DELETE over some keys or all, as <see cref="ReadScopedAsync{T}"/> takes them; recorded as
    /// <see cref="ExecuteAsync(string, IReadOnlyList{ValueTuple{string, object}}, CancellationToken, IEnumerable{string})"/>
    /// does, as rows of those initiatives when the keys are initiatives (the column is an <c>initiative_id</c>).
    /// </summary>
    public async Task<int> ExecuteScopedAsync(string sql, string column, IReadOnlyCollection<string>? keys, CancellationToken ct, params (string Name, object? Value)[] parameters)
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
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandTimeout = CommandTimeoutSeconds;
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
}
