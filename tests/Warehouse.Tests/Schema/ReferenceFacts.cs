using System.Data.Common;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;
using Npgsql;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// A row of a bulk-loaded table never refers to a file, run, version or actual that is not there: SQLite keeps its
/// foreign keys, PostgreSQL checks them once per statement since version 15 (a foreign key checked each row with a query).
/// </summary>
public abstract class ReferenceFacts : WarehouseFacts
{
    private static readonly BulkTable Attributes = new(
        "raw_business_case_attribute",
        new BulkColumn("file_id", ColumnType.Int64), new BulkColumn("cell", ColumnType.Text), new BulkColumn("label", ColumnType.Text), new BulkColumn("value", ColumnType.Text));

    private const long File = 7;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        var run = await connection.ExecuteScalarAsync<long>(
            Warehouse.Database.Dialect.InsertRunReturningId,
            new { RunKind = "refresh", Source = (string?)null, HostName = "test", StartedAtUtc = Warehouse.Database.Dialect.Timestamp(DateTime.UtcNow), Status = "Lyckad" });
        await connection.ExecuteAsync(
            """
            INSERT INTO etl_file (file_id, run_id, source_kind, file_name, content_sha256, size_bytes, status, rows_loaded, rows_rejected, processed_at_utc)
            VALUES (@File, @Run, 'business_case', 'a.xlsx', 'x', 1, 'Inläst', 0, 0, @Now)
            """, new { File, Run = run, Now = Warehouse.Database.Dialect.Timestamp(DateTime.UtcNow) });
    }

    /// <summary>Bulk-loads attribute rows of <paramref name="files"/> in one transaction, and commits it.</summary>
    private async Task LoadAttributesAsync(params long[] files)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var sql = new RunTransaction(Warehouse.Database, connection, transaction);
        await sql.InsertAsync(Attributes, [.. files.Select((f, i) => new object?[] { f, $"B{i + 1}", "Namn", "värde" })], Ct);
        await transaction.CommitAsync(Ct);
    }

    private Task<long> AttributesAsync() => ScalarAsync<long>("SELECT COUNT(*) FROM raw_business_case_attribute");

    /// <summary>Says that <paramref name="act"/> was refused as a broken reference, as this database refuses one.</summary>
    protected abstract Task AssertRefusedAsync(Func<Task> act);

    [Fact]
    public async Task ABulkLoad_OfRowsWhoseFileExists_IsKept()
    {
        await LoadAttributesAsync(File, File);

        Assert.Equal(2, await AttributesAsync());
    }

    [Fact]
    public async Task ABulkLoad_WithOneRowWhoseFileIsMissing_IsRefusedWhole()
    {
        await AssertRefusedAsync(() => LoadAttributesAsync(File, File, 8));

        Assert.Equal(0, await AttributesAsync());
    }

    [Fact]
    public async Task ARowsReference_ChangedToAMissingFile_IsRefused()
    {
        await LoadAttributesAsync(File);

        await AssertRefusedAsync(async () =>
        {
            await using var connection = await Warehouse.Database.OpenAsync(Ct);
            await connection.ExecuteAsync("UPDATE raw_business_case_attribute SET file_id = 8");
        });
        Assert.Equal(File, await ScalarAsync<long>("SELECT file_id FROM raw_business_case_attribute"));
    }

    [Fact]
    public async Task AFileThatRowsReferTo_CannotBeDeleted_AndOneNoneReferTo_Can()
    {
        await LoadAttributesAsync(File);

        await AssertRefusedAsync(async () =>
        {
            await using var connection = await Warehouse.Database.OpenAsync(Ct);
            await connection.ExecuteAsync("DELETE FROM etl_file WHERE file_id = @File", new { File });
        });
        Assert.Equal(1, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_file"));

        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync("DELETE FROM raw_business_case_attribute");
            await connection.ExecuteAsync("DELETE FROM etl_file WHERE file_id = @File", new { File });
        }
        Assert.Equal(0, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_file"));
    }

    [Fact]
    public async Task AFilesNumber_CannotChange_WhileRowsReferToIt()
    {
        await LoadAttributesAsync(File);

        await AssertRefusedAsync(async () =>
        {
            await using var connection = await Warehouse.Database.OpenAsync(Ct);
            await connection.ExecuteAsync("UPDATE etl_file SET file_id = 9 WHERE file_id = @File", new { File });
        });
        Assert.Equal(File, await ScalarAsync<long>("SELECT file_id FROM etl_file"));
    }
}

public sealed class SqliteReferenceFacts : ReferenceFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    protected override async Task AssertRefusedAsync(Func<Task> act)
    {
        var refused = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(act);
        Assert.Contains("FOREIGN KEY", refused.Message, StringComparison.Ordinal);
    }
}

public sealed class PostgresReferenceFacts(PostgresCluster cluster) : ReferenceFacts
{
    /// <summary>The tables a run bulk-loads, whose references are checked once per statement rather than once per row.</summary>
    private static readonly string[] CheckedPerStatement =
    [
        "raw_business_case_value", "raw_business_case_attribute", "raw_business_case_line", "raw_business_case_sensitivity", "raw_actual_row",
        "raw_list_item", "fct_business_case_version", "fct_business_case_year", "fct_business_case_sensitivity", "fct_business_case_range",
        "fct_benefit_actual", "fct_benefit_realization",
    ];

    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    // The foreign key's own SQLSTATE and constraint name, as before version 15: what handles one handles the other.
    protected override async Task AssertRefusedAsync(Func<Task> act)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(act);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.Equal("raw_business_case_attribute_file_id_fkey", refused.ConstraintName);
    }

    [Fact]
    public async Task TheBulkLoadedTables_HaveNoPerRowForeignKey_ButAStatementCheck()
    {
        var perRow = await QueryAsync<string>(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(@Tables)", new { Tables = CheckedPerStatement });
        var checkedOnInsert = await QueryAsync<string>(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'ri_inserted' AND tgrelid::regclass::text = ANY(@Tables)", new { Tables = CheckedPerStatement });

        Assert.Empty(perRow);
        Assert.Equal(CheckedPerStatement.Order(StringComparer.Ordinal), checkedOnInsert.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Inserts, in one statement, realisation rows of one business case version, actual and run (each key repeated, as a
    /// part of a run's rows repeats them), with <paramref name="missing"/> of them naming a key of <paramref name="column"/>
    /// that does not exist; returns how many rows the table then holds.
    /// </summary>
    private async Task<long> InsertRealizationRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string column, int missing)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO fct_business_case_version (bc_version_id, initiative_id, file_id, run_id, loaded_at_utc, is_current, initiative_name, unit, owner_email,
                cost_total_sek, economic_benefit_total_sek, net_benefit_total_sek, npv_sek, discount_rate)
            SELECT 1, 'DIG-1', file_id, run_id, processed_at_utc, 1, 'Ett', 'Enhet', 'a@nacka.se', 0, 0, 0, 0, 0.04 FROM etl_file;
            INSERT INTO fct_benefit_actual (actual_id, initiative_id, benefit_line, benefit_line_key, benefit_type, year, value, reported_at_utc, file_id, run_id, sheet_name, cell, is_current)
            SELECT 1, 'DIG-1', 'Tid', 'tid', 'Tidsbesparing', 2026, 1, processed_at_utc, file_id, run_id, 'Utfall', 'A2', 1 FROM etl_file;
            """, transaction: transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO fct_benefit_realization (initiative_id, benefit_line, benefit_type, year, planned_value, planned_acc_value, bc_version_id, line_row, actual_id, run_id)
            SELECT 'DIG-1', 'Tid', 'Tidsbesparing', 2020 + g, 0, 0,
                   CASE WHEN g <= @Missing AND @Column = 'bc_version_id' THEN 999 ELSE 1 END, 1,
                   CASE WHEN g <= @Missing AND @Column = 'actual_id' THEN 999 ELSE 1 END,
                   CASE WHEN g <= @Missing AND @Column = 'run_id' THEN 999 ELSE f.run_id END
            FROM etl_file f CROSS JOIN generate_series(1, 6) g
            """, new { Column = column, Missing = missing }, transaction);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM fct_benefit_realization", transaction: transaction);
    }

    // Each check looks up every distinct key of the statement's rows (version 22): a key repeated on many rows, present or
    // missing, is found as it was when each row was looked up.
    [Theory]
    [InlineData("bc_version_id")]
    [InlineData("actual_id")]
    [InlineData("run_id")]
    public async Task AStatementsRows_ThatRepeatAMissingKey_AreRefusedWithItsForeignKey_AndThoseRepeatingPresentKeysAreKept(string column)
    {
        await using var connection = (NpgsqlConnection)await Warehouse.Database.OpenAsync(Ct);
        await using (var kept = await connection.BeginTransactionAsync(Ct))
        {
            Assert.Equal(6, await InsertRealizationRowsAsync(connection, kept, column, missing: 0));
        }
        await using var transaction = await connection.BeginTransactionAsync(Ct);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => InsertRealizationRowsAsync(connection, transaction, column, missing: 3));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.Equal($"fct_benefit_realization_{column}_fkey", refused.ConstraintName);
        Assert.Equal(column, refused.ColumnName);
        Assert.Equal($"insert or update on table \"fct_benefit_realization\" violates foreign key constraint \"fct_benefit_realization_{column}_fkey\"", refused.MessageText);
    }

    [Fact]
    public async Task AnActualThatARealizationRowRefersTo_CannotBeTruncatedAway()
    {
        await using var connection = (NpgsqlConnection)await Warehouse.Database.OpenAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        // Only the reference matters here: the realization row's other columns take their simplest values.
        await connection.ExecuteAsync("ALTER TABLE fct_benefit_realization DISABLE TRIGGER ri_inserted", transaction: transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO fct_benefit_actual (actual_id, initiative_id, benefit_line, benefit_line_key, benefit_type, year, value, reported_at_utc, file_id, run_id, sheet_name, cell, is_current)
            SELECT 1, 'DIG-1', 'Tid', 'tid', 'Tidsbesparing', 2026, 1, processed_at_utc, file_id, run_id, 'Utfall', 'A2', 1 FROM etl_file;
            INSERT INTO fct_benefit_realization (initiative_id, benefit_line, benefit_type, year, planned_value, planned_acc_value, bc_version_id, line_row, actual_id, run_id)
            SELECT 'DIG-1', 'Tid', 'Tidsbesparing', 2026, 0, 0, 1, 1, 1, run_id FROM etl_file;
            """, transaction: transaction);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("TRUNCATE fct_benefit_actual", transaction: transaction));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.Equal("fct_benefit_realization_actual_id_fkey", refused.ConstraintName);
    }
}
