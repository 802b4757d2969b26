using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Demo;

/// <summary>
/// Writes the demo source folder: Nacka's reference business case among about thirty others across
/// the verksamheter, some in two versions, some written the way people really write them (costs
/// negative, numbers typed as text, an own summary sheet), and one workbook with mistakes in it.
/// Deterministic: the same bytes every time, so a second demo finds every file unchanged.
/// </summary>
public static class DemoSourceWriter
{
    public const string ReferenceInitiativeId = "DIG-2023-014";
    public const string BrokenFileName = "DIG-2024-031 Nyttokalkyl med fel.xlsx";

    private static readonly DateTime BaseTime = new(2024, 1, 8, 7, 0, 0, DateTimeKind.Utc);

    public sealed record DemoFile(string RelativePath, string? InitiativeId, string? Version);

    private static readonly (string Unit, string[] Objects)[] Units =
    [
        ("Välfärd skola", ["FO-SKOLA", "FO-FORSKOLA"]),
        ("Välfärd samhällsservice", ["FO-SOCIAL", "FO-OMSORG"]),
        ("Stadsledningskontoret", ["FO-EKONOMI", "FO-ETJANST"]),
        ("Miljö och stadsbyggnad", ["FO-BYGGLOV"]),
        ("Kultur och fritid", ["FO-BOKNING"]),
        ("Fastighet och service", ["FO-FASTIGHET"]),
    ];

    private static readonly (int Unit, string Name)[] Initiatives =
    [
        (0, "E-tjänst för ansökan om skolskjuts"),
        (0, "Digital frånvaroanmälan i grundskolan"),
        (0, "Schemaläggning med AI-stöd i förskolan"),
        (0, "Gemensam plattform för digitala lärresurser"),
        (0, "Elevhälsans digitala journal"),
        (0, "Digital matsedel och specialkost"),
        (1, "Mobil dokumentation i hemtjänsten"),
        (1, "Digitala läkemedelsskåp i särskilt boende"),
        (1, "Robotiserad handläggning av försörjningsstöd"),
        (1, "Digital tillsyn nattetid i hemtjänsten"),
        (1, "Distanstolkning i socialtjänsten"),
        (2, "Automatiserad leverantörsfakturahantering"),
        (2, "Chattbot för Kontaktcenter"),
        (2, "Digital nämndhantering"),
        (2, "Identitets- och behörighetshantering"),
        (2, "Robotiserad lönehantering"),
        (2, "Ekonomisk uppföljning i Power BI"),
        (3, "E-tjänst för bygglov"),
        (3, "3D-stadsmodell för planering"),
        (3, "Sensorer för smart avfallshantering"),
        (3, "Digital nybyggnadskarta"),
        (4, "Bokning av idrottshallar på webben"),
        (4, "Digitalt lånekort på biblioteken"),
        (4, "Digital föreningsbidragsansökan"),
        (5, "Energiuppföljning i kommunala fastigheter"),
        (5, "Digitala nycklar i förskolor och skolor"),
        (5, "Felanmälan i app för fastigheter"),
        (5, "Digital tillträdeskontroll"),
        (2, "Gemensam e-arkivlösning"),
        (0, "Lärplattform för vuxenutbildningen"),
    ];

    private static readonly string[] FirstNames = ["anna", "erik", "maria", "johan", "karin", "lars", "sara", "mikael", "emma", "peter", "lena", "anders"];
    private static readonly string[] LastNames = ["lindqvist", "berg", "holm", "sjoberg", "nystrom", "ek", "wallin", "dahl", "forsberg", "lund"];

    /// <summary>One initiative of the demo municipality, with its business case.</summary>
    public sealed record DemoInitiative(int Index, string Id, string Name, string Unit, string ObjectId, BusinessCaseDraft Draft, bool HasSecondVersion);

    /// <summary>The demo's initiatives with business cases, Nacka's reference case first. The same every time.</summary>
    public static IReadOnlyList<DemoInitiative> Catalogue()
    {
        var reference = ReferenceCase();
        var catalogue = new List<DemoInitiative> { new(-1, reference.InitiativeId, reference.Name, reference.Unit, reference.ObjectId!, reference, false) };
        var random = new Random(2023);
        for (var i = 0; i < Initiatives.Length; i++)
        {
            var (unitIndex, name) = Initiatives[i];
            var (unit, objects) = Units[unitIndex];
            var year = 2022 + random.Next(0, 4);
            var id = $"DIG-{year}-{100 + i:000}";
            var objectId = objects[random.Next(objects.Length)];
            var draft = RandomCase(random, id, name, unit, objectId, year) with { VersionLabel = $"{year}-03" };
            if (HasSensitivity(i))
            {
                draft = WithSensitivity(draft, i);
            }
            catalogue.Add(new DemoInitiative(i, id, name, unit, objectId, draft, HasSecondVersion: i % 7 == 2));
        }
        return catalogue;
    }

    /// <summary>The demo's verksamheter.</summary>
    public static IReadOnlyList<string> UnitNames => Units.Select(u => u.Unit).ToList();

    /// <summary>The förvaltningsobjekt of the demo: id, name, unit.</summary>
    public static IEnumerable<(string Id, string Name, string Unit)> Objects()
    {
        string[] names = ["Skolplattformen", "Förskoleplattformen", "Verksamhetssystem socialtjänst", "Verksamhetssystem vård och omsorg", "Ekonomisystemet",
            "E-tjänsteplattformen", "Ärendesystem bygglov", "Bokningssystemet", "Fastighetssystemet"];
        var i = 0;
        foreach (var (unit, objects) in Units)
        {
            foreach (var objectId in objects)
            {
                yield return (objectId, names[i++], unit);
            }
        }
    }

    /// <summary>
    /// Writes the demo's workbooks and its maturity survey exports (<see cref="DemoSurveyWriter"/>) below <paramref name="root"/>
    /// and returns the workbooks it wrote. The lists are written by <see cref="DemoListWriter"/>, the actuals by <see cref="DemoActualsWriter"/>.
    /// </summary>
    public static IReadOnlyList<DemoFile> Write(string root)
    {
        var businessCases = Path.Combine(root, SourceFolder.BusinessCases);
        Directory.CreateDirectory(businessCases);
        var written = new List<DemoFile>();
        var minute = 0;

        void Save(string fileName, BusinessCaseDraft draft, WorkbookStyle style)
        {
            var path = Path.Combine(businessCases, fileName);
            WriteDeterministic(path, output => BusinessCaseWorkbookWriter.Write(output, draft, style));
            File.SetLastWriteTimeUtc(path, BaseTime.AddMinutes(minute += 7));
            written.Add(new DemoFile($"{SourceFolder.BusinessCases}/{fileName}", draft.InitiativeId, draft.VersionLabel));
        }

        foreach (var initiative in Catalogue())
        {
            if (initiative.Index < 0)
            {
                // Nacka's own example, exactly as the contract gives it, written the way Nacka writes it: costs negative.
                Save($"{ReferenceInitiativeId} Digital signering av avtal.xlsx", initiative.Draft, new WorkbookStyle(NegativeCosts: true, ExtraSheet: "Sammanställning"));
                continue;
            }
            var (i, id, name, draft) = (initiative.Index, initiative.Id, initiative.Name, initiative.Draft);
            var style = (i % 5) switch
            {
                1 => new WorkbookStyle(NegativeCosts: true),
                3 => new WorkbookStyle(NumbersAsSwedishText: true),
                4 => new WorkbookStyle(ExtraSheet: "Sammanställning"),
                _ => new WorkbookStyle(),
            };
            // Most cases are workbooks made before the sheet Känslighet existed: all three cases equal, every swing 0.
            style = style with { WithoutSensitivitySheet = !HasSensitivity(i) };
            Save($"{id} {name}{(initiative.HasSecondVersion ? " v1" : "")}.xlsx", draft, style);
            if (initiative.HasSecondVersion)
            {
                Save($"{id} {name} v2.xlsx", Revision(draft), style);
            }
        }

        WriteBroken(Path.Combine(businessCases, BrokenFileName));
        File.SetLastWriteTimeUtc(Path.Combine(businessCases, BrokenFileName), BaseTime.AddMinutes(minute += 7));
        written.Add(new DemoFile($"{SourceFolder.BusinessCases}/{BrokenFileName}", "DIG-2024-031", null));

        DemoSurveyWriter.Write(root);

        File.WriteAllText(Path.Combine(root, "LÄS MIG.txt"),
            """
            Demokällmapp för NackaInsights.

            business-cases/  nyttokalkyler, en arbetsbok per initiativ (och version)
            lists/           SharePoint-listorna Initiativ, Bedomningar, Projektstatus och Forvaltningsobjekt
                             i Graphs JSON-form, som de ser ut i juni 2024
            actuals/         nyttouppföljning från objektsförvaltarna, juni 2024
            index/           mognadsenkäten (DiMiOS) 2022–2024 per verksamhet och dimension

            Nackas referensexempel är DIG-2023-014. Filen "DIG-2024-031 Nyttokalkyl med fel.xlsx" har
            medvetet fel i sig och avvisas, med varje fel angivet per blad och cell.
            """);
        return written;
    }

    /// <summary>The business case that is current once the demo is loaded: the revision, for an initiative that has one.</summary>
    public static BusinessCaseDraft CurrentDraft(DemoInitiative initiative) => initiative.HasSecondVersion ? Revision(initiative.Draft) : initiative.Draft;

    /// <summary>The revision after beredning: costs up a tenth, one benefit line added.</summary>
    private static BusinessCaseDraft Revision(BusinessCaseDraft draft) => draft with
    {
        VersionLabel = $"{draft.FirstYear}-09",
        Costs = draft.Costs.Select(c => c with { Amounts = c.Amounts.ToDictionary(a => a.Key, a => RoundTo(a.Value * 1.1m, 1_000)) }).ToList(),
        Benefits = [.. draft.Benefits, new BusinessCaseDraft.Benefit("Minskade pappersutskick", BenefitType.Financial, Years(draft.FirstYear + 1, draft.LastYear, 12_000))],
    };

    /// <summary>Every sixth case has a sheet Känslighet; chosen by index, not by the random sequence, so the other figures stay as they were.</summary>
    private static bool HasSensitivity(int index) => index % 6 == 0;

    /// <summary>
    /// A low and a high case on the largest cost and the largest benefit: the investment may run over, the freed time may
    /// come late. The other lines stay unlisted, as certain.
    /// </summary>
    private static BusinessCaseDraft WithSensitivity(BusinessCaseDraft draft, int index) => draft with
    {
        Costs = draft.Costs.Select((c, n) => n == 0 ? c with { Low = new(90), High = new(120 + 10 * (index % 3)) } : c).ToList(),
        Benefits = draft.Benefits.Select((b, n) => n == 0 ? b with { Low = new(60 + 10 * (index % 3)), High = new(110) } : b).ToList(),
    };

    /// <summary>Nacka's reference business case (business-case-workbook.md).</summary>
    public static BusinessCaseDraft ReferenceCase() => new(
        ReferenceInitiativeId,
        "Digital signering av avtal",
        "Stadsledningskontoret",
        "henrik.exempel@nacka.se",
        "FO-ETJANST",
        ["Maximalt värde för skattepengarna", "Bästa utveckling för alla"],
        "2023-05-09",
        2023,
        2030,
        [
            // The sheet Känslighet, with values in the forms owners type them: numbers, "50 %", "150%".
            new("Licens och införande", CostCategory.Investment, new Dictionary<int, decimal> { [2023] = 520_000, [2024] = 35_000 },
                Low: new(90), High: new(120)),
            new("Drift och förvaltning", CostCategory.Operating, new Dictionary<int, decimal>
            {
                [2024] = 125_000, [2025] = 95_000, [2026] = 85_000, [2027] = 85_000, [2028] = 85_000, [2029] = 85_000, [2030] = 85_000,
            }, Low: new(100), High: new(130, "130 %")),
        ],
        [
            new("Minskade porto- och papperskostnader", BenefitType.Financial, Years(2023, 2030, 6_400), Low: new(50, "50 %"), High: new(150, "150%")),
            new("Frigjord handläggartid", BenefitType.Redistribution, Years(2023, 2030, 80_000), Low: new(60, "60%"), High: new(110)),
            new("Enklare för medborgare och företag", BenefitType.Movement, new Dictionary<int, decimal> { [2024] = 0.5m, [2025] = 0.5m }),
        ]);

    private static decimal RoundTo(decimal value, decimal unit) => Math.Round(value / unit, MidpointRounding.AwayFromZero) * unit;

    private static Dictionary<int, decimal> Years(int from, int to, decimal amount) =>
        Enumerable.Range(from, to - from + 1).ToDictionary(y => y, _ => amount);

    private static BusinessCaseDraft RandomCase(Random random, string id, string name, string unit, string objectId, int firstYear)
    {
        var lastYear = firstYear + 4 + random.Next(0, 4);
        decimal Thousands(int min, int max) => random.Next(min, max + 1) * 1_000m;

        var investment = new Dictionary<int, decimal> { [firstYear] = Thousands(150, 1_200) };
        if (random.Next(2) == 0)
        {
            investment[firstYear + 1] = Thousands(20, 300);
        }
        var operatingYearly = Thousands(30, 180);
        var operating = Enumerable.Range(firstYear + 1, lastYear - firstYear).ToDictionary(y => y, _ => operatingYearly);
        var costs = new List<BusinessCaseDraft.Cost>
        {
            new("Upphandling och införande", CostCategory.Investment, investment),
            new("Licenser och drift", CostCategory.Operating, operating),
        };
        if (random.Next(3) == 0)
        {
            costs.Add(new("Utbildning", CostCategory.Investment, new Dictionary<int, decimal> { [firstYear] = Thousands(20, 90) }));
        }

        // Benefits ramp up over the first years, as they do.
        var ramp = new[] { 0.3m, 0.7m, 1m };
        Dictionary<int, decimal> Ramped(decimal full) => Enumerable.Range(firstYear, lastYear - firstYear + 1)
            .ToDictionary(y => y, y => RoundTo(full * ramp[Math.Min(y - firstYear, ramp.Length - 1)], 100));
        var benefits = new List<BusinessCaseDraft.Benefit>
        {
            new("Frigjord arbetstid", BenefitType.Redistribution, Ramped(Thousands(60, 400))),
        };
        if (random.Next(3) > 0)
        {
            benefits.Add(new("Minskade kostnader", BenefitType.Financial, Ramped(Thousands(10, 160))));
        }
        if (random.Next(2) == 0)
        {
            benefits.Add(new("Bättre service till invånare", BenefitType.Movement, new Dictionary<int, decimal>
            {
                [firstYear + 1] = random.Next(1, 6) / 2m,
                [firstYear + 2] = random.Next(1, 6) / 2m,
            }));
        }
        var person = $"{FirstNames[random.Next(FirstNames.Length)]}.{LastNames[random.Next(LastNames.Length)]}@nacka.se";
        var goals = StrategicGoals.All.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select(g => g.Name).ToList();
        return new BusinessCaseDraft(id, name, unit, person, objectId, goals, null, firstYear, lastYear, costs, benefits);
    }

    /// <summary>A workbook as a hurried owner might send it: several mistakes, all reported at once.</summary>
    private static void WriteBroken(string path)
    {
        var draft = new BusinessCaseDraft(
            "DIG-2024-031", "Digital besöksbokning i medborgarkontoret", "Stadsledningskontoret", "kalle.exempel@nacka.se", "FO-ETJANST",
            ["Maximalt värde för skattepengarna"], "utkast", 2024, 2028,
            [
                new("Införande", CostCategory.Investment, new Dictionary<int, decimal> { [2024] = 300_000 }),
                new("Drift", CostCategory.Operating, Years(2025, 2028, 60_000)),
            ],
            [
                new("Frigjord tid i receptionen", BenefitType.Redistribution, Years(2024, 2028, 90_000)),
                new("Nöjdare besökare", BenefitType.Movement, Years(2025, 2026, 2)),
            ]);
        WriteDeterministic(path, output =>
        {
            using var buffer = new MemoryStream();
            BusinessCaseWorkbookWriter.Write(buffer, draft, new WorkbookStyle(WithoutSensitivitySheet: true));
            buffer.Position = 0;
            using var package = new OfficeOpenXml.ExcelPackage(buffer);
            var costs = package.Workbook.Worksheets["Kostnader"];
            costs.Cells["A4"].Value = "Konsulter";
            costs.Cells["B4"].Value = "Konsult";
            costs.Cells["C4"].Value = "ca 500k";
            var benefits = package.Workbook.Worksheets["Nyttor"];
            benefits.Cells["E3"].Value = 12;
            package.SaveAs(output);
        });
    }

    private static void WriteDeterministic(string path, Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        File.WriteAllBytes(path, DeterministicZip.Normalize(buffer.ToArray()));
    }
}
