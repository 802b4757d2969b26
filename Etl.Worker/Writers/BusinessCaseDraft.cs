using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Writers;

/// <summary>A business case to write as a workbook: the template's pre-filled content, the demo's and tests' cases.</summary>
public sealed record BusinessCaseDraft(
    string InitiativeId,
    string Name,
    string Unit,
    string OwnerEmail,
    string? ObjectId,
    IReadOnlyList<string> GoalNames,
    string? VersionLabel,
    int FirstYear,
    int LastYear,
    IReadOnlyList<BusinessCaseDraft.Cost> Costs,
    IReadOnlyList<BusinessCaseDraft.Benefit> Benefits)
{
    public sealed record Cost(string Name, CostCategory Category, IReadOnlyDictionary<int, decimal> Amounts);

    public sealed record Benefit(string Name, BenefitType Type, IReadOnlyDictionary<int, decimal> Amounts);
}

/// <summary>How a draft is written, to show the reader's tolerance: Nacka writes costs negative, some people type numbers as text.</summary>
public sealed record WorkbookStyle(bool NegativeCosts = false, bool NumbersAsSwedishText = false, string? ExtraSheet = null);
