using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Tests.Quality;

/// <summary>
/// The data checks (and the actuals template's lookup) compare keys as Power BI does. The checks find a key Power BI would see twice: two spellings that differ only in letter case, Swedish letters
/// included, which neither SQLite's own upper() nor PostgreSQL's lower() in a C-locale database folds. They are written
/// here directly: the loads never store one.
/// </summary>
public abstract class KeyCaseCheckFacts : WarehouseFacts
{
    [Fact]
    public async Task Unique_CatchesAUnitSpelledInOtherCase_WithSwedishLetters()
    {
        await ExecuteAsync("INSERT INTO dim_unit (unit) VALUES ('Välfärd skola'), ('VÄLFÄRD SKOLA'), ('Stadsledningskontoret')");

        var failing = await FailingAsync();

        Assert.Equal(1, failing.GetValueOrDefault("unique:pbi_dim_unit(unit)"));
    }

    [Fact]
    public async Task Unique_KeepsAnAccentApart()
    {
        // Power BI compares accent-sensitively: Valfard is another unit than Välfärd.
        await ExecuteAsync("INSERT INTO dim_unit (unit) VALUES ('Välfärd skola'), ('Valfard skola'), ('ÅRE'), ('Are')");

        var failing = await FailingAsync();

        Assert.False(failing.ContainsKey("unique:pbi_dim_unit(unit)"), string.Join(", ", failing.Keys));
    }

    [Fact]
    public async Task Unique_OverTheWrittenInitiatives_FindsTheOtherSpellingOfOne()
    {
        await ExecuteAsync(
            """
            INSERT INTO dim_unit (unit) VALUES ('Välfärd skola');
            INSERT INTO dim_initiative (initiative_id, name, unit, source) VALUES
                ('DIG-2023-014', 'Digital signering', 'Välfärd skola', 'Nyttokalkyl'),
                ('dig-2023-014', 'Digital signering', 'Välfärd skola', 'Nyttokalkyl'),
                ('DIG-2024-001', 'Ett annat', 'Välfärd skola', 'Nyttokalkyl');
            """);
        var check = DataChecks.All.Single(c => c.Name == "unique:pbi_dim_initiative(initiative_id)");

        // A run that wrote only DIG-2023-014 checks its rows, and finds the spelling it did not write.
        var scoped = await RunAsync(new PlannedCheck(check, new HashSet<object> { "DIG-2023-014" }));
        var unrelated = await RunAsync(new PlannedCheck(check, new HashSet<object> { "DIG-2024-001" }));
        var everyRow = await RunAsync(PlannedCheck.EveryRow(check));

        Assert.Equal(1, scoped);
        Assert.Equal(0, unrelated);
        Assert.Equal(1, everyRow);
    }

    [Fact]
    public async Task TheActualsTemplate_FindsAnObjectNamedInOtherCase_WithSwedishLetters()
    {
        await ExecuteAsync("INSERT INTO dim_object (object_id, name, manager_email, unit, item_id) VALUES ('FÖ-SIGN', 'E-signering', 'maria@nacka.se', NULL, '1')");

        var template = await new WarehouseQueries(Warehouse.Database).GetActualsTemplateAsync("fö-sign", Ct);

        Assert.Equal("FÖ-SIGN", template?.ObjectId);
    }

    private async Task<Dictionary<string, int>> FailingAsync()
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        return (await DataChecks.RunAsync(connection, null, 60, Ct)).Where(c => !c.Passed).ToDictionary(c => c.Name, c => c.FailingRows);
    }

    private async Task<int> RunAsync(PlannedCheck check)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        return (await DataChecks.RunAsync(connection, null, [check], 60, Ct)).Single().FailingRows;
    }
}

public sealed class SqliteKeyCaseCheckFacts : KeyCaseCheckFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresKeyCaseCheckFacts(PostgresCluster cluster) : KeyCaseCheckFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
