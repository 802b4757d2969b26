using Microsoft.Data.Sqlite;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// On SQLite, what a run that changed little reads after every such run is found through an index, not by reading a whole
/// table (schema version 18): its cost then follows the change, not the size of the warehouse.
/// </summary>
public sealed class SmallRunIndexFacts : WarehouseFacts
{
    /// <summary>Tables of a handful of rows: one per run, one per unit and year.</summary>
    private static readonly string[] Small = ["etl_run", "fct_digitalization_index_unit"];

    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }

    private async Task<List<string>> PlanAsync(string sql)
    {
        await using var connection = (SqliteConnection)await Warehouse.Database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + DataChecks.ForDatabase(connection, sql);
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            plan.Add(reader.GetString(3));
        }
        return plan;
    }

    [Fact]
    public async Task TheCalendarsFirstAndLastYears_AreEachReadAtAnEndOfAnIndex()
    {
        foreach (var source in CalendarMart.Sources.Where(s => !Small.Contains(s.Table)))
        {
            foreach (var end in new[] { "MIN", "MAX" })
            {
                var plan = await PlanAsync($"SELECT {end}({source.Column}) FROM {source.Table}");

                Assert.Contains(plan, step => step.StartsWith($"SEARCH {source.Table} USING COVERING INDEX", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task TheFingerprintsOfEveryFile_AreGroupedFromAnIndexAlone()
    {
        var plan = await PlanAsync(WarehouseLoader.FingerprintSql.Replace("@Unchanged", "'Oförändrad'", StringComparison.Ordinal));

        // The grouping reads the index of names and statuses, never etl_file's rows; each row is then found by its id.
        Assert.Contains(plan, step => step == "SCAN etl_file USING COVERING INDEX ix_etl_file_name_status");
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN ", StringComparison.Ordinal) && step.Contains("etl_file", StringComparison.Ordinal) && !step.Contains("COVERING", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCalendarsOneQuery_ScansNoTableButDimYear()
    {
        var plan = await PlanAsync(CalendarMart.SpanSql);

        Assert.All(plan.Where(step => step.StartsWith("SCAN ", StringComparison.Ordinal) && step != "SCAN CONSTANT ROW"),
            step => Assert.Equal("SCAN dim_year", step));
    }

    [Fact]
    public async Task TheChecksOfBusinessCaseYears_OverSomeInitiatives_SearchAnIndex()
    {
        var scoped = DataChecks.All.Where(c => c.ScopedSql is not null && c.Reads.Contains("pbi_fct_business_case_year")).ToList();
        Assert.NotEmpty(scoped);
        foreach (var check in scoped)
        {
            var plan = await PlanAsync(check.ScopedSql!("IN (@scope0, @scope1)"));

            // y: fct_business_case_year in the view's text.
            Assert.Contains(plan, step => step.StartsWith("SEARCH y USING", StringComparison.Ordinal) && step.Contains("ix_fct_business_case_year_initiative", StringComparison.Ordinal));
            Assert.DoesNotContain(plan, step => step.StartsWith("SCAN y", StringComparison.Ordinal));
        }
    }
}
