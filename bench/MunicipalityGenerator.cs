using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Bench;

/// <summary>
/// A large synthetic municipality as a source folder (docs/user-guide.md, "The source folder"), deterministic from a seed:
/// at scale 1, 2,000 initiatives with business case workbooks (4–10 years, 2–6 cost lines, 2–8 benefit lines),
/// the four lists (every initiative in Initiativ, 11 assessment items each in Bedomningar, 12 monthly status
/// reports of every initiative in a project or later in Projektstatus, 200 förvaltningsobjekt), 200 actuals
/// workbooks with 20,000 rows in all, and a survey export for 10 units over 5 years. Scale N multiplies the
/// initiatives, objects and actuals by N. The workbooks are written by the repository's own writers (EPPlus),
/// in parallel; the same seed and scale give the same bytes.
/// <para>
/// Besides these, the Initiativ list's phase history: twelve monthly exports of the list, July 2024 to June 2025
/// (<c>history/01-2024-07/lists/Initiativ.json</c> … <c>history/12-2025-06/lists/Initiativ.json</c>), each the list as it
/// stood at the end of its month (the last as of <see cref="AsOf"/>, the same bytes as <c>lists/Initiativ.json</c>).
/// Every initiative walks Idé → Beredning → Beslutad → Projekt → Förvaltning → Avslutad (or Beredning → Avslagen) up to
/// its current phase, one step at a time in months drawn from the seed and its number (<see cref="PhaseHistoryOf"/>);
/// its last step is the current export's <c>lastModifiedDateTime</c>, which always falls after the first month, so
/// every initiative changes phase at least once across the twelve exports. An item's <c>lastModifiedDateTime</c> is
/// the moment its phase last changed; its other fields are those of the current export.
/// </para>
/// </summary>
public static class MunicipalityGenerator
{
    public const int InitiativesPerScale = 2_000;
    public const int ObjectsPerScale = 200;
    public const int ActualsRowsPerFile = 100;

    /// <summary>The last year reported in the actuals: the municipality stands in June 2025.</summary>
    public const int ThroughYear = 2025;

    private static readonly DateTimeOffset AsOf = new(2025, 6, 13, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTime FileTime = new(2025, 1, 7, 7, 0, 0, DateTimeKind.Utc);

    public static readonly IReadOnlyList<string> Units =
    [
        "Välfärd skola", "Välfärd samhällsservice", "Stadsledningskontoret", "Miljö och stadsbyggnad", "Kultur och fritid",
        "Fastighet och service", "Arbete och försörjning", "Natur och trafik", "Socialtjänst", "Vård och omsorg",
    ];

    private static readonly string[] Phases_ =
        [Phases.Operation, Phases.Project, Phases.Decided, Phases.Preparation, Phases.Closed, Phases.Project, Phases.Operation, Phases.Rejected];

    private static readonly string[] CostNames = ["Upphandling", "Införande", "Licenser", "Drift", "Utbildning", "Integration", "Konsultstöd", "Säkerhetsgranskning"];
    private static readonly string[] BenefitNames =
        ["Frigjord arbetstid", "Minskade kostnader", "Bättre service", "Färre pappersutskick", "Kortare handläggning", "Färre felanmälningar",
         "Minskad övertid", "Lägre licenskostnad", "Nöjdare invånare", "Snabbare beslut"];
    private static readonly string[] Words = ["Digital", "Automatiserad", "Mobil", "Gemensam", "Smart", "Självbetjänad"];
    private static readonly string[] Things = ["ärendehantering", "bokning", "uppföljning", "tillsyn", "dokumentation", "ansökan", "planering", "fakturering"];

    /// <param name="PhaseHistory">
    /// The phases the initiative has been in, oldest first, each with the moment it entered it (its item's
    /// <c>lastModifiedDateTime</c> from then on); the last is <paramref name="Phase"/>.
    /// </param>
    public sealed record Initiative(int Number, string Id, string Name, int Unit, string ObjectId, string Phase, BusinessCaseDraft Draft,
        IReadOnlyList<PhaseStep> PhaseHistory);

    /// <summary>An initiative entered <paramref name="Phase"/> at <paramref name="Since"/>.</summary>
    public sealed record PhaseStep(string Phase, DateTimeOffset Since);

    /// <summary>One monthly export of the list Initiativ: its folder below the source folder and the moment it stands at.</summary>
    public sealed record HistoryMonth(int Index, int Year, int Month, DateTimeOffset AsOf)
    {
        /// <summary>The export's source folder, relative to the generated one: <c>history/NN-YYYY-MM</c>, holding only <c>lists/Initiativ.json</c>.</summary>
        public string Folder => Path.Combine(HistoryFolder, $"{Index:00}-{Year:0000}-{Month:00}");
    }

    /// <param name="HistoryExports">The monthly exports of the list Initiativ below <see cref="HistoryFolder"/> (0 in data written before there were any).</param>
    /// <param name="PhaseChanges">The phase changes seen across those exports, all initiatives together: replayed in order, they make
    /// the warehouse hold one version per initiative plus one per change.</param>
    public sealed record Summary(int BusinessCases, int ActualsFiles, int ActualsRows, int Objects, int ListItems, int HistoryExports = 0, int PhaseChanges = 0);

    /// <summary>The folder of the Initiativ list's monthly exports, relative to the generated one.</summary>
    public const string HistoryFolder = "history";

    /// <summary>
    /// The twelve months of the Initiativ list's history, July 2024 to June 2025, each standing at its last second
    /// (the last one at <see cref="AsOf"/>, the moment of the current export).
    /// </summary>
    public static readonly IReadOnlyList<HistoryMonth> HistoryMonths = [.. Enumerable.Range(0, 12).Select(i =>
    {
        var first = new DateTimeOffset(2024, 7, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(i);
        var end = first.AddMonths(1).AddSeconds(-1);
        return new HistoryMonth(i + 1, first.Year, first.Month, end < AsOf ? end : AsOf);
    })];

    /// <summary>The phases an initiative passes through to reach each phase: one step at a time; a rejection follows Beredning.</summary>
    private static readonly Dictionary<string, string[]> PathTo = new()
    {
        [Phases.Idea] = [Phases.Idea],
        [Phases.Preparation] = [Phases.Idea, Phases.Preparation],
        [Phases.Decided] = [Phases.Idea, Phases.Preparation, Phases.Decided],
        [Phases.Project] = [Phases.Idea, Phases.Preparation, Phases.Decided, Phases.Project],
        [Phases.Operation] = [Phases.Idea, Phases.Preparation, Phases.Decided, Phases.Project, Phases.Operation],
        [Phases.Closed] = [Phases.Idea, Phases.Preparation, Phases.Decided, Phases.Project, Phases.Operation, Phases.Closed],
        [Phases.Rejected] = [Phases.Idea, Phases.Preparation, Phases.Rejected],
    };

    /// <summary>How many months an initiative stays in a phase before the next step (at least, at most).</summary>
    private static (int Min, int Max) MonthsIn(string phase) => phase switch
    {
        Phases.Idea => (1, 3),
        Phases.Preparation => (1, 3),
        Phases.Decided => (1, 2),
        Phases.Project => (2, 6),
        _ => (3, 9), // Förvaltning before it is closed
    };

    /// <summary>The file of the business case workbook of an initiative, relative to the source folder.</summary>
    public static string BusinessCaseFile(Initiative initiative) => Path.Combine(SourceFolder.BusinessCases, $"{initiative.Id} Nyttokalkyl.xlsx");

    public static string ObjectId(int index) => $"FO-{index + 1:0000}";

    public static string ManagerEmail(string objectId) => $"forvaltare.{objectId[3..]}@kommun.se";

    /// <summary>The initiatives of the municipality: the same for the same seed and scale.</summary>
    public static IReadOnlyList<Initiative> Catalogue(int seed, int scale) => Catalogue(seed, InitiativesPerScale * scale, ObjectsPerScale * scale);

    /// <summary>A municipality of any size (the tests use a tiny one): <paramref name="count"/> initiatives over <paramref name="objects"/> objects.</summary>
    public static IReadOnlyList<Initiative> Catalogue(int seed, int count, int objects)
    {
        var list = new List<Initiative>(count);
        for (var n = 0; n < count; n++)
        {
            var random = new Random(HashCode(seed, n));
            var objectIndex = n % objects;
            var unit = objectIndex % Units.Count;
            var firstYear = 2019 + random.Next(0, 6);
            var id = $"DIG-{firstYear}-{n + 1:00000}";
            var name = $"{Words[random.Next(Words.Length)]} {Things[random.Next(Things.Length)]} {n + 1}";
            var phase = Phases_[random.Next(Phases_.Length)];
            var draft = Draft(random, id, name, Units[unit], ObjectId(objectIndex), firstYear);
            list.Add(new Initiative(n, id, name, unit, ObjectId(objectIndex), phase, draft, PhaseHistoryOf(seed, n + 1, phase)));
        }
        return list;
    }

    /// <summary>
    /// When the item of initiative <paramref name="number"/> (1-based) was last modified in the current export: the
    /// moment it entered its current phase, from about ten months before <see cref="AsOf"/> up to it, always after
    /// the history's first month (the minutes wrap at 20,000, which only scales beyond 9 reach).
    /// </summary>
    public static DateTimeOffset LastPhaseChange(int number) => AsOf.AddDays(-(number % 300)).AddMinutes(-(number % 20_000));

    /// <summary>
    /// The path of initiative <paramref name="number"/> to <paramref name="phase"/>: it entered its current phase at
    /// <see cref="LastPhaseChange"/>, and each earlier phase a drawn number of months (<see cref="MonthsIn"/>) before
    /// the next, on a drawn day and working hour. It was registered (as an idea) by the end of the history's first
    /// month at the latest, so it is in every monthly export.
    /// </summary>
    public static IReadOnlyList<PhaseStep> PhaseHistoryOf(int seed, int number, string phase)
    {
        // A generator of its own, so that the catalogue's other draws (and the workbooks' bytes) stay as they were.
        var random = new Random(HashCode(HashCode(seed, number), 0x5EED));
        var path = PathTo[phase];
        var since = new DateTimeOffset[path.Length];
        since[^1] = LastPhaseChange(number);
        for (var step = path.Length - 2; step >= 0; step--)
        {
            var (min, max) = MonthsIn(path[step]);
            var month = new DateTimeOffset(since[step + 1].Year, since[step + 1].Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-random.Next(min, max + 1));
            since[step] = month.AddDays(random.Next(0, 28)).AddMinutes(7 * 60 + random.Next(0, 10 * 60));
        }
        var registeredBy = HistoryMonths[0].AsOf;
        if (path.Length > 1 && since[0] > registeredBy)
        {
            // Before the next step (which is later still), on a drawn day of the first month.
            since[0] = new DateTimeOffset(registeredBy.Year, registeredBy.Month, 1 + random.Next(0, 28), 9, 0, 0, TimeSpan.Zero);
        }
        return [.. path.Select((p, i) => new PhaseStep(p, since[i]))];
    }

    /// <summary>Where initiative stood at <paramref name="asOf"/>: the last step it had taken by then, if it was registered.</summary>
    public static PhaseStep? PhaseAt(Initiative initiative, DateTimeOffset asOf) => initiative.PhaseHistory.LastOrDefault(s => s.Since <= asOf);

    private static BusinessCaseDraft Draft(Random random, string id, string name, string unit, string objectId, int firstYear)
    {
        var lastYear = firstYear + 3 + random.Next(0, 7); // 4–10 years
        decimal Thousands(int min, int max) => random.Next(min, max + 1) * 1_000m;
        var years = Enumerable.Range(firstYear, lastYear - firstYear + 1).ToList();
        var costs = new List<BusinessCaseDraft.Cost>();
        var costLines = 2 + random.Next(0, 5); // 2–6
        for (var c = 0; c < costLines; c++)
        {
            var category = c == 0 || (c > 1 && random.Next(2) == 0) ? CostCategory.Investment : CostCategory.Operating;
            var amounts = category == CostCategory.Investment
                ? new Dictionary<int, decimal> { [firstYear] = Thousands(50, 1_200) }
                : years.Skip(1).ToDictionary(y => y, _ => Thousands(20, 180));
            costs.Add(new BusinessCaseDraft.Cost($"{CostNames[c % CostNames.Length]} {c + 1}", category, amounts));
        }
        var benefits = new List<BusinessCaseDraft.Benefit>();
        var benefitLines = 2 + random.Next(0, 7); // 2–8
        for (var b = 0; b < benefitLines; b++)
        {
            var type = (b % 4) switch { 0 => BenefitType.Redistribution, 3 => BenefitType.Movement, _ => BenefitType.Financial };
            var full = type == BenefitType.Movement ? random.Next(1, 11) / 2m : Thousands(10, 300);
            var amounts = years.ToDictionary(y => y, y => type == BenefitType.Movement
                ? Math.Min(10m, full)
                : Math.Round(full * Math.Min(1m, 0.35m * (y - firstYear + 1)) / 100m, MidpointRounding.AwayFromZero) * 100m);
            benefits.Add(new BusinessCaseDraft.Benefit($"{BenefitNames[b % BenefitNames.Length]} {b + 1}", type, amounts));
        }
        var goals = StrategicGoals.All.Where((_, i) => random.Next(3) == 0 || i == 0).Select(g => g.Name).ToList();
        var owner = $"agare.{id.ToLowerInvariant()}@kommun.se";
        return new BusinessCaseDraft(id, name, unit, owner, objectId, goals, $"{firstYear}-03", firstYear, lastYear, costs, benefits);
    }

    /// <summary>Writes the whole source folder below <paramref name="root"/> (which should be empty) and says what it wrote.</summary>
    public static Summary Write(string root, int seed, int scale, int? parallelism = null) =>
        Write(root, seed, InitiativesPerScale * scale, ObjectsPerScale * scale, parallelism);

    /// <summary>Writes a municipality of <paramref name="initiatives"/> initiatives over <paramref name="objects"/> objects.</summary>
    public static Summary Write(string root, int seed, int initiatives, int objects, int? parallelism = null)
    {
        var catalogue = Catalogue(seed, initiatives, objects);
        Directory.CreateDirectory(Path.Combine(root, SourceFolder.BusinessCases));
        Directory.CreateDirectory(Path.Combine(root, SourceFolder.Actuals));
        Directory.CreateDirectory(Path.Combine(root, SourceFolder.Lists));
        Directory.CreateDirectory(Path.Combine(root, SourceFolder.Index));
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism ?? Environment.ProcessorCount };

        Parallel.ForEach(catalogue, options, initiative =>
        {
            var path = Path.Combine(root, BusinessCaseFile(initiative));
            WriteWorkbook(path, output => BusinessCaseWorkbookWriter.Write(output, initiative.Draft, StyleOf(initiative)));
            File.SetLastWriteTimeUtc(path, FileTime.AddMinutes(initiative.Number));
        });

        var rows = new int[objects];
        Parallel.For(0, objects, options, o =>
        {
            var template = ActualsOf(catalogue, ObjectId(o), seed);
            var path = Path.Combine(root, SourceFolder.Actuals, $"{ObjectId(o)} Nyttouppföljning {ThroughYear}.xlsx");
            File.WriteAllBytes(path, ActualsTemplateWriter.Write(template));
            File.SetLastWriteTimeUtc(path, FileTime.AddDays(150).AddMinutes(o));
            rows[o] = template.Rows.Count;
        });

        var listItems = WriteLists(root, catalogue, objects);
        var phaseChanges = WriteHistory(root, catalogue, options);
        WriteSurvey(root);
        return new Summary(catalogue.Count, objects, rows.Sum(), objects, listItems, HistoryMonths.Count, phaseChanges);
    }

    /// <summary>Most workbooks as the template writes them; some with costs negative or numbers as Swedish text, as people send them.</summary>
    private static WorkbookStyle StyleOf(Initiative initiative) => (initiative.Number % 10) switch
    {
        1 => new WorkbookStyle(NegativeCosts: true),
        3 => new WorkbookStyle(NumbersAsSwedishText: true),
        _ => new WorkbookStyle(),
    };

    /// <summary>
    /// An object's actuals as its objektsförvaltare reports them: the first <see cref="ActualsRowsPerFile"/> of its
    /// initiatives' benefit lines and years up to <see cref="ThroughYear"/>, realised from half to well over plan.
    /// </summary>
    public static ActualsTemplate ActualsOf(IReadOnlyList<Initiative> catalogue, string objectId, int seed)
    {
        var random = new Random(HashCode(seed, objectId.GetDeterministicHash()));
        var rows = new List<ActualsTemplateRow>();
        foreach (var initiative in catalogue.Where(i => i.ObjectId == objectId))
        {
            var draft = initiative.Draft;
            foreach (var line in draft.Benefits)
            {
                for (var year = draft.FirstYear; year <= Math.Min(draft.LastYear, ThroughYear) && rows.Count < ActualsRowsPerFile; year++)
                {
                    var planned = line.Amounts.GetValueOrDefault(year);
                    var reported = line.Type == BenefitType.Movement
                        ? Math.Clamp(planned + (random.Next(5) - 2) * 0.5m, 0, 10)
                        : Math.Round(planned * (0.5m + random.Next(0, 17) * 0.05m) / 100m, MidpointRounding.AwayFromZero) * 100m;
                    rows.Add(new ActualsTemplateRow(initiative.Id, initiative.Name, line.Name, line.Type, year, planned, reported,
                        random.Next(10) == 0 ? "Fler ärenden än väntat hanteras digitalt." : null));
                }
            }
        }
        return new ActualsTemplate(objectId, $"Objekt {objectId}", ManagerEmail(objectId), rows);
    }

    private static int WriteLists(string root, IReadOnlyList<Initiative> catalogue, int objects)
    {
        var folder = Path.Combine(root, SourceFolder.Lists);
        var count = 0;
        count += Save(folder, ListNames.Objects, Enumerable.Range(0, objects).Select(o => Item(o + 1, AsOf.AddDays(-400), new()
        {
            ["Title"] = $"Objekt {ObjectId(o)}",
            ["ObjektId"] = ObjectId(o),
            ["ForvaltareEpost"] = ManagerEmail(ObjectId(o)),
            ["Verksamhet"] = Units[o % Units.Count],
        })));

        var initiatives = new List<JsonObject>();
        var assessments = new List<JsonObject>();
        var statuses = new List<JsonObject>();
        foreach (var initiative in catalogue)
        {
            var number = initiative.Number + 1;
            var draft = initiative.Draft;
            initiatives.Add(InitiativeItem(initiative, PhaseAt(initiative, AsOf)!));
            var assessed = new DateOnly(draft.FirstYear - 1, 10, 1 + number % 20);
            for (var c = 0; c < Criteria.All.Count; c++)
            {
                assessments.Add(Item(100_000 + number * 20 + c, new DateTimeOffset(assessed.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero), new()
                {
                    ["InitiativId"] = initiative.Id,
                    ["Kriterium"] = Criteria.All[c].Name,
                    ["Poang"] = 1 + (number * 7 + c * 3) % 4,
                    ["Bedomningsdatum"] = assessed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                }));
            }
            if (initiative.Phase is Phases.Project or Phases.Operation or Phases.Closed)
            {
                var budget = draft.Costs.Sum(c => c.Amounts.Values.Sum());
                for (var month = 1; month <= 12; month++)
                {
                    var reportDate = new DateOnly(2024, month, 1).AddMonths(1).AddDays(-1);
                    var status = ((number + month) % 9) switch { 0 => ProjectStatuses.Red, 1 or 2 => ProjectStatuses.Yellow, _ => ProjectStatuses.Green };
                    statuses.Add(Item(1_000_000 + number * 20 + month, new DateTimeOffset(reportDate.ToDateTime(new TimeOnly(16, 0)), TimeSpan.Zero), new()
                    {
                        ["InitiativId"] = initiative.Id,
                        ["Rapportdatum"] = reportDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        ["Status"] = status,
                        ["Fardiggrad"] = Math.Min(100, 8 * month + number % 10),
                        ["BudgetForbrukad"] = Math.Round(budget * Math.Min(1m, 0.08m * month), 0),
                        ["Kommentar"] = status == ProjectStatuses.Green ? null : "Förseningar hos leverantören.",
                    }));
                }
            }
        }
        count += Save(folder, ListNames.Initiatives, initiatives, AsOf);
        count += Save(folder, ListNames.Assessments, assessments);
        count += Save(folder, ListNames.ProjectStatus, statuses);
        return count;
    }

    /// <summary>
    /// The item of an initiative in the list Initiativ when it stood at <paramref name="step"/>: that phase, modified when
    /// it entered it; every other field as in the current export.
    /// </summary>
    private static JsonObject InitiativeItem(Initiative initiative, PhaseStep step)
    {
        var number = initiative.Number + 1;
        var draft = initiative.Draft;
        var decided = initiative.Phase is Phases.Decided or Phases.Project or Phases.Operation or Phases.Closed;
        return Item(number, step.Since, new()
        {
            ["Title"] = initiative.Name,
            ["InitiativId"] = initiative.Id,
            ["Verksamhet"] = Units[initiative.Unit],
            ["Fas"] = step.Phase,
            ["Typ"] = number % 4 == 0 ? "Innovation" : "Verksamhetsutveckling",
            ["Behov"] = number % 3 == 0 ? "Verksamhetsbehov" : "Kommungemensamt",
            ["ForvaltningsobjektId"] = initiative.ObjectId,
            ["AgareEpost"] = draft.OwnerEmail,
            ["StrategiskaMal"] = new JsonArray(draft.GoalNames.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
            ["Hypotes"] = $"Som medarbetare vill jag att {initiative.Name.ToLowerInvariant()} införs för att få mer tid till invånarna.",
            ["Beslutsdatum"] = decided ? $"{draft.FirstYear - 1}-11-{10 + number % 15:00}T23:00:00Z" : null,
        });
    }

    /// <summary>
    /// The list Initiativ as it stood at the end of each of <see cref="HistoryMonths"/>, one source folder per month with
    /// only <c>lists/Initiativ.json</c>. Returns how many phase changes the exports show, all initiatives together.
    /// </summary>
    private static int WriteHistory(string root, IReadOnlyList<Initiative> catalogue, ParallelOptions options)
    {
        Parallel.ForEach(HistoryMonths, options, month =>
        {
            var folder = Path.Combine(root, month.Folder, SourceFolder.Lists);
            Directory.CreateDirectory(folder);
            var items = catalogue
                .Select(i => (Initiative: i, Step: PhaseAt(i, month.AsOf)))
                .Where(s => s.Step is not null)
                .Select(s => InitiativeItem(s.Initiative, s.Step!));
            Save(folder, ListNames.Initiatives, items, month.AsOf);
        });
        return catalogue.Sum(i => HistoryMonths.Select(m => PhaseAt(i, m.AsOf)).OfType<PhaseStep>().Distinct().Count() - 1);
    }

    private static void WriteSurvey(string root)
    {
        var text = new StringBuilder();
        text.Append(string.Join(';', SurveyReader.Headers)).Append("\r\n");
        string[] dimensions = ["Digital förmåga", "Digitalt arv", "Digital ledning", "Digital kultur"];
        var sv = CultureInfo.GetCultureInfo("sv-SE");
        for (var year = 2021; year <= 2025; year++)
        {
            for (var u = 0; u < Units.Count; u++)
            {
                for (var d = 0; d < dimensions.Length; d++)
                {
                    var percent = Math.Min(95m, 35m + 3m * u + 3.5m * d + (year - 2021) * 4m);
                    text.Append(CultureInfo.InvariantCulture, $"{year};{Units[u]};{dimensions[d]};{percent.ToString("0.0", sv)};{20 + 7 * u}\r\n");
                }
            }
        }
        var path = Path.Combine(root, SourceFolder.Index, "DiMiOS 2021-2025.csv");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. new UTF8Encoding(false).GetBytes(text.ToString())]);
        File.SetLastWriteTimeUtc(path, FileTime.AddDays(160));
    }

    private static JsonObject Item(int id, DateTimeOffset modified, JsonObject fields) => new()
    {
        ["id"] = id.ToString(CultureInfo.InvariantCulture),
        ["lastModifiedDateTime"] = modified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["fields"] = fields,
    };

    private static int Save(string folder, string listName, IEnumerable<JsonObject> items, DateTimeOffset? asOf = null)
    {
        var array = new JsonArray(items.Select(i => (JsonNode?)i).ToArray());
        var page = new JsonObject { ["value"] = array };
        var path = Path.Combine(folder, listName + ".json");
        File.WriteAllText(path, page.ToJsonString());
        File.SetLastWriteTimeUtc(path, (asOf ?? AsOf).UtcDateTime);
        return array.Count;
    }

    private static void WriteWorkbook(string path, Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        File.WriteAllBytes(path, DeterministicZip.Normalize(buffer.ToArray()));
    }

    /// <summary>A seed from two numbers that is the same in every process.</summary>
    private static int HashCode(int a, int b) => unchecked((int)((uint)(a * 73_856_093) ^ (uint)(b * 19_349_663)) & 0x7FFFFFFF);

    private static int GetDeterministicHash(this string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked(hash * 31 + c);
        }
        return hash & 0x7FFFFFFF;
    }
}
