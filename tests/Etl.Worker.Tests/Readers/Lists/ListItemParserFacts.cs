using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Readers.Lists;

public sealed partial class ListItemParserFacts
{
    private const string ItemId = "7";
    private static readonly DateTime Modified = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Fallback = new(2024, 6, 15, 4, 30, 0, DateTimeKind.Utc);

    private const string ValidInitiative = """
        "Title": "Digital bygglovsansökan", "InitiativId": "DIG-2023-014", "Verksamhet": "Stadsbyggnad",
        "Fas": "Beredning", "Typ": "Innovation", "Behov": "Kommungemensamt", "ForvaltningsobjektId": "OBJ-7",
        "AgareEpost": "anna.andersson@nacka.se"
        """;

    private const string ValidAssessment = """
        "InitiativId": "DIG-2023-014", "Kriterium": "Tillgänglig kompetens", "Poang": 3, "Bedomningsdatum": "2024-02-11T23:00:00Z"
        """;

    private const string ValidStatus = """
        "InitiativId": "DIG-2023-014", "Rapportdatum": "2024-09-29T22:00:00Z", "Status": "Gul"
        """;

    /// <summary>A list item as Graph returns it, with its fields.</summary>
    private static string Item(string fields, string id = ItemId) =>
        $$"""{"id": "{{id}}", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "fields": {""" + fields + "}}";

    /// <summary>Reads one item through the page parser the Graph and offline readers share, then parses it.</summary>
    private static ListItemChange Parse(string list, string itemJson)
    {
        var data = Assert.Single(ListJson.ParsePage(System.Text.Encoding.UTF8.GetBytes($$"""{"value": [{{itemJson}}]}""")).Items);
        return ListItemParser.Parse(list, data, Fallback);
    }

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The fields with one of them set to a JSON value, replacing what it held.</summary>
    private static string With(string fields, string name, string json)
    {
        var node = JsonNode.Parse($"{{{fields}}}")!.AsObject();
        node[name] = JsonNode.Parse(json);
        return node.ToJsonString(Unescaped)[1..^1];
    }

    private static string Without(string fields, string name)
    {
        var node = JsonNode.Parse($"{{{fields}}}")!.AsObject();
        Assert.True(node.Remove(name), $"{name} is not among the fields");
        return node.ToJsonString(Unescaped)[1..^1];
    }

    private static string WithText(string fields, string name, string text) => With(fields, name, JsonSerializer.Serialize(text, Unescaped));

    private static T Valid<T>(string list, string fields)
    {
        var change = Parse(list, Item(fields));
        Assert.Empty(change.Problems);
        Assert.False(change.Rejected);
        return Assert.IsType<T>(change.Item);
    }

    /// <summary>Asserts the item was rejected with exactly one problem, naming the list and the item, and gives its message.</summary>
    private static string Rejected(string list, string fields)
    {
        var change = Parse(list, Item(fields));
        Assert.True(change.Rejected);
        Assert.Null(change.Item);
        Assert.False(change.Removed);
        var problem = Assert.Single(change.Problems);
        AssertNamesTheItem(list, problem);
        return problem.Message;
    }

    private static void AssertNamesTheItem(string list, SourceProblem problem)
    {
        Assert.Equal(list, problem.Source);
        Assert.Equal(ItemId, problem.ItemId);
        Assert.Equal($"objekt {ItemId}", problem.Location);
        Assert.StartsWith($"{list}: objekt {ItemId}: ", problem.ToString());
    }

    private static string GoalCode(string name) => StrategicGoals.All.Single(g => g.Name == name).Code;

    [Fact]
    public void Parse_ReadsEveryFieldOfAnInitiative()
    {
        var change = Parse(ListNames.Initiatives, """
            {"id": "7", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "fields": {
              "@odata.etag": "\"4d2f0c1e,3\"", "id": "7", "ContentType": "Objekt", "Modified": "2024-03-01T08:00:00Z",
              "Title": " Digital bygglovsansökan ", "InitiativId": "DIG-2023-014", "Verksamhet": "Stadsbyggnad",
              "Fas": "Beredning", "Typ": "Innovation", "Behov": "Kommungemensamt", "ForvaltningsobjektId": "OBJ-7",
              "AgareEpost": "anna.andersson@nacka.se",
              "StrategiskaMal": ["Maximalt värde för skattepengarna", "Attraktiva livsmiljöer i hela Nacka"],
              "Hypotes": "Som en byggherre vill jag söka bygglov digitalt för att få beslut snabbare",
              "Beslutsdatum": "2023-05-08T22:00:00Z"}}
            """);

        Assert.Equal(ItemId, change.ItemId);
        Assert.Equal(Modified, change.LastModifiedUtc);
        Assert.False(change.Removed);
        Assert.Empty(change.Problems);
        var item = Assert.IsType<InitiativeItem>(change.Item);
        Assert.Equal(new ListItemOrigin("Initiativ", ItemId, Modified), item.Origin);
        Assert.Equal(DateTimeKind.Utc, item.Origin.LastModifiedUtc.Kind);
        Assert.Equal("DIG-2023-014", item.InitiativeId);
        Assert.Equal("Digital bygglovsansökan", item.Name);
        Assert.Equal("Stadsbyggnad", item.Unit);
        Assert.Equal("Beredning", item.Phase);
        Assert.Equal("Innovation", item.InitiativeType);
        Assert.Equal("Kommungemensamt", item.NeedType);
        Assert.Equal("OBJ-7", item.ObjectId);
        Assert.Equal("anna.andersson@nacka.se", item.OwnerEmail);
        Assert.Equal([GoalCode("Maximalt värde för skattepengarna"), GoalCode("Attraktiva livsmiljöer i hela Nacka")], item.GoalCodes);
        Assert.Equal("Som en byggherre vill jag söka bygglov digitalt för att få beslut snabbare", item.Hypothesis);
        // Midnight 9 May in Stockholm (summer time, UTC+2).
        Assert.Equal(new DateOnly(2023, 5, 9), item.DecisionDate);
    }

    [Fact]
    public void Parse_LeavesAnInitiativesOptionalFieldsEmpty_WhenOnlyTheKeyIsGiven()
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, """ "InitiativId": "DIG-2024-001", "Fas": null, "Hypotes": "" """);

        Assert.Equal("DIG-2024-001", item.InitiativeId);
        Assert.Null(item.Name);
        Assert.Null(item.Phase);
        Assert.Null(item.InitiativeType);
        Assert.Null(item.NeedType);
        Assert.Null(item.ObjectId);
        Assert.Empty(item.GoalCodes);
        Assert.Null(item.Hypothesis);
        Assert.Null(item.DecisionDate);
    }

    [Fact]
    public void Parse_ReadsEveryFieldOfAnAssessment()
    {
        var item = Valid<AssessmentItem>(ListNames.Assessments, """
            "InitiativId": "DIG-2023-014", "Kriterium": "Regelefterlevnad (juridik, dataskydd, infosäk)", "Poang": 3,
            "Bedomningsdatum": "2024-02-11T23:00:00Z", "Kommentar": "DPIA klar"
            """);

        Assert.Equal(new ListItemOrigin("Bedomningar", ItemId, Modified), item.Origin);
        Assert.Equal("DIG-2023-014", item.InitiativeId);
        Assert.Equal("G7", item.CriterionCode);
        Assert.Equal(3, item.Score);
        // Midnight 12 February in Stockholm (winter time, UTC+1).
        Assert.Equal(new DateOnly(2024, 2, 12), item.AssessedOn);
        Assert.Equal("DPIA klar", item.Comment);
    }

    [Theory]
    [InlineData("Kostnadsbesparing / tidsbesparing", "N1")]
    [InlineData("kostnadsbesparing/tidsbesparing", "N1")]
    [InlineData("FÖRBÄTTRAD KVALITET / ANVÄNDARUPPLEVELSE", "N2")]
    [InlineData("Regelefterlevnad", "G7")]
    [InlineData("G5", "G5")]
    public void Parse_FindsTheCriterion_AsTheListSpellsIt(string kriterium, string code)
    {
        var item = Valid<AssessmentItem>(ListNames.Assessments, $$"""
            "InitiativId": "DIG-2023-014", "Kriterium": "{{kriterium}}", "Poang": 2, "Bedomningsdatum": "2024-02-12"
            """);

        Assert.Equal(code, item.CriterionCode);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("4", 4)]
    [InlineData("4.0", 4)]
    [InlineData("\"2\"", 2)]
    [InlineData("\" 3 \"", 3)]
    [InlineData("\"3,0\"", 3)]
    public void Parse_TakesAWholeScoreFrom1To4_AsNumberOrText(string poang, int expected)
    {
        var item = Valid<AssessmentItem>(ListNames.Assessments, $$"""
            "InitiativId": "DIG-2023-014", "Kriterium": "Finansiering", "Poang": {{poang}}, "Bedomningsdatum": "2024-02-12"
            """);

        Assert.Equal(expected, item.Score);
    }

    [Fact]
    public void Parse_ReadsEveryFieldOfAStatusReport()
    {
        var item = Valid<StatusItem>(ListNames.ProjectStatus, """
            "InitiativId": "DIG-2023-014", "Rapportdatum": "2024-09-29T22:00:00Z", "Status": "Gul",
            "Fardiggrad": 45.5, "BudgetForbrukad": "1 250 000,50", "Kommentar": "Leverantören är försenad"
            """);

        Assert.Equal(new ListItemOrigin("Projektstatus", ItemId, Modified), item.Origin);
        Assert.Equal("DIG-2023-014", item.InitiativeId);
        Assert.Equal(new DateOnly(2024, 9, 30), item.ReportDate);
        Assert.Equal("Gul", item.Status);
        Assert.Equal(45.5m, item.PercentComplete);
        Assert.Equal(1_250_000.50m, item.BudgetSpentSek);
        Assert.Equal("Leverantören är försenad", item.Comment);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    [InlineData("\"37,5\"", 37.5)]
    [InlineData("\"62.5\"", 62.5)]
    public void Parse_TakesAPercentageFrom0To100(string fardiggrad, double expected)
    {
        var item = Valid<StatusItem>(ListNames.ProjectStatus, With(ValidStatus, "Fardiggrad", fardiggrad));

        Assert.Equal((decimal)expected, item.PercentComplete);
    }

    [Fact]
    public void Parse_LeavesAStatusReportsNumbersEmpty_WhenNotGiven()
    {
        var item = Valid<StatusItem>(ListNames.ProjectStatus, """
            "InitiativId": "DIG-2023-014", "Rapportdatum": "2024-09-30", "Status": "Grön", "Fardiggrad": "", "BudgetForbrukad": null
            """);

        Assert.Null(item.PercentComplete);
        Assert.Null(item.BudgetSpentSek);
        Assert.Null(item.Comment);
    }

    [Fact]
    public void Parse_ReadsEveryFieldOfAForvaltningsobjekt()
    {
        var item = Valid<ObjectItem>(ListNames.Objects, """
            "Title": "E-tjänsteplattformen", "ObjektId": "OBJ-7", "ForvaltareEpost": "bo.berg@nacka.se", "Verksamhet": "Välfärd skola"
            """);

        Assert.Equal(new ListItemOrigin("Forvaltningsobjekt", ItemId, Modified), item.Origin);
        Assert.Equal("OBJ-7", item.ObjectId);
        Assert.Equal("E-tjänsteplattformen", item.Name);
        Assert.Equal("bo.berg@nacka.se", item.ManagerEmail);
        Assert.Equal("Välfärd skola", item.Unit);
    }

    [Fact]
    public void Parse_NamesAForvaltningsobjektByItsKey_WhenItHasNoTitle()
    {
        var item = Valid<ObjectItem>(ListNames.Objects, """ "ObjektId": "OBJ-7" """);

        Assert.Equal("OBJ-7", item.Name);
    }

    [Theory]
    [InlineData("Initiativ", "InitiativId", "")]
    [InlineData("Initiativ", "InitiativId", """ "InitiativId": null """)]
    [InlineData("Initiativ", "InitiativId", """ "InitiativId": "" """)]
    [InlineData("Initiativ", "InitiativId", """ "InitiativId": "   " """)]
    [InlineData("Bedomningar", "InitiativId", """ "Kriterium": "Finansiering", "Poang": 2, "Bedomningsdatum": "2024-02-12" """)]
    [InlineData("Projektstatus", "InitiativId", """ "Rapportdatum": "2024-09-30", "Status": "Grön" """)]
    [InlineData("Forvaltningsobjekt", "ObjektId", """ "Title": "E-tjänsteplattformen" """)]
    [InlineData("Forvaltningsobjekt", "ObjektId", """ "Title": "E-tjänsteplattformen", "ObjektId": " " """)]
    public void Parse_RejectsAnItemWithoutItsKey(string list, string key, string fields)
    {
        var message = Rejected(list, fields);

        Assert.Contains(key, message);
        Assert.Contains("saknas", message);
    }

    [Theory]
    [InlineData("(inget)")]
    [InlineData("(INGET)")]
    public void Parse_RejectsAForvaltningsobjekt_WhoseKeyIsThePowerBiModelsNoObjectRow(string key)
    {
        // Power BI's Förvaltningsobjekt adds a row "(inget)" for initiatives without an object; an object of that key
        // would make its key column hold a duplicate (in any letter case) and fail the refresh.
        var message = Rejected(ListNames.Objects, $$""" "Title": "Inget", "ObjektId": "{{key}}" """);

        Assert.Contains("ObjektId", message);
        Assert.Contains("reserverad", message);
    }

    [Fact]
    public void Parse_RejectsAKeyLongerThan100Characters()
    {
        var key = new string('A', 101);

        var message = Rejected(ListNames.Initiatives, $$""" "InitiativId": "{{key}}" """);

        Assert.Contains("InitiativId", message);
        Assert.Contains("100", message);
    }

    [Theory]
    [InlineData("Initiativ", "Fas", "Pilot", "Idé, Beredning, Beslutad, Projekt, Förvaltning, Avslutad, Avslagen")]
    [InlineData("Initiativ", "Typ", "Innovationer", "Verksamhetsutveckling, Innovation")]
    [InlineData("Initiativ", "Behov", "Eget behov", "Kommungemensamt, Verksamhetsbehov")]
    [InlineData("Projektstatus", "Status", "Blå", "Grön, Gul, Röd")]
    public void Parse_RejectsAnUnknownChoice_NamingItAndTheChoices(string list, string field, string value, string choices)
    {
        var valid = list == ListNames.Initiatives ? ValidInitiative : ValidStatus;

        var message = Rejected(list, WithText(valid, field, value));

        Assert.Contains(field, message);
        Assert.Contains($"\"{value}\"", message);
        Assert.Contains(choices, message);
    }

    [Theory]
    [InlineData("Kostnad")]
    [InlineData("Nytta")]
    [InlineData("N5")]
    public void Parse_RejectsAnUnknownKriterium(string kriterium)
    {
        var message = Rejected(ListNames.Assessments, WithText(ValidAssessment, "Kriterium", kriterium));

        Assert.Contains("Kriterium", message);
        Assert.Contains($"\"{kriterium}\"", message);
    }

    [Fact]
    public void Parse_RejectsAnUnknownStrategiskaMal_NamingTheEntry()
    {
        var message = Rejected(ListNames.Initiatives, With(ValidInitiative, "StrategiskaMal", """["Maximalt värde för skattepengarna", "Världsfred"]"""));

        Assert.Contains("StrategiskaMal", message);
        Assert.Contains("\"Världsfred\"", message);
        Assert.DoesNotContain("\"Maximalt värde för skattepengarna\"", message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("\"10\"")]
    public void Parse_RejectsAScoreOutside1To4(string poang)
    {
        var message = Rejected(ListNames.Assessments, With(ValidAssessment, "Poang", poang));

        Assert.Contains("Poang", message);
        Assert.Contains("1–4", message);
    }

    [Theory]
    [InlineData("2.5", "2,5")]
    [InlineData("\"2,5\"", "2,5")]
    [InlineData("3.01", "3,01")]
    public void Parse_RejectsAScoreThatIsNoWholeNumber(string poang, string shown)
    {
        var message = Rejected(ListNames.Assessments, With(ValidAssessment, "Poang", poang));

        Assert.Contains("Poang", message);
        Assert.Contains(shown, message);
        Assert.Contains("heltal", message);
        // 2,5 lies within 1–4: the message must not say it lies outside.
        Assert.DoesNotContain("utanför", message);
    }

    [Theory]
    [InlineData("-1", "-1")]
    [InlineData("100.5", "100,5")]
    [InlineData("\"150\"", "150")]
    public void Parse_RejectsAPercentageOutside0To100(string fardiggrad, string shown)
    {
        var message = Rejected(ListNames.ProjectStatus, With(ValidStatus, "Fardiggrad", fardiggrad));

        Assert.Contains("Fardiggrad", message);
        Assert.Contains(shown, message);
        Assert.Contains("0–100", message);
    }

    [Fact]
    public void Parse_RejectsANegativeBudgetSpent()
    {
        var message = Rejected(ListNames.ProjectStatus, With(ValidStatus, "BudgetForbrukad", "-5000"));

        Assert.Contains("BudgetForbrukad", message);
        Assert.Contains("-5 000", message);
    }

    [Theory]
    [InlineData("Initiativ", "Beslutsdatum", "igår")]
    [InlineData("Initiativ", "Beslutsdatum", "2023-02-30")]
    // Of the plain form, read without the culture's parser, but no day: not a leap year, month 13, year 0, not digits.
    [InlineData("Initiativ", "Beslutsdatum", "2023-02-29")]
    [InlineData("Initiativ", "Beslutsdatum", "2024-13-01")]
    [InlineData("Initiativ", "Beslutsdatum", "0000-01-01")]
    [InlineData("Initiativ", "Beslutsdatum", "2024-1a-01")]
    [InlineData("Initiativ", "Beslutsdatum", "２０２４-01-01")]
    [InlineData("Bedomningar", "Bedomningsdatum", "31/12/2024")]
    // An American or a time-only text is no date: it must not become 2 January or today.
    [InlineData("Bedomningar", "Bedomningsdatum", "1/2/2024")]
    [InlineData("Projektstatus", "Rapportdatum", "10:00")]
    [InlineData("Projektstatus", "Rapportdatum", "March 2024")]
    [InlineData("Projektstatus", "Rapportdatum", "2024-13-01T00:00:00Z")]
    public void Parse_RejectsADateThatIsNoDate(string list, string field, string value)
    {
        var valid = list switch
        {
            ListNames.Initiatives => ValidInitiative,
            ListNames.Assessments => ValidAssessment,
            _ => ValidStatus,
        };

        var message = Rejected(list, WithText(valid, field, value));

        Assert.Contains(field, message);
        Assert.Contains(value, message);
        Assert.Contains("inget datum", message);
    }

    [Theory]
    [InlineData("Bedomningar", "Kriterium", null)]
    [InlineData("Bedomningar", "Kriterium", "\"\"")]
    [InlineData("Bedomningar", "Poang", null)]
    [InlineData("Bedomningar", "Poang", "null")]
    [InlineData("Bedomningar", "Poang", "\"\"")]
    [InlineData("Bedomningar", "Bedomningsdatum", null)]
    [InlineData("Bedomningar", "Bedomningsdatum", "null")]
    [InlineData("Bedomningar", "Bedomningsdatum", "\"\"")]
    [InlineData("Bedomningar", "Bedomningsdatum", "\"  \"")]
    [InlineData("Projektstatus", "Rapportdatum", null)]
    [InlineData("Projektstatus", "Rapportdatum", "\"\"")]
    [InlineData("Projektstatus", "Status", null)]
    [InlineData("Projektstatus", "Status", "null")]
    [InlineData("Projektstatus", "Status", "\"\"")]
    [InlineData("Projektstatus", "Status", "\" \"")]
    public void Parse_RejectsAnItemWithoutARequiredField(string list, string field, string? json)
    {
        var valid = list == ListNames.Assessments ? ValidAssessment : ValidStatus;
        var fields = json is null ? Without(valid, field) : With(valid, field, json);

        var message = Rejected(list, fields);

        Assert.Equal($"{field} saknas.", message);
    }

    [Theory]
    [InlineData("Projektstatus", "BudgetForbrukad", "\"mycket\"")]
    [InlineData("Projektstatus", "Fardiggrad", "\"hälften\"")]
    [InlineData("Projektstatus", "Fardiggrad", "true")]
    [InlineData("Bedomningar", "Poang", "\"tre\"")]
    [InlineData("Bedomningar", "Poang", "[3]")]
    public void Parse_RejectsANumberThatIsNoNumber(string list, string field, string value)
    {
        var valid = list == ListNames.Assessments ? ValidAssessment : ValidStatus;

        var message = Rejected(list, With(valid, field, value));

        Assert.Contains(field, message);
        Assert.Contains(value, message);
        Assert.Contains("inget tal", message);
    }

    [Fact]
    public void Parse_RejectsATextFieldGivenAsAnObject_ThatShowsNoValue()
    {
        var message = Rejected(ListNames.Objects, """ "ObjektId": "OBJ-7", "Verksamhet": {"TermGuid": "5f0f4c6e-6d0a-4b3e-9a57-0d3c4a1b2c3d"} """);

        Assert.Contains("Verksamhet", message);
        Assert.Contains("ingen text", message);
    }

    [Fact]
    public void Parse_ReportsEveryProblemOfAnItem()
    {
        var change = Parse(ListNames.ProjectStatus, Item("""
            "Rapportdatum": "snart", "Status": "Blå", "Fardiggrad": 150, "BudgetForbrukad": "mycket"
            """));

        Assert.True(change.Rejected);
        Assert.Null(change.Item);
        Assert.Equal(5, change.Problems.Count);
        Assert.All(change.Problems, p => AssertNamesTheItem(ListNames.ProjectStatus, p));
        Assert.Contains(change.Problems, p => p.Message.Contains("InitiativId saknas", StringComparison.Ordinal));
        Assert.Contains(change.Problems, p => p.Message.StartsWith("Rapportdatum", StringComparison.Ordinal));
        Assert.Contains(change.Problems, p => p.Message.StartsWith("Status", StringComparison.Ordinal));
        Assert.Contains(change.Problems, p => p.Message.StartsWith("Fardiggrad", StringComparison.Ordinal));
        Assert.Contains(change.Problems, p => p.Message.StartsWith("BudgetForbrukad", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ReportsEveryProblemOfAnInitiative()
    {
        var change = Parse(ListNames.Initiatives, Item("""
            "InitiativId": "DIG-2023-014", "Fas": "Pilot", "Typ": "?", "Behov": "Eget",
            "StrategiskaMal": ["Världsfred", "Bästa utveckling för alla", "Evig lycka"], "Beslutsdatum": "snart"
            """));

        Assert.True(change.Rejected);
        Assert.Equal(6, change.Problems.Count);
        Assert.All(change.Problems, p => AssertNamesTheItem(ListNames.Initiatives, p));
        Assert.Contains(change.Problems, p => p.Message.Contains("\"Världsfred\"", StringComparison.Ordinal));
        Assert.Contains(change.Problems, p => p.Message.Contains("\"Evig lycka\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_GivesARemoval_ForARemovedItem()
    {
        var change = Parse(ListNames.Assessments, """{"id": "7", "@removed": {"reason": "deleted"}}""");

        Assert.True(change.Removed);
        Assert.False(change.Rejected);
        Assert.Null(change.Item);
        Assert.Empty(change.Problems);
        Assert.Equal(ItemId, change.ItemId);
        Assert.Equal(Fallback, change.LastModifiedUtc);
    }

    [Fact]
    public void Parse_DoesNotValidateARemovedItemsFields()
    {
        var change = Parse(ListNames.ProjectStatus, """
            {"id": "7", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "@removed": {"reason": "changed"}, "fields": {"Status": "Blå"}}
            """);

        Assert.True(change.Removed);
        Assert.Null(change.Item);
        Assert.Empty(change.Problems);
        Assert.Equal(Modified, change.LastModifiedUtc);
    }

    [Theory]
    [InlineData("Fas", "beslutad", "Beslutad")]
    [InlineData("Fas", "IDÉ", "Idé")]
    [InlineData("Fas", "förvaltning", "Förvaltning")]
    [InlineData("Fas", " Avslagen ", "Avslagen")]
    [InlineData("Typ", "INNOVATION", "Innovation")]
    [InlineData("Typ", "verksamhetsutveckling", "Verksamhetsutveckling")]
    [InlineData("Behov", "verksamhetsBEHOV", "Verksamhetsbehov")]
    public void Parse_MatchesAnInitiativesChoicesIgnoringCase_AndGivesTheContractsSpelling(string field, string given, string expected)
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, WithText(ValidInitiative, field, given));

        var actual = field switch
        {
            "Fas" => item.Phase,
            "Typ" => item.InitiativeType,
            _ => item.NeedType,
        };
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("grön", "Grön")]
    [InlineData("GUL", "Gul")]
    [InlineData("RÖD", "Röd")]
    public void Parse_MatchesAStatusIgnoringCase(string given, string expected)
    {
        var item = Valid<StatusItem>(ListNames.ProjectStatus, WithText(ValidStatus, "Status", given));

        Assert.Equal(expected, item.Status);
    }

    [Fact]
    public void Parse_MatchesAKriteriumAndStrategiskaMalIgnoringCase()
    {
        var assessment = Valid<AssessmentItem>(ListNames.Assessments, WithText(ValidAssessment, "Kriterium", "STÖD FRÅN LEDNINGEN"));
        var initiative = Valid<InitiativeItem>(ListNames.Initiatives, With(ValidInitiative, "StrategiskaMal", """["stark och balanserad TILLVÄXT"]"""));

        Assert.Equal("G2", assessment.CriterionCode);
        Assert.Equal([GoalCode("Stark och balanserad tillväxt")], initiative.GoalCodes);
    }

    [Theory]
    [InlineData("2023-05-08T22:00:00Z", "2023-05-09")]
    [InlineData("2023-05-08T22:00:00.000Z", "2023-05-09")]
    // The last moment of 30 March in Stockholm, then its first: 2024-03-31 is when summer time begins.
    [InlineData("2024-03-30T22:59:59Z", "2024-03-30")]
    [InlineData("2024-03-30T23:00:00Z", "2024-03-31")]
    // The first midnight in summer time is at 22:00 UTC.
    [InlineData("2024-03-31T22:00:00Z", "2024-04-01")]
    [InlineData("2024-06-30T21:59:59Z", "2024-06-30")]
    [InlineData("2024-06-30T22:00:00Z", "2024-07-01")]
    // 2024-10-27 is when summer time ends: its midnight is still summer time, the next one is not.
    [InlineData("2024-10-26T22:00:00Z", "2024-10-27")]
    [InlineData("2024-10-27T23:00:00Z", "2024-10-28")]
    [InlineData("2024-01-14T23:00:00Z", "2024-01-15")]
    [InlineData("2024-12-31T23:00:00Z", "2025-01-01")]
    [InlineData("2024-05-09T00:00:00+02:00", "2024-05-09")]
    [InlineData("2024-05-09", "2024-05-09")]
    [InlineData(" 2024-02-29 ", "2024-02-29")]
    [InlineData("2000-02-29", "2000-02-29")]
    [InlineData("2024-12-31", "2024-12-31")]
    public void Parse_TakesADateInStockholmTime(string given, string expected)
    {
        var item = Valid<AssessmentItem>(ListNames.Assessments, WithText(ValidAssessment, "Bedomningsdatum", given));

        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), item.AssessedOn);
    }

    // A timestamp without an offset says nothing of UTC: the date is the one written, as in the site's time.
    [Theory]
    [InlineData("2024-05-09T00:00:00", "2024-05-09")]
    [InlineData("2024-05-09T23:30:00", "2024-05-09")]
    public void Parse_TakesTheWrittenDate_OfATimestampWithoutOffset(string given, string expected)
    {
        var item = Valid<StatusItem>(ListNames.ProjectStatus, WithText(ValidStatus, "Rapportdatum", given));

        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), item.ReportDate);
    }

    [Fact]
    public void Parse_ReadsStrategiskaMalAsAnArray()
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, With(ValidInitiative, "StrategiskaMal", """["Bästa utveckling för alla", " Stark och balanserad tillväxt ", "Bästa utveckling för alla"]"""));

        Assert.Equal([GoalCode("Bästa utveckling för alla"), GoalCode("Stark och balanserad tillväxt")], item.GoalCodes);
    }

    [Fact]
    public void Parse_ReadsStrategiskaMalAsSemicolonSeparatedText()
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, WithText(ValidInitiative, "StrategiskaMal", "Maximalt värde för skattepengarna; Attraktiva livsmiljöer i hela Nacka;"));

        Assert.Equal([GoalCode("Maximalt värde för skattepengarna"), GoalCode("Attraktiva livsmiljöer i hela Nacka")], item.GoalCodes);
    }

    [Fact]
    public void Parse_ReadsTheOtherSpellingOfBastaUtveckling()
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, WithText(ValidInitiative, "StrategiskaMal", "Bäst utveckling för alla"));

        Assert.Equal([GoalCode("Bästa utveckling för alla")], item.GoalCodes);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"\"")]
    public void Parse_GivesNoGoals_WhenStrategiskaMalIsEmpty(string value)
    {
        var item = Valid<InitiativeItem>(ListNames.Initiatives, With(ValidInitiative, "StrategiskaMal", value));

        Assert.Empty(item.GoalCodes);
    }

    [Fact]
    public void Parse_FallsBackToTheGivenTime_WhenTheItemHasNoLastModifiedDateTime()
    {
        var change = Parse(ListNames.Objects, """{"id": "7", "fields": {"ObjektId": "OBJ-7"}}""");

        Assert.Equal(Fallback, change.LastModifiedUtc);
        var item = Assert.IsType<ObjectItem>(change.Item);
        Assert.Equal(Fallback, item.Origin.LastModifiedUtc);
        Assert.Equal(DateTimeKind.Utc, item.Origin.LastModifiedUtc.Kind);
    }

    [Fact]
    public void Parse_TakesLastModifiedDateTimeInUtc_WhenItCarriesAnOffset()
    {
        var change = Parse(ListNames.Objects, """{"id": "7", "lastModifiedDateTime": "2024-03-01T09:00:00+01:00", "fields": {"ObjektId": "OBJ-7"}}""");

        Assert.Equal(Modified, change.LastModifiedUtc);
        Assert.Equal(DateTimeKind.Utc, change.LastModifiedUtc!.Value.Kind);
    }

    [Fact]
    public void Parse_KeepsTheRawFieldsExactly_OfAValidAndOfARejectedItem()
    {
        const string valid = """{ "ObjektId" :"OBJ-7","Title":"E-tj\u00e4nst", "Extra": [1.50, {"x": null}] }""";
        const string rejected = """{"Title": "utan nyckel",   "Poäng": 1e2}""";

        var validChange = Parse(ListNames.Objects, $$"""{"id": "7", "fields": {{valid}}}""");
        var rejectedChange = Parse(ListNames.Objects, $$"""{"id": "7", "fields": {{rejected}}}""");

        Assert.Equal(valid, validChange.FieldsJson);
        Assert.Equal("E-tjänst", Assert.IsType<ObjectItem>(validChange.Item).Name);
        Assert.Equal(rejected, rejectedChange.FieldsJson);
        Assert.True(rejectedChange.Rejected);
    }

    [Fact]
    public void Parse_RefusesAListThatIsNoneOfTheFour()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Parse("Uppgifter", Item(""" "Title": "x" """)));
    }
    private static string ValidOf(string list) => list switch
    {
        ListNames.Initiatives => ValidInitiative,
        ListNames.Assessments => ValidAssessment,
        _ => ValidStatus,
    };

    [Theory]
    [InlineData("Projektstatus", "Rapportdatum", "9999-12-31", "9999-12-31")]
    // Stockholm time of this instant lies past the last DateTime.
    [InlineData("Projektstatus", "Rapportdatum", "9999-12-31T23:00:00Z", "9999-12-31")]
    [InlineData("Bedomningar", "Bedomningsdatum", "0001-01-01", "0001-01-01")]
    [InlineData("Bedomningar", "Bedomningsdatum", "0001-01-01T00:00:00", "0001-01-01")]
    [InlineData("Initiativ", "Beslutsdatum", "1999-12-31", "1999-12-31")]
    // Midnight 1 January 2101 in Stockholm.
    [InlineData("Initiativ", "Beslutsdatum", "2100-12-31T23:00:00Z", "2101-01-01")]
    public void Parse_RejectsADateOutsideTheWindow_NamingTheField(string list, string field, string value, string shown)
    {
        var message = Rejected(list, WithText(ValidOf(list), field, value));

        Assert.Equal($"{field}: {shown} ligger utanför de tillåtna åren 2000–2100.", message);
    }

    [Theory]
    [InlineData("Projektstatus", "Rapportdatum", "2000-01-01")]
    [InlineData("Bedomningar", "Bedomningsdatum", "2100-12-31")]
    [InlineData("Initiativ", "Beslutsdatum", "2100-12-30T23:00:00Z")]
    public void Parse_TakesADateOnTheWindowsEdges(string list, string field, string value)
    {
        var change = Parse(list, Item(WithText(ValidOf(list), field, value)));

        Assert.Empty(change.Problems);
        Assert.NotNull(change.Item);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01")]
    [InlineData("9999-12-31T23:59:59Z", "9999-12-31")]
    [InlineData("1970-01-01T00:00:00Z", "1970-01-01")]
    public void Parse_RejectsAnItemModifiedOutsideTheWindow_NamingLastModifiedDateTime(string modified, string shown)
    {
        var change = Parse(ListNames.Initiatives, $$"""{"id": "7", "lastModifiedDateTime": "{{modified}}", "fields": {""" + ValidInitiative + "}}");

        Assert.True(change.Rejected);
        var problem = Assert.Single(change.Problems);
        AssertNamesTheItem(ListNames.Initiatives, problem);
        Assert.Equal($"lastModifiedDateTime: {shown} ligger utanför de tillåtna åren 2000–2100.", problem.Message);
        // Its landed row carries the time the list was read as of, not the implausible one.
        Assert.Equal(Fallback, change.LastModifiedUtc);
    }

    [Fact]
    public void Parse_TakesARemovalModifiedOutsideTheWindow_AsOfTheRead()
    {
        var change = Parse(ListNames.Initiatives, """{"id": "7", "lastModifiedDateTime": "0001-01-01T00:00:00Z", "@removed": {"reason": "deleted"}}""");

        Assert.True(change.Removed);
        Assert.Empty(change.Problems);
        Assert.Equal(Fallback, change.LastModifiedUtc);
    }

    [Fact]
    public void Parse_CutsLongTextsToTheLimit()
    {
        var longText = new string('å', 100_000);
        var initiative = Valid<InitiativeItem>(ListNames.Initiatives, WithText(WithText(ValidInitiative, "Hypotes", longText), "Title", longText));
        var status = Valid<StatusItem>(ListNames.ProjectStatus, WithText(ValidStatus, "Kommentar", longText));
        var assessment = Valid<AssessmentItem>(ListNames.Assessments, WithText(ValidAssessment, "Kommentar", longText));

        Assert.Equal(new string('å', 4_000), initiative.Hypothesis);
        Assert.Equal(new string('å', 4_000), initiative.Name);
        Assert.Equal(4_000, status.Comment!.Length);
        Assert.Equal(4_000, assessment.Comment!.Length);
    }

    [Theory]
    [InlineData("Fas")]
    [InlineData("Status")]
    [InlineData("Kriterium")]
    [InlineData("Rapportdatum")]
    [InlineData("InitiativId")]
    public void Parse_QuotesOnlyAnExcerptOfALongOffendingValue(string field)
    {
        var list = field switch
        {
            "Fas" => ListNames.Initiatives,
            "Kriterium" => ListNames.Assessments,
            _ => ListNames.ProjectStatus,
        };
        var value = "X" + new string('y', 99_999);

        var message = Rejected(list, WithText(ValidOf(list), field, value));

        Assert.StartsWith(field, message);
        Assert.Contains(InputLimits.Excerpt(value), message);
        Assert.True(message.Length < 300, $"The message is {message.Length} characters long.");
    }
    [Fact]
    public void Parse_FollowsTheConfiguredLimits()
    {
        var limits = new InputLimits { EarliestYear = 2020, LatestYear = 2030, MaxTextLength = 10 };
        var data = (string fields) => Assert.Single(ListJson.ParsePage(System.Text.Encoding.UTF8.GetBytes($$"""{"value": [{{Item(fields)}}]}""")).Items);

        var early = ListItemParser.Parse(ListNames.ProjectStatus, data(WithText(ValidStatus, "Rapportdatum", "2019-12-31")), Fallback, limits);
        var cut = ListItemParser.Parse(ListNames.ProjectStatus, data(WithText(ValidStatus, "Kommentar", "Tolv tecken.")), Fallback, limits);
        // The item's own modification time, 2024, lies within 2020–2030.
        var key = ListItemParser.Parse(ListNames.Objects, data(""" "ObjektId": "OBJ-2024-0001" """), Fallback, limits);

        Assert.Equal("Rapportdatum: 2019-12-31 ligger utanför de tillåtna åren 2020–2030.", Assert.Single(early.Problems).Message);
        Assert.Equal("Tolv tecke", Assert.IsType<StatusItem>(cut.Item).Comment);
        // A key keeps its own rule of 100 characters: cut, two keys could become one.
        Assert.Equal("OBJ-2024-0001", Assert.IsType<ObjectItem>(key.Item).ObjectId);
    }
    [Theory]
    [InlineData("\"igår\"", "\"igår\"")]
    // Past the last instant a timestamp can hold, in UTC.
    [InlineData("\"9999-12-31T23:59:59-05:00\"", "\"9999-12-31T23:59:59-05:00\"")]
    [InlineData("20240301", "\"20240301\"")]
    public void Parse_RejectsAnItemWhoseLastModifiedDateTimeIsNoTimestamp(string json, string shown)
    {
        var change = Parse(ListNames.Objects, $$"""{"id": "7", "lastModifiedDateTime": {{json}}, "fields": {"ObjektId": "OBJ-7"}""" + "}");

        Assert.True(change.Rejected);
        var problem = Assert.Single(change.Problems);
        AssertNamesTheItem(ListNames.Objects, problem);
        Assert.Equal($"lastModifiedDateTime: {shown} är ingen tidpunkt.", problem.Message);
    }
}
