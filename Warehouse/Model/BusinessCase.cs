namespace NackaInsights.Warehouse.Model;

/// <summary>A cost line's category on the sheet <c>Kostnader</c>.</summary>
public enum CostCategory
{
    /// <summary><c>Investering</c>: grundläggande investering.</summary>
    Investment,

    /// <summary><c>Förvaltning</c>: förvaltningskostnad.</summary>
    Operating,
}

/// <summary>A benefit line's type on the sheet <c>Nyttor</c>.</summary>
public enum BenefitType
{
    /// <summary><c>Finansiell</c>: SEK that disappear from the budget.</summary>
    Financial,

    /// <summary><c>Omfördelning</c>: SEK valued as freed time.</summary>
    Redistribution,

    /// <summary><c>Förflyttning</c>: a non-monetary score 0–10 for the year.</summary>
    Movement,
}

/// <summary>The Swedish labels of the contract, used in workbooks and stored as such in the warehouse.</summary>
public static class Labels
{
    public const string Investment = "Investering";
    public const string Operating = "Förvaltning";
    public const string Financial = "Finansiell";
    public const string Redistribution = "Omfördelning";
    public const string Movement = "Förflyttning";

    public static readonly IReadOnlyList<string> AllCategories = [Investment, Operating, Financial, Redistribution, Movement];

    public static string Of(CostCategory category) => category == CostCategory.Investment ? Investment : Operating;

    public static string Of(BenefitType type) => type switch
    {
        BenefitType.Financial => Financial,
        BenefitType.Redistribution => Redistribution,
        _ => Movement,
    };

    public static bool TryParseCostCategory(string text, out CostCategory category)
    {
        var t = text.Trim();
        if (t.Equals(Investment, StringComparison.OrdinalIgnoreCase)) { category = CostCategory.Investment; return true; }
        if (t.Equals(Operating, StringComparison.OrdinalIgnoreCase)) { category = CostCategory.Operating; return true; }
        category = default;
        return false;
    }

    public static bool TryParseBenefitType(string text, out BenefitType type)
    {
        var t = text.Trim();
        foreach (var candidate in Enum.GetValues<BenefitType>())
        {
            if (t.Equals(Of(candidate), StringComparison.OrdinalIgnoreCase)) { type = candidate; return true; }
        }
        type = default;
        return false;
    }
}

/// <summary>One year's value of a line, with the cell it came from.</summary>
/// <param name="Value">SEK as a positive amount for costs and monetary benefits; the score for <c>Förflyttning</c>.</param>
/// <param name="Cell">The cell address, e.g. <c>C4</c>.</param>
/// <param name="RawText">The cell as the workbook holds it, e.g. <c>-520 000 kr</c>, kept for tracing.</param>
public sealed record YearValue(int Year, decimal Value, string Cell, string RawText);

public sealed record CostLine(int Row, string Name, CostCategory Category, IReadOnlyList<YearValue> Values);

public sealed record BenefitLine(int Row, string Name, BenefitType Type, IReadOnlyList<YearValue> Values);

/// <summary>What the sheet <c>Initiativ</c> says about the initiative.</summary>
public sealed record InitiativeCard(
    string InitiativeId,
    string Name,
    string Unit,
    string OwnerEmail,
    string? ObjectId,
    IReadOnlyList<string> GoalCodes,
    string? VersionLabel);

/// <summary>A label/value pair of the sheet <c>Initiativ</c>, as read, for tracing.</summary>
public sealed record SourceAttribute(string Label, string Value, string Cell);

/// <summary>One business case workbook (nyttokalkyl), read and validated.</summary>
/// <param name="Years">The years of both sheets' year columns, ascending.</param>
public sealed record BusinessCase(
    InitiativeCard Initiative,
    IReadOnlyList<int> Years,
    IReadOnlyList<CostLine> Costs,
    IReadOnlyList<BenefitLine> Benefits,
    IReadOnlyList<SourceAttribute> Attributes)
{
    public int LineCount => Costs.Count + Benefits.Count;

    /// <summary>
    /// The sheet <c>Känslighet</c>: the low and the high case of the lines it lists, in the order it lists them. Empty when
    /// the workbook has no such sheet; a line it does not list has 100 and 100.
    /// </summary>
    public IReadOnlyList<SensitivityLine> Sensitivity { get; init; } = [];
}

/// <summary>
/// One row of the sheet <c>Känslighet</c>: a SEK line's lowest and highest case, as a percentage of its amounts the same
/// for every year (business-case-workbook.md), with the cells they came from.
/// </summary>
/// <param name="Row">The row number on the sheet (1-based), for tracing.</param>
/// <param name="LineName">The line's name as the sheet <c>Kostnader</c> or <c>Nyttor</c> spells it.</param>
/// <param name="LineKind"><c>Kostnad</c> or <c>Nytta</c>, the sheet the line is on.</param>
/// <param name="LowPercent"><c>Lägsta</c>, 0–100.</param>
/// <param name="HighPercent"><c>Högsta</c>, 100–1000.</param>
public sealed record SensitivityLine(
    int Row,
    string LineName,
    string LineKind,
    decimal LowPercent,
    decimal HighPercent,
    string LowCell,
    string LowRawText,
    string HighCell,
    string HighRawText)
{
    public const string CostKind = "Kostnad";
    public const string BenefitKind = "Nytta";

    /// <summary>The percentage a line has when the sheet does not list it, or there is no sheet.</summary>
    public const decimal Expected = 100m;

    /// <summary>The largest percentage the sheet accepts (ten times the expected amount).</summary>
    public const decimal MaxPercent = 1000m;
}
