using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Bench.Tests;

/// <summary>The issue's targets judged from figures made up here: which are met, which not, and which cannot be said.</summary>
public sealed class TargetsFacts
{
    internal static MacroBenchmark.Run Refresh(string name, double wall, double phases, double results, long peakMb = 200, int exit = 0) =>
        new(name, wall,
            new Dictionary<string, double>
            {
                // The six phases share the time read through publish equally, so that their sum is the one given.
                [PhaseTimings.Read] = phases / 6, [PhaseTimings.Validate] = phases / 6, [PhaseTimings.Load] = phases / 6,
                [PhaseTimings.Compute] = phases / 6, [PhaseTimings.Checks] = phases / 6, [PhaseTimings.Publish] = phases / 6,
                [PhaseTimings.Results] = results,
            },
            peakMb * 1024, exit, "Run succeeded.");

    /// <summary>
    /// Three runs of each, the full SQLite refresh 4, 5 and 6 s as a whole process: a municipality that meets every
    /// target of the issue except the aim of 8× the pandas peer.
    /// </summary>
    internal static MacroBenchmark.Results Figures(int scale = 4) => new(
        scale, 42, "0.5 0.5 0.5", MacroBenchmark.GeneratorWriter, 3,
        new MunicipalityGenerator.Summary(2000 * scale, 200 * scale, 20000 * scale, 200 * scale, 39392 * scale),
        SqliteFull: [Refresh("SQLite, full refresh (empty warehouse)", 5, 2, 2), Refresh("SQLite, full refresh (empty warehouse)", 4, 1.8, 1.5), Refresh("SQLite, full refresh (empty warehouse)", 6, 2.2, 2.5, peakMb: 300)],
        SqliteNoOp: [Refresh("SQLite, no-op refresh", 0.2, 0.1, 0), Refresh("SQLite, no-op refresh", 0.22, 0.1, 0), Refresh("SQLite, no-op refresh", 0.18, 0.1, 0)],
        NoOpFactRows: 0,
        SqliteOneChange: [Refresh("SQLite, one changed workbook", 0.24, 0.12, 0.01), Refresh("SQLite, one changed workbook", 0.2, 0.1, 0.01), Refresh("SQLite, one changed workbook", 0.22, 0.1, 0.01)],
        PostgresFull: [Refresh("PostgreSQL, full refresh (empty warehouse)", 7, 3, 2), Refresh("PostgreSQL, full refresh (empty warehouse)", 6.5, 2.8, 2), Refresh("PostgreSQL, full refresh (empty warehouse)", 7.2, 3.2, 2)],
        PeerSeconds: [30, 33, 36], PeerNote: "", SheetJsSeconds: [6, 6.5, 7], SheetJsNote: "",
        Raw1: 0.5, Raw2: 0.3, RawBusinessCases1: 0.4, RawBusinessCases2: 0.25);

    private static Target Named(IReadOnlyList<Target> targets, string start) =>
        Assert.Single(targets, t => t.Name.StartsWith(start, StringComparison.Ordinal));

    [Fact]
    public void Each_target_of_the_issue_is_named_with_its_verdict_from_the_medians()
    {
        var targets = MacroBenchmark.Targets(Figures(), null);

        // 33 s over 5 s: 6.6×, at least 5× but short of the aim of 8×.
        var pandas = Named(targets, "full refresh, whole process with its result workbooks, ≥ 5× faster than the pandas peer's read");
        Assert.Equal(Verdict.Met, pandas.Verdict);
        Assert.StartsWith("6.60× (5.00×–9.00×) (5.00 s (4.00 s–6.00 s) vs 33.00 s (30.00 s–36.00 s);", pandas.Measured);
        Assert.Equal(Verdict.NotMet, Named(targets, "aim: the same ≥ 8×").Verdict);
        // 6.5 s over 5 s: faster than SheetJS.
        Assert.Equal(Verdict.Met, Named(targets, "full refresh, whole process with its result workbooks, faster than SheetJS's read").Verdict);
        // 0.2 s and 0.22 s of 5 s: 4 % and 4.4 %.
        var noOp = Named(targets, "no-op refresh, whole process, ≤ 5 %");
        Assert.Equal(Verdict.Met, noOp.Verdict);
        Assert.StartsWith("4.0 %", noOp.Measured);
        Assert.Contains("0 fact rows written", noOp.Measured);
        Assert.Equal(Verdict.Met, Named(targets, "one changed workbook, whole process, ≤ 5 %").Verdict);
        // The largest peak of all the runs.
        var memory = Named(targets, "peak memory < 400 MB");
        Assert.Equal(Verdict.Met, memory.Verdict);
        Assert.StartsWith("300 MB", memory.Measured);
        Assert.Equal(Verdict.NotMeasured, Named(targets, "peak memory grows ≤ 20 %").Verdict);
        // 7 s over 5 s: 1.4×.
        var postgres = Named(targets, "PostgreSQL full refresh, whole process, ≤ 1.5×");
        Assert.Equal(Verdict.Met, postgres.Verdict);
        Assert.StartsWith("1.40×", postgres.Measured);
    }

    [Fact]
    public void A_verdict_whose_range_crosses_the_target_says_so()
    {
        var targets = MacroBenchmark.Targets(Figures(), null);

        // 6.6× at the median, but 30 s over 6 s is 5.0× and 36 s over 4 s 9×: both ends still at least 5×.
        Assert.False(Named(targets, "full refresh, whole process with its result workbooks, ≥ 5×").Noisy);
        // 8× lies between 5× and 9×: not met at the median, though the range reaches it.
        var aim = Named(targets, "aim: the same ≥ 8×");
        Assert.True(aim.Noisy);
        Assert.Equal("**not met** (the range crosses the target)", aim.VerdictText);
        // PostgreSQL 6.5–7.2 s over SQLite 4–6 s: 1.08× to 1.8×, across 1.5×.
        Assert.Equal("met (the range crosses the target)", Named(targets, "PostgreSQL full refresh").VerdictText);
    }

    [Fact]
    public void Slow_small_runs_a_slow_postgres_and_much_memory_are_not_met()
    {
        var figures = Figures();
        var slower = figures with
        {
            SqliteNoOp = [Refresh("SQLite, no-op refresh", 0.5, 0.1, 0)],
            NoOpFactRows = 0,
            SqliteOneChange = [Refresh("SQLite, one changed workbook", 0.3, 0.1, 0)],
            PostgresFull = [Refresh("PostgreSQL, full refresh (empty warehouse)", 8, 4, 2, peakMb: 450)],
            SheetJsSeconds = [4.5],
        };

        var targets = MacroBenchmark.Targets(slower, null);

        // 0.5 s of 5 s is 10 %; 0.3 s is 6 %; 8 s over 5 s is 1.6×; SheetJS's 4.5 s beats 5 s; 450 MB.
        Assert.Equal(Verdict.NotMet, Named(targets, "no-op refresh").Verdict);
        Assert.Equal(Verdict.NotMet, Named(targets, "one changed workbook").Verdict);
        Assert.Equal(Verdict.NotMet, Named(targets, "PostgreSQL full refresh").Verdict);
        Assert.Equal(Verdict.NotMet, Named(targets, "full refresh, whole process with its result workbooks, faster than SheetJS's read").Verdict);
        Assert.Equal(Verdict.NotMet, Named(targets, "peak memory < 400 MB").Verdict);
    }

    [Fact]
    public void PostgreSQL_on_huge_pages_is_judged_on_its_own_line_beside_the_default_server()
    {
        var figures = Figures() with
        {
            PostgresFull = [Refresh("PostgreSQL, full refresh (empty warehouse)", 8, 4, 2)],
            PostgresHugePagesFull = [Refresh($"{MacroBenchmark.HugePagesRun}, full refresh (empty warehouse)", 7, 3.5, 2, peakMb: 320)],
        };

        var targets = MacroBenchmark.Targets(figures, null);

        // 8 s over 5 s is 1.6× on the default server; 7 s over 5 s is 1.4× on huge pages. Each line keeps its own verdict.
        Assert.Equal(Verdict.NotMet, Named(targets, "PostgreSQL full refresh").Verdict);
        var onHugePages = Named(targets, MacroBenchmark.HugePagesTarget);
        Assert.Equal(Verdict.Met, onHugePages.Verdict);
        Assert.StartsWith("1.40× (7.00 s vs 5.00 s (4.00 s–6.00 s); read through publish 1.75×)", onHugePages.Measured);
        // Its runs count among all runs: their peak is the largest.
        Assert.StartsWith("320 MB", Named(targets, "peak memory < 400 MB").Measured);
        var table = MacroBenchmark.Table(figures, null);
        Assert.Contains($"| {MacroBenchmark.HugePagesRun}, full refresh (empty warehouse) | 1 | 0 | 7.00 s |", table);
    }

    [Fact]
    public void PostgreSQL_on_huge_pages_not_run_says_why()
    {
        var refused = Named(MacroBenchmark.Targets(Figures() with { HugePagesNote = "only root may reserve huge pages" }, null), MacroBenchmark.HugePagesTarget);
        Assert.Equal(Verdict.NotMeasured, refused.Verdict);
        Assert.Equal("not run: only root may reserve huge pages", refused.Measured);

        // Figures kept from before the benchmark ran it.
        var older = Named(MacroBenchmark.Targets(Figures(), null), MacroBenchmark.HugePagesTarget);
        Assert.Equal(Verdict.NotMeasured, older.Verdict);
        Assert.Contains("before the benchmark ran it", older.Measured);
    }

    [Fact]
    public void A_no_op_that_writes_fact_rows_is_not_met_however_fast()
    {
        var targets = MacroBenchmark.Targets(Figures() with { NoOpFactRows = 12 }, null);

        var noOp = Named(targets, "no-op refresh");
        Assert.Equal(Verdict.NotMet, noOp.Verdict);
        Assert.Contains("12 fact rows written", noOp.Measured);
    }

    [Fact]
    public void The_memory_growth_compares_the_largest_peaks_of_scale_1_and_scale_4()
    {
        var scale4 = Figures(scale: 4);
        // At scale 1 the largest peak is 250 MB: 300 MB at scale 4 is 20 % more, the most the target allows.
        var scale1 = Figures(scale: 1) with
        {
            SqliteFull = [Refresh("SQLite, full refresh (empty warehouse)", 5, 2, 2, peakMb: 250)],
            PostgresFull = [],
            SqliteNoOp = [],
            SqliteOneChange = [],
        };

        var growth = Named(MacroBenchmark.Targets(scale4, scale1), "peak memory grows ≤ 20 % from scale 1 to 4");
        Assert.Equal(Verdict.Met, growth.Verdict);
        Assert.Equal("250 MB → 300 MB: 20.0 %", growth.Measured);

        var more = Named(MacroBenchmark.Targets(scale4 with { SqliteFull = [.. scale4.SqliteFull, Refresh("SQLite, full refresh (empty warehouse)", 5, 2, 2, peakMb: 301)] }, scale1), "peak memory grows");
        Assert.Equal(Verdict.NotMet, more.Verdict);
    }

    [Fact]
    public void Peers_that_did_not_run_leave_their_targets_not_measured_with_the_reason()
    {
        var targets = MacroBenchmark.Targets(Figures() with { PeerSeconds = [], PeerNote = "No module named 'pandas'", SheetJsSeconds = [], SheetJsNote = "node not found", PostgresFull = [] }, null);

        var pandas = Named(targets, "full refresh, whole process with its result workbooks, ≥ 5× (aim 8×)");
        Assert.Equal(Verdict.NotMeasured, pandas.Verdict);
        Assert.Contains("No module named 'pandas'", pandas.Measured);
        var sheetJs = Named(targets, "full refresh, whole process with its result workbooks, faster than SheetJS's read");
        Assert.Equal(Verdict.NotMeasured, sheetJs.Verdict);
        Assert.Contains("node not found", sheetJs.Measured);
        Assert.Equal(Verdict.NotMeasured, Named(targets, "PostgreSQL full refresh").Verdict);
        Assert.DoesNotContain(targets, t => t.Name.StartsWith("aim", StringComparison.Ordinal));
    }

    [Fact]
    public void Below_scale_4_the_small_runs_say_the_issue_judges_them_at_scale_4()
    {
        var targets = MacroBenchmark.Targets(Figures(scale: 1), null);

        Assert.EndsWith("(the issue judges it at scale 4)", Named(targets, "no-op refresh").Name);
        Assert.EndsWith("(the issue judges it at scale 4)", Named(targets, "one changed workbook").Name);
        Assert.DoesNotContain("scale 4", Named(MacroBenchmark.Targets(Figures(scale: 4), null), "no-op refresh").Name);
    }
}
