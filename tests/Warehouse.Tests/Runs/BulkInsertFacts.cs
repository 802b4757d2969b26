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
        double d => ((decimal)d).ToString(CultureInfo.InvariantCulture),
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
}
