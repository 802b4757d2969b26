namespace NackaInsights.Warehouse.Model;

/// <summary>Nacka's four overall goals (övergripande mål).</summary>
public static class StrategicGoals
{
    public sealed record Goal(string Code, string Name, int SortOrder);

    public static readonly IReadOnlyList<Goal> All =
    [
        new("MAXIMALT_VARDE", "Maximalt värde för skattepengarna", 1),
        new("BASTA_UTVECKLING", "Bästa utveckling för alla", 2),
        new("STARK_TILLVAXT", "Stark och balanserad tillväxt", 3),
        new("ATTRAKTIVA_LIVSMILJOER", "Attraktiva livsmiljöer i hela Nacka", 4),
    ];

    // Nacka's own material also writes "Bäst utveckling för alla".
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Bäst utveckling för alla"] = "BASTA_UTVECKLING",
    };

    public static bool TryFind(string text, out Goal goal)
    {
        var t = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (Aliases.TryGetValue(t, out var code))
        {
            goal = All.Single(g => g.Code == code);
            return true;
        }
        goal = All.FirstOrDefault(g => g.Name.Equals(t, StringComparison.OrdinalIgnoreCase) || g.Code.Equals(t, StringComparison.OrdinalIgnoreCase))!;
        return goal is not null;
    }
}
