namespace NackaInsights.Etl.Report;

/// <summary>
/// The report's one style sheet, inside the page: restrained like a municipality's annual report, one accent colour,
/// the system's own fonts (no web font to fetch), tables that scroll inside their own box on a phone, and A4 print with
/// a page break before each section and the footer on every printed page.
/// </summary>
internal static class ReportStyles
{
    public const string Css =
        """

        :root { --accent: #00507f; --ink: #1d232a; --muted: #5c6670; --line: #d5dbe0; --soft: #f3f5f7; --muted-fill: #a9b4bd; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        /* break-word, not anywhere: a long word in running text breaks, while tables keep whole words and scroll in their box. */
        body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; overflow-wrap: break-word; }
        header.cover, main, footer { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem; }
        header.cover { padding-top: 2.5rem; padding-bottom: 1rem; border-bottom: 3px solid var(--accent); }
        .kicker { margin: 0; color: var(--accent); font-size: .85rem; letter-spacing: .06em; text-transform: uppercase; }
        h1 { margin: .25rem 0 .25rem; font-size: 2rem; line-height: 1.2; }
        .scope { margin: 0; font-size: 1.15rem; overflow-wrap: anywhere; }
        h2 { margin: 0 0 .75rem; padding-top: 2rem; font-size: 1.5rem; color: var(--accent); }
        h3 { margin: 1.75rem 0 .5rem; font-size: 1.1rem; }
        section { padding-bottom: 1rem; border-bottom: 1px solid var(--line); }
        p { margin: .5rem 0; max-width: 48rem; }
        .lead { color: var(--muted); }
        .muted { color: var(--muted); }
        .empty { padding: .75rem 1rem; background: var(--soft); border-left: 3px solid var(--muted-fill); }
        .note { font-size: .9rem; color: var(--muted); }
        .kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .75rem; margin: 1rem 0; }
        .kpi { padding: .75rem 1rem; background: var(--soft); border-top: 3px solid var(--accent); min-width: 0; }
        .kpi-label { display: block; font-size: .85rem; color: var(--muted); overflow-wrap: anywhere; }
        .kpi-value { display: block; font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .kpi-note { display: block; font-size: .85rem; color: var(--muted); }
        figure { margin: 1rem 0; }
        figcaption { font-size: .9rem; color: var(--muted); margin-bottom: .5rem; }
        svg.chart { display: block; width: 100%; height: auto; max-width: 44rem; }
        svg.chart.scatter { max-width: 30rem; }
        svg.chart text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
        svg.chart .tick { fill: var(--muted); }
        svg.chart .axis-title { font-weight: 600; }
        svg.chart .grid { stroke: var(--line); stroke-width: 1; }
        svg.chart .axis, svg.chart .frame { stroke: var(--muted); stroke-width: 1; fill: none; }
        svg.chart .series-accent, svg.chart .bar, svg.chart .dot { fill: var(--accent); }
        svg.chart .series-muted { fill: var(--muted-fill); }
        svg.chart .dot-count { fill: #fff; font-weight: 600; font-size: 12px; }
        svg.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
        svg.chart .threshold { stroke: var(--muted); stroke-width: 1.5; stroke-dasharray: 6 4; }
        .legend { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .25rem 0; padding: 0; list-style: none; color: var(--ink); }
        /* Colour that carries meaning (a series, a status) prints even where the browser leaves backgrounds out. */
        .swatch, .status::before { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em; vertical-align: -.05em; }
        .swatch.series-accent { background: var(--accent); }
        .swatch.series-muted { background: var(--muted-fill); }
        .table-wrap { max-width: 100%; overflow-x: auto; margin: .5rem 0 1rem; }
        table { border-collapse: collapse; width: 100%; font-size: .95rem; }
        th, td { padding: .4rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
        th { font-weight: 600; border-bottom: 2px solid var(--ink); white-space: nowrap; }
        .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        tr.total td { font-weight: 600; border-top: 2px solid var(--ink); }
        td.name { min-width: 12rem; max-width: 28rem; }
        .id { white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
        .clamp { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden; overflow-wrap: anywhere; }
        h3.name .clamp { -webkit-line-clamp: 2; line-clamp: 2; }
        .status { font-weight: 600; }
        .status::before { content: ""; display: inline-block; width: .7em; height: .7em; margin-right: .35em; border-radius: 50%; background: var(--muted-fill); }
        .status-red::before { background: #b3261e; }
        .status-yellow::before { background: #d9a400; }
        .status-green::before { background: #2e7d32; }
        .file { margin: 1rem 0; }
        .problems { margin: .25rem 0; padding-left: 1.25rem; }
        .problems li { overflow-wrap: anywhere; }
        .cell { font-family: ui-monospace, "Cascadia Mono", Menlo, Consolas, monospace; font-size: .9em; color: var(--muted); }
        footer { padding-top: 1rem; padding-bottom: 2rem; font-size: .85rem; color: var(--muted); overflow-wrap: anywhere; }
        @media (max-width: 40rem) {
          body { font-size: 15px; }
          h1 { font-size: 1.6rem; }
          .kpi-value { font-size: 1.35rem; }
          td.name { min-width: 10rem; }
          /* A chart shrinks to the phone's width with its viewBox, and its text with it: larger units keep it legible. */
          svg.chart text { font-size: 20px; }
        }
        @page { size: A4; margin: 16mm 15mm 12mm; }
        @media print {
          body { font-size: 10.5pt; }
          header.cover, main, footer { max-width: none; padding: 0; }
          section { break-before: page; border-bottom: 0; }
          section:first-of-type { break-before: auto; }
          h2 { padding-top: 0; }
          h3, .kpi, svg.chart, tr { break-inside: avoid; }
          figcaption { break-after: avoid; }
          h3 { break-after: avoid; }
          .table-wrap { overflow: visible; }
          .clamp { -webkit-line-clamp: 2; line-clamp: 2; }
          /* Chromium (and Firefox) repeat a fixed element on every printed page: the footer with the run's date ends each page.
             It stays inside the page area: moved into the margin (a negative bottom or a transform), Chromium left it off
             the first page or set it under the heading. */
          footer { position: fixed; bottom: 0; left: 0; right: 0; padding: 1mm 0 0; font-size: 8pt; background: #fff; }
          .kpis { grid-template-columns: repeat(3, 1fr); }
        }

        """;
}
