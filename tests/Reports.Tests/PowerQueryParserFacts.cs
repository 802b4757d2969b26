using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NackaInsights.Reports.Tests.Tmdl;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// Every M expression of the model (each parameter, the shared query <c>Vy</c>, each M partition) parses with
/// Microsoft's own Power Query parser, <c>@microsoft/powerquery-parser</c> from npm, run by Node.js
/// (<c>PowerQuery/parse.js</c>; the version is pinned in its <c>package-lock.json</c>). Our TMDL parser only cuts the
/// expressions out; Microsoft's says whether Power Query would read them. Skipped, with the reason, where Node.js or
/// the package cannot be had.
/// </summary>
public sealed class PowerQueryParserFacts
{
    private static readonly string Folder = Path.Combine(ReportsFolder.Repository, "tests", "Reports.Tests", "PowerQuery");

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private sealed record Parsed(string Name, bool Ok, string? Message, int? Line, int? Column);

    [Fact]
    public async Task EveryMExpressionOfTheModel_ParsesWithMicrosoftsParser()
    {
        var model = ModelNames.Model;
        var expressions = model.Expressions.Select(e => (Name: $"expression {e.Name}", Text: e.Expression))
            .Concat(model.Tables.SelectMany(t => t.Partitions).Where(p => p.Kind == "m").Select(p => (Name: $"partition '{p.Name}' of '{p.Table}'", Text: p.Source!)))
            .ToList();
        Assert.Contains(expressions, e => e.Name == $"expression {SourceQuery.Name}");
        Assert.Equal(SemanticModelFacts.ViewTables.Count(), expressions.Count(e => e.Name.StartsWith("partition ", StringComparison.Ordinal)));
        // One expression that is not M, so that a parser that rejected nothing could not pass this test.
        const string broken = "(a deliberately broken expression)";

        var results = await ParseAsync([.. expressions, (broken, "let Källa = Vy(\"pbi_etl_run\") in")]);

        Assert.Equal(expressions.Select(e => e.Name).Append(broken), results.Select(r => r.Name));
        Assert.False(results.Single(r => r.Name == broken).Ok, "Microsoft's parser accepted a let with no expression after in");
        var failures = results.Where(r => r.Name != broken && !r.Ok).Select(r => $"{r.Name}{(r.Line is { } line ? $", line {line}, column {r.Column}" : "")}: {r.Message}").ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static async Task<List<Parsed>> ParseAsync(IReadOnlyList<(string Name, string Text)> expressions)
    {
        await EnsureParserAsync();
        var input = JsonSerializer.Serialize(expressions.Select(e => new { name = e.Name, text = e.Text }));
        var (exitCode, output, error) = await RunAsync("node", ["parse.js"], input, TimeSpan.FromMinutes(2));
        if (exitCode == 3)
        {
            Assert.Skip($"Node.js cannot load @microsoft/powerquery-parser here: {error.Trim()}");
        }
        Assert.True(exitCode == 0, $"node parse.js exited with {exitCode}: {error}");
        return JsonSerializer.Deserialize<List<Parsed>>(output, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    /// <summary>Node.js on the PATH, and the pinned parser in <c>PowerQuery/node_modules</c>: <c>npm ci</c> once where it is missing.</summary>
    private static async Task EnsureParserAsync()
    {
        var (nodeExit, nodeVersion, _) = await TryRunAsync("node", ["--version"], null, TimeSpan.FromSeconds(30));
        if (nodeExit != 0)
        {
            Assert.Skip("Node.js (node) is not on the PATH: Microsoft's Power Query parser cannot run. Install Node.js and npm to run this test.");
        }
        await InstallLock.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (File.Exists(Path.Combine(Folder, "node_modules", "@microsoft", "powerquery-parser", "package.json")))
            {
                return;
            }
            var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
            var (exitCode, output, error) = await TryRunAsync(npm, ["ci", "--no-audit", "--no-fund"], null, TimeSpan.FromMinutes(5));
            if (exitCode != 0)
            {
                Assert.Skip($"npm ci could not install @microsoft/powerquery-parser (Node.js {nodeVersion.Trim()}; exit code {exitCode}): {error}{output}".Trim());
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs a program in <see cref="Folder"/>; exit code -1 where it cannot be started at all.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> TryRunAsync(string program, string[] arguments, string? input, TimeSpan timeout)
    {
        try
        {
            return await RunAsync(program, arguments, input, timeout);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string[] arguments, string? input, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input ?? "");
        process.StandardInput.Close();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        return (process.ExitCode, await output, await error);
    }
}
