using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Report;

internal sealed record LatestRun(long RunId, DateTime? FinishedLocal);

internal sealed record PhaseCount(string Phase, long Order, long Initiatives);

internal sealed record YearRealization(int Year, decimal Planned, decimal PlannedReported, decimal? Realized, long LinesReported, long Lines)
{
    /// <summary>Realised over the planned of the reported lines, as Power BI's Realiseringsgrad; null when nothing was reported.</summary>
    public decimal? Rate => LinesReported > 0 && PlannedReported != 0 ? (Realized ?? 0) / PlannedReported : null;
}

internal sealed record RealizationSoFar(decimal PlannedReported, decimal Realized, long Initiatives)
{
    public decimal? Rate => PlannedReported != 0 ? Realized / PlannedReported : null;
}

internal sealed record InitiativeVariance(string InitiativeId, string? Name, decimal Planned, decimal Realized, decimal Variance);

internal sealed record UnreportedLine(string InitiativeId, string? Name, string BenefitLine, string BenefitType, decimal Planned);

internal sealed record Assessment(string InitiativeId, string? Name, decimal? Benefit, decimal? Feasibility, string PriorityClass);

internal sealed record NamedCount(string Name, long Count);

/// <summary>One lead time of lifecycle.md over the initiatives that have it.</summary>
internal sealed record LeadTime(string Key, string Label, IReadOnlyList<int> Days)
{
    public decimal Median => Percentile(0.5m);

    /// <summary>The 80th percentile, inclusive with interpolation, as Power BI's PERCENTILE.INC.</summary>
    public decimal P80 => Percentile(0.8m);

    public decimal Percentile(decimal p)
    {
        var sorted = Days.Order().ToList();
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }
}

internal sealed record InPhase(string InitiativeId, string? Name, string Phase, DateOnly Since, int Days);

internal sealed record ProjectStatusRow(string InitiativeId, string? Name, DateOnly? ReportDate, string Status, decimal? PercentComplete, decimal? BudgetSpent);

/// <summary>The share of red projects in a month: from its last daily snapshot (<paramref name="Day"/>), else from the month's status reports.</summary>
internal sealed record RedMonth(int Year, int Month, long Projects, long Red, DateOnly? Day = null)
{
    public decimal Share => Projects == 0 ? 0 : (decimal)Red / Projects;

    public string Key => $"{Year:0000}-{Month:00}";
}

internal sealed record IndexYear(int Year, decimal Value, long Units);

internal sealed record UnitIndex(string Unit, int Year, decimal Value, long ComponentsUsed);

internal sealed record IndexComponent(string Unit, int Year, string Component, decimal? Score, decimal? Weight);

internal sealed record Problem(long? FileId, string SourceKind, string SourceName, string? Sheet, string? Cell, string? ItemId, string Message)
{
    public string Location => ItemId is not null ? $"objekt {ItemId}" : Sheet is null ? "" : Cell is null ? Sheet : $"{Sheet}!{Cell}";
}

internal sealed record RejectedFile(long FileId, string SourceKind, string FileName, string Status, long RowsLoaded, long RowsRejected, string? Message, IReadOnlyList<Problem> Problems);

internal sealed record DataQuality(
    long? RunId,
    IReadOnlyList<RejectedFile> Files,
    IReadOnlyList<Problem> ItemProblems,
    long ItemsRejected,
    int FilesLeftOut,
    int ProblemsLeftOut);

/// <summary>Everything the report shows, read from the views for one request.</summary>
internal sealed record ReportData(
    ReportRequest Request,
    IReadOnlyList<string> Units,
    int? Year,
    DateOnly Today,
    LatestRun? Run,
    IReadOnlyList<PhaseCount> Phases,
    IReadOnlyList<YearRealization> Realization,
    RealizationSoFar? SoFar,
    IReadOnlyList<InitiativeVariance> Variances,
    IReadOnlyList<UnreportedLine> Unreported,
    (long Lines, decimal Planned) UnreportedTotal,
    (long Initiatives, long Assessed) Totals,
    IReadOnlyList<Assessment> Assessments,
    decimal? Threshold,
    IReadOnlyList<NamedCount> PriorityClasses,
    IReadOnlyList<LeadTime> LeadTimes,
    IReadOnlyList<InPhase> InPhase,
    IReadOnlyList<ProjectStatusRow> Statuses,
    IReadOnlyList<NamedCount> StatusCounts,
    IReadOnlyList<RedMonth> RedMonths,
    IReadOnlyList<IndexYear> IndexTotal,
    IReadOnlyList<IndexYear> IndexOfUnits,
    IReadOnlyList<UnitIndex> IndexByUnit,
    IReadOnlyList<IndexComponent> Components,
    DataQuality Quality)
{
    public bool IsLimited => Units.Count > 0;

    public YearRealization? FollowUp => Realization.FirstOrDefault(r => r.Year == Year);

    /// <summary>
    /// Reads the report of <paramref name="request"/>. A unit the warehouse does not know is a <see cref="ReportException"/>;
    /// a unit is matched as spelled, or else ignoring case, and then shown as the warehouse spells it.
    /// </summary>
    public static async Task<ReportData> LoadAsync(DbConnection connection, ReportRequest request, DateOnly today, CancellationToken ct)
    {
        var known = (await ReportRow.QueryAsync(connection, ReportQueries.Units, new DynamicParameters(), ct)).Select(r => r.Text(0)).ToList();
        var units = ResolveUnits(request.Units, known);
        var n = units.Count;

        var p = new DynamicParameters();
        foreach (var (name, unit) in ReportQueries.UnitParameters(n).Zip(units))
        {
            p.Add(name, unit);
        }
        p.Add("Succeeded", RunStatus.Succeeded);
        p.Add("Financial", Labels.Financial);
        p.Add("Redistribution", Labels.Redistribution);
        p.Add("Idea", Warehouse.Model.Phases.Idea);
        p.Add("Preparation", Warehouse.Model.Phases.Preparation);
        p.Add("Decided", Warehouse.Model.Phases.Decided);
        p.Add("Project", Warehouse.Model.Phases.Project);
        p.Add("Red", ProjectStatuses.Red);
        p.Add("Rejected", FileStatus.Rejected);
        p.Add("PartlyLoaded", FileStatus.PartlyLoaded);

        Task<List<ReportRow>> Query(string sql) => ReportRow.QueryAsync(connection, sql, p, ct);

        var year = request.Year;
        if (year is null)
        {
            var latest = await Query(ReportQueries.LatestReportedYear);
            year = latest.Count > 0 && latest[0].Long(0) is { } y ? (int)y : null;
        }
        p.Add("Year", year ?? 0);

        var runRow = (await Query(ReportQueries.LatestRun)).FirstOrDefault();
        var run = runRow is null ? null : new LatestRun(runRow.Long(0) ?? 0,
            runRow.DateTime(1) ?? (runRow.DateTime(2) is { } utc ? StockholmTime.FromUtc(utc) : null));

        var phases = (await Query(ReportQueries.Phases(n)))
            .Select(r => new PhaseCount(r.String(0) ?? "(ingen fas)", r.Long(1) ?? 99, r.Long(2) ?? 0))
            .OrderBy(x => x.Order).ThenBy(x => x.Phase, StringComparer.Ordinal).ToList();

        var realization = (await Query(ReportQueries.RealizationByYear(n)))
            .Select(r => new YearRealization((int)(r.Long(0) ?? 0), r.Decimal(1) ?? 0, r.Decimal(2) ?? 0, r.Decimal(3), r.Long(4) ?? 0, r.Long(5) ?? 0))
            .OrderBy(r => r.Year).ToList();

        RealizationSoFar? soFar = null;
        List<InitiativeVariance> variances = [];
        List<UnreportedLine> unreported = [];
        (long, decimal) unreportedTotal = (0, 0);
        if (year is not null)
        {
            var so = (await Query(ReportQueries.RealizationToYear(n))).FirstOrDefault();
            if (so is not null && (so.Long(2) ?? 0) > 0)
            {
                soFar = new RealizationSoFar(so.Decimal(0) ?? 0, so.Decimal(1) ?? 0, so.Long(2) ?? 0);
            }
            variances = (await Query(ReportQueries.VarianceByInitiative(n)))
                .Select(r => new InitiativeVariance(r.Text(0), r.String(1), r.Decimal(2) ?? 0, r.Decimal(3) ?? 0, r.Decimal(4) ?? 0)).ToList();
            unreported = (await Query(ReportQueries.Unreported(n)))
                .Select(r => new UnreportedLine(r.Text(0), r.String(1), r.Text(2), r.Text(3), r.Decimal(4) ?? 0))
                .OrderBy(l => l.InitiativeId, StringComparer.Ordinal).ThenBy(l => l.BenefitLine, StringComparer.Ordinal).ToList();
            var totals = (await Query(ReportQueries.UnreportedTotals(n))).Single();
            unreportedTotal = (totals.Long(0) ?? 0, totals.Decimal(1) ?? 0);
        }
        var counts = (await Query(ReportQueries.InitiativeTotals(n))).Single();

        var evaluations = await Query(ReportQueries.Evaluations(n));
        var assessments = evaluations
            .Select(r => new Assessment(r.Text(0), r.String(1), r.Decimal(2), r.Decimal(3), r.Text(4)))
            .OrderBy(a => a.InitiativeId, StringComparer.Ordinal).ToList();
        var threshold = evaluations.Select(r => r.Decimal(5)).FirstOrDefault(t => t is not null);
        var classes = (await Query(ReportQueries.PriorityClasses(n)))
            .Select(r => new NamedCount(r.Text(0), r.Long(1) ?? 0)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

        var leadRows = await Query(ReportQueries.LeadTimes(n));
        string[] keys = ["to-decision", "decision-to-project", "project-to-forvaltning", "to-forvaltning"];
        string[] labels = ["Idé till beslut", "Beslut till projekt", "Projekt till förvaltning", "Idé till förvaltning"];
        var leadTimes = keys.Select((key, i) => new LeadTime(key, labels[i],
            leadRows.Select(r => r.Long(i)).Where(d => d is >= 0).Select(d => (int)d!.Value).ToList())).ToList();

        var inPhase = (await Query(ReportQueries.InCurrentPhase(n)))
            .Where(r => r.Date(3) is not null)
            .Select(r => new InPhase(r.Text(0), r.String(1), r.Text(2), r.Date(3)!.Value, today.DayNumber - r.Date(3)!.Value.DayNumber))
            .OrderByDescending(x => x.Days).ThenBy(x => x.InitiativeId, StringComparer.Ordinal).ToList();

        var statuses = (await Query(ReportQueries.LatestStatus(n)))
            .Select(r => new ProjectStatusRow(r.Text(0), r.String(1), r.Date(2), r.Text(3), r.Decimal(4), r.Decimal(5)))
            .OrderBy(s => StatusOrder(s.Status)).ThenBy(s => s.InitiativeId, StringComparer.Ordinal).ToList();
        var statusCounts = (await Query(ReportQueries.StatusCounts(n)))
            .Select(r => new NamedCount(r.Text(0), r.Long(1) ?? 0)).OrderBy(c => StatusOrder(c.Name)).ToList();
        // Where the service has taken daily snapshots, the month's last one, as Power BI's Andel röda projekt; else the
        // projects that reported in the month (the demo and a warehouse loaded only by refresh have no snapshots).
        var months = (await Query(ReportQueries.RedBySnapshot(n)))
            .Where(r => r.Date(0) is not null)
            .Select(r => new RedMonth(r.Date(0)!.Value.Year, r.Date(0)!.Value.Month, r.Long(1) ?? 0, r.Long(2) ?? 0, r.Date(0)))
            .GroupBy(m => (m.Year, m.Month)).Select(g => g.MaxBy(m => m.Day)!)
            .OrderBy(m => m.Year).ThenBy(m => m.Month).ToList();
        if (months.Count == 0)
        {
            months = (await Query(ReportQueries.RedByMonth(n)))
                .Select(r => new RedMonth((int)(r.Long(0) ?? 0), (int)(r.Long(1) ?? 0), r.Long(2) ?? 0, r.Long(3) ?? 0))
                .OrderBy(m => m.Year).ThenBy(m => m.Month).ToList();
        }
        // The last twelve months up to the latest month with a report.
        if (months.Count > 0)
        {
            var last = months[^1].Year * 12 + months[^1].Month - 1;
            months = months.Where(m => m.Year * 12 + m.Month - 1 > last - 12).ToList();
        }

        var indexTotal = (await Query(ReportQueries.IndexTotal))
            .Select(r => new IndexYear((int)(r.Long(0) ?? 0), r.Decimal(1) ?? 0, r.Long(2) ?? 0)).OrderBy(i => i.Year).ToList();
        var indexOfUnits = n == 0 ? indexTotal : (await Query(ReportQueries.IndexOfUnits(n)))
            .Select(r => new IndexYear((int)(r.Long(0) ?? 0), r.Decimal(1) ?? 0, r.Long(2) ?? 0)).OrderBy(i => i.Year).ToList();
        var indexByUnit = (await Query(ReportQueries.IndexByUnit(n)))
            .Select(r => new UnitIndex(r.Text(0), (int)(r.Long(1) ?? 0), r.Decimal(2) ?? 0, r.Long(3) ?? 0))
            .OrderBy(u => u.Unit, StringComparer.Ordinal).ThenBy(u => u.Year).ToList();
        var components = (await Query(ReportQueries.IndexComponents(n)))
            .Select(r => new IndexComponent(r.Text(0), (int)(r.Long(1) ?? 0), r.Text(2), r.Decimal(3), r.Decimal(4)))
            .OrderBy(c => c.Unit, StringComparer.Ordinal).ThenBy(c => c.Year).ThenBy(c => c.Component, StringComparer.Ordinal).ToList();

        var readingRun = (await Query(ReportQueries.LatestReadingRun)).FirstOrDefault()?.Long(0);
        var quality = readingRun is not { } reading
            ? new DataQuality(null, [], [], 0, 0, 0)
            : await LoadQualityAsync(Query, connection, p, reading, units, ct);

        return new ReportData(request, units, year, today, run, phases, realization, soFar, variances, unreported, unreportedTotal,
            (counts.Long(0) ?? 0, counts.Long(1) ?? 0), assessments, threshold,
            classes, leadTimes, inPhase, statuses, statusCounts, months, indexTotal, indexOfUnits, indexByUnit, components, quality);
    }

    private static int StatusOrder(string status) => status switch
    {
        ProjectStatuses.Red => 0,
        ProjectStatuses.Yellow => 1,
        ProjectStatuses.Green => 2,
        _ => 3,
    };

    private static List<string> ResolveUnits(IReadOnlyList<string> asked, IReadOnlyList<string> known)
    {
        var units = new List<string>();
        foreach (var unit in asked)
        {
            var match = known.FirstOrDefault(k => string.Equals(k, unit.Trim(), StringComparison.Ordinal))
                ?? known.FirstOrDefault(k => string.Equals(k, unit.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                throw new ReportException(known.Count == 0
                    ? $"Verksamheten \"{unit}\" finns inte: lagret känner ännu inga verksamheter."
                    : $"Verksamheten \"{unit}\" finns inte i lagret. Verksamheterna är: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }
            if (!units.Contains(match))
            {
                units.Add(match);
            }
        }
        return units;
    }

    /// <summary>
    /// The files and list items the run rejected. A unit report keeps only what can be tied to the unit: a file whose
    /// name names one of its initiatives or objects and none of another unit's, and of that file the problems that
    /// name nothing of another unit; a list item's problem where its message names one of the unit's initiatives and
    /// nothing of another unit's. The rest is only counted.
    /// </summary>
    private static async Task<DataQuality> LoadQualityAsync(Func<string, Task<List<ReportRow>>> query, DbConnection connection,
        DynamicParameters p, long runId, IReadOnlyList<string> units, CancellationToken ct)
    {
        p.Add("Run", runId);
        var problems = (await query(ReportQueries.Problems))
            .Select(r => (Id: r.Long(0) ?? 0, Problem: new Problem(r.Long(1), r.Text(2), r.Text(3), r.String(4), r.String(5), r.String(6), r.Text(7))))
            .OrderBy(x => x.Id).Select(x => x.Problem).ToList();
        var files = (await query(ReportQueries.RejectedFiles))
            .Select(r => new RejectedFile(r.Long(0) ?? 0, r.Text(1), r.Text(2), r.Text(3), r.Long(4) ?? 0, r.Long(5) ?? 0, r.String(6),
                problems.Where(x => x.FileId == r.Long(0)).ToList()))
            .OrderBy(f => f.FileName, StringComparer.Ordinal).ToList();
        var itemProblems = problems.Where(x => x.FileId is null).ToList();
        var itemsRejected = (await query(ReportQueries.ListReads)).Sum(r => r.Long(2) ?? 0);
        if (units.Count == 0)
        {
            return new DataQuality(runId, files, itemProblems, itemsRejected, 0, 0);
        }

        var keys = await ReportRow.QueryAsync(connection, ReportQueries.Keys, new DynamicParameters(), ct);
        var own = keys.Where(k => units.Contains(k.Text(3))).Select(k => k.Text(1)).ToList();
        var foreign = keys.Where(k => !units.Contains(k.Text(3))).SelectMany(k => new[] { k.Text(1), k.Text(2), k.Text(3) })
            .Where(s => s.Length > 0).Distinct().ToList();
        bool NamesOwn(string text) => own.Any(id => Names(text, id));
        bool NamesForeign(string text) => foreign.Any(s => Names(text, s));

        var keptFiles = new List<RejectedFile>();
        var problemsLeftOut = 0;
        foreach (var file in files)
        {
            if (!NamesOwn(file.FileName) || NamesForeign(file.FileName) || (file.Message is { } m && NamesForeign(m)))
            {
                problemsLeftOut += file.Problems.Count;
                continue;
            }
            var kept = file.Problems.Where(x => !NamesForeign(x.Message)).ToList();
            problemsLeftOut += file.Problems.Count - kept.Count;
            keptFiles.Add(file with { Problems = kept });
        }
        var keptItems = itemProblems.Where(x => NamesOwn(x.Message) && !NamesForeign(x.Message) && !NamesForeign(x.SourceName)).ToList();
        problemsLeftOut += itemProblems.Count - keptItems.Count;
        // Rejected list items are counted per list, not per unit: a unit report cannot say how many were its own.
        return new DataQuality(runId, keptFiles, keptItems, 0, files.Count - keptFiles.Count, problemsLeftOut);
    }

    /// <summary>Whether <paramref name="text"/> names <paramref name="key"/> as a word of its own: FO-SKOLA is not in FO-FORSKOLA.</summary>
    private static bool Names(string text, string key) =>
        text.Contains(key, StringComparison.OrdinalIgnoreCase)
        && Regex.IsMatch(text, $@"(?<![\p{{L}}\p{{N}}-]){Regex.Escape(key)}(?![\p{{L}}\p{{N}}-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
