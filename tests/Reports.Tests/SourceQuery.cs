using System.Text.RegularExpressions;

namespace NackaInsights.Reports.Tests;

/// <summary>Where one <c>Databastyp</c> takes a view: the source function called, its arguments as written, and the navigation record's fields.</summary>
internal sealed record ResolvedSource(string Function, string Arguments, IReadOnlyDictionary<string, string> Navigation);

/// <summary>
/// The shared query <c>Vy</c>, evaluated as text for one value of <c>Databastyp</c>: it must be
/// <c>(namn as text) as table =&gt; if Databastyp = "…" then Source(…){[…]}[Data] else if … else error …</c>, each
/// branch one source call followed by one navigation step. The evaluator takes the branch whose condition holds and
/// puts the view name in place of the function's parameter; a value that no branch names reaches the <c>error</c>.
/// </summary>
internal static partial class SourceQuery
{
    public const string Name = "Vy";

    [GeneratedRegex(@"^\((?<param>[A-Za-z_]\w*) as text\) as table => (?<body>.+)$")]
    private static partial Regex Function();

    // A branch holds no " else ", so the shortest "then" part is the whole branch.
    [GeneratedRegex(@"^if Databastyp = ""(?<value>[^""]*)"" then (?<then>.+?) else (?<rest>.+)$")]
    private static partial Regex IfBranch();

    [GeneratedRegex(@"^(?<function>[A-Za-z]+(?:\.[A-Za-z]+)+)\((?<arguments>.*)\)\{\[(?<navigation>[^\[\]]*)\]\}\[Data\]$")]
    private static partial Regex SourceAndNavigation();

    [GeneratedRegex(@"^(?<field>[A-Za-z_]\w*) = (?<value>""[^""]*""|[A-Za-z_]\w*)$")]
    private static partial Regex Field();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    /// <summary>The values that the chain of <c>if</c>s names, in order.</summary>
    public static IReadOnlyList<string> Branches(string vy)
    {
        var (_, body) = Split(vy);
        var values = new List<string>();
        while (IfBranch().Match(body) is { Success: true } branch)
        {
            values.Add(branch.Groups["value"].Value);
            body = branch.Groups["rest"].Value;
        }
        return values;
    }

    /// <summary>The source and navigation for <paramref name="databastyp"/> and <paramref name="view"/>; null where the query raises its error.</summary>
    public static ResolvedSource? Resolve(string vy, string databastyp, string view)
    {
        var (parameter, body) = Split(vy);
        while (true)
        {
            if (body.StartsWith("error ", StringComparison.Ordinal))
            {
                return null;
            }
            var branch = IfBranch().Match(body);
            if (!branch.Success)
            {
                throw new FormatException($"Not 'if Databastyp = \"…\" then … else …' nor 'error …': {body}");
            }
            if (branch.Groups["value"].Value == databastyp)
            {
                return Source(branch.Groups["then"].Value, parameter, view);
            }
            body = branch.Groups["rest"].Value;
        }
    }

    private static (string Parameter, string Body) Split(string vy)
    {
        var function = Function().Match(WhiteSpace().Replace(vy, " ").Trim());
        return function.Success
            ? (function.Groups["param"].Value, function.Groups["body"].Value)
            : throw new FormatException($"{Name} is not '(name as text) as table => …': {vy}");
    }

    private static ResolvedSource Source(string branch, string parameter, string view)
    {
        var call = SourceAndNavigation().Match(branch);
        if (!call.Success)
        {
            throw new FormatException($"A branch is not 'Source(…){{[…]}}[Data]': {branch}");
        }
        var navigation = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in call.Groups["navigation"].Value.Split(',', StringSplitOptions.TrimEntries))
        {
            var field = Field().Match(part);
            if (!field.Success)
            {
                throw new FormatException($"A navigation field is not 'Name = \"text\"' or 'Name = {parameter}': {part}");
            }
            var value = field.Groups["value"].Value;
            navigation.Add(field.Groups["field"].Value, value == parameter ? view : value.StartsWith('"') ? value[1..^1] : throw new FormatException($"The navigation names {value}, not {parameter}: {part}"));
        }
        return new ResolvedSource(call.Groups["function"].Value, call.Groups["arguments"].Value, navigation);
    }
}
