namespace NackaInsights.Tools.Mibc;

/// <summary>
/// The list of methods the precompiled image should hold, one JIT name a line (as <c>DOTNET_JitStdOutFile</c> with
/// <c>DOTNET_JitDisasmSummary=1</c> prints them: <c>Type`1[args]:Method[margs](params)</c>).
/// </summary>
public static class MethodList
{
    public const string Header =
        "# Methods a precompiled refresh had the JIT compile (Etl.Worker/Properties/PublishProfiles/Precompiled.pubxml); see docs/performance.md, \"The methods the image lacked\".";

    private const string Compiled = "JIT compiled ";

    /// <summary>
    /// The names of <paramref name="existing"/> and of the JIT summaries' lines, each once, sorted; without those the
    /// runtime generates as it runs (<see cref="MethodResolver.IsRuntimeGenerated"/>), which no image can hold.
    /// </summary>
    public static List<string> Merge(IEnumerable<string> existing, IEnumerable<string> summaryLines)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in existing)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                names.Add(line.Trim());
            }
        }
        foreach (var line in summaryLines)
        {
            if (NameOf(line) is { } name && !MethodResolver.IsRuntimeGenerated(name))
            {
                names.Add(name);
            }
        }
        return [.. names];
    }

    /// <summary>The method's name in a line of a JIT summary (<c>  12: JIT compiled T:M() [FullOpts, IL size=1, code size=2]</c>); null for another line.</summary>
    public static string? NameOf(string summaryLine)
    {
        var at = summaryLine.IndexOf(Compiled, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var name = summaryLine[(at + Compiled.Length)..];
        // A JIT name has no spaces: the first one begins the tier and sizes.
        var space = name.IndexOf(" [", StringComparison.Ordinal);
        return (space < 0 ? name : name[..space]).Trim();
    }
}
