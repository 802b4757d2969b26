namespace NackaInsights.Warehouse.Marts;

/// <summary>Every mart of the warehouse, and the graph they make. A new mart is added here.</summary>
public static class WarehouseMarts
{
    public static BusinessCaseVersionMart BusinessCaseVersion { get; } = new();

    public static BusinessCaseSensitivityMart BusinessCaseSensitivity { get; } = new();

    public static InitiativeVersionMart InitiativeVersion { get; } = new();

    public static InitiativeMart Initiative { get; } = new();

    public static InitiativeLifecycleMart InitiativeLifecycle { get; } = new();

    public static ObjectMart Object { get; } = new();

    public static UnitMart Unit { get; } = new();

    public static EvaluationMart Evaluation { get; } = new();

    public static ProjectStatusMart ProjectStatus { get; } = new();

    public static CalendarMart Calendar { get; } = new();

    public static RealizationMart Realization { get; } = new();

    public static DigitalizationIndexMart DigitalizationIndex { get; } = new();

    public static UnitAccessMart UnitAccess { get; } = new();

    public static ProjectStatusSnapshotMart ProjectStatusSnapshot { get; } = new();

    public static IReadOnlyList<IMart> All { get; } =
    [
        BusinessCaseVersion, BusinessCaseSensitivity, InitiativeVersion, Initiative, InitiativeLifecycle, Object, Evaluation, ProjectStatus, Realization, DigitalizationIndex, Unit, UnitAccess, ProjectStatusSnapshot, Calendar,
    ];

    public static MartGraph Graph { get; } = new(All);
}
