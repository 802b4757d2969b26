using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using Npgsql;

namespace NackaInsights.Bench;

/// <summary>
/// The whole-process benchmark: the real <c>nacka-insights</c> program (built in Release) run in a fresh child
/// process per scenario over the synthetic municipality, with wall time per phase and peak memory, beside the pandas
/// peer and the raw XmlReader scan of the same workbooks, measured in the same run, and the Initiativ list's twelve
/// monthly exports replayed into a warehouse of their own (the phase history). Writes the table to standard
/// output and to <c>DIR/results-s{scale}-seed{seed}.md</c> (and the figures as JSON, so another scale's run can be
/// compared for memory growth).
/// </summary>
public static class MacroBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public sealed record Run(string Name, double WallSeconds, Dictionary<string, double> Phases, long PeakKb, int ExitCode, string Summary)
    {
        /// <summary>Read through publish: the six phases of the run, without the result workbooks written afterwards.</summary>
        public double PhaseSeconds => NackaInsights.Warehouse.Loading.PhaseTimings.Order.Sum(p => Phases.GetValueOrDefault(p));

        public double ResultsSeconds => Phases.GetValueOrDefault(NackaInsights.Warehouse.Loading.PhaseTimings.Results);
    }

    /// <param name="History">The refreshes of the Initiativ list's monthly exports, in order, into one fresh SQLite warehouse (none in older results).</param>
    /// <param name="HistoryVersions">The rows of <c>dim_initiative_version</c> after them.</param>
    /// <param name="HistoryInitiatives">The initiatives those versions are of.</param>
    /// <param name="HistoryFewestVersions">The fewest versions any one initiative has.</param>
    public sealed record Results(
        int Scale, int Seed, string Load, MunicipalityGenerator.Summary Data,
        Run SqliteFull, Run? SqliteNoOp, long NoOpFactRows, Run? SqliteOneChange, Run? PostgresFull,
        double? PeerSeconds, string PeerNote, double Raw1, double Raw2, double RawBusinessCases1, double RawBusinessCases2,
        IReadOnlyList<Run>? History = null, long? HistoryVersions = null, long? HistoryInitiatives = null, long? HistoryFewestVersions = null);

    public static async Task<int> RunAsync(string outDir, int scale, int seed, bool skipPostgres, bool skipPeer = false)
    {
        Directory.CreateDirectory(outDir);
        var root = RepoRoot();
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        Log($"Benchmark at scale {scale}, seed {seed}, in {outDir}; load average {string.Join(' ', load)}.");

        var app = await BuildAppAsync(root);
        var data = Path.Combine(outDir, $"data-s{scale}-seed{seed}");
        var summary = EnsureData(data, scale, seed);

        // The same workbooks for the peer and the limit: the business cases; the limit also over every workbook.
        var businessCases = Directory.GetFiles(Path.Combine(data, SourceFolder.BusinessCases), "*.xlsx").Order(StringComparer.Ordinal).ToArray();
        var allWorkbooks = businessCases.Concat(Directory.GetFiles(Path.Combine(data, SourceFolder.Actuals), "*.xlsx").Order(StringComparer.Ordinal)).ToArray();

        var work = Path.Combine(outDir, "work");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
        Directory.CreateDirectory(work);

        // SQLite: a full refresh into an empty warehouse, then nothing changed, then one changed workbook.
        var sqliteSource = CopyTree(data, Path.Combine(work, "sqlite-source"), leaveOut: MunicipalityGenerator.HistoryFolder);
        var dbFile = Path.Combine(work, "warehouse.db");
        var full = await RunRefreshAsync("SQLite, full refresh (empty warehouse)", app, sqliteSource, ["--db", dbFile]);
        var factsBefore = CountFactRows(dbFile);
        var noOp = await RunRefreshAsync("SQLite, no-op refresh", app, sqliteSource, ["--db", dbFile]);
        var noOpFactRows = CountFactRows(dbFile) - factsBefore;
        ChangeOneWorkbook(sqliteSource, scale, seed);
        var oneChange = await RunRefreshAsync("SQLite, one changed workbook", app, sqliteSource, ["--db", dbFile]);

        var (history, historyVersions, historyInitiatives, fewestVersions) = await ReplayHistoryAsync(app, data, work);

        Run? postgres = null;
        if (skipPostgres)
        {
            Log("PostgreSQL left out (--no-postgres).");
        }
        else if (!PostgresServer.BinariesPresent)
        {
            Log($"PostgreSQL left out: no binaries in {PostgresServer.BinDirectory}.");
        }
        else
        {
            await using var server = await PostgresServer.StartAsync();
            var connection = await server.CreateDatabaseAsync();
            var pgSource = CopyTree(data, Path.Combine(work, "postgres-source"), leaveOut: MunicipalityGenerator.HistoryFolder);
            postgres = await RunRefreshAsync("PostgreSQL, full refresh (empty warehouse)", app, pgSource, ["--provider", "postgres", "--connection", connection]);
        }

        var (peer, peerNote) = skipPeer ? (null, "left out (--no-peer)") : await RunPeerAsync(Path.Combine(data, SourceFolder.BusinessCases), businessCases.Length);
        Log("Raw scan (XmlReader over worksheet and shared-string parts) …");
        var rawBc1 = RawScan.Best(businessCases, 1);
        var rawBc2 = RawScan.Best(businessCases, 2);
        var raw1 = RawScan.Best(allWorkbooks, 1);
        var raw2 = RawScan.Best(allWorkbooks, 2);

        var results = new Results(scale, seed, string.Join(' ', load), summary, full, noOp, noOpFactRows, oneChange, postgres,
            peer, peerNote, raw1, raw2, rawBc1, rawBc2, history, historyVersions, historyInitiatives, fewestVersions);
        File.WriteAllText(Path.Combine(outDir, $"results-s{scale}-seed{seed}.json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        var other = OtherScale(outDir, scale, seed);
        var table = Table(results, other);
        Console.WriteLine();
        Console.WriteLine(table);
        var markdown = Path.Combine(outDir, $"results-s{scale}-seed{seed}.md");
        File.WriteAllText(markdown, table);
        Log($"Table written to {markdown}.");
        return full.ExitCode is 0 or 1 ? 0 : 3;
    }

    /// <summary>
    /// The phase history: the Initiativ list's monthly exports (<see cref="MunicipalityGenerator.HistoryMonths"/>), oldest
    /// first, each refreshed in a child process of its own into one fresh SQLite warehouse (<c>WORK/history.db</c>), as the
    /// worker would read the list month by month. Returns the runs and what <c>dim_initiative_version</c> holds after them.
    /// </summary>
    public static async Task<(List<Run> Runs, long Versions, long Initiatives, long FewestVersions)> ReplayHistoryAsync(string app, string data, string work)
    {
        var dbFile = Path.Combine(work, "history.db");
        var runs = new List<Run>();
        foreach (var month in MunicipalityGenerator.HistoryMonths)
        {
            var name = Path.GetFileName(month.Folder);
            var source = CopyTree(Path.Combine(data, month.Folder), Path.Combine(work, "history-source", name));
            runs.Add(await RunRefreshAsync($"SQLite, Initiativ history {name}", app, source, ["--db", dbFile]));
        }
        var (versions, initiatives, fewest) = CountInitiativeVersions(dbFile);
        Log($"  dim_initiative_version: {versions} versions of {initiatives} initiatives, at least {fewest} each.");
        return (runs, versions, initiatives, fewest);
    }

    /// <summary>The table again from a run's figures (<c>results-s{scale}-seed{seed}.json</c>), without running anything.</summary>
    public static int Report(string outDir, int scale, int seed)
    {
        var path = Path.Combine(outDir, $"results-s{scale}-seed{seed}.json");
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"No results in {path}: run the benchmark first.");
            return 2;
        }
        var table = Table(JsonSerializer.Deserialize<Results>(File.ReadAllText(path))!, OtherScale(outDir, scale, seed));
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(outDir, $"results-s{scale}-seed{seed}.md"), table);
        return 0;
    }

    private static Results? OtherScale(string outDir, int scale, int seed)
    {
        var otherScale = scale == 1 ? 4 : 1;
        var path = Path.Combine(outDir, $"results-s{otherScale}-seed{seed}.json");
        return File.Exists(path) ? JsonSerializer.Deserialize<Results>(File.ReadAllText(path)) : null;
    }

    public static string Table(Results r, Results? other)
    {
        string S(double s) => s.ToString("0.00", Inv) + " s";
        string Mb(long kb) => (kb / 1024.0).ToString("0", Inv) + " MB";
        string Pct(double x) => (x * 100).ToString("0.0", Inv) + " %";
        string X(double x) => x.ToString("0.00", Inv) + "×";
        var t = new StringBuilder();
        t.AppendLine(CultureInfo.InvariantCulture, $"### NackaInsights benchmark: scale {r.Scale} (seed {r.Seed}), {Environment.ProcessorCount} cores, load average before the run {r.Load}");
        t.AppendLine();
        var historyData = r.Data.HistoryExports > 0
            ? $"; the list Initiativ's history as {r.Data.HistoryExports} monthly exports with {r.Data.PhaseChanges} phase changes in all"
            : "";
        t.AppendLine(CultureInfo.InvariantCulture,
            $"Data: {r.Data.BusinessCases} business case workbooks, {r.Data.ActualsFiles} actuals workbooks with {r.Data.ActualsRows} rows, {r.Data.ListItems} list items, a survey of 10 units × 5 years{historyData}.");
        t.AppendLine();
        t.AppendLine("| run | exit | wall (process) | read | validate | load | compute | checks | publish | read through publish | result workbooks (after publish) | peak memory |");
        t.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var run in new[] { r.SqliteFull, r.SqliteNoOp, r.SqliteOneChange, r.PostgresFull }.OfType<Run>())
        {
            var phases = string.Join(" | ", NackaInsights.Warehouse.Loading.PhaseTimings.Order.Select(p => S(run.Phases.GetValueOrDefault(p))));
            t.AppendLine(CultureInfo.InvariantCulture, $"| {run.Name} | {run.ExitCode} | {S(run.WallSeconds)} | {phases} | {S(run.PhaseSeconds)} | {S(run.ResultsSeconds)} | {Mb(run.PeakKb)} |");
        }
        if (r.History is { Count: > 0 } history)
        {
            var phases = string.Join(" | ", NackaInsights.Warehouse.Loading.PhaseTimings.Order.Select(p => S(history.Average(run => run.Phases.GetValueOrDefault(p)))));
            var exits = string.Join("/", history.Select(run => run.ExitCode).Distinct().Order());
            t.AppendLine(CultureInfo.InvariantCulture,
                $"| SQLite, Initiativ history: {history.Count} monthly exports replayed (mean per refresh; peak: the largest) | {exits} | {S(history.Average(run => run.WallSeconds))} | {phases} | {S(history.Average(run => run.PhaseSeconds))} | {S(history.Average(run => run.ResultsSeconds))} | {Mb(history.Max(run => run.PeakKb))} |");
        }
        t.AppendLine();
        if (r.History is { Count: > 0 } && r.HistoryVersions is { } versions)
        {
            var initiatives = r.Data.BusinessCases;
            var expected = r.Data.HistoryExports > 0 ? $"; the exports show {r.Data.PhaseChanges} phase changes, so {initiatives + r.Data.PhaseChanges} are expected" : "";
            t.AppendLine(CultureInfo.InvariantCulture,
                $"Initiativ history: after the {r.History.Count} refreshes `dim_initiative_version` holds {versions} versions of {r.HistoryInitiatives} initiatives ({initiatives} in the list; {((double)versions / initiatives).ToString("0.00", Inv)} per initiative, at least {r.HistoryFewestVersions} each{expected}).");
            t.AppendLine();
        }
        t.AppendLine("| reference | 1 thread | 2 threads |");
        t.AppendLine("| --- | --- | --- |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| peer: pandas.read_excel(sheet_name=None, engine=\"openpyxl\"), business cases, reading only | {(r.PeerSeconds is { } p ? S(p) : "n/a: " + r.PeerNote)} | |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| limit: raw XmlReader scan, business cases | {S(r.RawBusinessCases1)} | {S(r.RawBusinessCases2)} |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| limit: raw XmlReader scan, all workbooks (business cases and actuals) | {S(r.Raw1)} | {S(r.Raw2)} |");
        t.AppendLine();

        var full = r.SqliteFull.PhaseSeconds;
        var read = r.SqliteFull.Phases.GetValueOrDefault(NackaInsights.Warehouse.Loading.PhaseTimings.Read);
        var readValidate = read + r.SqliteFull.Phases.GetValueOrDefault(NackaInsights.Warehouse.Loading.PhaseTimings.Validate);
        string Met(bool ok) => ok ? "met" : "**not met**";
        t.AppendLine("| target | measured | |");
        t.AppendLine("| --- | --- | --- |");
        if (r.PeerSeconds is { } peer)
        {
            t.AppendLine(CultureInfo.InvariantCulture, $"| full refresh (read through publish) ≥ 5× faster than the peer's read | {X(peer / full)} ({S(full)} vs {S(peer)}; process wall {X(peer / r.SqliteFull.WallSeconds)}) | {Met(peer / full >= 5)} |");
        }
        else
        {
            t.AppendLine(CultureInfo.InvariantCulture, $"| full refresh ≥ 5× faster than the peer's read | peer not measured: {r.PeerNote} | not measured |");
        }
        t.AppendLine(CultureInfo.InvariantCulture, $"| read phase within 3× of the raw scan (the full SQLite refresh's read: bytes, fingerprints and decoding of every workbook and list export, vs the raw scan of all workbooks on 2 threads) | {X(read / r.Raw2)} ({S(read)} vs {S(r.Raw2)}) | {Met(read / r.Raw2 <= 3)} |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| for information: read + validate (decoding and every rule) vs the same raw scan | {X(readValidate / r.Raw2)} ({S(readValidate)} vs {S(r.Raw2)}) | no target |");
        if (r.SqliteNoOp is { } noOp)
        {
            t.AppendLine(CultureInfo.InvariantCulture, $"| no-op refresh ≤ 5 % of a full refresh, writing no fact rows | {Pct(noOp.PhaseSeconds / full)} of phases, {Pct(noOp.WallSeconds / r.SqliteFull.WallSeconds)} of process wall; {r.NoOpFactRows} fact rows written | {Met(noOp.PhaseSeconds / full <= 0.05 && r.NoOpFactRows == 0)} |");
        }
        if (r.SqliteOneChange is { } one)
        {
            t.AppendLine(CultureInfo.InvariantCulture, $"| one changed workbook ≤ 5 % of a full refresh | {Pct(one.PhaseSeconds / full)} of phases, {Pct(one.WallSeconds / r.SqliteFull.WallSeconds)} of process wall | {Met(one.PhaseSeconds / full <= 0.05)} |");
        }
        var peak = new[] { r.SqliteFull, r.SqliteNoOp, r.SqliteOneChange, r.PostgresFull }.OfType<Run>().Max(x => x.PeakKb);
        t.AppendLine(CultureInfo.InvariantCulture, $"| peak memory < 400 MB | {Mb(peak)} (largest of the runs) | {Met(peak < 400 * 1024)} |");
        if (other is not null)
        {
            var otherPeak = new[] { other.SqliteFull, other.SqliteNoOp, other.SqliteOneChange, other.PostgresFull }.OfType<Run>().Max(x => x.PeakKb);
            var (small, large) = r.Scale < other.Scale ? (peak, otherPeak) : (otherPeak, peak);
            var growth = (double)large / small - 1;
            t.AppendLine(CultureInfo.InvariantCulture, $"| peak memory grows ≤ 20 % from scale {Math.Min(r.Scale, other.Scale)} to {Math.Max(r.Scale, other.Scale)} | {Mb(small)} → {Mb(large)}: {Pct(growth)} | {Met(growth <= 0.20)} |");
        }
        else
        {
            t.AppendLine("| peak memory grows ≤ 20 % from scale 1 to 4 | run the other scale into the same --out to compare | not measured |");
        }
        if (r.PostgresFull is { } pg)
        {
            t.AppendLine(CultureInfo.InvariantCulture, $"| PostgreSQL full refresh ≤ 1.5× the SQLite one | {X(pg.PhaseSeconds / full)} ({S(pg.PhaseSeconds)} vs {S(full)}) | {Met(pg.PhaseSeconds / full <= 1.5)} |");
        }
        else
        {
            t.AppendLine("| PostgreSQL full refresh ≤ 1.5× the SQLite one | PostgreSQL not run | not measured |");
        }
        t.AppendLine();
        t.AppendLine("Phases are the run's own `PhaseTimings` (`refresh --verbose`), wall time per phase: read = the files' bytes, fingerprints and decoding (zip, XML, cells, list JSON); validate = turning cells into the model and every rule. The process wall adds .NET start-up, migration and the result workbooks written after publishing. Peak memory is the child's maximum resident set (`/usr/bin/time`).");
        return t.ToString();
    }

    /// <summary>Written last into a generated folder, with what it holds: a folder without it is generated again.</summary>
    public const string CompleteMarker = ".complete.json";

    private static MunicipalityGenerator.Summary EnsureData(string data, int scale, int seed)
    {
        var marker = Path.Combine(data, CompleteMarker);
        if (File.Exists(marker))
        {
            var written = JsonSerializer.Deserialize<MunicipalityGenerator.Summary>(File.ReadAllText(marker))!;
            if (written.HistoryExports > 0)
            {
                Log($"Using the generated data in {data}.");
                return written;
            }
            Log($"The data in {data} was generated before the Initiativ history; generating it again.");
        }
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
        Log($"Generating the municipality into {data} …");
        var watch = Stopwatch.StartNew();
        var summary = MunicipalityGenerator.Write(data, seed, scale);
        File.WriteAllText(marker, JsonSerializer.Serialize(summary));
        Log($"Generated in {watch.Elapsed.TotalSeconds:0.0} s: {summary}.");
        return summary;
    }

    /// <summary>
    /// A copy of the generated folder to run against: runs write result workbooks beside the uploads. The top-level folder
    /// <paramref name="leaveOut"/>, if given, is not copied (the full runs do not read the list's history).
    /// </summary>
    private static string CopyTree(string from, string to, string? leaveOut = null)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith('.') || (leaveOut is not null && relative.StartsWith(leaveOut + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                continue;
            }
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
        return to;
    }

    /// <summary>A revision of one initiative's business case: its first benefit line up a tenth, a later version label.</summary>
    private static void ChangeOneWorkbook(string source, int scale, int seed)
    {
        var catalogue = MunicipalityGenerator.Catalogue(seed, scale);
        var initiative = catalogue[catalogue.Count / 2];
        var draft = initiative.Draft;
        var first = draft.Benefits[0];
        var revised = draft with
        {
            VersionLabel = $"{draft.FirstYear}-09",
            Benefits = [first with { Amounts = first.Amounts.ToDictionary(a => a.Key, a => a.Value * 1.1m) }, .. draft.Benefits.Skip(1)],
        };
        var path = Path.Combine(source, MunicipalityGenerator.BusinessCaseFile(initiative));
        using (var buffer = new MemoryStream())
        {
            BusinessCaseWorkbookWriter.Write(buffer, revised);
            File.WriteAllBytes(path, DeterministicZip.Normalize(buffer.ToArray()));
        }
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        Log($"Changed {Path.GetFileName(path)}.");
    }

    private static long CountFactRows(string dbFile)
    {
        using var connection = new SqliteConnection($"Data Source={dbFile};Pooling=false");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'fct%' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }
        long rows = 0;
        foreach (var table in tables)
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            rows += (long)count.ExecuteScalar()!;
        }
        return rows;
    }

    /// <summary>The rows of <c>dim_initiative_version</c>, the initiatives they are of, and the fewest versions of any one initiative.</summary>
    private static (long Versions, long Initiatives, long Fewest) CountInitiativeVersions(string dbFile)
    {
        if (!File.Exists(dbFile))
        {
            return (0, 0, 0);
        }
        using var connection = new SqliteConnection($"Data Source={dbFile};Pooling=false");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText =
            """
            SELECT COALESCE(SUM(n), 0), COUNT(*), COALESCE(MIN(n), 0)
            FROM (SELECT COUNT(*) AS n FROM dim_initiative_version GROUP BY initiative_id)
            """;
        try
        {
            using var reader = count.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (SqliteException e)
        {
            // No table: the refreshes failed before migrating (their exit codes say so).
            Log($"  could not count the initiative versions: {e.Message}");
            return (0, 0, 0);
        }
    }

    private static async Task<Run> RunRefreshAsync(string name, string app, string source, string[] database)
    {
        Log($"{name} …");
        var maxRss = Path.GetTempFileName();
        var start = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["-f", "%M", "-o", maxRss, "dotnet", app, "refresh", "--source-dir", source, .. database, "--verbose"])
        {
            start.ArgumentList.Add(a);
        }
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var wall = watch.Elapsed.TotalSeconds;
        var errors = await stderr;
        var output = await stdout;
        var peakKb = long.TryParse(File.ReadAllText(maxRss).Trim().Split('\n')[^1], NumberStyles.Integer, Inv, out var kb) ? kb : 0;
        File.Delete(maxRss);
        var timings = errors.Split('\n').LastOrDefault(l => l.StartsWith("phase-timings:", StringComparison.Ordinal));
        var phases = timings is null ? [] : JsonSerializer.Deserialize<Dictionary<string, double>>(timings["phase-timings:".Length..])!;
        var summary = string.Join(" / ", output.Split('\n').Take(3).Select(l => l.Trim()).Where(l => l.Length > 0));
        if (process.ExitCode is not (0 or 1) || timings is null)
        {
            Log($"  exit {process.ExitCode}; standard error ends with: {string.Join('\n', errors.Split('\n').TakeLast(15))}");
        }
        Log($"  exit {process.ExitCode}, {wall:0.00} s, peak {peakKb / 1024} MB: {summary}");
        return new Run(name, wall, phases, peakKb, process.ExitCode, summary);
    }

    private static async Task<(double? Seconds, string Note)> RunPeerAsync(string folder, int files)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peer.py");
        Log($"Peer: pandas.read_excel over {files} workbooks …");
        // The Debian interpreter, which python3-pandas and python3-openpyxl install into (a python3 earlier on PATH, e.g. pyenv, may lack them).
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(folder);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var line = (await stdout).Split('\n').LastOrDefault(l => l.StartsWith("seconds ", StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                var why = (await stderr).Trim().Split('\n').LastOrDefault() ?? "no output";
                Log($"  the peer did not run: {why}");
                return (null, why + " (apt-get install python3-pandas python3-openpyxl)");
            }
            var seconds = double.Parse(line.Split(' ')[1], Inv);
            Log($"  {seconds:0.00} s");
            return (seconds, "");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, "python3 not found: " + e.Message);
        }
    }

    private static async Task<string> BuildAppAsync(string root)
    {
        var project = Path.Combine(root, "Etl.Worker", "Etl.Worker.csproj");
        Log("Building nacka-insights in Release …");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "build", project, "-c", "Release", "-nologo", "-v", "q" })
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building {project} failed: {await stdout}{await stderr}");
        }
        var dll = Path.Combine(root, "Etl.Worker", "bin", "Release", "net10.0", "nacka-insights.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The build did not leave {dll}.");
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "NackaInsights.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("Run the benchmark from within the repository (NackaInsights.sln not found).");
    }

    internal static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>A throwaway PostgreSQL cluster, as tests/TestSupport/PostgresCluster.cs starts one.</summary>
    private sealed class PostgresServer : IAsyncDisposable
    {
        public static readonly string BinDirectory =
            Environment.GetEnvironmentVariable("NACKA_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";

        public static bool BinariesPresent => File.Exists(Path.Combine(BinDirectory, "initdb")) && File.Exists(Path.Combine(BinDirectory, "pg_ctl"));

        private readonly string _root;
        private readonly int _port;
        private static bool AsRoot => Environment.UserName == "root";

        private PostgresServer(string root, int port) => (_root, _port) = (root, port);

        public static async Task<PostgresServer> StartAsync()
        {
            var root = Path.Combine(Path.GetTempPath(), $"nacka-bench-pg-{Guid.NewGuid():N}");
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            if (AsRoot)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", root]);
            }
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            await RunPgAsync("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
            var options = $"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            await RunPgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
            return new PostgresServer(root, port);
        }

        public async Task<string> CreateDatabaseAsync()
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false;Timeout=30");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE nacka_bench", connection);
            await command.ExecuteNonQueryAsync();
            return $"Host=127.0.0.1;Port={_port};Username=postgres;Database=nacka_bench;Timeout=30";
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await RunPgAsync("pg_ctl", ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
            }
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static Task RunPgAsync(string tool, string[] arguments)
        {
            var executable = Path.Combine(BinDirectory, tool);
            return AsRoot ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments]) : RunAsync(executable, arguments);
        }

        private static async Task RunAsync(string fileName, string[] arguments)
        {
            var start = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}");
            }
        }
    }
}
