using System.Text;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// The oracle's violations over a fuzzing run, grouped into classes (what went wrong, for which mutation) so that a
/// thousand cases of one bug read as one line, each with the first case's description and the command that runs it again.
/// </summary>
public sealed class FuzzFindings(string factsClass)
{
    private readonly Dictionary<string, (int Count, string First)> _classes = [];

    public int Cases { get; private set; }

    public long LargestAllocation { get; private set; }

    public string LargestAllocationCase { get; private set; } = "";

    public void CaseRun() => Cases++;

    public void Allocated(long bytes, string description)
    {
        if (bytes > LargestAllocation)
        {
            LargestAllocation = bytes;
            LargestAllocationCase = description;
        }
    }

    /// <summary>Records a violation: <paramref name="what"/> names its class, <paramref name="detail"/> is the case's own.</summary>
    public void Violation(string what, int number, string description, string detail, string? reproduce = null)
    {
        var text = $"{description}\n      {detail}\n      reproduce: {reproduce ?? FuzzSettings.Reproduce(factsClass, number)}";
        _classes[what] = _classes.TryGetValue(what, out var known) ? (known.Count + 1, known.First) : (1, text);
    }

    public bool Any => _classes.Count > 0;

    public string Summary()
    {
        var builder = new StringBuilder();
        builder.AppendLine($"{factsClass}: seed {FuzzSettings.Seed}, {Cases} cases, largest allocation {LargestAllocation / (1024.0 * 1024.0):0.0} MiB ({LargestAllocationCase})");
        foreach (var (what, (count, first)) in _classes.OrderByDescending(c => c.Value.Count))
        {
            builder.AppendLine($"  {count} × {what}");
            builder.AppendLine($"    first: {first}");
        }
        return builder.ToString();
    }

    /// <summary>Fails the fact with every class found; prints the summary either way.</summary>
    public void AssertNone()
    {
        var summary = Summary();
        TestContext.Current.SendDiagnosticMessage(summary);
        Console.WriteLine(summary);
        Assert.False(Any, summary);
    }
}
