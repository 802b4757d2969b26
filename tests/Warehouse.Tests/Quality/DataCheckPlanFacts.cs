using NackaInsights.Warehouse.Storage;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Tests.Quality;

/// <summary>Which checks a run's writes call for, and over which rows.</summary>
public sealed class DataCheckPlanFacts
{
    private static TableWrites Writes(params (string Table, TableWrite Write, string[]? Initiatives)[] writes)
    {
        var written = new TableWrites();
        foreach (var (table, write, initiatives) in writes)
        {
            written.RecordInitiatives(table, write, initiatives);
        }
        return written;
    }

    private static PlannedCheck? Plan(string name, TableWrites written) => DataChecks.All.Single(c => c.Name == name).Plan(written);

    [Fact]
    public void EveryCheck_ReadsOnlyViewsWhoseTablesAreDeclared()
    {
        Assert.All(DataChecks.All, c =>
        {
            Assert.NotEmpty(c.Reads);
            Assert.All(c.Reads.Concat(c.References), v => Assert.True(ViewCatalog.Embedded.Contains(v), $"{c.Name} reads {v}, which sql/views does not define"));
        });
    }

    [Fact]
    public void ACheckCountingAViewsTable_IsPlannedAsACheckOfTheView()
    {
        var unique = DataChecks.All.Single(c => c.Name == "unique:pbi_fct_benefit_realization(initiative_id, benefit_line, year)");
        Assert.DoesNotContain("pbi_fct_benefit_realization", unique.Sql, StringComparison.Ordinal);
        Assert.Equal(["pbi_fct_benefit_realization"], unique.Reads);
        var planned = unique.Plan(Writes(("fct_benefit_realization", TableWrite.Inserted, ["DIG-1"])));
        Assert.NotNull(planned);
        Assert.Equal(["DIG-1"], planned.Keys!.Cast<string>());
        Assert.Contains("fct_benefit_realization WHERE initiative_id IN (@scope0)", unique.ScopedSql!("IN (@scope0)"), StringComparison.Ordinal);
    }

    [Fact]
    public void WritesOfMoreInitiativesThanAScopeTakes_CallForTheCheckOverEveryRow()
    {
        const string check = "unique:pbi_fct_benefit_realization(initiative_id, benefit_line, year)";
        string[] Ids(int from, int count) => [.. Enumerable.Range(from, count).Select(i => $"DIG-{i}")];

        var atTheBound = Plan(check, Writes(("fct_benefit_realization", TableWrite.Inserted, Ids(0, DataChecks.MaxScopedKeys))));
        Assert.Equal(DataChecks.MaxScopedKeys, atTheBound!.Keys!.Count);
        // Past the bound, in one table's writes or in two that together pass it: every row, as DataChecks.Plan had made it.
        Assert.Null(Plan(check, Writes(("fct_benefit_realization", TableWrite.Inserted, Ids(0, DataChecks.MaxScopedKeys + 1))))!.Keys);
        var together = Writes(
            ("fct_benefit_realization", TableWrite.Inserted, Ids(0, DataChecks.MaxScopedKeys)),
            ("fct_benefit_realization", TableWrite.Changed, Ids(DataChecks.MaxScopedKeys, 1)));
        Assert.Null(Plan(check, together)!.Keys);
        Assert.Null(DataChecks.Plan(together).Single(p => p.Check.Name == check).Keys);
    }

    [Fact]
    public void ARunThatWroteNothing_CallsForNoCheck()
    {
        Assert.Empty(DataChecks.Plan(new TableWrites()));
    }

    [Fact]
    public void AppendedFileRows_CallForTheChecksOfTheFiles_NotOfTheFactsThatOnlyLookThemUp()
    {
        var plan = DataChecks.Plan(Writes(("etl_file", TableWrite.Inserted, null)));

        Assert.Contains("accepted_values:pbi_etl_file.status", plan.Select(p => p.Check.Name));
        Assert.All(plan, p => Assert.Null(p.Keys));
        Assert.All(plan, p => Assert.All(p.Check.Reads, v => Assert.StartsWith("pbi_etl_", v, StringComparison.Ordinal)));
        Assert.Null(Plan("relationship:pbi_fct_business_case.file_id->pbi_etl_file.file_id", Writes(("etl_file", TableWrite.Inserted, null))));
        Assert.Null(Plan("unique:pbi_fct_business_case_year(initiative_id, year)", Writes(("etl_file", TableWrite.Inserted, null))));
    }

    [Fact]
    public void AParentWithRowsAppended_CallsForNoRelationshipCheck_AParentWithRowsDeleted_Does()
    {
        const string check = "relationship:pbi_fct_benefit_realization.year->pbi_dim_year.year";

        Assert.Null(Plan(check, Writes(("dim_year", TableWrite.Inserted, null))));
        var changed = Plan(check, Writes(("dim_year", TableWrite.Changed, null)));
        Assert.NotNull(changed);
        Assert.Null(changed.Keys);
    }

    [Fact]
    public void RowsOfSomeInitiatives_CallForTheirChecks_OverThoseInitiativesRowsOnly()
    {
        var written = Writes(("fct_benefit_realization", TableWrite.Changed, ["DIG-1"]), ("fct_benefit_realization", TableWrite.Inserted, ["DIG-1", "DIG-2"]));

        foreach (var name in new[]
                 {
                     "unique:pbi_fct_benefit_realization(initiative_id, benefit_line, year)", "expression:pbi_fct_benefit_realization:values_are_not_negative",
                     "relationship:pbi_fct_benefit_realization.initiative_id->pbi_dim_initiative.initiative_id",
                 })
        {
            var initiatives = Plan(name, written)?.Keys;
            Assert.NotNull(initiatives);
            Assert.Equal(["DIG-1", "DIG-2"], initiatives.Cast<string>().Order(StringComparer.Ordinal));
        }
        Assert.Null(Plan("unique:pbi_fct_benefit_actual(actual_id)", written));
    }

    [Fact]
    public void RowsWrittenWithoutKnownInitiatives_CallForEveryRow()
    {
        var written = Writes(("fct_benefit_realization", TableWrite.Inserted, ["DIG-1"]), ("fct_benefit_realization", TableWrite.Changed, null));

        Assert.Null(Plan("expression:pbi_fct_benefit_realization:values_are_not_negative", written)!.Keys);
    }

    [Fact]
    public void AKeyWithoutTheInitiative_IsCheckedForTheWrittenRowsValuesOfIt_OrOverEveryRowWhenItHasSeveralColumns()
    {
        var written = Writes(("fct_benefit_actual", TableWrite.Inserted, ["DIG-1"]));
        var oneColumn = DataChecks.All.Single(c => c.Name == "unique:pbi_fct_benefit_actual(actual_id)");
        var twoColumns = DataChecks.Unique("pbi_fct_benefit_actual", "benefit_line, year");

        Assert.Equal(["DIG-1"], oneColumn.Plan(written)!.Keys!.Cast<string>());
        Assert.Contains("actual_id IN (SELECT actual_id FROM pbi_fct_benefit_actual WHERE initiative_id IN (@scope0))", oneColumn.ScopedSql!("IN (@scope0)"));
        Assert.Null(twoColumns.Plan(written)!.Keys);
        Assert.Equal(["DIG-1"], Plan("custom:one_current_actual_per_key", written)!.Keys!.Cast<string>());
    }

    [Fact]
    public void AParentOfSomeInitiativesChanged_CallsForTheChildrenOfThoseInitiatives_WhenTheRelationshipIsByInitiative()
    {
        var written = Writes(("dim_initiative", TableWrite.Changed, ["DIG-3"]));

        Assert.Equal(["DIG-3"], Plan("relationship:pbi_fct_evaluation.initiative_id->pbi_dim_initiative.initiative_id", written)!.Keys!.Cast<string>());
        Assert.Equal(["DIG-3"], Plan("relationship:pbi_fct_benefit_realization.actual_id->pbi_fct_benefit_actual.actual_id",
            Writes(("fct_benefit_actual", TableWrite.Changed, ["DIG-3"])))!.Keys!.Cast<string>());
        // A unit gone may orphan any initiative's row.
        Assert.Null(Plan("relationship:pbi_dim_initiative.unit->pbi_dim_unit.unit", Writes(("dim_unit", TableWrite.Changed, null)))!.Keys);
    }

    [Fact]
    public void RowsKnownByAnotherKeyThanTheChecksOwn_CallForEveryRow()
    {
        var written = new TableWrites();
        written.Record("fct_benefit_actual", TableWrite.Inserted, "run_id", [42L]);

        Assert.Null(Plan("expression:pbi_fct_benefit_actual:value_is_not_negative", written)!.Keys);
    }

    [Fact]
    public void TheTableOfAStatement_IsTheOneItNames()
    {
        var written = new TableWrites();
        written.RecordStatement("DELETE FROM fct_benefit_realization WHERE initiative_id IN (@scope0)", 3, ["DIG-1"]);
        written.RecordStatement("  UPDATE fct_benefit_actual SET is_current = 1", 0);
        written.RecordStatement("INSERT INTO dim_object (object_id) SELECT object_id FROM stg_list_object", 2);

        Assert.Equal(TableWrite.Changed, written.Of("fct_benefit_realization").Kinds);
        Assert.Equal(["DIG-1"], written.Of("fct_benefit_realization").KeysOf(TableWrites.InitiativeColumn)!.Cast<string>());
        Assert.Equal(TableWrite.None, written.Of("fct_benefit_actual").Kinds);
        Assert.Equal(TableWrite.Inserted, written.Of("dim_object").Kinds);
        Assert.Null(written.Of("dim_object").Keys);
        Assert.Throws<ArgumentException>(() => written.RecordStatement("SELECT 1", 1));
    }
}
