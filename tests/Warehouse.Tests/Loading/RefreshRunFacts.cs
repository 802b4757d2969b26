using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>A run's transaction, lock and dimensions, fed with business cases built in code.</summary>
public abstract class RefreshRunFacts : WarehouseFacts
{
    private static BusinessCase Case(string id, string unit, int firstYear, int lastYear, params string[] goalCodes) => new(
        new InitiativeCard(id, $"Initiativ {id}", unit, "agare@nacka.se", "FO-1", goalCodes, "v1"),
        Enumerable.Range(firstYear, lastYear - firstYear + 1).ToList(),
        [new CostLine(2, "Införande", CostCategory.Investment, [new YearValue(firstYear, 100_000, "C2", "100000")])],
        [new BenefitLine(2, "Tid", BenefitType.Redistribution, [new YearValue(lastYear, 30_000, "D2", "30000")])],
        [new SourceAttribute("Initiativ-ID", id, "B1")]);

    private static SourceFile File(string name) => new(SourceKind.BusinessCase, name, WarehouseBuilders.Sha(name), 1_000, DateTime.UtcNow);

    [Fact]
    public async Task Complete_BuildsTheDimensions_FromTheCurrentBusinessCases()
    {
        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct))
        {
            await run.AddBusinessCaseAsync(File("a.xlsx"), Case("DIG-A", "Välfärd skola", 2022, 2025, "MAXIMALT_VARDE", "STARK_TILLVAXT"), Ct);
            await run.AddBusinessCaseAsync(File("b.xlsx"), Case("DIG-B", "Stadsledningskontoret", 2024, 2030), Ct);
            var result = await run.CompleteAsync(Ct);
            Assert.True(result.Succeeded);
        }

        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        Assert.Equal(["Stadsledningskontoret", "Välfärd skola"], (await connection.QueryAsync<string>("SELECT unit FROM pbi_dim_unit ORDER BY unit")).Order(StringComparer.Ordinal));
        Assert.Equal(["MAXIMALT_VARDE", "STARK_TILLVAXT"], await connection.QueryAsync<string>("SELECT goal_code FROM pbi_bridge_initiative_goal WHERE initiative_id = 'DIG-A' ORDER BY goal_code"));
        var years = (await connection.QueryAsync<long>("SELECT year FROM pbi_dim_year ORDER BY year")).ToList();
        Assert.Equal(2022, years[0]);
        Assert.True(years[^1] >= 2030);
        Assert.Equal(years.Count, years[^1] - years[0] + 1);
        var days = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_date");
        Assert.Equal(Enumerable.Range((int)years[0], years.Count).Sum(y => DateTime.IsLeapYear(y) ? 366 : 365), days);
        Assert.Equal(4L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_strategic_goal"));
    }

    [Fact]
    public async Task AnAbandonedRun_IsRolledBack_AndRecordedAsFailed()
    {
        long runId;
        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct))
        {
            runId = run.RunId;
            await run.AddBusinessCaseAsync(File("a.xlsx"), Case("DIG-A", "Välfärd skola", 2022, 2025), Ct);
        }

        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM fct_business_case_version"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM etl_file"));
        Assert.Equal("Misslyckad", await connection.ExecuteScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @runId", new { runId }));
    }

    [Fact]
    public async Task ARun_ShowsAsPagar_WhileItRuns_AndItsFactsOnlyOnceComplete()
    {
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await run.AddBusinessCaseAsync(File("a.xlsx"), Case("DIG-A", "Välfärd skola", 2022, 2025), Ct);

        await using (var reader = await Warehouse.Database.OpenAsync(Ct))
        {
            Assert.Equal("Pågår", await reader.ExecuteScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @RunId", new { run.RunId }));
            Assert.Equal(0L, await reader.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
        }

        await run.CompleteAsync(Ct);

        await using var after = await Warehouse.Database.OpenAsync(Ct);
        Assert.Equal("Lyckad", await after.ExecuteScalarAsync<string>("SELECT status FROM pbi_etl_run WHERE run_id = @RunId", new { run.RunId }));
        Assert.Equal(1L, await after.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
    }

    [Fact]
    public async Task ASecondRun_WaitsForTheFirst_AndGivesUpAfterItsTimeout()
    {
        Warehouse.Options.RefreshLockTimeoutSeconds = 1;
        await using var first = await Warehouse.Loader().StartRunAsync("first", null, ct: Ct);

        await Assert.ThrowsAsync<RefreshLockTimeoutException>(() => Warehouse.Loader().StartRunAsync("second", null, ct: Ct));

        await first.CompleteAsync(Ct);
        await using var third = await Warehouse.Loader().StartRunAsync("third", null, ct: Ct);
        Assert.True((await third.CompleteAsync(Ct)).Succeeded);
    }

    [Fact]
    public async Task ARun_IsRecordedAsStartedWhenItsReadingBegan_UnlessItWaitedForAnother()
    {
        Warehouse.Options.RefreshLockTimeoutSeconds = 60;
        var loader = Warehouse.Loader();
        var began = loader.UtcNow();
        await Task.Delay(50, Ct);
        long ahead;
        await using (var run = await loader.StartRunAsync("ahead", null, ct: Ct, readingBeganUtc: began))
        {
            Assert.Equal(began, run.StartedAtUtc);
            ahead = run.RunId;
            await run.CompleteAsync(Ct);
        }

        var first = await Warehouse.Loader().StartRunAsync("first", null, ct: Ct);
        var before = loader.UtcNow();
        var second = Task.Run(() => Warehouse.Loader().StartRunAsync("second", null, ct: Ct, readingBeganUtc: before), Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        await first.CompleteAsync(Ct);
        await first.DisposeAsync();
        await using var waited = await second;

        // What it read before waiting is stale: it starts when it got the lock, after the first run finished.
        Assert.True(waited.StartedAtUtc > before);
        await waited.CompleteAsync(Ct);
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        Assert.Equal(began, Timestamp((await connection.ExecuteScalarAsync<object>("SELECT started_at_utc FROM pbi_etl_run WHERE run_id = @Id", new { Id = ahead }))!));
        var finished = Timestamp((await connection.ExecuteScalarAsync<object>("SELECT finished_at_utc FROM pbi_etl_run WHERE run_id = @Id", new { Id = first.RunId }))!);
        Assert.True(waited.StartedAtUtc >= finished);
    }

    [Fact]
    public async Task RunsStartedTogether_NeverOverlap()
    {
        Warehouse.Options.RefreshLockTimeoutSeconds = 60;
        async Task<long> RunAsync(string id)
        {
            await using var run = await Warehouse.Loader().StartRunAsync("parallel", null, ct: Ct);
            await run.AddBusinessCaseAsync(File($"{id}.xlsx"), Case(id, "Välfärd skola", 2022, 2025), Ct);
            await Task.Delay(200, Ct);
            await run.CompleteAsync(Ct);
            return run.RunId;
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => RunAsync($"DIG-{i}"), Ct)));

        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        var runs = (await connection.QueryAsync<(object Started, object Finished)>(
            "SELECT started_at_utc, finished_at_utc FROM pbi_etl_run ORDER BY started_at_utc")).ToList();
        Assert.Equal(4, runs.Count);
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(Timestamp(runs[i].Started) >= Timestamp(runs[i - 1].Finished), "runs overlapped");
        }
        Assert.Equal(4L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case"));
    }

    private static readonly DateTime Listed = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    private static ListReadInfo ListRead(string list) => new(list, ListReadModes.File, true, null, list);

    private static ListItemChange ListItem(string list, string itemId, object item) => new(itemId, Listed, "{}", false, item, []);

    /// <summary>A run with one initiative and one status report of it, dated <paramref name="reportDate"/>.</summary>
    private static async Task<RunResult> RunWithStatusReportAsync(WarehouseLoader loader, DateOnly reportDate)
    {
        await using var run = await loader.StartRunAsync("test", null, ct: Ct);
        await run.AddListAsync(ListRead(RefreshRun.Lists.Initiatives), [ListItem(RefreshRun.Lists.Initiatives, "1", new InitiativeItem(
            new ListItemOrigin(RefreshRun.Lists.Initiatives, "1", Listed), "DIG-A", "Initiativ A", "Välfärd skola", Phases.Project, null, null, null, null, [], null, null))], Ct);
        await run.AddListAsync(ListRead(RefreshRun.Lists.ProjectStatus), [ListItem(RefreshRun.Lists.ProjectStatus, "2", new StatusItem(
            new ListItemOrigin(RefreshRun.Lists.ProjectStatus, "2", Listed), "DIG-A", reportDate, ProjectStatuses.Green, 50, null, null))], Ct);
        return await run.CompleteAsync(Ct);
    }

    private sealed record CalendarSpan(long FirstYear, long LastYear, long Days, long Years);

    private async Task<CalendarSpan> CalendarAsync() => new(
        await ScalarAsync<long>("SELECT MIN(year) FROM pbi_dim_date"), await ScalarAsync<long>("SELECT MAX(year) FROM pbi_dim_date"),
        await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_date"), await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_year"));

    private static long DaysOf(long firstYear, long lastYear) =>
        Enumerable.Range((int)firstYear, (int)(lastYear - firstYear + 1)).Sum(y => DateTime.IsLeapYear(y) ? 366 : 365);

    [Theory]
    [InlineData(9999, 12, 31)]
    [InlineData(1, 1, 1)]
    [InlineData(2101, 1, 1)]
    public async Task Complete_BuildsTheCalendarWithinTheDateWindow_WhateverDateAFactCarries(int year, int month, int day)
    {
        var result = await RunWithStatusReportAsync(Warehouse.Loader(), new DateOnly(year, month, day));

        Assert.True(result.Succeeded, result.Message);
        var calendar = await CalendarAsync();
        Assert.InRange(calendar.FirstYear, 2000, 2100);
        Assert.InRange(calendar.LastYear, 2000, 2100);
        Assert.Equal(DaysOf(calendar.FirstYear, calendar.LastYear), calendar.Days);
        Assert.Equal(calendar.LastYear - calendar.FirstYear + 1, calendar.Years);
    }

    /// <summary>A clock that always says the same instant.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task ARunGivenNothingNew_KeepsTheCalendarWhileItsYearIsInIt_AndExtendsIt_AsAWholeBuildWould_WhenNot()
    {
        await RunWithStatusReportAsync(Warehouse.Loader(), new DateOnly(2024, 3, 1));
        var before = await CalendarAsync();
        foreach (var now in new[] { DateTimeOffset.UtcNow, new DateTimeOffset(2040, 1, 2, 3, 4, 5, TimeSpan.Zero) })
        {
            var loader = new WarehouseLoader(Warehouse.Database, Warehouse.Calculation, Warehouse.Evaluation, Warehouse.Actuals, Warehouse.Index, Warehouse.Access,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<WarehouseLoader>.Instance, time: new FixedTime(now));
            await using (var run = await loader.StartRunAsync("test", null, ct: Ct))
            {
                Assert.True((await run.CompleteAsync(Ct)).Succeeded);
            }
            var kept = await CalendarAsync();
            await using (var run = await loader.StartRunAsync("recompute", null, ct: Ct))
            {
                run.RecomputeAll();
                Assert.True((await run.CompleteAsync(Ct)).Succeeded);
            }
            Assert.Equal(await CalendarAsync(), kept);
        }
        Assert.Equal(before with { LastYear = 2040, Days = DaysOf(before.FirstYear, 2040), Years = 2040 - before.FirstYear + 1 }, await CalendarAsync());
    }

    [Fact]
    public async Task ARun_TakesItsTimesFromTheGivenTimeProvider_ToTheMillisecond()
    {
        var now = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1_234_567);
        var loader = new WarehouseLoader(Warehouse.Database, Warehouse.Calculation, Warehouse.Evaluation, Warehouse.Actuals, Warehouse.Index, Warehouse.Access,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<WarehouseLoader>.Instance, time: new FixedTime(now));
        long runId;
        await using (var run = await loader.StartRunAsync("test", null, ct: Ct))
        {
            runId = run.RunId;
            Assert.Equal(new DateTime(2031, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc), run.StartedAtUtc);
            await run.AddBusinessCaseAsync(File("a.xlsx"), Case("DIG-A", "Välfärd skola", 2022, 2025), Ct);
            Assert.True((await run.CompleteAsync(Ct)).Succeeded);
        }

        var loaded = await ScalarAsync<string>("SELECT CAST(processed_at_utc AS VARCHAR(40)) FROM etl_file WHERE run_id = @runId", new { runId });
        Assert.StartsWith("2031-05-06", loaded);
        // The calendar reaches the run's own year, which only the given clock says.
        Assert.Equal(2031L, await ScalarAsync<long>("SELECT MAX(year) FROM pbi_dim_year"));
    }

    [Fact]
    public async Task Complete_BuildsTheCalendarWithinTheConfiguredWindow()
    {
        var limits = new InputLimits { EarliestYear = 2020, LatestYear = 2030 };
        var loader = new WarehouseLoader(Warehouse.Database, Warehouse.Calculation, Warehouse.Evaluation, Warehouse.Actuals, Warehouse.Index, Warehouse.Access,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<WarehouseLoader>.Instance, limits);

        var result = await RunWithStatusReportAsync(loader, new DateOnly(2019, 6, 30));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(2020L, (await CalendarAsync()).FirstYear);
    }

    [Fact]
    public async Task AFileWhoseStagingThrowsPartWay_LeavesNothingOfItself_AndTheRestPublishes()
    {
        var good = SurveyFile("index/2024.csv");
        var broken = SurveyFile("index/2024 rättad.csv");
        long runId;
        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct))
        {
            runId = run.RunId;
            await run.StageAsync(good, () => Staged(run.AddSurveyAsync(good, new SurveyUpload(null, [SurveyRow(2, "Digital kompetens", 61)]), Ct)), Ct);
            // Its first row replaces the good file's value and is buffered; its second, accepted without a percentage, throws.
            var error = await Assert.ThrowsAsync<ArgumentException>(() => run.StageAsync(broken,
                () => Staged(run.AddSurveyAsync(broken, new SurveyUpload(null, [SurveyRow(2, "Digital kompetens", 99), SurveyRow(3, "Ledning", null)]), Ct)), Ct));
            Assert.Contains("lacks its year, unit, dimension or percentage", error.Message);
            Assert.Equal([good.Name], run.Files.Select(f => f.Name));

            await run.AddBusinessCaseAsync(File("a.xlsx"), Case("DIG-A", "Välfärd skola", 2022, 2025), Ct);
            var result = await run.CompleteAsync(Ct);
            Assert.True(result.Succeeded, result.Message);
        }

        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        Assert.Equal([good.Name, "a.xlsx"], await connection.QueryAsync<string>("SELECT file_name FROM pbi_etl_file WHERE run_id = @runId ORDER BY file_id", new { runId }));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM raw_survey_row"));
        Assert.Equal(61m, await connection.ExecuteScalarAsync<decimal>("SELECT percent_value FROM fct_survey_result"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM etl_problem"));
        Assert.Equal("DIG-A", await connection.ExecuteScalarAsync<string>("SELECT initiative_id FROM pbi_fct_business_case"));
    }

    [Fact]
    public async Task AStagingThatThrowsAfterTheRunWroteTheDatabaseForIt_IsAFaultOfTheRun_NotOfTheFile()
    {
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        await run.AddBusinessCaseAsync(File("a.xlsx"), Case("DIG-A", "Välfärd skola", 2022, 2025), Ct);

        var error = await Assert.ThrowsAsync<StagingNotUndoneException>(() => run.StageAsync(File("b.xlsx"), async () =>
        {
            // Brings the model up to date with a.xlsx: the database is written while b.xlsx is being staged.
            await run.GetActualsCatalogueAsync(Ct);
            return Fail();
        }, Ct));

        Assert.IsType<FormatException>(error.InnerException);
        Assert.Equal("Ett påhittat fel. Det som redan skrivits för b.xlsx kunde inte tas bort ur körningen igen.", error.Message);
    }

    private static int Fail() => throw new FormatException("Ett påhittat fel.");

    private static SourceFile SurveyFile(string name) => File(name) with { Kind = SourceKind.Index };

    private static SurveyRow SurveyRow(int row, string dimension, decimal? percent) =>
        new(row, "2024", "Välfärd skola", dimension, percent?.ToString(System.Globalization.CultureInfo.InvariantCulture), null)
        {
            Year = 2024,
            Percent = percent,
            PercentCell = $"D{row}",
        };

    private static async Task<int> Staged(Task staging)
    {
        await staging;
        return 0;
    }

    private static DateTime Timestamp(object value) => value is DateTime dt ? dt : DateTime.Parse((string)value, System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class SqliteRefreshRunFacts : RefreshRunFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresRefreshRunFacts(PostgresCluster cluster) : RefreshRunFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
