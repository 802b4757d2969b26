using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Bench.Tests;

/// <summary>
/// The Initiativ list's phase history in the synthetic municipality: twelve monthly exports, deterministic from the
/// seed, each initiative walking forward through the phases, the last export the current list, and replayed through
/// the real pipeline a type-2 history of at least two versions per initiative.
/// </summary>
public sealed class PhaseHistoryFacts : IClassFixture<PhaseHistoryFacts.Municipality>, IDisposable
{
    private const int Initiatives = 24;
    private const int Objects = 4;
    private const int Seed = 7;

    private static readonly string[] Folders =
        ["01-2024-07", "02-2024-08", "03-2024-09", "04-2024-10", "05-2024-11", "06-2024-12",
         "07-2025-01", "08-2025-02", "09-2025-03", "10-2025-04", "11-2025-05", "12-2025-06"];

    /// <summary>Where each phase may lead, one step at a time.</summary>
    private static readonly Dictionary<string, string[]> Next = new()
    {
        [Phases.Idea] = [Phases.Preparation],
        [Phases.Preparation] = [Phases.Decided, Phases.Rejected],
        [Phases.Decided] = [Phases.Project],
        [Phases.Project] = [Phases.Operation],
        [Phases.Operation] = [Phases.Closed],
        [Phases.Closed] = [],
        [Phases.Rejected] = [],
    };

    private readonly Municipality _municipality;
    private readonly TempDirectory _other = new("nacka-bench-history");
    private readonly SqliteTestWarehouse _warehouse = new();

    public PhaseHistoryFacts(Municipality municipality) => _municipality = municipality;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The municipality the facts read, written once for them all.</summary>
    public sealed class Municipality : IDisposable
    {
        private readonly TempDirectory _directory = new("nacka-bench-history");

        public Municipality() => Summary = MunicipalityGenerator.Write(_directory.Path, Seed, Initiatives, Objects);

        public string Root => _directory.Path;

        public MunicipalityGenerator.Summary Summary { get; }

        public void Dispose() => _directory.Dispose();
    }

    private sealed record Item(string Id, string InitiativeId, string Phase, DateTimeOffset Modified, string Fields);

    [Fact]
    public void There_are_twelve_monthly_exports_of_the_list_Initiativ_only()
    {
        var history = Path.Combine(_municipality.Root, MunicipalityGenerator.HistoryFolder);

        Assert.Equal(Folders, Directory.GetDirectories(history).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Folders, f => Assert.Equal(
            [Path.Combine(SourceFolder.Lists, ListNames.Initiatives + ".json")],
            Directory.GetFiles(Path.Combine(history, f), "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(Path.Combine(history, f), p))));
        Assert.Equal(Folders, MunicipalityGenerator.HistoryMonths.Select(m => Path.GetFileName(m.Folder)));
        Assert.Equal(12, _municipality.Summary.HistoryExports);
    }

    [Fact]
    public void The_same_seed_writes_the_same_history_and_another_seed_another_one()
    {
        var again = Path.Combine(_other.Path, "again");
        var otherSeed = Path.Combine(_other.Path, "other");
        var summary = MunicipalityGenerator.Write(again, Seed, Initiatives, Objects);
        MunicipalityGenerator.Write(otherSeed, Seed + 1, Initiatives, Objects);

        Assert.Equal(_municipality.Summary, summary);
        foreach (var month in MunicipalityGenerator.HistoryMonths)
        {
            var relative = Path.Combine(month.Folder, SourceFolder.Lists, ListNames.Initiatives + ".json");
            Assert.Equal(File.ReadAllBytes(Path.Combine(_municipality.Root, relative)), File.ReadAllBytes(Path.Combine(again, relative)));
            Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(_municipality.Root, relative)), File.GetLastWriteTimeUtc(Path.Combine(again, relative)));
        }
        // Another seed draws other paths: compare the months of the phase changes, item by item (the ids differ too).
        Assert.NotEqual(
            Snapshots(_municipality.Root).Select(s => s.Values.OrderBy(i => int.Parse(i.Id, CultureInfo.InvariantCulture)).Select(i => i.Modified).ToList()).SelectMany(x => x),
            Snapshots(otherSeed).Select(s => s.Values.OrderBy(i => int.Parse(i.Id, CultureInfo.InvariantCulture)).Select(i => i.Modified).ToList()).SelectMany(x => x));
    }

    [Fact]
    public void Every_initiative_walks_forward_through_the_phases_and_changes_at_least_once()
    {
        var snapshots = Snapshots(_municipality.Root);
        var ids = MunicipalityGenerator.Catalogue(Seed, Initiatives, Objects).Select(i => i.Id).ToList();

        var changes = 0;
        foreach (var id in ids)
        {
            Assert.All(snapshots, s => Assert.True(s.ContainsKey(id), $"{id} is missing from an export"));
            var phases = snapshots.Select(s => s[id].Phase).ToList();
            for (var m = 1; m < phases.Count; m++)
            {
                Assert.True(phases[m] == phases[m - 1] || Reachable(phases[m - 1]).Contains(phases[m]),
                    $"{id}: {phases[m - 1]} in {Folders[m - 1]}, then {phases[m]} in {Folders[m]}: {string.Join(" → ", phases)}");
                changes += phases[m] == phases[m - 1] ? 0 : 1;
            }
            Assert.True(phases.Distinct().Count() >= 2, $"{id} stays {phases[0]} throughout");
        }
        Assert.Equal(_municipality.Summary.PhaseChanges, changes);
        // Most have several versions, not just the one change.
        Assert.True(ids.Count(id => snapshots.Select(s => s[id].Phase).Distinct().Count() >= 3) > ids.Count / 2);
    }

    [Fact]
    public void An_items_modification_time_is_when_its_phase_last_changed_within_its_month_and_never_goes_back()
    {
        var snapshots = Snapshots(_municipality.Root);
        var months = MunicipalityGenerator.HistoryMonths;
        var current = List(Path.Combine(_municipality.Root, SourceFolder.Lists, ListNames.Initiatives + ".json"));

        for (var m = 0; m < snapshots.Count; m++)
        {
            var monthEnd = new DateTimeOffset(months[m].Year, months[m].Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            Assert.True(months[m].AsOf < monthEnd);
            foreach (var item in snapshots[m].Values)
            {
                Assert.True(item.Modified <= months[m].AsOf, $"{item.InitiativeId} in {Folders[m]} modified {item.Modified:O}, after {months[m].AsOf:O}");
                // The other fields are those of the current export.
                Assert.Equal(current[item.InitiativeId].Fields, item.Fields);
                if (m == 0)
                {
                    continue;
                }
                var before = snapshots[m - 1][item.InitiativeId];
                Assert.Equal(before.Id, item.Id);
                if (before.Phase == item.Phase)
                {
                    Assert.Equal(before.Modified, item.Modified);
                }
                else
                {
                    // Changed during this month: after the previous export, and so never going back.
                    Assert.True(item.Modified > months[m - 1].AsOf, $"{item.InitiativeId} became {item.Phase} at {item.Modified:O}, before {Folders[m - 1]} was taken");
                }
            }
        }
    }

    [Fact]
    public void The_last_export_is_the_current_list()
    {
        var last = Path.Combine(_municipality.Root, MunicipalityGenerator.HistoryMonths[^1].Folder, SourceFolder.Lists, ListNames.Initiatives + ".json");
        var current = Path.Combine(_municipality.Root, SourceFolder.Lists, ListNames.Initiatives + ".json");

        Assert.Equal(File.ReadAllBytes(current), File.ReadAllBytes(last));
        Assert.Equal(
            MunicipalityGenerator.Catalogue(Seed, Initiatives, Objects).ToDictionary(i => i.Id, i => i.Phase),
            List(last).ToDictionary(i => i.Key, i => i.Value.Phase));
    }

    [Fact]
    public async Task Replayed_in_order_the_exports_give_every_initiative_at_least_two_versions()
    {
        await _warehouse.MigratedAsync();
        var pipeline = new RefreshPipeline(_warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance);

        foreach (var month in MunicipalityGenerator.HistoryMonths)
        {
            var result = await pipeline.RunAsync(Path.Combine(_municipality.Root, month.Folder), "test", null, Ct);
            Assert.True(result.Succeeded, $"{month.Folder}: {result.Message}");
            Assert.All(result.Lists, l => Assert.Equal(0, l.ItemsRejected));
        }

        var versions = new Dictionary<string, List<(string Phase, string ValidFrom, long IsCurrent)>>(StringComparer.Ordinal);
        using (var connection = new SqliteConnection($"Data Source={_warehouse.FilePath};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT initiative_id, phase, valid_from, is_current FROM pbi_dim_initiative_history ORDER BY initiative_id, version_no";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetString(0);
                if (!versions.TryGetValue(id, out var list))
                {
                    versions[id] = list = [];
                }
                list.Add((reader.GetString(1), Convert.ToString(reader.GetValue(2), CultureInfo.InvariantCulture)!, reader.GetInt64(3)));
            }
        }

        var snapshots = Snapshots(_municipality.Root);
        Assert.Equal(Initiatives, versions.Count);
        Assert.Equal(Initiatives + _municipality.Summary.PhaseChanges, versions.Values.Sum(v => v.Count));
        foreach (var (id, history) in versions)
        {
            Assert.True(history.Count >= 2, $"{id} has {history.Count} version(s)");
            // One version per phase the exports showed, in order, each valid from the day its phase was entered.
            var seen = snapshots.Select(s => s[id]).DistinctBy(i => i.Phase).ToList();
            Assert.Equal(seen.Select(i => i.Phase), history.Select(v => v.Phase));
            Assert.Equal(seen.Select(i => i.Modified.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), history.Select(v => v.ValidFrom[..10]));
            Assert.Equal([.. Enumerable.Repeat(0L, history.Count - 1), 1L], history.Select(v => v.IsCurrent));
        }
    }

    private static HashSet<string> Reachable(string phase)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var todo = new Stack<string>(Next[phase]);
        while (todo.TryPop(out var next))
        {
            if (reached.Add(next))
            {
                foreach (var after in Next[next])
                {
                    todo.Push(after);
                }
            }
        }
        return reached;
    }

    /// <summary>The twelve exports in order, each by InitiativId.</summary>
    private static List<Dictionary<string, Item>> Snapshots(string root) =>
        [.. Folders.Select(f => List(Path.Combine(root, MunicipalityGenerator.HistoryFolder, f, SourceFolder.Lists, ListNames.Initiatives + ".json")))];

    private static Dictionary<string, Item> List(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var items = new Dictionary<string, Item>(StringComparer.Ordinal);
        foreach (var item in document.RootElement.GetProperty("value").EnumerateArray())
        {
            var fields = item.GetProperty("fields");
            var id = fields.GetProperty("InitiativId").GetString()!;
            var others = string.Join('\n', fields.EnumerateObject().Where(p => p.Name != "Fas").Select(p => $"{p.Name}={p.Value.GetRawText()}"));
            items.Add(id, new Item(item.GetProperty("id").GetString()!, id, fields.GetProperty("Fas").GetString()!,
                item.GetProperty("lastModifiedDateTime").GetDateTimeOffset(), others));
        }
        return items;
    }

    public void Dispose()
    {
        _other.Dispose();
        _warehouse.Dispose();
    }
}
