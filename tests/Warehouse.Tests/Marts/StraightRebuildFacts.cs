using System.Globalization;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;
using static NackaInsights.TestSupport.WarehouseBuilders;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// The realisation and sensitivity marts write a first build into empty tables straight, a slice of initiatives at a
/// time (64; see RealizationMart and BusinessCaseSensitivityMart), as does a recompute. Over more initiatives than two
/// slices hold, the rows written so must be those a whole build computes and compares: built whole again over them, the
/// marts find nothing to rewrite.
/// </summary>
public abstract class StraightRebuildFacts : WarehouseFacts
{
    /// <summary>More than two slices, the last one short.</summary>
    private const int Initiatives = 150;

    private static string Id(int i) => $"DIG-S{i:000}";

    /// <summary>One to three benefit lines over two to five years, the values different for each initiative.</summary>
    private static BusinessCase Generated(int i)
    {
        var first = 2022 + i % 3;
        var last = first + 1 + i % 4;
        var lines = new List<BenefitLine>
        {
            Benefit(2, "Minskad administration", BenefitType.Financial, [.. Enumerable.Range(first, last - first + 1).Select(y => (y, 10_000m + i * 137 + y % 7 * 1_000))]),
        };
        if (i % 2 == 0)
        {
            lines.Add(Benefit(3, "Frigjord tid", BenefitType.Redistribution, (first, 5_000m + i), (last, 7_500m + i * 3)));
        }
        if (i % 5 == 0)
        {
            lines.Add(Benefit(4, "Nöjdare brukare", BenefitType.Movement, (last, 1 + i % 9)));
        }
        return Case(Id(i), i % 2 == 0 ? "Välfärd skola" : "Fritid", i % 2 == 0 ? "OBJ-1" : "OBJ-2", first, last, "v1", ["MAXIMALT_VARDE"], [.. lines]);
    }

    [Fact]
    public async Task ManyInitiativesWrittenSliceBySlice_AreWhatAWholeBuildComputes_ByAFirstBuildAndByARecompute()
    {
        // The controller may report for every object.
        Warehouse.Actuals.Administrators.Add(Controller);
        var loaded = await RunAsync(async run =>
        {
            await AddListsAsync(run);
            for (var i = 1; i <= Initiatives; i++)
            {
                await run.AddBusinessCaseAsync(CaseFile(Id(i), "v1"), Generated(i), Ct);
            }
            // Actuals for every third initiative: some slices' initiatives reported, others not.
            await run.AddActualsAsync(ActualsFile("actuals/many.xlsx", "many"), Upload(
                [.. Enumerable.Range(1, Initiatives).Where(i => i % 3 == 0).Select((i, n) =>
                    Row(2 + n, Id(i), "Minskad administration", "Finansiell", 2022 + i % 3, (9_000 + i * 11).ToString(CultureInfo.InvariantCulture)))]), Ct);
        });
        var realization = await RealizationAsync();
        var sensitivity = await SensitivityAsync();
        var afterFirst = await BuiltWholeAgainAsync(loaded.RunId);

        var recomputed = await RunAsync(recompute: true);
        var afterRecompute = await BuiltWholeAgainAsync(recomputed.RunId);

        // A row for each benefit line and each year of its business case, reported or not; a range per business case.
        var expectedRows = Enumerable.Range(1, Initiatives).Sum(i => Generated(i).Benefits.Count * Generated(i).Years.Count);
        Assert.Equal(expectedRows, realization.Count);
        Assert.Equal(Initiatives, realization.Select(r => r.Split('|')[0]).Distinct().Count());
        Assert.Equal(Initiatives / 3, realization.Count(r => r.Split('|')[4] != "-"));
        Assert.Equal(Initiatives, await ScalarAsync<long>("SELECT COUNT(*) FROM fct_business_case_range"));
        Assert.Equal(TableWrite.None, afterFirst);
        Assert.Equal(TableWrite.None, afterRecompute);
        Assert.Equal(realization, await RealizationAsync());
        Assert.Equal(sensitivity, await SensitivityAsync());
    }

    /// <summary>
    /// Builds both marts whole again over what is stored, as a later run that is not a recompute does (computing every
    /// initiative and comparing with the stored rows), in a transaction rolled back after it: what they would write.
    /// </summary>
    private Task<TableWrite> BuiltWholeAgainAsync(long lastRunId) => InRolledBackRunAsync(lastRunId, async context =>
    {
        context.Sql.TakePending();
        await WarehouseMarts.Realization.BuildAsync(context, MartScope.Whole, Ct);
        await WarehouseMarts.BusinessCaseSensitivity.BuildAsync(context, MartScope.Whole, Ct);
        var written = context.Sql.TakePending();
        return written.Of("fct_benefit_realization").Kinds | written.Of("fct_business_case_sensitivity").Kinds | written.Of("fct_business_case_range").Kinds;
    });

    private async Task<List<string>> RealizationAsync() => [.. (await QueryAsync<string>(
        """
        SELECT initiative_id || '|' || benefit_line || '|' || CAST(year AS TEXT) || '|' || CAST(planned_value AS TEXT) || '|'
               || COALESCE(CAST(actual_value AS TEXT), '-') || '|' || CAST(planned_acc_value AS TEXT) || '|' || COALESCE(CAST(realization_rate AS TEXT), '-')
        FROM fct_benefit_realization
        """)).Order(StringComparer.Ordinal)];

    private async Task<List<string>> SensitivityAsync() => [.. (await QueryAsync<string>(
        """
        SELECT initiative_id || '|' || CAST(net_benefit_total_pessimistic_sek AS TEXT) || '|' || CAST(npv_pessimistic_sek AS TEXT) || '|' || CAST(npv_optimistic_sek AS TEXT)
               || '|' || COALESCE(CAST(payback_year_optimistic AS TEXT), '-')
        FROM fct_business_case_range
        UNION ALL
        SELECT initiative_id || '|' || CAST(line_no AS TEXT) || '|' || line_name || '|' || CAST(npv_swing_sek AS TEXT) || '|' || CAST(swing_rank AS TEXT)
        FROM fct_business_case_sensitivity
        """)).Order(StringComparer.Ordinal)];
}

public sealed class SqliteStraightRebuildFacts : StraightRebuildFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresStraightRebuildFacts(PostgresCluster cluster) : StraightRebuildFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
