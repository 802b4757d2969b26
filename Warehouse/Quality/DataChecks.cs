using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Warehouse.Quality;

/// <summary>A data test in the manner of dbt's: a query that counts the rows breaking a rule.</summary>
public sealed partial record DataCheck(string Name, string Sql, object? Parameters = null)
{
    /// <summary>
    /// The views the check only looks keys up in: a relationship's parent. Rows appended to them can only
    /// mend a broken relationship, never break one, so only a delete or an update of their tables re-runs the check.
    /// </summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>The views the check counts rows of: every pbi_* view its SQL names, except its <see cref="References"/>.</summary>
    public IReadOnlyList<string> Reads => ViewPattern().Matches(Sql).Select(m => m.Value).Distinct(StringComparer.Ordinal)
        .Where(v => !References.Contains(v, StringComparer.Ordinal))
        .ToList();

    /// <summary>
    /// Whether what a run wrote can change the check's result: a table of a view it reads was written, or a
    /// table it only looks rows up in (a view's lineage join, a relationship's parent) had rows deleted or
    /// updated. A check naming a view <see cref="WarehouseViews"/> does not know is always affected.
    /// </summary>
    public bool IsAffectedBy(TableWrites written)
    {
        foreach (var view in Reads)
        {
            if (!WarehouseViews.Sources.TryGetValue(view, out var sources))
            {
                return true;
            }
            if (sources.Rows.Any(t => written.Of(t) != TableWrite.None) || sources.Lookups.Any(t => written.Of(t).HasFlag(TableWrite.Changed)))
            {
                return true;
            }
        }
        foreach (var view in References)
        {
            if (!WarehouseViews.Sources.TryGetValue(view, out var sources))
            {
                return true;
            }
            if (sources.All.Any(t => written.Of(t).HasFlag(TableWrite.Changed)))
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"\bpbi_[a-z0-9_]+\b")]
    private static partial Regex ViewPattern();
}

public sealed record DataCheckResult(string Name, int FailingRows)
{
    public bool Passed => FailingRows == 0;
}

/// <summary>
/// The checks that run after a load, inside the load's transaction and over the pbi_* views
/// that Power BI reads: unique and non-null keys, no orphans, accepted values, figures in range.
/// A failing check rolls the run back. A run runs those that what it wrote can affect
/// (<see cref="AffectedBy"/>); a recompute, and a run given nothing to load (the checks job), run them all.
/// </summary>
public static class DataChecks
{
    public static DataCheck Unique(string view, string columns) =>
        new($"unique:{view}({columns})", $"SELECT COUNT(*) FROM (SELECT {columns} FROM {view} GROUP BY {columns} HAVING COUNT(*) > 1) d");

    public static DataCheck NotNull(string view, string column) =>
        new($"not_null:{view}.{column}", $"SELECT COUNT(*) FROM {view} WHERE {column} IS NULL");

    public static DataCheck Relationship(string view, string column, string parent, string parentColumn) =>
        new($"relationship:{view}.{column}->{parent}.{parentColumn}",
            $"SELECT COUNT(*) FROM {view} c WHERE c.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parentColumn} = c.{column})")
        {
            References = view == parent ? [] : [parent],
        };

    public static DataCheck AcceptedValues(string view, string column, IEnumerable<string> values)
    {
        // Spelled out as parameters: Dapper expands "IN @list" on some providers and sends an array on others.
        var parameters = new DynamicParameters();
        var names = values.Select((value, i) =>
        {
            parameters.Add($"v{i}", value);
            return $"@v{i}";
        }).ToList();
        return new($"accepted_values:{view}.{column}", $"SELECT COUNT(*) FROM {view} WHERE {column} IS NOT NULL AND {column} NOT IN ({string.Join(", ", names)})", parameters);
    }

    public static DataCheck Range(string view, string column, decimal min, decimal max) =>
        new($"range:{view}.{column}[{min},{max}]", $"SELECT COUNT(*) FROM {view} WHERE {column} < @Min OR {column} > @Max", new { Min = min, Max = max });

    public static DataCheck Expression(string name, string view, string failingCondition) =>
        new($"expression:{view}:{name}", $"SELECT COUNT(*) FROM {view} WHERE {failingCondition}");

    /// <summary>A check of its own: a query that counts the rows breaking the rule.</summary>
    public static DataCheck Custom(string name, string countingSql) => new($"custom:{name}", countingSql);

    private static readonly string[] BenefitTypes = [Model.Labels.Financial, Model.Labels.Redistribution, Model.Labels.Movement];

    public static readonly IReadOnlyList<DataCheck> All =
    [
        Unique("pbi_dim_initiative", "initiative_id"),
        NotNull("pbi_dim_initiative", "initiative_id"),
        NotNull("pbi_dim_initiative", "unit"),
        Unique("pbi_dim_unit", "unit"),
        NotNull("pbi_dim_unit", "unit"),
        Unique("pbi_dim_strategic_goal", "goal_code"),
        Unique("pbi_bridge_initiative_goal", "initiative_id, goal_code"),
        Unique("pbi_dim_year", "year"),
        Unique("pbi_dim_date", "date"),
        Unique("pbi_fct_business_case", "initiative_id"),
        NotNull("pbi_fct_business_case", "initiative_id"),
        Unique("pbi_fct_business_case_year", "initiative_id, year"),
        NotNull("pbi_fct_business_case_year", "initiative_id"),
        NotNull("pbi_fct_business_case_year", "year"),
        Unique("pbi_etl_run", "run_id"),
        Unique("pbi_etl_file", "file_id"),
        Relationship("pbi_dim_initiative", "unit", "pbi_dim_unit", "unit"),
        Relationship("pbi_bridge_initiative_goal", "initiative_id", "pbi_dim_initiative", "initiative_id"),
        Relationship("pbi_bridge_initiative_goal", "goal_code", "pbi_dim_strategic_goal", "goal_code"),
        Relationship("pbi_fct_business_case", "initiative_id", "pbi_dim_initiative", "initiative_id"),
        Relationship("pbi_fct_business_case_year", "initiative_id", "pbi_fct_business_case", "initiative_id"),
        Relationship("pbi_fct_business_case_year", "year", "pbi_dim_year", "year"),
        Relationship("pbi_dim_date", "year", "pbi_dim_year", "year"),
        Relationship("pbi_fct_business_case", "file_id", "pbi_etl_file", "file_id"),
        Relationship("pbi_fct_business_case", "run_id", "pbi_etl_run", "run_id"),
        Relationship("pbi_etl_file", "run_id", "pbi_etl_run", "run_id"),
        AcceptedValues("pbi_etl_run", "status", RunStatus.All),
        AcceptedValues("pbi_etl_file", "status", FileStatus.All),
        AcceptedValues("pbi_etl_file", "source_kind", SourceKind.All),
        AcceptedValues("pbi_fct_business_case_line", "category", Model.Labels.AllCategories),
        Range("pbi_fct_business_case_year", "movement_score", 0, 10),
        Expression("ratio_is_not_negative", "pbi_fct_business_case_year", "economic_benefit_ratio < 0"),
        Expression("cost_total_is_investment_plus_operating", "pbi_fct_business_case_year",
            "ABS(cost_total_sek - (investment_sek + operating_cost_sek)) > 0.01"),
        Expression("net_benefit_is_benefit_plus_cost", "pbi_fct_business_case_year",
            "ABS(net_benefit_sek - (economic_benefit_sek + cost_total_sek)) > 0.01"),
        Expression("costs_are_not_positive", "pbi_fct_business_case_year",
            "investment_sek > 0 OR operating_cost_sek > 0"),

        // The SharePoint lists: the initiative history, objects, evaluations, project status.
        Unique("pbi_dim_initiative_history", "initiative_id, version_no"),
        NotNull("pbi_dim_initiative_history", "valid_from"),
        NotNull("pbi_dim_initiative_history", "valid_to"),
        Relationship("pbi_dim_initiative_history", "unit", "pbi_dim_unit", "unit"),
        Custom("one_current_version_per_initiative",
            "SELECT COUNT(*) FROM (SELECT i.initiative_id FROM pbi_dim_initiative i LEFT JOIN pbi_dim_initiative_history h " +
            "ON h.initiative_id = i.initiative_id AND h.is_current = 1 GROUP BY i.initiative_id HAVING COUNT(h.initiative_id) <> 1) d"),
        Expression("validity_is_not_reversed", "pbi_dim_initiative_history", "valid_to < valid_from"),
        Custom("versions_are_contiguous",
            "SELECT COUNT(*) FROM pbi_dim_initiative_history a JOIN pbi_dim_initiative_history b " +
            "ON b.initiative_id = a.initiative_id AND b.version_no = a.version_no + 1 WHERE b.valid_from <> a.valid_to"),
        AcceptedValues("pbi_dim_initiative", "phase", Model.Phases.All),
        AcceptedValues("pbi_dim_initiative", "source", [Loading.InitiativeSources.List, Loading.InitiativeSources.BusinessCase]),
        Unique("pbi_dim_object", "object_id"),
        Unique("pbi_dim_criterion", "criterion_code"),
        AcceptedValues("pbi_dim_criterion", "criterion_group", [Model.Criteria.BenefitGroup, Model.Criteria.FeasibilityGroup]),
        Unique("pbi_fct_evaluation_score", "initiative_id, criterion_code, assessed_on"),
        Relationship("pbi_fct_evaluation_score", "initiative_id", "pbi_dim_initiative", "initiative_id"),
        Relationship("pbi_fct_evaluation_score", "criterion_code", "pbi_dim_criterion", "criterion_code"),
        Range("pbi_fct_evaluation_score", "score", 1, 4),
        Unique("pbi_fct_evaluation", "initiative_id"),
        Relationship("pbi_fct_evaluation", "initiative_id", "pbi_dim_initiative", "initiative_id"),
        AcceptedValues("pbi_fct_evaluation", "priority_class", Calculations.PriorityClasses.All),
        Range("pbi_fct_evaluation", "benefit_score", 1, 4),
        Range("pbi_fct_evaluation", "feasibility_score", 1, 4),
        Unique("pbi_fct_project_status", "initiative_id, report_date"),
        Unique("pbi_fct_project_status_snapshot", "snapshot_date, initiative_id"),
        Relationship("pbi_fct_project_status_snapshot", "initiative_id", "pbi_dim_initiative", "initiative_id"),
        Relationship("pbi_fct_project_status_snapshot", "snapshot_date", "pbi_dim_date", "date"),
        AcceptedValues("pbi_fct_project_status_snapshot", "status", Model.ProjectStatuses.All),
        Expression("report_not_after_snapshot", "pbi_fct_project_status_snapshot", "days_since_report < 0"),
        Relationship("pbi_fct_project_status", "initiative_id", "pbi_dim_initiative", "initiative_id"),
        AcceptedValues("pbi_fct_project_status", "status", Model.ProjectStatuses.All),
        Range("pbi_fct_project_status", "percent_complete", 0, 100),
        Custom("one_latest_status_per_initiative",
            "SELECT COUNT(*) FROM (SELECT initiative_id FROM pbi_fct_project_status GROUP BY initiative_id HAVING SUM(is_latest) <> 1) d"),

        // Benefit actuals and their realisation.
        Unique("pbi_fct_benefit_realization", "initiative_id, benefit_line, year"),
        NotNull("pbi_fct_benefit_realization", "initiative_id"),
        NotNull("pbi_fct_benefit_realization", "benefit_line"),
        NotNull("pbi_fct_benefit_realization", "year"),
        NotNull("pbi_fct_benefit_realization", "planned_value"),
        Relationship("pbi_fct_benefit_realization", "initiative_id", "pbi_dim_initiative", "initiative_id"),
        Relationship("pbi_fct_benefit_realization", "year", "pbi_dim_year", "year"),
        Relationship("pbi_fct_benefit_realization", "actual_id", "pbi_fct_benefit_actual", "actual_id"),
        AcceptedValues("pbi_fct_benefit_realization", "benefit_type", BenefitTypes),
        Expression("values_are_not_negative", "pbi_fct_benefit_realization", "planned_value < 0 OR actual_value < 0"),
        Expression("rate_is_not_negative", "pbi_fct_benefit_realization", "realization_rate < 0"),
        new("expression:pbi_fct_benefit_realization:movement_is_a_score",
            "SELECT COUNT(*) FROM pbi_fct_benefit_realization WHERE benefit_type = @Movement AND (planned_value > 10 OR actual_value > 10)",
            new { Movement = Model.Labels.Movement }),
        Unique("pbi_fct_benefit_actual", "actual_id"),
        NotNull("pbi_fct_benefit_actual", "initiative_id"),
        NotNull("pbi_fct_benefit_actual", "benefit_line"),
        NotNull("pbi_fct_benefit_actual", "year"),
        AcceptedValues("pbi_fct_benefit_actual", "benefit_type", BenefitTypes),
        Expression("value_is_not_negative", "pbi_fct_benefit_actual", "value < 0"),
        new("expression:pbi_fct_benefit_actual:movement_is_a_score",
            "SELECT COUNT(*) FROM pbi_fct_benefit_actual WHERE benefit_type = @Movement AND value > 10",
            new { Movement = Model.Labels.Movement }),
        Relationship("pbi_fct_benefit_actual", "file_id", "pbi_etl_file", "file_id"),
        Relationship("pbi_fct_benefit_actual", "run_id", "pbi_etl_run", "run_id"),
        Custom("one_current_actual_per_key",
            "SELECT COUNT(*) FROM (SELECT initiative_id, benefit_line_key, year FROM pbi_fct_benefit_actual " +
            "GROUP BY initiative_id, benefit_line_key, year HAVING SUM(is_current) <> 1) d"),

        // The maturity survey and the digitaliseringsindex.
        Unique("pbi_fct_survey_result", "year, unit, dimension"),
        NotNull("pbi_fct_survey_result", "year"),
        NotNull("pbi_fct_survey_result", "unit"),
        NotNull("pbi_fct_survey_result", "dimension"),
        Range("pbi_fct_survey_result", "percent_value", 0, 100),
        Relationship("pbi_fct_survey_result", "file_id", "pbi_etl_file", "file_id"),
        Relationship("pbi_fct_survey_result", "run_id", "pbi_etl_run", "run_id"),
        Unique("pbi_fct_digitalization_index", "unit, year, component"),
        NotNull("pbi_fct_digitalization_index", "unit"),
        NotNull("pbi_fct_digitalization_index", "year"),
        NotNull("pbi_fct_digitalization_index", "component"),
        AcceptedValues("pbi_fct_digitalization_index", "component", Calculations.IndexComponents.All),
        Range("pbi_fct_digitalization_index", "score", 0, 10),
        Expression("weight_is_positive", "pbi_fct_digitalization_index", "weight <= 0"),
        Relationship("pbi_fct_digitalization_index", "unit", "pbi_dim_unit", "unit"),
        Relationship("pbi_fct_digitalization_index", "year", "pbi_dim_year", "year"),
        Unique("pbi_fct_digitalization_index_unit", "unit, year"),
        NotNull("pbi_fct_digitalization_index_unit", "unit"),
        NotNull("pbi_fct_digitalization_index_unit", "year"),
        Range("pbi_fct_digitalization_index_unit", "index_value", 0, 10),
        Range("pbi_fct_digitalization_index_unit", "components_used", 1, 3),
        Relationship("pbi_fct_digitalization_index_unit", "unit", "pbi_dim_unit", "unit"),
        Relationship("pbi_fct_digitalization_index_unit", "year", "pbi_dim_year", "year"),
        Custom("components_used_are_the_components",
            "SELECT COUNT(*) FROM pbi_fct_digitalization_index_unit u WHERE u.components_used <> " +
            "(SELECT COUNT(*) FROM pbi_fct_digitalization_index c WHERE c.unit = u.unit AND c.year = u.year)"),
        Unique("pbi_fct_digitalization_index_total", "year"),
        NotNull("pbi_fct_digitalization_index_total", "year"),
        Range("pbi_fct_digitalization_index_total", "index_value", 0, 10),
        Expression("units_are_counted", "pbi_fct_digitalization_index_total", "units < 1"),
        Relationship("pbi_fct_digitalization_index_total", "year", "pbi_dim_year", "year"),
        Custom("total_counts_the_unit_indexes",
            "SELECT COUNT(*) FROM pbi_fct_digitalization_index_total t WHERE t.units <> " +
            "(SELECT COUNT(*) FROM pbi_fct_digitalization_index_unit u WHERE u.year = t.year)"),

        // The feed of Power BI's row-level security (role Verksamhet).
        Unique("pbi_sec_unit_access", "unit, user_principal_name"),
        NotNull("pbi_sec_unit_access", "unit"),
        NotNull("pbi_sec_unit_access", "user_principal_name"),
        NotNull("pbi_sec_unit_access", "source"),
        Relationship("pbi_sec_unit_access", "unit", "pbi_dim_unit", "unit"),
        AcceptedValues("pbi_sec_unit_access", "source", Loading.UnitAccessSources.All),
        Expression("name_is_trimmed_lower_case", "pbi_sec_unit_access",
            "user_principal_name <> LOWER(TRIM(user_principal_name)) OR user_principal_name = ''"),
    ];

    /// <summary>The checks whose result what a run wrote can change (<see cref="DataCheck.IsAffectedBy"/>), in the order of <see cref="All"/>.</summary>
    public static IReadOnlyList<DataCheck> AffectedBy(TableWrites written) => All.Where(c => c.IsAffectedBy(written)).ToList();

    /// <summary>Runs every check.</summary>
    public static Task<IReadOnlyList<DataCheckResult>> RunAsync(DbConnection connection, DbTransaction? transaction, int timeoutSeconds, CancellationToken ct) =>
        RunAsync(connection, transaction, All, timeoutSeconds, ct);

    /// <summary>Runs the given checks, in their order.</summary>
    public static async Task<IReadOnlyList<DataCheckResult>> RunAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<DataCheck> checks, int timeoutSeconds, CancellationToken ct)
    {
        var results = new List<DataCheckResult>(checks.Count);
        foreach (var check in checks)
        {
            var failing = await connection.ExecuteScalarAsync<long>(new CommandDefinition(check.Sql, check.Parameters, transaction, timeoutSeconds, cancellationToken: ct));
            results.Add(new DataCheckResult(check.Name, (int)failing));
        }
        return results;
    }
}

/// <summary>A data check failed: the run is rolled back and the published state kept.</summary>
public sealed class DataCheckFailedException(IReadOnlyList<DataCheckResult> results)
    : Exception("Data checks failed: " + string.Join(", ", results.Where(r => !r.Passed).Select(r => $"{r.Name} ({r.FailingRows} rows)")))
{
    public IReadOnlyList<DataCheckResult> Results { get; } = results;
}
