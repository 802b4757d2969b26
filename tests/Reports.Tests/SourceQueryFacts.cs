using System.Text.RegularExpressions;
using NackaInsights.Reports.Tests.Tmdl;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// The model's source as a parameter (issue 19): <c>Databastyp</c> picks SQL Server, PostgreSQL or SQLite through ODBC,
/// the one shared query <c>Vy</c> turns it with <c>Server</c> and <c>Database</c> into the source of a view, and every
/// table's partition reads its view through it.
/// </summary>
public sealed partial class SourceQueryFacts
{
    private static TmdlModel Model => ModelNames.Model;

    private static TmdlExpression Vy => Model.Expressions.Single(e => e.Name == SourceQuery.Name);

    /// <summary>The values of Databastyp and, for each, the source function, its arguments and the navigation to a view (<c>{view}</c>).</summary>
    public static TheoryData<string, string, string, string> Sources => new()
    {
        { "SQL Server", "Sql.Database", "Server, Database", "Schema = dbo, Item = {view}" },
        { "PostgreSQL", "PostgreSQL.Database", "Server, Database", "Schema = public, Item = {view}" },
        // Christian Werner's SQLite ODBC driver by its registered name, on the file that Database names: no DSN to set up.
        // It reports no catalog or schema and a view's type as VIEW (SQLTables in sqlite3odbc.c), so views stand at the
        // navigation's top, by Name and Kind.
        { "SQLite (ODBC)", "Odbc.DataSource", "[Driver = \"SQLite3 ODBC Driver\", Database = Database], [HierarchicalNavigation = true]", "Name = {view}, Kind = View" },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void EachDatabastyp_ResolvesEveryTable_ToItsSourceFunction_AndItsView(string databastyp, string function, string arguments, string navigation)
    {
        foreach (var table in SemanticModelFacts.ViewTables)
        {
            var view = ModelNames.TableViews[table.Name];

            var resolved = SourceQuery.Resolve(Vy.Expression, databastyp, view);

            Assert.NotNull(resolved);
            Assert.Equal((function, arguments), (resolved.Function, resolved.Arguments));
            Assert.Equal(navigation.Replace("{view}", view, StringComparison.Ordinal), string.Join(", ", resolved.Navigation.Select(f => $"{f.Key} = {f.Value}")));
        }
    }

    [Fact]
    public void Databastyp_OffersExactlyTheValuesThatTheSharedQueryResolves_SqlServerByDefault()
    {
        var parameter = Model.Expressions.Single(e => e.Name == "Databastyp").Expression;
        var list = ParameterList().Match(parameter);
        Assert.True(list.Success, parameter);
        var values = StringLiteral().Matches(list.Groups["list"].Value).Select(m => m.Groups["text"].Value).ToList();

        Assert.Equal(Sources.Select(s => (string)s.Data.Item1), values);
        Assert.Equal(values, SourceQuery.Branches(Vy.Expression));
        Assert.StartsWith("\"SQL Server\" meta ", parameter, StringComparison.Ordinal);
        Assert.Contains("DefaultValue=\"SQL Server\"", parameter, StringComparison.Ordinal);
        // A value outside the list (a hand-edited parameter) gets the query's error, not some source.
        Assert.Null(SourceQuery.Resolve(Vy.Expression, "MySQL", "pbi_etl_run"));
    }

    [Fact]
    public void TheSharedQuery_IsAFunctionThatIsNotLoaded_AndPassesOnlyTheParametersToItsSources()
    {
        // An expression, not a table: Power BI Desktop's "Enable load" off. It shows as a function among the queries.
        Assert.DoesNotContain(Model.Tables, t => t.Name == SourceQuery.Name);
        Assert.Equal("Function", SemanticModelFacts.Annotation(Vy.Node, "PBI_ResultType"));
        // Each branch is a literal call of its source function on the parameters: the Power BI service refreshes a source
        // whose connection depends only on parameters, and cannot refresh one built from other queries' data.
        var parameters = Model.Expressions.Where(e => e.Expression.Contains("IsParameterQuery=true", StringComparison.Ordinal)).Select(e => e.Name).ToHashSet();
        foreach (var (databastyp, _, _, _) in Sources.Select(s => s.Data))
        {
            var resolved = SourceQuery.Resolve(Vy.Expression, databastyp, "pbi_etl_run")!;
            // The names the arguments read, once text and record field names are taken out.
            var values = FieldName().Replace(StringLiteral().Replace(resolved.Arguments, "\"\""), "");
            var names = BareName().Matches(values).Select(m => m.Value).Where(n => n is not "true" and not "false").ToHashSet();
            Assert.Contains("Database", names);
            Assert.Subset(parameters, names);
        }
    }

    [Fact]
    public void EveryPartition_CallsTheSharedQuery_WithExactlyItsView_AndNoSourceFunctionItself()
    {
        var problems = new List<string>();
        foreach (var table in SemanticModelFacts.ViewTables)
        {
            var source = Assert.Single(table.Partitions).Source!;
            var calls = Calls(source);
            var vy = VyCalls().Matches(source).Select(m => m.Groups["argument"].Value.Trim()).ToList();
            if (vy.Count != 1 || vy[0] != $"\"{ModelNames.TableViews[table.Name]}\"")
            {
                var found = vy.Count == 0 ? "never calls " + SourceQuery.Name : $"calls {SourceQuery.Name}({string.Join($"), {SourceQuery.Name}(", vy)})";
                problems.Add($"'{table.Name}' {found}, not {SourceQuery.Name}(\"{ModelNames.TableViews[table.Name]}\") once");
            }
            problems.AddRange(calls.Where(c => !IsPlainLibrary(c)).Select(c => $"'{table.Name}' calls {c} itself"));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        // The scan finds a source function where a partition would name one.
        Assert.Equal(["Sql.Database"], Calls("let Källa = Sql.Database(Server, Database), // Odbc.Query(\"x\")\n V = Källa{[Item = \"Web.Contents(\"]}[Data] in V"));
        Assert.False(IsPlainLibrary("PostgreSQL.Database"));
    }

    /// <summary>The shared query, and the library's functions that read no source (tables, lists, text, records).</summary>
    private static bool IsPlainLibrary(string function) =>
        function == SourceQuery.Name || function.Split('.') is [("Table" or "List" or "Text" or "Record" or "Number" or "Date"), _];

    /// <summary>The functions an M expression invokes, by name, outside string literals and comments.</summary>
    internal static List<string> Calls(string m) =>
        Invocation().Matches(StringLiteral().Replace(Comment().Replace(m, ""), "\"\"")).Select(c => c.Groups["function"].Value)
            .Where(f => f is not "if" and not "then" and not "else" and not "in" and not "each" and not "and" and not "or" and not "not").ToList();

    [GeneratedRegex(@"(?<=[\[,]\s*)[A-Za-z_]\w*\s*=(?!>)")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"List=\{(?<list>[^}]*)\}")]
    private static partial Regex ParameterList();

    [GeneratedRegex(@"""(?<text>(?:[^""]|"""")*)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"(?<![\w.#""])(?<function>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\(")]
    private static partial Regex Invocation();

    [GeneratedRegex(@"(?<![\w.#])Vy\s*\((?<argument>[^()]*)\)")]
    private static partial Regex VyCalls();

    [GeneratedRegex(@"(?<![\w.#""])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")]
    private static partial Regex BareName();
}
