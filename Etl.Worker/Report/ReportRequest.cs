namespace NackaInsights.Etl.Report;

/// <summary>
/// What a follow-up report (report.md) covers: some verksamheter or the whole municipality, and a follow-up year.
/// </summary>
/// <param name="Units">The units it is limited to, as the warehouse spells them; empty for the whole municipality.</param>
/// <param name="Year">The follow-up year; null for the latest year with actuals.</param>
public sealed record ReportRequest(IReadOnlyList<string> Units, int? Year)
{
    public static ReportRequest Municipality { get; } = new([], null);

    public bool IsLimited => Units.Count > 0;
}

/// <summary>The sections of the report, in the contract's order: each is a <c>&lt;section id="…"&gt;</c> of the page.</summary>
public static class ReportSections
{
    public const string Overview = "oversikt";
    public const string Realization = "nyttorealisering";
    public const string Priority = "prioritering";
    public const string Flow = "flode";
    public const string ProjectStatus = "projektstatus";
    public const string Index = "digitaliseringsindex";
    public const string DataQuality = "datakvalitet";

    public static IReadOnlyList<string> All { get; } = [Overview, Realization, Priority, Flow, ProjectStatus, Index, DataQuality];
}
