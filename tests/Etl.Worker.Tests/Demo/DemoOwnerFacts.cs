using Dapper;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Demo;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Demo;

/// <summary>
/// The demo command, as a newcomer runs it: its list Initiativ keeps the owner in a person column, mapped by a setting
/// laid over the shipped appsettings.json (whose lists are in the short form), and the owners reach the warehouse.
/// </summary>
public sealed class DemoOwnerFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-demo-owner");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task TheDemo_ReadsEveryOwnerThroughItsPersonColumn_AndSaysWhichSettingDoesIt()
    {
        var db = Path.Combine(_dir.Path, "nacka-insights.db");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await NackaInsightsCommandLine.InvokeAsync(["demo", "--db", db, "--source-dir", Path.Combine(_dir.Path, "demo")], stdout, stderr, TestContext.Current.CancellationToken);

        Assert.True(exit == ExitCodes.Success, $"demo exited {exit}: {stderr}");
        Assert.Contains($"{DemoListWriter.OwnerSetting} = {DemoListWriter.OwnerColumn}", stdout.ToString());
        Assert.Contains("GraphOptions__Lists__Initiativ__Columns__AgareEpost=Agare", stdout.ToString());
        Assert.DoesNotContain("the list has no column", stderr.ToString());
        await using var connection = await new WarehouseDatabase(WarehouseOptions.ForSqliteFile(db)).OpenAsync(TestContext.Current.CancellationToken);
        var owners = (await connection.QueryAsync<(string Id, string? Owner)>("SELECT initiative_id, owner_email FROM pbi_dim_initiative"))
            .ToDictionary(o => o.Id, o => o.Owner);
        foreach (var initiative in DemoSourceWriter.Catalogue())
        {
            Assert.Equal(initiative.Draft.OwnerEmail, owners[initiative.Id]);
        }
        Assert.All(DemoListWriter.Flow, f => Assert.Equal("registrator.digitalisering@nacka.se", owners[f.Id]));
    }
}
