using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Tests.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// A municipality's own lists through Microsoft Graph, read through the configured mapping, against a site whose lists
/// have the contract's names and the same content: two fake Graph sites over real HTTP, two warehouses on the same kind of database,
/// and every <c>pbi_*</c> view compared. The municipality's site has its own list titles and column names
/// (<c>field_3</c>, <c>Status0</c> with its own values), owners as single and multi person columns resolved through
/// the user information list, the förvaltningsobjekt as a lookup and <c>Fardiggrad</c> as a percentage column.
/// </summary>
public abstract class GraphMappedListsPipelineFacts : PipelineFacts
{
    private static readonly DateTimeOffset January = new(2024, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset March = new(2024, 3, 4, 13, 30, 0, TimeSpan.Zero);

    /// <summary>
    /// What necessarily differs between two warehouses loaded from the same content in two runs: when each run happened.
    /// Run ids are compared (each warehouse numbers its own runs alike), and so are the runs' accounts in <c>pbi_etl_*</c>,
    /// the source each run names with its fake site's address made alike (<see cref="AssertSameViewsAsync"/>).
    /// </summary>
    private static readonly HashSet<string> WhenColumns = ["started_at_utc", "finished_at_utc", "finished_at_local"];

    private FakeGraphServer _municipality = null!;
    private FakeGraphServer _contract = null!;
    private TestWarehouse _contractWarehouse = null!;

    /// <summary>The people of the municipality's site, by their id in its user information list.</summary>
    private static readonly (int Id, string Email, string Name)[] People =
    [
        (7, "anna.berg@nacka.se", "Anna Berg"),
        (12, "omar.haddad@nacka.se", "Omar Haddad"),
        (21, "lena.ek@nacka.se", "Lena Ek"),
    ];

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _municipality = await FakeGraphServer.StartAsync(Ct);
        _contract = await FakeGraphServer.StartAsync(Ct);
        _contractWarehouse = await (await CreateWarehouseAsync()).MigratedAsync();
        BuildMunicipalitySite();
        BuildContractSite();
    }

    public override async ValueTask DisposeAsync()
    {
        await _municipality.DisposeAsync();
        await _contract.DisposeAsync();
        _contractWarehouse.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task TheSitesOwnListsLoadedThroughTheMapping_GiveTheSameViewsAsTheContractsListsWithTheSameContent()
    {
        var mapped = await RunMunicipalityAsync();
        var contract = await RunContractAsync();

        Assert.True(mapped.Succeeded, mapped.Message);
        Assert.True(contract.Succeeded, contract.Message);
        Assert.Empty(contract.Lists.SelectMany(l => l.Problems));
        Assert.Empty(mapped.Lists.SelectMany(l => l.Problems));
        // Not two empty warehouses: the mapped values arrived as the contract's.
        Assert.Equal(
            ["DIG-1 Projekt anna.berg@nacka.se FO-1", "DIG-2 Idé omar.haddad@nacka.se ∅", "DIG-3 Förvaltning lena.ek@nacka.se FO-2"],
            (await QueryAsync<(string Id, string Phase, string? Owner, string? Object)>(
                "SELECT initiative_id, phase, owner_email, object_id FROM pbi_dim_initiative ORDER BY initiative_id"))
            .Select(i => $"{i.Id} {i.Phase} {i.Owner} {i.Object ?? "∅"}"));
        Assert.Equal(["FO-1 anna.berg@nacka.se", "FO-2 omar.haddad@nacka.se"],
            (await QueryAsync<(string Id, string Manager)>("SELECT object_id, manager_email FROM pbi_dim_object ORDER BY object_id")).Select(o => $"{o.Id} {o.Manager}"));
        // A percentage column gives the fraction: 0.45 is 45 %.
        Assert.Equal(45m, await ScalarAsync<decimal>("SELECT percent_complete FROM pbi_fct_project_status WHERE initiative_id = 'DIG-1'"));
        Assert.Equal("Gul", await ScalarAsync<string>("SELECT status FROM pbi_fct_project_status WHERE initiative_id = 'DIG-3'"));
        // Every read of the municipality's site asked for the mapped columns only (the user information list for its two).
        Assert.All(_municipality.Requests.Where(r => r.PathAndQuery.Contains("/items", StringComparison.Ordinal)),
            r => Assert.Contains("$expand=fields($select=", Uri.UnescapeDataString(r.PathAndQuery), StringComparison.Ordinal));
        await AssertSameViewsAsync();
    }

    [Fact]
    public async Task ADeltaRunWithAChangedPersonColumn_CreatesANewHistoryVersion_AsTheContractsListsDo()
    {
        Assert.True((await RunMunicipalityAsync()).Succeeded);
        Assert.True((await RunContractAsync()).Succeeded);

        // DIG-1 changes owner: a person column on the municipality's site, an e-mail on the contract's.
        _municipality.List("Initiativregister").Put("1", MunicipalityInitiative(1, owner: 12), March);
        _contract.List(ListNames.Initiatives).Put("1", ContractInitiative(1, owner: "omar.haddad@nacka.se"), March);
        var mapped = await RunMunicipalityAsync();
        var contract = await RunContractAsync();

        Assert.True(mapped.Succeeded, mapped.Message);
        Assert.True(contract.Succeeded, contract.Message);
        var initiatives = mapped.Lists.Single(l => l.ListName == ListNames.Initiatives);
        Assert.Equal((ListReadModes.Delta, 1), (initiatives.Mode, initiatives.ItemsChanged));
        Assert.Equal(
            ["1 anna.berg@nacka.se 0", "2 omar.haddad@nacka.se 1"],
            (await QueryAsync<(long Version, string Owner, long Current)>(
                "SELECT version_no, owner_email, is_current FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-1' ORDER BY version_no"))
            .Select(v => $"{v.Version} {v.Owner} {v.Current}"));
        await AssertSameViewsAsync();
    }

    private async Task AssertSameViewsAsync()
    {
        var expected = await ViewSnapshot.ReadAsync(_contractWarehouse.Database, excludeColumns: WhenColumns);
        var actual = await ViewSnapshot.ReadAsync(Warehouse.Database, excludeColumns: WhenColumns);
        // Each site has its own port: pbi_etl_run names it as the run's source.
        foreach (var rows in actual.Values)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                rows[i] = rows[i].Replace(_municipality.BaseUrl, _contract.BaseUrl, StringComparison.Ordinal);
            }
        }
        Assert.Contains(expected["pbi_etl_run"], r => r.Contains(_contract.BaseUrl, StringComparison.Ordinal));
        Assert.NotEmpty(expected["pbi_dim_initiative_history"]);
        var diff = ViewSnapshot.Diff(expected, actual);
        Assert.True(diff.Length == 0, "The mapped lists gave other views than the contract's:" + Environment.NewLine + diff);
        // The difference above is of sets: the same rows as many times too.
        Assert.Equal(expected.Select(v => (v.Key, v.Value.Count)), actual.Select(v => (v.Key, v.Value.Count)));
    }

    private async Task<RunResult> RunMunicipalityAsync()
    {
        var options = FakeGraphOptions.For(_municipality);
        options.Lists[ListNames.Objects] = new GraphListOptions
        {
            List = "Objekt",
            Columns = { ["ObjektId"] = "field_1", ["ForvaltareEpost"] = "Forvaltare", ["Verksamhet"] = "field_2" },
        };
        options.Lists[ListNames.Initiatives] = new GraphListOptions
        {
            List = "Initiativregister",
            Columns =
            {
                ["Verksamhet"] = "field_3", ["Fas"] = "Status0", ["ForvaltningsobjektId"] = "Objekt", ["AgareEpost"] = "Owner",
                ["StrategiskaMal"] = "Mal", ["Beslutsdatum"] = "Beslut",
            },
            Choices = { ["Fas"] = new() { ["Ny"] = "Idé", ["Utreds"] = "Beredning", ["Pågående"] = "Projekt", ["I drift"] = "Förvaltning" } },
        };
        options.Lists[ListNames.Assessments] = new GraphListOptions { List = "Bedömningar", Columns = { ["Kriterium"] = "Kriterie", ["Bedomningsdatum"] = "Datum" } };
        options.Lists[ListNames.ProjectStatus] = new GraphListOptions
        {
            List = "Projektrapporter",
            Columns = { ["Rapportdatum"] = "Datum", ["Status"] = "Lage", ["BudgetForbrukad"] = "Budget", ["Kommentar"] = "" },
            Choices = { ["Status"] = new() { ["OK"] = "Grön", ["Risk"] = "Gul", ["Problem"] = "Röd" } },
        };
        Assert.Empty(options.Validate());
        using var lists = new GraphListSource(options, new FixedTokenCredential(), NullLogger<GraphListSource>.Instance);
        return await MappedPipeline(Warehouse, options).RunAsync(new RunSources([], lists), "test", null, Ct);
    }

    private async Task<RunResult> RunContractAsync()
    {
        using var lists = new GraphListSource(FakeGraphOptions.For(_contract), new FixedTokenCredential(), NullLogger<GraphListSource>.Instance);
        return await MappedPipeline(_contractWarehouse, FakeGraphOptions.For(_contract)).RunAsync(new RunSources([], lists), "test", null, Ct);
    }

    /// <summary>The pipeline over <paramref name="warehouse"/>, mapping the lists as <paramref name="graph"/> says.</summary>
    private static RefreshPipeline MappedPipeline(TestWarehouse warehouse, GraphOptions graph) =>
        new(warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance, graph: graph);

    // The same content twice: once as the municipality keeps it, once as the contract names it.

    private static readonly (int Id, string Title, string Key, int Owner, string Unit)[] Objects =
    [
        (1, "Ekonomisystem", "FO-1", 7, "Ekonomi"),
        (2, "Skolplattform", "FO-2", 12, "Välfärd skola"),
    ];

    /// <summary>Initiative item id, title, key, unit, (their phase, our phase), object item id, goals, decided.</summary>
    private static readonly (int Id, string Title, string Key, string Unit, (string Theirs, string Ours) Phase, int? Object, string[] Goals, string? Decided)[] Initiatives =
    [
        (1, "Digital signering", "DIG-1", "Stadsledningskontoret", ("Pågående", "Projekt"), 1, ["Maximalt värde för skattepengarna"], "2024-01-08"),
        (2, "Chattbot för bygglov", "DIG-2", "Miljö och stadsbyggnad", ("Ny", "Idé"), null, [], null),
        (3, "Lärplattform", "DIG-3", "Välfärd skola", ("I drift", "Förvaltning"), 2, ["Bästa utveckling för alla", "Stark och balanserad tillväxt"], "2023-09-12"),
    ];

    private static readonly int[] InitialOwners = [7, 12, 21];

    private static string Email(int person) => People.Single(p => p.Id == person).Email;

    private static object MunicipalityInitiative(int id, int owner)
    {
        var i = Initiatives.Single(x => x.Id == id);
        var fields = new Dictionary<string, object?>
        {
            ["Title"] = i.Title, ["InitiativId"] = i.Key, ["field_3"] = i.Unit, ["Status0"] = i.Phase.Theirs,
            ["Typ"] = "Verksamhetsutveckling", ["Behov"] = "Kommungemensamt",
            ["OwnerLookupId"] = owner.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mal"] = i.Goals, ["Hypotes"] = $"Som handläggare vill jag {i.Title.ToLowerInvariant()} för att spara tid",
            // SharePoint gives a date column as a UTC timestamp, and also the columns it keeps of its own.
            ["Beslut"] = i.Decided is null ? null : $"{i.Decided}T00:00:00Z",
            ["Author"] = "Anna Berg", ["AuthorLookupId"] = "7", ["_UIVersionString"] = "3.0",
        };
        if (i.Object is { } objectId)
        {
            fields["ObjektLookupId"] = objectId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            fields["Objekt"] = Objects.Single(o => o.Id == objectId).Title;
        }
        return fields;
    }

    private static object ContractInitiative(int id, string owner)
    {
        var i = Initiatives.Single(x => x.Id == id);
        return new Dictionary<string, object?>
        {
            ["Title"] = i.Title, ["InitiativId"] = i.Key, ["Verksamhet"] = i.Unit, ["Fas"] = i.Phase.Ours,
            ["Typ"] = "Verksamhetsutveckling", ["Behov"] = "Kommungemensamt",
            ["ForvaltningsobjektId"] = i.Object is { } objectId ? Objects.Single(o => o.Id == objectId).Key : null,
            ["AgareEpost"] = owner, ["StrategiskaMal"] = i.Goals,
            ["Hypotes"] = $"Som handläggare vill jag {i.Title.ToLowerInvariant()} för att spara tid",
            ["Beslutsdatum"] = i.Decided is null ? null : $"{i.Decided}T00:00:00Z",
        };
    }

    /// <summary>Assessment item id, initiative, criterion, score.</summary>
    private static readonly (int Id, string Initiative, string Criterion, int Score)[] Scores =
    [
        .. CriterionNames().Select((c, n) => (Id: n + 1, Initiative: "DIG-1", Criterion: c, Score: 1 + (n % 4))),
        (40, "DIG-2", "Stöd från ledningen", 2),
    ];

    private static IEnumerable<string> CriterionNames() => Criteria.All.Select(c => c.Name);

    /// <summary>Status report item id, initiative, date, (their status, ours), fraction complete, budget.</summary>
    private static readonly (int Id, string Initiative, string Date, (string Theirs, string Ours) Status, double Fraction, int Budget)[] Reports =
    [
        (1, "DIG-1", "2024-01-31", ("OK", "Grön"), 0.45, 120_000),
        (2, "DIG-3", "2024-02-29", ("Risk", "Gul"), 0.8, 340_500),
    ];

    private void BuildMunicipalitySite()
    {
        foreach (var (id, email, name) in People)
        {
            _municipality.PutUser(id, email, name);
        }
        // A person in the site who owns nothing: the list is read whole all the same.
        _municipality.PutUser(30, "per.lind@nacka.se", "Per Lind");

        var objects = _municipality.List("Objekt")
            .TextColumn("Title", "Objekt").TextColumn("field_1", "Objekt-id").PersonColumn("Forvaltare", multiple: true, displayName: "Förvaltare")
            .TextColumn("field_2", "Verksamhet").NoteColumn("Anteckningar");
        foreach (var o in Objects)
        {
            objects.Put($"{o.Id}", new Dictionary<string, object?>
            {
                ["Title"] = o.Title, ["field_1"] = o.Key, ["field_2"] = o.Unit, ["Anteckningar"] = "Förvaltas enligt PM3",
                ["Forvaltare"] = new[] { new { LookupId = o.Owner, LookupValue = People.Single(p => p.Id == o.Owner).Name, Email = Email(o.Owner) } },
            }, January);
        }

        var register = _municipality.List("Initiativregister")
            .TextColumn("Title", "Namn").TextColumn("InitiativId").TextColumn("field_3", "Verksamhet")
            .ChoiceColumn("Status0", "Ny", "Utreds", "Beslutad", "Pågående", "I drift", "Avslutad", "Avslagen")
            .ChoiceColumn("Typ", "Verksamhetsutveckling", "Innovation").ChoiceColumn("Behov", "Kommungemensamt", "Verksamhetsbehov")
            .LookupColumn("Objekt", objects, shows: "Title").PersonColumn("Owner", displayName: "Ägare")
            .MultiChoiceColumn("Mal", [.. StrategicGoals.All.Select(g => g.Name)])
            .NoteColumn("Hypotes").DateColumn("Beslut", "Beslutsdatum")
            .PersonColumn("Author", displayName: "Skapad av").PersonColumn("Kontaktpersoner", multiple: true);
        foreach (var i in Initiatives)
        {
            register.Put($"{i.Id}", MunicipalityInitiative(i.Id, InitialOwners[i.Id - 1]), January);
        }

        var assessments = _municipality.List("Bedömningar")
            .TextColumn("InitiativId").ChoiceColumn("Kriterie", [.. CriterionNames()]).NumberColumn("Poang").DateColumn("Datum").NoteColumn("Kommentar");
        foreach (var s in Scores)
        {
            assessments.Put($"{s.Id}", new { InitiativId = s.Initiative, Kriterie = s.Criterion, Poang = s.Score, Datum = "2024-01-05T00:00:00Z", Kommentar = "Bedömd av beredningsgruppen" }, January);
        }

        var reports = _municipality.List("Projektrapporter")
            .TextColumn("InitiativId").DateColumn("Datum").ChoiceColumn("Lage", "OK", "Risk", "Problem")
            .NumberColumn("Fardiggrad", percentage: true, displayName: "Färdiggrad").NumberColumn("Budget");
        foreach (var r in Reports)
        {
            reports.Put($"{r.Id}", new { InitiativId = r.Initiative, Datum = $"{r.Date}T00:00:00Z", Lage = r.Status.Theirs, Fardiggrad = r.Fraction, Budget = r.Budget }, January);
        }
    }

    private void BuildContractSite()
    {
        var objects = _contract.List(ListNames.Objects);
        foreach (var o in Objects)
        {
            objects.Put($"{o.Id}", new { Title = o.Title, ObjektId = o.Key, ForvaltareEpost = Email(o.Owner), Verksamhet = o.Unit }, January);
        }
        var initiatives = _contract.List(ListNames.Initiatives);
        foreach (var i in Initiatives)
        {
            initiatives.Put($"{i.Id}", ContractInitiative(i.Id, Email(InitialOwners[i.Id - 1])), January);
        }
        var assessments = _contract.List(ListNames.Assessments);
        foreach (var s in Scores)
        {
            assessments.Put($"{s.Id}", new { InitiativId = s.Initiative, Kriterium = s.Criterion, Poang = s.Score, Bedomningsdatum = "2024-01-05T00:00:00Z", Kommentar = "Bedömd av beredningsgruppen" }, January);
        }
        var reports = _contract.List(ListNames.ProjectStatus);
        foreach (var r in Reports)
        {
            reports.Put($"{r.Id}", new { InitiativId = r.Initiative, Rapportdatum = $"{r.Date}T00:00:00Z", Status = r.Status.Ours, Fardiggrad = (int)Math.Round(r.Fraction * 100), BudgetForbrukad = r.Budget }, January);
        }
    }
}

public sealed class SqliteGraphMappedListsPipelineFacts : GraphMappedListsPipelineFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresGraphMappedListsPipelineFacts(PostgresCluster cluster) : GraphMappedListsPipelineFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
