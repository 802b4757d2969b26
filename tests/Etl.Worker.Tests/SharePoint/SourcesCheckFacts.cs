using System.Text.Json.Nodes;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.SharePoint;

/// <summary>
/// <c>sources check</c> over an offline export of lists as a municipality has them (its own column names, a person and a
/// lookup column, its own choice values, column definitions and the user information list), through a mapping.
/// </summary>
public sealed class SourcesCheckFacts : IDisposable
{
    private static readonly DateTimeOffset March = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("nacka-sources-check");

    public void Dispose() => _dir.Dispose();

    private string Lists => Path.Combine(_dir.Path, "lists");

    private static GraphOptions Mapping() => new()
    {
        Lists =
        {
            [ListNames.Initiatives] = new GraphListOptions
            {
                Columns = { ["AgareEpost"] = "Owner", ["Fas"] = "Status0", ["ForvaltningsobjektId"] = "Objekt", ["Hypotes"] = "Beskrivning" },
                Choices = { ["Fas"] = new() { ["Pågående"] = "Projekt", ["I drift"] = "Förvaltning" } },
            },
        },
    };

    private void Write(string file, JsonNode json)
    {
        Directory.CreateDirectory(Lists);
        File.WriteAllText(Path.Combine(Lists, file), json.ToJsonString());
    }

    private static JsonObject Item(string id, JsonObject fields) =>
        new() { ["id"] = id, ["lastModifiedDateTime"] = March.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["fields"] = fields };

    private static JsonObject Column(string name, string facet, JsonObject? settings = null) =>
        new() { ["name"] = name, ["displayName"] = name, [facet] = settings ?? new JsonObject() };

    private void WriteSite()
    {
        Write("Forvaltningsobjekt.json", new JsonObject
        {
            ["value"] = new JsonArray(Item("5", new JsonObject { ["Title"] = "E-tjänstplattform", ["ObjektId"] = "OBJ-1", ["ForvaltareEpost"] = "forvaltare@nacka.se", ["Verksamhet"] = "Välfärd skola" })),
        });
        Write("User Information List.json", new JsonObject
        {
            ["value"] = new JsonArray(
                Item("12", new JsonObject { ["EMail"] = "anna.svensson@nacka.se", ["Title"] = "Anna Svensson" }),
                Item("13", new JsonObject { ["EMail"] = "bo.ek@nacka.se", ["Title"] = "Bo Ek" })),
        });
        Write("Initiativ.columns.json", new JsonObject
        {
            ["value"] = new JsonArray(
                Column("Title", "text"),
                Column("InitiativId", "text"),
                Column("Verksamhet", "text"),
                Column("Status0", "choice", new JsonObject { ["choices"] = new JsonArray("Idé", "Pågående", "I drift", "Pausad") }),
                Column("Typ", "choice"),
                Column("Behov", "choice"),
                Column("Objekt", "lookup", new JsonObject { ["listId"] = "b1e2", ["columnName"] = "Title" }),
                Column("Owner", "personOrGroup", new JsonObject { ["allowMultipleSelection"] = false }),
                Column("StrategiskaMal", "choice", new JsonObject { ["displayAs"] = "checkBoxes" }),
                Column("Beslutsdatum", "dateTime")),
        });
        JsonObject Initiative(string key, string phase, string owner, string? objekt) => new()
        {
            ["Title"] = $"Initiativ {key}", ["InitiativId"] = key, ["Verksamhet"] = "Välfärd skola", ["Status0"] = phase, ["OwnerLookupId"] = owner,
            ["ObjektLookupId"] = objekt,
        };
        Write("Initiativ.json", new JsonObject
        {
            ["value"] = new JsonArray(
                Item("1", Initiative("DIG-2024-001", "Pågående", "12", "5")),
                Item("2", Initiative("DIG-2024-002", "Pausad", "13", null)),
                Item("3", Initiative("DIG-2024-003", "I drift", "99", "5")),
                Item("4", Initiative("DIG-2024-004", "Idé", "12", "7"))),
        });
    }

    private async Task<SourcesCheckReport> CheckAsync(GraphOptions options) =>
        await new SourcesCheck(options, new InputLimits(), TimeProvider.System)
            .CheckAsync("the export", new RunSources([], new OfflineListSource(Lists)), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Check_NamesEachMappedColumnWithItsKind()
    {
        WriteSite();

        var initiatives = (await CheckAsync(Mapping())).Lists.Single(l => l.ListName == ListNames.Initiatives);

        var fields = initiatives.Fields.ToDictionary(f => f.Field.Name);
        Assert.True(initiatives.HasDefinitions);
        Assert.Equal(("Owner", "person", 4), (fields["AgareEpost"].Column, fields["AgareEpost"].Kind, fields["AgareEpost"].ItemsWithValue));
        Assert.Equal(("Status0", "choice", 4), (fields["Fas"].Column, fields["Fas"].Kind, fields["Fas"].ItemsWithValue));
        Assert.Equal(("Objekt", "lookup", 3), (fields["ForvaltningsobjektId"].Column, fields["ForvaltningsobjektId"].Kind, fields["ForvaltningsobjektId"].ItemsWithValue));
        Assert.Equal(2, initiatives.SiteUsers);
    }

    [Fact]
    public async Task Check_ReportsWhatCannotBeMapped_TheUnknownChoiceValues_AndTheItemsARunWouldReject()
    {
        WriteSite();

        var report = await CheckAsync(Mapping());

        var initiatives = report.Lists.Single(l => l.ListName == ListNames.Initiatives);
        Assert.Contains(initiatives.MappingProblems, p => p.StartsWith("Hypotes: the list has no column with the internal name Beskrivning", StringComparison.Ordinal));
        Assert.Equal([new UnknownChoiceValue("Fas", "Status0", "Pausad", 1)], initiatives.UnknownChoices);
        Assert.Equal((4, 3), (initiatives.ItemsRead, initiatives.ItemsRejected));
        Assert.Equal(["2", "3", "4"], initiatives.Examples.Select(e => e.ItemId));
        Assert.Contains(initiatives.Examples.Single(e => e.ItemId == "2").Reasons, r => r.Contains("Status0", StringComparison.Ordinal) && r.Contains("Pausad", StringComparison.Ordinal));
        Assert.Contains(initiatives.Examples.Single(e => e.ItemId == "3").Reasons, r => r.Contains("Owner", StringComparison.Ordinal) && r.Contains("99", StringComparison.Ordinal));
        Assert.Contains(initiatives.Examples.Single(e => e.ItemId == "4").Reasons, r => r.Contains("Objekt", StringComparison.Ordinal) && r.Contains('7'));
        Assert.Equal(ExitCodes.Rejections, SourcesCheckWriter.ExitCode(report));
    }

    [Fact]
    public async Task Check_PrintsTheNextStep_WithTheSettingThatMapsAnUnknownValue()
    {
        WriteSite();
        var output = new StringWriter();

        await SourcesCheckWriter.WriteAsync(output, await CheckAsync(Mapping()), sourceDir: null);

        var text = output.ToString();
        Assert.Contains("List Initiativ: 4 items, 3 would be rejected", text);
        Assert.Matches(@"AgareEpost\s+Owner\s+person\s+4", text);
        Assert.Contains("Fas (column Status0): \"Pausad\" in 1 item; map it with GraphOptions:Lists:Initiativ:Choices:Fas:Pausad = one of Idé, Beredning, Beslutad, Projekt, Förvaltning, Avslutad, Avslagen", text);
        Assert.Contains("Could not be mapped:", text);
        Assert.Contains("3 items in 1 list(s) would be rejected; a run loads the rest.", text);
    }

    [Fact]
    public async Task Check_RejectsNothing_OnceTheMappingCoversTheSite()
    {
        WriteSite();
        var options = Mapping();
        // The site keeps no hypothesis: mapped to no column, it is not looked for.
        options.Lists[ListNames.Initiatives].Columns["Hypotes"] = "";
        options.Lists[ListNames.Initiatives].Choices["Fas"]["Pausad"] = "Beredning";
        Write("User Information List.json", new JsonObject
        {
            ["value"] = new JsonArray(
                Item("12", new JsonObject { ["EMail"] = "anna.svensson@nacka.se" }),
                Item("13", new JsonObject { ["EMail"] = "bo.ek@nacka.se" }),
                Item("99", new JsonObject { ["EMail"] = "cecilia.berg@nacka.se" })),
        });
        var initiatives = JsonNode.Parse(File.ReadAllText(Path.Combine(Lists, "Initiativ.json")))!;
        initiatives["value"]![3]!["fields"]!["ObjektLookupId"] = "5";
        Write("Initiativ.json", initiatives);

        var report = await CheckAsync(options);

        Assert.All(report.Lists, l => Assert.Equal(0, l.ItemsRejected));
        Assert.Empty(report.Lists.Single(l => l.ListName == ListNames.Initiatives).MappingProblems);
        Assert.Equal(ExitCodes.Success, SourcesCheckWriter.ExitCode(report));
    }
}
