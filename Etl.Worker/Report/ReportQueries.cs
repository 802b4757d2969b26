namespace NackaInsights.Etl.Report;

/// <summary>
/// Every query of the report, on the <c>pbi_*</c> views only and in SQL that SQLite, PostgreSQL and SQL Server all take:
/// no LIMIT/TOP (the few "top N" lists are cut in C#), no dialect functions, parameters for every value. Sums and
/// counts are made here, so that a figure is the view's own aggregate; medians and percentiles, which SQLite lacks,
/// are made in C# from the values these queries return.
/// </summary>
/// <remarks>
/// A report limited to units filters with <see cref="InitiativeFilter"/> / <see cref="UnitFilter"/>: an explicit list of
/// parameters <c>@unit0, @unit1, …</c>, not Dapper's list expansion, so that the text sent is the text tests parse as
/// T-SQL. The municipality's report filters nothing (<c>1 = 1</c>), so facts of an initiative gone from the register
/// still count in its totals, as they do in Power BI.
/// </remarks>
internal static class ReportQueries
{
    /// <summary>The parameter names of <paramref name="unitCount"/> units: <c>unit0</c>, <c>unit1</c>, …</summary>
    public static IEnumerable<string> UnitParameters(int unitCount) => Enumerable.Range(0, unitCount).Select(i => $"unit{i}");

    /// <summary>A condition on a unit column: <c>column IN (@unit0, …)</c>, or <c>1 = 1</c> for the municipality.</summary>
    public static string UnitFilter(string column, int unitCount) =>
        unitCount == 0 ? "1 = 1" : $"{column} IN ({string.Join(", ", UnitParameters(unitCount).Select(p => "@" + p))})";

    /// <summary>A condition on an initiative id column: the initiative belongs to one of the units.</summary>
    public static string InitiativeFilter(string column, int unitCount) =>
        unitCount == 0 ? "1 = 1" : $"{column} IN (SELECT initiative_id FROM pbi_dim_initiative WHERE {UnitFilter("unit", unitCount)})";

    public const string Units = "SELECT unit FROM pbi_dim_unit";

    /// <summary>Every initiative and object with its unit: to tell which ids and names belong to another unit.</summary>
    public const string Keys =
        """
        SELECT 'initiative' AS kind, initiative_id AS id, name, unit FROM pbi_dim_initiative
        UNION ALL
        SELECT 'object' AS kind, object_id AS id, name, unit FROM pbi_dim_object
        """;

    /// <summary>The latest run that succeeded: when the data was last refreshed, and by which run.</summary>
    public const string LatestRun =
        """
        SELECT run_id, finished_at_local, finished_at_utc
        FROM pbi_etl_run
        WHERE run_id = (SELECT MAX(run_id) FROM pbi_etl_run WHERE status = @Succeeded)
        """;

    /// <summary>
    /// The latest successful run that read sources (files or lists): the run whose rejections the data quality section
    /// shows. A run that only took the day's project status snapshot read nothing and rejected nothing.
    /// </summary>
    public const string LatestReadingRun =
        """
        SELECT MAX(r.run_id)
        FROM pbi_etl_run r
        WHERE r.status = @Succeeded
          AND (EXISTS (SELECT 1 FROM pbi_etl_file f WHERE f.run_id = r.run_id) OR EXISTS (SELECT 1 FROM pbi_etl_list l WHERE l.run_id = r.run_id))
        """;

    public static string Phases(int units) =>
        $"""
        SELECT phase, MIN(phase_order) AS phase_order, COUNT(*) AS initiatives
        FROM pbi_dim_initiative
        WHERE {UnitFilter("unit", units)}
        GROUP BY phase
        """;

    /// <summary>The default follow-up year: the latest year with reported actuals, in the whole warehouse.</summary>
    public const string LatestReportedYear = "SELECT MAX(year) FROM pbi_fct_benefit_realization WHERE is_reported = 1";

    /// <summary>
    /// Planned against realised economic benefit (Finansiell and Omfördelning) per year: all planned, the planned of the
    /// lines that were reported (what the realised is compared with) and the realised, as Power BI's measures
    /// Planerad nytta, Planerad nytta rapporterade år and Realiserad nytta.
    /// </summary>
    public static string RealizationByYear(int units) =>
        $"""
        SELECT r.year,
               SUM(r.planned_value) AS planned,
               SUM(CASE WHEN r.is_reported = 1 THEN r.planned_value ELSE 0 END) AS planned_reported,
               SUM(r.actual_value) AS realized,
               SUM(r.is_reported) AS lines_reported,
               COUNT(*) AS lines
        FROM pbi_fct_benefit_realization r
        WHERE r.benefit_type IN (@Financial, @Redistribution) AND {InitiativeFilter("r.initiative_id", units)}
        GROUP BY r.year
        """;

    /// <summary>The same up to and including the follow-up year, over the reported lines only: the realisation so far.</summary>
    public static string RealizationToYear(int units) =>
        $"""
        SELECT SUM(r.planned_value) AS planned_reported, SUM(r.actual_value) AS realized, COUNT(DISTINCT r.initiative_id) AS initiatives
        FROM pbi_fct_benefit_realization r
        WHERE r.is_reported = 1 AND r.year <= @Year AND r.benefit_type IN (@Financial, @Redistribution)
          AND {InitiativeFilter("r.initiative_id", units)}
        """;

    /// <summary>Realised minus planned per initiative over its reported lines up to the follow-up year.</summary>
    public static string VarianceByInitiative(int units) =>
        $"""
        SELECT r.initiative_id, i.name, SUM(r.planned_value) AS planned, SUM(r.actual_value) AS realized, SUM(r.variance_value) AS variance
        FROM pbi_fct_benefit_realization r
        LEFT JOIN pbi_dim_initiative i ON i.initiative_id = r.initiative_id
        WHERE r.is_reported = 1 AND r.year <= @Year AND r.benefit_type IN (@Financial, @Redistribution)
          AND {InitiativeFilter("r.initiative_id", units)}
        GROUP BY r.initiative_id, i.name
        """;

    /// <summary>The economic benefit lines of the follow-up year that no actual has been reported for yet.</summary>
    public static string Unreported(int units) =>
        $"""
        SELECT r.initiative_id, i.name, r.benefit_line, r.benefit_type, r.planned_value
        FROM pbi_fct_benefit_realization r
        LEFT JOIN pbi_dim_initiative i ON i.initiative_id = r.initiative_id
        WHERE r.is_reported = 0 AND r.year = @Year AND r.benefit_type IN (@Financial, @Redistribution)
          AND {InitiativeFilter("r.initiative_id", units)}
        """;

    /// <summary>How many lines of the follow-up year have no actual yet, and their planned benefit.</summary>
    public static string UnreportedTotals(int units) =>
        $"""
        SELECT COUNT(*) AS lines, SUM(r.planned_value) AS planned
        FROM pbi_fct_benefit_realization r
        WHERE r.is_reported = 0 AND r.year = @Year AND r.benefit_type IN (@Financial, @Redistribution)
          AND {InitiativeFilter("r.initiative_id", units)}
        """;

    /// <summary>The initiatives in the register, and how many of them have an assessment.</summary>
    public static string InitiativeTotals(int units) =>
        $"""
        SELECT (SELECT COUNT(*) FROM pbi_dim_initiative WHERE {UnitFilter("unit", units)}) AS initiatives,
               (SELECT COUNT(*) FROM pbi_fct_evaluation e WHERE {InitiativeFilter("e.initiative_id", units)}) AS assessed
        """;

    /// <summary>The latest assessment of each assessed initiative, with the threshold the evaluation used.</summary>
    public static string Evaluations(int units) =>
        $"""
        SELECT e.initiative_id, i.name, e.benefit_score, e.feasibility_score, e.priority_class, e.threshold
        FROM pbi_fct_evaluation e
        LEFT JOIN pbi_dim_initiative i ON i.initiative_id = e.initiative_id
        WHERE {InitiativeFilter("e.initiative_id", units)}
        """;

    public static string PriorityClasses(int units) =>
        $"""
        SELECT e.priority_class, COUNT(*) AS initiatives
        FROM pbi_fct_evaluation e
        WHERE {InitiativeFilter("e.initiative_id", units)}
        GROUP BY e.priority_class
        """;

    /// <summary>The four lead times of lifecycle.md, one row per initiative; empty ones are left out in C#.</summary>
    public static string LeadTimes(int units) =>
        $"""
        SELECT l.days_to_decision, l.days_decision_to_project, l.days_project_to_forvaltning, l.days_to_forvaltning
        FROM pbi_fct_initiative_lifecycle l
        WHERE {InitiativeFilter("l.initiative_id", units)}
        """;

    /// <summary>
    /// The initiatives in the register today in a phase that is still on its way (Idé to Projekt), with the start of
    /// their current stretch in it: days in the phase depend on the day the report is made (lifecycle.md).
    /// </summary>
    public static string InCurrentPhase(int units) =>
        $"""
        SELECT i.initiative_id, i.name, i.phase, l.current_phase_since
        FROM pbi_fct_initiative_lifecycle l
        JOIN pbi_dim_initiative i ON i.initiative_id = l.initiative_id
        WHERE l.current_phase_since IS NOT NULL AND i.phase IN (@Idea, @Preparation, @Decided, @Project)
          AND {UnitFilter("i.unit", units)}
        """;

    /// <summary>The latest status report of each initiative that is a project today.</summary>
    public static string LatestStatus(int units) =>
        $"""
        SELECT s.initiative_id, i.name, s.report_date, s.status, s.percent_complete, s.budget_spent_sek
        FROM pbi_fct_project_status s
        JOIN pbi_dim_initiative i ON i.initiative_id = s.initiative_id
        WHERE s.is_latest = 1 AND i.phase = @Project AND {UnitFilter("i.unit", units)}
        """;

    public static string StatusCounts(int units) =>
        $"""
        SELECT s.status, COUNT(*) AS projects
        FROM pbi_fct_project_status s
        JOIN pbi_dim_initiative i ON i.initiative_id = s.initiative_id
        WHERE s.is_latest = 1 AND i.phase = @Project AND {UnitFilter("i.unit", units)}
        GROUP BY s.status
        """;

    /// <summary>Per calendar month (through pbi_dim_date, so no date function): the projects that reported, and how many of them red.</summary>
    public static string RedByMonth(int units) =>
        $"""
        SELECT d.year, d.month, COUNT(DISTINCT s.initiative_id) AS projects,
               COUNT(DISTINCT CASE WHEN s.status = @Red THEN s.initiative_id END) AS red
        FROM pbi_fct_project_status s
        JOIN pbi_dim_date d ON d.date = s.report_date
        WHERE {InitiativeFilter("s.initiative_id", units)}
        GROUP BY d.year, d.month
        """;

    /// <summary>
    /// Per daily snapshot, the initiatives in Projekt that day and how many of them red by their latest report: Power BI's
    /// Andel röda projekt, taken in C# at the last snapshot of each month.
    /// </summary>
    public static string RedBySnapshot(int units) =>
        $"""
        SELECT s.snapshot_date, COUNT(*) AS projects, SUM(CASE WHEN s.status = @Red THEN 1 ELSE 0 END) AS red
        FROM pbi_fct_project_status_snapshot s
        WHERE s.phase = @Project AND {InitiativeFilter("s.initiative_id", units)}
        GROUP BY s.snapshot_date
        """;

    public const string IndexTotal = "SELECT year, index_value, units FROM pbi_fct_digitalization_index_total";

    public static string IndexByUnit(int units) =>
        $"""
        SELECT unit, year, index_value, components_used
        FROM pbi_fct_digitalization_index_unit
        WHERE {UnitFilter("unit", units)}
        """;

    /// <summary>The mean index of the chosen units per year: the index of a unit report, as Power BI's Digitaliseringsindex.</summary>
    public static string IndexOfUnits(int units) =>
        $"""
        SELECT year, AVG(index_value) AS index_value, COUNT(*) AS units
        FROM pbi_fct_digitalization_index_unit
        WHERE {UnitFilter("unit", units)}
        GROUP BY year
        """;

    public static string IndexComponents(int units) =>
        $"""
        SELECT unit, year, component, score, weight
        FROM pbi_fct_digitalization_index
        WHERE {UnitFilter("unit", units)}
        """;

    /// <summary>The files of a run that were rejected, wholly or in part.</summary>
    public const string RejectedFiles =
        """
        SELECT file_id, source_kind, file_name, status, rows_loaded, rows_rejected, message
        FROM pbi_etl_file
        WHERE run_id = @Run AND status IN (@Rejected, @PartlyLoaded)
        """;

    public const string Problems =
        """
        SELECT problem_id, file_id, source_kind, source_name, sheet_name, cell, item_id, message
        FROM pbi_etl_problem
        WHERE run_id = @Run
        """;

    public const string ListReads =
        """
        SELECT list_name, items_read, items_rejected
        FROM pbi_etl_list
        WHERE run_id = @Run
        """;

    /// <summary>Every query as sent for <paramref name="units"/> units, named: for the tests that parse them as T-SQL.</summary>
    public static IReadOnlyList<(string Name, string Sql)> All(int units) =>
    [
        (nameof(Units), Units),
        (nameof(Keys), Keys),
        (nameof(LatestRun), LatestRun),
        (nameof(LatestReadingRun), LatestReadingRun),
        (nameof(Phases), Phases(units)),
        (nameof(LatestReportedYear), LatestReportedYear),
        (nameof(RealizationByYear), RealizationByYear(units)),
        (nameof(RealizationToYear), RealizationToYear(units)),
        (nameof(VarianceByInitiative), VarianceByInitiative(units)),
        (nameof(Unreported), Unreported(units)),
        (nameof(UnreportedTotals), UnreportedTotals(units)),
        (nameof(InitiativeTotals), InitiativeTotals(units)),
        (nameof(Evaluations), Evaluations(units)),
        (nameof(PriorityClasses), PriorityClasses(units)),
        (nameof(LeadTimes), LeadTimes(units)),
        (nameof(InCurrentPhase), InCurrentPhase(units)),
        (nameof(LatestStatus), LatestStatus(units)),
        (nameof(StatusCounts), StatusCounts(units)),
        (nameof(RedByMonth), RedByMonth(units)),
        (nameof(RedBySnapshot), RedBySnapshot(units)),
        (nameof(IndexTotal), IndexTotal),
        (nameof(IndexByUnit), IndexByUnit(units)),
        (nameof(IndexOfUnits), IndexOfUnits(units)),
        (nameof(IndexComponents), IndexComponents(units)),
        (nameof(RejectedFiles), RejectedFiles),
        (nameof(Problems), Problems),
        (nameof(ListReads), ListReads),
    ];
}
