using Microsoft.SqlServer.TransactSql.ScriptDom;
using NackaInsights.Etl.Report;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>
/// The report's SQL on SQL Server, which cannot run here: each query, as sent for the municipality and for two units,
/// parses as T-SQL (ScriptDom, as Warehouse.Tests checks the SQL Server scripts) and reads nothing but the views
/// Power BI may read.
/// </summary>
public sealed class ReportQueryContentFacts
{
    public static TheoryData<int> UnitCounts => new(0, 1, 2);

    [Theory]
    [MemberData(nameof(UnitCounts))]
    public void EveryQuery_ParsesAsTSql_WithoutASingleError(int units)
    {
        foreach (var (name, sql) in ReportQueries.All(units))
        {
            var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);

            Assert.True(errors.Count == 0, $"{name} does not parse as T-SQL:{Environment.NewLine}{sql}{Environment.NewLine}{string.Join(Environment.NewLine, errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"))}");
            var statement = Assert.Single(Assert.Single(((TSqlScript)fragment).Batches).Statements);
            Assert.IsType<SelectStatement>(statement);
        }
    }

    [Theory]
    [MemberData(nameof(UnitCounts))]
    public void EveryQuery_ReadsOnlyThePbiViews(int units)
    {
        var views = ViewCatalog.Embedded.Views.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, sql) in ReportQueries.All(units))
        {
            var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out _);
            var tables = new TableNames();
            fragment.Accept(tables);

            Assert.NotEmpty(tables.Names);
            Assert.All(tables.Names, table => Assert.True(table.StartsWith("pbi_", StringComparison.Ordinal) && views.Contains(table), $"{name} reads {table}"));
        }
    }

    [Fact]
    public void NoQuery_UsesLimitOrTop()
    {
        foreach (var (name, sql) in ReportQueries.All(2))
        {
            var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out _);
            var top = new TopClauses();
            fragment.Accept(top);

            Assert.True(top.Count == 0, $"{name} uses TOP");
            Assert.DoesNotContain("LIMIT", sql, StringComparison.OrdinalIgnoreCase);
        }
    }

    private sealed class TableNames : TSqlFragmentVisitor
    {
        public List<string> Names { get; } = [];

        public override void Visit(NamedTableReference node) => Names.Add(node.SchemaObject.BaseIdentifier.Value);
    }

    private sealed class TopClauses : TSqlFragmentVisitor
    {
        public int Count { get; private set; }

        public override void Visit(TopRowFilter node) => Count++;
    }
}
