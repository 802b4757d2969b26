using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.TestSupport;

/// <summary>
/// Sources built in code for the Warehouse tests: business cases, list items, actuals and survey rows, and one small
/// municipality of them (<see cref="AddListsAsync"/>, <see cref="Dig1"/>, <see cref="Dig2"/>, <see cref="Dig3"/>).
/// </summary>
public static class WarehouseBuilders
{
    public const string Controller = "controller@nacka.se";

    public static readonly DateTime Listed = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);

    public static readonly ActualsColumns Columns = new("A", "B", "C", "D", "E", "F", "G");

    /// <param name="withSharedKeys">Whether each list also holds a second item with a key another item has.</param>
    public static async Task AddListsAsync(RefreshRun run, bool withSharedKeys = false)
    {
        ListItemChange[] Shared(params ListItemChange[] items) => withSharedKeys ? items : [];
        await run.AddListAsync(Read(RefreshRun.Lists.Objects, withSharedKeys),
        [
            Item("o1", new ObjectItem(Origin(RefreshRun.Lists.Objects, "o1"), "OBJ-1", "Elevsystem", "anna@nacka.se", "Välfärd skola")),
            Item("o2", new ObjectItem(Origin(RefreshRun.Lists.Objects, "o2"), "OBJ-2", "Ärendesystem", "bo@nacka.se", "Stadsledningskontoret")),
            .. Shared(Item("o9", new ObjectItem(Origin(RefreshRun.Lists.Objects, "o9"), "OBJ-1", "Elevsystem", "mallory@example.com", "Välfärd skola"))),
        ], TestContext.Current.CancellationToken);
        await run.AddListAsync(Read(RefreshRun.Lists.Initiatives, withSharedKeys),
        [
            Item("i1", new InitiativeItem(Origin(RefreshRun.Lists.Initiatives, "i1"), "DIG-1", "Digital skolskjuts", "Välfärd skola", Phases.Operation,
                "Effektivisering", "Verksamhetsbehov", "OBJ-1", "agare@nacka.se", ["MAXIMALT_VARDE"], "Mindre administration", new DateOnly(2023, 1, 10))),
            Item("i2", new InitiativeItem(Origin(RefreshRun.Lists.Initiatives, "i2"), "DIG-2", null, null, Phases.Project, null, null, "OBJ-2", null, [], null, null)),
            Item("i3", new InitiativeItem(Origin(RefreshRun.Lists.Initiatives, "i3"), "DIG-L", "Chattbot", "Socialtjänst", Phases.Preparation, null, null, null, null, [], null, null)),
            .. Shared(Item("i9", new InitiativeItem(Origin(RefreshRun.Lists.Initiatives, "i9"), "DIG-1", "Digital skolskjuts", "Kultur", Phases.Idea,
                null, null, "OBJ-2", "mallory@example.com", [], null, null))),
        ], TestContext.Current.CancellationToken);
        await run.AddListAsync(Read(RefreshRun.Lists.Assessments, withSharedKeys),
        [
            .. Criteria.All.Select((c, i) => Item($"a1-{c.Code}", new AssessmentItem(Origin(RefreshRun.Lists.Assessments, $"a1-{c.Code}"), "DIG-1", c.Code, 1 + i % 4, new DateOnly(2023, 2, 1), null))),
            Item("aL", new AssessmentItem(Origin(RefreshRun.Lists.Assessments, "aL"), "DIG-L", "N1", 3, new DateOnly(2024, 2, 1), null)),
            Item("aN1", new AssessmentItem(Origin(RefreshRun.Lists.Assessments, "aN1"), "DIG-N", "N1", 4, new DateOnly(2024, 2, 1), null)),
            Item("aN2", new AssessmentItem(Origin(RefreshRun.Lists.Assessments, "aN2"), "DIG-N", "G1", 2, new DateOnly(2024, 2, 1), null)),
            Item("aN3", new AssessmentItem(Origin(RefreshRun.Lists.Assessments, "aN3"), "DIG-N", "G7", 3, new DateOnly(2024, 2, 1), null)),
            Item("aX", new AssessmentItem(Origin(RefreshRun.Lists.Assessments, "aX"), "DIG-X", "N1", 2, new DateOnly(2024, 2, 1), null)),
            .. Shared(Item("a9", new AssessmentItem(Origin(RefreshRun.Lists.Assessments, "a9"), "DIG-1", "G7", 4, new DateOnly(2023, 2, 1), null))),
        ], TestContext.Current.CancellationToken);
        await run.AddListAsync(Read(RefreshRun.Lists.ProjectStatus, withSharedKeys),
        [
            Item("s1", new StatusItem(Origin(RefreshRun.Lists.ProjectStatus, "s1"), "DIG-1", new DateOnly(2024, 1, 31), ProjectStatuses.Green, 80, 100_000, null)),
            Item("s2", new StatusItem(Origin(RefreshRun.Lists.ProjectStatus, "s2"), "DIG-1", new DateOnly(2024, 2, 29), ProjectStatuses.Yellow, 90, 120_000, "Försenat")),
            Item("s3", new StatusItem(Origin(RefreshRun.Lists.ProjectStatus, "s3"), "DIG-2", new DateOnly(2024, 2, 29), ProjectStatuses.Red, 10, null, null)),
            Item("sN1", new StatusItem(Origin(RefreshRun.Lists.ProjectStatus, "sN1"), "DIG-N", new DateOnly(2024, 1, 31), ProjectStatuses.Green, 5, null, null)),
            Item("sN2", new StatusItem(Origin(RefreshRun.Lists.ProjectStatus, "sN2"), "DIG-N", new DateOnly(2024, 2, 29), ProjectStatuses.Yellow, 15, null, null)),
            .. Shared(Item("s9", new StatusItem(Origin(RefreshRun.Lists.ProjectStatus, "s9"), "DIG-1", new DateOnly(2024, 2, 29), ProjectStatuses.Green, 100, null, null))),
        ], TestContext.Current.CancellationToken);
    }

    public static ListReadInfo Read(string list, bool withSharedKeys) => new(list, ListReadModes.File, true, null, Sha(withSharedKeys ? list + " with shared keys" : list));

    public static ListReadInfo Read(string list) => new(list, ListReadModes.File, true, null, Sha(list));

    public static ListItemOrigin Origin(string list, string itemId) => new(list, itemId, Listed);

    public static ListItemChange Item(string itemId, object item) => new(itemId, Listed, $$"""{"id":"{{itemId}}","item":"{{item}}"}""", false, item, []);

    public static BenefitLine Benefit(int row, string name, BenefitType type, params (int Year, decimal Value)[] values) =>
        new(row, name, type, values.Select(v => new YearValue(v.Year, v.Value, $"{(char)('C' + v.Year - 2020)}{row}", v.Value.ToString(CultureInfo.InvariantCulture))).ToList());

    public static BusinessCase Case(string id, string unit, string objectId, int firstYear, int lastYear, string version, string[] goals, params BenefitLine[] benefits) => new(
        new InitiativeCard(id, $"Initiativ {id}", unit, "agare@nacka.se", objectId, goals, version),
        Enumerable.Range(firstYear, lastYear - firstYear + 1).ToList(),
        [
            new CostLine(2, "Införande", CostCategory.Investment, [new YearValue(firstYear, 100_000, "C2", "100000")]),
            new CostLine(3, "Licenser", CostCategory.Operating, [new YearValue(lastYear, 20_000, "D3", "20000")]),
        ],
        benefits,
        [new SourceAttribute("Initiativ-ID", id, "B1")]);

    public static BusinessCase Dig1(decimal scale = 1m, string version = "v1") => Case("DIG-1", "Välfärd skola", "OBJ-1", 2023, 2025, version, ["MAXIMALT_VARDE"],
        Benefit(2, "Minskad administration", BenefitType.Financial, (2023, 100_000 * scale), (2024, 200_000 * scale)),
        Benefit(3, "Frigjord tid", BenefitType.Redistribution, (2023, 50_000 * scale), (2024, 50_000 * scale), (2025, 50_000 * scale)));

    public static BusinessCase Dig2(string version = "v1") => Case("DIG-2", "Stadsledningskontoret", "OBJ-2", 2024, 2026, version, ["BASTA_UTVECKLING"],
        Benefit(2, "Digital post", BenefitType.Financial, (2024, 10_000), (2025, version == "v1" ? 10_000 : 12_000)));

    public static BusinessCase Dig3() => Case("DIG-3", "Fritid", "OBJ-1", 2023, 2025, "v1", ["BASTA_UTVECKLING", "MAXIMALT_VARDE"],
        Benefit(2, "Frigjord tid", BenefitType.Redistribution, (2023, 25_000), (2024, 25_000)),
        Benefit(3, "Nöjdare brukare", BenefitType.Movement, (2024, 6), (2025, 7)));

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static SourceFile CaseFile(string id, string version) =>
        new(SourceKind.BusinessCase, $"business-cases/{id}.xlsx", Sha(id + version), 1_000, Listed);

    public static SourceFile ActualsFile(string name, string content) => new(SourceKind.Actuals, name, Sha(content), 1_000, Listed) { AuthorEmail = Controller };

    public static SourceFile SurveyFile(string name) => new(SourceKind.Index, name, Sha(name), 1_000, Listed);

    public static ActualRow Row(int row, string id, string line, string type, int year, string value, string? comment = null) =>
        new(row, id, line, type, year.ToString(CultureInfo.InvariantCulture), "0", value, comment)
        {
            Year = year,
            Value = decimal.Parse(value, CultureInfo.InvariantCulture),
        };

    public static ActualsUpload Upload(params ActualRow[] rows) => new("Utfall", null, Controller, Columns, rows);

    public static SurveyUpload Survey(params SurveyRow[] rows) => new(null, rows);

    public static SurveyRow Survey(int row, int year, string unit, string dimension, decimal percent) =>
        new(row, year.ToString(CultureInfo.InvariantCulture), unit, dimension, percent.ToString(CultureInfo.InvariantCulture), null)
        {
            Year = year,
            Percent = percent,
            PercentCell = $"D{row}",
        };
}
