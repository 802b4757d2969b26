using System.Runtime;
using System.Security.Cryptography;
using System.Text;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Hosting;

/// <summary>
/// The runtime's multicore JIT (<see cref="ProfileOptimization"/>): what a command had to compile as it ran is recorded
/// at exit, and compiled ahead on another core the next time the command starts. The precompiled image cannot hold
/// every generic instantiation (LINQ, collections, async builders over the program's types): a precompiled one-changed-
/// workbook run at scale 4 still compiled 445 methods, 177 ms of its 0.82 s, mostly on the run's own thread. Replaying the
/// largest recording (a full refresh's) took that run from 0.83 s to 0.76 s (medians of 5 interleaved pairs, one build),
/// its compute from 0.135 s to 0.096 s; a no-op and a full refresh at scale 1 were level (issue 21, seventeenth steps,
/// bench/results/2026-12-05-round-two-seventeenth-steps.md).
/// <para>
/// A profile is only a hint: a missing, stale or unreadable one costs nothing but the gain, so every failure here is
/// ignored. Profiles are kept per command, database and build of the program in one folder (<see cref="DirectoryFor"/>):
/// the largest recording of each is kept to be replayed (<see cref="Prepare"/>), because the last run may have been a
/// no-op that compiled none of what the next one-changed-workbook run computes with.
/// </para>
/// </summary>
internal static class JitProfiles
{
    /// <summary>The configuration key of the folder: empty for the default (<see cref="DirectoryFor"/>), <c>off</c> for none.</summary>
    public const string DirectoryKey = "JitProfileOptions:Directory";

    public const string Extension = ".jitprofile";

    /// <summary>The warehouse's provider, as configured or given on the command line (<c>--provider</c>).</summary>
    private const string ProviderKey = "WarehouseOptions:Provider";

    /// <summary>Profiles nobody recorded or replayed for this long are of a build no longer run, or of a command no longer used.</summary>
    internal static readonly TimeSpan Stale = TimeSpan.FromDays(30);

    private static bool s_forThisProcess;
    private static bool s_started;
    private static bool s_recording;
    private static Task? s_stopped;

    /// <summary>The command this process runs (<c>refresh</c>, <c>template-actuals</c>; <c>service</c> without one).</summary>
    public static string Command { get; set; } = "service";

    /// <summary>
    /// Called by the program itself, first: only then does a host start a profile. Tests build hosts and run commands in
    /// a process that is not the program, whose compilations say nothing of the program's.
    /// </summary>
    public static void ForThisProcess() => s_forThisProcess = true;

    /// <summary>Starts this process's profile once, when <see cref="ForThisProcess"/> was called and a folder is at hand.</summary>
    public static void Start(IConfiguration configuration)
    {
        if (!s_forThisProcess || s_started)
        {
            return;
        }
        s_started = true;
        try
        {
            if (DirectoryFor(configuration[DirectoryKey], Environment.GetEnvironmentVariable) is not { } directory)
            {
                return;
            }
            var name = NameOf(Command, configuration[ProviderKey]);
            var profile = Prepare(directory, name, Build(), Environment.ProcessId, DateTime.UtcNow);
            ProfileOptimization.SetProfileRoot(directory);
            ProfileOptimization.StartProfile(profile);
            s_recording = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // A folder that cannot be written: the program starts as it would without the hint.
        }
    }

    /// <summary>
    /// Ends this process's recording and has the runtime write it, on the thread pool, once. A command's run calls it as
    /// it turns to its result workbooks (<see cref="StopAtResults"/>), after which it compiles little: otherwise the
    /// runtime writes the recording as the process exits, after everything else, in about 9,000 small writes (38 ms at
    /// the end of a scale-1 full refresh, traced). Nothing when no recording was started.
    /// </summary>
    public static void StopRecording()
    {
        if (!s_recording)
        {
            return;
        }
        var stopping = new Task(static () =>
        {
            try
            {
                // A null profile stops the recording in progress, which the runtime writes before it returns.
                ProfileOptimization.StartProfile(null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // A profile is only a hint.
            }
        });
        if (Interlocked.CompareExchange(ref s_stopped, stopping, null) is null)
        {
            stopping.Start(TaskScheduler.Default);
        }
    }

    /// <summary>Done once the recording <see cref="StopRecording"/> ended is written, so that the process does not exit half-way through it.</summary>
    public static Task RecordingStopped => Volatile.Read(ref s_stopped) ?? Task.CompletedTask;

    /// <summary>A command run's observer that stops the recording (<see cref="StopRecording"/>) when the run turns to its result workbooks.</summary>
    public sealed class StopAtResults(IRunObserver? next) : IRunObserver
    {
        public void PhaseStarting(long runId, string phase)
        {
            if (phase == PhaseTimings.Results)
            {
                StopRecording();
            }
            next?.PhaseStarting(runId, phase);
        }

        public void FileProcessed(long runId, FileResult file) => next?.FileProcessed(runId, file);

        public void ListProcessed(long runId, ListResult list) => next?.ListProcessed(runId, list);
    }

    /// <summary>
    /// A profile's name: the command and the database it runs against (<c>refresh-sqlite</c>), each of which compiles its
    /// own code: a PostgreSQL run's larger recording would otherwise be what SQLite's runs replay.
    /// </summary>
    internal static string NameOf(string command, string? provider)
    {
        var database = new string([.. (provider ?? "").Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant)]);
        return $"{command}-{(database.Length == 0 ? "default" : database)}";
    }

    /// <summary>
    /// The folder of the profiles: the configured one; none when it is <c>off</c>; else the user's cache
    /// (<c>$XDG_CACHE_HOME/nacka-insights/jit</c>, <c>~/.cache/nacka-insights/jit</c>, or on Windows
    /// <c>%LOCALAPPDATA%\NackaInsights\jit</c>); none when the user has no home (a service account without one).
    /// </summary>
    internal static string? DirectoryFor(string? configured, Func<string, string?> environment)
    {
        if (string.Equals(configured?.Trim(), "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured.Trim());
        }
        if (OperatingSystem.IsWindows())
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(local) ? null : Path.Combine(local, "NackaInsights", "jit");
        }
        if (environment("XDG_CACHE_HOME") is { Length: > 0 } cache && Path.IsPathRooted(cache))
        {
            return Path.Combine(cache, "nacka-insights", "jit");
        }
        return environment("HOME") is { Length: > 0 } home && Path.IsPathRooted(home) ? Path.Combine(home, ".cache", "nacka-insights", "jit") : null;
    }

    /// <summary>
    /// Makes ready the profile this process replays and records, and returns its file name within
    /// <paramref name="directory"/>: <c>{command}.{build}.{process}.jitprofile</c>, a copy of the command's kept profile
    /// (<c>{command}.{build}.jitprofile</c>), which the runtime overwrites with what this process compiled when it exits.
    /// Before that, what earlier processes of the command recorded is looked at: the largest recording, the one that
    /// compiled most, becomes the kept profile if it is larger than it, and the others are deleted. A profile untouched
    /// for <see cref="Stale"/> is deleted, whoever's it is.
    /// </summary>
    internal static string Prepare(string directory, string command, string build, int processId, DateTime nowUtc)
    {
        Directory.CreateDirectory(directory);
        var prefix = $"{command}.{build}.";
        var kept = Path.Combine(directory, prefix.TrimEnd('.') + Extension);
        foreach (var file in Directory.GetFiles(directory, "*" + Extension))
        {
            var name = Path.GetFileName(file);
            if (file == kept)
            {
                continue;
            }
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (nowUtc - File.GetLastWriteTimeUtc(file) > Stale)
                {
                    TryDelete(file);
                }
                continue;
            }
            // A recording of this command and build; a running process's is still the copy it made, never larger.
            if (!File.Exists(kept) || new FileInfo(file).Length > new FileInfo(kept).Length)
            {
                TryMove(file, kept);
            }
            else
            {
                TryDelete(file);
            }
        }
        var mine = $"{prefix}{processId}{Extension}";
        if (File.Exists(kept))
        {
            File.Copy(kept, Path.Combine(directory, mine), overwrite: true);
            // Replayed now: not stale, whatever its recording's age.
            File.SetLastWriteTimeUtc(kept, nowUtc);
        }
        return mine;
    }

    /// <summary>
    /// This build of the program where it is installed: the module's version id changes with every build, and two
    /// installs of one build compile apart (one precompiled, one not) and keep their profiles apart.
    /// </summary>
    internal static string Build()
    {
        var identity = typeof(JitProfiles).Module.ModuleVersionId.ToString("N") + "|" + AppContext.BaseDirectory;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
    }

    private static void TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process took it first.
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another process took it first, or it is not ours to delete.
        }
    }
}
