using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>One version of an initiative as the register's history holds it (<c>dim_initiative_history</c>).</summary>
/// <param name="ValidFrom">The calendar date the version starts.</param>
/// <param name="Phase">Its Fas; null where the list leaves it empty or the version comes from a business case alone.</param>
/// <param name="DecisionDate">Its Beslutsdatum, where set.</param>
public sealed record LifecycleVersion(int VersionNo, DateOnly ValidFrom, string? Phase, DateOnly? DecisionDate, bool IsCurrent);

/// <summary>An initiative's way through the phases: one row of <c>fct_initiative_lifecycle</c> (lifecycle.md).</summary>
public sealed record InitiativeLifecycle(
    string InitiativeId,
    DateOnly RegisteredOn,
    DateOnly? EnteredBeredningOn,
    DateOnly? EnteredBeslutadOn,
    DateOnly? EnteredProjektOn,
    DateOnly? EnteredForvaltningOn,
    DateOnly? EnteredAvslutadOn,
    DateOnly? EnteredAvslagenOn,
    DateOnly? DecidedOn,
    int? DaysToDecision,
    int? DaysDecisionToProject,
    int? DaysProjectToForvaltning,
    int? DaysToForvaltning,
    string? CurrentPhase,
    DateOnly? CurrentPhaseSince,
    int PhaseChanges,
    bool WentBack);

/// <summary>
/// The lifecycle of an initiative from its history, as lifecycle.md defines each column. Phases the process does not
/// name are decided so: a version without a phase (Fas empty, or an initiative known only from a business case) says
/// nothing about where the initiative stands and is passed over (no change of phase, no break in the current
/// stretch), though <c>current_phase</c> is still the current version's own, as <c>pbi_dim_initiative</c> shows it. A
/// phase the process does not name (a text outside <see cref="Phases.All"/>) is a phase like any other for the changes
/// and the current stretch, but has no place in the order: moving into or out of it is neither back nor forth, and the
/// named phases on either side of it are compared with each other.
/// </summary>
public static class LifecycleCalculator
{
    /// <param name="versions">Every version of the initiative, in any order; at least one.</param>
    /// <param name="createdAtUtc">When its list item was first created (Graph's createdDateTime), in UTC; null where no source said.</param>
    public static InitiativeLifecycle Calculate(string initiativeId, IEnumerable<LifecycleVersion> versions, DateTime? createdAtUtc)
    {
        var ordered = versions.OrderBy(v => v.VersionNo).ToList();
        if (ordered.Count == 0)
        {
            throw new ArgumentException($"{initiativeId} has no version: an initiative in the register has at least one.", nameof(versions));
        }
        var registered = createdAtUtc is { } created ? StockholmDate(created) : ordered[0].ValidFrom;
        DateOnly? Entered(string phase) => ordered.FirstOrDefault(v => v.Phase == phase)?.ValidFrom;
        var beslutad = Entered(Phases.Decided);
        var projekt = Entered(Phases.Project);
        var forvaltning = Entered(Phases.Operation);

        // The current version; an initiative gone from the list has none open, and its last one stands.
        var current = ordered.LastOrDefault(v => v.IsCurrent) ?? ordered[^1];
        var decided = current.DecisionDate ?? beslutad;

        var phased = ordered.Where(v => v.Phase is not null).ToList();
        var changes = 0;
        for (var i = 1; i < phased.Count; i++)
        {
            if (!string.Equals(phased[i].Phase, phased[i - 1].Phase, StringComparison.Ordinal))
            {
                changes++;
            }
        }
        var wentBack = false;
        int? previous = null;
        foreach (var v in phased)
        {
            if (OrderOf(v.Phase) is not { } order)
            {
                continue;
            }
            wentBack |= order < previous;
            previous = order;
        }

        DateOnly? since = null;
        if (current.Phase is { } phase)
        {
            foreach (var v in phased.Where(v => v.VersionNo <= current.VersionNo).Reverse())
            {
                if (!string.Equals(v.Phase, phase, StringComparison.Ordinal))
                {
                    break;
                }
                since = v.ValidFrom;
            }
        }

        return new InitiativeLifecycle(
            initiativeId, registered,
            Entered(Phases.Preparation), beslutad, projekt, forvaltning, Entered(Phases.Closed), Entered(Phases.Rejected),
            decided,
            Days(registered, decided), Days(decided, projekt), Days(projekt, forvaltning), Days(registered, forvaltning),
            current.Phase, since, changes, wentBack);
    }

    /// <summary>A phase's place in the process (1 = Idé … 7 = Avslagen, as <c>dim_phase</c>); null for a phase the process does not name.</summary>
    public static int? OrderOf(string? phase) => phase is not null && Order.TryGetValue(phase, out var order) ? order : null;

    private static readonly Dictionary<string, int> Order =
        Phases.All.Select((phase, i) => (phase, i)).ToDictionary(p => p.phase, p => p.i + 1, StringComparer.Ordinal);

    /// <summary>The days from <paramref name="earlier"/> to <paramref name="later"/>; empty when either is, or when the later date is before the earlier.</summary>
    public static int? Days(DateOnly? earlier, DateOnly? later) =>
        earlier is { } from && later is { } to && to >= from ? to.DayNumber - from.DayNumber : null;

    /// <summary>The calendar date in Stockholm of a UTC time: 2023-12-31T23:30Z is 1 January 2024 there.</summary>
    public static DateOnly StockholmDate(DateTime utc) => StockholmTime.DateOf(utc);
}
