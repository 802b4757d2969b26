using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Warehouse.Quality;

/// <summary>A data test in the manner of dbt's: a query that counts the rows breaking a rule.</summary>
/// <param name="Parameters">Its parameters by name, written <c>@name</c> in <paramref name="Sql"/>.</param>
public sealed partial record DataCheck(string Name, string Sql, IReadOnlyDictionary<string, object?>? Parameters = null)
{
    /// <summary>
    /// The views the check only looks keys up in: a relationship's parent. Rows appended to them can only
    /// mend a broken relationship, never break one, so only a delete or an update of their tables re-runs the check.
    /// </summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>
    /// Whether the relationship to <see cref="References"/> joins rows of one initiative (an <c>initiative_id</c>
    /// to an <c>initiative_id</c>, an actual to its own initiative's realisation): then a parent row of an
    /// initiative gone can orphan only that initiative's rows.
    /// </summary>
    public bool ReferencesWithinInitiative { get; init; }

    /// <summary>
    /// The column of its view by which the check can be limited to some rows (<see cref="ViewSources.ScopeColumn"/>),
    /// when its rule holds row by row or within one value of it; null when it can only count every row.
    /// </summary>
    public string? ScopeColumn { get; init; }

    /// <summary>
    /// The check over some rows only: given the text <c>IN (@scope0, …)</c>, its SQL limited to the rows whose
    /// <see cref="ScopeColumn"/> is in that list.
    /// </summary>
    public Func<string, string>? ScopedSql { get; init; }

    /// <summary>
    /// The views whose rows the check counts though its SQL reads their tables instead (<see cref="DataChecks.ReadingTable"/>):
    /// planned as a check of these views.
    /// </summary>
    public IReadOnlyList<string> Views { get; init; } = [];

    /// <summary>
    /// The views the check counts rows of: every pbi_* view its SQL names, and its <see cref="Views"/>, except its
    /// <see cref="References"/>.
    /// </summary>
    public IReadOnlyList<string> Reads => Views.Concat(ViewPattern().Matches(Sql).Select(m => m.Value)).Distinct(StringComparer.Ordinal)
        .Where(v => !References.Contains(v, StringComparer.Ordinal))
        .ToList();

    /// <summary>
    /// Whether what a run wrote can change the check's result, and over which rows it must then count: null when
    /// it cannot (no table of a view it reads was written, and no table it only looks rows up in, a view's lineage
    /// join or a relationship's parent, had rows deleted or updated); else the keys (<see cref="ScopeColumn"/>
    /// values) of the rows the writes touched, or every row (<see cref="PlannedCheck.Keys"/> null) when the writes
    /// were not limited to known keys, touched more than <see cref="DataChecks.MaxScopedKeys"/>, or the check cannot be limited to them. A check naming a view
    /// the <paramref name="lineage"/> (by default the views' own texts, <see cref="ViewCatalogLineage"/>) does not know counts every row whenever anything was written.
    /// </summary>
    public PlannedCheck? Plan(TableWrites written, IViewLineage? lineage = null)
    {
        lineage ??= ViewCatalogLineage.Instance;
        var affected = false;
        var everyRow = ScopedSql is null || ScopeColumn is null;
        var keys = new HashSet<object>();
        void Take(TableWriteInfo write, bool sameScope)
        {
            affected = true;
            if (everyRow)
            {
                return;
            }
            if (!sameScope || ScopeColumn is null || write.KeysOf(ScopeColumn) is not { } written)
            {
                everyRow = true;
                return;
            }
            // Past DataChecks.MaxScopedKeys the check counts every row anyway (DataChecks.Plan): the keys are not gathered
            // for nothing. A full refresh at scale 1 gathered 2,000 initiatives' for each of 140 checks, 16 MB of the run's
            // allocations, on the run's one connection before its checks.
            if (written.Count <= DataChecks.MaxScopedKeys)
            {
                keys.UnionWith(written);
            }
            if (written.Count > DataChecks.MaxScopedKeys || keys.Count > DataChecks.MaxScopedKeys)
            {
                everyRow = true;
                keys.Clear();
            }
        }
        foreach (var view in Reads)
        {
            if (!lineage.TryGetSources(view, out var sources))
            {
                return written.Any ? new PlannedCheck(this, null) : null;
            }
            var sameScope = sources.ScopeColumn is not null && sources.ScopeColumn == ScopeColumn;
            foreach (var table in sources.Rows)
            {
                if (written.Of(table) is { Kinds: not TableWrite.None } write)
                {
                    Take(write, sameScope);
                }
            }
            foreach (var table in sources.Lookups)
            {
                if (written.Of(table) is { } write && write.Kinds.HasFlag(TableWrite.Changed))
                {
                    Take(write, sameScope);
                }
            }
        }
        foreach (var view in References)
        {
            if (!lineage.TryGetSources(view, out var sources))
            {
                return written.Any ? new PlannedCheck(this, null) : null;
            }
            var sameScope = ReferencesWithinInitiative && sources.ByInitiative && ScopeColumn == TableWrites.InitiativeColumn;
            foreach (var table in sources.All)
            {
                if (written.Of(table) is { } write && write.Kinds.HasFlag(TableWrite.Changed))
                {
                    Take(write, sameScope);
                }
            }
        }
        return !affected ? null : new PlannedCheck(this, everyRow ? null : keys);
    }

    [GeneratedRegex(@"\bpbi_[a-z0-9_]+\b")]
    private static partial Regex ViewPattern();
}

/// <summary>A check a run runs: over every row, or over the rows whose <see cref="DataCheck.ScopeColumn"/> is one of <see cref="Keys"/>.</summary>
/// <param name="Keys">The values of the check's scope column whose rows it counts; null for every row.</param>
public sealed record PlannedCheck(DataCheck Check, IReadOnlySet<object>? Keys)
{
    public static PlannedCheck EveryRow(DataCheck check) => new(check, null);
}

public sealed record DataCheckResult(string Name, int FailingRows)
{
    public bool Passed => FailingRows == 0;
}

/// <summary>
/// The checks that run after a load, inside the load's transaction and over the pbi_* views
/// that Power BI reads: unique and non-null keys, no orphans, accepted values, figures in range.
/// A failing check rolls the run back. A run runs those that what it wrote can affect, over the rows it
/// wrote where it knows them (<see cref="Plan"/>); a recompute, and a run given nothing to load (the checks
/// job), run them all over every row.
/// </summary>
public static partial class DataChecks
{
    /// <summary>Beyond this many keys a check counts every row instead: one IN list stays well below SQL Server's 2,100 parameters.</summary>
    public const int MaxScopedKeys = 500;

    private static string? ScopeOf(string view) => ViewCatalogLineage.Instance.TryGetSources(view, out var sources) ? sources.ScopeColumn : null;

    private static IReadOnlyDictionary<string, object?> Parameters(params (string Name, object? Value)[] parameters) =>
        parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    /// <summary>
    /// The key columns Power BI compares regardless of letter case (<see cref="Model.KeyCase"/>): a uniqueness check of one
    /// of them alone (a dimension's key, the one side of Power BI's relationships) groups it folded, so that
    /// <c>VÄLFÄRD SKOLA</c> beside <c>Välfärd skola</c> is the duplicate it is to Power BI. A key of several columns is a
    /// fact's, left unfolded: folding defeats the index, and a fact row spelling its key otherwise than the dimension
    /// already fails its relationship check, which compares exactly on SQLite and PostgreSQL.
    /// </summary>
    public static readonly IReadOnlySet<string> CaseInsensitiveKeys = new HashSet<string>(StringComparer.Ordinal) { "initiative_id", "unit", "object_id" };

    /// <summary>
    /// The marker of a folded key in a check's SQL, <c>KEY_FOLD(column)</c>, made each database's own as the check runs
    /// (<see cref="ForDatabase"/>): none folds <c>Ä</c> by itself in every collation.
    /// </summary>
    public const string KeyFold = "KEY_FOLD";

    public static DataCheck Unique(string view, string columns)
    {
        var scope = ScopeOf(view);
        var keyColumns = columns.Split(',', StringSplitOptions.TrimEntries);
        string Key(string column) => keyColumns.Length == 1 && CaseInsensitiveKeys.Contains(column) ? $"{KeyFold}({column})" : column;
        var grouped = string.Join(", ", keyColumns.Select(Key));
        // Rows of a written key's other spellings are not among the written rows: they are found through the folded key.
        string? folded = scope is not null && Key(scope) != scope ? Key(scope) : null;
        return new($"unique:{view}({columns})", $"SELECT COUNT(*) FROM (SELECT COUNT(*) AS n FROM {view} GROUP BY {grouped} HAVING COUNT(*) > 1) d")
        {
            ScopeColumn = scope,
            // A duplicate of a key holding the scope column is among rows with one value of it; of a one-column
            // key, it is among the rows with the written rows' values of that key.
            ScopedSql = scope is null ? null
                : keyColumns.Contains(scope, StringComparer.Ordinal)
                    ? folded is null
                        ? ids => $"SELECT COUNT(*) FROM (SELECT COUNT(*) AS n FROM {view} WHERE {scope} {ids} GROUP BY {grouped} HAVING COUNT(*) > 1) d"
                        : ids => $"SELECT COUNT(*) FROM (SELECT COUNT(*) AS n FROM {view} WHERE {folded} IN (SELECT {folded} FROM {view} WHERE {scope} {ids}) " +
                            $"GROUP BY {grouped} HAVING COUNT(*) > 1) d"
                    : keyColumns.Length == 1
                        ? ids => $"SELECT COUNT(*) FROM (SELECT COUNT(*) AS n FROM {view} WHERE {grouped} IN (SELECT {grouped} FROM {view} WHERE {scope} {ids}) " +
                            $"GROUP BY {grouped} HAVING COUNT(*) > 1) d"
                        : null,
        };
    }

    /// <summary>
    /// A check's (or a query's) SQL as <paramref name="connection"/>'s database runs it: each <c>KEY_FOLD(column)</c> (or parameter) folds letter case as
    /// .NET's <see cref="StringComparer.OrdinalIgnoreCase"/> does, whatever the database's collation. SQLite's own
    /// <c>upper()</c> folds ASCII only, so it is given the fold as a function of the connection; PostgreSQL's
    /// <c>lower()</c> folds by the database's collation (ASCII only in C), so it folds by ICU's root collation, which
    /// every ICU-enabled server has; SQL Server's <c>UPPER()</c> folds all of Unicode in any collation.
    /// </summary>
    public static string ForDatabase(DbConnection connection, string sql)
    {
        if (!sql.Contains(KeyFold, StringComparison.Ordinal))
        {
            return sql;
        }
        return connection switch
        {
            Microsoft.Data.Sqlite.SqliteConnection sqlite => RegisterKeyFold(sqlite, sql),
            Npgsql.NpgsqlConnection => KeyFoldCall().Replace(sql, "LOWER(($1) COLLATE \"und-x-icu\")"),
            _ => KeyFoldCall().Replace(sql, "UPPER($1)"),
        };
    }

    private static string RegisterKeyFold(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        connection.CreateFunction<string?, string?>(KeyFold, key => key is null ? null : Model.KeyCase.Fold(key), isDeterministic: true);
        return sql;
    }

    [GeneratedRegex(KeyFold + @"\(([@A-Za-z0-9_.]+)\)")]
    private static partial Regex KeyFoldCall();

    public static DataCheck NotNull(string view, string column) => Where($"not_null:{view}.{column}", view, $"{column} IS NULL");

    /// <param name="withinInitiative">
    /// Whether the relationship joins rows of one initiative even though its columns are not <c>initiative_id</c>
    /// (<see cref="DataCheck.ReferencesWithinInitiative"/>).
    /// </param>
    public static DataCheck Relationship(string view, string column, string parent, string parentColumn, bool withinInitiative = false)
    {
        var scope = ScopeOf(view);
        return new($"relationship:{view}.{column}->{parent}.{parentColumn}",
            $"SELECT COUNT(*) FROM {view} c WHERE c.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parentColumn} = c.{column})")
        {
            References = view == parent ? [] : [parent],
            ReferencesWithinInitiative = withinInitiative || (column == TableWrites.InitiativeColumn && parentColumn == TableWrites.InitiativeColumn),
            ScopeColumn = scope,
            ScopedSql = scope is null ? null
                : ids => $"SELECT COUNT(*) FROM {view} c WHERE c.{scope} {ids} AND c.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parentColumn} = c.{column})",
        };
    }

    public static DataCheck AcceptedValues(string view, string column, IEnumerable<string> values)
    {
        // Spelled out as parameters: one per value, the same on every provider.
        var parameters = values.Select((value, i) => ($"v{i}", (object?)value)).ToArray();
        return Where($"accepted_values:{view}.{column}", view,
            $"{column} IS NOT NULL AND {column} NOT IN ({string.Join(", ", parameters.Select(p => "@" + p.Item1))})", Parameters(parameters));
    }

    public static DataCheck Range(string view, string column, decimal min, decimal max) =>
        Where($"range:{view}.{column}[{min},{max}]", view, $"{column} < @Min OR {column} > @Max", Parameters(("Min", min), ("Max", max)));

    public static DataCheck Expression(string name, string view, string failingCondition, IReadOnlyDictionary<string, object?>? parameters = null) =>
        Where($"expression:{view}:{name}", view, failingCondition, parameters);

    /// <summary>
    /// A check of its own: a query that counts the rows breaking the rule, and the same over the rows of some initiatives
    /// (given <c>IN (…)</c>) when it can be.
    /// </summary>
    public static DataCheck Custom(string name, string countingSql, Func<string, string>? scopedByInitiative = null) =>
        new($"custom:{name}", countingSql) { ScopeColumn = scopedByInitiative is null ? null : TableWrites.InitiativeColumn, ScopedSql = scopedByInitiative };

    /// <summary>
    /// <paramref name="check"/> of <paramref name="view"/> counting the rows of <paramref name="table"/> instead, for a view
    /// that shows one row per row of the table with the table's values, and only joins to add columns the check does not
    /// read: the same rows, without the joins. A check reading a column only the view has fails loudly (no such column).
    /// </summary>
    internal static DataCheck ReadingTable(DataCheck check, string view, string table)
    {
        var name = new Regex($@"\b{view}\b");
        return check with
        {
            Sql = name.Replace(check.Sql, table),
            ScopedSql = check.ScopedSql is { } scoped ? ids => name.Replace(scoped(ids), table) : null,
            Views = [.. check.Views, view],
        };
    }

    /// <summary>
    /// pbi_fct_benefit_realization is fct_benefit_realization left-joined to the actual it shows and that actual's file, each
    /// by its primary key: one row per row of the table, and its checks read only the table's columns. Counted on the table,
    /// its uniqueness check no longer looks up 70,000 actuals and files at scale 1 that it does not use.
    /// </summary>
    private static DataCheck OfRealization(DataCheck check) => ReadingTable(check, "pbi_fct_benefit_realization", "fct_benefit_realization");

    /// <summary>A rule row by row: the rows of <paramref name="view"/> that meet <paramref name="failingCondition"/> break it.</summary>
    private static DataCheck Where(string name, string view, string failingCondition, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var scope = ScopeOf(view);
        return new(name, $"SELECT COUNT(*) FROM {view} WHERE {failingCondition}", parameters)
        {
            ScopeColumn = scope,
            ScopedSql = scope is null ? null : ids => $"SELECT COUNT(*) FROM {view} WHERE {scope} {ids} AND ({failingCondition})",
        };
    }

    /// <summary>The phases with a first entry in the lifecycle, in the process's order (<c>entered_*_on</c>).</summary>
    private static readonly string[] EnteredPhases = ["beredning", "beslutad", "projekt", "forvaltning", "avslutad", "avslagen"];

    /// <summary>
    /// Two of the phases' first entries, each set, in the wrong order: a later phase entered before an earlier one. An
    /// empty date (a phase skipped) is passed over, since a comparison with NULL is never true.
    /// </summary>
    private static readonly string EnteredOutOfOrder = string.Join(" OR ", EnteredPhases.SelectMany((earlier, i) =>
        EnteredPhases.Skip(i + 1).Select(later => $"entered_{earlier}_on > entered_{later}_on")));

    /// <summary>A line's two net present values do not hold the expected one between them (0.01 for the rounding).</summary>
    private const string OutsideLowAndHigh =
        "NOT (b.npv_sek BETWEEN s.npv_at_low_sek - 0.01 AND s.npv_at_high_sek + 0.01 OR b.npv_sek BETWEEN s.npv_at_high_sek - 0.01 AND s.npv_at_low_sek + 0.01)";

    /// <summary>
    /// A distinct SEK line of a current business case (<c>initiative_id, line_kind, line_name</c> of
    /// <c>pbi_fct_business_case_line</c>, as <c>l</c>) with no row of the sensitivity.
    /// </summary>
    /// <remarks>
    /// The lines are made distinct before the row is looked for, not after: the view has a row per line and year (97,861 at
    /// scale 1 against 16,345 lines). A row spelling the name exactly is looked for first, by plain comparison; the folded
    /// one, which SQLite calls into .NET for on every pair, only for a line without it. Same count, 2.6× faster over a scale-1
    /// warehouse on SQLite (best of 7 on a loaded machine: 684 → 258 ms; it was 336 ms of the 810 ms all checks took quiet).
    /// </remarks>
    private static readonly string WithoutSensitivityRow =
        "NOT EXISTS (SELECT 1 FROM pbi_fct_business_case_sensitivity s " +
        "WHERE s.initiative_id = l.initiative_id AND s.line_kind = l.line_kind AND s.line_name = l.line_name) " +
        "AND NOT EXISTS (SELECT 1 FROM pbi_fct_business_case_sensitivity s " +
        $"WHERE s.initiative_id = l.initiative_id AND s.line_kind = l.line_kind AND {KeyFold}(s.line_name) = {KeyFold}(l.line_name))";

    /// <summary>The distinct SEK lines of the current business cases (those of some initiatives, given <c>IN (…)</c>).</summary>
    private static string SekLines(string? ids) =>
        "(SELECT DISTINCT initiative_id, line_kind, line_name FROM pbi_fct_business_case_line " +
        $"WHERE category <> '{Model.Labels.Movement}'{(ids is null ? "" : $" AND initiative_id {ids}")}) l";

    /// <summary>
    /// Every distinct SEK line of the current business cases: <see cref="SekLines"/> of all initiatives, read over the view's
    /// own joins with the raw values first, as <see cref="CategoriesOfCurrentValues"/> does. SQLite otherwise walked the
    /// current versions by initiative and looked each of their values up by file (an index search and a row fetch per
    /// value); scanned in the table's order, the check costs less (CPU time, best of 5, Python's sqlite3 over a full
    /// refresh's warehouse: scale 1 113 → 93 ms, scale 4 0.47 → 0.43 s; the row fetches were more of its wall time).
    /// Over some initiatives the view's plan, by initiative, stays the better one.
    /// </summary>
    private static readonly string EverySekLine =
        "(SELECT DISTINCT v.initiative_id, r.line_kind, r.line_name " +
        "FROM raw_business_case_value r CROSS JOIN fct_business_case_version v CROSS JOIN etl_file f " +
        $"WHERE r.category <> '{Model.Labels.Movement}' AND v.file_id = r.file_id AND v.is_current = 1 AND f.file_id = r.file_id) l";

    /// <summary>
    /// The accepted categories of pbi_fct_business_case_line, counted over the view's own joins with the raw values first
    /// (SQLite takes a CROSS JOIN's order as written; PostgreSQL plans it freely): SQLite otherwise joined every current
    /// version's 49 values (at scale 1) to count those of a category not accepted, and now looks up the version of those
    /// alone, 3× faster over a scale-1 warehouse (54 → 16 ms). The same rows and count as the view.
    /// </summary>
    private static DataCheck CategoriesOfCurrentValues()
    {
        var check = AcceptedValues("pbi_fct_business_case_line", "category", Model.Labels.AllCategories);
        var accepted = string.Join(", ", Enumerable.Range(0, check.Parameters!.Count).Select(i => $"@v{i}"));
        return check with
        {
            Sql = "SELECT COUNT(*) FROM raw_business_case_value r CROSS JOIN fct_business_case_version v CROSS JOIN etl_file f " +
                $"WHERE r.category NOT IN ({accepted}) AND v.file_id = r.file_id AND v.is_current = 1 AND f.file_id = r.file_id",
            Views = ["pbi_fct_business_case_line"],
        };
    }

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
        CategoriesOfCurrentValues(),
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
            "ON h.initiative_id = i.initiative_id AND h.is_current = 1 GROUP BY i.initiative_id HAVING COUNT(h.initiative_id) <> 1) d",
            ids => "SELECT COUNT(*) FROM (SELECT i.initiative_id FROM pbi_dim_initiative i LEFT JOIN pbi_dim_initiative_history h " +
                $"ON h.initiative_id = i.initiative_id AND h.is_current = 1 WHERE i.initiative_id {ids} GROUP BY i.initiative_id HAVING COUNT(h.initiative_id) <> 1) d"),
        Expression("validity_is_not_reversed", "pbi_dim_initiative_history", "valid_to < valid_from"),
        Custom("versions_are_contiguous",
            "SELECT COUNT(*) FROM pbi_dim_initiative_history a JOIN pbi_dim_initiative_history b " +
            "ON b.initiative_id = a.initiative_id AND b.version_no = a.version_no + 1 WHERE b.valid_from <> a.valid_to",
            ids => "SELECT COUNT(*) FROM pbi_dim_initiative_history a JOIN pbi_dim_initiative_history b " +
                $"ON b.initiative_id = a.initiative_id AND b.version_no = a.version_no + 1 WHERE a.initiative_id {ids} AND b.valid_from <> a.valid_to"),
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
            "SELECT COUNT(*) FROM (SELECT initiative_id FROM pbi_fct_project_status GROUP BY initiative_id HAVING SUM(is_latest) <> 1) d",
            ids => $"SELECT COUNT(*) FROM (SELECT initiative_id FROM pbi_fct_project_status WHERE initiative_id {ids} GROUP BY initiative_id HAVING SUM(is_latest) <> 1) d"),

        // The lifecycle (lifecycle.md): one row per initiative of the register's history, and none for another.
        Unique("pbi_fct_initiative_lifecycle", "initiative_id"),
        Relationship("pbi_fct_initiative_lifecycle", "initiative_id", "pbi_dim_initiative_history", "initiative_id"),
        Custom("every_initiative_has_a_lifecycle",
            "SELECT COUNT(*) FROM (SELECT DISTINCT h.initiative_id FROM pbi_dim_initiative_history h " +
            "WHERE NOT EXISTS (SELECT 1 FROM pbi_fct_initiative_lifecycle l WHERE l.initiative_id = h.initiative_id)) d",
            ids => "SELECT COUNT(*) FROM (SELECT DISTINCT h.initiative_id FROM pbi_dim_initiative_history h " +
                $"WHERE h.initiative_id {ids} AND NOT EXISTS (SELECT 1 FROM pbi_fct_initiative_lifecycle l WHERE l.initiative_id = h.initiative_id)) d"),
        Expression("lead_times_are_not_negative", "pbi_fct_initiative_lifecycle",
            "days_to_decision < 0 OR days_decision_to_project < 0 OR days_project_to_forvaltning < 0 OR days_to_forvaltning < 0"),
        Expression("entered_in_phase_order_unless_it_went_back", "pbi_fct_initiative_lifecycle", $"went_back = 0 AND ({EnteredOutOfOrder})"),

        // Sensitivity (business-case-workbook.md, sheet Känslighet): the range of each current business case and its lines' swings.
        Expression("range_is_filled", "pbi_fct_business_case",
            "net_benefit_total_pessimistic_sek IS NULL OR net_benefit_total_optimistic_sek IS NULL OR npv_pessimistic_sek IS NULL OR npv_optimistic_sek IS NULL"),
        // The pessimistic case lowers every year's net benefit and the optimistic one raises it; 0.01 absorbs the rounding to 4 decimals.
        Expression("pessimistic_expected_optimistic_in_order", "pbi_fct_business_case",
            "net_benefit_total_pessimistic_sek > net_benefit_total_sek + 0.01 OR net_benefit_total_sek > net_benefit_total_optimistic_sek + 0.01 " +
            "OR npv_pessimistic_sek > npv_sek + 0.01 OR npv_sek > npv_optimistic_sek + 0.01"),
        // A case whose accumulated net benefit is never higher cannot pay back sooner; one never lower cannot pay back later.
        Expression("payback_years_in_order", "pbi_fct_business_case",
            "(payback_year_pessimistic IS NOT NULL AND (payback_year IS NULL OR payback_year_pessimistic < payback_year)) " +
            "OR (npv_optimistic_sek IS NOT NULL AND payback_year IS NOT NULL AND (payback_year_optimistic IS NULL OR payback_year_optimistic > payback_year))"),
        Unique("pbi_fct_business_case_sensitivity", "initiative_id, line_no"),
        NotNull("pbi_fct_business_case_sensitivity", "line_name"),
        Relationship("pbi_fct_business_case_sensitivity", "initiative_id", "pbi_fct_business_case", "initiative_id"),
        // A line's row is of its own initiative's current version.
        Custom("sensitivity_rows_are_of_the_current_version",
            "SELECT COUNT(*) FROM pbi_fct_business_case_sensitivity s JOIN pbi_fct_business_case b ON b.initiative_id = s.initiative_id WHERE s.bc_version_id <> b.bc_version_id",
            ids => "SELECT COUNT(*) FROM pbi_fct_business_case_sensitivity s JOIN pbi_fct_business_case b ON b.initiative_id = s.initiative_id " +
                $"WHERE s.initiative_id {ids} AND s.bc_version_id <> b.bc_version_id"),
        AcceptedValues("pbi_fct_business_case_sensitivity", "line_kind", [Model.SensitivityLine.CostKind, Model.SensitivityLine.BenefitKind]),
        Expression("percentages_in_range", "pbi_fct_business_case_sensitivity",
            "low_pct < 0 OR low_pct > @Expected OR high_pct < @Expected OR high_pct > @Max",
            Parameters(("Expected", Model.SensitivityLine.Expected), ("Max", Model.SensitivityLine.MaxPercent))),
        Expression("swing_is_the_difference_of_the_two_npvs", "pbi_fct_business_case_sensitivity",
            "npv_swing_sek < 0 OR ABS(npv_swing_sek - ABS(npv_at_high_sek - npv_at_low_sek)) > 0.01"),
        Custom("expected_npv_lies_between_low_and_high",
            $"SELECT COUNT(*) FROM pbi_fct_business_case_sensitivity s JOIN pbi_fct_business_case b ON b.initiative_id = s.initiative_id WHERE {OutsideLowAndHigh}",
            ids => "SELECT COUNT(*) FROM pbi_fct_business_case_sensitivity s JOIN pbi_fct_business_case b ON b.initiative_id = s.initiative_id " +
                $"WHERE s.initiative_id {ids} AND {OutsideLowAndHigh}"),
        // Lines of one sheet with the same name (ignoring case) are one line of the sensitivity.
        Custom("every_sek_line_has_a_sensitivity_row",
            $"SELECT COUNT(*) FROM {EverySekLine} WHERE {WithoutSensitivityRow}",
            ids => $"SELECT COUNT(*) FROM {SekLines(ids)} WHERE {WithoutSensitivityRow}") with { Views = ["pbi_fct_business_case_line"] },

        // Benefit actuals and their realisation.
        OfRealization(Unique("pbi_fct_benefit_realization", "initiative_id, benefit_line, year")),
        OfRealization(NotNull("pbi_fct_benefit_realization", "initiative_id")),
        OfRealization(NotNull("pbi_fct_benefit_realization", "benefit_line")),
        OfRealization(NotNull("pbi_fct_benefit_realization", "year")),
        OfRealization(NotNull("pbi_fct_benefit_realization", "planned_value")),
        OfRealization(Relationship("pbi_fct_benefit_realization", "initiative_id", "pbi_dim_initiative", "initiative_id")),
        OfRealization(Relationship("pbi_fct_benefit_realization", "year", "pbi_dim_year", "year")),
        // A realisation row shows an actual of its own initiative.
        OfRealization(Relationship("pbi_fct_benefit_realization", "actual_id", "pbi_fct_benefit_actual", "actual_id", withinInitiative: true)),
        OfRealization(AcceptedValues("pbi_fct_benefit_realization", "benefit_type", BenefitTypes)),
        OfRealization(Expression("values_are_not_negative", "pbi_fct_benefit_realization", "planned_value < 0 OR actual_value < 0")),
        OfRealization(Expression("rate_is_not_negative", "pbi_fct_benefit_realization", "realization_rate < 0")),
        OfRealization(Expression("movement_is_a_score", "pbi_fct_benefit_realization",
            "benefit_type = @Movement AND (planned_value > 10 OR actual_value > 10)", Parameters(("Movement", Model.Labels.Movement)))),
        Unique("pbi_fct_benefit_actual", "actual_id"),
        NotNull("pbi_fct_benefit_actual", "initiative_id"),
        NotNull("pbi_fct_benefit_actual", "benefit_line"),
        NotNull("pbi_fct_benefit_actual", "year"),
        AcceptedValues("pbi_fct_benefit_actual", "benefit_type", BenefitTypes),
        Expression("value_is_not_negative", "pbi_fct_benefit_actual", "value < 0"),
        Expression("movement_is_a_score", "pbi_fct_benefit_actual", "benefit_type = @Movement AND value > 10", Parameters(("Movement", Model.Labels.Movement))),
        Relationship("pbi_fct_benefit_actual", "file_id", "pbi_etl_file", "file_id"),
        Relationship("pbi_fct_benefit_actual", "run_id", "pbi_etl_run", "run_id"),
        Custom("one_current_actual_per_key",
            "SELECT COUNT(*) FROM (SELECT initiative_id, benefit_line_key, year FROM pbi_fct_benefit_actual " +
            "GROUP BY initiative_id, benefit_line_key, year HAVING SUM(is_current) <> 1) d",
            ids => "SELECT COUNT(*) FROM (SELECT initiative_id, benefit_line_key, year FROM pbi_fct_benefit_actual " +
                $"WHERE initiative_id {ids} GROUP BY initiative_id, benefit_line_key, year HAVING SUM(is_current) <> 1) d"),

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

        // The feed of the role Verksamhet's filter on Förvaltningsobjekt.
        Unique("pbi_sec_object_access", "object_id, user_principal_name, source"),
        NotNull("pbi_sec_object_access", "object_id"),
        NotNull("pbi_sec_object_access", "user_principal_name"),
        Relationship("pbi_sec_object_access", "object_id", "pbi_dim_object", "object_id"),
        AcceptedValues("pbi_sec_object_access", "source", Loading.ObjectAccessSources.All),
        Expression("name_is_trimmed_lower_case", "pbi_sec_object_access",
            "user_principal_name <> LOWER(TRIM(user_principal_name)) OR user_principal_name = ''"),
    ];

    /// <summary>
    /// The checks whose result what a run wrote can change, in the order of <see cref="All"/>, each over the rows the
    /// run wrote where it can be (<see cref="DataCheck.Plan"/>).
    /// </summary>
    public static IReadOnlyList<PlannedCheck> Plan(TableWrites written, IViewLineage? lineage = null) =>
        All.Select(c => c.Plan(written, lineage)).OfType<PlannedCheck>()
            .Select(p => p.Keys is { Count: > MaxScopedKeys } ? PlannedCheck.EveryRow(p.Check) : p)
            .ToList();

    /// <summary>Runs every check over every row.</summary>
    public static Task<IReadOnlyList<DataCheckResult>> RunAsync(DbConnection connection, DbTransaction? transaction, int timeoutSeconds, CancellationToken ct) =>
        RunAsync(connection, transaction, All.Select(PlannedCheck.EveryRow).ToList(), timeoutSeconds, ct);

    /// <summary>Runs the given checks, in their order, each over the rows it is planned for.</summary>
    public static async Task<IReadOnlyList<DataCheckResult>> RunAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<PlannedCheck> checks, int timeoutSeconds, CancellationToken ct)
    {
        var snapshot = await SnapshotAsync(connection, transaction, checks, timeoutSeconds, ct);
        try
        {
            return await RunEachAsync(connection, transaction, checks, snapshot, timeoutSeconds, ct);
        }
        finally
        {
            if (snapshot is not null)
            {
                await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {snapshot.Value.Table}", timeoutSeconds, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// The view the checks read from a snapshot on SQLite: pbi_sec_object_access is a UNION of three joins, computed anew by
    /// each of its six checks (about 20 ms each at scale 1, a fifth of all checks' time). Its rows are copied once into a
    /// temporary table of the connection, in the run's transaction, and the checks of the view count those.
    /// </summary>
    internal const string SnapshotView = "pbi_sec_object_access";

    private static readonly Regex SnapshotViewName = new($@"\b{SnapshotView}\b");

    private static async Task<(string View, string Table)?> SnapshotAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<PlannedCheck> checks,
        int timeoutSeconds, CancellationToken ct)
    {
        if (connection is not Microsoft.Data.Sqlite.SqliteConnection || checks.Count(c => SnapshotViewName.IsMatch(c.Check.Sql)) < 2)
        {
            return null;
        }
        const string table = "temp.checked_" + SnapshotView;
        await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {table}", timeoutSeconds, ct);
        await ExecuteAsync(connection, transaction, $"CREATE TABLE {table} AS SELECT * FROM {SnapshotView}", timeoutSeconds, ct);
        return (SnapshotView, table);
    }

    private static async Task<IReadOnlyList<DataCheckResult>> RunEachAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<PlannedCheck> checks,
        (string View, string Table)? snapshot, int timeoutSeconds, CancellationToken ct)
    {
        var results = new List<DataCheckResult>(checks.Count);
        foreach (var (check, keys) in checks)
        {
            long failing = 0;
            if (keys is null || check.ScopedSql is null)
            {
                var sql = snapshot is { Table: var table } ? SnapshotViewName.Replace(check.Sql, table) : check.Sql;
                failing = await CountAsync(connection, transaction, sql, check.Parameters ?? Empty, [], timeoutSeconds, ct);
            }
            else
            {
                foreach (var chunk in keys.Chunk(MaxScopedKeys))
                {
                    var scope = chunk.Select((key, i) => ($"scope{i}", (object?)key)).ToList();
                    var sql = check.ScopedSql($"IN ({string.Join(", ", scope.Select(s => "@" + s.Item1))})");
                    failing += await CountAsync(connection, transaction, sql, check.Parameters ?? Empty, scope, timeoutSeconds, ct);
                }
            }
            results.Add(new DataCheckResult(check.Name, (int)failing));
        }
        return results;
    }

    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, int timeoutSeconds, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandTimeout = timeoutSeconds;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    // A plain command rather than Dapper: a run in a fresh process would pay Dapper's first use of each parameter shape.
    private static async Task<long> CountAsync(DbConnection connection, DbTransaction? transaction, string sql, IReadOnlyDictionary<string, object?> parameters,
        IReadOnlyList<(string Name, object? Value)> scope, int timeoutSeconds, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandTimeout = timeoutSeconds;
        command.CommandText = ForDatabase(connection, sql);
        foreach (var (name, value) in parameters.Select(p => (p.Key, p.Value)).Concat(scope))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}

/// <summary>A data check failed: the run is rolled back and the published state kept.</summary>
public sealed class DataCheckFailedException(IReadOnlyList<DataCheckResult> results)
    : Exception("Data checks failed: " + string.Join(", ", results.Where(r => !r.Passed).Select(r => $"{r.Name} ({r.FailingRows} rows)")))
{
    public IReadOnlyList<DataCheckResult> Results { get; } = results;
}
