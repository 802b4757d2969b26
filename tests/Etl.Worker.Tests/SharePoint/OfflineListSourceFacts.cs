using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;

namespace NackaInsights.Etl.Tests.SharePoint;

public sealed class OfflineListSourceFacts : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nacka-lists-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private OfflineListSource Source(string json)
    {
        File.WriteAllText(Path.Combine(_folder, "Initiativ.json"), json);
        return new OfflineListSource(_folder);
    }

    [Fact]
    public async Task OpenAsync_GivesTheItemsBeforeAFault_ThenSaysWhereTheFileIsBroken()
    {
        var source = Source("{\"value\": [\n{\"id\": \"1\", \"fields\": {}},\n{\"id\": \"2\", \"fields\": {}},\n{\"id\": \"3\", \"fields\": {\"Title\": }}\n]}");

        var file = await source.OpenAsync("Initiativ", CancellationToken.None);
        var read = new List<string>();
        var e = Assert.Throws<ListUnreadableException>(() =>
        {
            foreach (var item in file.Items)
            {
                read.Add(item.Id);
            }
        });

        Assert.Equal(["1", "2"], read);
        Assert.Equal("Initiativ", e.ListName);
        Assert.Contains("lists/Initiativ.json är inte giltig JSON (rad 4", e.Message);
    }

    [Fact]
    public async Task ReadAsync_RejectsAFileThatIsNoList_Whole()
    {
        var source = Source("""{"items": [{"id": "1"}]}""");

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ReadAsync("Initiativ", null, CancellationToken.None));

        Assert.Contains("lists/Initiativ.json har inte Graphs form", e.Message);
    }

    [Fact]
    public async Task OpenAsync_FingerprintsTheFile_AsFingerprintAsyncDoes()
    {
        var source = Source("""{"value": [{"id": "1", "fields": {"Title": "Ett"}}]}""");

        var file = await source.OpenAsync("Initiativ", CancellationToken.None);

        Assert.Equal(await source.FingerprintAsync("Initiativ", CancellationToken.None), file.ContentSha256);
        Assert.Equal("Ett", Assert.Single(file.Items).Fields.GetProperty("Title").GetString());
    }
}
