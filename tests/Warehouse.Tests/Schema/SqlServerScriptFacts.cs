using System.Text;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>
/// The SQL Server scripts, checked by parsing them, since SQL Server cannot run here: the versioned scripts,
/// then the views of sql/views/ as the migrator sends them to SQL Server after the scripts.
/// </summary>
public sealed class SqlServerScriptFacts
{
    private const string ReaderRole = WarehouseDialect.ReaderRole;
    private const string ViewsAsSent = "sql/views (as sent to SQL Server)";

    public static IReadOnlyList<RepositoryScript> Scripts => RepositoryScripts.In(SqlServerDialect.Instance.ScriptFolder);

    /// <summary>The batches that create the views and grant them, one after another, each ended by GO as the tools cut them.</summary>
    public static IReadOnlyList<string> ViewBatches => ViewCatalog.Embedded.CreateBatches(SqlServerDialect.Instance).ToList();

    public static TSqlSchemaModel BuildModel() =>
        TSqlSchemaModel.Build(Scripts.Select(s => (s.Name, s.ReadText())).Append((ViewsAsSent, string.Concat(ViewBatches.Select(b => $"{b}\nGO\n")))));

    [Fact]
    public void ViewBatches_EachParse_AsOneStatement_WithoutASingleError()
    {
        Assert.NotEmpty(ViewBatches);
        foreach (var batch in ViewBatches)
        {
            var parsed = TSqlSchemaModel.Parse(ViewsAsSent, batch);

            Assert.True(parsed.Problems.Count == 0, $"{batch}{Environment.NewLine}does not parse:{Environment.NewLine}{string.Join(Environment.NewLine, parsed.Problems)}");
            Assert.Single(Assert.Single(parsed.Batches).Statements);
        }
    }

    [Fact]
    public void ViewBatches_CreateEachViewInDbo_AndGrantItToTheReaderRole()
    {
        var statements = ViewBatches.SelectMany(b => TSqlSchemaModel.Parse(ViewsAsSent, b).Batches.SelectMany(p => p.Statements)).ToList();
        var created = statements.OfType<CreateViewStatement>().Select(v => v.SchemaObjectName).ToList();

        Assert.Equal(ViewCatalog.Embedded.Views.Count, created.Count);
        Assert.All(created, name => Assert.Equal("dbo", name.SchemaIdentifier?.Value));
        Assert.Equal(ViewCatalog.Embedded.Views.Select(v => v.Name), created.Select(n => n.BaseIdentifier.Value));
        Assert.Equal(created.Count, statements.OfType<GrantStatement>().Count());
    }

    [Fact]
    public void SqlServerScripts_InTheRepository_AreByteForByteTheOnesTheMigratorEmbeds()
    {
        var embedded = SchemaMigrator.ScriptsFor(SqlServerDialect.Instance);
        var assembly = typeof(SchemaMigrator).Assembly;

        Assert.NotEmpty(Scripts);
        Assert.Equal(Scripts.Select(s => s.Name), embedded.Select(s => s.Name));
        foreach (var (file, script) in Scripts.Zip(embedded))
        {
            using var resource = assembly.GetManifestResourceStream($"sql/{SqlServerDialect.Instance.ScriptFolder}/{script.Name}")!;
            using var bytes = new MemoryStream();
            resource.CopyTo(bytes);
            Assert.True(file.ReadBytes().AsSpan().SequenceEqual(bytes.ToArray()), $"{file.Name} differs from the embedded script: rebuild.");
            Assert.Equal(file.ReadText(), script.Sql);
            Assert.Equal(file.Version, script.Version);
        }
    }

    [Fact]
    public void SqlServerScripts_EachParse_WithoutASingleError()
    {
        var problems = Scripts.SelectMany(s => TSqlSchemaModel.Parse(s.Name, s.ReadText()).Problems).ToList();

        Assert.True(problems.Count == 0, $"The SQL Server scripts do not parse:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
    }

    [Fact]
    public void SqlServerScripts_AreCutIntoBatches_WhereSqlServersOwnToolsCutThem()
    {
        foreach (var script in Scripts)
        {
            var text = script.ReadText();
            var whole = (TSqlScript)new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(text), out var errors);
            Assert.True(errors.Count == 0, $"{script.Name} does not parse.");

            // One ScriptDom batch per batch the migrator sends, or none where it sends only comments.
            var split = TSqlSchemaModel.Parse(script.Name, text).Batches
                .Where(b => b.Fragment is { Batches.Count: > 0 })
                .Select(b => TextOf(b.Fragment!, b.Fragment!.Batches[0].FirstTokenIndex, b.Fragment.Batches[^1].LastTokenIndex))
                .ToList();

            Assert.Equal(whole.Batches.Select(b => TextOf(b, b.FirstTokenIndex, b.LastTokenIndex)), split);
        }
    }

    [Fact]
    public void SqlServerScripts_CreateTheReaderRole_AndGrantItSelectOnExactlyThePbiViews()
    {
        var model = BuildModel();
        var pbiViews = model.Views.Keys.Where(v => v.StartsWith("pbi_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var readerGrants = model.Grants.Where(g => g.Principal == ReaderRole).ToList();

        Assert.Contains(ReaderRole, model.Roles);
        Assert.NotEmpty(pbiViews);
        Assert.All(readerGrants, g => Assert.Equal("SELECT", g.Permission));
        Assert.Equal(pbiViews, readerGrants.Select(g => g.Object ?? "(the database)").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SchemaModel_NamesViewColumns_ByAliasOrByTheLastPartOfTheColumnReference()
    {
        var model = Model(
            """
            CREATE TABLE dbo.t (a int, b int);
            GO
            CREATE VIEW dbo.v AS
            SELECT t.a, [b] AS B_Renamed, c = a + 1, a * 2 AS 'd' FROM dbo.t
            UNION ALL
            SELECT 1, 2, 3, 4;
            GO
            """);

        Assert.Equal(["a", "b_renamed", "c", "d"], model.Views["v"]);
    }

    [Theory]
    [InlineData("CREATE VIEW dbo.v AS SELECT * FROM dbo.t;")]
    [InlineData("CREATE VIEW dbo.v AS SELECT t.* FROM dbo.t;")]
    [InlineData("CREATE VIEW dbo.v AS SELECT a, a + 1 FROM dbo.t;")]
    [InlineData("CREATE OR ALTER VIEW dbo.v AS SELECT (a) FROM dbo.t;")]
    [InlineData("EXEC sp_rename 'dbo.t.a', 'b', 'COLUMN';")]
    [InlineData("EXEC (N'ALTER TABLE dbo.t ADD b int');")]
    [InlineData("CREATE TABLE staging.u (a int);")]
    [InlineData("SELECT a INTO dbo.u FROM dbo.t;")]
    public void SchemaModel_Refuses_WhatItCannotFollow(string statement)
    {
        Assert.Throws<NotSupportedException>(() => Model($"CREATE TABLE dbo.t (a int);\nGO\n{statement}\nGO\n"));
    }

    [Fact]
    public void SchemaModel_FollowsAlterAndDrop_WithNamesInAnyCase()
    {
        var model = Model(
            """
            IF OBJECT_ID(N'dbo.t', N'U') IS NULL CREATE TABLE DBO.T (A int, b int);
            GO
            IF OBJECT_ID(N'dbo.t', N'U') IS NULL CREATE TABLE dbo.t (a int, b int, z int);
            ALTER TABLE t ADD c int, d int CONSTRAINT df_d DEFAULT 0;
            ALTER TABLE dbo.t DROP CONSTRAINT df_d, COLUMN a;
            CREATE TABLE dbo.gone (x int);
            DROP TABLE dbo.gone;
            CREATE ROLE reader;
            CREATE TABLE #scratch (a int);
            ALTER TABLE #scratch ADD b int;
            DROP TABLE #scratch;
            BEGIN TRY
                CREATE TABLE dbo.tried (x int);
            END TRY
            BEGIN CATCH
                THROW;
            END CATCH
            GO
            CREATE VIEW dbo.v AS SELECT b FROM dbo.t;
            GO
            CREATE VIEW dbo.w AS SELECT b FROM dbo.t;
            GO
            GRANT SELECT ON dbo.v TO reader;
            GRANT SELECT ON dbo.w TO reader;
            GRANT SELECT, INSERT ON OBJECT::dbo.t TO Reader;
            REVOKE INSERT ON dbo.t FROM reader;
            GO
            ALTER VIEW dbo.v AS SELECT d AS dd, b FROM dbo.t;
            GO
            DROP VIEW IF EXISTS dbo.w;
            """);

        Assert.Equal(["t", "tried"], model.Tables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["b", "c", "d"], model.Tables["t"]);
        Assert.Equal(["v"], model.Views.Keys);
        Assert.Equal(["dd", "b"], model.Views["v"]);
        Assert.Equal(["reader"], model.Roles);
        Assert.Equal(
            [new TSqlGrant("SELECT", "t", "reader"), new TSqlGrant("SELECT", "v", "reader")],
            model.Grants.OrderBy(g => g.Object));
    }

    private static TSqlSchemaModel Model(string script) => TSqlSchemaModel.Build([("test.sql", script)]);

    private static string TextOf(TSqlFragment fragment, int firstToken, int lastToken)
    {
        var text = new StringBuilder();
        for (var i = firstToken; i <= lastToken; i++)
        {
            text.Append(fragment.ScriptTokenStream[i].Text);
        }
        return text.ToString();
    }
}
