using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Loading;

/// <summary>The tables a run bulk-loads, with their columns in load order. Flushed in this order, parents first.</summary>
internal static class WarehouseTables
{
    private static BulkColumn C(string name, ColumnType type) => new(name, type);

    public static readonly BulkTable EtlFile = new("etl_file",
        C("file_id", ColumnType.Int64), C("run_id", ColumnType.Int64), C("source_kind", ColumnType.Text),
        C("file_name", ColumnType.Text), C("content_sha256", ColumnType.Text), C("size_bytes", ColumnType.Int64),
        C("modified_at_utc", ColumnType.TimestampUtc), C("status", ColumnType.Text), C("rows_loaded", ColumnType.Int32),
        C("rows_rejected", ColumnType.Int32), C("message", ColumnType.Text), C("processed_at_utc", ColumnType.TimestampUtc),
        C("author_email", ColumnType.Text), C("source_url", ColumnType.Text));

    public static readonly BulkTable EtlProblem = new("etl_problem",
        C("problem_id", ColumnType.Int64), C("run_id", ColumnType.Int64), C("file_id", ColumnType.Int64),
        C("source_kind", ColumnType.Text), C("source_name", ColumnType.Text), C("sheet_name", ColumnType.Text),
        C("cell", ColumnType.Text), C("message", ColumnType.Text), C("item_id", ColumnType.Text));

    public static readonly BulkTable EtlCheckResult = new("etl_check_result",
        C("run_id", ColumnType.Int64), C("check_name", ColumnType.Text), C("failing_rows", ColumnType.Int32));

    public static readonly BulkTable RawBusinessCaseAttribute = new("raw_business_case_attribute",
        C("file_id", ColumnType.Int64), C("cell", ColumnType.Text), C("label", ColumnType.Text), C("value", ColumnType.Text));

    public static readonly BulkTable RawBusinessCaseValue = new("raw_business_case_value",
        C("file_id", ColumnType.Int64), C("sheet_name", ColumnType.Text), C("cell", ColumnType.Text),
        C("line_row", ColumnType.Int32), C("line_name", ColumnType.Text), C("line_kind", ColumnType.Text),
        C("category", ColumnType.Text), C("year", ColumnType.Int32), C("raw_text", ColumnType.Text), C("value", ColumnType.Decimal));

    public static readonly BulkTable RawBusinessCaseLine = new("raw_business_case_line",
        C("file_id", ColumnType.Int64), C("sheet_name", ColumnType.Text), C("line_row", ColumnType.Int32),
        C("line_name", ColumnType.Text), C("line_kind", ColumnType.Text), C("category", ColumnType.Text));

    public static readonly BulkTable RawBusinessCaseSensitivity = new("raw_business_case_sensitivity",
        C("file_id", ColumnType.Int64), C("line_row", ColumnType.Int32), C("line_name", ColumnType.Text), C("line_kind", ColumnType.Text),
        C("low_cell", ColumnType.Text), C("low_raw_text", ColumnType.Text), C("low_pct", ColumnType.Decimal),
        C("high_cell", ColumnType.Text), C("high_raw_text", ColumnType.Text), C("high_pct", ColumnType.Decimal));

    public static readonly BulkTable RawActualRow = new("raw_actual_row",
        C("file_id", ColumnType.Int64), C("row_number", ColumnType.Int32), C("initiative_id", ColumnType.Text),
        C("benefit_line", ColumnType.Text), C("benefit_type", ColumnType.Text), C("year", ColumnType.Text),
        C("planned", ColumnType.Text), C("value", ColumnType.Text), C("comment", ColumnType.Text),
        C("status", ColumnType.Text), C("message", ColumnType.Text));

    public static readonly BulkTable BenefitActual = new("fct_benefit_actual",
        C("actual_id", ColumnType.Int64), C("initiative_id", ColumnType.Text), C("benefit_line", ColumnType.Text),
        C("benefit_line_key", ColumnType.Text), C("benefit_type", ColumnType.Text), C("year", ColumnType.Int32),
        C("value", ColumnType.Decimal), C("comment", ColumnType.Text), C("reported_by", ColumnType.Text),
        C("uploaded_by", ColumnType.Text), C("reported_at_utc", ColumnType.TimestampUtc), C("file_id", ColumnType.Int64),
        C("run_id", ColumnType.Int64), C("sheet_name", ColumnType.Text), C("cell", ColumnType.Text),
        C("is_current", ColumnType.Flag), C("unmatched_reason", ColumnType.Text));

    public static readonly BulkTable BenefitRealization = new("fct_benefit_realization",
        C("initiative_id", ColumnType.Text), C("benefit_line", ColumnType.Text), C("benefit_type", ColumnType.Text),
        C("year", ColumnType.Int32), C("planned_value", ColumnType.Decimal), C("actual_value", ColumnType.Decimal),
        C("variance_value", ColumnType.Decimal), C("realization_rate", ColumnType.Ratio), C("planned_acc_value", ColumnType.Decimal),
        C("actual_acc_value", ColumnType.Decimal), C("reported_by", ColumnType.Text), C("reported_at_utc", ColumnType.TimestampUtc),
        C("comment", ColumnType.Text), C("bc_version_id", ColumnType.Int64), C("line_row", ColumnType.Int32),
        C("actual_id", ColumnType.Int64), C("run_id", ColumnType.Int64));

    public static readonly BulkTable EtlUploadState = new("etl_upload_state",
        C("source_key", ColumnType.Text), C("delta_link", ColumnType.Text), C("last_run_id", ColumnType.Int64),
        C("last_read_utc", ColumnType.TimestampUtc));

    public static readonly BulkTable BusinessCaseVersion = new("fct_business_case_version",
        C("bc_version_id", ColumnType.Int64), C("initiative_id", ColumnType.Text), C("version_label", ColumnType.Text),
        C("file_id", ColumnType.Int64), C("run_id", ColumnType.Int64), C("loaded_at_utc", ColumnType.TimestampUtc),
        C("is_current", ColumnType.Flag), C("initiative_name", ColumnType.Text), C("unit", ColumnType.Text),
        C("owner_email", ColumnType.Text), C("object_id", ColumnType.Text), C("goal_codes", ColumnType.Text),
        C("first_year", ColumnType.Int32), C("last_year", ColumnType.Int32), C("cost_total_sek", ColumnType.Decimal),
        C("economic_benefit_total_sek", ColumnType.Decimal), C("net_benefit_total_sek", ColumnType.Decimal),
        C("payback_year", ColumnType.Int32), C("npv_sek", ColumnType.Decimal), C("discount_rate", ColumnType.Decimal));

    public static readonly BulkTable BusinessCaseYear = new("fct_business_case_year",
        C("bc_version_id", ColumnType.Int64), C("year", ColumnType.Int32), C("initiative_id", ColumnType.Text),
        C("investment_sek", ColumnType.Decimal), C("operating_cost_sek", ColumnType.Decimal), C("cost_total_sek", ColumnType.Decimal),
        C("investment_acc_sek", ColumnType.Decimal), C("operating_cost_acc_sek", ColumnType.Decimal), C("cost_total_acc_sek", ColumnType.Decimal),
        C("financial_benefit_sek", ColumnType.Decimal), C("redistribution_benefit_sek", ColumnType.Decimal),
        C("economic_benefit_sek", ColumnType.Decimal), C("economic_benefit_acc_sek", ColumnType.Decimal),
        C("net_benefit_sek", ColumnType.Decimal), C("net_benefit_acc_sek", ColumnType.Decimal),
        C("economic_benefit_ratio", ColumnType.Ratio), C("movement_score", ColumnType.Ratio), C("benefit_ratio_total", ColumnType.Ratio));

    public static readonly BulkTable BridgeInitiativeGoal = new("bridge_initiative_goal",
        C("initiative_id", ColumnType.Text), C("goal_code", ColumnType.Text));

    public static readonly BulkTable DimYear = new("dim_year", C("year", ColumnType.Int32));

    public static readonly BulkTable DimDate = new("dim_date",
        C("date", ColumnType.Date), C("year", ColumnType.Int32), C("quarter", ColumnType.Int32), C("month", ColumnType.Int32),
        C("month_name_sv", ColumnType.Text), C("iso_week", ColumnType.Int32), C("day_of_week", ColumnType.Int32),
        C("day_of_week_sv", ColumnType.Text));

    public static readonly BulkTable EtlListRead = new("etl_list_read",
        C("run_id", ColumnType.Int64), C("list_name", ColumnType.Text), C("read_mode", ColumnType.Text), C("items_read", ColumnType.Int32),
        C("items_changed", ColumnType.Int32), C("items_removed", ColumnType.Int32), C("items_rejected", ColumnType.Int32), C("message", ColumnType.Text));

    public static readonly BulkTable EtlListState = new("etl_list_state",
        C("list_name", ColumnType.Text), C("delta_link", ColumnType.Text), C("content_sha256", ColumnType.Text),
        C("last_run_id", ColumnType.Int64), C("last_read_utc", ColumnType.TimestampUtc), C("shared_key_items", ColumnType.Int32));

    public static readonly BulkTable RawListItem = new("raw_list_item",
        C("list_name", ColumnType.Text), C("item_id", ColumnType.Text), C("run_id", ColumnType.Int64), C("last_modified_utc", ColumnType.TimestampUtc),
        C("is_removed", ColumnType.Flag), C("content_sha256", ColumnType.Text), C("fields_json", ColumnType.Text));

    public static readonly BulkTable StgListObject = new("stg_list_object",
        C("item_id", ColumnType.Text), C("object_id", ColumnType.Text), C("name", ColumnType.Text), C("manager_email", ColumnType.Text),
        C("unit", ColumnType.Text), C("last_modified_utc", ColumnType.TimestampUtc), C("run_id", ColumnType.Int64));

    public static readonly BulkTable StgListInitiative = new("stg_list_initiative",
        C("item_id", ColumnType.Text), C("initiative_id", ColumnType.Text), C("name", ColumnType.Text), C("unit", ColumnType.Text),
        C("phase", ColumnType.Text), C("initiative_type", ColumnType.Text), C("need_type", ColumnType.Text), C("object_id", ColumnType.Text),
        C("owner_email", ColumnType.Text), C("goal_codes", ColumnType.Text), C("hypothesis", ColumnType.Text), C("decision_date", ColumnType.Date),
        C("last_modified_utc", ColumnType.TimestampUtc), C("run_id", ColumnType.Int64), C("created_at_utc", ColumnType.TimestampUtc));

    public static readonly BulkTable StgListAssessment = new("stg_list_assessment",
        C("item_id", ColumnType.Text), C("initiative_id", ColumnType.Text), C("criterion_code", ColumnType.Text), C("score", ColumnType.Int32),
        C("assessed_on", ColumnType.Date), C("comment", ColumnType.Text), C("last_modified_utc", ColumnType.TimestampUtc), C("run_id", ColumnType.Int64));

    public static readonly BulkTable StgListStatus = new("stg_list_status",
        C("item_id", ColumnType.Text), C("initiative_id", ColumnType.Text), C("report_date", ColumnType.Date), C("status", ColumnType.Text),
        C("percent_complete", ColumnType.Ratio), C("budget_spent_sek", ColumnType.Decimal), C("comment", ColumnType.Text),
        C("last_modified_utc", ColumnType.TimestampUtc), C("run_id", ColumnType.Int64));

    public static readonly BulkTable InitiativeVersion = new("dim_initiative_version",
        C("initiative_id", ColumnType.Text), C("version_no", ColumnType.Int32), C("valid_from", ColumnType.Date), C("valid_to", ColumnType.Date),
        C("valid_from_utc", ColumnType.TimestampUtc), C("is_current", ColumnType.Flag), C("name", ColumnType.Text), C("unit", ColumnType.Text),
        C("phase", ColumnType.Text), C("initiative_type", ColumnType.Text), C("need_type", ColumnType.Text), C("object_id", ColumnType.Text),
        C("owner_email", ColumnType.Text), C("goal_codes", ColumnType.Text), C("hypothesis", ColumnType.Text), C("decision_date", ColumnType.Date),
        C("item_id", ColumnType.Text), C("run_id", ColumnType.Int64), C("created_at_utc", ColumnType.TimestampUtc));

    public static readonly BulkTable InitiativeHistory = new("dim_initiative_history",
        C("initiative_id", ColumnType.Text), C("version_no", ColumnType.Int32), C("name", ColumnType.Text), C("unit", ColumnType.Text),
        C("phase", ColumnType.Text), C("initiative_type", ColumnType.Text), C("need_type", ColumnType.Text), C("object_id", ColumnType.Text),
        C("owner_email", ColumnType.Text), C("hypothesis", ColumnType.Text), C("decision_date", ColumnType.Date), C("valid_from", ColumnType.Date),
        C("valid_to", ColumnType.Date), C("is_current", ColumnType.Flag), C("source", ColumnType.Text));

    public static readonly BulkTable Initiative = new("dim_initiative",
        C("initiative_id", ColumnType.Text), C("name", ColumnType.Text), C("unit", ColumnType.Text), C("phase", ColumnType.Text),
        C("initiative_type", ColumnType.Text), C("need_type", ColumnType.Text), C("object_id", ColumnType.Text), C("owner_email", ColumnType.Text),
        C("hypothesis", ColumnType.Text), C("decision_date", ColumnType.Date), C("bc_version_id", ColumnType.Int64), C("source", ColumnType.Text));

    public static readonly BulkTable InitiativeLifecycle = new("fct_initiative_lifecycle",
        C("initiative_id", ColumnType.Text), C("registered_on", ColumnType.Date), C("entered_beredning_on", ColumnType.Date),
        C("entered_beslutad_on", ColumnType.Date), C("entered_projekt_on", ColumnType.Date), C("entered_forvaltning_on", ColumnType.Date),
        C("entered_avslutad_on", ColumnType.Date), C("entered_avslagen_on", ColumnType.Date), C("decided_on", ColumnType.Date),
        C("days_to_decision", ColumnType.Int32), C("days_decision_to_project", ColumnType.Int32), C("days_project_to_forvaltning", ColumnType.Int32),
        C("days_to_forvaltning", ColumnType.Int32), C("current_phase", ColumnType.Text), C("current_phase_since", ColumnType.Date),
        C("phase_changes", ColumnType.Int32), C("went_back", ColumnType.Flag), C("run_id", ColumnType.Int64));

    public static readonly BulkTable Unit = new("dim_unit", C("unit", ColumnType.Text));

    public static readonly BulkTable UnitAccess = new("sec_unit_access",
        C("unit", ColumnType.Text), C("user_principal_name", ColumnType.Text), C("source", ColumnType.Text), C("run_id", ColumnType.Int64));

    public static readonly BulkTable Object = new("dim_object",
        C("object_id", ColumnType.Text), C("name", ColumnType.Text), C("manager_email", ColumnType.Text), C("unit", ColumnType.Text), C("item_id", ColumnType.Text));

    public static readonly BulkTable EvaluationScore = new("fct_evaluation_score",
        C("initiative_id", ColumnType.Text), C("criterion_code", ColumnType.Text), C("assessed_on", ColumnType.Date), C("score", ColumnType.Int32),
        C("item_id", ColumnType.Text), C("run_id", ColumnType.Int64));

    public static readonly BulkTable Evaluation = new("fct_evaluation",
        C("initiative_id", ColumnType.Text), C("assessed_on", ColumnType.Date), C("benefit_score", ColumnType.Ratio), C("feasibility_score", ColumnType.Ratio),
        C("compliance_ok", ColumnType.Flag), C("priority_class", ColumnType.Text), C("criteria_scored", ColumnType.Int32), C("threshold", ColumnType.Ratio),
        C("run_id", ColumnType.Int64));

    public static readonly BulkTable ProjectStatus = new("fct_project_status",
        C("initiative_id", ColumnType.Text), C("report_date", ColumnType.Date), C("status", ColumnType.Text), C("percent_complete", ColumnType.Ratio),
        C("budget_spent_sek", ColumnType.Decimal), C("is_latest", ColumnType.Flag), C("comment", ColumnType.Text), C("item_id", ColumnType.Text),
        C("run_id", ColumnType.Int64));

    public static readonly BulkTable ProjectStatusSnapshot = new("fct_project_status_snapshot",
        C("snapshot_date", ColumnType.Date), C("initiative_id", ColumnType.Text), C("phase", ColumnType.Text), C("status", ColumnType.Text),
        C("report_date", ColumnType.Date), C("days_since_report", ColumnType.Int32), C("percent_complete", ColumnType.Ratio),
        C("budget_spent_sek", ColumnType.Decimal), C("run_id", ColumnType.Int64));

    public static readonly BulkTable RawSurveyRow = new("raw_survey_row",
        C("file_id", ColumnType.Int64), C("row_number", ColumnType.Int32), C("year", ColumnType.Text), C("unit", ColumnType.Text),
        C("dimension", ColumnType.Text), C("percent_text", ColumnType.Text), C("respondents", ColumnType.Text),
        C("status", ColumnType.Text), C("message", ColumnType.Text));

    public static readonly BulkTable SurveyResult = new("fct_survey_result",
        C("year", ColumnType.Int32), C("unit", ColumnType.Text), C("dimension", ColumnType.Text), C("percent_value", ColumnType.Decimal),
        C("respondents", ColumnType.Int32), C("file_id", ColumnType.Int64), C("run_id", ColumnType.Int64), C("sheet_name", ColumnType.Text),
        C("cell", ColumnType.Text), C("row_number", ColumnType.Int32));

    public static readonly BulkTable DigitalizationIndex = new("fct_digitalization_index",
        C("unit", ColumnType.Text), C("year", ColumnType.Int32), C("component", ColumnType.Text), C("score", ColumnType.Ratio),
        C("weight", ColumnType.Ratio), C("numerator", ColumnType.Decimal), C("denominator", ColumnType.Decimal), C("basis", ColumnType.Text),
        C("run_id", ColumnType.Int64));

    public static readonly BulkTable DigitalizationIndexUnit = new("fct_digitalization_index_unit",
        C("unit", ColumnType.Text), C("year", ColumnType.Int32), C("index_value", ColumnType.Ratio), C("components_used", ColumnType.Int32),
        C("run_id", ColumnType.Int64));

    public static readonly BulkTable DigitalizationIndexTotal = new("fct_digitalization_index_total",
        C("year", ColumnType.Int32), C("index_value", ColumnType.Ratio), C("units", ColumnType.Int32), C("run_id", ColumnType.Int64));

    public static readonly BulkTable BusinessCaseRange = new("fct_business_case_range",
        C("initiative_id", ColumnType.Text), C("bc_version_id", ColumnType.Int64),
        C("net_benefit_total_pessimistic_sek", ColumnType.Decimal), C("net_benefit_total_optimistic_sek", ColumnType.Decimal),
        C("npv_pessimistic_sek", ColumnType.Decimal), C("npv_optimistic_sek", ColumnType.Decimal),
        C("payback_year_pessimistic", ColumnType.Int32), C("payback_year_optimistic", ColumnType.Int32), C("run_id", ColumnType.Int64));

    public static readonly BulkTable BusinessCaseSensitivity = new("fct_business_case_sensitivity",
        C("initiative_id", ColumnType.Text), C("line_no", ColumnType.Int32), C("line_kind", ColumnType.Text), C("line_name", ColumnType.Text),
        C("bc_version_id", ColumnType.Int64), C("low_pct", ColumnType.Decimal), C("high_pct", ColumnType.Decimal),
        C("npv_at_low_sek", ColumnType.Decimal), C("npv_at_high_sek", ColumnType.Decimal), C("npv_swing_sek", ColumnType.Decimal),
        C("swing_rank", ColumnType.Int32), C("low_cell", ColumnType.Text), C("high_cell", ColumnType.Text), C("run_id", ColumnType.Int64));

    /// <summary>The order in which buffered rows are flushed: every table after the ones it references.</summary>
    public static readonly IReadOnlyList<BulkTable> FlushOrder =
    [
        EtlFile, EtlProblem, EtlListRead, RawBusinessCaseAttribute, RawBusinessCaseValue, RawBusinessCaseLine, RawBusinessCaseSensitivity, BusinessCaseVersion, BusinessCaseYear,
        RawActualRow, BenefitActual, RawSurveyRow,
    ];
}
