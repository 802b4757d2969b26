using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>How the migrator cuts a SQL Server script into the batches it sends one by one.</summary>
public sealed class SqlServerDialectFacts
{
    [Theory]
    [InlineData("GO")]
    [InlineData("go")]
    [InlineData("Go")]
    [InlineData("GO;")]
    [InlineData("  GO  ")]
    [InlineData("\tgo ;  ")]
    public void SplitBatches_CutsAtAGoLine_InAnyCase_WithOptionalSemicolonAndWhitespace(string separator)
    {
        var batches = Split($"CREATE TABLE dbo.t (a int);\n{separator}\nCREATE VIEW dbo.v AS SELECT a FROM dbo.t;\n{separator}\n");

        Assert.Equal(["CREATE TABLE dbo.t (a int);", "CREATE VIEW dbo.v AS SELECT a FROM dbo.t;"], batches);
    }

    [Fact]
    public void SplitBatches_CutsAtGoLines_WithWindowsLineEndings_AndAtTheEndOfTheScript()
    {
        var batches = Split("SELECT 1;\r\nGO\r\nSELECT 2;\r\nGO");

        Assert.Equal(["SELECT 1;", "SELECT 2;"], batches);
    }

    [Theory]
    [InlineData("CREATE TABLE dbo.t (\n    go_live date NULL,\n    go int NULL\n);")]
    [InlineData("SELECT\n    go_live\nFROM dbo.t;")]
    [InlineData("SELECT 'GO' AS word;")]
    [InlineData("PRINT 'GO';\nSELECT 1 AS go;")]
    [InlineData("SELECT a FROM dbo.t -- GO\nWHERE a = 1;")]
    [InlineData("UPDATE dbo.t SET note = N'GO\n' + note;")]
    public void SplitBatches_DoesNotCut_AtGoInsideIdentifiersOrText(string script)
    {
        Assert.Equal([script], Split(script));
    }

    [Fact]
    public void SplitBatches_DropsEmptyBatches()
    {
        Assert.Equal(["SELECT 1;"], Split("GO\n\nSELECT 1;\nGO\n   \nGO\n"));
    }

    private static List<string> Split(string script) => SqlServerDialect.Instance.SplitBatches(script).Select(b => b.Trim()).ToList();
}
