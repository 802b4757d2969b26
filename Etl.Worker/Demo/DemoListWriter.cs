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
/// and as it stands in June, so that loading both in turn gives initiatives a history of phases.
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

    public static void Write(string root, Snapshot snapshot)
    {
        var lists = Path.Combine(root, SourceFolder.Lists);
        Directory.CreateDirectory(lists);
        var catalogue = DemoSourceWriter.Catalogue();
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
            initiatives.Add(Item(number, modified, new()
            {
                ["Title"] = initiative.Name,
                ["InitiativId"] = initiative.Id,
                ["Verksamhet"] = initiative.Unit,
                ["Fas"] = phase,
                ["Typ"] = number % 4 == 0 ? "Innovation" : "Verksamhetsutveckling",
                ["Behov"] = number % 3 == 0 ? "Verksamhetsbehov" : "Kommungemensamt",
                ["ForvaltningsobjektId"] = initiative.ObjectId,
                ["AgareEpost"] = draft.OwnerEmail,
                ["StrategiskaMal"] = new JsonArray(draft.GoalNames.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
                ["Hypotes"] = $"Som medarbetare inom {initiative.Unit.ToLowerInvariant()} vill jag att {initiative.Name.ToLowerInvariant()} införs för att få mer tid till invånarna.",
                // SharePoint stores a date as midnight Stockholm time, given in UTC.
                ["Beslutsdatum"] = decided ? $"{draft.FirstYear - 1}-11-{10 + number % 15:00}T23:00:00Z" : null,
            }));

            if (phase != Phases.Idea)
            {
                var pattern = AssessmentPatterns[(number - 1) % AssessmentPatterns.Length].Scores;
                var assessed = new DateOnly(draft.FirstYear - 1, 10, 1 + number % 20);
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
            initiatives.Add(Item(500 + i, FebruaryAsOf.AddDays(-10 - i), new()
            {
                ["Title"] = idea.Name,
                ["InitiativId"] = idea.Id,
                ["Verksamhet"] = idea.Unit,
                ["Fas"] = Phases.Idea,
                ["Typ"] = "Innovation",
                ["Behov"] = "Verksamhetsbehov",
                ["AgareEpost"] = "idea.inbox@nacka.se",
                ["Hypotes"] = $"När jag använder kommunens service vill jag att {idea.Name.ToLowerInvariant()} finns för att det ska gå fortare.",
            }));
        }
        Save(lists, ListNames.Initiatives, initiatives);
        Save(lists, ListNames.Assessments, assessments);
        Save(lists, ListNames.ProjectStatus, statuses);
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

    private static void Save(string folder, string listName, IEnumerable<JsonObject> items)
    {
        var page = new JsonObject { ["value"] = new JsonArray(items.Select(i => (JsonNode?)i).ToArray()) };
        File.WriteAllText(Path.Combine(folder, listName + ".json"), page.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
