using System.Globalization;
using System.Text;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;
using static NackaInsights.Etl.Report.ReportFormat;

namespace NackaInsights.Etl.Report;

/// <summary>
/// The follow-up report (report.md): one self-contained HTML page in Swedish, made from the <c>pbi_*</c> views only.
/// Every figure carries a stable <c>data-figure</c> attribute, and its unrounded value in invariant culture in
/// <c>data-value</c>, so that it can be traced and tested. The page has no script and makes no request: its styles and
/// its SVG charts are inside it.
/// </summary>
public static class FollowUpReport
{
    /// <summary>Writes the report of <paramref name="request"/> from <paramref name="database"/>, which it only reads.</summary>
    /// <exception cref="ReportException">The request names a unit the warehouse does not know.</exception>
    public static Task WriteHtmlAsync(WarehouseDatabase database, ReportRequest request, TextWriter output, CancellationToken ct) =>
        WriteHtmlAsync(database, request, output, TimeProvider.System, ct);

    /// <summary>The same, on the clock of <paramref name="time"/>: days in a phase are counted to its date in Stockholm.</summary>
    internal static async Task WriteHtmlAsync(WarehouseDatabase database, ReportRequest request, TextWriter output, TimeProvider time, CancellationToken ct)
    {
        ReportData data;
        await using (var connection = await database.OpenAsync(ct))
        {
            data = await ReportData.LoadAsync(connection, request, StockholmTime.DateOf(time.GetUtcNow().UtcDateTime), ct);
        }
        await output.WriteAsync(Render(data));
        await output.FlushAsync(ct);
    }

    internal static string Render(ReportData data)
    {
        var page = new Page();
        var scope = data.IsLimited ? string.Join(", ", data.Units) : "Hela kommunen";
        var title = $"Uppföljningsrapport{(data.Year is { } y ? " " + y.ToString(CultureInfo.InvariantCulture) : "")}";
        page.Raw("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            // No request outside the file, ever: the policy says so to the browser too.
            .Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Raw("<title>").Text($"{title} – {scope}").Raw("</title>\n<style>").Raw(ReportStyles.Css).Raw("</style>\n</head>\n<body>\n")
            .Raw("<header class=\"cover\"><p class=\"kicker\">Digitalisering · uppföljning av nyttor och initiativ</p>")
            .Raw("<h1>").Text(title).Raw("</h1><p class=\"scope\" data-figure=\"report.scope\">")
            .Text(data.IsLimited ? (data.Units.Count == 1 ? "Verksamhet: " : "Verksamheter: ") + scope : scope).Raw("</p>");
        if (data.Year is { } year)
        {
            page.Raw("<p class=\"muted\">Uppföljningsår ").Figure("report.year", year, year.ToString(CultureInfo.InvariantCulture))
                .Raw(data.Request.Year is null ? ": det senaste året med rapporterat utfall." : ".").Raw("</p>");
        }
        page.Raw("</header>\n<main>\n");

        Overview(page, data);
        Realization(page, data);
        Priority(page, data);
        Flow(page, data);
        ProjectStatus(page, data);
        Index(page, data);
        DataQuality(page, data);

        page.Raw("</main>\n<footer>").Text("Uppföljningsrapport · ").Text(scope).Text(" · ");
        if (data.Run is { } run)
        {
            page.Text("data från körning ").Figure("footer.run", run.RunId, Invariant(run.RunId));
            if (run.FinishedLocal is { } finished)
            {
                page.Text(", ").Raw("<time datetime=\"").Text(finished.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture)).Raw("\">")
                    .Text(finished.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Raw("</time>");
            }
        }
        else
        {
            page.Text("ingen lyckad körning ännu");
        }
        page.Text(" · skapad ").Raw($"<time datetime=\"{Date(data.Today)}\">{Date(data.Today)}</time>").Raw("</footer>\n</body>\n</html>\n");
        return page.ToString();
    }

    private static void Overview(Page page, ReportData data)
    {
        page.Open(ReportSections.Overview, "Översikt");
        if (data.Run is { } run)
        {
            page.Raw("<p>Data senast uppdaterad ");
            if (run.FinishedLocal is { } finished)
            {
                page.Figure("overview.refreshed", finished.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                    finished.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (svensk tid)");
            }
            page.Raw(", i körning ").Figure("overview.run", run.RunId, Invariant(run.RunId)).Raw(".</p>");
        }
        else
        {
            page.Empty("Lagret har ännu ingen lyckad körning.");
        }

        page.Raw("<div class=\"kpis\">");
        var followUp = data.FollowUp;
        if (data.Year is { } year)
        {
            var y = year.ToString(CultureInfo.InvariantCulture);
            page.Kpi($"Planerad ekonomisk nytta {y}", "overview.planned-benefit", followUp?.Planned ?? 0, Kr(followUp?.Planned ?? 0));
            page.Kpi($"Realiserad ekonomisk nytta {y}", "overview.realized-benefit", followUp?.Realized, followUp?.Realized is { } r ? Kr(r) : "inget rapporterat");
            page.Kpi("Realiseringsgrad", "overview.realization-rate", followUp?.Rate, followUp?.Rate is { } rate ? Percent(rate) : "–",
                "realiserad nytta mot planerad för de nyttoposter som rapporterats");
        }
        var indexes = data.IndexOfUnits.Where(i => data.Year is null || i.Year <= data.Year).ToList();
        var index = indexes.LastOrDefault();
        var indexLabel = data.IsLimited ? "Digitaliseringsindex" + (data.Units.Count == 1 ? ", " + data.Units[0] : ", verksamheterna") : "Digitaliseringsindex, kommunen";
        if (index is not null)
        {
            var before = indexes.FirstOrDefault(i => i.Year == index.Year - 1);
            page.Kpi($"{indexLabel} {index.Year}", "overview.index", index.Value, Score(index.Value),
                before is null ? "ingen jämförelse med året före" : $"{Change(index.Value - before.Value)} sedan {before.Year}",
                before is null ? null : ("overview.index.change", index.Value - before.Value));
            if (data.IsLimited)
            {
                var total = data.IndexTotal.LastOrDefault(i => i.Year == index.Year);
                var totalBefore = data.IndexTotal.FirstOrDefault(i => i.Year == index.Year - 1);
                if (total is not null)
                {
                    page.Kpi($"Kommunen totalt {index.Year}", "overview.municipality-index", total.Value, Score(total.Value),
                        totalBefore is null ? "ingen jämförelse med året före" : $"{Change(total.Value - totalBefore.Value)} sedan {totalBefore.Year}",
                        totalBefore is null ? null : ("overview.municipality-index.change", total.Value - totalBefore.Value));
                }
            }
        }
        page.Raw("</div>");
        if (data.Year is null)
        {
            page.Empty("Inget utfall har rapporterats ännu, så det finns inget uppföljningsår.");
        }
        else if (followUp is null || followUp.LinesReported == 0)
        {
            page.Empty($"Inget utfall har rapporterats för {data.Year}.");
        }
        if (index is null)
        {
            page.Empty(data.IndexOfUnits.Count == 0 ? "Inget digitaliseringsindex har beräknats ännu." : $"Inget digitaliseringsindex har beräknats för {data.Year} eller tidigare.");
        }
        if (data.SoFar is { } soFar)
        {
            page.Raw("<p>Sedan starten, till och med ").Text(data.Year!.Value.ToString(CultureInfo.InvariantCulture))
                .Raw(", där utfall har rapporterats (").Figure("overview.to-date.initiatives", soFar.Initiatives, Invariant(soFar.Initiatives))
                .Raw(" initiativ): planerat ").Figure("overview.to-date.planned-benefit", soFar.PlannedReported, Kr(soFar.PlannedReported))
                .Raw(", realiserat ").Figure("overview.to-date.realized-benefit", soFar.Realized, Kr(soFar.Realized))
                .Raw(" (").Figure("overview.to-date.realization-rate", soFar.Rate, soFar.Rate is { } r ? Percent(r) : "–").Raw(").</p>");
        }

        page.Raw("<h3>Initiativ per fas</h3>");
        if (data.Phases.Count == 0)
        {
            page.Empty("Registret har inga initiativ ännu.");
        }
        else
        {
            var total = data.Phases.Sum(p => p.Initiatives);
            page.Raw("<figure><figcaption>Antal initiativ i registret per fas i dag.</figcaption>")
                .Raw(SvgChart.Bars($"Antal initiativ per fas, {total} totalt", data.Phases.Select(p => (p.Phase, p.Initiatives)).ToList()));
            page.Table(["Fas", "Initiativ"], [false, true]);
            foreach (var phase in data.Phases)
            {
                page.Raw("<tr><td>").Text(phase.Phase).Raw("</td><td class=\"num\">")
                    .Figure($"overview.phase.{phase.Phase}", phase.Initiatives, Invariant(phase.Initiatives)).Raw("</td></tr>");
            }
            page.Raw("<tr class=\"total\"><td>Totalt</td><td class=\"num\">").Figure("overview.initiatives", data.Totals.Initiatives, Invariant(data.Totals.Initiatives)).Raw("</td></tr>");
            page.CloseTable().Raw("</figure>");
        }
        page.Close();
    }

    private static void Realization(Page page, ReportData data)
    {
        page.Open(ReportSections.Realization, "Nyttorealisering");
        page.Raw("<p class=\"lead\">Ekonomisk nytta – finansiell nytta och omfördelning – enligt den gällande nyttokalkylen, mot det utfall som objektsförvaltarna har rapporterat. Realiseringsgraden jämför det realiserade med det planerade för de nyttoposter som har rapporterats.</p>");
        var years = data.Realization.Where(r => data.Year is null || r.Year <= data.Year).ToList();
        if (years.Count == 0)
        {
            page.Empty("Det finns inga nyttokalkyler med planerad ekonomisk nytta ännu.");
            page.Close();
            return;
        }
        // Before anything is reported there is nothing to set against the plan: the chart then shows the plan alone.
        var anyReported = years.Any(r => r.LinesReported > 0);
        SvgChart.Series[] realized = anyReported
            ?
            [
                new("Planerad, rapporterade poster", "series-muted", years.Select(r => (decimal?)r.PlannedReported).ToList()),
                new("Realiserad", "series-accent", years.Select(r => r.Realized).ToList()),
            ]
            : [new("Planerad", "series-muted", years.Select(r => (decimal?)r.Planned).ToList())];
        page.Raw("<figure><figcaption>").Text(anyReported
                ? "Planerad mot realiserad ekonomisk nytta per år, för de nyttoposter som har rapporterats."
                : "Planerad ekonomisk nytta per år; inget utfall har rapporterats än.")
            .Raw(SvgChart.Legend(realized)).Raw("</figcaption>")
            .Raw(SvgChart.Columns(anyReported ? "Planerad mot realiserad ekonomisk nytta per år, för rapporterade nyttoposter" : "Planerad ekonomisk nytta per år",
                years.Select(r => r.Year.ToString(CultureInfo.InvariantCulture)).ToList(), realized, AxisKr));
        page.Table(["År", "Planerad", "Planerad, rapporterade poster", "Realiserad", "Realiseringsgrad", "Rapporterade poster"], [false, true, true, true, true, true]);
        foreach (var r in years)
        {
            var y = r.Year.ToString(CultureInfo.InvariantCulture);
            page.Raw("<tr><td>").Text(y).Raw("</td><td class=\"num\">").Figure($"realization.year.{y}.planned", r.Planned, Kr(r.Planned))
                .Raw("</td><td class=\"num\">").Figure($"realization.year.{y}.planned-reported", r.PlannedReported, Kr(r.PlannedReported))
                .Raw("</td><td class=\"num\">").Figure($"realization.year.{y}.realized", r.Realized, r.Realized is { } a ? Kr(a) : "–")
                .Raw("</td><td class=\"num\">").Figure($"realization.year.{y}.rate", r.Rate, r.Rate is { } rate ? Percent(rate) : "–")
                .Raw("</td><td class=\"num\">").Figure($"realization.year.{y}.lines-reported", r.LinesReported, Invariant(r.LinesReported))
                .Text($" av {r.Lines}").Raw("</td></tr>");
        }
        page.CloseTable().Raw("</figure>");

        if (data.Year is not { } year)
        {
            page.Empty("Inget utfall har rapporterats ännu.");
            page.Close();
            return;
        }
        var through = $"till och med {year}";
        var shortfalls = data.Variances.Where(v => v.Variance < 0).OrderBy(v => v.Variance).ThenBy(v => v.InitiativeId, StringComparer.Ordinal).Take(5).ToList();
        var surpluses = data.Variances.Where(v => v.Variance > 0).OrderByDescending(v => v.Variance).ThenBy(v => v.InitiativeId, StringComparer.Ordinal).Take(5).ToList();
        page.Raw("<h3>Störst underskott</h3>");
        VarianceTable(page, shortfalls, "shortfall", $"Inget initiativ har realiserat mindre än planerat {through}.");
        page.Raw("<h3>Störst överskott</h3>");
        VarianceTable(page, surpluses, "surplus", $"Inget initiativ har realiserat mer än planerat {through}.");

        page.Raw("<h3>Ej rapporterade nyttoposter ").Text(year.ToString(CultureInfo.InvariantCulture)).Raw("</h3>");
        if (data.Unreported.Count == 0)
        {
            page.Empty($"Alla nyttoposter för {year} har rapporterats.");
        }
        else
        {
            var (lines, sum) = data.UnreportedTotal;
            page.Raw("<p>").Figure("realization.unreported.count", lines, Invariant(lines))
                .Raw(" nyttoposter med planerad nytta om sammanlagt ").Figure("realization.unreported.planned", sum, Kr(sum)).Raw(" saknar utfall.</p>");
            page.Table(["Initiativ", "Nyttopost", "Typ", "Planerad"], [false, false, false, true]);
            foreach (var line in data.Unreported)
            {
                page.Raw("<tr>").Initiative(line.InitiativeId, line.Name).Raw("<td class=\"name\">").Name(line.BenefitLine).Raw("</td><td>").Text(line.BenefitType)
                    .Raw("</td><td class=\"num\">").Figure($"realization.unreported.{line.InitiativeId}.{line.BenefitLine}", line.Planned, Kr(line.Planned)).Raw("</td></tr>");
            }
            page.CloseTable();
        }
        page.Close();
    }

    private static void VarianceTable(Page page, IReadOnlyList<InitiativeVariance> rows, string kind, string empty)
    {
        if (rows.Count == 0)
        {
            page.Empty(empty);
            return;
        }
        page.Table(["Initiativ", "Planerad", "Realiserad", "Avvikelse"], [false, true, true, true]);
        foreach (var v in rows)
        {
            page.Raw("<tr>").Initiative(v.InitiativeId, v.Name)
                .Raw("<td class=\"num\">").Figure($"realization.{kind}.{v.InitiativeId}.planned", v.Planned, Kr(v.Planned))
                .Raw("</td><td class=\"num\">").Figure($"realization.{kind}.{v.InitiativeId}.realized", v.Realized, Kr(v.Realized))
                .Raw("</td><td class=\"num\">").Figure($"realization.{kind}.{v.InitiativeId}.variance", v.Variance, Kr(v.Variance)).Raw("</td></tr>");
        }
        page.CloseTable();
    }

    private static void Priority(Page page, ReportData data)
    {
        page.Open(ReportSections.Priority, "Prioritering");
        if (data.Assessments.Count == 0)
        {
            page.Empty("Inga initiativ har bedömts ännu.");
            page.Close();
            return;
        }
        var scored = data.Assessments.Where(a => a.Benefit is not null && a.Feasibility is not null).ToList();
        page.Raw("<p class=\"lead\">Beredningsgruppens senaste bedömning per initiativ: nyttopoäng (snitt av nyttokriterierna) mot genomförbarhetspoäng (snitt av genomförbarhetskriterierna), 1–4.");
        if (data.Threshold is { } threshold)
        {
            page.Raw(" De streckade linjerna är tröskeln ").Figure("priority.threshold", threshold, Score(threshold)).Raw(" på båda axlarna.");
        }
        page.Raw("</p>");
        if (scored.Count > 0)
        {
            var max = Math.Max(4, Math.Ceiling(scored.Max(a => Math.Max(a.Benefit!.Value, a.Feasibility!.Value))));
            var min = Math.Min(1, Math.Floor(scored.Min(a => Math.Min(a.Benefit!.Value, a.Feasibility!.Value))));
            page.Raw("<figure><figcaption>Bedömda initiativ: en punkt per poängpar, med antalet initiativ i punkten när de är flera.</figcaption>")
                .Raw(SvgChart.Scatter(
                    $"Nyttopoäng mot genomförbarhetspoäng för {scored.Count} bedömda initiativ",
                    scored.Select(a => new SvgChart.Point($"{a.InitiativeId}: {a.PriorityClass}", a.Feasibility!.Value, a.Benefit!.Value)).ToList(),
                    min, max, data.Threshold, "Genomförbarhetspoäng", "Nyttopoäng"));
        }
        else
        {
            page.Raw("<h3>Bedömda initiativ</h3>");
        }
        AssessmentTable(page, data);
        if (scored.Count > 0)
        {
            page.Raw("</figure>");
        }

        page.Raw("<h3>Antal per prioriteringsklass</h3>");
        page.Table(["Prioriteringsklass", "Initiativ"], [false, true]);
        var classes = data.PriorityClasses.OrderBy(c => PriorityOrder(c.Name)).ThenBy(c => c.Name, StringComparer.Ordinal);
        foreach (var c in classes)
        {
            page.Raw("<tr><td>").Text(c.Name).Raw("</td><td class=\"num\">").Figure($"priority.class.{c.Name}", c.Count, Invariant(c.Count)).Raw("</td></tr>");
        }
        page.Raw("<tr class=\"total\"><td>Bedömda initiativ</td><td class=\"num\">")
            .Figure("priority.assessed", data.Totals.Assessed, Invariant(data.Totals.Assessed)).Raw("</td></tr>");
        page.CloseTable();
        page.Close();
    }

    private static void AssessmentTable(Page page, ReportData data)
    {
        page.Table(["Initiativ", "Nyttopoäng", "Genomförbarhetspoäng", "Prioriteringsklass"], [false, true, true, false]);
        foreach (var a in data.Assessments.OrderBy(a => PriorityOrder(a.PriorityClass)).ThenByDescending(a => a.Benefit).ThenBy(a => a.InitiativeId, StringComparer.Ordinal))
        {
            page.Raw("<tr>").Initiative(a.InitiativeId, a.Name)
                .Raw("<td class=\"num\">").Figure($"priority.initiative.{a.InitiativeId}.benefit", a.Benefit, a.Benefit is { } b ? Number(b, 2) : "–")
                .Raw("</td><td class=\"num\">").Figure($"priority.initiative.{a.InitiativeId}.feasibility", a.Feasibility, a.Feasibility is { } f ? Number(f, 2) : "–")
                .Raw("</td><td>").Text(a.PriorityClass).Raw("</td></tr>");
        }
        page.CloseTable();
    }

    private static int PriorityOrder(string priorityClass)
    {
        var i = PriorityClasses.All.ToList().IndexOf(priorityClass);
        return i < 0 ? int.MaxValue : i;
    }

    private static void Flow(Page page, ReportData data)
    {
        page.Open(ReportSections.Flow, "Flöde");
        page.Raw("<p class=\"lead\">Ledtider i dagar genom processen idé → beredning → beslut → projekt → förvaltning, för de initiativ som har gått det steget. Spridningen visas som 80:e percentilen (fyra av fem klarade steget på högst så många dagar) och det kortaste och längsta.</p>");
        if (data.LeadTimes.All(l => l.Days.Count == 0))
        {
            page.Empty("Inget initiativ har ännu en ledtid: inget har fått beslut.");
        }
        else
        {
            page.Table(["Ledtid", "Median", "80:e percentil", "Kortast", "Längst", "Initiativ"], [false, true, true, true, true, true]);
            foreach (var lead in data.LeadTimes)
            {
                page.Raw("<tr><td>").Text(lead.Label).Raw("</td>");
                if (lead.Days.Count == 0)
                {
                    page.Raw("<td class=\"num\" colspan=\"4\">inget initiativ ännu</td><td class=\"num\">")
                        .Figure($"flow.lead-time.{lead.Key}.count", 0, "0").Raw("</td></tr>");
                    continue;
                }
                var key = $"flow.lead-time.{lead.Key}";
                page.Raw("<td class=\"num\">").Figure($"{key}.median", lead.Median, Days(lead.Median))
                    .Raw("</td><td class=\"num\">").Figure($"{key}.p80", lead.P80, Days(lead.P80))
                    .Raw("</td><td class=\"num\">").Figure($"{key}.min", lead.Days.Min(), Days(lead.Days.Min()))
                    .Raw("</td><td class=\"num\">").Figure($"{key}.max", lead.Days.Max(), Days(lead.Days.Max()))
                    .Raw("</td><td class=\"num\">").Figure($"{key}.count", lead.Days.Count, Invariant(lead.Days.Count)).Raw("</td></tr>");
            }
            page.CloseTable();
        }

        page.Raw("<h3>Längst i sin nuvarande fas</h3>");
        if (data.InPhase.Count == 0)
        {
            page.Empty("Inget initiativ är på väg genom processen (Idé till Projekt) just nu.");
        }
        else
        {
            page.Raw("<p>Av ").Figure("flow.in-process", data.InPhase.Count, Invariant(data.InPhase.Count))
                .Raw(" initiativ i Idé, Beredning, Beslutad eller Projekt har dessa stått längst i sin fas, räknat till ").Text(Date(data.Today)).Raw(".</p>");
            page.Table(["Initiativ", "Fas", "I fasen sedan", "Dagar"], [false, false, false, true]);
            foreach (var x in data.InPhase.Take(10))
            {
                page.Raw("<tr>").Initiative(x.InitiativeId, x.Name).Raw("<td>").Text(x.Phase).Raw("</td><td>")
                    .Figure($"flow.in-phase.{x.InitiativeId}.since", Date(x.Since), Date(x.Since))
                    .Raw("</td><td class=\"num\">").Figure($"flow.in-phase.{x.InitiativeId}.days", x.Days, Number(x.Days, 0)).Raw("</td></tr>");
            }
            page.CloseTable();
        }
        page.Close();
    }

    private static void ProjectStatus(Page page, ReportData data)
    {
        page.Open(ReportSections.ProjectStatus, "Projektstatus");
        if (data.Statuses.Count == 0)
        {
            page.Empty("Inga pågående projekt har lämnat någon statusrapport.");
        }
        else
        {
            page.Raw("<p class=\"lead\">Den senaste statusrapporten för varje initiativ som är i fas Projekt.</p><div class=\"kpis\">");
            foreach (var status in data.StatusCounts)
            {
                page.Kpi(status.Name, $"status.count.{status.Name}", status.Count, Invariant(status.Count));
            }
            page.Kpi("Pågående projekt med status", "status.projects", data.Statuses.Count, Invariant(data.Statuses.Count));
            page.Raw("</div>");
            page.Table(["Initiativ", "Status", "Rapport", "Färdigt", "Förbrukad budget"], [false, false, false, true, true]);
            foreach (var s in data.Statuses)
            {
                page.Raw("<tr>").Initiative(s.InitiativeId, s.Name).Raw("<td><span class=\"status status-").Raw(StatusClass(s.Status)).Raw("\">")
                    .Figure($"status.project.{s.InitiativeId}.status", s.Status, s.Status).Raw("</span></td><td>")
                    .Text(s.ReportDate is { } d ? Date(d) : "").Raw("</td><td class=\"num\">")
                    .Figure($"status.project.{s.InitiativeId}.percent-complete", s.PercentComplete, s.PercentComplete is { } pc ? Number(pc, 0) + NoBreakSpace + "%" : "–")
                    .Raw("</td><td class=\"num\">")
                    .Figure($"status.project.{s.InitiativeId}.budget-spent", s.BudgetSpent, s.BudgetSpent is { } b ? Kr(b) : "–").Raw("</td></tr>");
            }
            page.CloseTable();
        }

        page.Raw("<h3>Andel röda projekt, de senaste tolv månaderna</h3>");
        if (data.RedMonths.Count == 0)
        {
            page.Empty("Det finns inga statusrapporter de senaste tolv månaderna.");
        }
        else
        {
            var fromSnapshots = data.RedMonths.Any(m => m.Day is not null);
            page.Raw("<figure><figcaption>").Text(fromSnapshots
                    ? "Andelen röda bland initiativen i fas Projekt, efter deras senaste statusrapport, den sista dagen i månaden med en daglig ögonblicksbild."
                    : "Andelen av de projekt som lämnade statusrapport under månaden som rapporterade Röd.").Raw("</figcaption>")
                .Raw(SvgChart.Line("Andel röda projekt per månad",
                    data.RedMonths.Select(m => MonthLabel(m)).ToList(), data.RedMonths.Select(m => m.Share).ToList(), 1m, v => Percent(v)));
            page.Table(["Månad", fromSnapshots ? "Projekt den dagen" : "Projekt som rapporterade", "Röda", "Andel röda"], [false, true, true, true]);
            foreach (var m in data.RedMonths)
            {
                page.Raw("<tr><td>").Text(MonthLabel(m));
                if (m.Day is { } day)
                {
                    page.Raw(" <span class=\"muted\">(").Figure($"status.month.{m.Key}.day", Date(day), Date(day)).Raw(")</span>");
                }
                page.Raw("</td><td class=\"num\">")
                    .Figure($"status.month.{m.Key}.projects", m.Projects, Invariant(m.Projects)).Raw("</td><td class=\"num\">")
                    .Figure($"status.month.{m.Key}.red", m.Red, Invariant(m.Red)).Raw("</td><td class=\"num\">")
                    .Figure($"status.month.{m.Key}.red-share", m.Share, Percent(m.Share)).Raw("</td></tr>");
            }
            page.CloseTable().Raw("</figure>");
        }
        page.Close();
    }

    private static string MonthLabel(RedMonth m) =>
        new DateOnly(m.Year, Math.Clamp(m.Month, 1, 12), 1).ToString("MMM yyyy", CultureInfo.GetCultureInfo("sv-SE"));

    private static string StatusClass(string status) => status switch
    {
        ProjectStatuses.Red => "red",
        ProjectStatuses.Yellow => "yellow",
        ProjectStatuses.Green => "green",
        _ => "other",
    };

    private static void Index(Page page, ReportData data)
    {
        page.Open(ReportSections.Index, "Digitaliseringsindex");
        if (data.IndexByUnit.Count == 0 && data.IndexTotal.Count == 0)
        {
            page.Empty("Inget digitaliseringsindex har beräknats ännu: ingen mognadsenkät har lästs in.");
            page.Close();
            return;
        }
        page.Raw("<p class=\"lead\">Index 0–10 per verksamhet och år, vägt av komponenterna nedan. Kommunens index är medelvärdet av verksamheternas.</p>");
        var years = data.IndexByUnit.Select(i => i.Year).Concat(data.IndexTotal.Select(i => i.Year)).Distinct().Order().ToList();
        var series = new List<SvgChart.Series>();
        if (data.IsLimited)
        {
            series.Add(new SvgChart.Series(data.Units.Count == 1 ? data.Units[0] : "Verksamheterna", "series-accent",
                years.Select(y => data.IndexOfUnits.FirstOrDefault(i => i.Year == y)?.Value).ToList()));
        }
        series.Add(new SvgChart.Series("Kommunen totalt", data.IsLimited ? "series-muted" : "series-accent",
            years.Select(y => data.IndexTotal.FirstOrDefault(i => i.Year == y)?.Value).ToList()));
        page.Raw("<figure><figcaption>Digitaliseringsindex per år.").Raw(SvgChart.Legend(series)).Raw("</figcaption>")
            .Raw(SvgChart.Columns("Digitaliseringsindex per år", years.Select(y => y.ToString(CultureInfo.InvariantCulture)).ToList(), series, v => Score(v)));

        page.Table(["Verksamhet", .. years.Select(y => y.ToString(CultureInfo.InvariantCulture))], [false, .. years.Select(_ => true)]);
        foreach (var unit in data.IndexByUnit.Select(i => i.Unit).Distinct())
        {
            page.Raw("<tr><td class=\"name\">").Name(unit).Raw("</td>");
            foreach (var year in years)
            {
                page.IndexCell($"index.unit.{unit}.{year}", data.IndexByUnit.FirstOrDefault(i => i.Unit == unit && i.Year == year)?.Value);
            }
            page.Raw("</tr>");
        }
        if (data.IsLimited && data.Units.Count > 1)
        {
            page.Raw("<tr class=\"total\"><td>Verksamheterna</td>");
            foreach (var year in years)
            {
                page.IndexCell($"index.units.{year}", data.IndexOfUnits.FirstOrDefault(i => i.Year == year)?.Value);
            }
            page.Raw("</tr>");
        }
        page.Raw("<tr class=\"total\"><td>Kommunen totalt</td>");
        foreach (var year in years)
        {
            page.IndexCell($"index.total.{year}", data.IndexTotal.FirstOrDefault(i => i.Year == year)?.Value);
        }
        page.Raw("</tr>");
        page.CloseTable().Raw("</figure>");

        page.Raw("<h3>Komponenter</h3>");
        if (data.Components.Count == 0)
        {
            page.Empty("Inga komponenter har beräknats.");
        }
        else
        {
            var components = data.Components.Select(c => c.Component).Distinct().Order(StringComparer.Ordinal).ToList();
            page.Raw("<p>Poäng 0–10 per komponent; vikten står inom parentes.</p>");
            page.Table(["Verksamhet", "År", .. components, "Index"], [false, false, .. components.Select(_ => true), true]);
            foreach (var group in data.Components.GroupBy(c => (c.Unit, c.Year)))
            {
                page.Raw("<tr><td class=\"name\">").Name(group.Key.Unit).Raw("</td><td>").Text(group.Key.Year.ToString(CultureInfo.InvariantCulture)).Raw("</td>");
                foreach (var component in components)
                {
                    var c = group.FirstOrDefault(x => x.Component == component);
                    page.Raw("<td class=\"num\">");
                    if (c?.Score is { } score)
                    {
                        page.Figure($"index.component.{group.Key.Unit}.{group.Key.Year}.{component}", score, Score(score));
                        if (c.Weight is { } weight)
                        {
                            page.Raw(" <span class=\"muted\">(").Text(Number(weight, 2)).Raw(")</span>");
                        }
                    }
                    else
                    {
                        page.Raw("–");
                    }
                    page.Raw("</td>");
                }
                var index = data.IndexByUnit.FirstOrDefault(i => i.Unit == group.Key.Unit && i.Year == group.Key.Year);
                page.Raw("<td class=\"num\">").Text(index is null ? "–" : Score(index.Value)).Raw("</td></tr>");
            }
            page.CloseTable();
        }
        page.Close();
    }

    private static void DataQuality(Page page, ReportData data)
    {
        page.Open(ReportSections.DataQuality, "Datakvalitet");
        var quality = data.Quality;
        if (quality.RunId is not { } run)
        {
            page.Empty("Ingen lyckad körning har läst några källor ännu.");
            page.Close();
            return;
        }
        var problems = quality.Files.Sum(f => f.Problems.Count) + quality.ItemProblems.Count;
        page.Raw("<p class=\"lead\">Filer och listobjekt som avvisades i den senaste körningen som läste källorna (körning ").Figure("quality.run", run, Invariant(run))
            .Raw("), med skälen. Det som avvisades finns inte med i rapportens siffror; den som skickade det har fått besked.</p>");
        page.Raw("<div class=\"kpis\">");
        page.Kpi("Avvisade filer, helt eller delvis", "quality.files", quality.Files.Count, Invariant(quality.Files.Count));
        page.Kpi("Problem", "quality.problems", problems, Invariant(problems));
        if (!data.IsLimited)
        {
            page.Kpi("Avvisade listobjekt", "quality.items-rejected", quality.ItemsRejected, Invariant(quality.ItemsRejected));
        }
        page.Raw("</div>");
        if (data.IsLimited && (quality.FilesLeftOut > 0 || quality.ProblemsLeftOut > 0))
        {
            page.Raw("<p class=\"note\">").Figure("quality.files-left-out", quality.FilesLeftOut, Invariant(quality.FilesLeftOut))
                .Raw(quality.FilesLeftOut == 1 ? " avvisad fil" : " avvisade filer").Raw(" och ")
                .Figure("quality.problems-left-out", quality.ProblemsLeftOut, Invariant(quality.ProblemsLeftOut))
                .Raw(quality.ProblemsLeftOut == 1 ? " problem" : " problem")
                .Raw(" hör till andra verksamheter eller kan inte knytas till verksamheten och visas inte här.</p>");
        }
        if (quality.Files.Count == 0 && quality.ItemProblems.Count == 0)
        {
            page.Empty("Inget avvisades i den senaste körningen.");
            page.Close();
            return;
        }
        foreach (var file in quality.Files)
        {
            page.Raw("<div class=\"file\"><h3 class=\"name\">").Name(file.FileName).Raw("</h3><p>").Text(file.Status).Raw(": ")
                .Figure($"quality.file.{file.FileName}.rows-rejected", file.RowsRejected, Invariant(file.RowsRejected)).Raw(" rader avvisade, ")
                .Figure($"quality.file.{file.FileName}.rows-loaded", file.RowsLoaded, Invariant(file.RowsLoaded)).Raw(" inlästa.");
            if (file.Message is { Length: > 0 } message)
            {
                page.Raw(" <span class=\"muted\">").Text(message).Raw("</span>");
            }
            page.Raw("</p>");
            if (file.Problems.Count > 0)
            {
                page.Raw("<ul class=\"problems\">");
                foreach (var problem in file.Problems)
                {
                    page.Raw("<li>").Raw(problem.Location.Length == 0 ? "" : $"<span class=\"cell\">{Html(problem.Location)}</span> ").Text(problem.Message).Raw("</li>");
                }
                page.Raw("</ul>");
            }
            page.Raw("</div>");
        }
        if (quality.ItemProblems.Count > 0)
        {
            page.Raw("<h3>Listobjekt</h3>");
            page.Table(["Lista", "Objekt", "Skäl"], [false, false, false]);
            foreach (var problem in quality.ItemProblems)
            {
                page.Raw("<tr><td>").Text(problem.SourceName).Raw("</td><td>").Text(problem.ItemId ?? "").Raw("</td><td class=\"name\">").Text(problem.Message).Raw("</td></tr>");
            }
            page.CloseTable();
        }
        page.Close();
    }

    private static string AxisKr(decimal value) =>
        Math.Abs(value) >= 1_000_000 ? Number(value / 1_000_000, value % 1_000_000 == 0 ? 0 : 1) + NoBreakSpace + "mnkr"
        : Math.Abs(value) >= 1_000 ? Number(value / 1_000, 0) + NoBreakSpace + "tkr"
        : Number(value, 0);

    /// <summary>The page being written: raw markup from the report itself, text from the warehouse always encoded.</summary>
    private sealed class Page
    {
        private readonly StringBuilder _html = new();

        public Page Raw(string markup)
        {
            _html.Append(markup);
            return this;
        }

        public Page Text(string? text)
        {
            _html.Append(Html(text));
            return this;
        }

        /// <summary>A name that may be very long: wraps anywhere and is cut after a few lines, the whole of it in the title.</summary>
        public Page Name(string? text) => Raw("<span class=\"clamp\" title=\"").Text(text).Raw("\">").Text(text).Raw("</span>");

        public Page Initiative(string id, string? name)
        {
            Raw("<td class=\"name\"><span class=\"id\">").Text(id).Raw("</span>");
            if (name is { Length: > 0 })
            {
                Raw(" ").Name(name);
            }
            return Raw("</td>");
        }

        public Page Figure(string? name, decimal? value, string text) => Figure(name, value is { } v ? Invariant(v) : "", text);

        public Page Figure(string? name, string value, string text)
        {
            if (name is null)
            {
                return Text(text);
            }
            return Raw("<span data-figure=\"").Text(name).Raw("\" data-value=\"").Text(value).Raw("\">").Text(text).Raw("</span>");
        }

        public Page Kpi(string label, string figure, decimal? value, string text, string? note = null, (string Figure, decimal Value)? noteFigure = null)
        {
            Raw("<div class=\"kpi\"><span class=\"kpi-label\">").Text(label).Raw("</span><span class=\"kpi-value\">").Figure(figure, value, text).Raw("</span>");
            if (noteFigure is { } nf)
            {
                Raw("<span class=\"kpi-note\" data-figure=\"").Text(nf.Figure).Raw("\" data-value=\"").Text(Invariant(nf.Value)).Raw("\">").Text(note).Raw("</span>");
            }
            else if (note is not null)
            {
                Raw("<span class=\"kpi-note\">").Text(note).Raw("</span>");
            }
            return Raw("</div>");
        }

        /// <summary>A table cell with an index, or a dash where the year has none (and then no figure).</summary>
        public Page IndexCell(string figure, decimal? value) =>
            (value is { } v ? Raw("<td class=\"num\">").Figure(figure, v, Score(v)) : Raw("<td class=\"num\">–")).Raw("</td>");

        public Page Empty(string message) => Raw("<p class=\"empty\">").Text(message).Raw("</p>");

        public Page Open(string id, string heading) => Raw($"<section id=\"{Html(id)}\" aria-labelledby=\"{Html(id)}-rubrik\"><h2 id=\"{Html(id)}-rubrik\">").Text(heading).Raw("</h2>\n");

        public Page Close() => Raw("</section>\n");

        /// <summary>A table inside its own horizontally scrolling box, so that a wide table never widens the page.</summary>
        public Page Table(IReadOnlyList<string> headers, IReadOnlyList<bool> numeric)
        {
            // Focusable and named, so that a keyboard can scroll a wide table and a screen reader says what the region is.
            Raw("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"").Text("Tabell: " + string.Join(", ", headers)).Raw("\"><table><thead><tr>");
            for (var i = 0; i < headers.Count; i++)
            {
                Raw(i < numeric.Count && numeric[i] ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">").Text(headers[i]).Raw("</th>");
            }
            return Raw("</tr></thead><tbody>");
        }

        public Page CloseTable() => Raw("</tbody></table></div>");

        public override string ToString() => _html.ToString();
    }
}
