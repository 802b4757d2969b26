using System.Text.Json;

namespace NackaInsights.Bench.Tests;

/// <summary>The benchmark's table from figures made up here: what it says, not how fast anything is.</summary>
public sealed class TableFacts
{
    /// <summary>The figures of a run from before the Initiativ history (as <c>results-s1-seed42.json</c> held them).</summary>
    private const string OlderResults =
        """
        {
          "Scale": 1, "Seed": 42, "Load": "1.84 2.15 2.78",
          "Data": { "BusinessCases": 2000, "ActualsFiles": 200, "ActualsRows": 20000, "Objects": 200, "ListItems": 39392 },
          "SqliteFull": { "Name": "SQLite, full refresh (empty warehouse)", "WallSeconds": 67.12,
            "Phases": { "read": 0.82, "validate": 6.15, "load": 1.67, "compute": 3.11, "checks": 0.43, "publish": 0.19, "results": 54.1 },
            "PeakKb": 360448, "ExitCode": 0, "Summary": "Run 1 succeeded.", "PhaseSeconds": 12.37, "ResultsSeconds": 54.1 },
          "SqliteNoOp": { "Name": "SQLite, no-op refresh", "WallSeconds": 1.47,
            "Phases": { "read": 0.14, "validate": 0, "load": 0.06, "compute": 0.1, "checks": 0.51, "publish": 0.01, "results": 0.01 },
            "PeakKb": 106496, "ExitCode": 0, "Summary": "Run 2 succeeded.", "PhaseSeconds": 0.82, "ResultsSeconds": 0.01 },
          "NoOpFactRows": 0,
          "SqliteOneChange": null, "PostgresFull": null,
          "PeerSeconds": 51.69, "PeerNote": "", "Raw1": 0.77, "Raw2": 0.39, "RawBusinessCases1": 0.5, "RawBusinessCases2": 0.3
        }
        """;

    [Fact]
    public void Figures_from_before_the_history_still_read_and_make_a_table_without_it()
    {
        var results = JsonSerializer.Deserialize<MacroBenchmark.Results>(OlderResults)!;

        Assert.Null(results.History);
        Assert.Null(results.HistoryVersions);
        Assert.Equal(0, results.Data.HistoryExports);
        var table = MacroBenchmark.Table(results, null);
        Assert.DoesNotContain("Initiativ history", table);
        Assert.DoesNotContain("monthly exports", table);
        // The read phase alone against the raw scan on 2 threads is the target; read + validate is for information.
        Assert.Contains("| read phase within 3× of the raw scan (", table);
        Assert.Contains("| 2.10× (0.82 s vs 0.39 s) | met |", table);
        Assert.Contains("| 17.87× (6.97 s vs 0.39 s) | no target |", table);
        Assert.Single(table.Split('\n'), l => l.Contains("raw scan", StringComparison.Ordinal) && l.StartsWith("| read", StringComparison.Ordinal));
        Assert.Contains("read = the files' bytes, fingerprints and decoding (zip, XML, cells, list JSON); validate = turning cells into the model and every rule", table);
        Assert.Contains("| no-op refresh ≤ 5 % of a full refresh, writing no fact rows | 6.6 % of phases, 2.2 % of process wall; 0 fact rows written |", table);
    }

    [Fact]
    public void The_replayed_history_is_one_row_of_means_with_the_largest_peak_and_a_line_of_versions()
    {
        var older = JsonSerializer.Deserialize<MacroBenchmark.Results>(OlderResults)!;
        var history = Enumerable.Range(1, 12).Select(m => new MacroBenchmark.Run(
            $"SQLite, Initiativ history {m:00}", 1.5 + m * 0.2,
            new Dictionary<string, double> { ["read"] = 0.02 * m, ["validate"] = 0.02, ["load"] = 0.03, ["compute"] = 0.5, ["checks"] = 0.04, ["publish"] = 0.01, ["results"] = 0 },
            80_000 + m * 1024, 0, $"Run {m} succeeded.")).ToList();
        var results = older with
        {
            Data = older.Data with { HistoryExports = 12, PhaseChanges = 5_600 },
            History = history,
            HistoryVersions = 7_600,
            HistoryInitiatives = 2_000,
            HistoryFewestVersions = 2,
        };

        // Through JSON and back, as `report` reads the figures.
        var table = MacroBenchmark.Table(JsonSerializer.Deserialize<MacroBenchmark.Results>(JsonSerializer.Serialize(results))!, null);

        var row = Assert.Single(table.Split('\n'), l => l.StartsWith("| SQLite, Initiativ history: 12 monthly exports replayed", StringComparison.Ordinal));
        // Means: wall 1.5 + 1.3, read 0.13, then the phases as given; read through publish 0.73; the largest peak 92,288 KB.
        Assert.EndsWith("| 0 | 2.80 s | 0.13 s | 0.02 s | 0.03 s | 0.50 s | 0.04 s | 0.01 s | 0.73 s | 0.00 s | 90 MB |", row.TrimEnd('\r'));
        Assert.Contains("`dim_initiative_version` holds 7600 versions of 2000 initiatives (2000 in the list; 3.80 per initiative, at least 2 each; the exports show 5600 phase changes, so 7600 are expected)", table);
        Assert.Contains("with 5600 phase changes in all", table);
    }
}
