using System.Data.Common;
using System.Globalization;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>
/// A run's bulk inserts (<see cref="WarehouseDialect.BulkInsertAsync"/>): every kind of value is stored as the database
/// stores it, however many rows there are and however they fall into the statements the dialect writes them with.
/// </summary>
public abstract class BulkInsertFacts : WarehouseFacts
{
    protected static readonly BulkTable Probe = new("bulk_probe",
        new BulkColumn("id", ColumnType.Int64), new BulkColumn("name", ColumnType.Text), new BulkColumn("amount", ColumnType.Decimal),
        new BulkColumn("ratio", ColumnType.Ratio), new BulkColumn("day", ColumnType.Date), new BulkColumn("at_utc", ColumnType.TimestampUtc),
        new BulkColumn("flag", ColumnType.Flag), new BulkColumn("small", ColumnType.Int32));

    protected abstract string CreateProbe { get; }

    /// <summary>Inserts the rows in one transaction, commits, and reads the probe table back, in id order, as text.</summary>
    protected async Task<List<string>> InsertAndReadAsync(IReadOnlyList<object?[]> rows)
    {
        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        {
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            await connection.ExecuteAsync(CreateProbe, transaction: transaction);
            var sql = new RunTransaction(Warehouse.Database, connection, transaction);
            await sql.InsertAsync(Probe, rows, Ct);
            await transaction.CommitAsync(Ct);
        }
        await using var reader = await Warehouse.Database.OpenAsync(Ct);
        await using var command = reader.CreateCommand();
        command.CommandText = "SELECT id, name, amount, ratio, day, at_utc, flag, small FROM bulk_probe ORDER BY id";
        await using var data = await command.ExecuteReaderAsync(Ct);
        var read = new List<string>();
        while (await data.ReadAsync(Ct))
        {
            read.Add(string.Join("|", Enumerable.Range(0, data.FieldCount).Select(i => Show(data.GetValue(i)))));
        }
        return read;
    }

    /// <summary>A value as text, the same whichever type the provider reads it back as.</summary>
    private static string Show(object value) => value switch
    {
        DBNull => "NULL",
        DateTime dt => dt.TimeOfDay == TimeSpan.Zero && dt.Kind == DateTimeKind.Unspecified && dt.Millisecond == 0 && dt.Second == 0
            ? dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : dt.ToString(SqliteDialect.TimestampFormat, CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        // Beyond a decimal's range (the ratios of the magnitudes fact), as the double's own round-tripping text.
        double d => Math.Abs(d) is > 1e-20 and < 1e20 || d == 0 ? ((decimal)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static object?[] Row(long id) =>
    [
        id, id % 7 == 0 ? "" : id % 5 == 0 ? null : $"namn {id} åäö ✓", id % 3 == 0 ? null : 1000.25m + id, id / 8.0,
        id % 4 == 0 ? new DateOnly(2024, 1, 1).AddDays((int)id) : null, new DateTime(2025, 6, 1, 12, 30, 15, 123, DateTimeKind.Utc).AddMinutes(id),
        id % 2 == 0, (int)id * 10,
    ];

    private static string Expected(long id)
    {
        var row = Row(id);
        return string.Join("|",
            id.ToString(CultureInfo.InvariantCulture),
            row[1] is string s ? s : "NULL",
            row[2] is decimal m ? m.ToString(CultureInfo.InvariantCulture) : "NULL",
            ((decimal)(id / 8.0)).ToString(CultureInfo.InvariantCulture),
            row[4] is DateOnly d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "NULL",
            ((DateTime)row[5]!).ToString(SqliteDialect.TimestampFormat, CultureInfo.InvariantCulture),
            id % 2 == 0 ? "1" : "0",
            (id * 10).ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(1_000)]
    public async Task EveryRow_IsStoredWithEveryValue_AsWritten_EmptyTextAndNullsIncluded(int rows)
    {
        var written = Enumerable.Range(1, rows).Select(i => Row(i)).ToList();

        var read = await InsertAndReadAsync(written);

        Assert.Equal(Enumerable.Range(1, rows).Select(i => Expected(i)), read);
    }

    [Fact]
    public async Task TextAndRatios_AreStoredExactly_WhateverCharactersAndMagnitudesTheyHold()
    {
        // What a list item or a cell can hold: the characters COPY's text form escapes, its null and end markers as
        // text, a value longer than one piece with a surrogate pair across the boundary, and ratios far from 1.
        var long8k = new string('x', 8 * 1024 - 1) + "😀" + new string('\\', 3) + "\t" + new string('y', 20_000);
        var texts = new[]
        {
            "tab\there", "rad\nny rad", "vagn\rretur", "bak\\snedstreck", "\\N", "\\.", "\\", "\t", "\n\r\t\\ ", " mellanslag ",
            "åäö ÅÄÖ é ñ ✓ 😀 𝄞", long8k, "slut\\",
        };
        var ratios = new[] { 0.1, -0.1, 1e-300, 1.7976931348623157e308, -2.5e-7, 123456789.123456789, 1.0 / 3, double.Epsilon };
        var rows = texts.Select((t, i) => new object?[] { (long)i + 1, t, null, ratios[i % ratios.Length], null, null, null, null }).ToList();

        await InsertAndReadAsync(rows);

        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        var read = (await connection.QueryAsync<(long Id, string Name, double Ratio)>("SELECT id, name, ratio FROM bulk_probe ORDER BY id")).ToList();
        Assert.Equal(texts, read.Select(r => r.Name));
        Assert.Equal(rows.Select(r => (double)r[3]!), read.Select(r => r.Ratio));
    }

    [Fact]
    public async Task ARowBreakingAConstraint_FailsTheInsert_WithTheDatabasesError()
    {
        var rows = Enumerable.Range(1, 100).Select(i => Row(i)).Append(Row(50)).ToList();

        await Assert.ThrowsAnyAsync<DbException>(() => InsertAndReadAsync(rows));
    }
}

public sealed class SqliteBulkInsertFacts : BulkInsertFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    // name has no type, so no affinity: a value is stored as it was bound.
    protected override string CreateProbe =>
        "CREATE TABLE bulk_probe (id INTEGER NOT NULL PRIMARY KEY, name NULL, amount REAL NULL, ratio REAL NULL, day TEXT NULL, at_utc TEXT NULL, flag INTEGER NULL, small INTEGER NULL)";

    /// <summary>
    /// The binds and the raw reader's column reads call SQLite straight (<see cref="SqliteNative"/>) when its library is the
    /// copy SQLitePCLRaw loaded: here it is, so the facts of this class and of the raw reader test those calls.
    /// </summary>
    [Fact]
    public void SqlitesBindsAndColumnReads_GoStraightIntoTheLibrarySqlitePclRawLoaded()
    {
        Assert.True(SqliteNative.Direct);
    }

    [Fact]
    public async Task ATextColumnGivenANumber_StoresItAsMicrosoftDataSqliteBindsIt_AmongRowsBoundDirectly()
    {
        var rows = Enumerable.Range(1, 70).Select(i => new object?[] { (long)i, i == 40 ? 40 : $"t{i}", null, null, null, null, null, null }).ToList();

        await InsertAndReadAsync(rows);

        Assert.Equal("integer", await ScalarAsync<string>("SELECT typeof(name) FROM bulk_probe WHERE id = 40"));
        Assert.Equal(69, await ScalarAsync<long>("SELECT count(*) FROM bulk_probe WHERE typeof(name) = 'text'"));
    }

    [Fact]
    public async Task AValueNoNumberIs_IsRefused_AsMicrosoftDataSqliteRefusedIt()
    {
        var rows = new List<object?[]> { new object?[] { 1L, "x", null, double.NaN, null, null, null, null } };

        await Assert.ThrowsAsync<InvalidOperationException>(() => InsertAndReadAsync(rows));
    }
}

public sealed class PostgresBulkInsertFacts(PostgresCluster cluster) : BulkInsertFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    protected override string CreateProbe =>
        "CREATE TABLE bulk_probe (id bigint NOT NULL PRIMARY KEY, name text NULL, amount numeric(18, 2) NULL, ratio double precision NULL, day date NULL, at_utc timestamp(3) NULL, flag smallint NULL, small integer NULL)";

    private static readonly BulkTable Exact = new("bulk_exact",
        new BulkColumn("id", ColumnType.Int64), new BulkColumn("amount", ColumnType.Decimal), new BulkColumn("day", ColumnType.Date),
        new BulkColumn("at_utc", ColumnType.TimestampUtc), new BulkColumn("small", ColumnType.Int32), new BulkColumn("flag", ColumnType.Flag));

    /// <summary>
    /// The dialect encodes COPY's binary form itself (<see cref="PostgresCopyBinary"/>): every decimal is stored with its
    /// value and its scale, as PostgreSQL's own text of the numeric shows (1.50 stays 1.50), every date and timestamp to the
    /// microsecond, the extremes of each type included.
    /// </summary>
    [Fact]
    public async Task DecimalsDatesAndTimestamps_AreStoredExactly_WithTheirScale_AtTheirExtremes()
    {
        decimal[] amounts =
        [
            0m, 0.00m, -0m, 1m, -1m, 1.5m, 1.50m, 0.05m, -0.01m, 0.0001m, 0.00005m, 0.0000000000000000000000000001m, 9999m, 10000m,
            10000.0001m, 100000000m, 12345678.9012m, -98765.4321m, 1000.25m, 123456789012345678901234.5678m, decimal.MaxValue, decimal.MinValue,
            7.9228162514264337593543950335m, 1e20m, 0.1000m, 20000000000000000000000000000m,
        ];
        DateOnly[] days = [new(2000, 1, 1), new(1999, 12, 31), new DateOnly(1, 1, 1).AddDays(1), new(2024, 2, 29), new(9999, 12, 30)];
        DateTime[] times =
        [
            new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2025, 6, 1, 12, 30, 15, DateTimeKind.Utc).AddTicks(1_234_567),
            new(1970, 1, 1, 0, 0, 0, DateTimeKind.Unspecified), new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990),
            new(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc),
        ];
        int[] smalls = [0, 1, -1, int.MaxValue, int.MinValue];
        var rows = amounts.Select((m, i) => new object?[]
        {
            (long)i + 1, m, days[i % days.Length], times[i % times.Length], smalls[i % smalls.Length], i % 2 == 0,
        }).ToList();

        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            await connection.ExecuteAsync("CREATE TABLE bulk_exact (id bigint PRIMARY KEY, amount numeric, day date, at_utc timestamp, small integer, flag smallint)", transaction: transaction);
            await PostgresDialect.Instance.BulkInsertAsync(connection, transaction, Exact, rows, 30, Ct);
            await transaction.CommitAsync(Ct);
        }
        var read = (await connection.QueryAsync<(string Amount, string Day, string At, int Small, short Flag)>(
            "SELECT amount::text, to_char(day, 'YYYY-MM-DD'), to_char(at_utc, 'YYYY-MM-DD HH24:MI:SS.US'), small, flag FROM bulk_exact ORDER BY id")).ToList();

        Assert.Equal(amounts.Select(m => m.ToString(CultureInfo.InvariantCulture)), read.Select(r => r.Amount));
        Assert.Equal(rows.Select(r => ((DateOnly)r[2]!).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), read.Select(r => r.Day));
        Assert.Equal(rows.Select(r => ((DateTime)r[3]!).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)), read.Select(r => r.At));
        Assert.Equal(rows.Select(r => (int)r[4]!), read.Select(r => r.Small));
        Assert.Equal(rows.Select(r => (short)((bool)r[5]! ? 1 : 0)), read.Select(r => r.Flag));
    }

    [Fact]
    public async Task AConnectionInAnotherClientEncoding_IsRefused_BeforeAnyTextIsSentAsUtf8()
    {
        await using var connection = new Npgsql.NpgsqlConnection(Warehouse.Options.ConnectionString + ";Client Encoding=LATIN1");
        await connection.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync(CreateProbe, transaction: transaction);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            PostgresDialect.Instance.BulkInsertAsync(connection, transaction, Probe, [[1L, "åäö", null, null, null, null, null, null]], 30, Ct));

        Assert.Contains("LATIN1", refused.Message);
    }

    [Fact]
    public async Task AValueThatCannotBeWritten_CancelsTheCopy_KeepingNoneOfItsRows_AndTheConnectionUsable()
    {
        var rows = Enumerable.Range(1, 5_000).Select(i => new object?[] { (long)i, i == 4_000 ? 4_000 : $"t{i}", null, null, null, null, null, null }).ToList();

        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            await connection.ExecuteAsync(CreateProbe, transaction: transaction);
            await transaction.CommitAsync(Ct);
        }
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            await Assert.ThrowsAsync<InvalidCastException>(() => PostgresDialect.Instance.BulkInsertAsync(connection, transaction, Probe, rows, 30, Ct));
            await transaction.RollbackAsync(Ct);
        }

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM bulk_probe"));
    }
}
