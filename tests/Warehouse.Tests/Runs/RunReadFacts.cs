using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>
/// A run's reads (<see cref="RunTransaction.ReadAsync{T}"/>) with the row functions of <see cref="Columns"/>: every kind
/// of value reads back as written, NULLs included, with parameters, and the rows the run's transaction wrote are seen.
/// </summary>
public abstract class RunReadFacts : WarehouseFacts
{
    protected abstract string CreateProbe { get; }

    private sealed record Probe(long Id, int Small, string? Name, decimal? Amount, double? Ratio, DateOnly? Day, DateTime? At, long? Big);

    private static Probe ReadProbe(DbDataReader r) =>
        new(Long(r, 0), Int(r, 1), TextOrNull(r, 2), DecOrNull(r, 3), DoubleOrNull(r, 4), DateOrNull(r, 5), r.IsDBNull(6) ? null : Timestamp(r, 6), LongOrNull(r, 7));

    /// <summary>Writes the probe rows in a transaction, then reads them in it, through the run's reads.</summary>
    private async Task<List<T>> WriteAndReadAsync<T>(string sql, Func<DbDataReader, T> row, params (string Name, object? Value)[] parameters)
        where T : class
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync(CreateProbe, transaction: transaction);
        var run = new RunTransaction(Warehouse.Database, connection, transaction);
        await run.InsertAsync(ProbeTable, Rows, Ct);
        return await run.ReadAsync(sql, row, Ct, parameters);
    }

    protected static readonly BulkTable ProbeTable = new("read_probe",
        new BulkColumn("id", ColumnType.Int64), new BulkColumn("small", ColumnType.Int32), new BulkColumn("name", ColumnType.Text),
        new BulkColumn("amount", ColumnType.Decimal), new BulkColumn("ratio", ColumnType.Ratio), new BulkColumn("day", ColumnType.Date),
        new BulkColumn("at_utc", ColumnType.TimestampUtc), new BulkColumn("big", ColumnType.Int64));

    protected static readonly List<object?[]> Rows =
    [
        [1L, 7, "Nytta", 1234.5m, 0.25, new DateOnly(2025, 3, 1), new DateTime(2025, 3, 1, 8, 30, 15, 250, DateTimeKind.Utc), 9_000_000_000L],
        [2L, -3, "Nytta", -0.0001m, 1.0 / 3, new DateOnly(2024, 12, 31), new DateTime(2024, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc), 0L],
        [3L, 0, null, null, null, null, null, null],
        [4L, 12, "åäö ✓ Kostnad", 0m, 0.0, new DateOnly(2026, 1, 1), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), -1L],
        [5L, 12, "", 99999999.9999m, 2.5, new DateOnly(2026, 1, 2), new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc), 5L],
        [6L, 1, "Nytta", 1m, 1.0, new DateOnly(2026, 1, 3), new DateTime(2026, 1, 3, 0, 0, 0, DateTimeKind.Utc), 6L],
    ];

    [Fact]
    public async Task EveryKindOfValue_ReadsBackAsWritten_NullsAndRepeatedTextIncluded()
    {
        var read = await WriteAndReadAsync("SELECT id, small, name, amount, ratio, day, at_utc, big FROM read_probe ORDER BY id", ReadProbe);

        Assert.Equal(
            Rows.Select(r => new Probe((long)r[0]!, (int)r[1]!, (string?)r[2], (decimal?)r[3], (double?)r[4], (DateOnly?)r[5], (DateTime?)r[6], (long?)r[7])),
            read);
        Assert.All(read.Where(p => p.At is not null), p => Assert.Equal(DateTimeKind.Utc, p.At!.Value.Kind));
    }

    [Fact]
    public async Task ParametersOfEveryKind_SelectTheRows_TheyName()
    {
        var read = await WriteAndReadAsync(
            "SELECT id FROM read_probe WHERE (name = @Name OR id = @Id) AND small >= @Small ORDER BY id", r => Long(r, 0).ToString(CultureInfo.InvariantCulture),
            ("@Name", "Nytta"), ("@Id", 4L), ("@Small", 1));

        Assert.Equal(new[] { "1", "4", "6" }, read);
    }

    [Fact]
    public async Task AQueryOfNoRows_ReadsNone_AndAnAggregateReadsItsOneRow()
    {
        var none = await WriteAndReadAsync("SELECT id FROM read_probe WHERE id > 100", r => Long(r, 0).ToString(CultureInfo.InvariantCulture));
        var count = await WriteAndReadAsync("SELECT COUNT(*), SUM(small) FROM read_probe", r => string.Create(CultureInfo.InvariantCulture, $"{Long(r, 0)} {Long(r, 1)}"));

        Assert.Empty(none);
        Assert.Equal(new[] { "6 29" }, count);
    }

    [Fact]
    public async Task AQueryTheDatabaseRefuses_FailsWithTheDatabasesError()
    {
        await Assert.ThrowsAnyAsync<DbException>(() => WriteAndReadAsync("SELECT no_such_column FROM read_probe", r => Text(r, 0)));
    }
}

public sealed class SqliteRunReadFacts : RunReadFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    // name has no type, so no affinity: a value is stored as it was written, a number as a number.
    protected override string CreateProbe =>
        """
        CREATE TABLE read_probe (id INTEGER NOT NULL PRIMARY KEY, small INTEGER NOT NULL, name NULL, amount REAL NULL, ratio REAL NULL, day TEXT NULL,
            at_utc TEXT NULL, big INTEGER NULL)
        """;

    /// <summary>Every value of a query as text, through the reader given, by the reader's own methods.</summary>
    private static string Shown(DbDataReader r) =>
        string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i)
            ? $"NULL:{r.GetValue(i) is DBNull}"
            : $"{r.GetFieldType(i).Name}:{r.GetValue(i)}:{r.GetString(i)}"));

    [Fact]
    public async Task TheRawReader_GivesTheValuesMicrosoftDataSqliteGives_ForEveryStorageClass()
    {
        const string Sql = "SELECT id, name, amount, ratio, big, day, 1.5 * small, CAST(id AS TEXT), NULL, X'00FF' FROM read_probe ORDER BY id";
        await using var connection = (SqliteConnection)await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync(CreateProbe, transaction: transaction);
        await new RunTransaction(Warehouse.Database, connection, transaction).InsertAsync(ProbeTable, Rows, Ct);
        await connection.ExecuteAsync("INSERT INTO read_probe (id, small, name) VALUES (7, 2, 42), (8, 2, 4.25)", transaction: transaction);

        var expected = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = (SqliteTransaction)transaction;
            command.CommandText = Sql;
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                expected.Add(Shown(reader) + "|" + reader.GetValue(9).GetType().Name + reader.GetValue(9));
            }
        }
        var read = new List<string>();
        using (var raw = SqliteRawReader.TryOpen(connection, Sql, []))
        {
            Assert.NotNull(raw);
            while (raw.Read())
            {
                read.Add(Shown(raw) + "|" + raw.GetValue(9).GetType().Name + raw.GetValue(9));
            }
        }

        Assert.Equal(8, read.Count);
        Assert.Equal(expected, read);
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("SELECT @Unbound")]
    [InlineData("SELECT no_such_column FROM sqlite_master")]
    public async Task AQueryTheRawReaderDoesNotTake_IsLeftToMicrosoftDataSqlite(string sql)
    {
        await using var connection = (SqliteConnection)await Warehouse.Database.OpenAsync(Ct);

        Assert.Null(SqliteRawReader.TryOpen(connection, sql, []));
    }

    [Fact]
    public async Task AParameterOfATypeTheRawReaderDoesNotBind_LeavesTheQueryToMicrosoftDataSqlite()
    {
        await using var connection = (SqliteConnection)await Warehouse.Database.OpenAsync(Ct);

        Assert.Null(SqliteRawReader.TryOpen(connection, "SELECT @Value", [("@Value", 1.5m)]));
    }

    [Fact]
    public async Task AParameterNamedWithoutItsPrefix_IsBound_AsMicrosoftDataSqliteBindsIt()
    {
        await using var connection = (SqliteConnection)await Warehouse.Database.OpenAsync(Ct);

        using var raw = SqliteRawReader.TryOpen(connection, "SELECT @Value, $Other, @Missing IS NULL", [("Value", "x"), ("Other", 3L), ("@Missing", null), ("@Unused", 1)]);

        Assert.NotNull(raw);
        Assert.True(raw.Read());
        Assert.Equal("x", raw.GetString(0));
        Assert.Equal(3L, raw.GetInt64(1));
        Assert.Equal(1L, raw.GetInt64(2));
        Assert.False(raw.Read());
    }

    [Fact]
    public async Task ManyParameters_AreBoundByName_PrefixedOrNot_AsAFewAre()
    {
        await using var connection = (SqliteConnection)await Warehouse.Database.OpenAsync(Ct);
        var names = Enumerable.Range(0, 40).Select(i => $"@p{i}").ToList();
        var sql = $"SELECT {string.Join(" + ", names)}, $Other, @Missing IS NULL";
        (string, object?)[] parameters = [.. names.Select((n, i) => (i % 2 == 0 ? n : n[1..], (object?)(long)i)).Reverse(), ("Other", "x"), ("@Missing", null), ("@Unused", 1)];

        using var raw = SqliteRawReader.TryOpen(connection, sql, parameters);

        Assert.NotNull(raw);
        Assert.True(raw.Read());
        Assert.Equal(Enumerable.Range(0, 40).Sum(), raw.GetInt64(0));
        Assert.Equal("x", raw.GetString(1));
        Assert.Equal(1L, raw.GetInt64(2));
        Assert.Null(SqliteRawReader.TryOpen(connection, sql, parameters[1..]));
    }

    [Fact]
    public async Task AStatementLeftUnbound_FailsAsMicrosoftDataSqliteFails_ThroughTheRunsReads()
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var run = new RunTransaction(Warehouse.Database, connection, transaction);

        await Assert.ThrowsAsync<InvalidOperationException>(() => run.ReadAsync("SELECT @Unbound", r => Text(r, 0), Ct));
    }
}

public sealed class PostgresRunReadFacts(PostgresCluster cluster) : RunReadFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    protected override string CreateProbe =>
        """
        CREATE TABLE read_probe (id bigint NOT NULL PRIMARY KEY, small integer NOT NULL, name text NULL, amount numeric(18, 4) NULL,
            ratio double precision NULL, day date NULL, at_utc timestamp(3) NULL, big bigint NULL)
        """;
}
