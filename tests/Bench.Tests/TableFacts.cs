using System.Text.Json;

namespace NackaInsights.Bench.Tests;

/// <summary>The benchmark's table from figures made up here (<see cref="TargetsFacts.Figures"/>): its shape, not how fast anything is.</summary>
public sealed class TableFacts
{
    private static string[] Rows(string table, string start) =>
        [.. table.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(start, StringComparison.Ordinal))];

    private static string[] Cells(string row) => [.. row.Trim('|').Split(" | ").Select(c => c.Trim())];

    [Fact]
    public void Each_run_is_one_row_with_the_whole_process_beside_the_phases_and_the_result_workbooks()
    {
        // Through JSON and back, as `report` reads the figures.
        var results = JsonSerializer.Deserialize<MacroBenchmark.Results>(JsonSerializer.Serialize(TargetsFacts.Figures()))!;

        var table = MacroBenchmark.Table(results, null);

        var header = Cells(Assert.Single(Rows(table, "| run |")));
        Assert.Equal(["run", "runs", "exit", "whole process", "read", "validate", "load", "compute", "checks", "publish", "read through publish", "result workbooks", "rest of the process", "peak memory"], header);
        var full = Cells(Assert.Single(Rows(table, "| SQLite, full refresh (empty warehouse) |")));
        Assert.Equal(header.Length, full.Length);
        // Walls 5, 4, 6 s; phases 2, 1.8, 2.2 s (a sixth each); results 2, 1.5, 2.5 s; the rest 1, 0.7, 1.3 s; peaks 200, 200, 300 MB.
        Assert.Equal(["SQLite, full refresh (empty warehouse)", "3", "0", "5.00 s (4.00 s–6.00 s)", "0.33 s", "0.33 s", "0.33 s", "0.33 s", "0.33 s", "0.33 s",
            "2.00 s (1.80 s–2.20 s)", "2.00 s (1.50 s–2.50 s)", "1.00 s (0.70 s–1.30 s)", "200 MB (200 MB–300 MB)"], full);
        Assert.Single(Rows(table, "| SQLite, no-op refresh |"));
        Assert.Single(Rows(table, "| SQLite, one changed workbook |"));
        Assert.Single(Rows(table, "| PostgreSQL, full refresh (empty warehouse) |"));
        Assert.Contains("Each figure: the median of 3 runs, and their range (min–max).", table);
        Assert.Contains("written by the benchmark's generator", table);
    }

    [Fact]
    public void The_table_names_how_the_program_was_installed_and_older_figures_read_as_framework_dependent()
    {
        var precompiled = TargetsFacts.Figures() with { Install = MacroBenchmark.PrecompiledInstall };
        var older = JsonSerializer.Deserialize<MacroBenchmark.Results>(
            JsonSerializer.Serialize(precompiled).Replace("\"Install\":\"precompiled\"", "\"Install\":null", StringComparison.Ordinal))!;

        Assert.Contains("published with the `Precompiled` profile", MacroBenchmark.Table(precompiled, null));
        Assert.Null(older.Install);
        Assert.Contains("published framework-dependent", MacroBenchmark.Table(older, null));
        Assert.Equal("results-s1-seed42", MacroBenchmark.Stem(1, 42, MacroBenchmark.GeneratorWriter));
        Assert.Equal("results-s1-seed42-framework", MacroBenchmark.Stem(1, 42, MacroBenchmark.GeneratorWriter, install: MacroBenchmark.FrameworkInstall));
    }

    [Fact]
    public void The_method_gives_the_maintenance_after_the_PostgreSQL_runs_and_older_figures_read_without_it()
    {
        var settled = TargetsFacts.Figures() with { PostgresSettleSeconds = [1.2, 1.5, 1.3] };
        var older = TargetsFacts.Figures() with { PostgresSettleSeconds = null };

        Assert.Contains("runs `VACUUM (ANALYZE)` over its database, outside the timing (1.30 s (1.20 s–1.50 s) a database):", MacroBenchmark.Table(settled, null));
        Assert.DoesNotContain("VACUUM", MacroBenchmark.Table(older, null));
    }

    [Fact]
    public void The_heading_names_the_scale_or_for_a_small_municipality_its_initiatives()
    {
        var scale4 = TargetsFacts.Figures(scale: 4);
        var small = scale4 with { Scale = 1, Data = scale4.Data with { BusinessCases = 60 } };

        Assert.StartsWith("### NackaInsights benchmark: scale 4 (seed 42),", MacroBenchmark.Table(scale4, null));
        var table = MacroBenchmark.Table(small, null);
        Assert.StartsWith("### NackaInsights benchmark: 60 initiatives (seed 42),", table);
        Assert.Contains("(the issue judges it at scale 4)", table);
    }

    [Fact]
    public void A_range_that_rounds_to_one_value_is_not_shown()
    {
        var figures = TargetsFacts.Figures();
        // 125 MB and 125.4 MB: the same in whole megabytes.
        var sameMemory = figures with { SqliteNoOp = [TargetsFacts.Refresh("SQLite, no-op refresh", 0.2, 0.1, 0, peakMb: 125), TargetsFacts.Refresh("SQLite, no-op refresh", 0.2, 0.1, 0, peakMb: 125) with { PeakKb = 125 * 1024 + 400 }] };

        var row = Cells(Assert.Single(Rows(MacroBenchmark.Table(sameMemory, null), "| SQLite, no-op refresh |")));

        Assert.Equal("125 MB", row[^1]);
        Assert.Equal("0.20 s", row[3]);
    }

    [Fact]
    public void The_peers_are_rows_of_the_references_with_their_runs()
    {
        var table = MacroBenchmark.Table(TargetsFacts.Figures() with { SheetJsSeconds = [], SheetJsNote = "node not found" }, null);

        var pandas = Cells(Assert.Single(Rows(table, "| peer: pandas.read_excel")));
        Assert.Equal("3", pandas[1]);
        Assert.Equal("33.00 s (30.00 s–36.00 s)", pandas[2]);
        var sheetJs = Cells(Assert.Single(Rows(table, "| faster peer: SheetJS")));
        Assert.Equal("0", sheetJs[1]);
        Assert.Equal("n/a: node not found", sheetJs[2]);
    }

    [Fact]
    public void The_targets_table_has_a_row_per_target_each_with_its_verdict()
    {
        var figures = TargetsFacts.Figures();
        var table = MacroBenchmark.Table(figures, null);

        Assert.Single(Rows(table, "| target | measured (median, range in brackets) | verdict |"));
        var targets = MacroBenchmark.Targets(figures, null);
        foreach (var target in targets)
        {
            var row = Cells(Assert.Single(Rows(table, $"| {target.Name} |")));
            Assert.Equal(3, row.Length);
            Assert.Equal(target.VerdictText, row[2]);
        }
        // The targets: 5× and 8× pandas, SheetJS, no-op, one change, memory and its growth, PostgreSQL on a
        // default server and on huge pages; and issue 8's read phase with its companion.
        Assert.Equal(11, targets.Count);
        Assert.Contains(targets, t => t.Verdict == Verdict.Met);
        Assert.Contains(targets, t => t.Verdict == Verdict.NotMet);
    }

    [Fact]
    public void The_replayed_history_is_one_row_over_its_refreshes_with_the_largest_peak_and_a_line_of_versions()
    {
        var history = Enumerable.Range(1, 12).Select(m => TargetsFacts.Refresh($"SQLite, Initiativ history {m:00}", 1.5 + m * 0.2, 0.6, 0, peakMb: 80 + m)).ToList();
        var figures = TargetsFacts.Figures(scale: 1);
        var results = figures with
        {
            Data = figures.Data with { HistoryExports = 12, PhaseChanges = 5_600 },
            History = history,
            HistoryVersions = 7_600,
            HistoryInitiatives = 2_000,
            HistoryFewestVersions = 2,
        };

        var table = MacroBenchmark.Table(JsonSerializer.Deserialize<MacroBenchmark.Results>(JsonSerializer.Serialize(results))!, null);

        var row = Cells(Assert.Single(Rows(table, "| SQLite, Initiativ history: 12 monthly exports replayed")));
        // Walls 1.7 to 3.9 s: the median of twelve is the mean of the sixth and seventh, 2.7 and 2.9 s; the largest peak 92 MB.
        Assert.Equal("12", row[1]);
        Assert.Equal("2.80 s (1.70 s–3.90 s)", row[3]);
        Assert.Equal("92 MB", row[^1]);
        Assert.Contains("`dim_initiative_version` holds 7600 versions of 2000 initiatives", table);
        Assert.Contains("the exports show 5600 phase changes, so 7600 are expected", table);
    }
}
