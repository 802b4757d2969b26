using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Tests.Marts;

/// <summary>
/// The feed of the Power BI role Verksamhet, pbi_sec_unit_access: built from AccessOptions and the
/// objektsförvaltare of the list Förvaltningsobjekt, read back through the view.
/// </summary>
public abstract class UnitAccessFacts : WarehouseFacts
{
    private static readonly DateTime Listed = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    private readonly CapturingLogger<WarehouseLoader> _log = new();

    private AccessOptions Access { get; set; } = new();

    private sealed record AccessRow(string Unit, string UserPrincipalName, string Source);

    private static ListItemChange Object(string itemId, string objectId, string? manager, string? unit, DateTime? modified = null) =>
        new(itemId, modified ?? Listed, $$"""{"ObjektId":"{{objectId}}","ForvaltareEpost":"{{manager}}","Verksamhet":"{{unit}}"}""", false,
            new ObjectItem(new ListItemOrigin(RefreshRun.Lists.Objects, itemId, modified ?? Listed), objectId, $"Objekt {objectId}", manager, unit), []);

    private static ListReadInfo ObjectsRead(string content) => new(RefreshRun.Lists.Objects, ListReadModes.File, true, null, WarehouseBuilders.Sha(content));

    private static BusinessCase Case(string id, string unit, string? objectId = null) => new(
        new InitiativeCard(id, $"Initiativ {id}", unit, "agare@nacka.se", objectId, [], "v1"),
        [2024, 2025],
        [new CostLine(2, "Införande", CostCategory.Investment, [new YearValue(2024, 100_000, "C2", "100000")])],
        [new BenefitLine(2, "Tid", BenefitType.Redistribution, [new YearValue(2025, 30_000, "D2", "30000")])],
        [new SourceAttribute("Initiativ-ID", id, "B1")]);

    private static SourceFile CaseFile(string id) => new(SourceKind.BusinessCase, $"{id}.xlsx", WarehouseBuilders.Sha(id), 1_000, Listed);

    /// <summary>Three objects: two of Välfärd skola's (one förvaltare spelled untidily), one of Kultur och fritid's without a förvaltare.</summary>
    private static readonly ListItemChange[] Objects =
    [
        Object("1", "OBJ-1", "  Anna.Andersson@Nacka.SE ", "Välfärd skola"),
        Object("2", "OBJ-2", "anna.andersson@nacka.se", "Välfärd skola"),
        Object("3", "OBJ-3", "bo@nacka.se", "Kultur och fritid"),
        Object("4", "OBJ-4", null, "Kultur och fritid"),
    ];

    /// <summary>A run of a loader given this class's access options and log, with whether it rebuilt the unit access.</summary>
    private async Task<(RunResult Result, bool Rebuilt)> RunWithAccessAsync(Func<RefreshRun, Task>? work = null, bool recomputeAll = false)
    {
        var loader = new WarehouseLoader(Warehouse.Database, Warehouse.Calculation, Warehouse.Evaluation, Warehouse.Actuals, Warehouse.Index, Access, _log);
        await using var run = await loader.StartRunAsync("test", null, ct: Ct);
        if (work is not null)
        {
            await work(run);
        }
        if (recomputeAll)
        {
            run.RecomputeAll();
        }
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        return (result, run.UnitAccessRebuilt);
    }

    private Task<List<AccessRow>> RowsAsync() => QueryAsync<AccessRow>(
        "SELECT unit AS Unit, user_principal_name AS UserPrincipalName, source AS Source FROM pbi_sec_unit_access ORDER BY unit, user_principal_name");

    private async Task<List<long>> RunIdsAsync() =>
        (await QueryAsync<long>("SELECT DISTINCT run_id FROM sec_unit_access")).ToList();

    private static AccessOptions Configured(params (string Unit, string[] Names)[] units) =>
        new() { Units = units.ToDictionary(u => u.Unit, u => u.Names.ToList()) };

    [Fact]
    public async Task TheConfigurationAndTheObjektsforvaltare_GiveOneRowPerUnitAndPerson()
    {
        Access = Configured(("Välfärd skola", ["Rektor.Ett@nacka.se", " rektor.ett@NACKA.se "]), ("Kultur och fritid", ["BO@nacka.se"]));

        var (result, rebuilt) = await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects"), Objects, Ct));

        Assert.True(rebuilt);
        // Bo is both named and förvaltare: one row, from configuration. Anna manages two objects of one unit: one row.
        Assert.Equal(
            [
                new AccessRow("Kultur och fritid", "bo@nacka.se", UnitAccessSources.Configuration),
                new AccessRow("Välfärd skola", "anna.andersson@nacka.se", UnitAccessSources.ObjectManager),
                new AccessRow("Välfärd skola", "rektor.ett@nacka.se", UnitAccessSources.Configuration),
            ],
            (await RowsAsync()).OrderBy(r => r.Unit, StringComparer.Ordinal).ThenBy(r => r.UserPrincipalName, StringComparer.Ordinal));
        Assert.Equal([result.RunId], await RunIdsAsync());
        Assert.All(result.Checks.Where(c => c.Name.Contains("pbi_sec_unit_access", StringComparison.Ordinal)), c => Assert.True(c.Passed, c.Name));
        Assert.Equal(7, result.Checks.Count(c => c.Name.Contains("pbi_sec_unit_access", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AChangedConfiguration_ChangesTheRows_AtTheNextRun_WithoutANewSource()
    {
        Access = Configured(("Välfärd skola", ["rektor.ett@nacka.se"]));
        await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects"), Objects, Ct));

        Access = Configured(("Välfärd skola", ["rektor.tva@nacka.se"]), ("Kultur och fritid", ["chef.kultur@nacka.se"]));
        var (second, rebuilt) = await RunWithAccessAsync();

        Assert.True(rebuilt);
        Assert.Equal(
            [
                new AccessRow("Kultur och fritid", "bo@nacka.se", UnitAccessSources.ObjectManager),
                new AccessRow("Kultur och fritid", "chef.kultur@nacka.se", UnitAccessSources.Configuration),
                new AccessRow("Välfärd skola", "anna.andersson@nacka.se", UnitAccessSources.ObjectManager),
                new AccessRow("Välfärd skola", "rektor.tva@nacka.se", UnitAccessSources.Configuration),
            ],
            (await RowsAsync()).OrderBy(r => r.Unit, StringComparer.Ordinal).ThenBy(r => r.UserPrincipalName, StringComparer.Ordinal));
        Assert.Equal([second.RunId], await RunIdsAsync());
    }

    [Fact]
    public async Task ARunWithNothingNew_WritesNothing()
    {
        Access = Configured(("Välfärd skola", ["rektor.ett@nacka.se"]));
        var (first, _) = await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects"), Objects, Ct));
        var before = await RowsAsync();

        // No source at all, then the object list read again with the same items, then the same configuration spelled otherwise.
        var (_, rebuiltWithNothing) = await RunWithAccessAsync();
        var (_, rebuiltWithSameList) = await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects again"), Objects, Ct));
        Access = Configured(("Välfärd skola", [" Rektor.Ett@Nacka.se"]));
        var (_, rebuiltWithSameNames) = await RunWithAccessAsync();

        Assert.False(rebuiltWithNothing);
        Assert.False(rebuiltWithSameList);
        Assert.False(rebuiltWithSameNames);
        Assert.Equal(before, await RowsAsync());
        // The rows are still the ones the first run wrote: no later run deleted and wrote them again.
        Assert.Equal([first.RunId], await RunIdsAsync());
    }

    [Fact]
    public async Task RecomputeAll_RebuildsTheRows_EvenWhenNothingChanged()
    {
        Access = Configured(("Välfärd skola", ["rektor.ett@nacka.se"]));
        await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects"), Objects, Ct));
        var before = await RowsAsync();

        var (recompute, rebuilt) = await RunWithAccessAsync(recomputeAll: true);

        Assert.True(rebuilt);
        Assert.Equal(before, await RowsAsync());
        Assert.Equal([recompute.RunId], await RunIdsAsync());
    }

    [Fact]
    public async Task AChangedObjectList_MovesAndRemovesTheForvaltaresRows()
    {
        await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects"), Objects, Ct));

        // OBJ-1 gets a new förvaltare, OBJ-2 is gone, OBJ-3 moves to another unit.
        var later = Listed.AddDays(1);
        await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects v2"),
            [Object("1", "OBJ-1", "Cecilia@nacka.se", "Välfärd skola", later), Object("3", "OBJ-3", "bo@nacka.se", "Stadsledningskontoret", later), Objects[3]], Ct));

        Assert.Equal(
            [
                new AccessRow("Stadsledningskontoret", "bo@nacka.se", UnitAccessSources.ObjectManager),
                new AccessRow("Välfärd skola", "cecilia@nacka.se", UnitAccessSources.ObjectManager),
            ],
            (await RowsAsync()).OrderBy(r => r.Unit, StringComparer.Ordinal).ThenBy(r => r.UserPrincipalName, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AConfiguredUnitTheWarehouseDoesNotKnow_IsLeftOutWithAWarning_AndTakenInOnceItIsKnown()
    {
        // "välfärd skola" is the known unit in other letters: kept, in the warehouse's spelling.
        Access = Configured(("Socialtjänst", ["chef.social@nacka.se"]), ("välfärd skola ", ["rektor.ett@nacka.se"]));

        var (first, _) = await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects"), Objects, Ct));

        Assert.DoesNotContain(await RowsAsync(), r => r.Unit == "Socialtjänst");
        Assert.Contains(new AccessRow("Välfärd skola", "rektor.ett@nacka.se", UnitAccessSources.Configuration), await RowsAsync());
        Assert.True(first.Checks.Single(c => c.Name == "relationship:pbi_sec_unit_access.unit->pbi_dim_unit.unit").Passed);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Socialtjänst", StringComparison.Ordinal));

        // An initiative of Socialtjänst makes the unit known: the configured access follows with no change of configuration.
        await RunWithAccessAsync(run => run.AddBusinessCaseAsync(CaseFile("DIG-S"), Case("DIG-S", "Socialtjänst"), Ct));

        Assert.Contains(new AccessRow("Socialtjänst", "chef.social@nacka.se", UnitAccessSources.Configuration), await RowsAsync());
    }

    [Fact]
    public async Task AForvaltare_AlsoSeesTheUnitsOfTheInitiativesOnTheirObjects()
    {
        // DIG-K belongs to Kultur och fritid but runs on Anna's OBJ-1 (Välfärd skola): under the role
        // Objektsförvaltare, Anna's unit filter must let it through, so her units include Kultur och fritid.
        await RunWithAccessAsync(async run =>
        {
            await run.AddListAsync(ObjectsRead("objects"), Objects, Ct);
            await run.AddBusinessCaseAsync(CaseFile("DIG-K"), Case("DIG-K", "Kultur och fritid", "OBJ-1"), Ct);
        });

        Assert.Equal(
            [
                new AccessRow("Kultur och fritid", "anna.andersson@nacka.se", UnitAccessSources.ObjectManager),
                new AccessRow("Kultur och fritid", "bo@nacka.se", UnitAccessSources.ObjectManager),
                new AccessRow("Välfärd skola", "anna.andersson@nacka.se", UnitAccessSources.ObjectManager),
            ],
            (await RowsAsync()).OrderBy(r => r.Unit, StringComparer.Ordinal).ThenBy(r => r.UserPrincipalName, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ObjectAccess_IsTheObjectsOfTheUsersUnits_OfTheirUnitsInitiatives_AndTheObjectsTheyManage()
    {
        // Rektor sees Välfärd skola; DIG-S of Välfärd skola runs on OBJ-3, Kultur och fritid's object managed by Bo.
        Access = Configured(("Välfärd skola", ["rektor.ett@nacka.se"]));
        await RunWithAccessAsync(async run =>
        {
            await run.AddListAsync(ObjectsRead("objects"), Objects, Ct);
            await run.AddBusinessCaseAsync(CaseFile("DIG-S"), Case("DIG-S", "Välfärd skola", "OBJ-3"), Ct);
        });

        var rows = (await QueryAsync<(string ObjectId, string UserPrincipalName, string Source)>(
            "SELECT object_id, user_principal_name, source FROM pbi_sec_object_access")).Order().ToList();

        // Rektor: OBJ-1 and OBJ-2 are Välfärd skola's own, OBJ-3 carries DIG-S. Anna manages OBJ-1 and OBJ-2 (her
        // unit Välfärd skola gives them again, and DIG-S's OBJ-3). Bo manages OBJ-3, which carries an initiative of
        // Välfärd skola, so his units are Kultur och fritid (OBJ-3, OBJ-4) and Välfärd skola (OBJ-1, OBJ-2, OBJ-3 by DIG-S).
        (string, string, string)[] expected =
        [
            ("OBJ-1", "anna.andersson@nacka.se", ObjectAccessSources.Manager),
            ("OBJ-1", "anna.andersson@nacka.se", ObjectAccessSources.Unit),
            ("OBJ-1", "bo@nacka.se", ObjectAccessSources.Unit),
            ("OBJ-1", "rektor.ett@nacka.se", ObjectAccessSources.Unit),
            ("OBJ-2", "anna.andersson@nacka.se", ObjectAccessSources.Manager),
            ("OBJ-2", "anna.andersson@nacka.se", ObjectAccessSources.Unit),
            ("OBJ-2", "bo@nacka.se", ObjectAccessSources.Unit),
            ("OBJ-2", "rektor.ett@nacka.se", ObjectAccessSources.Unit),
            ("OBJ-3", "anna.andersson@nacka.se", ObjectAccessSources.Initiative),
            ("OBJ-3", "bo@nacka.se", ObjectAccessSources.Initiative),
            ("OBJ-3", "bo@nacka.se", ObjectAccessSources.Manager),
            ("OBJ-3", "bo@nacka.se", ObjectAccessSources.Unit),
            ("OBJ-3", "rektor.ett@nacka.se", ObjectAccessSources.Initiative),
            ("OBJ-4", "bo@nacka.se", ObjectAccessSources.Unit),
        ];
        Assert.Equal(expected.Order().ToList(), rows);
    }

    [Fact]
    public async Task TheDataChecks_FindRowsThatBreakTheFeedsRules()
    {
        var (published, _) = await RunWithAccessAsync(run => run.AddListAsync(ObjectsRead("objects"), Objects, Ct));
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO sec_unit_access (unit, user_principal_name, source, run_id) VALUES
                ('Ingen sådan', 'x@nacka.se', 'Forvaltningsobjekt', @RunId),
                ('Välfärd skola', ' Y@nacka.se', 'Handpåläggning', @RunId)
            """, new { published.RunId }, cancellationToken: Ct));

        var failing = (await DataChecks.RunAsync(connection, null, 60, Ct)).Where(c => !c.Passed).Select(c => c.Name).ToList();

        Assert.Contains("relationship:pbi_sec_unit_access.unit->pbi_dim_unit.unit", failing);
        Assert.Contains("accepted_values:pbi_sec_unit_access.source", failing);
        Assert.Contains("expression:pbi_sec_unit_access:name_is_trimmed_lower_case", failing);
        // The object feed shows the unit's untidy name beside its objects: its checks count a snapshot of the view on
        // SQLite, taken for the run and dropped after it, so that the checks run again alike.
        Assert.Contains("expression:pbi_sec_object_access:name_is_trimmed_lower_case", failing);
        Assert.Equal(failing, (await DataChecks.RunAsync(connection, null, 60, Ct)).Where(c => !c.Passed).Select(c => c.Name).ToList());
    }
}

/// <summary>AccessOptions is checked at start: a name that cannot be anyone's is a mistake to report, not to skip.</summary>
public sealed class AccessOptionsFacts
{
    private static List<string> Problems(AccessOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }

    [Fact]
    public void AUnitWithUserPrincipalNames_IsValid()
    {
        Assert.Empty(Problems(new AccessOptions { Units = new() { ["Välfärd skola"] = ["rektor.ett@nacka.se", " Rektor.Tva@Nacka.se "] } }));
        Assert.Empty(Problems(new AccessOptions()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("rektor.ett")]
    [InlineData("@nacka.se")]
    [InlineData("rektor ett@nacka.se")]
    public void AnEmptyOrMalformedName_IsReported_WithWhereItIs(string name)
    {
        var problems = Problems(new AccessOptions { Units = new() { ["Välfärd skola"] = ["rektor.ett@nacka.se", name] } });

        Assert.Contains("AccessOptions:Units:Välfärd skola:1", Assert.Single(problems));
    }

    [Fact]
    public void AnEmptyUnit_OrAnOverlongName_IsReported()
    {
        Assert.Single(Problems(new AccessOptions { Units = new() { [" "] = ["a@nacka.se"] } }));
        Assert.Single(Problems(new AccessOptions { Units = new() { ["Välfärd skola"] = [new string('a', AccessOptions.MaxNameLength) + "@nacka.se"] } }));
    }

    [Fact]
    public void Grants_AreTrimmedLowerCaseAndDistinct()
    {
        var options = new AccessOptions { Units = new() { [" Välfärd skola "] = ["Rektor.Ett@Nacka.se", "rektor.ett@nacka.se  "] } };

        Assert.Equal([("Välfärd skola", "rektor.ett@nacka.se")], options.Grants());
    }
}

public sealed class SqliteUnitAccessFacts : UnitAccessFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresUnitAccessFacts(PostgresCluster cluster) : UnitAccessFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
