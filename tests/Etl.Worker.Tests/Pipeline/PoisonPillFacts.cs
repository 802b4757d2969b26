using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Tests.Commands;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.TestSupport.ListFiles;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// One hostile file or list item costs only itself: whatever it throws while it is read, validated or taken in, it is
/// rejected with its name and the run goes on; only a fault of the run itself fails the run, naming what it was
/// working on. On each database.
/// </summary>
public abstract class PoisonPillFacts() : SourceFolderFacts("nacka-poison")
{
    private static readonly DateTimeOffset January = new(2024, 1, 10, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The command line options that point the program at this warehouse.</summary>
    protected abstract string[] DatabaseArguments { get; }

    [Fact]
    public async Task AnUploadWhoseReadingThrowsAnything_IsRejectedNamingIt_AndTheOtherUploadsLoad()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("giftig.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-002"));
        AddWorkbook("DIG-2024-003.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-003"));
        var poisoned = new FaultySource(BusinessCases(), "business-cases/giftig.xlsx", new InvalidCastException("Ett påhittat fel som ingen förutsåg."));

        var result = await RunAsync(new RunSources([poisoned], null));

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["DIG-2024-001", "DIG-2024-003"], await InitiativesAsync());
        var rejected = Assert.Single(result.Files, f => f.Status == FileStatus.Rejected);
        Assert.Equal("business-cases/giftig.xlsx", rejected.Name);
        var problem = Assert.Single(rejected.Problems);
        Assert.Equal("business-cases/giftig.xlsx", problem.Source);
        Assert.Contains("kunde inte läsas på grund av ett oväntat fel", problem.Message);
        Assert.Contains("\"Ett påhittat fel som ingen förutsåg.\"", problem.Message);
        Assert.Equal("business-cases/giftig.xlsx", await ScalarAsync<string>("SELECT source_name FROM pbi_etl_problem WHERE run_id = @RunId", new { result.RunId }));
        // The sender is told, as for any rejected upload.
        Assert.True(File.Exists(Source.File("business-cases/giftig.resultat.xlsx")));
    }

    [Fact]
    public async Task AnUploadWhoseReadingThrowsALongMessage_IsRejectedQuotingOnlyAnExcerpt()
    {
        AddWorkbook("giftig.xlsx", ContractWorkbooks.Reference());
        var message = "Mycket lång text " + new string('x', 100_000);
        var poisoned = new FaultySource(BusinessCases(), "business-cases/giftig.xlsx", new FormatException(message));

        var result = await RunAsync(new RunSources([poisoned], null));

        Assert.True(result.Succeeded, result.Message);
        var problem = Assert.Single(Assert.Single(result.Files).Problems);
        Assert.Contains(InputLimits.Excerpt(message), problem.Message);
        Assert.True(problem.Message.Length < 300, problem.Message);
    }

    [Fact]
    public async Task PoisonWorkbooks_CostOnlyThemselves_AndTheGoodUploadsOfTheRunLoad()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        // An amount past a double's range, and a date-styled number far past Excel's last day: each once failed every run.
        AddWorkbook("belopp.xlsx", new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows("DIG-2024-002"))
            .Sheet("Kostnader", [["Kostnadspost", "Kategori", 2024], ["Licens", "Investering", new RawXlsx.Raw("", "<v>1e309</v>")]])
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows()));
        AddWorkbook("datum.xlsx", new RawXlsx { WithDateStyle = true }
            .Sheet("Initiativ", [.. ContractWorkbooks.InitiativeRows("DIG-2024-003"), ["Beslutsdatum", new RawXlsx.DateSerial(1e10)]])
            .Sheet("Kostnader", [["Kostnadspost", "Kategori", 2024], ["Licens", "Investering", new RawXlsx.DateSerial(1e10)]])
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows()));
        AddWorkbook("DIG-2024-004.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-004"));

        var result = await RunAsync(Source.Path);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["DIG-2024-001", "DIG-2024-004"], (await InitiativesAsync()).Where(i => i is "DIG-2024-001" or "DIG-2024-004"));
        foreach (var name in new[] { "business-cases/belopp.xlsx", "business-cases/datum.xlsx" })
        {
            var file = Assert.Single(result.Files, f => f.Name == name);
            // However the readers come to judge such a cell, the file is loaded or rejected naming itself, never the run's end.
            Assert.Contains(file.Status, new[] { FileStatus.Loaded, FileStatus.Rejected });
            Assert.All(file.Problems, p => Assert.Equal(name, p.Source));
            Assert.True(File.Exists(Path.Combine(Source.Path, name.Replace(".xlsx", Upload.ResultSuffix, StringComparison.Ordinal))));
        }
    }

    [Fact]
    public async Task AListItemWhoseParsingThrowsAnything_IsRejectedNamingListAndItem_AndTheRestLoads()
    {
        Write(Source.Path, ListNames.Initiatives,
            Initiative("10", "DIG-2024-001", "Idé", January),
            Initiative("11", "DIG-2024-002", "Idé", January),
            Initiative("12", "DIG-2024-003", "Idé", January));
        var pipeline = new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance, new InputLimits())
        {
            ParseListItem = (list, item, asOf) => item.Id == "11" ? throw new KeyNotFoundException("Ett påhittat fel.") : ListItemParser.Parse(list, item, asOf),
        };

        var result = await pipeline.RunAsync(Source.Path, "test", ct: Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["DIG-2024-001", "DIG-2024-003"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        var list = Assert.Single(result.Lists);
        Assert.Equal(1, list.ItemsRejected);
        var problem = Assert.Single(list.Problems);
        Assert.Equal((ListNames.Initiatives, "11"), (problem.Source, problem.ItemId));
        Assert.Contains("kunde inte läsas på grund av ett oväntat fel: \"Ett påhittat fel.\"", problem.Message);
        Assert.Equal("11", await ScalarAsync<string>("SELECT item_id FROM pbi_etl_problem WHERE run_id = @RunId", new { result.RunId }));
    }

    [Fact]
    public async Task AListTakenInParts_LoadsEveryItem_AndAnItemThatThrowsInALaterPart_CostsOnlyItself()
    {
        // Parts of two: the first parsed on the run's thread, the later ones on another while the part before is loaded.
        Write(Source.Path, ListNames.Initiatives,
            [.. Enumerable.Range(10, 7).Select(i => Initiative($"{i}", $"DIG-2024-0{i}", "Idé", January))]);
        var pipeline = new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance, new InputLimits())
        {
            ParseListItem = (list, item, asOf) => item.Id == "15" ? throw new KeyNotFoundException("Ett påhittat fel.") : ListItemParser.Parse(list, item, asOf),
            ListPartSize = 2,
        };

        var result = await pipeline.RunAsync(Source.Path, "test", ct: Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["DIG-2024-010", "DIG-2024-011", "DIG-2024-012", "DIG-2024-013", "DIG-2024-014", "DIG-2024-016"],
            await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative ORDER BY initiative_id"));
        var list = Assert.Single(result.Lists);
        Assert.Equal((7, 1), (list.ItemsRead, list.ItemsRejected));
        Assert.Equal((ListNames.Initiatives, "15"), (Assert.Single(list.Problems).Source, Assert.Single(list.Problems).ItemId));
    }

    [Fact]
    public async Task ARunThatFailsReadingAListPastItsFirstParts_SaysWhichList_AndPublishesNothingOfIt()
    {
        Write(Source.Path, ListNames.Initiatives,
            [.. Enumerable.Range(10, 6).Select(i => Initiative($"{i}", $"DIG-2024-0{i}", "Idé", January))]);
        // The sixth item cut short: five items read, in the third part of two the file ends where an item should go on.
        var file = Source.File($"lists/{ListNames.Initiatives}.json");
        var text = File.ReadAllText(file);
        File.WriteAllText(file, text[..text.LastIndexOf("\"DIG-2024-015\"", StringComparison.Ordinal)]);
        var pipeline = new RefreshPipeline(Warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance, new InputLimits()) { ListPartSize = 2 };

        var result = await pipeline.RunAsync(Source.Path, "test", ct: Ct);

        Assert.False(result.Succeeded);
        Assert.StartsWith($"Körningen misslyckades när listan {ListNames.Initiatives} lästes: ", result.Message);
        Assert.EndsWith("Inget publicerades.", result.Message);
        Assert.Empty(await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative"));
    }

    [Fact]
    public async Task AFolderFileWhoseNameIsNotAPlainFileName_IsRefusedUnread_AsADocumentLibraryRefusesIt()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        const string name = "citat\"x.xlsx";
        AddWorkbook(name, ContractWorkbooks.Reference(id: "DIG-2024-002"));

        var result = await RunAsync(Source.Path);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["DIG-2024-001"], await InitiativesAsync());
        var refused = Assert.Single(result.Files, f => f.Name == $"business-cases/{name}");
        Assert.Equal(FileStatus.Rejected, refused.Status);
        Assert.Equal(Upload.RefusalOf(name), Assert.Single(refused.Problems).Message);
        Assert.Equal("Filnamnet \"citat\"x.xlsx\" är inte tillåtet; filen lästes inte.", Upload.RefusalOf(name));
        // Unread: no fingerprint, and nothing written beside it.
        Assert.Equal("", await ScalarAsync<string>("SELECT content_sha256 FROM pbi_etl_file WHERE run_id = @RunId AND status = 'Avvisad'", new { result.RunId }));
        Assert.Equal(["DIG-2024-001.resultat.xlsx"], Directory.GetFiles(Source.File("business-cases"), "*" + Upload.ResultSuffix).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ARunThatFailsReadingAList_SaysWhichList()
    {
        Write(Source.Path, ListNames.Objects, Object("1", "FO-1", "E-tjänsteplattformen", "forvaltare@nacka.se", "Stadsledningskontoret"));
        File.WriteAllText(Source.File($"lists/{ListNames.Initiatives}.json"), "{ \"value\": [ { \"id\": ");

        var result = await RunAsync(Source.Path);

        Assert.False(result.Succeeded);
        Assert.StartsWith($"Körningen misslyckades när listan {ListNames.Initiatives} lästes: ", result.Message);
        Assert.EndsWith("Inget publicerades.", result.Message);
        Assert.Equal(result.Message, await ScalarAsync<string>("SELECT message FROM pbi_etl_run WHERE run_id = @RunId", new { result.RunId }));
    }

    [Fact]
    public async Task ARunThatFails_SaysWhatItWasWorkingOn_OnTheCommandLine()
    {
        File.WriteAllText(Source.File($"lists/{ListNames.Initiatives}.json"), "{ \"value\": [ { \"id\": ");

        var refresh = await CliRunner.RunProcessAsync(Source.Path, null, ["refresh", "--source-dir", Source.Path, .. DatabaseArguments]);

        Assert.True(refresh.ExitCode == 3, refresh.ToString());
        Assert.Contains($"Körningen misslyckades när listan {ListNames.Initiatives} lästes: ", refresh.Error);
    }

    [Fact]
    public async Task ARunThatCannotDownloadAnUpload_FailsSayingWhichUpload()
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));
        AddWorkbook("borta.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-002"));
        // A library that cannot be read is a fault of the run: its delta link must not move past the file.
        var unreachable = new FaultySource(BusinessCases(), "business-cases/borta.xlsx", new DocumentLibraryException("Nyttokalkyler", "Filen borta.xlsx kunde inte hämtas: tidsgränsen gick ut."));

        var result = await RunAsync(new RunSources([unreachable], null));

        Assert.False(result.Succeeded);
        Assert.Equal("Körningen misslyckades när nyttokalkylen business-cases/borta.xlsx lästes: Filen borta.xlsx kunde inte hämtas: tidsgränsen gick ut. Inget publicerades.", result.Message);
        Assert.Empty(await InitiativesAsync());
    }

    [Fact]
    public async Task ARunFailure_QuotesNoMoreThanTheStartOfAnEndlessError()
    {
        AddWorkbook("borta.xlsx", ContractWorkbooks.Reference());
        var endless = "Filen kunde inte hämtas: " + new string('x', 100_000);
        var unreachable = new FaultySource(BusinessCases(), "business-cases/borta.xlsx", new DocumentLibraryException("Nyttokalkyler", endless));

        var result = await RunAsync(new RunSources([unreachable], null));

        Assert.False(result.Succeeded);
        Assert.StartsWith("Körningen misslyckades när nyttokalkylen business-cases/borta.xlsx lästes: Filen kunde inte hämtas: xxx", result.Message);
        Assert.InRange(result.Message.Length, 1_000, 1_200);
        Assert.Equal(result.Message, await ScalarAsync<string>("SELECT message FROM pbi_etl_run WHERE run_id = @RunId", new { result.RunId }));
    }

    [Theory]
    [InlineData(PhaseTimings.Compute, "vid beräkningen")]
    [InlineData(PhaseTimings.Checks, "vid datakontrollerna")]
    public async Task ARunThatFailsInAPhase_SaysWhichPhase(string phase, string activity)
    {
        AddWorkbook("DIG-2024-001.xlsx", ContractWorkbooks.Reference(id: "DIG-2024-001"));

        var result = await Pipeline().RunAsync(Source.Path, "test", new FailingRunObserver(phase), Ct);

        Assert.False(result.Succeeded);
        Assert.Equal($"Körningen misslyckades {activity}: Injected failure in the {phase} phase. Inget publicerades.", result.Message);
    }

    private FolderUploadSource BusinessCases() => new(new SourceFolder(Source.Path), SourceFolder.BusinessCases, SourceKind.BusinessCase);

    private Task<List<string>> InitiativesAsync() => QueryAsync<string>("SELECT initiative_id FROM pbi_fct_business_case ORDER BY initiative_id");

    /// <summary>An upload source whose reading of one upload throws what it is given; the rest it reads as its inner source does.</summary>
    private sealed class FaultySource(IUploadSource inner, string failing, Exception error) : IUploadSource
    {
        public string Kind => inner.Kind;

        public string? StateKey => inner.StateKey;

        public string SourceKey => inner.SourceKey;

        public Task<UploadListing> ListAsync(string? deltaLink, CancellationToken ct) => inner.ListAsync(deltaLink, ct);

        public Task<byte[]?> ReadAsync(Upload upload, long maxBytes, CancellationToken ct) =>
            upload.Name == failing ? throw error : inner.ReadAsync(upload, maxBytes, ct);

        public Task WriteResultAsync(Upload upload, byte[] workbook, CancellationToken ct) => inner.WriteResultAsync(upload, workbook, ct);

        public Task RemoveResultAsync(Upload upload, CancellationToken ct) => inner.RemoveResultAsync(upload, ct);

        public Task<IReadOnlyList<string>> RemoveTemporariesAsync(CancellationToken ct) => inner.RemoveTemporariesAsync(ct);
    }
}

public sealed class SqlitePoisonPillFacts : PoisonPillFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    protected override string[] DatabaseArguments => ["--db", ((SqliteTestWarehouse)Warehouse).FilePath];
}

public sealed class PostgresPoisonPillFacts(PostgresCluster cluster) : PoisonPillFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    protected override string[] DatabaseArguments => ["--provider", "postgres", "--connection", Warehouse.Options.ConnectionString];
}
