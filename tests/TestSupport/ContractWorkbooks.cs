namespace NackaInsights.TestSupport;

/// <summary>Business case workbooks built cell by cell from the contract's own lines.</summary>
public static class ContractWorkbooks
{
    public const string ReferenceId = "DIG-2023-014";

    public static readonly int[] ReferenceYears = [2023, 2024, 2025, 2026, 2027, 2028, 2029, 2030];

    public static object?[][] InitiativeRows(string id = ReferenceId, string name = "Digital signering av avtal", string unit = "Stadsledningskontoret", string? version = null) =>
    [
        ["Initiativ-ID", id],
        ["Namn", name],
        ["Verksamhet", unit],
        ["Ägare", "agare@nacka.se"],
        ["Strategiska mål", "Maximalt värde för skattepengarna; Bästa utveckling för alla"],
        ["Kalkylversion", version ?? "2023-05-09"],
    ];

    /// <summary>The contract's cost lines: one Investering, one Förvaltning line.</summary>
    public static object?[][] ReferenceCostRows(bool negative = false)
    {
        var sign = negative ? -1 : 1;
        return
        [
            ["Kostnadspost", "Kategori", .. ReferenceYears.Cast<object?>()],
            ["Licens och införande", "Investering", sign * 520_000, sign * 35_000, null, null, null, null, null, null],
            ["Drift och förvaltning", "Förvaltning", null, sign * 125_000, sign * 95_000, sign * 85_000, sign * 85_000, sign * 85_000, sign * 85_000, sign * 85_000],
        ];
    }

    /// <summary>The contract's benefit lines: Finansiell, Omfördelning and Förflyttning.</summary>
    public static object?[][] ReferenceBenefitRows() =>
    [
        ["Nyttopost", "Typ", .. ReferenceYears.Cast<object?>()],
        ["Minskade portokostnader", "Finansiell", 6_400, 6_400, 6_400, 6_400, 6_400, 6_400, 6_400, 6_400],
        ["Frigjord handläggartid", "Omfördelning", 80_000, 80_000, 80_000, 80_000, 80_000, 80_000, 80_000, 80_000],
        ["Enklare för medborgarna", "Förflyttning", null, 0.5, 0.5, null, null, null, null, null],
    ];

    public static RawXlsx Reference(RawXlsx? workbook = null, bool negativeCosts = false, string id = ReferenceId, string? version = null) =>
        (workbook ?? new RawXlsx())
            .Sheet("Initiativ", InitiativeRows(id, version: version))
            .Sheet("Kostnader", ReferenceCostRows(negativeCosts))
            .Sheet("Nyttor", ReferenceBenefitRows());

    /// <summary>The contract's table, row by row: cost total, investment acc, … benefit ratio total (ratios to one decimal).</summary>
    public static readonly IReadOnlyDictionary<string, decimal[]> ReferenceTable = new Dictionary<string, decimal[]>
    {
        ["cost_total_sek"] = [-520_000, -160_000, -95_000, -85_000, -85_000, -85_000, -85_000, -85_000],
        ["investment_acc_sek"] = [-520_000, -555_000, -555_000, -555_000, -555_000, -555_000, -555_000, -555_000],
        ["operating_cost_acc_sek"] = [0, -125_000, -220_000, -305_000, -390_000, -475_000, -560_000, -645_000],
        ["cost_total_acc_sek"] = [-520_000, -680_000, -775_000, -860_000, -945_000, -1_030_000, -1_115_000, -1_200_000],
        ["economic_benefit_sek"] = [86_400, 86_400, 86_400, 86_400, 86_400, 86_400, 86_400, 86_400],
        ["economic_benefit_acc_sek"] = [86_400, 172_800, 259_200, 345_600, 432_000, 518_400, 604_800, 691_200],
        ["net_benefit_sek"] = [-433_600, -73_600, -8_600, 1_400, 1_400, 1_400, 1_400, 1_400],
        ["economic_benefit_ratio"] = [1.7m, 5.4m, 9.1m, 10.2m, 10.2m, 10.2m, 10.2m, 10.2m],
        ["movement_score"] = [0, 0.5m, 0.5m, 0, 0, 0, 0, 0],
        ["benefit_ratio_total"] = [1.7m, 5.9m, 9.6m, 10.2m, 10.2m, 10.2m, 10.2m, 10.2m],
    };

    /// <summary>The figures of the table that are ratios and compared to one decimal; the rest to the krona.</summary>
    public static bool IsRatio(string column) => column is "economic_benefit_ratio" or "movement_score" or "benefit_ratio_total";
}
