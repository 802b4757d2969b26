using NackaInsights.Reports.Tests.Tmdl;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// The fixed names that the semantic model and the report agree on (the project's pbi-names list): a table per
/// <c>pbi_*</c> view, the visible columns the report uses and the measures with their formats.
/// </summary>
internal static class ModelNames
{
    public static string Definition => Path.Combine(ReportsFolder.Root, "NackaInsights.SemanticModel", "definition");

    private static readonly Lazy<TmdlModel> Loaded = new(() => TmdlModel.Load(Definition));

    /// <summary>The model, parsed once per test run.</summary>
    public static TmdlModel Model => Loaded.Value;

    public const string Money = "#,0 \"kr\"";
    public const string Ratio = "0.0";
    public const string Percent = "0.0 %";
    public const string Change = "+0.0;-0.0;0.0";

    public static readonly IReadOnlyDictionary<string, string> TableViews = new Dictionary<string, string>
    {
        ["Initiativ"] = "pbi_dim_initiative",
        ["Initiativhistorik"] = "pbi_dim_initiative_history",
        ["Verksamhet"] = "pbi_dim_unit",
        ["Förvaltningsobjekt"] = "pbi_dim_object",
        ["Strategiskt mål"] = "pbi_dim_strategic_goal",
        ["Initiativ och mål"] = "pbi_bridge_initiative_goal",
        ["Kriterium"] = "pbi_dim_criterion",
        ["Datum"] = "pbi_dim_date",
        ["År"] = "pbi_dim_year",
        ["Nyttokalkyl per år"] = "pbi_fct_business_case_year",
        ["Nyttokalkyl"] = "pbi_fct_business_case",
        ["Nyttokalkylversion"] = "pbi_fct_business_case_version",
        ["Nyttokalkylrad"] = "pbi_fct_business_case_line",
        ["Nyttorealisering"] = "pbi_fct_benefit_realization",
        ["Rapporterat utfall"] = "pbi_fct_benefit_actual",
        ["Utfall utan matchning"] = "pbi_fct_benefit_actual_unmatched",
        ["Bedömning"] = "pbi_fct_evaluation",
        ["Bedömningspoäng"] = "pbi_fct_evaluation_score",
        ["Projektstatus"] = "pbi_fct_project_status",
        ["Projektstatus per dag"] = "pbi_fct_project_status_snapshot",
        ["Indexkomponent"] = "pbi_fct_digitalization_index",
        ["Index per verksamhet"] = "pbi_fct_digitalization_index_unit",
        ["Index kommun"] = "pbi_fct_digitalization_index_total",
        ["Enkätresultat"] = "pbi_fct_survey_result",
        ["Körning"] = "pbi_etl_run",
        ["Fil"] = "pbi_etl_file",
        ["Problem"] = "pbi_etl_problem",
        ["Datakontroll"] = "pbi_etl_check",
        ["Listläsning"] = "pbi_etl_list",
        ["Uppdateringar av Power BI"] = "pbi_etl_powerbi_refresh",
        ["Behörighet verksamhet"] = "pbi_sec_unit_access",
        ["Behörighet objekt"] = "pbi_sec_object_access",
        ["Livscykel"] = "pbi_fct_initiative_lifecycle",
        ["Känslighet"] = "pbi_fct_business_case_sensitivity",
    };

    /// <summary>
    /// The what-if parameters: calculated tables (GENERATESERIES) that read no view, each with its one column, the
    /// measure in <see cref="MeasureTable"/> that reads the chosen value, and its default.
    /// </summary>
    public static readonly (string Table, string Measure, long Default)[] Parameters =
    [
        ("Tröskel stillastående", "Tröskel stillastående värde", 90),
    ];

    /// <summary>Visible columns the report uses: (table, column, view column).</summary>
    public static readonly (string Table, string Column, string Source)[] VisibleColumns =
    [
        ("Initiativ", "Initiativ-ID", "initiative_id"), ("Initiativ", "Namn", "name"), ("Initiativ", "Fas", "phase"), ("Initiativ", "Verksamhet", "unit"),
        ("Verksamhet", "Verksamhet", "unit"),
        ("År", "År", "year"),
        ("Datum", "Datum", "date"), ("Datum", "År", "year"), ("Datum", "Månad", "month_name_sv"),
        ("Nyttokalkyl per år", "Investering", "investment_sek"), ("Nyttokalkyl per år", "Förvaltningskostnad", "operating_cost_sek"),
        ("Nyttokalkyl per år", "Finansiell nytta", "financial_benefit_sek"), ("Nyttokalkyl per år", "Omfördelningsnytta", "redistribution_benefit_sek"),
        ("Nyttokalkyl per år", "Förflyttning", "movement_score"),
        ("Nyttokalkylrad", "Post", "line_name"), ("Nyttokalkylrad", "Värde", "value"), ("Nyttokalkylrad", "Blad", "sheet_name"), ("Nyttokalkylrad", "Cell", "cell"),
        ("Nyttokalkylrad", "Text i cellen", "raw_text"),
        ("Nyttokalkylversion", "Kalkylversion", "version_label"), ("Nyttokalkylversion", "Inläst (UTC)", "loaded_at_utc"), ("Nyttokalkylversion", "Första år", "first_year"),
        ("Nyttokalkylversion", "Sista år", "last_year"),
        ("Nyttorealisering", "Nyttopost", "benefit_line"), ("Nyttorealisering", "Nyttotyp", "benefit_type"),
        ("Bedömning", "Nyttopoäng", "benefit_score"), ("Bedömning", "Genomförbarhetspoäng", "feasibility_score"), ("Bedömning", "Prioriteringsklass", "priority_class"),
        ("Projektstatus", "Rapportdatum", "report_date"), ("Projektstatus", "Status", "status"),
        ("Projektstatus per dag", "Dag", "snapshot_date"), ("Projektstatus per dag", "Status", "status"),
        ("Index per verksamhet", "Indexvärde", "index_value"), ("Index kommun", "Indexvärde", "index_value"),
        ("Körning", "Körning", "run_id"), ("Körning", "Startad", "started_at_utc"), ("Körning", "Avslutad (svensk tid)", "finished_at_local"), ("Körning", "Status", "status"), ("Körning", "Meddelande", "message"),
        ("Fil", "Filnamn", "file_name"), ("Fil", "Status", "status"), ("Fil", "Meddelande", "message"), ("Fil", "Källtyp", "source_kind"),
        ("Problem", "Källa", "source_name"), ("Problem", "Blad", "sheet_name"), ("Problem", "Cell", "cell"), ("Problem", "Meddelande", "message"),
        ("Livscykel", "Registrerad", "registered_on"), ("Livscykel", "Beredning från", "entered_beredning_on"), ("Livscykel", "Beslutad från", "entered_beslutad_on"),
        ("Livscykel", "Projekt från", "entered_projekt_on"), ("Livscykel", "Förvaltning från", "entered_forvaltning_on"),
        ("Livscykel", "Avslutad från", "entered_avslutad_on"), ("Livscykel", "Avslagen från", "entered_avslagen_on"), ("Livscykel", "Beslutad den", "decided_on"),
        ("Livscykel", "Dagar till beslut", "days_to_decision"), ("Livscykel", "Dagar beslut till projekt", "days_decision_to_project"),
        ("Livscykel", "Dagar projekt till förvaltning", "days_project_to_forvaltning"), ("Livscykel", "Dagar till förvaltning", "days_to_forvaltning"),
        ("Livscykel", "Nuvarande fas", "current_phase"), ("Livscykel", "I fasen sedan", "current_phase_since"), ("Livscykel", "Fasbyten", "phase_changes"),
        ("Initiativhistorik", "Fas", "phase"), ("Datum", "Kvartal", "quarter"),
        ("Nyttokalkyl", "Nuvärde", "npv_sek"),
        ("Nyttokalkyl", "Nettonytta hela perioden pessimistisk", "net_benefit_total_pessimistic_sek"), ("Nyttokalkyl", "Nettonytta hela perioden optimistisk", "net_benefit_total_optimistic_sek"),
        ("Nyttokalkyl", "Nuvärde pessimistiskt", "npv_pessimistic_sek"), ("Nyttokalkyl", "Nuvärde optimistiskt", "npv_optimistic_sek"),
        ("Nyttokalkyl", "Återbetalningsår pessimistiskt", "payback_year_pessimistic"), ("Nyttokalkyl", "Återbetalningsår optimistiskt", "payback_year_optimistic"),
        ("Känslighet", "Post", "line_name"), ("Känslighet", "Radtyp", "line_kind"), ("Känslighet", "Lägsta", "low_pct"), ("Känslighet", "Högsta", "high_pct"),
        ("Känslighet", "Nuvärde vid lägsta", "npv_at_low_sek"), ("Känslighet", "Nuvärde vid högsta", "npv_at_high_sek"), ("Känslighet", "Svängning", "npv_swing_sek"),
        ("Känslighet", "Cell lägsta", "low_cell"), ("Känslighet", "Cell högsta", "high_cell"), ("Känslighet", "Källfil", "source_file"),
    ];

    /// <summary>The table that holds every measure (a calculated table with one hidden column), not a view.</summary>
    public const string MeasureTable = "Mått";

    /// <summary>The measures, all in <see cref="MeasureTable"/>: (display folder, measure, format string; null for a text measure).</summary>
    public static readonly (string Folder, string Measure, string? Format)[] Measures =
    [
        ("Initiativ", "Antal initiativ", "0"), ("Initiativ", "Initiativnamn", null),
        ("Nyttokalkyl", "Summa investering", Money), ("Nyttokalkyl", "Summa förvaltningskostnad", Money), ("Nyttokalkyl", "Kostnad totalt", Money),
        ("Nyttokalkyl", "Summa finansiell nytta", Money), ("Nyttokalkyl", "Summa omfördelningsnytta", Money), ("Nyttokalkyl", "Ekonomisk nytta", Money),
        ("Nyttokalkyl", "Nettonytta", Money), ("Nyttokalkyl", "Nettonytta ackumulerad", Money), ("Nyttokalkyl", "Ekonomisk nyttokvot", Ratio),
        ("Nyttokalkyl", "Förflyttning (snitt)", Ratio), ("Nyttokalkyl", "Nyttokvot totalt", Ratio),
        ("Nyttokalkyl", "Nettonuvärde förväntat", Money), ("Nyttokalkyl", "Nettonuvärde pessimistiskt", Money), ("Nyttokalkyl", "Nettonuvärde optimistiskt", Money),
        ("Nyttokalkyl", "Nettonuvärde intervall", null), ("Nyttokalkyl", "Avvikelse vid lägsta", Money), ("Nyttokalkyl", "Avvikelse vid högsta", Money),
        ("Nyttokalkyl", "Svängning i nettonuvärde", Money),
        ("Nyttorealisering", "Planerad nytta", Money), ("Nyttorealisering", "Planerad nytta rapporterade år", Money), ("Nyttorealisering", "Realiserad nytta", Money),
        ("Nyttorealisering", "Avvikelse", Money), ("Nyttorealisering", "Realiseringsgrad", Percent), ("Nyttorealisering", "Uppföljningsår", "0"),
        ("Nyttorealisering", "Planerad nytta uppföljningsår", Money), ("Nyttorealisering", "Realiserad nytta uppföljningsår", Money),
        ("Nyttorealisering", "Realiserad nytta samma tid i fjol", Money), ("Nyttorealisering", "Realiserad nytta mot i fjol", Money),
        ("Projektstatus", "Andel röda projekt", Percent), ("Projektstatus", "Antal projekt", "0"), ("Projektstatus", "Statusfärg", null),
        ("Digitaliseringsindex", "Digitaliseringsindex", Ratio), ("Digitaliseringsindex", "Digitaliseringsindex förändring", Change),
        ("Digitaliseringsindex", "Digitaliseringsindex kommun", Ratio), ("Digitaliseringsindex", "Digitaliseringsindex kommun förändring", Change),
        ("Bedömning", "Nyttopoäng (snitt)", Ratio), ("Bedömning", "Genomförbarhetspoäng (snitt)", Ratio),
        ("Körningar", "Senaste lyckade uppdatering", "yyyy-MM-dd HH:mm \"svensk tid\""),
        ("Flöde", "Dagar till beslut (median)", "0"), ("Flöde", "Dagar till beslut (80:e percentil)", "0"),
        ("Flöde", "Dagar beslut till projekt (median)", "0"), ("Flöde", "Dagar beslut till projekt (80:e percentil)", "0"),
        ("Flöde", "Dagar projekt till förvaltning (median)", "0"), ("Flöde", "Dagar projekt till förvaltning (80:e percentil)", "0"),
        ("Flöde", "Dagar till förvaltning (median)", "0"), ("Flöde", "Dagar till förvaltning (80:e percentil)", "0"),
        ("Flöde", "Nya initiativ", "0"), ("Flöde", "Till Beredning", "0"), ("Flöde", "Till Beslutad", "0"), ("Flöde", "Till Projekt", "0"),
        ("Flöde", "Till Förvaltning", "0"), ("Flöde", "Till Avslutad", "0"), ("Flöde", "Till Avslagen", "0"),
        ("Flöde", "Dagar i nuvarande fas", "0"), ("Flöde", "Tröskel stillastående värde", "0"), ("Flöde", "Stillastående initiativ", "0"),
        ("Flöde", "Dagar stillastående", "0"), ("Flöde", "Initiativ på dag", "0"), ("Flöde", "Antal som gått tillbaka", "0"),
    ];
}
