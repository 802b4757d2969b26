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
using NackaInsights.Warehouse.Loading;
using Npgsql;

namespace NackaInsights.Bench;

/// <summary>
/// The whole-process benchmark: the real <c>nacka-insights</c> program (built in Release) run in a fresh child
/// process per scenario over the synthetic municipality, timed from start to exit as the user waits for it, with its
/// own wall time per phase (the result workbooks a phase of their own) and peak memory, beside two peers reading the
/// same business cases (pandas with openpyxl, and SheetJS under Node) and the raw XmlReader scan of them, all in the
/// same run and each scenario and peer <c>--repeat</c> times, reported as median and range; and the Initiativ list's
/// twelve monthly exports replayed into a warehouse of their own (the phase history), once. Writes the table to
/// standard output and to <c>DIR/results-s{scale}-seed{seed}.md</c> (and the figures as JSON, so another scale's run
/// can be compared for memory growth).
/// </summary>
public static class MacroBenchmark
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The business cases as the benchmark's generator writes them (EPPlus and the project's zip normalising).</summary>
    public const string GeneratorWriter = "generator";

    /// <summary>The same business cases loaded and saved again by openpyxl, as the issue measured.</summary>
    public const string OpenpyxlWriter = "openpyxl";

    /// <summary>The install the operator guide recommends: the <c>Precompiled</c> publish profile (self-contained, composite ReadyToRun).</summary>
    public const string PrecompiledInstall = "precompiled";

    /// <summary>A framework-dependent publish (ReadyToRun over the program's own assemblies), to compare with.</summary>
    public const string FrameworkInstall = "framework";

    /// <param name="WallSeconds">The whole process, start to exit, as the user waits for it.</param>
    public sealed record Run(string Name, double WallSeconds, Dictionary<string, double> Phases, long PeakKb, int ExitCode, string Summary)
    {
        /// <summary>Read through publish: the six phases of the run, without the result workbooks written afterwards.</summary>
        public double PhaseSeconds => PhaseTimings.Order.Sum(p => Phases.GetValueOrDefault(p));

        public double ResultsSeconds => Phases.GetValueOrDefault(PhaseTimings.Results);

        /// <summary>The rest of the process: .NET start-up, configuration, the migration check, and exit.</summary>
        public double RestSeconds => Math.Max(0, WallSeconds - PhaseSeconds - ResultsSeconds);
    }

    /// <param name="Writer">Who wrote the business cases: <see cref="GeneratorWriter"/> or <see cref="OpenpyxlWriter"/>.</param>
    /// <param name="SqliteFull">Each repeat's full refresh into an empty SQLite warehouse.</param>
    /// <param name="NoOpFactRows">The most fact rows any no-op refresh wrote (0 is the target).</param>
    /// <param name="PeerSeconds">Each repeat's pandas read (empty when it did not run; <paramref name="PeerNote"/> says why).</param>
    /// <param name="SheetJsSeconds">Each repeat's SheetJS read (empty when it did not run; <paramref name="SheetJsNote"/> says why).</param>
    /// <param name="History">The refreshes of the Initiativ list's monthly exports, in order, into one fresh SQLite warehouse, once.</param>
    /// <param name="HistoryVersions">The rows of <c>dim_initiative_version</c> after them.</param>
    /// <param name="HistoryInitiatives">The initiatives those versions are of.</param>
    /// <param name="HistoryFewestVersions">The fewest versions any one initiative has.</param>
    public sealed record Results(
        int Scale, int Seed, string Load, string Writer, int Repeat, MunicipalityGenerator.Summary Data,
        IReadOnlyList<Run> SqliteFull, IReadOnlyList<Run> SqliteNoOp, long NoOpFactRows, IReadOnlyList<Run> SqliteOneChange, IReadOnlyList<Run> PostgresFull,
        IReadOnlyList<double> PeerSeconds, string PeerNote, IReadOnlyList<double> SheetJsSeconds, string SheetJsNote,
        double Raw1, double Raw2, double RawBusinessCases1, double RawBusinessCases2,
        IReadOnlyList<Run>? History = null, long? HistoryVersions = null, long? HistoryInitiatives = null, long? HistoryFewestVersions = null,
        string? Install = null, IReadOnlyList<Run>? PostgresHugePagesFull = null, string? HugePagesNote = null, IReadOnlyList<double>? PostgresSettleSeconds = null)
    {
        public IEnumerable<Run> AllRuns => SqliteFull.Concat(SqliteNoOp).Concat(SqliteOneChange).Concat(PostgresFull).Concat(PostgresHugePagesFull ?? []);
    }

    /// <summary>The stem of a run's files in the output folder: <c>results-s1-seed42</c>, with <c>-openpyxl</c> for that writer.</summary>
    public static string Stem(int scale, int seed, string writer, int? initiatives = null, string install = PrecompiledInstall) =>
        $"results-{Size(scale, initiatives)}-seed{seed}" + (writer == GeneratorWriter ? "" : "-" + writer) + (install == PrecompiledInstall ? "" : "-" + install);

    /// <summary><c>s1</c> for a scale, <c>i40</c> for a small municipality of 40 initiatives (<c>--initiatives</c>, to try the benchmark out).</summary>
    private static string Size(int scale, int? initiatives) => initiatives is { } n ? $"i{n}" : $"s{scale}";

    /// <summary>
    /// How long files deleted before a run still cost it on ext4 without a journal: a freed inode is passed over for 60
    /// s, and for 300 s more while its inode table block is not yet written back (fs/ext4/ialloc.c, RECENTCY_MIN and
    /// RECENTCY_DIRTY).
    /// </summary>
    public static readonly TimeSpan FreedInodesPassedOver = TimeSpan.FromSeconds(360);

    /// <summary>Touched when a benchmark has deleted its copies and clusters, in its output folder.</summary>
    public const string DeletedMarker = ".deleted-at";

    /// <summary>How long a benchmark started at <paramref name="now"/> waits for the deletions of the last one, which ended at <paramref name="lastDeleted"/>.</summary>
    public static TimeSpan WaitForDeletions(DateTime? lastDeleted, DateTime now) =>
        lastDeleted is { } deleted && deleted + FreedInodesPassedOver > now ? deleted + FreedInodesPassedOver - now : TimeSpan.Zero;

    /// <summary>
    /// Deletes the last benchmark's <paramref name="work"/> folder, and returns when the deletions the next runs would
    /// pay for were made: <paramref name="lastDeleted"/> (the last benchmark's end), or <paramref name="now"/> when the
    /// folder still held source copies, as one stopped before its end leaves them.
    /// </summary>
    public static DateTime? ClearWork(string work, DateTime? lastDeleted, DateTime now)
    {
        if (!Directory.Exists(work))
        {
            return lastDeleted;
        }
        var heldCopies = Directory.EnumerateDirectories(work, $"*{CopyInfix}*").Any();
        Directory.Delete(work, recursive: true);
        return heldCopies ? now : lastDeleted;
    }

    private static string DeletedMarkerIn(string outDir) => Path.Combine(outDir, DeletedMarker);

    /// <summary>What names a repeat's copy of the source folder in <c>work</c>: <c>sqlite-source-1</c> and the like.</summary>
    private const string CopyInfix = "-source-";

    private static string CopyName(string run, int repeat) => $"{run}{CopyInfix}{repeat}";

    public static async Task<int> RunAsync(string outDir, int scale, int seed, bool skipPostgres, bool skipPeer = false, int repeat = 3, string writer = GeneratorWriter, int? initiatives = null, string install = PrecompiledInstall)
    {
        Directory.CreateDirectory(outDir);
        try
        {
            return await MeasureAsync(outDir, scale, seed, skipPostgres, skipPeer, repeat, writer, initiatives, install);
        }
        finally
        {
            // After the copies and the PostgreSQL clusters are gone: the next benchmark into this folder waits for them.
            var marker = DeletedMarkerIn(outDir);
            File.WriteAllText(marker, "");
            File.SetLastWriteTimeUtc(marker, DateTime.UtcNow);
        }
    }

    private static async Task<int> MeasureAsync(string outDir, int scale, int seed, bool skipPostgres, bool skipPeer, int repeat, string writer, int? initiatives, string install)
    {
        var root = RepoRoot();
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        Log($"Benchmark at scale {scale}, seed {seed}, {repeat} runs of each, business cases written by the {writer}, in {outDir}; load average {string.Join(' ', load)}.");

        var app = await BuildAppAsync(root, install);
        var data = Path.Combine(outDir, $"data-{Size(scale, initiatives)}-seed{seed}");
        var (count, objects) = initiatives is { } n
            ? (n, Math.Max(1, n / 10))
            : (MunicipalityGenerator.InitiativesPerScale * scale, MunicipalityGenerator.ObjectsPerScale * scale);
        var summary = EnsureData(data, seed, count, objects);
        if (writer == OpenpyxlWriter)
        {
            data = await EnsureOpenpyxlDataAsync(data);
        }

        // The same workbooks for the peers and the limit: the business cases; the limit also over every workbook.
        var businessCaseFolder = Path.Combine(data, SourceFolder.BusinessCases);
        var businessCases = Directory.GetFiles(businessCaseFolder, "*.xlsx").Order(StringComparer.Ordinal).ToArray();
        var allWorkbooks = businessCases.Concat(Directory.GetFiles(Path.Combine(data, SourceFolder.Actuals), "*.xlsx").Order(StringComparer.Ordinal)).ToArray();

        // A benchmark run straight after another into this folder (scale 1, then 4) waits until the last one's deletions
        // cost nothing (see the copies below); publishing and generating usually take longer than that.
        var marker = DeletedMarkerIn(outDir);
        var work = Path.Combine(outDir, "work");
        var deleted = ClearWork(work, File.Exists(marker) ? File.GetLastWriteTimeUtc(marker) : null, DateTime.UtcNow);
        var wait = WaitForDeletions(deleted, DateTime.UtcNow);
        if (wait > TimeSpan.Zero)
        {
            Log($"Waiting {wait.TotalSeconds:F0} s: the last benchmark in {outDir} deleted its copies and clusters, and until then every file a run creates would pass over their freed inodes on ext4 without a journal.");
            await Task.Delay(wait);
        }
        Directory.CreateDirectory(work);
        // The program's JIT profiles (JitProfiles) kept in the benchmark's own folder: the first full refresh starts as a
        // fresh install does, with none, and records one; every later run replays the largest recorded, as an
        // installed program's scheduled runs do. Nothing is left in the user's cache.
        s_jitProfiles = Path.Combine(work, "jit-profiles");

        var postgresNote = skipPostgres ? "--no-postgres"
            : !PostgresServer.BinariesPresent ? $"no binaries in {PostgresServer.BinDirectory}" : null;
        if (postgresNote is not null)
        {
            Log($"PostgreSQL left out: {postgresNote}.");
        }
        await using var server = postgresNote is null ? await PostgresServer.StartAsync() : null;
        // The same server again with its shared memory on huge pages, as the operator guide recommends (see "What a
        // PostgreSQL cluster pays per process" in docs/performance.md); only where the benchmark may reserve them.
        var (hugePagesServer, hugePagesNote) = server is null ? (null, "PostgreSQL not run") : await PostgresServer.TryStartOnHugePagesAsync();
        await using var _ = hugePagesServer;
        if (hugePagesNote is not null)
        {
            Log($"PostgreSQL on huge pages left out: {hugePagesNote}.");
        }
        var sheetJs = skipPeer ? (Script: (string?)null, Note: "left out (--no-peer)") : await PrepareSheetJsAsync(root);

        var full = new List<Run>();
        var noOp = new List<Run>();
        var oneChange = new List<Run>();
        var postgres = new List<Run>();
        var postgresHugePages = new List<Run>();
        var settle = new List<double>();
        var peer = new List<double>();
        var sheetJsSeconds = new List<double>();
        var peerNote = skipPeer ? "left out (--no-peer)" : "";
        long noOpFactRows = 0;
        // Each repeat's copies (with the result workbooks the runs wrote) are deleted once every run is done, not before
        // the next run: on ext4 without a journal (this machine's disk) every inode the kernel allocates passes over
        // those freed in the last minute (six, while their inode table block is dirty), so a copy deleted beside the
        // next cost that run's result workbooks 0.17–0.55 s of system CPU at scale 1 (six pairs), which the peers,
        // creating no files, never paid (docs/performance.md, "Files the benchmark deleted"). The next benchmark into this
        // folder waits for them (WaitForDeletions).
        var copies = new List<string>();
        // One repeat is every scenario and both peers in turn, so that a busy spell on the shared machine spreads over
        // all of them rather than falling on one figure.
        for (var i = 1; i <= repeat; i++)
        {
            Log($"Run {i} of {repeat}:");
            // SQLite: a full refresh into an empty warehouse, then nothing changed, then one changed workbook, on a fresh copy.
            var sqliteSource = CopyTree(data, Path.Combine(work, CopyName("sqlite", i)), leaveOut: MunicipalityGenerator.HistoryFolder);
            var dbFile = Path.Combine(work, $"warehouse-{i}.db");
            full.Add(await RunRefreshAsync("SQLite, full refresh (empty warehouse)", app, sqliteSource, ["--db", dbFile]));
            var factsBefore = CountFactRows(dbFile);
            noOp.Add(await RunRefreshAsync("SQLite, no-op refresh", app, sqliteSource, ["--db", dbFile]));
            noOpFactRows = Math.Max(noOpFactRows, CountFactRows(dbFile) - factsBefore);
            ChangeOneWorkbook(sqliteSource, seed, count, objects);
            oneChange.Add(await RunRefreshAsync("SQLite, one changed workbook", app, sqliteSource, ["--db", dbFile]));
            copies.Add(sqliteSource);

            // After a run commits, autovacuum would vacuum and analyse its tables up to a minute later (autovacuum_naptime),
            // on whichever run came next, the other cluster's or a SQLite one: the maintenance is done at once, outside
            // the timing (SettleAsync), and the two clusters still take turns at going first.
            var clusters = new[] { (Server: server, Runs: postgres, Name: "PostgreSQL"), (Server: hugePagesServer, Runs: postgresHugePages, Name: HugePagesRun) };
            foreach (var (cluster, runs, name) in i % 2 == 1 ? clusters : clusters.Reverse())
            {
                if (cluster is null)
                {
                    continue;
                }
                var connection = await cluster.CreateDatabaseAsync($"nacka_bench_{i}");
                var pgSource = CopyTree(data, Path.Combine(work, CopyName(cluster == server ? "postgres" : "postgres-huge-pages", i)), leaveOut: MunicipalityGenerator.HistoryFolder);
                runs.Add(await RunRefreshAsync($"{name}, full refresh (empty warehouse)", app, pgSource, ["--provider", "postgres", "--connection", connection]));
                copies.Add(pgSource);
                settle.Add(await cluster.SettleAsync($"nacka_bench_{i}"));
            }

            if (!skipPeer && (peer.Count > 0 || i == 1))
            {
                var (seconds, note) = await RunPeerAsync("pandas.read_excel", PythonInterpreter, Path.Combine(AppContext.BaseDirectory, "peer.py"), businessCaseFolder, businessCases.Length,
                    " (apt-get install python3-pandas python3-openpyxl)");
                if (seconds is { } s)
                {
                    peer.Add(s);
                }
                else
                {
                    peerNote = note;
                }
            }
            if (sheetJs.Script is { } script && (sheetJsSeconds.Count > 0 || i == 1))
            {
                var (seconds, note) = await RunPeerAsync("SheetJS", "node", script, businessCaseFolder, businessCases.Length, "");
                if (seconds is { } s)
                {
                    sheetJsSeconds.Add(s);
                }
                else
                {
                    sheetJs.Note = note;
                }
            }
        }

        var (history, historyVersions, historyInitiatives, fewestVersions) = await ReplayHistoryAsync(app, data, work);

        Log("Raw scan (XmlReader over worksheet and shared-string parts) …");
        var rawBc1 = RawScan.Best(businessCases, 1);
        var rawBc2 = RawScan.Best(businessCases, 2);
        var raw1 = RawScan.Best(allWorkbooks, 1);
        var raw2 = RawScan.Best(allWorkbooks, 2);
        foreach (var copy in copies)
        {
            Directory.Delete(copy, recursive: true);
        }

        var results = new Results(scale, seed, string.Join(' ', load), writer, repeat, summary, full, noOp, noOpFactRows, oneChange, postgres,
            peer, peerNote, sheetJsSeconds, sheetJsSeconds.Count > 0 ? "" : sheetJs.Note ?? "", raw1, raw2, rawBc1, rawBc2,
            history, historyVersions, historyInitiatives, fewestVersions, install, postgresHugePages, hugePagesNote, settle);
        var stem = Stem(scale, seed, writer, initiatives, install);
        File.WriteAllText(Path.Combine(outDir, stem + ".json"), JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        var table = Table(results, initiatives is null ? OtherScale(outDir, scale, seed, writer, install) : null);
        Console.WriteLine();
        Console.WriteLine(table);
        var markdown = Path.Combine(outDir, stem + ".md");
        File.WriteAllText(markdown, table);
        Log($"Table written to {markdown}.");
        return full.All(r => r.ExitCode is 0 or 1) ? 0 : 3;
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
    public static int Report(string outDir, int scale, int seed, string writer = GeneratorWriter, int? initiatives = null, string install = PrecompiledInstall)
    {
        var path = Path.Combine(outDir, Stem(scale, seed, writer, initiatives, install) + ".json");
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"No results in {path}: run the benchmark first.");
            return 2;
        }
        Results results;
        try
        {
            results = JsonSerializer.Deserialize<Results>(File.ReadAllText(path))!;
        }
        catch (JsonException e)
        {
            // Figures from before --repeat held one run per scenario: run the benchmark again.
            Console.Error.WriteLine($"{path} holds figures of an older benchmark ({e.Message}): run the benchmark again.");
            return 2;
        }
        var table = Table(results, initiatives is null ? OtherScale(outDir, scale, seed, writer, install) : null);
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(outDir, Stem(scale, seed, writer, initiatives, install) + ".md"), table);
        return 0;
    }

    private static Results? OtherScale(string outDir, int scale, int seed, string writer, string install)
    {
        var otherScale = scale == 1 ? 4 : 1;
        var path = Path.Combine(outDir, Stem(otherScale, seed, writer, install: install) + ".json");
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Results>(File.ReadAllText(path)) : null;
        }
        catch (JsonException)
        {
            Log($"{path} holds figures of an older benchmark: the memory growth is not compared.");
            return null;
        }
    }

    private static string S(double s) => s.ToString("0.00", Inv) + " s";

    private static string Mb(double kb) => (kb / 1024.0).ToString("0", Inv) + " MB";

    private static string Pct(double x) => (x * 100).ToString("0.0", Inv) + " %";

    private static string X(double x) => x.ToString("0.00", Inv) + "×";

    /// <summary>A figure as the table gives it: the median, and the range in brackets when the runs differ.</summary>
    public static string Show(Figure f, Func<double, string> format) =>
        f.Single || format(f.Min) == format(f.Max) ? format(f.Median) : $"{format(f.Median)} ({format(f.Min)}–{format(f.Max)})";

    /// <summary>"scale 1", or the number of initiatives of a municipality not at a scale (<c>--initiatives</c>).</summary>
    private static string SizeText(Results r) =>
        r.Data.BusinessCases == MunicipalityGenerator.InitiativesPerScale * r.Scale ? $"scale {r.Scale}" : $"{r.Data.BusinessCases} initiatives";

    /// <summary>The name of the runs on the cluster whose shared memory is on huge pages.</summary>
    public const string HugePagesRun = "PostgreSQL on huge pages";

    /// <summary>PostgreSQL's target on the server the operator guide recommends; the line before it judges a default one.</summary>
    public const string HugePagesTarget = "PostgreSQL on huge pages (the operator guide's server), full refresh, whole process, ≤ 1.5× the SQLite one";

    private static Figure Wall(IEnumerable<Run> runs) => Figure.Of(runs.Select(r => r.WallSeconds));

    /// <summary>
    /// The issue's targets, each judged on the medians (ranges shown; a range that crosses the target is said so), from
    /// the figures of one scale and, for the memory growth, of the other.
    /// </summary>
    public static IReadOnlyList<Target> Targets(Results r, Results? other)
    {
        var targets = new List<Target>();
        var scaleNote = SizeText(r) == "scale 4" ? "" : " (the issue judges it at scale 4)";
        if (r.SqliteFull.Count == 0)
        {
            return [new Target("every target", "no full refresh was measured", Verdict.NotMeasured)];
        }
        var full = Wall(r.SqliteFull);
        var fullPhases = Figure.Of(r.SqliteFull.Select(x => x.PhaseSeconds));

        if (r.PeerSeconds.Count > 0)
        {
            var peer = Figure.Of(r.PeerSeconds);
            var speedup = peer.Over(full);
            var measured = $"{Show(speedup, X)} ({Show(full, S)} vs {Show(peer, S)}; read through publish {X(peer.Median / fullPhases.Median)})";
            targets.Add(Target.Judge("full refresh, whole process with its result workbooks, ≥ 5× faster than the pandas peer's read", measured, speedup, x => x >= 5));
            targets.Add(Target.Judge("aim: the same ≥ 8× faster than the pandas peer's read", Show(speedup, X), speedup, x => x >= 8));
        }
        else
        {
            targets.Add(new Target("full refresh, whole process with its result workbooks, ≥ 5× (aim 8×) faster than the pandas peer's read", $"peer not measured: {r.PeerNote}", Verdict.NotMeasured));
        }
        if (r.SheetJsSeconds.Count > 0)
        {
            var sheetJs = Figure.Of(r.SheetJsSeconds);
            var speedup = sheetJs.Over(full);
            targets.Add(Target.Judge("full refresh, whole process with its result workbooks, faster than SheetJS's read", $"{Show(speedup, X)} ({Show(full, S)} vs {Show(sheetJs, S)})", speedup, x => x > 1));
        }
        else
        {
            targets.Add(new Target("full refresh, whole process with its result workbooks, faster than SheetJS's read", $"SheetJS not measured: {r.SheetJsNote}", Verdict.NotMeasured));
        }
        if (r.SqliteNoOp.Count > 0)
        {
            var share = Wall(r.SqliteNoOp).Over(full);
            var target = Target.Judge($"no-op refresh, whole process, ≤ 5 % of the full refresh's, writing no fact rows{scaleNote}",
                $"{Show(share, Pct)} ({Show(Wall(r.SqliteNoOp), S)} vs {Show(full, S)}); {r.NoOpFactRows} fact rows written", share, x => x <= 0.05);
            targets.Add(r.NoOpFactRows == 0 ? target : target with { Verdict = Verdict.NotMet, Noisy = false });
        }
        if (r.SqliteOneChange.Count > 0)
        {
            var share = Wall(r.SqliteOneChange).Over(full);
            targets.Add(Target.Judge($"one changed workbook, whole process, ≤ 5 % of the full refresh's{scaleNote}",
                $"{Show(share, Pct)} ({Show(Wall(r.SqliteOneChange), S)} vs {Show(full, S)})", share, x => x <= 0.05));
        }
        var peak = r.AllRuns.Max(x => x.PeakKb);
        targets.Add(new Target("peak memory < 400 MB", $"{Mb(peak)} (the largest of the runs)", peak < 400 * 1024 ? Verdict.Met : Verdict.NotMet));
        if (other is not null && other.Scale != r.Scale && other.AllRuns.Any())
        {
            var otherPeak = other.AllRuns.Max(x => x.PeakKb);
            var (small, large) = r.Scale < other.Scale ? (peak, otherPeak) : (otherPeak, peak);
            var growth = (double)large / small - 1;
            targets.Add(new Target($"peak memory grows ≤ 20 % from scale {Math.Min(r.Scale, other.Scale)} to {Math.Max(r.Scale, other.Scale)}",
                $"{Mb(small)} → {Mb(large)}: {Pct(growth)}", growth <= 0.20 ? Verdict.Met : Verdict.NotMet));
        }
        else
        {
            targets.Add(new Target("peak memory grows ≤ 20 % from scale 1 to 4", "run the other scale into the same --out to compare", Verdict.NotMeasured));
        }
        // PostgreSQL's full refresh against SQLite's, whole process, with read through publish beside it.
        Target Postgres(string name, IReadOnlyList<Run> runs)
        {
            var pg = Wall(runs);
            var ratio = pg.Over(full);
            var pgPhases = Figure.Of(runs.Select(x => x.PhaseSeconds));
            return Target.Judge(name, $"{Show(ratio, X)} ({Show(pg, S)} vs {Show(full, S)}; read through publish {X(pgPhases.Median / fullPhases.Median)})", ratio, x => x <= 1.5);
        }
        const string postgresTarget = "PostgreSQL full refresh, whole process, ≤ 1.5× the SQLite one";
        targets.Add(r.PostgresFull.Count > 0 ? Postgres(postgresTarget, r.PostgresFull) : new Target(postgresTarget, "PostgreSQL not run", Verdict.NotMeasured));
        if (r.PostgresHugePagesFull is { Count: > 0 } onHugePages)
        {
            targets.Add(Postgres(HugePagesTarget, onHugePages));
        }
        else if (r.PostgresFull.Count > 0)
        {
            targets.Add(new Target(HugePagesTarget, $"not run: {r.HugePagesNote ?? "figures from before the benchmark ran it"}", Verdict.NotMeasured));
        }
        // Issue 8's target on the read phase alone, kept to see where decoding stands.
        var read = Figure.Of(r.SqliteFull.Select(x => x.Phases.GetValueOrDefault(PhaseTimings.Read)));
        var readValidate = Figure.Of(r.SqliteFull.Select(x => x.Phases.GetValueOrDefault(PhaseTimings.Read) + x.Phases.GetValueOrDefault(PhaseTimings.Validate)));
        targets.Add(Target.Judge("read phase within 3× of the raw scan (issue 8: the full SQLite refresh's read, vs the raw scan of all workbooks on 2 threads)",
            $"{X(read.Median / r.Raw2)} ({Show(read, S)} vs {S(r.Raw2)})", new Figure(read.Median / r.Raw2, read.Min / r.Raw2, read.Max / r.Raw2, read.Count), x => x <= 3));
        targets.Add(new Target("for information: read + validate (decoding and every rule) vs the same raw scan", $"{X(readValidate.Median / r.Raw2)} ({Show(readValidate, S)} vs {S(r.Raw2)})", Verdict.NoTarget));
        return targets;
    }

    public static string Table(Results r, Results? other)
    {
        var t = new StringBuilder();
        t.AppendLine(CultureInfo.InvariantCulture, $"### NackaInsights benchmark: {SizeText(r)} (seed {r.Seed}), {Environment.ProcessorCount} cores, load average before the run {r.Load}");
        t.AppendLine();
        var historyData = r.Data.HistoryExports > 0
            ? $"; the list Initiativ's history as {r.Data.HistoryExports} monthly exports with {r.Data.PhaseChanges} phase changes in all"
            : "";
        var writer = r.Writer == OpenpyxlWriter ? "written by openpyxl (the generator's, loaded and saved again)" : "written by the benchmark's generator";
        // Results from before --install were framework-dependent publishes.
        var install = r.Install == PrecompiledInstall
            ? "The program published with the `Precompiled` profile (self-contained, composite ReadyToRun, tiered compilation off), as the operator guide installs it."
            : "The program published framework-dependent (ReadyToRun over its own assemblies).";
        t.AppendLine(CultureInfo.InvariantCulture,
            $"Data: {r.Data.BusinessCases} business case workbooks {writer}, {r.Data.ActualsFiles} actuals workbooks with {r.Data.ActualsRows} rows, {r.Data.ListItems} list items, a survey of 10 units × 5 years{historyData}. {install} {(r.Repeat == 1 ? "One run of each: no range." : $"Each figure: the median of {r.Repeat} runs, and their range (min–max).")}");
        t.AppendLine();
        t.AppendLine("| run | runs | exit | whole process | read | validate | load | compute | checks | publish | read through publish | result workbooks | rest of the process | peak memory |");
        t.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var runs in new[] { r.SqliteFull, r.SqliteNoOp, r.SqliteOneChange, r.PostgresFull, r.PostgresHugePagesFull ?? [] }.Where(x => x.Count > 0))
        {
            t.AppendLine(Row(runs[0].Name, runs, Show(Figure.Of(runs.Select(x => (double)x.PeakKb)), Mb)));
        }
        if (r.History is { Count: > 0 } history)
        {
            // One replay of twelve processes: each figure over the twelve refreshes, the peak the largest.
            t.AppendLine(Row($"SQLite, Initiativ history: {history.Count} monthly exports replayed, once (per refresh; peak: the largest)", history, Mb(history.Max(x => x.PeakKb))));
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
        t.AppendLine("| reference: reading the business cases only | runs | 1 thread | 2 threads |");
        t.AppendLine("| --- | --- | --- | --- |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| peer: pandas.read_excel(sheet_name=None, engine=\"openpyxl\") (`bench/peer.py`) | {r.PeerSeconds.Count} | {(r.PeerSeconds.Count > 0 ? Show(Figure.Of(r.PeerSeconds), S) : "n/a: " + r.PeerNote)} | |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| faster peer: SheetJS `XLSX.readFile` and `sheet_to_json` under Node (`bench/sheetjs-peer.js`) | {r.SheetJsSeconds.Count} | {(r.SheetJsSeconds.Count > 0 ? Show(Figure.Of(r.SheetJsSeconds), S) : "n/a: " + r.SheetJsNote)} | |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| limit: raw XmlReader scan, business cases (best of 3) | 3 | {S(r.RawBusinessCases1)} | {S(r.RawBusinessCases2)} |");
        t.AppendLine(CultureInfo.InvariantCulture, $"| limit: raw XmlReader scan, all workbooks (business cases and actuals; best of 3) | 3 | {S(r.Raw1)} | {S(r.Raw2)} |");
        t.AppendLine();

        t.AppendLine("| target | measured (median, range in brackets) | verdict |");
        t.AppendLine("| --- | --- | --- |");
        foreach (var target in Targets(r, other))
        {
            t.AppendLine(CultureInfo.InvariantCulture, $"| {target.Name} | {target.Measured} | {target.VerdictText} |");
        }
        t.AppendLine();
        t.AppendLine(CultureInfo.InvariantCulture, $"The whole process is the child's wall time from start to exit (`dotnet nacka-insights.dll refresh --verbose`), what the user waits for. The phases are the run's own `PhaseTimings`, wall time per phase: read = the files' bytes, fingerprints and decoding (zip, XML, cells, list JSON); validate = turning cells into the model and every rule; result workbooks = writing them after publishing; the rest of the process = the whole process less the phases and the result workbooks (.NET start-up, configuration, the migration check, exit). PostgreSQL runs on a throwaway cluster (fsync off), and where the benchmark may reserve huge pages (as root) also on a second one whose shared memory is on them, as the operator guide recommends; the two take turns at going first.{SettleNote(r)} The program keeps its JIT profiles in the benchmark's own folder: the first full refresh records one, as a fresh install does, and every later run replays the largest recorded. A verdict is on the medians; where the range crosses the target, another set of runs could turn it. Peak memory is the child's maximum resident set (`/usr/bin/time`).");
        return t.ToString();
    }

    /// <summary>The maintenance after the PostgreSQL runs, for the table's method: nothing for results from before it was done.</summary>
    private static string SettleNote(Results r) =>
        r.PostgresSettleSeconds is { Count: > 0 } settle
            ? $" After each PostgreSQL run the benchmark runs `VACUUM (ANALYZE)` over its database, outside the timing ({Show(Figure.Of(settle), S)} a database): the maintenance autovacuum does after a commit, up to a minute later, would otherwise land on whichever run came next."
            : "";

    private static string Row(string name, IReadOnlyList<Run> runs, string peak)
    {
        var exits = string.Join("/", runs.Select(x => x.ExitCode).Distinct().Order());
        var phases = string.Join(" | ", PhaseTimings.Order.Select(p => S(Figure.Of(runs.Select(x => x.Phases.GetValueOrDefault(p))).Median)));
        return string.Create(Inv,
            $"| {name} | {runs.Count} | {exits} | {Show(Wall(runs), S)} | {phases} | {Show(Figure.Of(runs.Select(x => x.PhaseSeconds)), S)} | {Show(Figure.Of(runs.Select(x => x.ResultsSeconds)), S)} | {Show(Figure.Of(runs.Select(x => x.RestSeconds)), S)} | {peak} |");
    }

    /// <summary>Written last into a generated folder, with what it holds: a folder without it is generated again.</summary>
    public const string CompleteMarker = ".complete.json";

    private static MunicipalityGenerator.Summary EnsureData(string data, int seed, int initiatives, int objects)
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
        var summary = MunicipalityGenerator.Write(data, seed, initiatives, objects);
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
    private static void ChangeOneWorkbook(string source, int seed, int initiatives, int objects)
    {
        var catalogue = MunicipalityGenerator.Catalogue(seed, initiatives, objects);
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

    /// <summary>The folder of the program's JIT profiles for this benchmark's runs (<c>JitProfileOptions:Directory</c>).</summary>
    private static string? s_jitProfiles;

    /// <summary>A folder for each refresh's JIT summary (what the JIT compiled, <c>DOTNET_JitStdOutFile</c>); none when null.</summary>
    public static string? JitSummaries { get; set; }

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
        if (s_jitProfiles is not null)
        {
            start.Environment["JitProfileOptions__Directory"] = s_jitProfiles;
        }
        if (JitSummaries is not null)
        {
            start.Environment["DOTNET_JitDisasmSummary"] = "1";
            start.Environment["DOTNET_JitStdOutFile"] = Path.Combine(JitSummaries, $"{Directory.GetFiles(JitSummaries).Length:D4}.txt");
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

    /// <summary>The Debian interpreter, which python3-pandas and python3-openpyxl install into (a python3 earlier on PATH, e.g. pyenv, may lack them).</summary>
    private static string PythonInterpreter => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>
    /// A peer reading every business case in <paramref name="folder"/>: <paramref name="script"/> under
    /// <paramref name="interpreter"/>, which prints <c>seconds S</c>, its own wall time after loading its library.
    /// Returns the seconds, or null and why it did not run.
    /// </summary>
    private static async Task<(double? Seconds, string Note)> RunPeerAsync(string name, string interpreter, string script, string folder, int files, string installHint)
    {
        Log($"Peer: {name} over {files} workbooks …");
        try
        {
            var (exit, stdout, stderr) = await RunToEndAsync(interpreter, [script, folder]);
            var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("seconds ", StringComparison.Ordinal));
            if (exit != 0 || line is null)
            {
                var why = stderr.Trim().Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? "no output";
                Log($"  {name} did not run: {why}");
                return (null, why + installHint);
            }
            var seconds = double.Parse(line.Split(' ')[1], Inv);
            Log($"  {seconds:0.00} s");
            return (seconds, "");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Log($"  {name} did not run: {interpreter} not found.");
            return (null, $"{interpreter} not found: {e.Message}");
        }
    }

    /// <summary>
    /// The SheetJS peer's script in the repository's bench/, with its pinned package installed from the lockfile
    /// (<c>npm ci</c>) when bench/node_modules is missing. Null and a note when node or npm is absent or the install fails.
    /// </summary>
    private static async Task<(string? Script, string Note)> PrepareSheetJsAsync(string root)
    {
        var bench = Path.Combine(root, "bench");
        try
        {
            var (exit, version, _) = await RunToEndAsync("node", ["--version"]);
            if (exit != 0)
            {
                return (null, "node did not run (apt-get install nodejs npm)");
            }
            Log($"SheetJS peer under Node {version.Trim()}.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Log("SheetJS peer left out: node not found.");
            return (null, "node not found (apt-get install nodejs npm)");
        }
        if (!Directory.Exists(Path.Combine(bench, "node_modules", "xlsx")))
        {
            Log("Installing the SheetJS peer's package (npm ci in bench/) …");
            try
            {
                var (exit, _, stderr) = await RunToEndAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", bench]);
                if (exit != 0)
                {
                    var why = stderr.Trim().Split('\n').LastOrDefault() ?? "no output";
                    Log($"  npm ci failed: {why}");
                    return (null, "npm ci failed: " + why);
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return (null, "npm not found (apt-get install npm)");
            }
        }
        return (Path.Combine(bench, "sheetjs-peer.js"), "");
    }

    /// <summary>
    /// The generated data with its business cases written by openpyxl (<c>DATA-openpyxl</c>, once; later runs reuse it):
    /// a copy of the generated folder whose business case workbooks <c>bench/openpyxl-rewrite.py</c> loads and saves again.
    /// </summary>
    private static async Task<string> EnsureOpenpyxlDataAsync(string generated)
    {
        var data = generated + "-" + OpenpyxlWriter;
        var marker = Path.Combine(data, CompleteMarker);
        if (File.Exists(marker))
        {
            Log($"Using the openpyxl-written data in {data}.");
            return data;
        }
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
        Log($"Having openpyxl write the business cases into {data} …");
        var watch = Stopwatch.StartNew();
        CopyTree(generated, data);
        var (exit, stdout, stderr) = await RunToEndAsync(PythonInterpreter, [Path.Combine(AppContext.BaseDirectory, "openpyxl-rewrite.py"), Path.Combine(data, SourceFolder.BusinessCases)]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"openpyxl could not write the business cases (apt-get install python3-openpyxl): {stderr.Trim()}");
        }
        File.Copy(Path.Combine(generated, CompleteMarker), marker);
        Log($"  {stdout.Trim()} in {watch.Elapsed.TotalSeconds:0.0} s.");
        return data;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunToEndAsync(string fileName, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> BuildAppAsync(string root, string install)
    {
        var project = Path.Combine(root, "Etl.Worker", "Etl.Worker.csproj");
        // Published, as an operator installs it (docs/operator-guide.md): by default with the Precompiled profile, the
        // program and its runtime precompiled together; `--install framework` for the framework-dependent publish.
        var output = Path.Combine(root, "Etl.Worker", "bin", "Release", "bench-app-" + install);
        // A folder left by another install would mix a self-contained runtime with a framework-dependent program.
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
        Log($"Publishing nacka-insights in Release ({install}) …");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] profile = install == PrecompiledInstall ? ["-p:PublishProfile=Precompiled"] : [];
        foreach (var a in new[] { "publish", project, "-c", "Release", "-o", output, "-nologo", "-v", "q" }.Concat(profile))
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Publishing {project} failed: {await stdout}{await stderr}");
        }
        var dll = Path.Combine(output, "nacka-insights.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The publish did not leave {dll}.");
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
        private readonly int _hugePagesAdded;
        private static bool AsRoot => Environment.UserName == "root";

        private PostgresServer(string root, int port, int hugePagesAdded = 0) => (_root, _port, _hugePagesAdded) = (root, port, hugePagesAdded);

        /// <summary>The kernel's pool of huge pages, which only root may change.</summary>
        private const string HugePagePool = "/proc/sys/vm/nr_hugepages";

        public static Task<PostgresServer> StartAsync() => StartAsync(hugePages: false);

        /// <summary>
        /// A cluster whose shared memory is on huge pages: the kernel's pool is raised by what the cluster says it needs
        /// (<c>postgres -C shared_memory_size_in_huge_pages</c>, PostgreSQL 15's own way to size it) and lowered by as much
        /// when the cluster stops, whatever else changed it meanwhile. <c>huge_pages=on</c>, so that the cluster does not start at all without them. Returns a note
        /// instead where the pool cannot be raised (not root, a container that forbids it, no hugetlb in the kernel).
        /// </summary>
        public static async Task<(PostgresServer? Server, string? Note)> TryStartOnHugePagesAsync()
        {
            if (!AsRoot || !File.Exists(HugePagePool))
            {
                return (null, AsRoot ? $"no {HugePagePool}" : "only root may reserve huge pages");
            }
            try
            {
                return (await StartAsync(hugePages: true), null);
            }
            catch (InvalidOperationException e)
            {
                return (null, e.Message.Split('\n')[0]);
            }
        }

        private static async Task<PostgresServer> StartAsync(bool hugePages)
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
            var added = 0;
            try
            {
                if (hugePages)
                {
                    var needed = int.Parse((await RunPgAsync("postgres", ["-D", data, "-C", "shared_memory_size_in_huge_pages"])).Trim(), CultureInfo.InvariantCulture);
                    var pool = int.Parse(File.ReadAllText(HugePagePool).Trim(), CultureInfo.InvariantCulture);
                    File.WriteAllText(HugePagePool, (pool + needed).ToString(CultureInfo.InvariantCulture));
                    added = needed;
                    options += " -c huge_pages=on";
                }
                await RunPgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException)
            {
                LowerPool(added);
                Directory.Delete(root, recursive: true);
                throw new InvalidOperationException(e.Message, e);
            }
            return new PostgresServer(root, port, added);
        }

        private static void LowerPool(int added)
        {
            if (added > 0)
            {
                var pool = int.Parse(File.ReadAllText(HugePagePool).Trim(), CultureInfo.InvariantCulture);
                File.WriteAllText(HugePagePool, Math.Max(0, pool - added).ToString(CultureInfo.InvariantCulture));
            }
        }

        public async Task<string> CreateDatabaseAsync(string name)
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false;Timeout=30");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
            return $"Host=127.0.0.1;Port={_port};Username=postgres;Database={name};Timeout=30";
        }

        /// <summary>
        /// Vacuums and analyses the database a run just loaded, as autovacuum would after the commit, and returns the seconds
        /// it took: autovacuum then finds nothing to do on a later run's time.
        /// </summary>
        public async Task<double> SettleAsync(string name)
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_port};Username=postgres;Database={name};Pooling=false;Timeout=30;Command Timeout=0");
            await connection.OpenAsync();
            var clock = Stopwatch.StartNew();
            await using var command = new NpgsqlCommand("VACUUM (ANALYZE)", connection);
            await command.ExecuteNonQueryAsync();
            return clock.Elapsed.TotalSeconds;
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
            LowerPool(_hugePagesAdded);
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static Task<string> RunPgAsync(string tool, string[] arguments)
        {
            var executable = Path.Combine(BinDirectory, tool);
            return AsRoot ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments]) : RunAsync(executable, arguments);
        }

        private static async Task<string> RunAsync(string fileName, string[] arguments)
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
            return await stdout;
        }
    }
}
