using System.CommandLine;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Hosting;

/// <summary>Where the program keeps its JIT profiles, which it replays, and that the runtime records them.</summary>
public sealed class JitProfilesFacts : IDisposable
{
    private const string Build = "0123456789abcdef";

    private static readonly DateTime Now = new(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory _dir = new("nacka-jit");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Prepare_KeepsTheLargestRecording_AndHandsThisProcessACopyOfIt()
    {
        Write("refresh.0123456789abcdef.jitprofile", 100);
        Write("refresh.0123456789abcdef.4001.jitprofile", 300);
        Write("refresh.0123456789abcdef.4002.jitprofile", 200);

        var mine = JitProfiles.Prepare(_dir.Path, "refresh", Build, 5000, Now);

        Assert.Equal("refresh.0123456789abcdef.5000.jitprofile", mine);
        Assert.Equal(["refresh.0123456789abcdef.5000.jitprofile", "refresh.0123456789abcdef.jitprofile"], Files());
        Assert.Equal(Content(300), File.ReadAllBytes(Path.Combine(_dir.Path, "refresh.0123456789abcdef.jitprofile")));
        Assert.Equal(Content(300), File.ReadAllBytes(Path.Combine(_dir.Path, mine)));
    }

    [Fact]
    public void Prepare_KeepsTheKeptProfile_WhenTheLastRecordingIsSmaller()
    {
        // A full refresh recorded 300; the no-op after it compiled less, and the next run should not lose the marts' methods.
        Write("refresh.0123456789abcdef.jitprofile", 300);
        Write("refresh.0123456789abcdef.4001.jitprofile", 120);

        var mine = JitProfiles.Prepare(_dir.Path, "refresh", Build, 5000, Now);

        Assert.Equal(["refresh.0123456789abcdef.5000.jitprofile", "refresh.0123456789abcdef.jitprofile"], Files());
        Assert.Equal(Content(300), File.ReadAllBytes(Path.Combine(_dir.Path, mine)));
    }

    [Fact]
    public void Prepare_RecordsAfresh_WhenNothingWasRecordedBefore()
    {
        var mine = JitProfiles.Prepare(Path.Combine(_dir.Path, "new", "jit"), "status", Build, 5000, Now);

        Assert.Equal("status.0123456789abcdef.5000.jitprofile", mine);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "new", "jit")));
    }

    [Fact]
    public void Prepare_LeavesOtherCommandsAndBuilds_ButDeletesWhatNobodyTouchedForAMonth()
    {
        Write("status.0123456789abcdef.jitprofile", 50);
        Write("refresh.fedcba9876543210.jitprofile", 400);
        Write("refresh.1111111111111111.jitprofile", 400, Now - JitProfiles.Stale - TimeSpan.FromDays(1));

        JitProfiles.Prepare(_dir.Path, "refresh", Build, 5000, Now);

        Assert.Equal(["refresh.fedcba9876543210.jitprofile", "status.0123456789abcdef.jitprofile"], Files());
    }

    [Fact]
    public void DirectoryFor_IsNone_WhenTurnedOff()
    {
        Assert.Null(JitProfiles.DirectoryFor("off", _ => "/home/someone"));
        Assert.Null(JitProfiles.DirectoryFor(" OFF ", _ => "/home/someone"));
    }

    [Fact]
    public void DirectoryFor_IsTheConfiguredFolder_MadeFull()
    {
        Assert.Equal(Path.GetFullPath("profiles"), JitProfiles.DirectoryFor("profiles", _ => null));
        Assert.Equal(_dir.Path, JitProfiles.DirectoryFor(_dir.Path, _ => null));
    }

    [Fact]
    public void DirectoryFor_IsTheUsersCache_OrNone_WithoutAHome()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Windows keeps it under %LOCALAPPDATA%.");
        var xdg = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = "/var/cache/someone", ["HOME"] = "/home/someone" };
        var home = new Dictionary<string, string> { ["HOME"] = "/home/someone" };

        Assert.Equal("/var/cache/someone/nacka-insights/jit", JitProfiles.DirectoryFor("", xdg.GetValueOrDefault));
        Assert.Equal("/home/someone/.cache/nacka-insights/jit", JitProfiles.DirectoryFor(null, home.GetValueOrDefault));
        // A relative cache is not a place (the XDG rule): the home's is taken.
        Assert.Equal("/home/someone/.cache/nacka-insights/jit", JitProfiles.DirectoryFor(null, new Dictionary<string, string> { ["XDG_CACHE_HOME"] = "cache", ["HOME"] = "/home/someone" }.GetValueOrDefault));
        Assert.Null(JitProfiles.DirectoryFor(null, _ => null));
    }

    [Fact]
    public void ProfileName_IsTheCommandWithItsParents_OrServiceWithoutOne()
    {
        var root = new RootCommand { new Command("template") { new Command("actuals") }, new Command("refresh") };

        Assert.Equal("template-actuals", NackaInsightsCommandLine.ProfileName(root.Parse(["template", "actuals"]).CommandResult));
        Assert.Equal("refresh", NackaInsightsCommandLine.ProfileName(root.Parse(["refresh"]).CommandResult));
        Assert.Equal("service", NackaInsightsCommandLine.ProfileName(root.Parse([]).CommandResult));
    }

    [Fact]
    public void NameOf_IsTheCommandAndItsDatabase()
    {
        Assert.Equal("refresh-sqlite", JitProfiles.NameOf("refresh", "Sqlite"));
        Assert.Equal("refresh-postgres", JitProfiles.NameOf("refresh", "postgres"));
        Assert.Equal("status-sqlserver", JitProfiles.NameOf("status", "Sql/Server"));
        Assert.Equal("service-default", JitProfiles.NameOf("service", null));
    }

    [Fact]
    public async Task TheProgram_RecordsWhatItCompiled_AndKeepsItForItsNextStart()
    {
        Assert.SkipWhen(Environment.ProcessorCount < 2, "The runtime's multicore JIT does nothing on one core.");
        var environment = new Dictionary<string, string> { ["JitProfileOptions__Directory"] = _dir.Path };

        var first = await CliRunner.RunProcessAsync(_dir.Path, environment, "template", "business-case", "--out", Path.Combine(_dir.Path, "a.xlsx"));
        Assert.True(first.ExitCode == 0, first.ToString());
        // The runtime wrote what the process compiled into the file the program named for it.
        var recorded = Assert.Single(Files());
        Assert.Matches(@"^template-business-case-sqlite\.[0-9a-f]{16}\.[0-9]+\.jitprofile$", recorded);
        Assert.True(new FileInfo(Path.Combine(_dir.Path, recorded)).Length > 0);

        var second = await CliRunner.RunProcessAsync(_dir.Path, environment, "template", "business-case", "--out", Path.Combine(_dir.Path, "b.xlsx"));
        Assert.True(second.ExitCode == 0, second.ToString());
        // The first recording is kept to be replayed; the second process recorded beside it.
        var files = Files();
        Assert.Equal(2, files.Count);
        Assert.Single(files, f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^template-business-case-sqlite\.[0-9a-f]{16}\.jitprofile$"));
    }

    /// <summary>
    /// A refresh ends its recording as it turns to its result workbooks (JitProfiles.StopRecording), not at exit: the
    /// recording is still written whole, and the next refresh keeps and replays it.
    /// </summary>
    [Fact]
    public async Task ARefresh_EndingItsRecordingAtItsResultWorkbooks_WritesItWhole_AndTheNextKeepsIt()
    {
        Assert.SkipWhen(Environment.ProcessorCount < 2, "The runtime's multicore JIT does nothing on one core.");
        var profiles = Path.Combine(_dir.Path, "profiles");
        var environment = new Dictionary<string, string> { ["JitProfileOptions__Directory"] = profiles };
        ContractWorkbooks.Reference().Save(_dir.File(Path.Combine("source", "business-cases", "ok.xlsx")));
        string[] refresh = ["refresh", "--source-dir", Path.Combine(_dir.Path, "source"), "--db", Path.Combine(_dir.Path, "warehouse.db")];

        var first = await CliRunner.RunProcessAsync(_dir.Path, environment, refresh);

        Assert.True(first.ExitCode == 0, first.ToString());
        var recorded = Assert.Single(Directory.GetFiles(profiles, "*.jitprofile"));
        Assert.Matches(@"^refresh-sqlite\.[0-9a-f]{16}\.[0-9]+\.jitprofile$", Path.GetFileName(recorded));
        var length = new FileInfo(recorded).Length;
        Assert.True(length > 0);

        var second = await CliRunner.RunProcessAsync(_dir.Path, environment, refresh);

        Assert.True(second.ExitCode == 0, second.ToString());
        var kept = Assert.Single(Directory.GetFiles(profiles, "refresh-sqlite.*.jitprofile"), f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^refresh-sqlite\.[0-9a-f]{16}\.jitprofile$"));
        Assert.Equal(length, new FileInfo(kept).Length);
    }

    [Fact]
    public void StopAtResults_PassesEveryEventOn_AndStopsNothing_WhenNothingIsRecorded()
    {
        var next = new Events();
        var observer = new JitProfiles.StopAtResults(next);

        observer.PhaseStarting(7, PhaseTimings.Read);
        observer.PhaseStarting(7, PhaseTimings.Results);
        observer.FileProcessed(7, new FileResult(SourceKind.BusinessCase, "a.xlsx", FileStatus.Loaded, 1, 0, "", []));

        Assert.Equal(["phase 7 read", "phase 7 results", "file 7 a.xlsx"], next.Seen);
        // This test process never started a recording (JitProfiles.ForThisProcess is the program's own call).
        Assert.True(JitProfiles.RecordingStopped.IsCompletedSuccessfully);
    }

    private sealed class Events : IRunObserver
    {
        public List<string> Seen { get; } = [];

        public void PhaseStarting(long runId, string phase) => Seen.Add($"phase {runId} {phase}");

        public void FileProcessed(long runId, FileResult file) => Seen.Add($"file {runId} {file.Name}");
    }

    [Fact]
    public async Task TheProgram_RecordsNothing_WhenTurnedOff()
    {
        var environment = new Dictionary<string, string> { ["JitProfileOptions__Directory"] = "off", ["XDG_CACHE_HOME"] = _dir.Path };

        var run = await CliRunner.RunProcessAsync(_dir.Path, environment, "template", "business-case", "--out", Path.Combine(_dir.Path, "a.xlsx"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.jitprofile", SearchOption.AllDirectories));
    }

    private List<string> Files() => [.. Directory.GetFiles(_dir.Path, "*.jitprofile").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    private void Write(string name, int length, DateTime? writtenUtc = null)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, Content(length));
        File.SetLastWriteTimeUtc(path, writtenUtc ?? Now - TimeSpan.FromHours(1));
    }

    private static byte[] Content(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7 + length))];
}
