using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>The order the graph derives from what the marts declare, and what it rebuilds after a write.</summary>
public sealed class MartGraphFacts
{
    private static readonly MartGraph Graph = WarehouseMarts.Graph;

    private sealed class Declared(string name, string[] reads, string[] writes, bool byInitiative = true, bool? writesByInitiative = null) : IMart
    {
        public bool WritesByInitiative => writesByInitiative ?? byInitiative;

        public string Name => name;

        public string Grain => "one row per test";

        public IReadOnlyList<string> Reads => reads;

        public IReadOnlyList<string> Writes => writes;

        public bool ByInitiative => byInitiative;

        public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => Task.CompletedTask;
    }

    private static string[] Names(IEnumerable<IMart> marts) => marts.Select(m => m.Name).ToArray();

    [Fact]
    public void EachMart_ComesAfterTheMartsThatWriteWhatItReads()
    {
        var order = Graph.Order.ToList();

        Assert.Equal(WarehouseMarts.All.Count, order.Count);
        Assert.All(order, mart => Assert.All(mart.Reads.Select(Graph.WriterOf).OfType<IMart>().Where(w => w != mart),
            writer => Assert.True(order.IndexOf(writer) < order.IndexOf(mart), $"{mart.Name} reads what {writer.Name} writes, but comes first")));
    }

    [Fact]
    public void TheOrder_IsDerived_NotTakenFromTheDeclarationOrder()
    {
        var graph = new MartGraph([
            new Declared("calendar", ["fct_b"], ["dim_year"]),
            new Declared("b", ["fct_a"], ["fct_b"]),
            new Declared("a", ["stg_a"], ["fct_a"]),
        ]);

        Assert.Equal(["a", "b", "calendar"], Names(graph.Order));
    }

    [Fact]
    public void ACycle_IsRefused_NamingTheMartsInIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new MartGraph([
            new Declared("a", ["fct_b"], ["fct_a"]),
            new Declared("b", ["fct_a"], ["fct_b"]),
            new Declared("c", ["stg_c"], ["fct_c"]),
        ]));

        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
        Assert.Contains("a (reads b)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoMartsWritingOneTable_AreRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new MartGraph([
            new Declared("a", ["stg_a"], ["fct_x"]),
            new Declared("b", ["stg_b"], ["fct_x"]),
        ]));

        Assert.Contains("Both a and b write fct_x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryMart_StatesItsGrain_AndWritesSomething()
    {
        Assert.All(WarehouseMarts.All, m =>
        {
            Assert.False(string.IsNullOrWhiteSpace(m.Grain), m.Name);
            Assert.NotEmpty(m.Writes);
            Assert.NotEmpty(m.Reads);
        });
        Assert.Equal(WarehouseMarts.All.Count, WarehouseMarts.All.Select(m => m.Name).Distinct().Count());
    }

    /// <summary>What a write to each table the loads write (staging, raw, loaded facts) rebuilds, by mart name, in order.</summary>
    public static TheoryData<string, string[]> LoadTables => new()
    {
        { "stg_list_initiative", ["initiative_version", "initiative", "initiative_lifecycle", "evaluation", "project_status", "digitalization_index", "unit", "unit_access", "calendar"] },
        { "stg_list_object", ["object", "unit", "unit_access"] },
        { "stg_list_assessment", ["evaluation", "calendar"] },
        { "stg_list_status", ["project_status", "calendar"] },
        { "fct_business_case_version", ["business_case_version", "business_case_sensitivity", "initiative", "initiative_lifecycle", "evaluation", "project_status", "realization", "digitalization_index", "unit", "unit_access", "calendar"] },
        { "fct_business_case_year", ["business_case_version", "business_case_sensitivity", "initiative", "initiative_lifecycle", "evaluation", "project_status", "realization", "digitalization_index", "unit", "unit_access", "calendar"] },
        { "raw_business_case_value", ["business_case_sensitivity", "realization", "digitalization_index", "unit", "unit_access", "calendar"] },
        // The sheet Känslighet: only the sensitivity reads it.
        { "raw_business_case_sensitivity", ["business_case_sensitivity"] },
        { "fct_benefit_actual", ["realization", "digitalization_index", "unit", "unit_access", "calendar"] },
        { "fct_survey_result", ["digitalization_index", "unit", "unit_access", "calendar"] },
        { "etl_run", ["calendar"] },
        { "etl_file", [] },
    };

    [Theory]
    [MemberData(nameof(LoadTables))]
    public void AWriteToALoadedTable_RebuildsTheMartsThatReadIt_AndTheirsInTurn(string table, string[] expected)
    {
        var written = new TableWrites();
        written.Record(table, TableWrite.Inserted);

        Assert.Equal(expected, Names(Graph.Affected(written).Select(a => a.Mart)));
    }

    [Fact]
    public void BusinessCasesOfSomeInitiatives_RebuildThoseInitiativesRows_AndWholeTablesWhereAMartCannotTellInitiatives()
    {
        var written = new TableWrites();
        written.RecordInitiatives("fct_business_case_version", TableWrite.Inserted, ["DIG-2", "DIG-1"]);

        var affected = Graph.Affected(written).ToDictionary(a => a.Mart.Name, a => a.Scope);

        Assert.Equal(["DIG-1", "DIG-2"], affected["business_case_version"].Initiatives);
        Assert.Equal(["DIG-1", "DIG-2"], affected["initiative"].Initiatives);
        Assert.Equal(["DIG-1", "DIG-2"], affected["realization"].Initiatives);
        // The index checks only the units of those initiatives; the unit dimension cannot tell initiatives.
        Assert.Equal(["DIG-1", "DIG-2"], affected["digitalization_index"].Initiatives);
        Assert.True(affected["unit"].IsWhole);
        Assert.True(affected["calendar"].IsWhole);
    }

    [Fact]
    public void AMartBuiltForSomeInitiatives_WhoseRowsAreNotByInitiative_MakesTheMartsAfterItDueWhole()
    {
        // As the digitaliseringsindex: built for the initiatives whose realisation changed, it rewrites rows of units.
        var graph = new MartGraph(
        [
            new Declared("realization", ["stg_a"], ["fct_realization"]),
            new Declared("index", ["fct_realization"], ["fct_index"], writesByInitiative: false),
            new Declared("by_initiative", ["fct_index"], ["fct_c"]),
        ]);
        var written = new TableWrites();
        written.RecordInitiatives("stg_a", TableWrite.Inserted, ["DIG-1"]);

        var affected = graph.Affected(written).ToDictionary(a => a.Mart.Name, a => a.Scope);

        Assert.Equal(["DIG-1"], affected["index"].Initiatives);
        Assert.True(affected["by_initiative"].IsWhole);
    }

    [Fact]
    public void AWriteOfAnyRows_RebuildsWhole()
    {
        var written = new TableWrites();
        written.RecordInitiatives("fct_benefit_actual", TableWrite.Inserted, ["DIG-1"]);
        written.Record("raw_business_case_value", TableWrite.Inserted);

        Assert.True(Graph.Affected(written).Single(a => a.Mart.Name == "realization").Scope.IsWhole);
    }

    [Theory]
    [InlineData("stg_list_status", "pbi_fct_project_status")]
    [InlineData("stg_list_assessment", "pbi_fct_evaluation")]
    [InlineData("fct_survey_result", "pbi_fct_digitalization_index_total")]
    [InlineData("stg_list_object", "pbi_sec_unit_access")]
    public void AWriteToALoadedTable_CallsForTheChecksOfTheViewsOverWhatItRebuilds(string table, string view)
    {
        var plan = DataChecks.Plan(Graph.WritesAfter(table), ViewCatalogLineage.Instance);

        Assert.Contains(plan, p => p.Check.Reads.Contains(view));
    }

    [Fact]
    public void AWriteToNothingAMartReads_CallsForNoMart()
    {
        var written = new TableWrites();
        written.Record("etl_problem", TableWrite.Inserted);

        Assert.Empty(Graph.Affected(written));
    }

    [Fact]
    public void WhatMustBeWrittenBeforeTablesAreRead_IsThemAndWhatTheirMartsRead_KeySetsAsTheirTables()
    {
        var graph = new MartGraph(
        [
            new Declared("initiative", ["stg_list_initiative", "fct_version"], ["dim_initiative"]),
            new Declared("score", ["stg_list_assessment", KeySet.Of("dim_initiative")], ["fct_score"]),
            new Declared("realisation", ["fct_benefit_actual", "dim_initiative"], ["fct_realisation"]),
        ]);

        Assert.Equal(["dim_initiative", "fct_version", "raw_line", "stg_list_initiative"], graph.ReadFor("dim_initiative", "raw_line").Order(StringComparer.Ordinal));
        Assert.Equal(["dim_initiative", "fct_score", "fct_version", "stg_list_assessment", "stg_list_initiative"], graph.ReadFor("fct_score").Order(StringComparer.Ordinal));
        Assert.DoesNotContain("fct_benefit_actual", graph.ReadFor("dim_initiative", "fct_score"));
    }
}
