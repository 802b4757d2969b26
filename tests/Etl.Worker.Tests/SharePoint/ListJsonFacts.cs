using System.Text;
using System.Text.Json;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;

namespace NackaInsights.Etl.Tests.SharePoint;

public sealed class ListJsonFacts
{
    private static ListJson.Page Parse(string json) => ListJson.ParsePage(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void AnItemWithRemovedOrADeletedFacetIsARemovalAndOthersAreNot()
    {
        var parsed = Parse("""
            {"value": [
              {"id": "1", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "fields": {"Title": "Kvar"}},
              {"id": "2", "@removed": {"reason": "deleted"}},
              {"id": "3", "deleted": {"state": "deleted"}},
              {"id": "4", "deleted": null, "fields": {"Title": "Också kvar"}}
            ],
            "@odata.deltaLink": "https://graph.example/delta?token=abc"}
            """);

        Assert.Equal(["1", "2", "3", "4"], parsed.Items.Select(i => i.Id));
        Assert.Equal([false, true, true, false], parsed.Items.Select(i => i.Removed));
        Assert.Equal("https://graph.example/delta?token=abc", parsed.DeltaLink);
        Assert.Null(parsed.NextLink);
    }

    [Fact]
    public void AnItemsCreatedDateTime_IsReadBesideItsLastModifiedDateTime_AndOneThatIsNoTimestampIsKeptToBeNamed()
    {
        var parsed = Parse("""
            {"value": [
              {"id": "1", "createdDateTime": "2023-11-20T08:15:00Z", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "fields": {}},
              {"id": "2", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "fields": {}},
              {"id": "3", "createdDateTime": null, "fields": {}},
              {"id": "4", "createdDateTime": "igår", "fields": {}},
              {"id": "5", "createdDateTime": 20231120, "fields": {}}
            ]}
            """);

        Assert.Equal(new DateTimeOffset(2023, 11, 20, 8, 15, 0, TimeSpan.Zero), parsed.Items[0].Created);
        Assert.Equal([null, null, null, null], parsed.Items.Skip(1).Select(i => i.Created));
        Assert.Equal([null, null, null, "igår", "20231120"], parsed.Items.Select(i => i.UnreadableCreated));
        Assert.All(parsed.Items, i => Assert.Null(i.UnreadableLastModified));
    }

    [Fact]
    public void ParsePage_ReadsTheLinksAndSkipsOtherProperties_WhereverTheyStand()
    {
        var parsed = Parse("""
            {"@odata.context": "https://graph.example/$metadata#items", "@odata.nextLink": "https://graph.example/next",
             "extra": {"nested": [1, 2, {"deep": true}]},
             "value": [{"id": 7, "fields": {"Title": "Sju", "Poang": 3}}],
             "after": [1]}
            """);

        var item = Assert.Single(parsed.Items);
        Assert.Equal("7", item.Id);
        Assert.Equal("Sju", item.Fields.GetProperty("Title").GetString());
        Assert.Equal(3, item.Fields.GetProperty("Poang").GetInt32());
        Assert.Equal("https://graph.example/next", parsed.NextLink);
        Assert.Null(parsed.DeltaLink);
    }

    [Fact]
    public void ParsePage_KeepsEachItemsFields_AfterItsOwnDocumentIsDisposed()
    {
        var items = Enumerable.Range(1, 500).Select(i => $$$"""{"id": "{{{i}}}", "fields": {"Title": "Initiativ {{{i}}}"}}""");
        var parsed = Parse($$"""{"value": [{{string.Join(",", items)}}]}""");

        Assert.Equal(500, parsed.Items.Count);
        Assert.Equal("Initiativ 1", parsed.Items[0].Fields.GetProperty("Title").GetString());
        Assert.Equal("Initiativ 500", parsed.Items[499].Fields.GetProperty("Title").GetString());
    }

    [Theory]
    [InlineData("""[{"id": "1"}]""", "ingen lista \"value\"")]
    [InlineData("""{"value": {"id": "1"}}""", "ingen lista \"value\"")]
    [InlineData("""{"items": []}""", "ingen lista \"value\"")]
    [InlineData("""{"value": [{"id": "1"}, 5]}""", "Listobjekt nummer 2 är inget JSON-objekt")]
    [InlineData("""{"value": [{"fields": {}}]}""", "Listobjekt nummer 1 saknar id")]
    public void ParsePage_SaysWhatIsWrong_WithAPageOfTheWrongShape(string json, string expected)
    {
        var e = Assert.ThrowsAny<JsonException>(() => Parse(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ParsePage_ThrowsWithTheLine_ForJsonThatIsNotWellFormed()
    {
        var e = Assert.ThrowsAny<JsonException>(() => Parse("{\"value\": [\n{\"id\": \"1\",\n}"));
        Assert.NotNull(e.LineNumber);
    }

    private const string StreamedPage = """
        {"@odata.context": "https://graph/x", "@odata.nextLink": {"skip": [1, 2, {"a": "}"}]}, "value": [
          {"id": "1", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "fields": {"Title": "Första \"citat\" ÅÄÖ", "Tal": 12.5e3}},
          {"id": 2, "fields": {"Lång": "%LONG%"}},
          {"id": "3", "deleted": {"state": "deleted"}}
        ], "@odata.deltaLink": "https://graph/delta"}
        """;

    private static List<string> Streamed(string json, int blockBytes) =>
        [.. ListJson.EnumerateItems(new MemoryStream(Encoding.UTF8.GetBytes(json)), blockBytes).Select(i => $"{i.Id} {i.Removed} {i.LastModified:O} {i.Fields.GetRawText()}")];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(65_536)]
    public void EnumerateItems_ReadFromAStreamInBlocksOfAnySize_GivesWhatTheWholePageGives(int blockBytes)
    {
        var json = StreamedPage.Replace("%LONG%", new string('x', 5_000), StringComparison.Ordinal);
        var whole = Parse(json).Items.Select(i => $"{i.Id} {i.Removed} {i.LastModified:O} {i.Fields.GetRawText()}").ToList();

        Assert.Equal(3, whole.Count);
        Assert.Equal(whole, Streamed(json, blockBytes));
    }

    [Theory]
    [InlineData("{\"value\": [\n{\"id\": \"1\", \"fields\": {}},\n{\"id\": \"2\",\n}")]
    [InlineData("{\"value\": [\n{\"id\": \"1\", \"fields\": {}}\n]")]
    [InlineData("{\"value\": [\n{\"id\": \"1\", \"fields\": {}}\n]}\n,")]
    [InlineData("{\"other\": [1,\n2]}")]
    [InlineData("{\"value\": [{\"id\": \"1\"}, 5]}")]
    public void EnumerateItems_ReadFromAStream_FailsWhereAndAsTheWholePageFails(string json)
    {
        var whole = Assert.ThrowsAny<JsonException>(() => ListJson.EnumerateItems(Encoding.UTF8.GetBytes(json)).ToList());
        foreach (var blockBytes in new[] { 1, 3, 16, 4096 })
        {
            var streamed = Assert.ThrowsAny<JsonException>(() => Streamed(json, blockBytes));
            Assert.Equal((whole.Message, whole.LineNumber, whole.BytePositionInLine), (streamed.Message, streamed.LineNumber, streamed.BytePositionInLine));
        }
    }
}
