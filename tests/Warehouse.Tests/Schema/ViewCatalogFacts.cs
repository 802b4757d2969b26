using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Storage;
using NackaInsights.Warehouse.Tests.Quality;

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
    /// The data checks' hand-kept lineage, kept as the oracle (<see cref="DeclaredLineage"/>): what each view reads,
    /// parsed from its text, and what its header names lookups and its scope, are what was declared.
    /// </summary>
    [Fact]
    public void EachView_ReadsLooksUpAndIsScopedAsTheOldDeclarationsSaid()
    {
        var catalog = ViewCatalog.Embedded;

        Assert.Equal(DeclaredLineage.Sources.Keys.Order(StringComparer.Ordinal), catalog.Views.Select(v => v.Name).Order(StringComparer.Ordinal));
        Assert.All(catalog.Views, view =>
        {
            var declared = DeclaredLineage.Sources[view.Name];
            Assert.True(ViewCatalogLineage.Instance.TryGetSources(view.Name, out var parsed));
            Assert.True(declared.All.ToHashSet(StringComparer.Ordinal).SetEquals(view.Reads), $"{view.Name} reads {string.Join(", ", view.Reads.Order())}; declared {string.Join(", ", declared.All.Order())}");
            Assert.Equal(declared.Rows.Order(StringComparer.Ordinal), parsed.Rows.Order(StringComparer.Ordinal));
            Assert.Equal(declared.Lookups.Order(StringComparer.Ordinal), parsed.Lookups.Order(StringComparer.Ordinal));
            Assert.Equal(declared.ScopeColumn, parsed.ScopeColumn);
        });
    }

    /// <summary>
    /// A write of each kind to each table the views read, of some initiatives' rows or of any, calls for the same checks
    /// over the same rows whether the planning reads the views' texts or the old declarations.
    /// </summary>
    [Fact]
    public void PlanningOverTheViewTexts_CallsForTheChecksTheOldDeclarationsDid_AfterAWriteToEachTable()
    {
        var tables = DeclaredLineage.Sources.Values.SelectMany(s => s.All).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var compared = 0;
        var checksCalledFor = 0;
        foreach (var table in tables)
        {
            foreach (var kind in new[] { TableWrite.Inserted, TableWrite.Changed, TableWrite.Inserted | TableWrite.Changed })
            {
                foreach (var ofInitiatives in new[] { false, true })
                {
                    var written = new TableWrites();
                    if (ofInitiatives)
                    {
                        written.RecordInitiatives(table, kind, ["DIG-1", "DIG-2"]);
                    }
                    else
                    {
                        written.Record(table, kind);
                    }
                    var expected = Describe(DataChecks.Plan(written, DeclaredViewLineage.Instance));
                    checksCalledFor += expected.Count;
                    Assert.Equal(expected, Describe(DataChecks.Plan(written, ViewCatalogLineage.Instance)));
                    Assert.Equal(expected, Describe(DataChecks.Plan(written)));
                    compared++;
                }
            }
        }
        Assert.Equal(tables.Count * 6, compared);
        Assert.True(checksCalledFor > 0);

        static List<string> Describe(IReadOnlyList<PlannedCheck> plan) =>
            [.. plan.Select(p => $"{p.Check.Name}: {(p.Keys is null ? "every row" : string.Join(",", p.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal)))}").Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void AHeader_NamingALookupTheViewDoesNotRead_IsRefused()
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => View("pbi_v", "-- lookups: etl_file\nSELECT a FROM t"));

        Assert.Contains("etl_file", refusal.Message, StringComparison.Ordinal);
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
