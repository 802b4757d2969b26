namespace NackaInsights.Warehouse.Model;

/// <summary>The eleven criteria of Nacka's evaluation model ("KRITERIER I UTVÄRDERINGSMODELL").</summary>
public static class Criteria
{
    public const string BenefitGroup = "Nytta";
    public const string FeasibilityGroup = "Genomförbarhet";

    /// <summary>The compliance criterion, which is a gate: it must score at least 3.</summary>
    public const string ComplianceCode = "G7";

    public sealed record Criterion(string Code, string Name, string Group, string LowLabel, string HighLabel);

    public static readonly IReadOnlyList<Criterion> All =
    [
        new("N1", "Kostnadsbesparing / tidsbesparing", BenefitGroup, "Låg", "Hög"),
        new("N2", "Förbättrad kvalitet / användarupplevelse", BenefitGroup, "Låg", "Hög"),
        new("N3", "Tvingande / lagkrav", BenefitGroup, "Kan vänta", "Brådskande"),
        new("N4", "Följer styrdokument", BenefitGroup, "Låg", "Hög"),
        new("G1", "Tillgänglig kompetens", FeasibilityGroup, "Låg", "Hög"),
        new("G2", "Stöd från ledningen", FeasibilityGroup, "Låg", "Hög"),
        new("G3", "Projektets komplexitet", FeasibilityGroup, "Hög komplexitet", "Låg komplexitet"),
        new("G4", "Finansiering", FeasibilityGroup, "Låg", "Hög"),
        new("G5", "Objektsförvaltning", FeasibilityGroup, "Nej", "Ja"),
        new("G6", "Tekniskt stöd och arkitektur", FeasibilityGroup, "Låg", "Hög"),
        new("G7", "Regelefterlevnad (juridik, dataskydd, infosäk)", FeasibilityGroup, "Nej", "Ja"),
    ];

    /// <summary>
    /// Finds a criterion by its name as the list's choice column writes it, ignoring letter case,
    /// spacing around the slash and the parenthesis of Regelefterlevnad.
    /// </summary>
    public static bool TryFind(string text, out Criterion criterion)
    {
        var wanted = Normalise(text);
        criterion = All.FirstOrDefault(c => Normalise(c.Name) == wanted || Normalise(ShortName(c.Name)) == wanted || c.Code.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase))!;
        return criterion is not null;
    }

    private static string ShortName(string name) => name.Contains(" (", StringComparison.Ordinal) ? name[..name.IndexOf(" (", StringComparison.Ordinal)] : name;

    private static string Normalise(string text) =>
        string.Join(' ', text.Replace("/", " / ", StringComparison.Ordinal).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
}
