using NackaInsights.Warehouse.Model;

namespace NackaInsights.TestSupport;

/// <summary>
/// Business cases with a sheet <c>Känslighet</c>, as the model holds them once read: Nacka's reference case with the
/// demo's low and high cases, and small cases whose figures are easy to work out by hand.
/// </summary>
public static class SensitivityCases
{
    public static YearValue[] Values(int row, params (int Year, decimal Value)[] values) =>
        values.Select(v => new YearValue(v.Year, v.Value, $"{(char)('C' + v.Year - 2023)}{row}", v.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

    public static SensitivityLine Line(int row, string name, string kind, decimal low, decimal high) =>
        new(row, name, kind, low, high, $"B{row}", low.ToString(System.Globalization.CultureInfo.InvariantCulture), $"C{row}", high.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The demo's sheet <c>Känslighet</c> for the reference case.</summary>
    public static SensitivityLine[] ReferenceSheet { get; } =
    [
        Line(2, "Licens och införande", SensitivityLine.CostKind, 90, 120),
        Line(3, "Drift och förvaltning", SensitivityLine.CostKind, 100, 130),
        Line(4, "Minskade porto- och papperskostnader", SensitivityLine.BenefitKind, 50, 150),
        Line(5, "Frigjord handläggartid", SensitivityLine.BenefitKind, 60, 110),
    ];

    /// <summary>
    /// Nacka's reference case (business-case-workbook.md) under the demo's line names, with <paramref name="sheet"/> as its
    /// sheet <c>Känslighet</c> (none when null).
    /// </summary>
    public static BusinessCase Reference(IReadOnlyList<SensitivityLine>? sheet, string id = ContractWorkbooks.ReferenceId, string version = "2023-05-09")
    {
        var years = ContractWorkbooks.ReferenceYears;
        return new BusinessCase(
            new InitiativeCard(id, "Digital signering av avtal", "Stadsledningskontoret", "agare@nacka.se", "OBJ-1", ["MAXIMALT_VARDE"], version),
            years,
            [
                new CostLine(2, "Licens och införande", CostCategory.Investment, Values(2, (2023, 520_000), (2024, 35_000))),
                new CostLine(3, "Drift och förvaltning", CostCategory.Operating,
                    Values(3, [(2024, 125_000), (2025, 95_000), .. Enumerable.Range(2026, 5).Select(y => (y, 85_000m))])),
            ],
            [
                new BenefitLine(2, "Minskade porto- och papperskostnader", BenefitType.Financial, Values(2, [.. years.Select(y => (y, 6_400m))])),
                new BenefitLine(3, "Frigjord handläggartid", BenefitType.Redistribution, Values(3, [.. years.Select(y => (y, 80_000m))])),
                new BenefitLine(4, "Enklare för medborgarna", BenefitType.Movement, Values(4, (2024, 0.5m), (2025, 0.5m))),
            ],
            [new SourceAttribute("Initiativ-ID", id, "B1")])
        {
            Sensitivity = sheet ?? [],
        };
    }

    /// <summary>
    /// A case of 2024–2026 whose payback year differs between the three cases: Införande (Investering) 100 000 in 2024
    /// at 80/120, Frigjord tid (Omfördelning) 40 000 a year at 50/150.
    /// </summary>
    public static BusinessCase Payback(string id = "DIG-PB", string version = "v1") => new(
        new InitiativeCard(id, $"Initiativ {id}", "Fritid", "agare@nacka.se", "OBJ-1", [], version),
        [2024, 2025, 2026],
        [new CostLine(2, "Införande", CostCategory.Investment, Values(2, (2024, 100_000)))],
        [new BenefitLine(2, "Frigjord tid", BenefitType.Redistribution, Values(2, (2024, 40_000), (2025, 40_000), (2026, 40_000)))],
        [new SourceAttribute("Initiativ-ID", id, "B1")])
    {
        Sensitivity = [Line(2, "Införande", SensitivityLine.CostKind, 80, 120), Line(3, "Frigjord tid", SensitivityLine.BenefitKind, 50, 150)],
    };
}
