using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>The pbi_* views, one text each in sql/views/, as the migrator loads them.</summary>
public sealed class ViewCatalogFacts
{
    [Fact]
    public void ViewTexts_InTheRepository_AreTheOnesTheCatalogEmbeds()
    {
        var files = RepositoryScripts.Views();
        var catalog = ViewCatalog.Embedded;

        Assert.NotEmpty(catalog.Views);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), catalog.Views.SelectMany(v => v.OverriddenFor.Select(db => $"{db}/{v.Name}.sql").Prepend($"{v.Name}.sql")).Order(StringComparer.Ordinal));
        Assert.All(catalog.Views, view => Assert.Equal(files[$"{view.Name}.sql"], view.Sql));
        Assert.All(catalog.Views, view => Assert.StartsWith("pbi_", view.Name, StringComparison.Ordinal));
    }

    /// <summary>
    /// The data checks' hand-kept lineage (<see cref="WarehouseViews"/>) is the oracle until the checks read it
    /// from the catalog: what each view reads, parsed from its text, is what they declare it reads.
    /// </summary>
    [Fact]
    public void EachView_ReadsWhatTheDataChecksDeclareItReads()
    {
        var catalog = ViewCatalog.Embedded;

        Assert.Equal(WarehouseViews.Sources.Keys.Order(StringComparer.Ordinal), catalog.Views.Select(v => v.Name).Order(StringComparer.Ordinal));
        Assert.All(catalog.Views, view =>
        {
            var declared = WarehouseViews.Sources[view.Name].All.ToHashSet(StringComparer.Ordinal);
            Assert.True(declared.SetEquals(view.Reads), $"{view.Name} reads {string.Join(", ", view.Reads.Order())}; declared {string.Join(", ", declared.Order())}");
        });
    }

    [Fact]
    public void Reads_AreTheNamesAfterFromAndJoin_NotThoseInCommentsLiteralsOrFunctionCalls()
    {
        var view = View("v",
            """
            -- FROM commented_out
            SELECT 'FROM literal' AS a, "quoted FROM" AS b, EXTRACT(YEAR FROM d.day) AS y /* JOIN block_comment */
            FROM dbo.first AS f, second s
            LEFT JOIN [Third] t ON t.id = f.id
            JOIN fourth ON fourth.id = f.id
            WHERE EXISTS (SELECT 1 FROM fifth x WHERE x.id = f.id) AND 'it''s FROM quoted' <> ''
            UNION
            SELECT a, b, y FROM (SELECT 1 AS a, 2 AS b, 3 AS y FROM sixth) AS inline;
            """);

        Assert.Equal(["fifth", "first", "fourth", "second", "sixth", "third"], view.Reads.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Views_ComeAfterTheViewsTheyRead()
    {
        var catalog = new ViewCatalog([View("pbi_a", "SELECT x FROM pbi_b JOIN t ON 1 = 1"), View("pbi_b", "SELECT x FROM pbi_c"), View("pbi_c", "SELECT x FROM t"), View("pbi_0", "SELECT x FROM t")]);

        Assert.Equal(["pbi_0", "pbi_c", "pbi_b", "pbi_a"], catalog.Views.Select(v => v.Name));
    }

    [Fact]
    public void Views_ThatReadEachOtherInACircle_AreRefused()
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => new ViewCatalog([View("pbi_a", "SELECT x FROM pbi_b"), View("pbi_b", "SELECT x FROM pbi_a")]));

        Assert.Contains("pbi_a → pbi_b → pbi_a", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateStatement_NamesTheViewAsTheDatabaseDoes_AndTakesADatabasesOwnTextWhereItHasOne()
    {
        var view = new ViewDefinition("pbi_v", "-- Grain: one row per t.\nSELECT a FROM t;\n", new Dictionary<string, string> { ["postgres"] = "SELECT a::text AS a FROM t" });

        Assert.Equal("CREATE VIEW pbi_v AS\n-- Grain: one row per t.\nSELECT a FROM t", view.CreateStatement(SqliteDialect.Instance));
        Assert.Equal("CREATE VIEW dbo.pbi_v AS\n-- Grain: one row per t.\nSELECT a FROM t", view.CreateStatement(SqlServerDialect.Instance));
        Assert.Equal("CREATE VIEW pbi_v AS\nSELECT a::text AS a FROM t", view.CreateStatement(PostgresDialect.Instance));
        Assert.Equal(["postgres"], view.OverriddenFor);
    }

    [Fact]
    public void CreateBatches_GrantTheReaderRole_WhereTheDatabaseHasRoles()
    {
        var catalog = new ViewCatalog([View("pbi_v", "SELECT a FROM t")]);

        Assert.Equal(["CREATE VIEW pbi_v AS\nSELECT a FROM t"], catalog.CreateBatches(SqliteDialect.Instance));
        Assert.Equal(["CREATE VIEW pbi_v AS\nSELECT a FROM t", "GRANT SELECT ON pbi_v TO nacka_insights_reader"], catalog.CreateBatches(PostgresDialect.Instance));
        Assert.Equal(["CREATE VIEW dbo.pbi_v AS\nSELECT a FROM t", "GRANT SELECT ON dbo.pbi_v TO nacka_insights_reader"], catalog.CreateBatches(SqlServerDialect.Instance));
    }

    private static ViewDefinition View(string name, string sql) => new(name, sql, new Dictionary<string, string>());
}
