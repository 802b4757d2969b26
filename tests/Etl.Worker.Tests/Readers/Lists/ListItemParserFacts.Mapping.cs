using System.Globalization;
using System.Text;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Readers.Lists;

// Lists as a municipality already has them (sharepoint-lists.md): the contract's fields read from the list's own columns,
// person columns through the site's user information list, lookups to the looked-up item's key, percentages as fractions.
public sealed partial class ListItemParserFacts
{
    private static readonly SiteUsers People = new(
    [
        new SiteUser("12", "anna.andersson@nacka.se", "Anna Andersson"),
        new SiteUser("13", "bo.berg@nacka.se", "Bo Berg"),
        new SiteUser("14", null, "Konferensrum Saltsjön"),
    ]);

    // Graph's columnDefinition facets (https://learn.microsoft.com/graph/api/resources/columndefinition): personOrGroup,
    // lookup, number with displayAs percentage (https://learn.microsoft.com/graph/api/resources/numbercolumn), choice.
    private const string OwnerColumn = """{"name": "Owner", "displayName": "Ägare", "personOrGroup": {"allowMultipleSelection": false, "chooseFromType": "peopleOnly"}}""";
    private const string OwnersColumn = """{"name": "Owners", "displayName": "Ägare", "personOrGroup": {"allowMultipleSelection": true}}""";
    private const string ObjectLookupColumn = """{"name": "Objekt", "displayName": "Förvaltningsobjekt", "lookup": {"listId": "8c1e0f57-1c1b-4b7e-a0a5-7d7a0b0f6a11", "columnName": "ObjektId"}}""";
    private const string PhaseColumn = """{"name": "Status0", "displayName": "Status", "choice": {"choices": ["Ny idé", "Pågår", "Klar"]}}""";

    private static IReadOnlyList<ListColumn> Columns(params string[] definitions) =>
        ListColumnJson.Parse(Encoding.UTF8.GetBytes($$"""{"value": [{{string.Join(", ", definitions)}}]}"""));

    private static GraphListOptions Mapped(params (string Field, string Column)[] columns)
    {
        var options = new GraphListOptions();
        foreach (var (field, column) in columns)
        {
            options.Columns[field] = column;
        }
        return options;
    }

    private static ListItemContext Context(string list, GraphListOptions options, IReadOnlyList<ListColumn>? columns,
        Func<string, string, string?>? keys = null, Action<string, string, string>? unknown = null) =>
        new() { Mapping = ListMapping.Create(list, options, columns), Users = People, LookUpKey = keys, UnknownChoice = unknown };

    private static ListItemChange Parse(string list, string fields, ListItemContext context)
    {
        var data = Assert.Single(ListJson.ParsePage(Encoding.UTF8.GetBytes($$"""{"value": [{{Item(fields)}}]}""")).Items);
        return ListItemParser.Parse(list, data, Fallback, new InputLimits(), context);
    }

    private static T Valid<T>(string list, string fields, ListItemContext context)
    {
        var change = Parse(list, fields, context);
        Assert.Empty(change.Problems);
        return Assert.IsType<T>(change.Item);
    }

    private static string Rejected(string list, string fields, ListItemContext context)
    {
        var change = Parse(list, fields, context);
        Assert.True(change.Rejected);
        var problem = Assert.Single(change.Problems);
        AssertNamesTheItem(list, problem);
        return problem.Message;
    }

    private static ListItemContext OwnerContext(string definition = OwnerColumn, string column = "Owner") =>
        Context(ListNames.Initiatives, Mapped(("AgareEpost", column)), Columns(definition));

    private const string Initiative = """ "InitiativId": "DIG-2023-014", "Title": "Digital bygglovsansökan" """;

    [Theory]
    [InlineData("\"12\"")]
    [InlineData("12")]
    public void Parse_ReadsASinglePersonColumn_AsThePersonsEmailInTheSiteUserList(string lookupId)
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + $", \"OwnerLookupId\": {lookupId}", OwnerContext());

        Assert.Equal("anna.andersson@nacka.se", item.OwnerEmail);
    }

    [Fact]
    public void Parse_ReadsAMultiPersonColumn_AsEveryPersonsEmailFromTheUserList_JoinedInTheListsOrder()
    {
        // The inline Email is not what the user list says: the user list is taken, as for a single person column.
        var item = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """
            , "Owners": [{"LookupId": 13, "LookupValue": "Bo Berg", "Email": "bo.old@nacka.se"}, {"LookupId": 12, "LookupValue": "Anna Andersson"}]
            """, OwnerContext(OwnersColumn, "Owners"));

        Assert.Equal("bo.berg@nacka.se; anna.andersson@nacka.se", item.OwnerEmail);
    }

    [Fact]
    public void Parse_RejectsAPersonMissingFromTheUserList_NamingTheFieldAndTheColumn()
    {
        var message = Rejected(ListNames.Initiatives, Initiative + """, "OwnerLookupId": "17" """, OwnerContext());

        Assert.Equal("AgareEpost (kolumnen Owner): personen med id 17 finns inte i webbplatsens användarlista (User Information List).", message);
    }

    [Fact]
    public void Parse_RejectsAPersonWithoutAnEmailInTheUserList()
    {
        var message = Rejected(ListNames.Initiatives, Initiative + """, "Owners": [{"LookupId": 12}, {"LookupId": 14}] """, OwnerContext(OwnersColumn, "Owners"));

        Assert.StartsWith("AgareEpost (kolumnen Owners): personen med id 14 (\"Konferensrum Saltsjön\") har ingen e-postadress", message);
    }

    [Fact]
    public void Parse_RejectsAForvaltareOfTwoPersons_SayingThatThePowerBiRoleComparesOneAddress()
    {
        var context = Context(ListNames.Objects, Mapped(("ForvaltareEpost", "Managers")),
            Columns("""{"name": "Managers", "personOrGroup": {"allowMultipleSelection": true}}"""));

        var message = Rejected(ListNames.Objects, """ "ObjektId": "OBJ-7", "Managers": [{"LookupId": 12}, {"LookupId": 13}] """, context);

        Assert.StartsWith("ForvaltareEpost (kolumnen Managers): kolumnen anger 2 personer", message);
        Assert.Contains("Objektsförvaltare", message);
        Assert.Contains("ange en person", message);
    }

    [Fact]
    public void Parse_ReadsAForvaltareOfOnePerson_FromAMultiPersonColumn()
    {
        var context = Context(ListNames.Objects, Mapped(("ForvaltareEpost", "Managers")),
            Columns("""{"name": "Managers", "personOrGroup": {"allowMultipleSelection": true}}"""));

        var item = Valid<ObjectItem>(ListNames.Objects, """ "ObjektId": "OBJ-7", "Managers": [{"LookupId": "13", "LookupValue": "Bo Berg"}] """, context);

        Assert.Equal("bo.berg@nacka.se", item.ManagerEmail);
    }

    [Fact]
    public void Parse_ReadsAPersonGivenAsLookupId_WithoutColumnDefinitions()
    {
        var context = Context(ListNames.Initiatives, Mapped(("AgareEpost", "Agare")), null);

        var single = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """, "AgareLookupId": "13" """, context);
        var multiple = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """, "Agare": [{"LookupId": 12, "LookupValue": "Anna"}, {"LookupId": 13, "LookupValue": "Bo"}] """, context);
        var text = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """, "Agare": "carl.carlsson@nacka.se" """, context);

        Assert.Equal("bo.berg@nacka.se", single.OwnerEmail);
        Assert.Equal("anna.andersson@nacka.se; bo.berg@nacka.se", multiple.OwnerEmail);
        Assert.Equal("carl.carlsson@nacka.se", text.OwnerEmail);
    }

    [Fact]
    public void Parse_ReadsThePersonOfAContractNamedList_WithoutContext_WhenTheExportGivesALookupId()
    {
        // No context: the contract's names and no people, so the id cannot be resolved and says so.
        var change = Parse(ListNames.Initiatives, Item(Initiative + """, "AgareEpostLookupId": "12" """));

        var problem = Assert.Single(change.Problems);
        Assert.Equal("AgareEpost: personen med id 12 finns inte i webbplatsens användarlista (User Information List).", problem.Message);
    }

    [Theory]
    [InlineData("0.45", "45")]
    [InlineData("1", "100")]
    [InlineData("0.125", "12.5")]
    [InlineData("\"0,3\"", "30")]
    public void Parse_ReadsAPercentageColumn_AsItsFractionTimesAHundred(string fraction, string percent)
    {
        var context = Context(ListNames.ProjectStatus, Mapped(("Fardiggrad", "field_3")),
            Columns("""{"name": "field_3", "displayName": "Färdiggrad", "number": {"decimalPlaces": "none", "displayAs": "percentage"}}"""));

        var item = Valid<StatusItem>(ListNames.ProjectStatus, ValidStatus + $", \"field_3\": {fraction}", context);

        // Compared as text, so that 45.00 (the fraction's scale) would not pass for 45.
        Assert.Equal(percent, item.PercentComplete!.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Parse_RejectsAPercentageAboveAHundred_AfterScalingTheFraction()
    {
        var context = Context(ListNames.ProjectStatus, Mapped(("Fardiggrad", "field_3")),
            Columns("""{"name": "field_3", "number": {"displayAs": "percentage"}}"""));

        var message = Rejected(ListNames.ProjectStatus, ValidStatus + """, "field_3": 1.5 """, context);

        Assert.Equal("Fardiggrad (kolumnen field_3): 150 ligger utanför 0–100.", message);
    }

    [Fact]
    public void Parse_TakesAPercentColumnThatIsNoPercentage_AsWritten()
    {
        var context = Context(ListNames.ProjectStatus, new GraphListOptions(), Columns("""{"name": "Fardiggrad", "number": {"displayAs": "number"}}"""));

        var item = Valid<StatusItem>(ListNames.ProjectStatus, ValidStatus + """, "Fardiggrad": 45 """, context);

        Assert.Equal(45m, item.PercentComplete);
    }

    private static GraphListOptions PhaseMapping()
    {
        var options = Mapped(("Fas", "Status0"));
        options.Choices["Fas"] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Ny idé"] = "Idé", ["Pågår"] = "Projekt", ["Klar"] = "Avslutad" };
        return options;
    }

    [Theory]
    [InlineData("Pågår", "Projekt")]
    [InlineData("pÅgår ", "Projekt")]
    [InlineData("Ny idé", "Idé")]
    [InlineData("beredning", "Beredning")]
    public void Parse_ReadsTheListsOwnChoiceValues_AsTheContractsValues(string theirs, string ours)
    {
        var context = Context(ListNames.Initiatives, PhaseMapping(), Columns(PhaseColumn));

        var item = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + $", \"Status0\": \"{theirs}\"", context);

        Assert.Equal(ours, item.Phase);
    }

    [Fact]
    public void Parse_RejectsAChoiceValueNeitherTheMappingNorTheContractKnows_AndTellsSourcesCheck()
    {
        var unknown = new List<(string, string, string)>();
        var context = Context(ListNames.Initiatives, PhaseMapping(), Columns(PhaseColumn), unknown: (f, c, v) => unknown.Add((f, c, v)));

        var message = Rejected(ListNames.Initiatives, Initiative + """, "Status0": "Vilande" """, context);

        Assert.Equal($"Fas (kolumnen Status0): \"Vilande\" är inget av valen {string.Join(", ", Phases.All)}.", message);
        Assert.Equal([("Fas", "Status0", "Vilande")], unknown);
    }

    [Fact]
    public void Parse_MapsEachValueOfAMultiChoice_AndRejectsTheOneNeitherKnows()
    {
        var options = Mapped(("StrategiskaMal", "Mal"));
        options.Choices["StrategiskaMal"] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Värde för pengarna"] = "Maximalt värde för skattepengarna" };
        var unknown = new List<(string, string, string)>();
        var context = Context(ListNames.Initiatives, options, null, unknown: (f, c, v) => unknown.Add((f, c, v)));

        var item = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """, "Mal": ["Värde för pengarna", "Attraktiva livsmiljöer i hela Nacka"] """, context);
        var message = Rejected(ListNames.Initiatives, Initiative + """, "Mal": ["Värde för pengarna", "Grön omställning"] """, context);

        Assert.Equal([GoalCode("Maximalt värde för skattepengarna"), GoalCode("Attraktiva livsmiljöer i hela Nacka")], item.GoalCodes);
        Assert.StartsWith("StrategiskaMal (kolumnen Mal): \"Grön omställning\" är inte ett av de övergripande målen", message);
        Assert.Equal([("StrategiskaMal", "Mal", "Grön omställning")], unknown);
    }

    [Fact]
    public void Parse_MapsTheListsOwnCriterion()
    {
        var options = Mapped(("Kriterium", "Criterion"), ("Poang", "Score"));
        options.Choices["Kriterium"] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Kompetens"] = "Tillgänglig kompetens" };
        var context = Context(ListNames.Assessments, options, null);

        var item = Valid<AssessmentItem>(ListNames.Assessments, """
            "InitiativId": "DIG-2023-014", "Criterion": "Kompetens", "Score": 3, "Bedomningsdatum": "2024-02-11T23:00:00Z"
            """, context);
        var message = Rejected(ListNames.Assessments, """
            "InitiativId": "DIG-2023-014", "Criterion": "Kompetens", "Bedomningsdatum": "2024-02-11T23:00:00Z"
            """, context);

        Assert.Equal(Criteria.All.Single(c => c.Name == "Tillgänglig kompetens").Code, item.CriterionCode);
        Assert.Equal("Poang (kolumnen Score) saknas.", message);
    }

    [Fact]
    public void Parse_ReadsAManagedMetadataValue_AsItsLabel()
    {
        var item = Valid<ObjectItem>(ListNames.Objects, """
            "ObjektId": "OBJ-7", "Verksamhet": {"Label": "Välfärd skola", "TermGuid": "5f0f4c6e-6d0a-4b3e-9a57-0d3c4a1b2c3d", "WssId": 3}
            """);

        Assert.Equal("Välfärd skola", item.Unit);
    }

    [Fact]
    public void Parse_ReadsManagedMetadataLabels_AsTheValuesOfAMultiChoice()
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """
            , "StrategiskaMal": [{"Label": "Maximalt värde för skattepengarna", "TermGuid": "1", "WssId": 4}]
            """);

        Assert.Equal([GoalCode("Maximalt värde för skattepengarna")], item.GoalCodes);
    }

    private static ListItemContext ObjectLookupContext(Func<string, string, string?> keys) =>
        Context(ListNames.Initiatives, Mapped(("ForvaltningsobjektId", "Objekt")), Columns(ObjectLookupColumn), keys);

    [Fact]
    public void Parse_ReadsALookupToTheObjectList_AsTheLookedUpObjectsKey()
    {
        var asked = new List<(string, string)>();
        var context = ObjectLookupContext((list, id) =>
        {
            asked.Add((list, id));
            return id == "9" ? "OBJ-7" : null;
        });

        var item = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """, "ObjektLookupId": "9" """, context);

        Assert.Equal("OBJ-7", item.ObjectId);
        Assert.Equal([(ListNames.Objects, "9")], asked);
    }

    [Fact]
    public void Parse_RejectsALookupToAnItemThatIsGone_NamingTheListAndTheItem()
    {
        var message = Rejected(ListNames.Initiatives, Initiative + """, "ObjektLookupId": 9 """, ObjectLookupContext((_, _) => null));

        Assert.Equal("ForvaltningsobjektId (kolumnen Objekt): uppslaget pekar på objekt 9 i listan Forvaltningsobjekt, som inte finns (borttaget?).", message);
    }

    [Fact]
    public void Parse_ReadsAnAssessmentsInitiativeLookup_AsTheInitiativesKey()
    {
        var context = Context(ListNames.Assessments, Mapped(("InitiativId", "Initiativ")),
            Columns("""{"name": "Initiativ", "lookup": {"listId": "a", "columnName": "Title"}}"""),
            (list, id) => list == ListNames.Initiatives && id == "31" ? "DIG-2023-014" : null);

        var item = Valid<AssessmentItem>(ListNames.Assessments, """
            "InitiativLookupId": "31", "Kriterium": "Tillgänglig kompetens", "Poang": 3, "Bedomningsdatum": "2024-02-11T23:00:00Z"
            """, context);
        var message = Rejected(ListNames.Assessments, """
            "InitiativLookupId": "32", "Kriterium": "Tillgänglig kompetens", "Poang": 3, "Bedomningsdatum": "2024-02-11T23:00:00Z"
            """, context);

        Assert.Equal("DIG-2023-014", item.InitiativeId);
        Assert.Equal("InitiativId (kolumnen Initiativ): uppslaget pekar på objekt 32 i listan Initiativ, som inte finns (borttaget?).", message);
    }

    [Fact]
    public void Parse_ReadsAKeyGivenAsLookupId_WithoutColumnDefinitions()
    {
        var context = Context(ListNames.Initiatives, Mapped(("ForvaltningsobjektId", "Objekt")), null, (_, id) => id == "9" ? "OBJ-7" : null);

        var item = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """, "ObjektLookupId": "9" """, context);
        var text = Valid<InitiativeItem>(ListNames.Initiatives, Initiative + """, "Objekt": "OBJ-8" """, context);

        Assert.Equal("OBJ-7", item.ObjectId);
        Assert.Equal("OBJ-8", text.ObjectId);
    }

    [Fact]
    public void Parse_ReadsALookupForAFieldThatIsNoKey_AsTheValueItShows()
    {
        var context = Context(ListNames.Objects, Mapped(("Verksamhet", "Enhet")),
            Columns("""{"name": "Enhet", "lookup": {"listId": "b", "columnName": "Title"}}"""));

        var item = Valid<ObjectItem>(ListNames.Objects, """ "ObjektId": "OBJ-7", "Enhet": "Stadsbyggnad", "EnhetLookupId": "4" """, context);
        var multiple = Valid<ObjectItem>(ListNames.Objects, """ "ObjektId": "OBJ-7", "Enhet": [{"LookupId": 4, "LookupValue": "Stadsbyggnad"}, {"LookupId": 5, "LookupValue": "Miljö"}] """, context);

        Assert.Equal("Stadsbyggnad", item.Unit);
        Assert.Equal("Stadsbyggnad; Miljö", multiple.Unit);
    }

    [Theory]
    [InlineData("""{"LookupId": 7, "LookupValue": "Stadsbyggnad"}""")]
    [InlineData("[]")]
    public void Parse_TakesNoLookupValueOrEmptyList_ForATextWhereNoDefinitionSaysTheColumnIsALookup(string value)
    {
        var message = Rejected(ListNames.Objects, $$""" "ObjektId": "OBJ-7", "Verksamhet": {{value}} """);

        Assert.StartsWith("Verksamhet: ", message);
        Assert.EndsWith("är ingen text.", message);
    }

    [Fact]
    public void Parse_SkipsAnItemWithEveryReason_EachNamingItsColumn()
    {
        var options = PhaseMapping();
        options.Columns["AgareEpost"] = "Owner";
        options.Columns["ForvaltningsobjektId"] = "Objekt";
        var context = Context(ListNames.Initiatives, options, Columns(PhaseColumn, OwnerColumn, ObjectLookupColumn), (_, _) => null);

        var change = Parse(ListNames.Initiatives, Initiative + """, "Status0": "Vilande", "OwnerLookupId": 17, "ObjektLookupId": 9 """, context);

        Assert.True(change.Rejected);
        Assert.All(change.Problems, p => AssertNamesTheItem(ListNames.Initiatives, p));
        Assert.Equal(["AgareEpost (kolumnen Owner)", "Fas (kolumnen Status0)", "ForvaltningsobjektId (kolumnen Objekt)"],
            change.Problems.Select(p => p.Message[..p.Message.IndexOf(':', StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_LandsTheFieldsAsTheSourceGaveThem()
    {
        const string fields = Initiative + """, "OwnerLookupId": "12" """;

        var change = Parse(ListNames.Initiatives, fields, OwnerContext());

        Assert.Equal(System.Text.Json.JsonDocument.Parse($"{{{fields}}}").RootElement.GetRawText().Replace(" ", ""), change.FieldsJson.Replace(" ", ""));
    }

    [Fact]
    public void Parse_FingerprintsWhatAPersonResolvedTo_ButNotAnItemReadTheContractsWay()
    {
        const string fields = Initiative + """, "OwnerLookupId": "12" """;
        var moved = new ListItemContext
        {
            Mapping = ListMapping.Create(ListNames.Initiatives, Mapped(("AgareEpost", "Owner")), Columns(OwnerColumn)),
            Users = new SiteUsers([new SiteUser("12", "anna.andersson@nacka.se", "Anna"), new SiteUser("13", "x@nacka.se", null)]),
        };
        var renamed = new ListItemContext
        {
            Mapping = ListMapping.Create(ListNames.Initiatives, Mapped(("AgareEpost", "Owner")), Columns(OwnerColumn)),
            Users = new SiteUsers([new SiteUser("12", "anna.berg@nacka.se", "Anna")]),
        };

        var first = Parse(ListNames.Initiatives, fields, OwnerContext());
        var sameUser = Parse(ListNames.Initiatives, fields, moved);
        var newAddress = Parse(ListNames.Initiatives, fields, renamed);
        var contract = Parse(ListNames.Initiatives, Item(ValidInitiative));

        Assert.NotNull(first.Resolution);
        Assert.Equal(first.Resolution, sameUser.Resolution);
        Assert.NotEqual(first.Resolution, newAddress.Resolution);
        Assert.Null(contract.Resolution);
    }

    [Fact]
    public void Parse_ContainsAHostilePersonValue_ToOneShortProblemForItsItem()
    {
        var manyUnknown = string.Join(", ", Enumerable.Range(1_000, 10_000).Select(i => $$"""{"LookupId": {{i}}}"""));
        var longId = new string('7', 100_000);

        var many = Parse(ListNames.Initiatives, Initiative + $", \"Owners\": [{manyUnknown}]", OwnerContext(OwnersColumn, "Owners"));
        var single = Rejected(ListNames.Initiatives, Initiative + $", \"OwnerLookupId\": \"{longId}\"", OwnerContext());

        Assert.True(many.Rejected);
        var problem = Assert.Single(many.Problems);
        Assert.Equal("AgareEpost (kolumnen Owners): personerna med id 1000, 1001, 1002 och 9997 till finns inte i webbplatsens användarlista (User Information List).", problem.Message);
        Assert.True(single.Length < 300, single);
        Assert.Contains("tecken)", single, StringComparison.Ordinal);
    }
}
