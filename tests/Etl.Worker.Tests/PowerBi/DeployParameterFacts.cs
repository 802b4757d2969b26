using NackaInsights.Etl.PowerBi.Fabric;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.PowerBi;

/// <summary>The model's parameters Databastyp, Server and Database, from the warehouse configuration of each database.</summary>
public sealed class DeployParameterFacts
{
    [Fact]
    public void SqlServer_IsNamedSqlServer_WithItsDataSourceAndInitialCatalog()
    {
        var parameters = ModelParameters.For(new WarehouseOptions
        {
            Provider = WarehouseProvider.SqlServer,
            ConnectionString = @"Data Source=sql.nacka.se\lager;Initial Catalog=NackaInsights;Integrated Security=true;TrustServerCertificate=true",
        });

        Assert.Equal(new ModelParameters("SQL Server", @"sql.nacka.se\lager", "NackaInsights"), parameters);
    }

    [Fact]
    public void PostgreSql_IsNamedPostgreSql_WithHostColonPort_AndTheDefaultPortWhenNoneIsGiven()
    {
        Assert.Equal(new ModelParameters("PostgreSQL", "db.nacka.se:6432", "nacka_insights"), ModelParameters.For(new WarehouseOptions
        {
            Provider = WarehouseProvider.Postgres,
            ConnectionString = "Host=db.nacka.se;Port=6432;Database=nacka_insights;Username=etl;Password=x",
        }));
        Assert.Equal(new ModelParameters("PostgreSQL", "db.nacka.se:5432", "nacka_insights"), ModelParameters.For(new WarehouseOptions
        {
            Provider = WarehouseProvider.Postgres,
            ConnectionString = "Host=db.nacka.se;Database=nacka_insights",
        }));
    }

    [Fact]
    public void Sqlite_IsReadThroughOdbc_ItsDatabaseTheFilesFullPath_AndItsServerLeftAsTheModelHasIt()
    {
        var parameters = ModelParameters.For(WarehouseOptions.ForSqliteFile("nacka-insights.db"));

        Assert.Equal("SQLite (ODBC)", parameters.Databastyp);
        Assert.Null(parameters.Server);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "nacka-insights.db"), parameters.Database);
    }

    [Fact]
    public void SettingTheParameters_ChangesOnlyTheirValues_AndDoublesQuotesAsMDoes()
    {
        const string expressions = "expression Databastyp = \"SQL Server\" meta [IsParameterQuery=true]\n\nexpression Server = \"localhost\" meta [IsParameterQuery=true]\n\nexpression Database = \"NackaInsights\" meta [IsParameterQuery=true]\n";

        var set = FabricProject.SetParameters(expressions, new ModelParameters("PostgreSQL", "db:5432", "a\"b"));

        Assert.Equal("expression Databastyp = \"PostgreSQL\" meta [IsParameterQuery=true]\n\nexpression Server = \"db:5432\" meta [IsParameterQuery=true]\n\nexpression Database = \"a\"\"b\" meta [IsParameterQuery=true]\n", set);
    }
}
