using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// Thousands of mutants of the demo's list exports against the one parser Graph and offline files share. A page the
/// JSON parser cannot read may be refused whole, with the documented <see cref="JsonException"/> (a list that cannot
/// be read fails its job, sharepoint-lists.md); every item read is either taken with the values its JSON holds, after
/// the contract's normalisation, or rejected with problems naming the list and the item; nothing throws.
/// </summary>
public sealed class ListItemFuzzFacts
{
    private static readonly DateTime AsOf = new(2024, 6, 15, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void ListItemMutants_AreTakenAsTheirJsonSays_OrRejectedNamingListAndItem()
    {
        var findings = new FuzzFindings(nameof(ListItemFuzzFacts));
        var lists = ListNames.All.Select(name => (Name: name, Items: JsonNode.Parse(FuzzCorpus.Instance.Lists[name])!["value"]!.AsArray())).ToList();
        foreach (var number in FuzzSettings.CaseNumbers(1_500))
        {
            var random = FuzzSettings.ForCase("list", number);
            var (listName, items) = lists[random.Next(lists.Count)];
            var mutant = ListMutator.Mutate(listName, items, random);
            var description = $"seed {FuzzSettings.Seed} case {number}: {mutant.Describe()}";
            FuzzSettings.Trace(description);
            findings.CaseRun();
            var (changes, thrown, allocated) = WorkbookReaderFuzzFacts.Measure(() =>
                ListJson.EnumerateItems(mutant.Json).Select(item => ListItemParser.Parse(listName, item, AsOf)).ToList());
            findings.Allocated(allocated, description);
            if (thrown is JsonException)
            {
                if (!mutant.Structural && !mutant.Mutations.Any(m => m.StartsWith("[id-type]", StringComparison.Ordinal)))
                {
                    findings.Violation("a well-formed page refused whole", number, description, thrown.Message);
                }
                continue;
            }
            if (thrown is not null)
            {
                findings.Violation(WorkbookReaderFuzzFacts.Thrown(thrown), number, description, thrown.ToString().Split('\n')[0]);
                continue;
            }
            foreach (var change in changes!)
            {
                Check(findings, number, description, listName, mutant, change);
            }
        }
        findings.AssertNone();
    }

    private static void Check(FuzzFindings findings, int number, string description, string listName, ListMutant mutant, ListItemChange change)
    {
        if (change.Removed)
        {
            return;
        }
        if (change.Rejected)
        {
            if (change.Problems.Count == 0)
            {
                findings.Violation("rejected without a problem", number, description, "");
            }
            foreach (var problem in change.Problems)
            {
                if (problem.Source != listName || problem.ItemId != change.ItemId)
                {
                    findings.Violation("a problem names another list or item", number, description, problem.ToString());
                }
                if (problem.Message.Length > WorkbookReaderFuzzFacts.MaxMessageLength)
                {
                    findings.Violation("a problem message quotes a whole value", number, description, $"{problem.Message.Length:N0} characters");
                }
            }
            return;
        }
        var lastModified = mutant.Item["lastModifiedDateTime"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : null;
        var created = mutant.Item["createdDateTime"] is JsonValue c && c.TryGetValue<string>(out var createdText) ? createdText : null;
        var outcomes = mutant.Variants.Select(v => ListReference.For(listName, v, lastModified, created)).ToList();
        if (outcomes.All(o => o.MustReject.Count > 0))
        {
            var reasons = outcomes.SelectMany(o => o.MustReject).Distinct().ToList();
            findings.Violation($"{listName}: accepted what the contract rejects ({Kind(reasons[0])})", number, description, string.Join("; ", reasons.Take(3)));
            return;
        }
        var differences = outcomes.Where(o => o.MustReject.Count == 0).Select(o => Differences(change.Item!, o.Values)).ToList();
        if (differences.All(d => d.Count > 0))
        {
            var first = differences.First(d => d.Count > 0);
            findings.Violation($"{listName}: took a value other than its JSON's ({first[0].Split(':')[0]})", number, description, string.Join("; ", first.Take(3)));
        }
    }

    /// <summary>The class of a reason: its field and what is wrong, without the value.</summary>
    private static string Kind(string reason)
    {
        var words = reason.Split(' ');
        return words.Length > 2 ? $"{words[0]} … {string.Join(' ', words[^2..])}" : reason;
    }

    private static List<string> Differences(object item, Dictionary<string, object?> expected)
    {
        var differences = new List<string>();
        foreach (var (property, value) in expected)
        {
            var actual = item.GetType().GetProperty(property)!.GetValue(item);
            if (actual is string s && s.Length > new InputLimits().MaxTextLength)
            {
                differences.Add($"{property}: {s.Length:N0} characters kept, more than InputLimits:MaxTextLength");
            }
            else if (!Same(actual, value))
            {
                differences.Add($"{property}: {Show(actual)}, the JSON says {Show(value)}");
            }
        }
        return differences;
    }

    private static bool Same(object? actual, object? expected) => (actual, expected) switch
    {
        (null, null) => true,
        (DateOnly a, DateOnly e) => a == e,
        (decimal a, decimal e) => a == e,
        (int a, int e) => a == e,
        (string a, string e) => a == e,
        (IEnumerable a, IEnumerable e) when a is not string => a.Cast<object>().SequenceEqual(e.Cast<object>()),
        // A required field the model holds as a value type: default when the item is rejected anyway.
        _ => Equals(actual, expected),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => s.Length > 40 ? $"\"{s[..40]}…\" ({s.Length:N0})" : $"\"{s}\"",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object>()) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
