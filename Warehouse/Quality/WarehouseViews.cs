namespace NackaInsights.Warehouse.Quality;

/// <summary>
/// The tables behind a pbi_* view, as far as a data check over the view can tell a write to them.
/// <para>
/// <see cref="Rows"/> are the tables whose rows make the view's rows, filters included: any write to one
/// may change what the view shows. <see cref="Lookups"/> are tables the view only joins by a key that a row
/// table holds, to show lineage such as a file's name: rows appended to them cannot add, remove or change a
/// row of the view (a new file has a new <c>file_id</c> that no older fact refers to), so only a delete or
/// an update of one counts.
/// </para>
/// <para>
/// <see cref="ScopeColumn"/>: a column of the view that its tables' rows share with the view rows they make, so that a
/// write of rows with some values of it can change only the view's rows with those values. <c>initiative_id</c>:
/// every row of its tables that has an initiative (etl_file has none) joins only rows of that same initiative.
/// The etl views have none: a run appends only its own rows to them, but their checks also guard against rows
/// that came from elsewhere, so a run that wrote one checks it whole.
/// </para>
/// </summary>
public sealed record ViewSources(IReadOnlyList<string> Rows, IReadOnlyList<string> Lookups, string? ScopeColumn = null)
{
    public IEnumerable<string> All => Rows.Concat(Lookups);

    public bool ByInitiative => ScopeColumn == TableWrites.InitiativeColumn;
}

/// <summary>
/// What each pbi_* view reads, declared beside the checks that use it. A test compares it with the views
/// each database actually defines, so that a changed view cannot leave a check unrun.
/// </summary>
public static class WarehouseViews
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
        ["pbi_etl_check"] = Of("etl_check_result"),
        ["pbi_etl_list"] = Of("etl_list_read"),
        ["pbi_dim_initiative"] = PerInitiative(["dim_initiative"], "dim_object", "dim_phase"),
        ["pbi_dim_initiative_history"] = PerInitiative(["dim_initiative_history"], "dim_phase"),
        ["pbi_dim_unit"] = Of("dim_unit"),
        ["pbi_dim_strategic_goal"] = Of("dim_strategic_goal"),
        ["pbi_bridge_initiative_goal"] = PerInitiative("bridge_initiative_goal"),
        ["pbi_dim_year"] = Of("dim_year"),
        ["pbi_dim_date"] = Of("dim_date"),
        ["pbi_dim_object"] = Of("dim_object"),
        ["pbi_dim_criterion"] = Of("dim_criterion"),
        ["pbi_fct_business_case"] = PerInitiative(["fct_business_case_version"], "etl_file"),
        ["pbi_fct_business_case_version"] = PerInitiative(["fct_business_case_version"], "etl_file"),
        ["pbi_fct_business_case_year"] = PerInitiative(["fct_business_case_year", "fct_business_case_version"], "etl_file"),
        ["pbi_fct_business_case_line"] = PerInitiative(["raw_business_case_value", "fct_business_case_version"], "etl_file"),
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
