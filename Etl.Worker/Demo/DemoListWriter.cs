using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Demo;

/// <summary>
/// Writes the demo's four SharePoint lists in their offline form, consistent with its business cases:
/// phases over the whole lifecycle, assessments in every priority class (incomplete and gate-failing
/// ones among them), and monthly status reports. Two snapshots: the register as it stood in February,
/// and as it stands in June, so that loading both in turn gives initiatives a history of phases. Every item of
/// Initiativ carries its <c>createdDateTime</c>, when the initiative was registered, and a few initiatives of
/// their own (<see cref="Flow"/>) show the lifecycle's turns: one skips phases, one goes back, two stand still.
/// The list Initiativ is kept as a municipality's site has it: its owner is a person column (<see cref="OwnerColumn"/>),
/// given as Graph gives one (<c>AgareLookupId</c>), with the list's column definitions and the site's user information
/// list beside it, and read through the mapping <see cref="OwnerSetting"/> = <see cref="OwnerColumn"/>.
/// </summary>
public static class DemoListWriter
{
    public enum Snapshot
    {
        February,
        June,
    }

    private static readonly DateTimeOffset FebruaryAsOf = new(2024, 2, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset JuneAsOf = new(2024, 6, 14, 8, 0, 0, TimeSpan.Zero);

    // The phase each initiative has reached by June; by February some were a step behind.
    private static readonly string[] PhaseCycle =
    [
        Phases.Operation, Phases.Project, Phases.Decided, Phases.Preparation, Phases.Closed, Phases.Project,
        Phases.Operation, Phases.Preparation, Phases.Rejected, Phases.Project,
    ];

    private static readonly (string Id, string Name, string Unit)[] Ideas =
    [
        ("DIG-2024-201", "AI-tolkning vid medborgarkontoret", "Stadsledningskontoret"),
        ("DIG-2024-202", "Digital brevlåda för företag", "Miljö och stadsbyggnad"),
        ("DIG-2024-203", "Prediktiv planering av snöröjning", "Fastighet och service"),
        ("DIG-2024-204", "Självincheckning på biblioteken", "Kultur och fritid"),
        ("DIG-2024-205", "Röststyrd service för äldre", "Välfärd samhällsservice"),
    ];

    /// <summary>The idea that is in the February register but gone (removed) by June.</summary>
    public const string WithdrawnIdea = "DIG-2024-205";

    /// <summary>
    /// An initiative of the register without a business case, there for the lifecycle: its phase, modification time and
    /// decision date in February and in June (the same when it did not change), and when it was registered.
    /// </summary>
    public sealed record FlowInitiative(
        string Id, string Name, string Unit, DateTimeOffset Created,
        string FebruaryPhase, DateTimeOffset FebruaryModified, DateOnly? FebruaryDecision,
        string JunePhase, DateTimeOffset JuneModified, DateOnly? JuneDecision);

    /// <summary>
    /// The lifecycle's turns, on initiatives that never reach Förvaltning, so that the index (which counts those that
    /// do) and the business case figures stay as they were: a legal requirement that goes from Idé straight to
    /// Projekt, a project paused back into Beredning, and two that stand still for months, in Beredning and in Beslutad.
    /// </summary>
    public static readonly IReadOnlyList<FlowInitiative> Flow =
    [
        new("DIG-2024-210", "Tillgänglighetsredogörelser enligt lag", "Stadsledningskontoret", At(2023, 12, 4),
            Phases.Idea, At(2024, 1, 15), null, Phases.Project, At(2024, 4, 8), new DateOnly(2024, 4, 2)),
        new("DIG-2024-211", "Digital avvikelsehantering i hemtjänsten", "Välfärd samhällsservice", At(2023, 3, 6),
            Phases.Project, At(2023, 12, 11), new DateOnly(2023, 10, 17), Phases.Preparation, At(2024, 5, 13), new DateOnly(2023, 10, 17)),
        new("DIG-2024-212", "Digital anslagstavla för detaljplaner", "Miljö och stadsbyggnad", At(2023, 6, 12),
            Phases.Preparation, At(2023, 9, 18), null, Phases.Preparation, At(2023, 9, 18), null),
        new("DIG-2024-213", "Sensorstyrd städning av skollokaler", "Fastighet och service", At(2023, 5, 22),
            Phases.Decided, At(2023, 11, 20), new DateOnly(2023, 11, 16), Phases.Decided, At(2023, 11, 20), new DateOnly(2023, 11, 16)),
    ];

    /// <summary>When a catalogue initiative's item was created: in the spring or summer before its beredning, and before the register's first export.</summary>
    public static DateTimeOffset CreatedOf(DemoSourceWriter.DemoInitiative initiative)
    {
        var number = initiative.Index + 2;
        return At(BeredningYear(initiative), 1 + number % 9, 2 + number % 25);
    }

    /// <summary>
    /// The year of an initiative's beredning and decision: the year before its business case begins, and at the latest
    /// 2023, so that no decision lies after the register's exports (nor after the initiative reached förvaltning).
    /// </summary>
    private static int BeredningYear(DemoSourceWriter.DemoInitiative initiative) => Math.Min(initiative.Draft.FirstYear - 1, 2023);

    /// <summary>When an idea's item was created: some weeks before it was last modified.</summary>
    private static DateTimeOffset IdeaCreated(int i) => FebruaryAsOf.AddDays(-40 - 9 * i);

    // 08:00 UTC is the same day in Stockholm, so the registration date reads alike in both.
    private static DateTimeOffset At(int year, int month, int day) => new(year, month, day, 8, 0, 0, TimeSpan.Zero);

    // Nytta N1–N4, then Genomförbarhet G1–G7 (G7 is Regelefterlevnad), one pattern per priority class.
    private static readonly (string Class, int[] Scores)[] AssessmentPatterns =
    [
        ("Genomför", [4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4]),
        ("Förbered", [4, 3, 3, 3, 2, 2, 2, 2, 3, 2, 3]),
        ("Överväg", [2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3]),
        ("Avvakta", [2, 2, 1, 2, 2, 2, 2, 2, 2, 2, 3]),
        ("Åtgärda regelefterlevnad", [4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 2]),
        ("Ofullständig bedömning", [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]),
    ];

    /// <summary>The objektsförvaltare of a förvaltningsobjekt of the demo, as the list Forvaltningsobjekt gives it.</summary>
    public static string ManagerEmail(string objectId) => $"forvaltare.{objectId[3..].ToLowerInvariant()}@nacka.se";

    /// <summary>The phase an initiative of the catalogue has at a snapshot.</summary>
    public static string PhaseOf(DemoSourceWriter.DemoInitiative initiative, Snapshot snapshot)
    {
        var june = initiative.Index < 0 ? Phases.Operation : PhaseCycle[initiative.Index % PhaseCycle.Length];
        if (snapshot == Snapshot.June || initiative.Index % 3 != 0)
        {
            return june;
        }
        return june switch
        {
            Phases.Operation => Phases.Project,
            Phases.Project => Phases.Decided,
            Phases.Decided => Phases.Preparation,
            Phases.Closed => Phases.Operation,
            _ => june,
        };
    }

    /// <summary>The person column that holds an initiative's owner in the demo's list Initiativ.</summary>
    public const string OwnerColumn = "Agare";

    /// <summary>The setting that maps the contract's owner field to <see cref="OwnerColumn"/>.</summary>
    public const string OwnerSetting = "GraphOptions:Lists:Initiativ:Columns:AgareEpost";

    private const string IdeaOwner = "idea.inbox@nacka.se";
    private const string FlowOwner = "registrator.digitalisering@nacka.se";

    /// <summary>
    /// The site's people as the demo's user information list has them, by their id there: every owner of the register,
    /// in a stable order so that both exports give each the same id.
    /// </summary>
    public static IReadOnlyDictionary<string, int> UserIds()
    {
        var emails = DemoSourceWriter.Catalogue().Select(i => i.Draft.OwnerEmail).Append(IdeaOwner).Append(FlowOwner)
            .Distinct(StringComparer.OrdinalIgnoreCase);
        // SharePoint's own accounts take the first ids of a site.
        return emails.Select((email, i) => (email, Id: 11 + i)).ToDictionary(u => u.email, u => u.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>A person's name as the user list shows it: anna.andersson@nacka.se is Anna Andersson.</summary>
    private static string NameOf(string email) =>
        string.Join(' ', email.Split('@')[0].Split('.').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));

    public static void Write(string root, Snapshot snapshot)
    {
        var lists = Path.Combine(root, SourceFolder.Lists);
        Directory.CreateDirectory(lists);
        var catalogue = DemoSourceWriter.Catalogue();
        var users = UserIds();
        WriteSiteFiles(lists, users);
        var asOf = snapshot == Snapshot.June ? JuneAsOf : FebruaryAsOf;

        Save(lists, ListNames.Objects, DemoSourceWriter.Objects().Select((o, i) => Item(i + 1, FebruaryAsOf.AddDays(-30), new()
        {
            ["Title"] = o.Name,
            ["ObjektId"] = o.Id,
            ["ForvaltareEpost"] = ManagerEmail(o.Id),
            ["Verksamhet"] = o.Unit,
        })));

        var initiatives = new List<JsonObject>();
        var assessments = new List<JsonObject>();
        var statuses = new List<JsonObject>();
        foreach (var initiative in catalogue)
        {
            var number = initiative.Index + 2;
            var phase = PhaseOf(initiative, snapshot);
            var february = PhaseOf(initiative, Snapshot.February);
            // An item keeps its modification time until it changes.
            var modified = phase == february ? FebruaryAsOf.AddDays(-number) : asOf.AddDays(-number);
            var draft = initiative.Draft;
            var decided = phase is Phases.Decided or Phases.Project or Phases.Operation or Phases.Closed;
            initiatives.Add(Item(number, modified, CreatedOf(initiative), new()
            {
                ["Title"] = initiative.Name,
                ["InitiativId"] = initiative.Id,
                ["Verksamhet"] = initiative.Unit,
                ["Fas"] = phase,
                ["Typ"] = number % 4 == 0 ? "Innovation" : "Verksamhetsutveckling",
                ["Behov"] = number % 3 == 0 ? "Verksamhetsbehov" : "Kommungemensamt",
                ["ForvaltningsobjektId"] = initiative.ObjectId,
                [OwnerColumn + "LookupId"] = users[draft.OwnerEmail].ToString(CultureInfo.InvariantCulture),
                ["StrategiskaMal"] = new JsonArray(draft.GoalNames.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
                ["Hypotes"] = $"Som medarbetare inom {initiative.Unit.ToLowerInvariant()} vill jag att {initiative.Name.ToLowerInvariant()} införs för att få mer tid till invånarna.",
                // SharePoint stores a date as midnight Stockholm time, given in UTC.
                ["Beslutsdatum"] = decided ? $"{BeredningYear(initiative)}-11-{10 + number % 15:00}T23:00:00Z" : null,
            }));

            if (phase != Phases.Idea)
            {
                var pattern = AssessmentPatterns[(number - 1) % AssessmentPatterns.Length].Scores;
                var assessed = new DateOnly(BeredningYear(initiative), 10, 1 + number % 20);
                assessments.AddRange(Assessment(1000 + number * 20, initiative.Id, assessed, pattern));
            }
            if (phase is Phases.Project or Phases.Operation or Phases.Closed)
            {
                statuses.AddRange(StatusReports(number, initiative.Id, snapshot, draft.Costs.Sum(c => c.Amounts.Values.Sum())));
            }
        }
        foreach (var (idea, i) in Ideas.Select((idea, i) => (idea, i)))
        {
            if (snapshot == Snapshot.June && idea.Id == WithdrawnIdea)
            {
                continue;
            }
            initiatives.Add(Item(500 + i, FebruaryAsOf.AddDays(-10 - i), IdeaCreated(i), new()
            {
                ["Title"] = idea.Name,
                ["InitiativId"] = idea.Id,
                ["Verksamhet"] = idea.Unit,
                ["Fas"] = Phases.Idea,
                ["Typ"] = "Innovation",
                ["Behov"] = "Verksamhetsbehov",
                [OwnerColumn + "LookupId"] = users[IdeaOwner].ToString(CultureInfo.InvariantCulture),
                ["Hypotes"] = $"När jag använder kommunens service vill jag att {idea.Name.ToLowerInvariant()} finns för att det ska gå fortare.",
            }));
        }
        foreach (var (flow, i) in Flow.Select((flow, i) => (flow, i)))
        {
            var june = snapshot == Snapshot.June;
            var decision = june ? flow.JuneDecision : flow.FebruaryDecision;
            initiatives.Add(Item(600 + i, june ? flow.JuneModified : flow.FebruaryModified, flow.Created, new()
            {
                ["Title"] = flow.Name,
                ["InitiativId"] = flow.Id,
                ["Verksamhet"] = flow.Unit,
                ["Fas"] = june ? flow.JunePhase : flow.FebruaryPhase,
                ["Typ"] = "Verksamhetsutveckling",
                ["Behov"] = "Kommungemensamt",
                [OwnerColumn + "LookupId"] = users[FlowOwner].ToString(CultureInfo.InvariantCulture),
                ["Hypotes"] = $"Som invånare vill jag att {flow.Name.ToLowerInvariant()} finns för att få bättre service.",
                // A plain date, as an export may give it: read as written.
                ["Beslutsdatum"] = decision?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            }));
        }
        Save(lists, ListNames.Initiatives, initiatives);
        Save(lists, ListNames.Assessments, assessments);
        Save(lists, ListNames.ProjectStatus, statuses);
    }

    /// <summary>
    /// The site's user information list (<c>lists/User Information List.json</c>) and the list Initiativ's column
    /// definitions (<c>lists/Initiativ.columns.json</c>), in Graph's shapes (https://learn.microsoft.com/graph/api/list-list-columns).
    /// </summary>
    private static void WriteSiteFiles(string lists, IReadOnlyDictionary<string, int> users)
    {
        Save(lists, SiteUsers.ListTitle, users.OrderBy(u => u.Value).Select(u => new JsonObject
        {
            ["id"] = u.Value.ToString(CultureInfo.InvariantCulture),
            ["fields"] = new JsonObject { ["Title"] = NameOf(u.Key), ["EMail"] = u.Key },
        }));
        static JsonObject Column(string name, string display, string facet, JsonObject? settings = null) => new()
        {
            ["name"] = name, ["displayName"] = display, [facet] = settings ?? new JsonObject(),
        };
        static JsonArray Values(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        var columns = new[]
        {
            Column("Title", "Rubrik", "text", new JsonObject { ["allowMultipleLines"] = false }),
            Column("InitiativId", "Initiativ-id", "text", new JsonObject { ["allowMultipleLines"] = false }),
            Column("Verksamhet", "Verksamhet", "text", new JsonObject { ["allowMultipleLines"] = false }),
            Column("Fas", "Fas", "choice", new JsonObject { ["choices"] = Values(Phases.All), ["displayAs"] = "dropDownMenu" }),
            Column("Typ", "Typ", "choice", new JsonObject { ["choices"] = Values(ListFields.InitiativeTypes), ["displayAs"] = "dropDownMenu" }),
            Column("Behov", "Behov", "choice", new JsonObject { ["choices"] = Values(ListFields.NeedTypes), ["displayAs"] = "dropDownMenu" }),
            Column("ForvaltningsobjektId", "Förvaltningsobjekt", "text", new JsonObject { ["allowMultipleLines"] = false }),
            Column(OwnerColumn, "Ägare", "personOrGroup", new JsonObject { ["allowMultipleSelection"] = false, ["chooseFromType"] = "peopleOnly" }),
            Column("StrategiskaMal", "Strategiska mål", "choice", new JsonObject { ["choices"] = Values(StrategicGoals.All.Select(g => g.Name)), ["displayAs"] = "checkBoxes" }),
            Column("Hypotes", "Hypotes", "text", new JsonObject { ["allowMultipleLines"] = true }),
            Column("Beslutsdatum", "Beslutsdatum", "dateTime", new JsonObject { ["format"] = "dateOnly" }),
        };
        var page = new JsonObject { ["value"] = new JsonArray(columns.Select(c => (JsonNode?)c).ToArray()) };
        File.WriteAllText(Path.Combine(lists, ListNames.Initiatives + OfflineListSource.ColumnsSuffix), page.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static IEnumerable<JsonObject> Assessment(int firstItem, string initiativeId, DateOnly date, int[] scores) =>
        scores.Select((score, i) => Item(firstItem + i, new DateTimeOffset(date.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero), new()
        {
            ["InitiativId"] = initiativeId,
            ["Kriterium"] = Criteria.All[i].Name,
            ["Poang"] = score,
            ["Bedomningsdatum"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }));

    /// <summary>Month-end reports from January to the snapshot: green, with yellow and red spells for some.</summary>
    private static IEnumerable<JsonObject> StatusReports(int number, string initiativeId, Snapshot snapshot, decimal budget)
    {
        var months = snapshot == Snapshot.June ? 5 : 1;
        for (var month = 1; month <= months; month++)
        {
            var status = (number % 4, month) switch
            {
                (1, >= 3) => ProjectStatuses.Yellow,
                (2, 4) => ProjectStatuses.Red,
                (2, 5) => ProjectStatuses.Yellow,
                (3, >= 2) => ProjectStatuses.Red,
                _ => ProjectStatuses.Green,
            };
            var reportDate = new DateOnly(2024, month, 1).AddMonths(1).AddDays(-1);
            yield return Item(5000 + number * 10 + month, new DateTimeOffset(reportDate.ToDateTime(new TimeOnly(16, 0)), TimeSpan.Zero), new()
            {
                ["InitiativId"] = initiativeId,
                ["Rapportdatum"] = reportDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["Status"] = status,
                ["Fardiggrad"] = Math.Min(100, 15 * month + number % 10),
                ["BudgetForbrukad"] = Math.Round(budget * Math.Min(1m, 0.12m * month), 0),
                ["Kommentar"] = status == ProjectStatuses.Green ? null : "Förseningar hos leverantören.",
            });
        }
    }

    private static JsonObject Item(int id, DateTimeOffset modified, JsonObject fields) => new()
    {
        ["id"] = id.ToString(CultureInfo.InvariantCulture),
        ["lastModifiedDateTime"] = modified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["fields"] = fields,
    };

    /// <summary>An item of Initiativ: with its <c>createdDateTime</c> beside <c>lastModifiedDateTime</c>, as Graph gives it.</summary>
    private static JsonObject Item(int id, DateTimeOffset modified, DateTimeOffset created, JsonObject fields) => new()
    {
        ["id"] = id.ToString(CultureInfo.InvariantCulture),
        ["createdDateTime"] = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["lastModifiedDateTime"] = modified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["fields"] = fields,
    };

    private static void Save(string folder, string listName, IEnumerable<JsonObject> items)
    {
        var page = new JsonObject { ["value"] = new JsonArray(items.Select(i => (JsonNode?)i).ToArray()) };
        File.WriteAllText(Path.Combine(folder, listName + ".json"), page.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
