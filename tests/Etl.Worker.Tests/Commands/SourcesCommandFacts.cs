using NackaInsights.Etl.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary><c>sources check</c> over an offline folder: what it prints, that it writes nothing, and its exit codes.</summary>
public sealed class SourcesCommandFacts : IDisposable
{
    private static readonly DateTimeOffset March = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _dir = new("nacka-sources");

    public void Dispose() => _dir.Dispose();

    private string Source => Path.Combine(_dir.Path, "source");

    private void WriteCleanLists()
    {
        ListFiles.Write(Source, "Forvaltningsobjekt", ListFiles.Object("1", "OBJ-1", "E-tjänstplattform", "forvaltare@nacka.se", "Välfärd skola"));
        ListFiles.Write(Source, "Initiativ", ListFiles.Initiative("1", "DIG-2024-001", "Projekt", March, objectId: "OBJ-1"));
        ListFiles.Write(Source, "Bedomningar", ListFiles.Assessment("1", "DIG-2024-001", "2024-02-01", [3, 3, 2, 4, 3, 3, 2, 3, 4, 3, 4]));
        ListFiles.Write(Source, "Projektstatus", ListFiles.Status("1", "DIG-2024-001", "2024-03-01", "Grön", 40, 120000));
    }

    private static string[] Snapshot(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => $"{p} {(File.Exists(p) ? File.GetLastWriteTimeUtc(p).Ticks : 0)}").Order()];

    [Fact]
    public async Task Check_ExitsZero_AndNamesEveryFieldsColumn_WhenEverythingMaps()
    {
        WriteCleanLists();

        var result = await CliRunner.RunAsync("sources", "check", "--source-dir", Source);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("List Initiativ: 1 item, none would be rejected", result.Output);
        Assert.Matches(@"AgareEpost\s+AgareEpost\s+text\s+1", result.Output);
        Assert.Matches(@"Fardiggrad\s+Fardiggrad\s+number\s+1", result.Output);
        Assert.Contains("Everything maps: a run would reject nothing.", result.Output);
        Assert.Contains($"Next: `nacka-insights refresh --source-dir {Source}` loads the folder.", result.Output);
    }

    [Fact]
    public async Task Check_ExitsOne_AndShowsTheItemsARunWouldReject_WithTheirReasons()
    {
        WriteCleanLists();
        ListFiles.Write(Source, "Projektstatus",
            ListFiles.Status("1", "DIG-2024-001", "2024-03-01", "Grön", 40, 120000),
            ListFiles.Status("2", "DIG-2024-001", "2024-04-01", "Grön", 140, 130000));

        var result = await CliRunner.RunAsync("sources", "check", "--source-dir", Source);

        Assert.True(result.ExitCode == ExitCodes.Rejections, result.ToString());
        Assert.Contains("List Projektstatus: 2 items, 1 would be rejected", result.Output);
        Assert.Contains("item 2: Fardiggrad: 140 ligger utanför 0–100.", result.Output);
        Assert.Contains("1 item in 1 list(s) would be rejected; a run loads the rest.", result.Output);
        Assert.Contains("Next: map the columns and choice values named above in GraphOptions:Lists", result.Output);
    }

    [Fact]
    public async Task Check_ExitsThree_WhenAListCannotBeRead_AndStillChecksTheOthers()
    {
        WriteCleanLists();
        File.WriteAllText(Path.Combine(Source, "lists", "Bedomningar.json"), """{"value": [ {"id": "1", "fields": """);

        var result = await CliRunner.RunAsync("sources", "check", "--source-dir", Source);

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        Assert.Contains("List Bedomningar: COULD NOT BE READ. Listan Bedomningar kunde inte läsas: lists/Bedomningar.json är inte giltig JSON", result.Output);
        Assert.Contains("List Projektstatus: 1 item, none would be rejected", result.Output);
        Assert.Contains("Could not read the list Bedomningar: a run would fail.", result.Output);
    }

    [Fact]
    public async Task Check_SaysAListIsMissing_AndCountsTheUploads()
    {
        ListFiles.Write(Source, "Initiativ", ListFiles.Initiative("1", "DIG-2024-001", "Idé", March));
        ContractWorkbooks.Reference().Save(_dir.File(Path.Combine("source", "business-cases", "dig-2023-014.xlsx")));

        var result = await CliRunner.RunAsync("sources", "check", "--source-dir", Source);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("List Bedomningar: not in the source; a run leaves what the warehouse holds of it as it is.", result.Output);
        Assert.Matches(@"Business cases, .*business-cases: 1 file\(s\)", result.Output);
    }

    [Fact]
    public async Task Check_WritesNothing()
    {
        WriteCleanLists();
        ListFiles.Write(Source, "Projektstatus", ListFiles.Status("1", "DIG-2024-001", "2024-03-01", "Lila"));
        ContractWorkbooks.Reference().Save(_dir.File(Path.Combine("source", "business-cases", "dig-2023-014.xlsx")));
        var before = Snapshot(_dir.Path);

        var result = await CliRunner.RunAsync("sources", "check", "--source-dir", Source);

        Assert.Equal(ExitCodes.Rejections, result.ExitCode);
        Assert.Equal(before, Snapshot(_dir.Path));
    }

    [Fact]
    public async Task Check_ExitsTwo_WithoutAFolderOrAConfiguredSite()
    {
        var noSite = await CliRunner.RunAsync("sources", "check");
        var noFolder = await CliRunner.RunAsync("sources", "check", "--source-dir", Path.Combine(_dir.Path, "nowhere"));

        Assert.Equal(ExitCodes.Usage, noSite.ExitCode);
        Assert.Contains("sources check needs --source-dir DIR, or the SharePoint site configured in the section GraphOptions", noSite.Error);
        Assert.Equal(ExitCodes.Usage, noFolder.ExitCode);
        Assert.Contains("does not exist", noFolder.Error);
    }
}
