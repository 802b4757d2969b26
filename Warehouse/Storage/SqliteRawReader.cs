using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// A forward-only reader over one statement prepared on SQLite's own handle (<see cref="SqliteConnection.Handle"/>), in
/// the connection's transaction: the row functions of the loads and marts read through it as through Microsoft.Data.Sqlite's
/// reader, with the same values (long, double, text, byte[] or DBNull). Microsoft.Data.Sqlite checks the connection,
/// the reader's state and the ordinal, and asks SQLite for the storage class anew, on every value; the marts of a scale-1
/// full refresh read about a million. Text is decoded as Microsoft.Data.Sqlite decodes it, and a column's value equal to
/// the row before's (an initiative, a line kind) is the same string, not a copy.
/// </summary>
public sealed class SqliteRawReader : DbDataReader
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _fieldCount;
    private readonly int[] _types;
    private readonly string?[] _lastText;
    private readonly byte[]?[] _lastBytes;
    private readonly int[] _lastLength;
    private bool _closed;
    private bool _done;
    private bool _hasRow;

    private SqliteRawReader(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
        _fieldCount = raw.sqlite3_column_count(statement);
        _types = new int[_fieldCount];
        _lastText = new string?[_fieldCount];
        _lastBytes = new byte[]?[_fieldCount];
        _lastLength = new int[_fieldCount];
    }

    /// <summary>
    /// Prepares <paramref name="sql"/> with <paramref name="parameters"/> bound by name; null when this reader does not
    /// take it as Microsoft.Data.Sqlite would (more than one statement, a parameter of another type or one left unbound),
    /// which the caller then runs through Microsoft.Data.Sqlite as before, errors included.
    /// </summary>
    public static SqliteRawReader? TryOpen(SqliteConnection connection, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        if (connection.Handle is not { } db)
        {
            return null;
        }
        var rc = raw.sqlite3_prepare_v2(db, sql, out var statement, out var tail);
        if (rc != raw.SQLITE_OK || statement is null || statement.IsInvalid || !string.IsNullOrWhiteSpace(tail))
        {
            statement?.Dispose();
            return null;
        }
        if (!BindAll(statement, parameters))
        {
            statement.Dispose();
            return null;
        }
        return new SqliteRawReader(db, statement);
    }

    /// <summary>Binds as Microsoft.Data.Sqlite binds the types the warehouse's reads pass; false for any other, or an unbound parameter.</summary>
    private static bool BindAll(sqlite3_stmt statement, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var count = raw.sqlite3_bind_parameter_count(statement);
        var bound = new bool[count + 1];
        var indexes = count > ByNameUpTo ? IndexesOf(statement, count) : null;
        foreach (var (name, value) in parameters)
        {
            var index = indexes is null ? IndexOf(statement, name) : IndexOf(indexes, name);
            if (index == 0)
            {
                // Microsoft.Data.Sqlite leaves a parameter the statement does not name alone.
                continue;
            }
            var rc = value switch
            {
                null or DBNull => raw.sqlite3_bind_null(statement, index),
                string s => raw.sqlite3_bind_text(statement, index, s),
                long l => raw.sqlite3_bind_int64(statement, index, l),
                int i => raw.sqlite3_bind_int64(statement, index, i),
                bool b => raw.sqlite3_bind_int64(statement, index, b ? 1 : 0),
                double d when !double.IsNaN(d) => raw.sqlite3_bind_double(statement, index, d),
                _ => -1,
            };
            if (rc != raw.SQLITE_OK)
            {
                return false;
            }
            bound[index] = true;
        }
        for (var i = 1; i <= count; i++)
        {
            if (!bound[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Up to this many parameters each is looked up by name in the statement. SQLite finds a name by comparing it with
    /// every name before it, so a scoped read's 500 keys (@scope0…@scope499) cost 125,000 string comparisons a statement;
    /// beyond it the names are taken once, by number, into a dictionary.
    /// </summary>
    private const int ByNameUpTo = 16;

    /// <summary>Each parameter's index by its name as the statement spells it.</summary>
    private static Dictionary<string, int> IndexesOf(sqlite3_stmt statement, int count)
    {
        var indexes = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (var i = 1; i <= count; i++)
        {
            if (raw.sqlite3_bind_parameter_name(statement, i).utf8_to_string() is { Length: > 0 } name)
            {
                indexes.TryAdd(name, i);
            }
        }
        return indexes;
    }

    /// <summary><see cref="IndexOf(sqlite3_stmt, string)"/> over the names taken by <see cref="IndexesOf"/>.</summary>
    private static int IndexOf(Dictionary<string, int> indexes, string name)
    {
        if (indexes.TryGetValue(name, out var index) || name.Length == 0 || name[0] is '@' or '$' or ':')
        {
            return index;
        }
        foreach (var prefix in (string[])["@", "$", ":"])
        {
            if (indexes.TryGetValue(prefix + name, out index))
            {
                return index;
            }
        }
        return 0;
    }

    /// <summary>The index of a parameter as Microsoft.Data.Sqlite finds it: its name as given, or with a prefix when it has none.</summary>
    private static int IndexOf(sqlite3_stmt statement, string name)
    {
        var index = raw.sqlite3_bind_parameter_index(statement, name);
        if (index != 0 || name.Length == 0 || name[0] is '@' or '$' or ':')
        {
            return index;
        }
        foreach (var prefix in (string[])["@", "$", ":"])
        {
            if ((index = raw.sqlite3_bind_parameter_index(statement, prefix + name)) != 0)
            {
                return index;
            }
        }
        return 0;
    }

    public override bool Read()
    {
        if (_closed || _done)
        {
            return false;
        }
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            _hasRow = true;
            for (var i = 0; i < _types.Length; i++)
            {
                _types[i] = SqliteNative.ColumnType(_statement, i);
            }
            return true;
        }
        _done = true;
        _hasRow = false;
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
        return false;
    }

    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Read() ? True : False;
    }

    private static readonly Task<bool> True = Task.FromResult(true);
    private static readonly Task<bool> False = Task.FromResult(false);

    /// <summary>The storage class of a value of the current row (SQLITE_INTEGER, _FLOAT, _TEXT, _BLOB or _NULL).</summary>
    public int TypeOf(int ordinal)
    {
        if (!_hasRow)
        {
            throw new InvalidOperationException("No data exists for the row/column.");
        }
        return _types[ordinal];
    }

    public override bool IsDBNull(int ordinal) => TypeOf(ordinal) == raw.SQLITE_NULL;

    public override long GetInt64(int ordinal)
    {
        TypeOf(ordinal);
        return SqliteNative.ColumnInt64(_statement, ordinal);
    }

    public override int GetInt32(int ordinal) => checked((int)GetInt64(ordinal));

    public override short GetInt16(int ordinal) => checked((short)GetInt64(ordinal));

    public override byte GetByte(int ordinal) => checked((byte)GetInt64(ordinal));

    public override bool GetBoolean(int ordinal) => GetInt64(ordinal) != 0;

    public override double GetDouble(int ordinal)
    {
        TypeOf(ordinal);
        return SqliteNative.ColumnDouble(_statement, ordinal);
    }

    public override float GetFloat(int ordinal) => (float)GetDouble(ordinal);

    // As Microsoft.Data.Sqlite: the value's text, parsed.
    public override decimal GetDecimal(int ordinal) =>
        decimal.Parse(GetString(ordinal), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);

    public override string GetString(int ordinal)
    {
        if (TypeOf(ordinal) == raw.SQLITE_NULL)
        {
            throw new InvalidCastException("The value is NULL.");
        }
        if (_types[ordinal] != raw.SQLITE_TEXT)
        {
            // sqlite3_column_text converts a number to its text, as Microsoft.Data.Sqlite's GetString does; text needs no
            // conversion, and its bytes are what sqlite3_column_blob gives, one native call fewer.
            _ = raw.sqlite3_column_text(_statement, ordinal);
            if (_types[ordinal] == raw.SQLITE_BLOB)
            {
                // SQLite turns a BLOB read as text into text, which Microsoft.Data.Sqlite then reads it as.
                _types[ordinal] = raw.sqlite3_column_type(_statement, ordinal);
            }
        }
        var bytes = SqliteNative.ColumnBlob(_statement, ordinal);
        var last = _lastBytes[ordinal];
        if (last is not null && _lastLength[ordinal] == bytes.Length && bytes.SequenceEqual(last.AsSpan(0, bytes.Length)))
        {
            return _lastText[ordinal]!;
        }
        var value = Encoding.UTF8.GetString(bytes);
        if (bytes.Length <= 64)
        {
            if (last is null || last.Length < bytes.Length)
            {
                _lastBytes[ordinal] = last = new byte[64];
            }
            bytes.CopyTo(last);
            _lastLength[ordinal] = bytes.Length;
            _lastText[ordinal] = value;
        }
        else
        {
            _lastBytes[ordinal] = null;
        }
        return value;
    }

    public override object GetValue(int ordinal) => TypeOf(ordinal) switch
    {
        raw.SQLITE_INTEGER => SqliteNative.ColumnInt64(_statement, ordinal),
        raw.SQLITE_FLOAT => SqliteNative.ColumnDouble(_statement, ordinal),
        raw.SQLITE_TEXT => GetString(ordinal),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(_statement, ordinal).ToArray(),
        _ => DBNull.Value,
    };

    public override int GetValues(object[] values)
    {
        var n = Math.Min(values.Length, _fieldCount);
        for (var i = 0; i < n; i++)
        {
            values[i] = GetValue(i);
        }
        return n;
    }

    /// <summary>The type of the current value, as Microsoft.Data.Sqlite gives it for a value that is not NULL.</summary>
    public override Type GetFieldType(int ordinal) => TypeOf(ordinal) switch
    {
        raw.SQLITE_INTEGER => typeof(long),
        raw.SQLITE_FLOAT => typeof(double),
        raw.SQLITE_TEXT => typeof(string),
        raw.SQLITE_BLOB => typeof(byte[]),
        _ => typeof(object),
    };

    public override string GetDataTypeName(int ordinal) => raw.sqlite3_column_decltype(_statement, ordinal).utf8_to_string() ?? "";

    public override string GetName(int ordinal) => raw.sqlite3_column_name(_statement, ordinal).utf8_to_string();

    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < _fieldCount; i++)
        {
            if (string.Equals(GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(name), name, "No such column.");
    }

    public override DateTime GetDateTime(int ordinal) => DateTime.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

    public override Guid GetGuid(int ordinal) => Guid.Parse(GetString(ordinal));

    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("The warehouse's reads take no bytes.");

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("The warehouse's reads take no characters one by one.");

    public override int FieldCount => _fieldCount;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override int RecordsAffected => -1;

    public override bool HasRows => throw new NotSupportedException("Read, rather than ask whether there are rows.");

    public override bool IsClosed => _closed;

    public override int Depth => 0;

    public override bool NextResult() => false;

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    public override void Close()
    {
        if (!_closed)
        {
            _closed = true;
            _statement.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }
        base.Dispose(disposing);
    }
}
