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
    /// <param name="Low">The line's <c>Lägsta</c> on the sheet Känslighet; 100 when null.</param>
    /// <param name="High">The line's <c>Högsta</c> on the sheet Känslighet; 100 when null.</param>
    public sealed record Cost(string Name, CostCategory Category, IReadOnlyDictionary<int, decimal> Amounts, Percent? Low = null, Percent? High = null);

    /// <param name="Low">The line's <c>Lägsta</c> on the sheet Känslighet (SEK lines only); 100 when null.</param>
    /// <param name="High">The line's <c>Högsta</c> on the sheet Känslighet (SEK lines only); 100 when null.</param>
    public sealed record Benefit(string Name, BenefitType Type, IReadOnlyDictionary<int, decimal> Amounts, Percent? Low = null, Percent? High = null);

    /// <summary>A percentage on the sheet Känslighet: written as the number, or as the text a user typed (<c>50 %</c>, <c>150%</c>).</summary>
    public sealed record Percent(decimal Value, string? AsTyped = null);
}

/// <summary>How a draft is written, to show the reader's tolerance: Nacka writes costs negative, some people type numbers as text.</summary>
/// <param name="WithoutSensitivitySheet">Leave out the sheet Känslighet, as a workbook made before it existed does.</param>
public sealed record WorkbookStyle(bool NegativeCosts = false, bool NumbersAsSwedishText = false, string? ExtraSheet = null, bool WithoutSensitivitySheet = false);
