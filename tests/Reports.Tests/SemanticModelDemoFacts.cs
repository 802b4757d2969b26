using Dapper;

namespace NackaInsights.Reports.Tests;

/// <summary>The model's relationships over the demo warehouse's data: the one side is unique, and the many side finds its row.</summary>
public sealed class SemanticModelDemoFacts(DemoWarehouse demo) : IClassFixture<DemoWarehouse>
{
    [Fact]
    public async Task EveryRelationship_JoinsAUniqueKey_AndEveryFactRowFindsItsDimensionRow()
    {
        var model = ModelNames.Model;
        var problems = new List<string>();
        await using var connection = await demo.Database.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var r in model.Relationships)
        {
            var fromView = ModelNames.TableViews[r.From.Table];
            var toView = ModelNames.TableViews[r.To.Table];
            var fromColumn = model.Table(r.From.Table).Column(r.From.Column)!.SourceColumn;
            var toColumn = model.Table(r.To.Table).Column(r.To.Column)!.SourceColumn;

            var duplicates = await connection.ExecuteScalarAsync<long>(
                $"SELECT COUNT(*) FROM (SELECT {toColumn} FROM {toView} GROUP BY {toColumn} HAVING COUNT(*) > 1) d");
            if (duplicates > 0)
            {
                problems.Add($"{r.Name}: {toView}.{toColumn} is not unique ({duplicates} values repeat)");
            }
            // An initiative removed from the register keeps its history and its lifecycle row, its history no longer
            // current: under RLS its rows go with the blank Initiativ row, hidden from every filtered role.
            var removed = fromView is "pbi_dim_initiative_history" or "pbi_fct_initiative_lifecycle" && toView == "pbi_dim_initiative" ? " AND f.initiative_id IN (SELECT initiative_id FROM pbi_dim_initiative_history WHERE is_current = 1)" : "";
            // Förvaltningsobjekt's partition appends the row "(inget)" that the view's object_key points at; it is
            // in the model's table, not in the view.
            var appended = model.Table(r.To.Table).Partitions.Single().Source!.Contains("\"(inget)\"", StringComparison.Ordinal)
                ? $" AND f.{fromColumn} <> '(inget)'" : "";
            var orphans = await connection.QueryAsync<string>(
                $"SELECT DISTINCT CAST(f.{fromColumn} AS TEXT) FROM {fromView} f WHERE f.{fromColumn} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {toView} t WHERE t.{toColumn} = f.{fromColumn}){removed}{appended}");
            if (orphans.Any())
            {
                problems.Add($"{r.Name}: {fromView}.{fromColumn} values with no row in {toView}: {string.Join(", ", orphans.Take(5))}");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
