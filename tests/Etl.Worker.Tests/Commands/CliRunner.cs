using System.Diagnostics;
using NackaInsights.Etl.Commands;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>What a command printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs nacka-insights in this process, or as the real program in a process of its own.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await NackaInsightsCommandLine.InvokeAsync(args, stdout, stderr, TestContext.Current.CancellationToken);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the built program (<c>dotnet nacka-insights.dll</c>) as an operator would.</summary>
    public static async Task<CliResult> RunProcessAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var start = ProgramStart(args, environment);
        start.WorkingDirectory = workingDirectory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// How to start the built program (<c>dotnet nacka-insights.dll args</c>), its output redirected, with
    /// <paramref name="environment"/> added. Its JIT profiles are off unless the environment says otherwise: a test's
    /// run of the program leaves nothing in the user's cache (JitProfiles).
    /// </summary>
    public static ProcessStartInfo ProgramStart(IEnumerable<string> args, IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "nacka-insights.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["JitProfileOptions__Directory"] = "off";
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }
        return start;
    }
}
