using System.Runtime.InteropServices;

namespace NackaInsights.Etl.Pipeline;

/// <summary>Lowers a thread of the run's own below the others, for work that should take only what they leave idle.</summary>
internal static class ThreadPriorities
{
    /// <summary>The lowest nice value a thread can take; lowering a thread's priority needs no privilege.</summary>
    private const int LowestNice = 19;

    private const int PriorityProcess = 0;

    /// <summary>
    /// Lowers the calling thread. <see cref="Thread.Priority"/> does this on Windows; on Linux, <c>Lowest</c> was seen to
    /// leave the thread's nice value at 0, and the scheduler goes by that value, which is per thread there (setpriority
    /// with a thread id). Best effort: a thread that cannot be lowered only competes as before.
    /// </summary>
    public static void LowerCurrent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _ = SetPriority(PriorityProcess, GetThreadId(), LowestNice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A C library without gettid (old glibc, some musl): the thread stays as it is.
        }
    }

    // DllImport rather than LibraryImport, whose generated code needs unsafe blocks: both signatures are blittable ints.
    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();

    /// <summary>The calling thread's nice value, for tests; null where there is none to read.</summary>
    internal static int? CurrentNice()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var stat = File.ReadAllText($"/proc/self/task/{GetThreadId()}/stat");
        // Fields after the command's closing parenthesis: state is the 3rd field, nice the 19th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
