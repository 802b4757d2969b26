using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace NackaInsights.Warehouse.Storage;

/// <summary>The embedded default: one file, no server.</summary>
public sealed class SqliteDialect : WarehouseDialect
{
    public static readonly SqliteDialect Instance = new();

    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff";

    /// <summary>
    /// How much of one statement's journal SQLite keeps in memory before writing it to a temporary file (its default is
    /// 64 KiB). A multi-row INSERT inside the run's transaction journals every page it touches, in case it must be undone
    /// alone, and the warehouse's indexed tables let 32 rows touch far more than 16 pages: a full refresh at scale 1 wrote
    /// about 68,000 pages to such files, 150,000 of its 222,000 write calls; with this bound none (the largest journal
    /// was 2.9 MB). Keeping them in memory cut the process's system time by 0.34-0.42 s (3 pairs, a quiet machine). A
    /// larger statement still spills, so the memory stays bounded; <c>PRAGMA temp_store = MEMORY</c>, which was measured
    /// for that pair, takes sorts and temporary tables off the disk too, with no bound.
    /// </summary>
    public const int StatementJournalInMemoryBytes = 4 * 1024 * 1024;

    // SQLITE_CONFIG_STMTJRNL_SPILL, which SQLitePCLRaw has no name for.
    private const int ConfigStatementJournalSpill = 26;

    /// <summary>
    /// Whether SQLite took <see cref="StatementJournalInMemoryBytes"/>. It is the process's, and only taken before the
    /// library's first use, which this type's first use precedes in the program: every connection is created through it.
    /// </summary>
    public static bool StatementJournalsInMemory { get; }

    static SqliteDialect()
    {
        Batteries_V2.Init();
        StatementJournalsInMemory = raw.sqlite3_config(ConfigStatementJournalSpill, StatementJournalInMemoryBytes) == raw.SQLITE_OK;
    }

    private SqliteDialect()
    {
    }

    public override WarehouseProvider Provider => WarehouseProvider.Sqlite;

    public override string ScriptFolder => "sqlite";

    public override string ListViews => "SELECT name FROM sqlite_master WHERE type = 'view'";

    // One file, one user: nothing to grant.
    public override string? GrantReader(string objectName) => null;

    /// <remarks>
    /// SQLite's own settings are kept but for WAL and a new file's 16 KiB pages (sql/sqlite/000_schema_version.sql), on measurement (issue 21, CPU time of the
    /// whole process, interleaved, a 2-core machine under load): a 64 MB page cache (cache_size -65536) on the writing
    /// connection saved about 0.3 s of system time at scale 1 and nothing clear at scale 4, for 50–100 MB more peak memory
    /// (near the 400 MB bound at scale 4); synchronous NORMAL, temp_store MEMORY and mmap_size changed nothing measurable,
    /// fsync being cheap here and the run's pages being read from the WAL, which mmap does not serve. The WAL does not
    /// outgrow the database (in-transaction frames are overwritten), and the checkpoint that copies it into the database
    /// stays on the user's clock wherever it goes: wal_autocheckpoint 0 only moves it from the COMMIT to the connection's
    /// close at exit, and leaving it to a later process would put it on the small runs. A run's publish runs it beside the
    /// result workbooks instead (<see cref="PublishAsync"/>).
    /// </remarks>
    public override DbConnection CreateConnection(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true };
        if (builder.DefaultTimeout < 30)
        {
            builder.DefaultTimeout = 30;
        }
        return new SqliteConnection(builder.ToString());
    }

    public override Task<IAsyncDisposable?> TryAcquireRefreshLockAsync(DbConnection connection, CancellationToken ct)
    {
        // SQLite has no session locks: an exclusive lock on a file beside the database serves
        // every process on the machine, which is every process that can open the file.
        var dataSource = new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:")
        {
            return Task.FromResult<IAsyncDisposable?>(new Releaser(() => ValueTask.CompletedTask));
        }
        try
        {
            var stream = new FileStream(Path.GetFullPath(dataSource) + ".refresh-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return Task.FromResult<IAsyncDisposable?>(new Releaser(() => stream.DisposeAsync()));
        }
        catch (IOException)
        {
            return Task.FromResult<IAsyncDisposable?>(null);
        }
    }

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default) already excludes every other writer.
    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Commits without the checkpoint SQLite's auto-checkpoint would run inside the COMMIT (copying the run's log, almost
    /// the whole database after a full refresh, into the database file and syncing it: 0.46 s at scale 1, 2.2 s at scale
    /// 4), and runs that checkpoint on a connection of its own while the process goes on to the result workbooks. The data
    /// is durable at the COMMIT (in the log) and every reader sees it at once, from the log; a process killed during the
    /// checkpoint leaves a log the next connection to open the file reads, and the checkpoint after it completes.
    /// Auto-checkpoints stay off on the run's connection until the checkpoint is done, so that its next small commits do
    /// not start a second copy; wal_autocheckpoint 0 alone had only moved the copy to the connection's close at exit.
    /// Measured at scale 1 (4 runs against main interleaved, on a machine loaded 10-50 times over): the checkpoint took
    /// 0.4-3.1 s beside the result workbooks and was never waited for; the publish phase's median 2.74 -> 1.12 s.
    /// </summary>
    public override async Task<IAsyncDisposable> PublishAsync(WarehouseDatabase database, DbConnection connection, DbTransaction transaction, ILogger logger, CancellationToken ct)
    {
        var sqlite = (SqliteConnection)connection;
        var every = Convert.ToInt64(await PragmaAsync(sqlite, transaction, "PRAGMA wal_autocheckpoint"), CultureInfo.InvariantCulture);
        await PragmaAsync(sqlite, transaction, "PRAGMA wal_autocheckpoint = 0");
        try
        {
            await transaction.CommitAsync(ct);
        }
        catch
        {
            await RestoreAutoCheckpointAsync(sqlite, every, logger);
            throw;
        }
        return new Checkpoint(sqlite, every, Task.Run(() => CheckpointAsync(database, logger), CancellationToken.None), logger);
    }

    private static async Task<object?> PragmaAsync(SqliteConnection connection, DbTransaction? transaction, string pragma)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = (SqliteTransaction?)transaction;
        command.CommandText = pragma;
        return await command.ExecuteScalarAsync();
    }

    private static async Task RestoreAutoCheckpointAsync(SqliteConnection connection, long every, ILogger logger)
    {
        try
        {
            // A pooled connection goes back as it came.
            await PragmaAsync(connection, null, $"PRAGMA wal_autocheckpoint = {every.ToString(CultureInfo.InvariantCulture)}");
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            logger.LogDebug(e, "Could not turn SQLite's auto-checkpoint back on; the connection's close checkpoints instead");
        }
    }

    private static async Task<TimeSpan> CheckpointAsync(WarehouseDatabase database, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await using var command = connection.CreateCommand();
            // PASSIVE, as the auto-checkpoint: it waits for no reader; what a reader's snapshot still holds is copied later.
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            logger.LogWarning(e, "The checkpoint after a run's COMMIT failed; the published data stays in the log, which the next checkpoint copies");
        }
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>The checkpoint running after a COMMIT; disposing it waits for it and turns auto-checkpoints back on.</summary>
    private sealed class Checkpoint(SqliteConnection connection, long every, Task<TimeSpan> running, ILogger logger) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            var waiting = Stopwatch.GetTimestamp();
            var took = await running;
            logger.LogDebug("The checkpoint after the COMMIT took {Took:F3} s, {Waited:F3} s of it waited for", took.TotalSeconds, Stopwatch.GetElapsedTime(waiting).TotalSeconds);
            await RestoreAutoCheckpointAsync(connection, every, logger);
        }
    }

    /// <summary>
    /// Rows one INSERT statement takes (<c>VALUES (…), (…)</c>), within SQLite's 32,766 parameters of a statement:
    /// each execution of a statement costs a VDBE start and reset, shared out over the rows.
    /// </summary>
    internal const int RowsPerStatement = 32;

    /// <summary>
    /// Inserts through SQLite's own API (<see cref="SqliteConnection.Handle"/>), in the connection's transaction: a
    /// statement prepared once, each value bound by position, straight from the row. Microsoft.Data.Sqlite bound every
    /// value of every row by name (the name looked up in the statement, UTF-8 converted, each time) and boxed it through
    /// <see cref="ToDb"/>: in a profile of a full refresh at scale 1 (about 280,000 rows) that was half of the bulk inserts'
    /// time, and SQLite's own insert the rest. The load phase went from 1.79 s to 1.18 s (medians of 3, interleaved), the
    /// realization mart, which writes 70,000 rows through here, from 1.10 s to 0.97 s. A value this path does not bind
    /// itself (a text column given something not a string) goes through Microsoft.Data.Sqlite as before, for that row.
    /// </summary>
    public override Task BulkInsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, IReadOnlyList<object?[]> rows, int timeoutSeconds, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }
        var sqlite = (SqliteConnection)connection;
        if (transaction.Connection != connection)
        {
            throw new InvalidOperationException("The transaction is not the connection's.");
        }
        using var insert = new RawInsert(sqlite, (SqliteTransaction)transaction, table, timeoutSeconds);
        var batch = Math.Max(1, Math.Min(RowsPerStatement, 32_766 / table.Columns.Count));
        for (var start = 0; start < rows.Count; start += batch)
        {
            ct.ThrowIfCancellationRequested();
            var end = Math.Min(rows.Count, start + batch);
            if (end - start == batch && batch > 1 && AllBindable(table, rows, start, end))
            {
                insert.Many(rows, start, batch);
                continue;
            }
            for (var r = start; r < end; r++)
            {
                insert.One(rows[r]);
            }
        }
        return Task.CompletedTask;
    }

    private static bool AllBindable(BulkTable table, IReadOnlyList<object?[]> rows, int start, int end)
    {
        for (var r = start; r < end; r++)
        {
            if (!RawInsert.Bindable(table, rows[r]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>One table's INSERT statements, prepared on the connection's own handle, finalised when disposed.</summary>
    private sealed class RawInsert : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;
        private readonly BulkTable _table;
        private readonly int _timeoutSeconds;
        private readonly sqlite3 _db;
        private sqlite3_stmt? _one;
        private sqlite3_stmt? _many;
        private SqliteCommand? _fallback;
        private byte[] _utf8 = new byte[256];
        private char[] _chars = new char[32];

        public RawInsert(SqliteConnection connection, SqliteTransaction transaction, BulkTable table, int timeoutSeconds)
        {
            _connection = connection;
            _transaction = transaction;
            _table = table;
            _timeoutSeconds = timeoutSeconds;
            _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        }

        /// <summary>Whether every value of the row is one this path binds itself: a text column's is a string or nothing.</summary>
        public static bool Bindable(BulkTable table, object?[] row)
        {
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (table.Columns[i].Type == ColumnType.Text && row[i] is not (null or DBNull or string))
                {
                    return false;
                }
            }
            return true;
        }

        public void One(object?[] row)
        {
            if (!Bindable(_table, row))
            {
                Fallback(row);
                return;
            }
            var statement = _one ??= Prepare(1);
            BindRow(statement, 0, row);
            Step(statement);
        }

        public void Many(IReadOnlyList<object?[]> rows, int start, int count)
        {
            var statement = _many ??= Prepare(count);
            for (var r = 0; r < count; r++)
            {
                BindRow(statement, r * _table.Columns.Count, rows[start + r]);
            }
            Step(statement);
        }

        private sqlite3_stmt Prepare(int rows)
        {
            var columns = _table.Columns;
            var values = "(" + string.Join(", ", Enumerable.Repeat("?", columns.Count)) + ")";
            var sql = $"INSERT INTO {_table.Name} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES {string.Join(", ", Enumerable.Repeat(values, rows))}";
            var rc = raw.sqlite3_prepare_v2(_db, sql, out var statement);
            if (rc != raw.SQLITE_OK)
            {
                statement?.Dispose();
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
            return statement ?? throw new InvalidOperationException("SQLite prepared no statement.");
        }

        private void BindRow(sqlite3_stmt statement, int offset, object?[] row)
        {
            var columns = _table.Columns;
            for (var i = 0; i < columns.Count; i++)
            {
                var rc = Bind(statement, offset + i + 1, columns[i].Type, row[i]);
                if (rc != raw.SQLITE_OK)
                {
                    SqliteException.ThrowExceptionForRC(rc, _db);
                }
            }
        }

        /// <summary>Binds a value as <see cref="ToDb"/> and Microsoft.Data.Sqlite did: the same types, text and numbers.</summary>
        private int Bind(sqlite3_stmt statement, int index, ColumnType type, object? value)
        {
            if (value is null or DBNull)
            {
                return SqliteNative.BindNull(statement, index);
            }
            switch (type)
            {
                case ColumnType.Decimal or ColumnType.Ratio:
                    var number = value is double d ? d : Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    // As Microsoft.Data.Sqlite: SQLite would store NaN as NULL.
                    return double.IsNaN(number) ? throw new InvalidOperationException("Cannot store 'NaN' values.") : SqliteNative.BindDouble(statement, index, number);
                case ColumnType.Int32 or ColumnType.Int64:
                    return SqliteNative.BindInt64(statement, index, value switch
                    {
                        long l => l,
                        int i => i,
                        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
                    });
                case ColumnType.Flag:
                    return SqliteNative.BindInt64(statement, index, value is bool b ? (b ? 1L : 0L) : Convert.ToInt64(value, CultureInfo.InvariantCulture));
                case ColumnType.Date:
                    return value is DateOnly date ? BindFormatted(statement, index, date, "yyyy-MM-dd")
                        : BindFormatted(statement, index, (DateTime)value, "yyyy-MM-dd");
                case ColumnType.TimestampUtc:
                    return BindFormatted(statement, index, (DateTime)value, TimestampFormat);
                default:
                    return BindText(statement, index, ((string)value).AsSpan());
            }
        }

        private int BindFormatted<T>(sqlite3_stmt statement, int index, T value, string format)
            where T : ISpanFormattable
        {
            int written;
            while (!value.TryFormat(_chars, out written, format, CultureInfo.InvariantCulture))
            {
                _chars = new char[_chars.Length * 2];
            }
            return BindText(statement, index, _chars.AsSpan(0, written));
        }

        /// <summary>UTF-8 as Microsoft.Data.Sqlite encodes it (a lone surrogate becomes U+FFFD); SQLite copies the bytes.</summary>
        private int BindText(sqlite3_stmt statement, int index, ReadOnlySpan<char> text)
        {
            var length = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (_utf8.Length < length)
            {
                _utf8 = new byte[Math.Max(length, _utf8.Length * 2)];
            }
            var bytes = Encoding.UTF8.GetBytes(text, _utf8);
            return SqliteNative.BindText(statement, index, _utf8.AsSpan(0, bytes));
        }

        /// <summary>Runs the statement once, waiting out a busy database as Microsoft.Data.Sqlite does, up to the command timeout.</summary>
        private void Step(sqlite3_stmt statement)
        {
            var started = Environment.TickCount64;
            int rc;
            while ((rc = raw.sqlite3_step(statement)) is raw.SQLITE_BUSY or raw.SQLITE_LOCKED or raw.SQLITE_LOCKED_SHAREDCACHE
                && (_timeoutSeconds == 0 || Environment.TickCount64 - started < _timeoutSeconds * 1000L))
            {
                raw.sqlite3_reset(statement);
                Thread.Sleep(150);
            }
            raw.sqlite3_reset(statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }
        }

        /// <summary>A row with a value this path does not bind, bound by Microsoft.Data.Sqlite, as every row was.</summary>
        private void Fallback(object?[] row)
        {
            if (_fallback is null)
            {
                _fallback = _connection.CreateCommand();
                _fallback.Transaction = _transaction;
                _fallback.CommandTimeout = _timeoutSeconds;
                var names = _table.Columns.Select(c => c.Name).ToList();
                _fallback.CommandText = $"INSERT INTO {_table.Name} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + i))})";
                for (var i = 0; i < names.Count; i++)
                {
                    _fallback.Parameters.Add(new SqliteParameter("$p" + i, null));
                }
            }
            for (var i = 0; i < _table.Columns.Count; i++)
            {
                _fallback.Parameters[i].Value = Instance.ToDb(_table.Columns[i].Type, row[i]) ?? DBNull.Value;
            }
            _fallback.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _one?.Dispose();
            _many?.Dispose();
            _fallback?.Dispose();
        }
    }

    public override object? ToDb(ColumnType type, object? value) => value switch
    {
        null => null,
        DBNull => null,
        _ => type switch
        {
            ColumnType.Decimal or ColumnType.Ratio => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            ColumnType.Date => value is DateOnly d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : ((DateTime)value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ColumnType.TimestampUtc => ((DateTime)value).ToString(TimestampFormat, CultureInfo.InvariantCulture),
            ColumnType.Flag => value is bool b ? (b ? 1L : 0L) : Convert.ToInt64(value, CultureInfo.InvariantCulture),
            ColumnType.Int32 or ColumnType.Int64 => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            _ => value,
        },
    };
}
