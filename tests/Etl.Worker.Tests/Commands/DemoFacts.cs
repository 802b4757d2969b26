using Dapper;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Demo;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>The demo, end to end in a temporary folder, as a newcomer runs it.</summary>
public sealed class DemoFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-demo");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Demo_LoadsItsSourceFolder_AndASecondDemoFindsEveryFileUnchanged()
    {
        var db = Path.Combine(_dir.Path, "nacka-insights.db");

        var first = await CliRunner.RunAsync("demo", "--db", db);
        var second = await CliRunner.RunAsync("demo", "--db", db);

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.Contains("Run 1 loaded the register as it stood in February 2024 (Lyckad)", first.Output);
        Assert.Contains("Run 2 succeeded", first.Output);
        Assert.Contains("1 partly loaded, 2 rejected", first.Output);
        Assert.Contains(DemoActualsWriter.UnauthorisedReporter + " är inte objektsförvaltare", first.Output);
        Assert.Contains("Benefit realisation, where actuals were reported", first.Output);
        Assert.Contains(DemoSourceWriter.BrokenFileName, first.Output);
        Assert.Contains("Kostnader!C4: \"ca 500k\" är inte ett belopp", first.Output);
        Assert.Contains("total cost -1 200 000 kr", first.Output);
        Assert.True(Directory.Exists(Path.Combine(_dir.Path, "nacka-insights-demo", "business-cases")));
        var report = Path.Combine(_dir.Path, "nacka-insights-demo", DemoCommand.ReportFileName);
        Assert.Contains($"The follow-up report (uppföljningsrapport), to open in a browser: {report}", first.Output);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(report), StringComparison.OrdinalIgnoreCase);

        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("Run 3 succeeded", second.Output);
        Assert.DoesNotContain("February", second.Output);
        Assert.Matches(@"\d+ unchanged", second.Output);
        Assert.Contains("List Initiativ: unchanged since it was last read", second.Output);

        var warehouse = new WarehouseDatabase(WarehouseOptions.ForSqliteFile(db));
        await using var connection = await warehouse.OpenAsync(TestContext.Current.CancellationToken);
        var initiatives = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative");
        var units = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_unit");
        var versions = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case_version WHERE is_current = 0");
        Assert.InRange(initiatives, 25, 40);
        Assert.InRange(units, 4, 10);
        Assert.True(versions >= 2, "some initiatives have an earlier business case version");
        // The lists: every priority class, phases over the lifecycle, history from February to June.
        var classes = await connection.QueryAsync<string>("SELECT DISTINCT priority_class FROM pbi_fct_evaluation");
        Assert.Equal(6, classes.Count());
        var phases = await connection.QueryAsync<string>("SELECT DISTINCT phase FROM pbi_dim_initiative");
        Assert.Equal(7, phases.Count());
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative_history WHERE is_current = 0") >= 5);
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT status) FROM pbi_fct_project_status"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT report_date) FROM pbi_fct_project_status") >= 5);
        // The second demo loaded nothing again: one version per loaded workbook, no more.
        var loadedFiles = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_file WHERE status = 'Inläst' AND source_kind = 'business-case'");
        Assert.Equal(loadedFiles, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_business_case_version"));
        // The actuals: realisation under and over the plan, lines with the plan alone, and feedback beside every upload.
        var rates = await connection.QuerySingleAsync<(double Min, double Max)>(
            "SELECT MIN(realization_rate), MAX(realization_rate) FROM pbi_fct_benefit_realization WHERE realization_rate IS NOT NULL");
        Assert.True(rates.Min < 1 && rates.Max > 1, $"realisation spans {rates.Min:P0}–{rates.Max:P0}");
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_realization WHERE actual_value IS NULL") > 0);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_file WHERE source_kind = 'actuals' AND status = 'Delvis inläst'"));
        // The maturity survey and the digitaliseringsindex: three years, all three exports loaded, and the index moves.
        Assert.Contains("Digitaliseringsindex of the municipality", first.Output);
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_file WHERE source_kind = 'index' AND status = 'Inläst'"));
        var municipality = (await connection.QueryAsync<(long Year, double Index, long Units)>(
            "SELECT year, index_value, units FROM pbi_fct_digitalization_index_total ORDER BY year")).ToList();
        Assert.Equal(DemoSurveyWriter.Years.Select(y => (long)y), municipality.Select(m => m.Year));
        Assert.True(municipality[0].Index < municipality[1].Index && municipality[1].Index < municipality[2].Index,
            $"the index moves: {string.Join(", ", municipality.Select(m => $"{m.Year} {m.Index:0.00}"))}");
        Assert.All(municipality, m => Assert.Equal((long)DemoSourceWriter.UnitNames.Count, m.Units));
        // The unit that did not answer the survey one year: its index that year rests on the other components.
        var without = new { Unit = DemoSurveyWriter.UnitWithoutSurvey, Year = DemoSurveyWriter.YearWithoutSurvey };
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_survey_result WHERE unit = @Unit AND year = @Year", without));
        Assert.InRange(await connection.ExecuteScalarAsync<long>(
            "SELECT components_used FROM pbi_fct_digitalization_index_unit WHERE unit = @Unit AND year = @Year", without), 1, 2);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM pbi_fct_digitalization_index WHERE unit = @Unit AND year = @Year AND component = 'Digital mognad'", without));
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>(
            "SELECT components_used FROM pbi_fct_digitalization_index_unit WHERE unit = @Unit AND year = @Year", new { without.Unit, Year = 2024 }));

        // Sensitivity: the reference case's sheet Känslighet (Licens 90/120, Drift 100/130, porto 50/150, handläggartid 60/110)
        // gives, at 3 % to 2023, pessimistic NPV −1 045 771,66 and optimistic −370 741,87 kr (SensitivityCalculatorFacts works them out).
        Assert.Contains("Its net present value as a range (sheet Känslighet): pessimistic -1 045 772 kr, expected -507 119 kr, optimistic -370 742 kr.",
            first.Output.Replace('\u00a0', ' '));

        // The lifecycle: the lead times lifecycle.md defines, from the register's history as the demo leaves it.
        var (toDecision, toForvaltning) = await LeadTimesByTheContractAsync(connection);
        Assert.Equal((25, 188m), (toDecision.Count, ConsoleReport.Median(toDecision)));
        Assert.Equal((8, 136.5m), (toForvaltning.Count, ConsoleReport.Median(toForvaltning)));
        // The lifecycle mart's figures are those the contract's rules give, computed apart from it.
        Assert.Contains("Lead times (the median, from pbi_fct_initiative_lifecycle): idea to decision 188 days (25 initiatives) · decision to förvaltning 136,5 days (8 initiatives).",
            first.Output);
        Assert.Equal(await connection.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT initiative_id) FROM pbi_dim_initiative_history"),
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_initiative_lifecycle"));

        var actuals = Path.Combine(_dir.Path, "nacka-insights-demo", "actuals");
        foreach (var upload in Directory.GetFiles(actuals, "*.xlsx").Where(f => !f.EndsWith(".resultat.xlsx", StringComparison.Ordinal)))
        {
            Assert.True(File.Exists(Path.ChangeExtension(upload, null) + ".resultat.xlsx"), $"no result workbook beside {upload}");
        }
    }

    /// <summary>
    /// The lead times of lifecycle.md, computed here from each initiative's versions, apart from the lifecycle mart:
    /// registered when its item was created (else when its first version began), decided on the current version's
    /// Beslutsdatum (else when it entered Beslutad), in förvaltning from its first version there; a lead time whose later
    /// date is before its earlier one is none.
    /// </summary>
    private static async Task<(List<int> ToDecision, List<int> DecisionToForvaltning)> LeadTimesByTheContractAsync(System.Data.Common.DbConnection connection)
    {
        var versions = await connection.QueryAsync<(string InitiativeId, long VersionNo, string ValidFrom, string Phase, string? DecisionDate, string? CreatedAtUtc)>(
            "SELECT initiative_id, version_no, valid_from, phase, decision_date, created_at_utc FROM dim_initiative_version ORDER BY initiative_id, version_no");
        static DateOnly? Date(string? text) => text is null ? null : DateOnly.ParseExact(text[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var toDecision = new List<int>();
        var toForvaltning = new List<int>();
        foreach (var history in versions.GroupBy(v => v.InitiativeId))
        {
            var last = history.Last();
            // The demo's items are created at 08:00 UTC, the same date in Stockholm.
            var registered = Date(last.CreatedAtUtc) ?? Date(history.First().ValidFrom)!.Value;
            DateOnly? Entered(string phase) => Date(history.FirstOrDefault(v => v.Phase == phase).ValidFrom);
            var decided = Date(last.DecisionDate) ?? Entered(Warehouse.Model.Phases.Decided);
            if (decided is { } d && d >= registered)
            {
                toDecision.Add(d.DayNumber - registered.DayNumber);
            }
            if (decided is { } from && Entered(Warehouse.Model.Phases.Operation) is { } to && to >= from)
            {
                toForvaltning.Add(to.DayNumber - from.DayNumber);
            }
        }
        return (toDecision, toForvaltning);
    }

    [Fact]
    public async Task Demo_RunsAsTheRealProgram_FromAnEmptyFolder()
    {
        var result = await CliRunner.RunProcessAsync(_dir.Path, null, "demo");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.True(File.Exists(Path.Combine(_dir.Path, "nacka-insights.db")));
        Assert.Contains("DIG-2023-014", result.Output);

        var status = await CliRunner.RunProcessAsync(_dir.Path, null, "status");
        Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
        Assert.Contains("demo", status.Output);
    }

    [Fact]
    public async Task AWrongSetting_StopsTheProgram_WithAMessageThatNamesIt()
    {
        var result = await CliRunner.RunProcessAsync(_dir.Path,
            new Dictionary<string, string> { ["WarehouseOptions__CommandTimeoutSeconds"] = "0" }, "migrate");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("CommandTimeoutSeconds", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
