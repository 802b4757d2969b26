using System.Data.Common;
using System.Globalization;

namespace NackaInsights.TestSupport;

/// <summary>
/// Everything the pbi_* views show, as comparable text: each view's rows, values normalised so that
/// SQLite's and PostgreSQL's representations of the same figure compare equal, rows sorted.
/// </summary>
public static class ViewSnapshot
{
    public static async Task<SortedDictionary<string, List<string>>> ReadAsync(
        NackaInsights.Warehouse.Storage.WarehouseDatabase database,
        Func<string, bool>? includeView = null,
        IReadOnlySet<string>? excludeColumns = null)
    {
        var views = (await SchemaCatalog.ReadAsync(database))
            .Where(o => o.Kind == SchemaObject.View && o.Name.StartsWith("pbi_", StringComparison.Ordinal))
            .Where(o => includeView?.Invoke(o.Name) ?? true)
            .ToList();
        var snapshot = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync();
        foreach (var view in views)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {view.Name}";
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                var values = new List<string>();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (excludeColumns?.Contains(reader.GetName(i)) == true)
                    {
                        continue;
                    }
                    values.Add($"{reader.GetName(i)}={Normalize(reader.IsDBNull(i) ? null : reader.GetValue(i))}");
                }
                rows.Add(string.Join(" | ", values));
            }
            rows.Sort(StringComparer.Ordinal);
            snapshot[view.Name] = rows;
        }
        return snapshot;
    }

    public static string Normalize(object? value) => value switch
    {
        null => "∅",
        double d => Math.Round((decimal)d, 3).ToString("0.###", CultureInfo.InvariantCulture),
        float f => Math.Round((decimal)f, 3).ToString("0.###", CultureInfo.InvariantCulture),
        decimal m => Math.Round(m, 3).ToString("0.###", CultureInfo.InvariantCulture),
        DateTime dt when dt.TimeOfDay == TimeSpan.Zero => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        string s when s.EndsWith(" 00:00:00.000", StringComparison.Ordinal) && s.Length == 23 => s[..10],
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The differences between two snapshots, for a readable assertion message.</summary>
    public static string Diff(SortedDictionary<string, List<string>> expected, SortedDictionary<string, List<string>> actual)
    {
        var lines = new List<string>();
        foreach (var view in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            var e = expected.GetValueOrDefault(view) ?? [];
            var a = actual.GetValueOrDefault(view) ?? [];
            foreach (var missing in e.Except(a).Take(3))
            {
                lines.Add($"{view}: - {missing}");
            }
            foreach (var extra in a.Except(e).Take(3))
            {
                lines.Add($"{view}: + {extra}");
            }
        }
        return string.Join(Environment.NewLine, lines);
    }
}
