using System.Data.Common;
using System.Globalization;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loads;

/// <summary>
/// The key no two current items of a list may share: the register's keys, and what makes one score or one status
/// report (sharepoint-lists.md: one assessment item per initiative, criterion and date). Where items share one, none of
/// them changes the warehouse (<see cref="Marts.ListKeys.OnePerKey"/>): the latest modified item winning silently let a second
/// item make its author the objektsförvaltare, or flip an initiative's phase back and forth. Reported by every run that
/// takes the list in, read or unchanged, while the items last.
/// </summary>
public static class ListSharedKeys
{
    /// <summary>How many item ids a problem of a shared key names; an item can be copied thousands of times.</summary>
    private const int IdsShown = 10;

    /// <summary>A column of a list's key, with the field that fills it and whether it holds a date.</summary>
    private sealed record KeyColumn(string Column, string Field, bool IsDate = false);

    private static readonly Dictionary<string, KeyColumn[]> UniqueKeys = new(StringComparer.Ordinal)
    {
        [RefreshRun.Lists.Initiatives] = [new("initiative_id", "InitiativId")],
        [RefreshRun.Lists.Objects] = [new("object_id", "ObjektId")],
        [RefreshRun.Lists.Assessments] = [new("initiative_id", "InitiativId"), new("criterion_code", "Kriterium"), new("assessed_on", "Bedomningsdatum", IsDate: true)],
        [RefreshRun.Lists.ProjectStatus] = [new("initiative_id", "InitiativId"), new("report_date", "Rapportdatum", IsDate: true)],
    };

    /// <summary>
    /// One problem for each current item of the list whose key another current item has, each naming the key and
    /// all the items that share it, so that whichever item a reader looks at tells what to mend.
    /// </summary>
    public static async Task<List<SourceProblem>> ProblemsAsync(RunTransaction sql, string listName, CancellationToken ct)
    {
        if (!UniqueKeys.TryGetValue(listName, out var columns))
        {
            return [];
        }
        var table = ListStaging.TableOf(listName).Name;
        var names = string.Join(", ", columns.Select(c => c.Column));
        var rows = await sql.ReadAsync(
            $"""
            SELECT {string.Join(", ", columns.Select(c => "s." + c.Column))}, s.item_id
            FROM {table} s
            JOIN (SELECT {names} FROM {table} GROUP BY {names} HAVING COUNT(*) > 1) d
              ON {string.Join(" AND ", columns.Select(c => $"d.{c.Column} = s.{c.Column}"))}
            """,
            r => new SharedItem(
                // Grouped by the values themselves: two long keys may read alike as excerpts.
                string.Join('\u001f', columns.Select((c, i) => c.IsDate ? DayText(Date(r, i)) : Text(r, i))),
                string.Join(", ", columns.Select((c, i) => KeyPart(c, r, i))),
                Text(r, columns.Length)), ct);
        var problems = new List<SourceProblem>();
        foreach (var key in rows.GroupBy(r => r.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ids = key.Select(r => r.ItemId).OrderBy(id => id.Length).ThenBy(id => id, StringComparer.Ordinal).ToList();
            // An offline export's ids are any text: a long one is quoted as an excerpt, as any value is.
            var shown = string.Join(", ", ids.Take(IdsShown).Select(id => id.Length > InputLimits.ExcerptCharacters ? InputLimits.Excerpt(id) : id)) + (ids.Count > IdsShown ? $" och {ids.Count - IdsShown} till" : "");
            var message = $"{key.First().Shown} finns i {ids.Count} objekt ({shown}). Inget av dem läses in förrän bara ett objekt har den nyckeln; "
                + "till dess gäller det som senast lästes in för den, eller inget om inget har lästs in.";
            problems.AddRange(ids.Select(id => SourceProblem.ForItem(listName, id, message)));
        }
        return problems;
    }

    /// <summary>The sentence a list read's message ends with when items of the list share a key.</summary>
    public static string Sentence(IReadOnlyCollection<SourceProblem> shared) => shared.Count switch
    {
        0 => "",
        1 => " 1 objekt har en nyckel som ett annat objekt också har, och läses inte in.",
        _ => $" {shared.Count} objekt har en nyckel som ett annat objekt också har, och läses inte in.",
    };

    private sealed record SharedItem(string Key, string Shown, string ItemId);

    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string KeyPart(KeyColumn column, DbDataReader r, int i)
    {
        if (column.IsDate)
        {
            return $"{column.Field} {DayText(Date(r, i))}";
        }
        var value = Text(r, i);
        if (column.Field == "Kriterium" && Criteria.All.FirstOrDefault(c => c.Code == value) is { } criterion)
        {
            value = criterion.Name;
        }
        return $"{column.Field} {InputLimits.Excerpt(value)}";
    }
}
