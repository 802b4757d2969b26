using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using NackaInsights.Warehouse.Storage;
using SQLitePCL;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// Columns as the three databases return them: SQLite gives long, double and text where PostgreSQL gives int, decimal
/// and dates. Used with <c>using static</c> by the row functions of the loads and marts.
/// </summary>
/// <remarks>
/// On SQLite a number is read as the type it is stored as, unboxed (<see cref="SqliteInteger"/>, <see cref="SqliteReal"/>):
/// the marts read some 400,000 numbers in a scale-1 full refresh, and each went through a boxed <see cref="DbDataReader.GetValue"/>
/// and <see cref="Convert"/>. The conversions are those <see cref="Convert"/> makes; any other storage class takes the general path.
/// The warehouse's own reads on SQLite come through <see cref="SqliteRawReader"/>, which says the storage class straight away.
/// </remarks>
public static class Columns
{
    public static string Text(DbDataReader r, int i) => r.GetString(i);

    public static string? TextOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static int Int(DbDataReader r, int i) =>
        r is SqliteRawReader fast && fast.TypeOf(i) == raw.SQLITE_INTEGER ? checked((int)fast.GetInt64(i))
        : SqliteInteger(r, i) is { } sqlite ? checked((int)sqlite.GetInt64(i)) : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    public static int? IntOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Int(r, i);

    public static long Long(DbDataReader r, int i) =>
        r is SqliteRawReader fast && fast.TypeOf(i) == raw.SQLITE_INTEGER ? fast.GetInt64(i)
        : SqliteInteger(r, i) is { } sqlite ? sqlite.GetInt64(i) : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    public static long? LongOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Long(r, i);

    public static decimal Dec(DbDataReader r, int i) =>
        r is SqliteRawReader fast && fast.TypeOf(i) is raw.SQLITE_FLOAT or raw.SQLITE_INTEGER
            ? (fast.TypeOf(i) == raw.SQLITE_FLOAT ? (decimal)fast.GetDouble(i) : fast.GetInt64(i))
        : SqliteReal(r, i) is { } real ? (decimal)real.GetDouble(i)
        : SqliteInteger(r, i) is { } integer ? integer.GetInt64(i)
        : Convert.ToDecimal(r.GetValue(i), CultureInfo.InvariantCulture);

    public static decimal? DecOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Dec(r, i);

    public static double Double(DbDataReader r, int i) =>
        r is SqliteRawReader fast && fast.TypeOf(i) == raw.SQLITE_FLOAT ? fast.GetDouble(i)
        : SqliteReal(r, i) is { } real ? real.GetDouble(i) : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    public static double? DoubleOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Double(r, i);

    /// <summary>A date; SQLite's text in the warehouse's own format (yyyy-MM-dd) is parsed as exactly that.</summary>
    public static DateOnly Date(DbDataReader r, int i) => r.GetValue(i) switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        string s => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
            : DateOnly.FromDateTime(DateTime.Parse(s, CultureInfo.InvariantCulture)),
        var other => throw new InvalidCastException($"Not a date: {other}"),
    };

    public static DateOnly? DateOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Date(r, i);

    public static DateTime Timestamp(DbDataReader r, int i) => ReadTimestamp(r.GetValue(i));

    /// <summary>
    /// A timestamp as any of the databases returns it, in UTC. SQLite's text in the warehouse's own format is parsed as
    /// exactly that, which <see cref="DateTime.Parse(string, IFormatProvider)"/> reads alike after trying every pattern it knows.
    /// </summary>
    public static DateTime ReadTimestamp(object value) => value switch
    {
        DateTime dt => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
        DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        string s when TryParseStored(s, out var stored) => stored,
        string s when DateTime.TryParseExact(s, Storage.SqliteDialect.TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exact) =>
            DateTime.SpecifyKind(exact, DateTimeKind.Utc),
        string s => DateTime.SpecifyKind(DateTime.Parse(s, CultureInfo.InvariantCulture), DateTimeKind.Utc),
        _ => throw new InvalidCastException($"Not a timestamp: {value}"),
    };

    /// <summary>
    /// SQLite's text in the warehouse's own format (<see cref="Storage.SqliteDialect.TimestampFormat"/>) read digit by
    /// digit: a small run reads two for each of the warehouse's files, and DateTime.TryParseExact took about 1 µs each
    /// (17,600 at scale 4). Anything else, or a date that does not exist, is left to the parsers after it.
    /// </summary>
    public static bool TryParseStored(string s, out DateTime utc)
    {
        utc = default;
        if (s.Length != 23 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[19] != '.')
        {
            return false;
        }
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second)
            || !Digits(s, 20, 3, out var millisecond)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        utc = new DateTime(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc);
        return true;

        static bool Digits(string s, int start, int count, out int value)
        {
            value = 0;
            for (var i = start; i < start + count; i++)
            {
                var digit = s[i] - '0';
                if ((uint)digit > 9)
                {
                    return false;
                }
                value = value * 10 + digit;
            }
            return true;
        }
    }

    /// <summary>The reader when it is SQLite's and the value is stored as an INTEGER: read with <see cref="SqliteDataReader.GetInt64"/>.</summary>
    private static SqliteDataReader? SqliteInteger(DbDataReader r, int i) =>
        r is SqliteDataReader sqlite && sqlite.GetFieldType(i) == typeof(long) ? sqlite : null;

    /// <summary>The reader when it is SQLite's and the value is stored as a REAL: read with <see cref="SqliteDataReader.GetDouble"/>.</summary>
    private static SqliteDataReader? SqliteReal(DbDataReader r, int i) =>
        r is SqliteDataReader sqlite && sqlite.GetFieldType(i) == typeof(double) ? sqlite : null;
}
