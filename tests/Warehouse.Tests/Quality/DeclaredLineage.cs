using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Tests.Quality;

/// <summary>
/// The test oracle: what each pbi_* view reads, as the hand-kept declarations of <c>Quality/WarehouseViews.cs</c> said
/// before the views' own texts (<see cref="ViewCatalogLineage"/>) replaced them (issue 15). Kept so that a test proves
/// the checks planned over the texts are those planned over these declarations.
/// </summary>
public static class DeclaredLineage
{
    private static ViewSources Of(params string[] rows) => new(rows, []);

    private static ViewSources Of(string[] rows, params string[] lookups) => new(rows, lookups);

    private static ViewSources PerInitiative(params string[] rows) => new(rows, [], TableWrites.InitiativeColumn);

    private static ViewSources PerInitiative(string[] rows, params string[] lookups) => new(rows, lookups, TableWrites.InitiativeColumn);

    public static readonly IReadOnlyDictionary<string, ViewSources> Sources = new Dictionary<string, ViewSources>(StringComparer.Ordinal)
    {
        ["pbi_etl_run"] = Of("etl_run"),
        ["pbi_etl_file"] = Of("etl_file"),
        ["pbi_etl_problem"] = Of("etl_problem"),
        ["pbi_etl_powerbi_refresh"] = Of("etl_powerbi_refresh"),
        ["pbi_etl_check"] = Of("etl_check_result"),
        ["pbi_etl_list"] = Of("etl_list_read"),
        ["pbi_dim_initiative"] = PerInitiative(["dim_initiative"], "dim_object", "dim_phase"),
        ["pbi_dim_initiative_history"] = PerInitiative(["dim_initiative_history"], "dim_phase"),
        ["pbi_fct_initiative_lifecycle"] = PerInitiative("fct_initiative_lifecycle"),
        ["pbi_dim_unit"] = Of("dim_unit"),
        ["pbi_dim_strategic_goal"] = Of("dim_strategic_goal"),
        ["pbi_bridge_initiative_goal"] = PerInitiative("bridge_initiative_goal"),
        ["pbi_dim_year"] = Of("dim_year"),
        ["pbi_dim_date"] = Of("dim_date"),
        ["pbi_dim_object"] = Of("dim_object"),
        ["pbi_dim_criterion"] = Of("dim_criterion"),
        ["pbi_fct_business_case"] = PerInitiative(["fct_business_case_version", "fct_business_case_range"], "etl_file"),
        ["pbi_fct_business_case_version"] = PerInitiative(["fct_business_case_version"], "etl_file"),
        ["pbi_fct_business_case_year"] = PerInitiative(["fct_business_case_year", "fct_business_case_version"], "etl_file"),
        ["pbi_fct_business_case_line"] = PerInitiative(["raw_business_case_value", "fct_business_case_version"], "etl_file"),
        ["pbi_fct_business_case_sensitivity"] = PerInitiative(["fct_business_case_sensitivity", "fct_business_case_version"], "etl_file"),
        ["pbi_fct_evaluation_score"] = PerInitiative("fct_evaluation_score"),
        ["pbi_fct_evaluation"] = PerInitiative("fct_evaluation"),
        ["pbi_fct_project_status"] = PerInitiative("fct_project_status"),
        ["pbi_fct_project_status_snapshot"] = PerInitiative(["fct_project_status_snapshot"], "dim_phase"),
        ["pbi_fct_benefit_realization"] = PerInitiative(["fct_benefit_realization"], "fct_benefit_actual", "etl_file"),
        ["pbi_fct_benefit_actual"] = PerInitiative(["fct_benefit_actual"], "etl_file"),
        ["pbi_fct_benefit_actual_unmatched"] = PerInitiative(["fct_benefit_actual"], "etl_file"),
        ["pbi_fct_survey_result"] = Of(["fct_survey_result"], "etl_file"),
        ["pbi_fct_digitalization_index"] = Of("fct_digitalization_index"),
        ["pbi_fct_digitalization_index_unit"] = Of("fct_digitalization_index_unit"),
        ["pbi_fct_digitalization_index_total"] = Of("fct_digitalization_index_total"),
        ["pbi_sec_unit_access"] = Of("sec_unit_access"),
        ["pbi_sec_object_access"] = Of("sec_unit_access", "dim_object", "dim_initiative"),
    };
}

/// <summary>The lineage as <see cref="DeclaredLineage.Sources"/> declares it.</summary>
public sealed class DeclaredViewLineage : IViewLineage
{
    public static DeclaredViewLineage Instance { get; } = new();

    public bool TryGetSources(string view, out ViewSources sources) => DeclaredLineage.Sources.TryGetValue(view, out sources!);
}
