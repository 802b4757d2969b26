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
    public async Task OpenAsync_RefusesAFileChangedWhileItsItemsWereRead_ForItsFingerprintWouldNotBeItsOwn()
    {
        var source = Source("{\"value\": [{\"id\": \"1\", \"fields\": {}}]}");
        var file = await source.OpenAsync("Initiativ", CancellationToken.None);
        File.WriteAllText(Path.Combine(_folder, "Initiativ.json"), "{\"value\": [{\"id\": \"2\", \"fields\": {}}]}");

        var e = Assert.Throws<ListUnreadableException>(() => file.Items.ToList());

        Assert.Equal("Initiativ", e.ListName);
        Assert.Contains("lists/Initiativ.json ändrades medan den lästes", e.Message);
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

    private void Write(string name, string content) => File.WriteAllText(Path.Combine(_folder, name), content);

    [Fact]
    public async Task ColumnsAsync_ReadsTheListsColumnsFile_InGraphsShape()
    {
        Write("Initiativ.columns.json", """
            {"value": [
              {"name": "Title", "displayName": "Rubrik", "text": {"allowMultipleLines": false}},
              {"name": "Agare", "displayName": "Ägare", "personOrGroup": {"allowMultipleSelection": false}},
              {"name": "field_3", "displayName": "Färdiggrad", "number": {"displayAs": "percentage"}}
            ]}
            """);
        var source = new OfflineListSource(_folder);

        var columns = await source.ColumnsAsync("Initiativ", CancellationToken.None);

        Assert.NotNull(columns);
        Assert.Equal(["Title", "Agare", "field_3"], columns.Select(c => c.Name));
        Assert.Equal(ListColumnKind.Person, columns[1].Kind);
        Assert.True(columns[2].IsPercentage);
    }

    [Fact]
    public async Task ColumnsAsync_GivesNone_WhenTheListHasNoColumnsFile()
    {
        var source = Source("""{"value": []}""");

        Assert.Null(await source.ColumnsAsync("Initiativ", CancellationToken.None));
    }

    [Fact]
    public async Task ColumnsAsync_NamesAColumnsFileThatCannotBeRead()
    {
        Write("Bedomningar.columns.json", """{"value": [{"name": "Poang",""");
        var source = new OfflineListSource(_folder);

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.ColumnsAsync("Bedomningar", CancellationToken.None));

        Assert.Equal("Bedomningar", e.ListName);
        Assert.Contains("lists/Bedomningar.columns.json är inte giltig JSON", e.Message);
    }

    [Fact]
    public async Task UsersAsync_ReadsTheUserInformationList_OnceForTheSourcesLife()
    {
        Write("User Information List.json", """
            {"value": [
              {"id": "12", "fields": {"Title": "Anna Andersson", "EMail": "anna.andersson@nacka.se"}},
              {"id": "14", "fields": {"Title": "Konferensrum"}}
            ]}
            """);
        var source = new OfflineListSource(_folder);

        var users = await source.UsersAsync(CancellationToken.None);
        Write("User Information List.json", """{"value": []}""");
        var again = await source.UsersAsync(CancellationToken.None);

        Assert.Same(users, again);
        Assert.Equal(2, users.Count);
        Assert.Equal("anna.andersson@nacka.se", users.Find("12")?.Email);
        Assert.Null(users.Find("14")?.Email);
    }

    [Fact]
    public async Task UsersAsync_GivesNone_WhenTheFolderHasNoUserList()
    {
        var source = Source("""{"value": []}""");

        Assert.Same(SiteUsers.None, await source.UsersAsync(CancellationToken.None));
    }

    [Fact]
    public async Task UsersAsync_NamesAUserListThatIsNoList()
    {
        Write("User Information List.json", """{"people": []}""");
        var source = new OfflineListSource(_folder);

        var e = await Assert.ThrowsAsync<ListUnreadableException>(() => source.UsersAsync(CancellationToken.None));

        Assert.Equal(SiteUsers.ListTitle, e.ListName);
        Assert.Contains("lists/User Information List.json har inte Graphs form", e.Message);
    }

    [Fact]
    public void Has_TakesNeitherTheUserListNorAColumnsFile_ForAList()
    {
        Write("User Information List.json", """{"value": []}""");
        Write("Initiativ.columns.json", """{"value": []}""");
        var source = new OfflineListSource(_folder);

        Assert.All(ListNames.All, list => Assert.False(source.Has(list)));
    }
}
