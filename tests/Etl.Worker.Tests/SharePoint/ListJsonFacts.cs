using System.Text.Json;
using NackaInsights.Etl.Sources.SharePoint;

namespace NackaInsights.Etl.Tests.SharePoint;

public sealed class ListJsonFacts
{
    [Fact]
    public void AnItemWithRemovedOrADeletedFacetIsARemovalAndOthersAreNot()
    {
        using var page = JsonDocument.Parse("""
            {"value": [
              {"id": "1", "lastModifiedDateTime": "2024-03-01T08:00:00Z", "fields": {"Title": "Kvar"}},
              {"id": "2", "@removed": {"reason": "deleted"}},
              {"id": "3", "deleted": {"state": "deleted"}},
              {"id": "4", "deleted": null, "fields": {"Title": "Också kvar"}}
            ],
            "@odata.deltaLink": "https://graph.example/delta?token=abc"}
            """);

        var parsed = ListJson.ParsePage(page.RootElement);

        Assert.Equal(["1", "2", "3", "4"], parsed.Items.Select(i => i.Id));
        Assert.Equal([false, true, true, false], parsed.Items.Select(i => i.Removed));
        Assert.Equal("https://graph.example/delta?token=abc", parsed.DeltaLink);
        Assert.Null(parsed.NextLink);
    }
}
