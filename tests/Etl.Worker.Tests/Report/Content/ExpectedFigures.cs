using System.Globalization;
using Dapper;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>
/// The report's figures as the test computes them: its own SQL on the views, written from the contract (report.md,
/// warehouse-views.md, lifecycle.md) and Power BI's measures, not from the report's queries. The units filter through
/// a join with pbi_dim_initiative and Dapper's list expansion; economic benefit is "not Förflyttning" and reported is
/// "actual_value IS NOT NULL", as the demo's summary counts them. Medians and percentiles are computed here again.
/// </summary>
public sealed class ExpectedFigures
{
    private readonly Dictionary<string, object> _figures = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, object> Figures => _figures;

    public int? Year { get; private set; }

    public static async Task<ExpectedFigures> ComputeAsync(WarehouseDatabase database, IReadOnlyList<string> units, int? year, DateOnly today)
    {
        var expected = new ExpectedFigures();
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        var limited = units.Count > 0;
        // The initiatives of the units, or every initiative with facts for the municipality.
        var unitJoin = limited ? "JOIN pbi_dim_initiative u ON u.initiative_id = f.initiative_id AND u.unit IN @Units" : "";
        var p = new { Units = units };

        async Task<List<IDictionary<string, object?>>> Rows(string sql, object? parameters = null)
        {
            var (text, values) = ExpandUnits(sql, parameters ?? p, units);
            return (await connection.QueryAsync(new CommandDefinition(text, values, cancellationToken: TestContext.Current.CancellationToken)))
                .Cast<IDictionary<string, object?>>().ToList();
        }

        void Put(string name, object? value)
        {
            if (value is not null)
            {
                expected._figures[name] = value;
            }
        }

        // The run.
        var run = (await Rows("SELECT MAX(run_id) AS run_id FROM pbi_etl_run WHERE status = 'Lyckad'"))[0]["run_id"];
        Put("overview.run", D(run));
        Put("footer.run", D(run));
        if (run is not null)
        {
            var finished = (await Rows("SELECT finished_at_local FROM pbi_etl_run WHERE run_id = @Run", new { Run = run }))[0]["finished_at_local"];
            Put("overview.refreshed", finished switch
            {
                DateTime d => d.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                string t => DateTime.Parse(t, CultureInfo.InvariantCulture).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                _ => null,
            });
        }

        // The follow-up year.
        year ??= I((await Rows("SELECT MAX(year) AS y FROM pbi_fct_benefit_realization WHERE actual_value IS NOT NULL"))[0]["y"]);
        expected.Year = year;
        Put("report.year", year);

        // Initiatives per phase.
        var phases = await Rows($"SELECT phase, COUNT(*) AS n FROM pbi_dim_initiative {(limited ? "WHERE unit IN @Units" : "")} GROUP BY phase");
        foreach (var row in phases)
        {
            Put($"overview.phase.{S(row["phase"]) ?? "(ingen fas)"}", D(row["n"]));
        }
        Put("overview.initiatives", (decimal)phases.Sum(r => D(r["n"]) ?? 0));

        // Realisation per year, over economic benefit (everything but Förflyttning).
        var perYear = await Rows(
            $"""
            SELECT f.year,
                   SUM(f.planned_value) AS planned,
                   SUM(CASE WHEN f.actual_value IS NOT NULL THEN f.planned_value END) AS planned_reported,
                   SUM(f.actual_value) AS realized,
                   COUNT(f.actual_value) AS reported
            FROM pbi_fct_benefit_realization f {unitJoin}
            WHERE f.benefit_type <> 'Förflyttning'
            GROUP BY f.year
            """);
        foreach (var row in perYear.Where(r => year is null || I(r["year"]) <= year))
        {
            var y = I(row["year"])!.Value.ToString(CultureInfo.InvariantCulture);
            Put($"realization.year.{y}.planned", D(row["planned"]) ?? 0);
            Put($"realization.year.{y}.planned-reported", D(row["planned_reported"]) ?? 0);
            Put($"realization.year.{y}.realized", D(row["realized"]));
            Put($"realization.year.{y}.lines-reported", D(row["reported"]));
            if (D(row["reported"]) > 0 && D(row["planned_reported"]) is { } pr && pr != 0)
            {
                Put($"realization.year.{y}.rate", (D(row["realized"]) ?? 0) / pr);
            }
        }
        if (year is not null)
        {
            var followUp = perYear.FirstOrDefault(r => I(r["year"]) == year);
            Put("overview.planned-benefit", followUp is null ? 0m : D(followUp["planned"]) ?? 0);
            Put("overview.realized-benefit", followUp is null ? null : D(followUp["realized"]));
            if (followUp is not null && D(followUp["reported"]) > 0 && D(followUp["planned_reported"]) is { } pr && pr != 0)
            {
                Put("overview.realization-rate", (D(followUp["realized"]) ?? 0) / pr);
            }

            // So far, as the demo's summary line counts it, up to the follow-up year.
            var soFar = (await Rows(
                $"""
                SELECT COUNT(DISTINCT f.initiative_id) AS initiatives, SUM(f.planned_value) AS planned, SUM(f.actual_value) AS realized
                FROM pbi_fct_benefit_realization f {unitJoin}
                WHERE f.actual_value IS NOT NULL AND f.benefit_type <> 'Förflyttning' AND f.year <= @Year
                """, new { Units = units, Year = year }))[0];
            if (D(soFar["initiatives"]) > 0)
            {
                Put("overview.to-date.initiatives", D(soFar["initiatives"]));
                Put("overview.to-date.planned-benefit", D(soFar["planned"]));
                Put("overview.to-date.realized-benefit", D(soFar["realized"]));
                if (D(soFar["planned"]) is { } planned && planned != 0)
                {
                    Put("overview.to-date.realization-rate", D(soFar["realized"])!.Value / planned);
                }
            }

            // Shortfall and surplus per initiative, the five largest of each.
            var variances = (await Rows(
                $"""
                SELECT f.initiative_id, SUM(f.planned_value) AS planned, SUM(f.actual_value) AS realized, SUM(f.variance_value) AS variance
                FROM pbi_fct_benefit_realization f {unitJoin}
                WHERE f.actual_value IS NOT NULL AND f.benefit_type <> 'Förflyttning' AND f.year <= @Year
                GROUP BY f.initiative_id
                """, new { Units = units, Year = year }))
                .Select(r => (Id: S(r["initiative_id"])!, Planned: D(r["planned"]) ?? 0, Realized: D(r["realized"]) ?? 0, Variance: D(r["variance"]) ?? 0)).ToList();
            foreach (var (kind, rows) in new[]
            {
                ("shortfall", variances.Where(v => v.Variance < 0).OrderBy(v => v.Variance).ThenBy(v => v.Id, StringComparer.Ordinal).Take(5)),
                ("surplus", variances.Where(v => v.Variance > 0).OrderByDescending(v => v.Variance).ThenBy(v => v.Id, StringComparer.Ordinal).Take(5)),
            })
            {
                foreach (var v in rows)
                {
                    Put($"realization.{kind}.{v.Id}.planned", v.Planned);
                    Put($"realization.{kind}.{v.Id}.realized", v.Realized);
                    Put($"realization.{kind}.{v.Id}.variance", v.Variance);
                }
            }

            // The lines of the follow-up year without actuals.
            var unreported = await Rows(
                $"""
                SELECT f.initiative_id, f.benefit_line, f.planned_value
                FROM pbi_fct_benefit_realization f {unitJoin}
                WHERE f.actual_value IS NULL AND f.benefit_type <> 'Förflyttning' AND f.year = @Year
                """, new { Units = units, Year = year });
            if (unreported.Count > 0)
            {
                Put("realization.unreported.count", (decimal)unreported.Count);
                Put("realization.unreported.planned", unreported.Sum(r => D(r["planned_value"]) ?? 0));
                foreach (var row in unreported)
                {
                    Put($"realization.unreported.{S(row["initiative_id"])}.{S(row["benefit_line"])}", D(row["planned_value"]) ?? 0);
                }
            }
        }

        // Priority.
        var evaluations = await Rows($"SELECT f.initiative_id, f.benefit_score, f.feasibility_score, f.priority_class, f.threshold FROM pbi_fct_evaluation f {unitJoin}");
        if (evaluations.Count > 0)
        {
            Put("priority.assessed", (decimal)evaluations.Count);
            Put("priority.threshold", evaluations.Select(r => D(r["threshold"])).FirstOrDefault(t => t is not null));
            foreach (var group in evaluations.GroupBy(r => S(r["priority_class"])!))
            {
                Put($"priority.class.{group.Key}", (decimal)group.Count());
            }
            foreach (var row in evaluations)
            {
                Put($"priority.initiative.{S(row["initiative_id"])}.benefit", D(row["benefit_score"]));
                Put($"priority.initiative.{S(row["initiative_id"])}.feasibility", D(row["feasibility_score"]));
            }
        }

        // Flow: the lead times of lifecycle.md, and the initiatives longest in their current phase.
        var lifecycle = await Rows(
            $"SELECT f.days_to_decision, f.days_decision_to_project, f.days_project_to_forvaltning, f.days_to_forvaltning FROM pbi_fct_initiative_lifecycle f {unitJoin}");
        string[] keys = ["days_to_decision", "days_decision_to_project", "days_project_to_forvaltning", "days_to_forvaltning"];
        string[] names = ["to-decision", "decision-to-project", "project-to-forvaltning", "to-forvaltning"];
        if (lifecycle.Any(r => keys.Any(k => r[k] is not null)))
        {
            for (var i = 0; i < keys.Length; i++)
            {
                var days = lifecycle.Select(r => D(r[keys[i]])).Where(d => d is not null).Select(d => d!.Value).Order().ToList();
                Put($"flow.lead-time.{names[i]}.count", (decimal)days.Count);
                if (days.Count > 0)
                {
                    Put($"flow.lead-time.{names[i]}.median", days.Count % 2 == 1 ? days[days.Count / 2] : (days[days.Count / 2 - 1] + days[days.Count / 2]) / 2);
                    Put($"flow.lead-time.{names[i]}.p80", PercentileInc(days, 0.8m));
                    Put($"flow.lead-time.{names[i]}.min", days[0]);
                    Put($"flow.lead-time.{names[i]}.max", days[^1]);
                }
            }
        }
        var inPhase = (await Rows(
            $"""
            SELECT f.initiative_id, f.current_phase_since
            FROM pbi_fct_initiative_lifecycle f
            JOIN pbi_dim_initiative i ON i.initiative_id = f.initiative_id {(limited ? "AND i.unit IN @Units" : "")}
            WHERE i.phase IN ('Idé', 'Beredning', 'Beslutad', 'Projekt') AND f.current_phase_since IS NOT NULL
            """))
            .Select(r => (Id: S(r["initiative_id"])!, Since: DateOf(r["current_phase_since"])))
            .OrderBy(x => x.Since).ThenBy(x => x.Id, StringComparer.Ordinal).ToList();
        if (inPhase.Count > 0)
        {
            Put("flow.in-process", (decimal)inPhase.Count);
            foreach (var x in inPhase.Take(10))
            {
                Put($"flow.in-phase.{x.Id}.since", x.Since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                Put($"flow.in-phase.{x.Id}.days", (decimal)(today.DayNumber - x.Since.DayNumber));
            }
        }

        // Project status: the latest report of each initiative in Projekt today.
        var latest = await Rows(
            $"""
            SELECT f.initiative_id, f.status, f.percent_complete, f.budget_spent_sek
            FROM pbi_fct_project_status f
            JOIN pbi_dim_initiative i ON i.initiative_id = f.initiative_id {(limited ? "AND i.unit IN @Units" : "")}
            WHERE f.is_latest = 1 AND i.phase = 'Projekt'
            """);
        if (latest.Count > 0)
        {
            Put("status.projects", (decimal)latest.Count);
            foreach (var group in latest.GroupBy(r => S(r["status"])!))
            {
                Put($"status.count.{group.Key}", (decimal)group.Count());
            }
            foreach (var row in latest)
            {
                Put($"status.project.{S(row["initiative_id"])}.status", S(row["status"]));
                Put($"status.project.{S(row["initiative_id"])}.percent-complete", D(row["percent_complete"]));
                Put($"status.project.{S(row["initiative_id"])}.budget-spent", D(row["budget_spent_sek"]));
            }
        }
        // The share of red per month over the last twelve months: where there are daily snapshots, Power BI's Andel röda
        // projekt on the month's last snapshot day; else among the projects that reported in the month.
        var snapshots = (await Rows($"SELECT f.snapshot_date, f.initiative_id, f.status FROM pbi_fct_project_status_snapshot f {unitJoin} WHERE f.phase = 'Projekt'"))
            .Select(r => (Date: DateOf(r["snapshot_date"]), Id: S(r["initiative_id"])!, Status: S(r["status"]))).ToList();
        var reports = (await Rows($"SELECT f.initiative_id, f.report_date, f.status FROM pbi_fct_project_status f {unitJoin}"))
            .Select(r => (Id: S(r["initiative_id"])!, Date: DateOf(r["report_date"]), Status: S(r["status"]))).ToList();
        if (snapshots.Count > 0)
        {
            var lastDays = snapshots.GroupBy(r => (r.Date.Year, r.Date.Month)).Select(g => g.Max(r => r.Date)).ToList();
            var last = lastDays.Max(d => d.Year * 12 + d.Month - 1);
            foreach (var day in lastDays.Where(d => d.Year * 12 + d.Month - 1 > last - 12))
            {
                var key = $"{day.Year:0000}-{day.Month:00}";
                var projects = snapshots.Count(r => r.Date == day);
                var red = snapshots.Count(r => r.Date == day && r.Status == "Röd");
                Put($"status.month.{key}.day", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                Put($"status.month.{key}.projects", (decimal)projects);
                Put($"status.month.{key}.red", (decimal)red);
                Put($"status.month.{key}.red-share", (decimal)red / projects);
            }
        }
        else if (reports.Count > 0)
        {
            var last = reports.Max(r => r.Date.Year * 12 + r.Date.Month - 1);
            foreach (var month in reports.Where(r => r.Date.Year * 12 + r.Date.Month - 1 > last - 12).GroupBy(r => $"{r.Date.Year:0000}-{r.Date.Month:00}"))
            {
                var projects = month.Select(r => r.Id).Distinct().Count();
                var red = month.Where(r => r.Status == "Röd").Select(r => r.Id).Distinct().Count();
                Put($"status.month.{month.Key}.projects", (decimal)projects);
                Put($"status.month.{month.Key}.red", (decimal)red);
                Put($"status.month.{month.Key}.red-share", (decimal)red / projects);
            }
        }

        // The index: per unit and year, the municipality's, and in a unit report the mean of its units.
        var total = (await Rows("SELECT year, index_value FROM pbi_fct_digitalization_index_total"))
            .Select(r => (Year: I(r["year"])!.Value, Value: D(r["index_value"])!.Value)).OrderBy(r => r.Year).ToList();
        foreach (var row in total)
        {
            Put($"index.total.{row.Year}", row.Value);
        }
        var byUnit = (await Rows($"SELECT unit, year, index_value FROM pbi_fct_digitalization_index_unit {(limited ? "WHERE unit IN @Units" : "")}"))
            .Select(r => (Unit: S(r["unit"])!, Year: I(r["year"])!.Value, Value: D(r["index_value"])!.Value)).ToList();
        foreach (var row in byUnit)
        {
            Put($"index.unit.{row.Unit}.{row.Year}", row.Value);
        }
        var mean = limited
            ? byUnit.GroupBy(r => r.Year).Select(g => (Year: g.Key, Value: g.Average(r => r.Value))).OrderBy(r => r.Year).ToList()
            : total;
        if (limited && units.Count > 1)
        {
            foreach (var row in mean)
            {
                Put($"index.units.{row.Year}", row.Value);
            }
        }
        var shown = mean.Where(r => year is null || r.Year <= year).ToList();
        if (shown.Count > 0)
        {
            var index = shown[^1];
            Put("overview.index", index.Value);
            if (shown.FirstOrDefault(r => r.Year == index.Year - 1) is { Year: > 0 } before)
            {
                Put("overview.index.change", index.Value - before.Value);
            }
            if (limited && total.FirstOrDefault(r => r.Year == index.Year) is { Year: > 0 } t)
            {
                Put("overview.municipality-index", t.Value);
                if (total.FirstOrDefault(r => r.Year == index.Year - 1) is { Year: > 0 } tb)
                {
                    Put("overview.municipality-index.change", t.Value - tb.Value);
                }
            }
        }
        foreach (var row in await Rows($"SELECT unit, year, component, score FROM pbi_fct_digitalization_index {(limited ? "WHERE unit IN @Units" : "")}"))
        {
            Put($"index.component.{S(row["unit"])}.{I(row["year"])}.{S(row["component"])}", D(row["score"]));
        }

        // Data quality of the latest successful run, for the municipality (a unit report's share is checked on its own).
        var reading = (await Rows(
            """
            SELECT MAX(run_id) AS run_id FROM pbi_etl_run
            WHERE status = 'Lyckad' AND (run_id IN (SELECT run_id FROM pbi_etl_file) OR run_id IN (SELECT run_id FROM pbi_etl_list))
            """))[0]["run_id"];
        Put("quality.run", D(reading));
        run = reading;
        if (!limited && run is not null)
        {
            var files = await Rows("SELECT file_name, rows_loaded, rows_rejected FROM pbi_etl_file WHERE run_id = @Run AND status IN ('Avvisad', 'Delvis inläst')", new { Run = run });
            Put("quality.files", (decimal)files.Count);
            foreach (var row in files)
            {
                Put($"quality.file.{S(row["file_name"])}.rows-rejected", D(row["rows_rejected"]));
                Put($"quality.file.{S(row["file_name"])}.rows-loaded", D(row["rows_loaded"]));
            }
            Put("quality.problems", D((await Rows(
                """
                SELECT COUNT(*) AS n FROM pbi_etl_problem p
                WHERE p.run_id = @Run AND (p.file_id IS NULL OR p.file_id IN (SELECT file_id FROM pbi_etl_file WHERE status IN ('Avvisad', 'Delvis inläst')))
                """, new { Run = run }))[0]["n"]));
            Put("quality.items-rejected", D((await Rows("SELECT SUM(items_rejected) AS n FROM pbi_etl_list WHERE run_id = @Run", new { Run = run }))[0]["n"]) ?? 0);
        }
        return expected;
    }

    /// <summary>
    /// <c>IN @Units</c> as one parameter per unit: Dapper sends a list to Npgsql as one array parameter, which
    /// <c>IN</c> does not take.
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) ExpandUnits(string sql, object parameters, IReadOnlyList<string> units)
    {
        var values = new DynamicParameters(parameters);
        var names = units.Select((u, i) => (Name: $"unit_{i}", Unit: u)).ToList();
        foreach (var (name, unit) in names)
        {
            values.Add(name, unit);
        }
        return (sql.Replace("IN @Units", names.Count == 0 ? "IN (NULL)" : $"IN ({string.Join(", ", names.Select(n => "@" + n.Name))})", StringComparison.Ordinal), values);
    }

    /// <summary>PERCENTILE.INC: the value at rank p·(n−1), interpolated between its neighbours.</summary>
    private static decimal PercentileInc(IReadOnlyList<decimal> sorted, decimal p)
    {
        var rank = p * (sorted.Count - 1);
        var below = (int)decimal.Floor(rank);
        return below + 1 >= sorted.Count ? sorted[below] : sorted[below] + (rank - below) * (sorted[below + 1] - sorted[below]);
    }

    public static decimal? D(object? value) => value is null or DBNull ? null : Convert.ToDecimal(value, CultureInfo.InvariantCulture);

    private static int? I(object? value) => value is null or DBNull ? null : Convert.ToInt32(value, CultureInfo.InvariantCulture);

    private static string? S(object? value) => value is null or DBNull ? null : Convert.ToString(value, CultureInfo.InvariantCulture);

    private static DateOnly DateOf(object? value) => value switch
    {
        DateTime d => DateOnly.FromDateTime(d),
        DateOnly d => d,
        string s => DateOnly.ParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Not a date: {value}"),
    };
}
