using NackaInsights.Reports.Tests.Tmdl;

namespace NackaInsights.Reports.Tests;

/// <summary>A relationship as row-level security sees it: the many side, the one side, whether it is active and whether security filters cross it both ways.</summary>
internal sealed record SecurityEdge(string Name, string Many, string One, bool IsActive, bool BothWays)
{
    public static SecurityEdge Of(TmdlRelationship r) => new(r.Name, r.From.Table, r.To.Table, r.IsActive, r.SecurityFiltersBothWays);
}

/// <summary>
/// Which tables a role's security filters reach, as Power BI applies them: a table permission filters its table; a
/// filtered table filters the tables on the many side of each active relationship whose one side it is (their rows
/// whose key is blank or has no visible row go too), and the one side of a relationship whose many side it is only
/// where the relationship's <c>securityFilteringBehavior</c> is <c>bothDirections</c>. An inactive relationship
/// carries no security filter. A cross-filter direction set for ordinary filters (<c>crossFilteringBehavior</c>)
/// does not change this.
/// </summary>
internal static class RoleFilters
{
    /// <summary>The restricted roles, whose filters must leave nothing of another unit's.</summary>
    public static readonly string[] RestrictedRoles = ["Verksamhet", "Objektsförvaltare"];

    /// <summary>
    /// The tables that hold no unit's, person's or file's data, each with why: every role sees them whole. Short on
    /// purpose: a table is added here only with a reason, in this list and in reports/README.md.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> MunicipalityWide = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Datum"] = "the calendar: dates, months, years",
        ["År"] = "the years of the calendar",
        ["Kriterium"] = "the eleven criteria of the evaluation model, the same for every initiative",
        ["Strategiskt mål"] = "the municipality's four overall goals, the same for every unit",
        ["Index kommun"] = "the municipality's digitaliseringsindex per year: one figure over every unit, no unit's own",
        ["Mått"] = "measures only: a hidden placeholder column and no data (its measures read the filtered tables)",
        ["Tröskel stillastående"] = "a what-if parameter: the numbers of days 0–365 to choose from, no data",
    };

    /// <summary>The tables a role's filters reach, each with how: its own table permission, or the relationship it came through.</summary>
    public static Dictionary<string, string> Reach(IEnumerable<string> permitted, IEnumerable<SecurityEdge> edges)
    {
        var active = edges.Where(e => e.IsActive).ToList();
        var reached = permitted.ToDictionary(t => t, _ => "table permission", StringComparer.Ordinal);
        var queue = new Queue<string>(reached.Keys);
        while (queue.TryDequeue(out var table))
        {
            var next = active.Where(e => e.One == table).Select(e => (Table: e.Many, e.Name))
                .Concat(active.Where(e => e.BothWays && e.Many == table).Select(e => (Table: e.One, e.Name)));
            foreach (var (to, name) in next)
            {
                if (reached.TryAdd(to, $"from '{table}' through '{name}'"))
                {
                    queue.Enqueue(to);
                }
            }
        }
        return reached;
    }

    /// <summary>The tables a role of the model filters, each with how.</summary>
    public static Dictionary<string, string> Reach(TmdlModel model, string role) =>
        Reach(model.Roles.Single(r => r.Name == role).TablePermissions.Select(p => p.Table), model.Relationships.Select(SecurityEdge.Of));
}
