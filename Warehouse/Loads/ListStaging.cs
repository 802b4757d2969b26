using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Loads;

/// <summary>
/// Where a list's current items are staged (<c>stg_list_*</c>), one row per item, and how an item's problems are
/// recorded against its list: for the list load, and for the run, which builds the marts from the staging tables.
/// </summary>
public static class ListStaging
{
    /// <summary>The staging table of one of the four lists (<see cref="RefreshRun.Lists"/>).</summary>
    public static BulkTable TableOf(string listName) => listName switch
    {
        RefreshRun.Lists.Initiatives => WarehouseTables.StgListInitiative,
        RefreshRun.Lists.Assessments => WarehouseTables.StgListAssessment,
        RefreshRun.Lists.ProjectStatus => WarehouseTables.StgListStatus,
        RefreshRun.Lists.Objects => WarehouseTables.StgListObject,
        _ => throw new ArgumentOutOfRangeException(nameof(listName), listName, "Not one of the four lists."),
    };

    /// <summary>A validated item as its staging table's row, staged by run <paramref name="runId"/>.</summary>
    public static object?[] Row(object item, long runId) => item switch
    {
        InitiativeItem i => [i.Origin.ItemId, i.InitiativeId, i.Name, i.Unit, i.Phase, i.InitiativeType, i.NeedType, i.ObjectId, i.OwnerEmail,
            i.GoalCodes.Count == 0 ? null : string.Join(';', i.GoalCodes), i.Hypothesis, i.DecisionDate, i.Origin.LastModifiedUtc, runId, i.Origin.CreatedUtc],
        AssessmentItem a => [a.Origin.ItemId, a.InitiativeId, a.CriterionCode, a.Score, a.AssessedOn, a.Comment, a.Origin.LastModifiedUtc, runId],
        StatusItem s => [s.Origin.ItemId, s.InitiativeId, s.ReportDate, s.Status, s.PercentComplete, s.BudgetSpentSek, s.Comment, s.Origin.LastModifiedUtc, runId],
        ObjectItem o => [o.Origin.ItemId, o.ObjectId, o.Name, o.ManagerEmail, o.Unit, o.Origin.LastModifiedUtc, runId],
        _ => throw new ArgumentException($"Not a list item: {item.GetType().Name}", nameof(item)),
    };

    /// <summary>Buffers the problems of a list's items (<c>etl_problem</c>), each with the next problem id of the run's ledger.</summary>
    public static void RecordProblems(RowBuffer buffer, RunLedger ledger, long runId, string listName, IEnumerable<SourceProblem> problems)
    {
        foreach (var p in problems)
        {
            buffer.Add(WarehouseTables.EtlProblem, ledger.TakeProblemId(), runId, null, RefreshRun.ListSourceKind, listName, null, null, p.Message, p.ItemId);
        }
    }
}
