using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// Lists as a municipality already has them (sharepoint-lists.md), in the offline form: columns of their own names
/// (<c>Owner</c>, <c>Status0</c>, <c>field_3</c>), owners and förvaltare as person columns resolved through the site's user
/// information list, the förvaltningsobjekt and the assessments' and statuses' initiative as lookups, the completion as a
/// percentage column (a fraction), the site's own choice values and a managed metadata unit, with each list's
/// <c>.columns.json</c>; read through the mapping configured as an operator would, against the same content under the
/// contract's names.
/// </summary>
public abstract class MappedListsFacts() : SourceFolderFacts("nacka-mapped-lists")
{
    private static readonly DateTimeOffset March = new(2024, 3, 4, 9, 0, 0, TimeSpan.Zero);

    private static readonly (int Id, string Email, string Name)[] Users =
    [
        (7, "anna.andersson@nacka.se", "Anna Andersson"),
        (8, "bo.berg@nacka.se", "Bo Berg"),
        (9, "cecilia.carlsson@nacka.se", "Cecilia Carlsson"),
    ];

    private sealed record ObjectRow(string ItemId, string ObjektId, string Title, int Manager, string Unit);

    private sealed record InitiativeRow(string ItemId, string Id, string Title, string Unit, string Phase, string? ObjectItem, int[] Owners, string[] Goals, string? Decision);

    private sealed record AssessmentRow(string ItemId, string InitiativeItem, string Criterion, int Score, string Date);

    private sealed record StatusRow(string ItemId, string InitiativeItem, string Date, string Status, decimal? Fraction, int? Budget);

    private static readonly ObjectRow[] Objects =
    [
        new("1", "OBJ-ARKIV", "E-arkiv", 7, "Stadsledningskontoret"),
        new("2", "OBJ-BYGG", "Bygglovssystem", 8, "Miljö och stadsbyggnad"),
    ];

    private static readonly InitiativeRow[] Initiatives =
    [
        new("11", "DIG-1", "Digital arkivering", "Stadsledningskontoret", Phases.Project, "1", [7], ["Maximalt värde för skattepengarna"], "2023-11-14T23:00:00Z"),
        new("12", "DIG-2", "E-tjänst för bygglov", "Miljö och stadsbyggnad", Phases.Idea, "2", [8, 7], ["Attraktiva livsmiljöer i hela Nacka", "Maximalt värde för skattepengarna"], null),
        new("13", "DIG-3", "Chattbot för kundtjänst", "Stadsledningskontoret", Phases.Preparation, null, [9], [], null),
    ];

    private static readonly AssessmentRow[] Assessments =
        [.. Criteria.All.Select((c, i) => new AssessmentRow($"{100 + i}", "11", c.Name, 1 + (i * 3 % 4), "2023-10-02"))];

    private static readonly StatusRow[] Statuses =
    [
        new("201", "11", "2024-01-31", ProjectStatuses.Green, 0.2m, 150_000),
        new("202", "11", "2024-02-29", ProjectStatuses.Yellow, 0.45m, 320_000),
        new("203", "12", "2024-02-29", ProjectStatuses.Green, null, null),
    ];

    // The site's own choice values, and what they are in the contract.
    private static readonly Dictionary<string, string> SitePhases = new() { [Phases.Idea] = "Ny idé", [Phases.Preparation] = "Under beredning", [Phases.Project] = "Pågår" };
    private static readonly Dictionary<string, string> SiteStatuses = new() { [ProjectStatuses.Green] = "På spår" };

    /// <summary>The mapping as an operator configures it; here in the environment variables' form (<c>__</c> for <c>:</c>).</summary>
    private static readonly Dictionary<string, string?> Mapping = new()
    {
        ["GraphOptions__Lists__Forvaltningsobjekt__Columns__ForvaltareEpost"] = "Forvaltare",
        ["GraphOptions__Lists__Initiativ__Columns__InitiativId"] = "field_1",
        ["GraphOptions__Lists__Initiativ__Columns__AgareEpost"] = "Owner",
        ["GraphOptions__Lists__Initiativ__Columns__Fas"] = "Status0",
        ["GraphOptions__Lists__Initiativ__Columns__ForvaltningsobjektId"] = "Objekt",
        ["GraphOptions__Lists__Initiativ__Choices__Fas__Ny idé"] = Phases.Idea,
        ["GraphOptions__Lists__Initiativ__Choices__Fas__Under beredning"] = Phases.Preparation,
        ["GraphOptions__Lists__Initiativ__Choices__Fas__Pågår"] = Phases.Project,
        ["GraphOptions__Lists__Bedomningar__Columns__InitiativId"] = "Initiativ",
        ["GraphOptions__Lists__Projektstatus__Columns__InitiativId"] = "Initiativ",
        ["GraphOptions__Lists__Projektstatus__Columns__Fardiggrad"] = "field_3",
        ["GraphOptions__Lists__Projektstatus__Choices__Status__På spår"] = ProjectStatuses.Green,
    };

    private static GraphOptions Configured(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => s.Value))
            .Build();
        return configuration.GetSection(GraphOptions.Section).Get<GraphOptions>() ?? new GraphOptions();
    }

    private readonly CapturingLogger<RefreshPipeline> _log = new();

    private Task<RunResult> RefreshAsync(TestWarehouse warehouse, string folder, GraphOptions graph) =>
        new RefreshPipeline(warehouse.Loader(), new WorkbookLimits(), _log, graph: graph).RunAsync(folder, "test", null, Ct);

    private static string Email(int user) => Users.Single(u => u.Id == user).Email;

    private static string KeyOf(string initiativeItem) => Initiatives.Single(i => i.ItemId == initiativeItem).Id;

    private static JsonObject Item(string id, JsonObject fields, DateTimeOffset? modified = null) => new()
    {
        ["id"] = id,
        ["createdDateTime"] = "2023-09-01T08:00:00Z",
        ["lastModifiedDateTime"] = (modified ?? March).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["fields"] = fields,
    };

    private static void Save(string folder, string name, IEnumerable<JsonNode> values)
    {
        Directory.CreateDirectory(Path.Combine(folder, SourceFolder.Lists));
        var page = new JsonObject { ["value"] = new JsonArray([.. values]) };
        File.WriteAllText(Path.Combine(folder, SourceFolder.Lists, name + ".json"), page.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    /// <summary>The content under the contract's names: e-mails as text, keys as text, the percentage 0–100.</summary>
    private static void WriteContractFolder(string folder)
    {
        Save(folder, ListNames.Objects, Objects.Select(o => Item(o.ItemId, new JsonObject
        {
            ["Title"] = o.Title, ["ObjektId"] = o.ObjektId, ["ForvaltareEpost"] = Email(o.Manager), ["Verksamhet"] = o.Unit,
        })));
        Save(folder, ListNames.Initiatives, Initiatives.Select(i => Item(i.ItemId, new JsonObject
        {
            ["Title"] = i.Title, ["InitiativId"] = i.Id, ["Verksamhet"] = i.Unit, ["Fas"] = i.Phase, ["Typ"] = "Verksamhetsutveckling", ["Behov"] = "Kommungemensamt",
            ["ForvaltningsobjektId"] = i.ObjectItem is { } o ? Objects.Single(x => x.ItemId == o).ObjektId : null,
            ["AgareEpost"] = string.Join("; ", i.Owners.Select(Email)), ["StrategiskaMal"] = Array(i.Goals), ["Beslutsdatum"] = i.Decision,
        })));
        Save(folder, ListNames.Assessments, Assessments.Select(a => Item(a.ItemId, new JsonObject
        {
            ["InitiativId"] = KeyOf(a.InitiativeItem), ["Kriterium"] = a.Criterion, ["Poang"] = a.Score, ["Bedomningsdatum"] = a.Date,
        })));
        Save(folder, ListNames.ProjectStatus, Statuses.Select(s => Item(s.ItemId, new JsonObject
        {
            ["InitiativId"] = KeyOf(s.InitiativeItem), ["Rapportdatum"] = s.Date, ["Status"] = s.Status,
            ["Fardiggrad"] = s.Fraction is { } f ? f * 100 : null, ["BudgetForbrukad"] = s.Budget,
        })));
    }

    /// <summary>The same content as the site has it, with its column definitions and user information list.</summary>
    private static void WriteSiteFolder(string folder, IEnumerable<InitiativeRow>? initiatives = null, Action<List<JsonNode>>? moreInitiatives = null, Action<List<JsonNode>>? moreStatuses = null)
    {
        Save(folder, SiteUsers.ListTitle, Users.Select(u => (JsonNode)new JsonObject
        {
            ["id"] = u.Id.ToString(CultureInfo.InvariantCulture), ["fields"] = new JsonObject { ["Title"] = u.Name, ["EMail"] = u.Email },
        }));
        Save(folder, ListNames.Objects, Objects.Select(o => Item(o.ItemId, new JsonObject
        {
            ["Title"] = o.Title, ["ObjektId"] = o.ObjektId, ["ForvaltareLookupId"] = o.Manager.ToString(CultureInfo.InvariantCulture),
            // A managed metadata column: Graph gives the term with its label.
            ["Verksamhet"] = new JsonObject { ["Label"] = o.Unit, ["TermGuid"] = $"5f0f4c6e-6d0a-4b3e-9a57-0000000000{o.ItemId.PadLeft(2, '0')}", ["WssId"] = 3 },
        })));
        var items = (initiatives ?? Initiatives).Select(i => (JsonNode)Item(i.ItemId, new JsonObject
        {
            ["Title"] = i.Title, ["field_1"] = i.Id, ["Verksamhet"] = i.Unit, ["Status0"] = SitePhases[i.Phase], ["Typ"] = "Verksamhetsutveckling", ["Behov"] = "Kommungemensamt",
            ["ObjektLookupId"] = i.ObjectItem,
            // A multi-person column: Graph gives each person's LookupId, name and (not used) e-mail.
            ["Owner"] = new JsonArray([.. i.Owners.Select(o => (JsonNode?)new JsonObject { ["LookupId"] = o, ["LookupValue"] = Users.Single(u => u.Id == o).Name, ["Email"] = "inte.denna@nacka.se" })]),
            ["StrategiskaMal"] = Array(i.Goals), ["Beslutsdatum"] = i.Decision,
        })).ToList();
        moreInitiatives?.Invoke(items);
        Save(folder, ListNames.Initiatives, items);
        Save(folder, ListNames.Assessments, Assessments.Select(a => Item(a.ItemId, new JsonObject
        {
            ["InitiativLookupId"] = a.InitiativeItem, ["Kriterium"] = a.Criterion, ["Poang"] = a.Score, ["Bedomningsdatum"] = a.Date,
        })));
        var statuses = Statuses.Select(s => (JsonNode)Item(s.ItemId, new JsonObject
        {
            ["InitiativLookupId"] = int.Parse(s.InitiativeItem, CultureInfo.InvariantCulture), ["Rapportdatum"] = s.Date, ["Status"] = SiteStatuses.GetValueOrDefault(s.Status, s.Status),
            ["field_3"] = s.Fraction, ["BudgetForbrukad"] = s.Budget,
        })).ToList();
        moreStatuses?.Invoke(statuses);
        Save(folder, ListNames.ProjectStatus, statuses);

        // Graph's columnDefinition shapes (https://learn.microsoft.com/graph/api/resources/columndefinition).
        Columns(folder, ListNames.Objects, Text("Title"), Text("ObjektId"), Person("Forvaltare", multiple: false),
            Column("Verksamhet", "term", new JsonObject { ["allowMultipleValues"] = false }));
        Columns(folder, ListNames.Initiatives, Text("Title"), Text("field_1"), Text("Verksamhet"), Choice("Status0", SitePhases.Values),
            Choice("Typ", ListFields.InitiativeTypes), Choice("Behov", ListFields.NeedTypes), Lookup("Objekt", "ObjektId"), Person("Owner", multiple: true),
            Column("StrategiskaMal", "choice", new JsonObject { ["choices"] = Array(StrategicGoals.All.Select(g => g.Name)), ["displayAs"] = "checkBoxes" }),
            Column("Hypotes", "text", new JsonObject { ["allowMultipleLines"] = true }), Column("Beslutsdatum", "dateTime", new JsonObject { ["format"] = "dateOnly" }));
        Columns(folder, ListNames.Assessments, Lookup("Initiativ", "Title"), Choice("Kriterium", Criteria.All.Select(c => c.Name)),
            Column("Poang", "number", new JsonObject()), Column("Bedomningsdatum", "dateTime", new JsonObject()), Text("Kommentar"));
        Columns(folder, ListNames.ProjectStatus, Lookup("Initiativ", "Title"), Column("Rapportdatum", "dateTime", new JsonObject()),
            Choice("Status", ["På spår", ProjectStatuses.Yellow, ProjectStatuses.Red]),
            Column("field_3", "number", new JsonObject { ["displayAs"] = "percentage" }), Column("BudgetForbrukad", "currency", new JsonObject { ["locale"] = "sv-SE" }), Text("Kommentar"));
    }

    private static JsonObject Column(string name, string facet, JsonObject settings) => new() { ["name"] = name, ["displayName"] = name, [facet] = settings };

    private static JsonObject Text(string name) => Column(name, "text", new JsonObject { ["allowMultipleLines"] = false });

    private static JsonObject Person(string name, bool multiple) => Column(name, "personOrGroup", new JsonObject { ["allowMultipleSelection"] = multiple });

    private static JsonObject Lookup(string name, string shown) => Column(name, "lookup", new JsonObject { ["listId"] = $"8c1e0f57-1c1b-4b7e-a0a5-{name.Length:000000000000}", ["columnName"] = shown });

    private static JsonObject Choice(string name, IEnumerable<string> values) => Column(name, "choice", new JsonObject { ["choices"] = Array(values) });

    private static void Columns(string folder, string list, params JsonObject[] columns) =>
        File.WriteAllText(Path.Combine(folder, SourceFolder.Lists, list + OfflineListSource.ColumnsSuffix),
            new JsonObject { ["value"] = new JsonArray([.. columns]) }.ToJsonString());

    /// <summary>
    /// What two warehouses loaded alike differ in by design: when the run started, finished and loaded (timestamps of
    /// processing). The run's source, the folder's path, differs too, and is compared in pbi_etl_run only without it.
    /// Run ids are alike: each warehouse's first run is its run 1. The raw fields (raw_list_item) are no view.
    /// </summary>
    private static readonly HashSet<string> Processing = new(StringComparer.Ordinal)
    {
        "started_at_utc", "finished_at_utc", "finished_at_local", "loaded_at_utc", "processed_at_utc", "requested_at_utc",
    };

    [Fact]
    public async Task ListsAsTheSiteHasThem_ReadThroughTheMapping_GiveEveryViewTheRowsOfTheContractNamedLists()
    {
        WriteSiteFolder(Source.Path);

        var result = await RefreshAsync(Warehouse, Source.Path, Configured(Mapping));

        Assert.True(result.Succeeded, result.Message);
        Assert.False(result.HasRejections, string.Join(" | ", result.Lists.SelectMany(l => l.Problems)));
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal([("DIG-1", "OBJ-ARKIV", "anna.andersson@nacka.se"), ("DIG-2", "OBJ-BYGG", "bo.berg@nacka.se; anna.andersson@nacka.se"), ("DIG-3", null, "cecilia.carlsson@nacka.se")],
            await QueryAsync<(string, string?, string)>("SELECT initiative_id, object_id, owner_email FROM pbi_dim_initiative ORDER BY initiative_id"));

        using var contractSource = new TempDirectory("nacka-contract-lists");
        using var contract = await (await CreateWarehouseAsync()).MigratedAsync();
        WriteContractFolder(contractSource.Path);
        var contractResult = await RefreshAsync(contract, contractSource.Path, new GraphOptions());
        Assert.True(contractResult.Succeeded, contractResult.Message);

        var expected = await ViewSnapshot.ReadAsync(contract.Database, v => v != "pbi_etl_run", Processing);
        var actual = await ViewSnapshot.ReadAsync(Warehouse.Database, v => v != "pbi_etl_run", Processing);
        Assert.True(ViewSnapshot.Diff(expected, actual).Length == 0, ViewSnapshot.Diff(expected, actual));
        var withoutSource = new HashSet<string>(Processing) { "source" };
        Assert.Equal(await ViewSnapshot.ReadAsync(contract.Database, v => v == "pbi_etl_run", withoutSource),
            await ViewSnapshot.ReadAsync(Warehouse.Database, v => v == "pbi_etl_run", withoutSource));
        // The views compared hold what the lists gave, not nothing alike.
        foreach (var view in new[] { "pbi_dim_initiative", "pbi_dim_object", "pbi_fct_evaluation_score", "pbi_fct_project_status", "pbi_bridge_initiative_goal", "pbi_sec_object_access" })
        {
            Assert.True(actual[view].Count > 0, $"{view} has no rows");
        }
        Assert.Equal([20m, 45m], (await QueryAsync<decimal>("SELECT percent_complete FROM pbi_fct_project_status WHERE initiative_id = 'DIG-1' ORDER BY report_date")));
    }

    [Fact]
    public async Task APersonMissingFromTheUserList_ALookupToADeletedItem_AndAnUnmappedChoice_EachSkipTheirItem_AndTheRestLoads()
    {
        WriteSiteFolder(Source.Path,
            moreInitiatives: items =>
            {
                items.Add(Item("14", new JsonObject { ["field_1"] = "DIG-4", ["Status0"] = "Pågår", ["Owner"] = new JsonArray(new JsonObject { ["LookupId"] = 17 }) }));
                items.Add(Item("15", new JsonObject { ["field_1"] = "DIG-5", ["Status0"] = "Vilande", ["Owner"] = new JsonArray(new JsonObject { ["LookupId"] = 9 }) }));
            },
            // Item 16 of Initiativ was deleted: the status still looks it up.
            moreStatuses: items => items.Add(Item("204", new JsonObject { ["InitiativLookupId"] = "16", ["Rapportdatum"] = "2024-02-29", ["Status"] = "Gul" })));

        var result = await RefreshAsync(Warehouse, Source.Path, Configured(Mapping));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(ExitCodes.Rejections, ConsoleReport.ExitCode(result));
        var problems = result.Lists.SelectMany(l => l.Problems).Select(p => p.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            "Initiativ: objekt 14: AgareEpost (kolumnen Owner): personen med id 17 finns inte i webbplatsens användarlista (User Information List).",
            $"Initiativ: objekt 15: Fas (kolumnen Status0): \"Vilande\" är inget av valen {string.Join(", ", Phases.All)}.",
            "Projektstatus: objekt 204: InitiativId (kolumnen Initiativ): uppslaget pekar på objekt 16 i listan Initiativ, som inte finns (borttaget?).",
        ], problems);
        Assert.Equal((2, 1), (result.Lists.Single(l => l.ListName == ListNames.Initiatives).ItemsRejected, result.Lists.Single(l => l.ListName == ListNames.ProjectStatus).ItemsRejected));
        Assert.Equal(["DIG-1", "DIG-2", "DIG-3"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_project_status"));
        // The skipped items are named where the Datakvalitet page shows them.
        Assert.Equal(3L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_problem WHERE message LIKE '%(kolumnen %'"));
    }

    [Fact]
    public async Task AChangedPersonColumn_InALaterRun_MakesANewHistoryVersionOfTheInitiative()
    {
        WriteSiteFolder(Source.Path);
        var first = await RefreshAsync(Warehouse, Source.Path, Configured(Mapping));
        Assert.True(first.Succeeded, first.Message);

        var handedOver = Initiatives.Select(i => i.Id == "DIG-3" ? i with { Owners = [8] } : i).ToList();
        WriteSiteFolder(Source.Path, handedOver);
        // The item's own modification time moves with the change, as SharePoint's does.
        var json = File.ReadAllText(Path.Combine(Source.Path, SourceFolder.Lists, ListNames.Initiatives + ".json"));
        var page = JsonNode.Parse(json)!;
        page["value"]!.AsArray().Single(i => (string?)i!["id"] == "13")!["lastModifiedDateTime"] = "2024-04-02T10:00:00Z";
        File.WriteAllText(Path.Combine(Source.Path, SourceFolder.Lists, ListNames.Initiatives + ".json"), page.ToJsonString());
        var second = await RefreshAsync(Warehouse, Source.Path, Configured(Mapping));

        Assert.True(second.Succeeded, second.Message);
        Assert.Equal(["1 cecilia.carlsson@nacka.se 0", "2 bo.berg@nacka.se 1"],
            await QueryAsync<string>("""
                SELECT CAST(version_no AS TEXT) || ' ' || owner_email || ' ' || CAST(is_current AS TEXT)
                FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-3' ORDER BY version_no
                """));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-1'"));
    }

    [Fact]
    public async Task AChangedMapping_IsAppliedToListFilesThatDidNotChange()
    {
        WriteSiteFolder(Source.Path);
        var unmapped = new Dictionary<string, string?>(Mapping);
        unmapped.Remove("GraphOptions__Lists__Initiativ__Choices__Fas__Pågår");
        var first = await RefreshAsync(Warehouse, Source.Path, Configured(unmapped));
        Assert.Equal(1, first.Lists.Single(l => l.ListName == ListNames.Initiatives).ItemsRejected);
        Assert.Equal(["DIG-2", "DIG-3"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));

        var second = await RefreshAsync(Warehouse, Source.Path, Configured(Mapping));

        Assert.True(second.Succeeded, second.Message);
        Assert.False(second.HasRejections);
        Assert.Equal(ListReadModes.File, second.Lists.Single(l => l.ListName == ListNames.Initiatives).Mode);
        Assert.Equal(["DIG-1", "DIG-2", "DIG-3"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        Assert.Equal("Projekt", await ScalarAsync<string>("SELECT phase FROM pbi_dim_initiative WHERE initiative_id = 'DIG-1'"));

        var third = await RefreshAsync(Warehouse, Source.Path, Configured(Mapping));

        Assert.All(third.Lists, l => Assert.Equal(ListReadModes.Unchanged, l.Mode));
    }

    /// <summary>
    /// A source that reads as Graph does, by deltas: the whole list without a delta link, nothing changed with one. Its
    /// items, columns and people are the site folder's.
    /// </summary>
    private sealed class DeltaListSource(OfflineListSource site) : IListSource
    {
        public List<(string List, string? DeltaLink)> Reads { get; } = [];

        public bool Has(string listName) => site.Has(listName);

        public async Task<ListRead> ReadAsync(string listName, string? deltaLink, CancellationToken ct)
        {
            Reads.Add((listName, deltaLink));
            var items = deltaLink is null ? (await site.ReadAsync(listName, null, ct)).Items : [];
            return new ListRead(listName, deltaLink is null ? ListReadMode.Full : ListReadMode.Delta, items, $"delta:{listName}:{Reads.Count}");
        }

        public Task<IReadOnlyList<ListColumn>?> ColumnsAsync(string listName, CancellationToken ct) => site.ColumnsAsync(listName, ct);

        public Task<SiteUsers> UsersAsync(CancellationToken ct) => site.UsersAsync(ct);
    }

    [Fact]
    public async Task AChangedMapping_ReadsAListThatGivesDeltas_WholeOnce()
    {
        WriteSiteFolder(Source.Path);
        var source = new DeltaListSource(new OfflineListSource(Path.Combine(Source.Path, SourceFolder.Lists)));
        var unmapped = new Dictionary<string, string?>(Mapping);
        unmapped.Remove("GraphOptions__Lists__Initiativ__Choices__Fas__Pågår");
        Task<RunResult> RunAsync(IReadOnlyDictionary<string, string?> settings) =>
            new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), _log, graph: Configured(settings)).RunAsync(new RunSources([], source), "test", null, Ct);
        var first = await RunAsync(unmapped);
        Assert.Equal(1, first.Lists.Single(l => l.ListName == ListNames.Initiatives).ItemsRejected);
        var unchanged = await RunAsync(unmapped);
        Assert.Equal(ListReadModes.Delta, unchanged.Lists.Single(l => l.ListName == ListNames.Initiatives).Mode);
        source.Reads.Clear();

        var remapped = await RunAsync(Mapping);
        var after = await RunAsync(Mapping);

        Assert.True(remapped.Succeeded, remapped.Message);
        Assert.False(remapped.HasRejections);
        Assert.Equal(ListReadModes.Full, remapped.Lists.Single(l => l.ListName == ListNames.Initiatives).Mode);
        Assert.Equal(["DIG-1", "DIG-2", "DIG-3"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        // The other lists' mappings did not change: they went on by their deltas.
        Assert.Equal([ListNames.Initiatives], source.Reads.Where(r => r.DeltaLink is null).Select(r => r.List));
        Assert.All(after.Lists, l => Assert.Equal(ListReadModes.Delta, l.Mode));
    }
}

public sealed class SqliteMappedListsFacts : MappedListsFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresMappedListsFacts(PostgresCluster cluster) : MappedListsFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
