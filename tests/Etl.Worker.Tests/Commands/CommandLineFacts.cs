using NackaInsights.Etl.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>The command line of cli.md: its commands, their output and exit codes.</summary>
public sealed class CommandLineFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-cli");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private string Db => Path.Combine(_dir.Path, "warehouse.db");

    private string Source => Path.Combine(_dir.Path, "source");

    private string Workbook(string name, RawXlsx workbook)
    {
        var path = _dir.File(Path.Combine("source", "business-cases", name));
        workbook.Save(path);
        return path;
    }

    [Fact]
    public async Task Validate_ExitsZero_AndSummarisesAGoodWorkbook()
    {
        var path = Workbook("ok.xlsx", ContractWorkbooks.Reference());

        var result = await CliRunner.RunAsync("validate", path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("valid business case for DIG-2023-014", result.Output);
        Assert.Contains("2023–2030", result.Output);
    }

    [Fact]
    public async Task Validate_ExitsOne_AndPrintsEveryProblemWithSheetAndCell()
    {
        var path = Workbook("bad.xlsx", new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows())
            .Sheet("Kostnader", [["Kostnadspost", "Kategori", 2023, 2024], ["Konsulter", "Konsult", "ca 500k", 10]])
            .Sheet("Nyttor", [["Nyttopost", "Typ", 2023], ["Tid", "Omfördelning", -5]]));

        var result = await CliRunner.RunAsync("validate", path);

        Assert.Equal(ExitCodes.Rejections, result.ExitCode);
        Assert.Contains("bad.xlsx: Kostnader!B2: \"Konsult\" är inte en kategori", result.Output);
        Assert.Contains("bad.xlsx: Kostnader!C2: \"ca 500k\" är inte ett belopp", result.Output);
        Assert.Contains("bad.xlsx: Nyttor!C2:", result.Output);
        Assert.Contains("3 problems", result.Output);
    }

    [Fact]
    public async Task Validate_ExitsOne_NamingBothSheets_WhenTwoSheetsReadAsUtfall()
    {
        var header = new object?[] { "Initiativ-ID", "Nyttopost", "Typ", "År", "Utfall" };
        var path = Workbook("dubbel.xlsx", new RawXlsx().Sheet("Utfall", header).Sheet(" utfall", header));

        var result = await CliRunner.RunAsync("validate", path);

        Assert.Equal(ExitCodes.Rejections, result.ExitCode);
        Assert.Contains("dubbel.xlsx: Arbetsboken har två blad som båda läses som bladet \"Utfall\": \"Utfall\" och \" utfall\".", result.Output);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e309")]
    public async Task Validate_ExitsOne_NamingTheCell_ForANonFiniteAmount(string value)
    {
        var costs = ContractWorkbooks.ReferenceCostRows();
        costs[1][2] = new RawXlsx.Raw("", $"<v>{value}</v>");
        var path = Workbook("nan.xlsx", new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows())
            .Sheet("Kostnader", costs)
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows()));

        var result = await CliRunner.RunAsync("validate", path);

        Assert.Equal(ExitCodes.Rejections, result.ExitCode);
        Assert.Contains($"nan.xlsx: Kostnader!C2: \"{value}\" är ", result.Output);
    }

    [Fact]
    public async Task Validate_ExitsOne_ForAFileThatIsNoWorkbook()
    {
        var path = _dir.File("notes.xlsx");
        await File.WriteAllTextAsync(path, "hej", TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync("validate", path);

        Assert.Equal(ExitCodes.Rejections, result.ExitCode);
        Assert.Contains("inte en Excel-arbetsbok", result.Output);
    }

    [Fact]
    public async Task Validate_ExitsTwo_ForAMissingFile()
    {
        var result = await CliRunner.RunAsync("validate", Path.Combine(_dir.Path, "nowhere.xlsx"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("There is no file", result.Error);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("refresh", "--sauce", "x")]
    [InlineData("validate")]
    [InlineData("template", "business-case")]
    public async Task BadUsage_ExitsTwo_WithAPlainMessage(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("nacka-insights --help", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Refresh_ExitsZero_WhenEverythingLoads()
    {
        Workbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());

        var result = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("succeeded (Lyckad)", result.Output);
        Assert.Contains("1 loaded", result.Output);
    }

    [Fact]
    public async Task RefreshVerbose_SaysWhichMartsTheRunBuilt_AndWhatEachChanged()
    {
        Workbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());

        var first = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db, "--verbose");
        var again = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db, "--verbose");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        var marts = first.Error.Split('\n').Single(l => l.StartsWith("marts: ", StringComparison.Ordinal));
        Assert.Contains("business_case_version (1 initiative(s), ", marts);
        // Whole: a realisation still empty while business cases have benefit lines is built whole once.
        Assert.Contains("realization (whole, ", marts);
        Assert.Contains("fct_benefit_realization", marts);
        // Nothing new: what it builds (the calendar, which spans every run's day; an index with nothing to count yet) changes nothing.
        var noOp = again.Error.Split('\n').Single(l => l.StartsWith("marts: ", StringComparison.Ordinal)).TrimEnd('\r')["marts: ".Length..].Split("; ");
        Assert.Contains(noOp, m => m.StartsWith("calendar (", StringComparison.Ordinal));
        Assert.All(noOp, m => Assert.EndsWith(": no change", m));
    }

    [Fact]
    public async Task Refresh_ExitsOne_WhenAFileIsRejected_AndNamesItsCells()
    {
        Workbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        Workbook("trasig.xlsx", new RawXlsx().Sheet("Initiativ", ContractWorkbooks.InitiativeRows("DIG-9")));

        var result = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db);

        Assert.Equal(ExitCodes.Rejections, result.ExitCode);
        Assert.Contains("business-cases/trasig.xlsx", result.Output);
        Assert.Contains("Bladet \"Kostnader\" saknas", result.Output);
    }

    [Fact]
    public async Task Refresh_ExitsTwo_WithoutASourceFolder_OrWithConflictingDatabaseOptions()
    {
        var noSource = await CliRunner.RunAsync("refresh", "--db", Db);
        var missingFolder = await CliRunner.RunAsync("refresh", "--source-dir", Path.Combine(_dir.Path, "nowhere"), "--db", Db);
        Directory.CreateDirectory(Source);
        var conflicting = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db, "--provider", "postgres", "--connection", "Host=x");
        var unknownProvider = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--provider", "oracle", "--connection", "x");

        Assert.All([noSource, missingFolder, conflicting, unknownProvider], r => Assert.Equal(ExitCodes.Usage, r.ExitCode));
        Assert.Contains("--source-dir", noSource.Error);
        Assert.Contains("does not exist", missingFolder.Error);
        Assert.Contains("not both", conflicting.Error);
        Assert.Contains("Unknown --provider 'oracle'", unknownProvider.Error);
    }

    [Fact]
    public async Task Refresh_ExitsThree_WhenTheWarehouseCannotBeReached()
    {
        Workbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await CliRunner.RunAsync("refresh", "--source-dir", Source, "--provider", "postgres",
            "--connection", $"Host=127.0.0.1;Port={closedPort};Username=nacka;Database=nacka;Timeout=3");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("could not be reached", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task TemplateBusinessCase_WritesAWorkbookThatValidateReadsBack()
    {
        var path = Path.Combine(_dir.Path, "mall.xlsx");

        var written = await CliRunner.RunAsync("template", "business-case", "--out", path, "--first-year", "2025");
        var again = await CliRunner.RunAsync("template", "business-case", "--out", path);
        var validated = await CliRunner.RunAsync("validate", path);

        Assert.Equal(ExitCodes.Success, written.ExitCode);
        Assert.Contains("2025–2032", written.Output);
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains("--force", again.Error);
        // An empty template is not a business case yet: it names each value to fill in.
        Assert.Equal(ExitCodes.Rejections, validated.ExitCode);
        Assert.Contains("Initiativ!B1: \"Initiativ-ID\" saknar värde", validated.Output);
        Assert.Contains("Initiativ!B4: \"Ägare\" saknar värde", validated.Output);
    }

    [Fact]
    public async Task TemplateActuals_WritesTheObjectsWorkbook_AndValidateChecksActualsAgainstTheWarehouse()
    {
        Workbook("ref.xlsx", new RawXlsx()
            .Sheet("Initiativ", [.. ContractWorkbooks.InitiativeRows(), ["Förvaltningsobjekt", "FO-SIGN"]])
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows()));
        ListFiles.Write(Source, "Forvaltningsobjekt", ListFiles.Object("1", "FO-SIGN", "E-signering", "maria.objekt@nacka.se", "Stadsledningskontoret"));
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db)).ExitCode);
        var path = Path.Combine(_dir.Path, "utfall.xlsx");

        var written = await CliRunner.RunAsync("template", "actuals", "--object", "fo-sign", "--out", path, "--db", Db);
        var unknown = await CliRunner.RunAsync("template", "actuals", "--object", "FO-SAKNAS", "--out", Path.Combine(_dir.Path, "x.xlsx"), "--db", Db);
        var template = await CliRunner.RunAsync("validate", path, "--db", Db);

        Assert.True(written.ExitCode == ExitCodes.Success, written.ToString());
        Assert.Contains("24 rows for 1 initiative, 0 already reported", written.Output);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("FO-SAKNAS", unknown.Error);
        // The template as written reports nothing yet, and breaks no rule.
        Assert.True(template.ExitCode == ExitCodes.Success, template.ToString());
        Assert.Contains("0 rows would be loaded, 0 rejected, 24 without Utfall", template.Output);

        var bad = _dir.File("fel.xlsx");
        new RawXlsx()
            .Sheet("Utfall",
                ["Initiativ-ID", "Nyttopost", "Typ", "År", "Planerat", "Utfall", "Kommentar"],
                [ContractWorkbooks.ReferenceId, "Minskade portokostnader", "Finansiell", 2031, null, 100, null],
                ["DIG-1999-001", "Minskade portokostnader", "Finansiell", 2024, null, "ca 5", null])
            .Save(bad);
        var alone = await CliRunner.RunAsync("validate", bad, "--db", Path.Combine(_dir.Path, "inget.db"));
        var against = await CliRunner.RunAsync("validate", bad, "--db", Db);

        Assert.Equal(ExitCodes.Rejections, alone.ExitCode);
        Assert.Contains("Utfall!F3: \"ca 5\" är inte ett tal", alone.Output);
        Assert.Contains("file's own rules only", alone.Output);
        Assert.DoesNotContain("2031", alone.Output);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "inget.db")), "validate writes nothing");
        Assert.Equal(ExitCodes.Rejections, against.ExitCode);
        Assert.Contains("Utfall!D2: Året 2031 ligger utanför nyttokalkylens år 2023–2030", against.Output);
        Assert.Contains("Utfall!A3: Initiativet \"DIG-1999-001\" finns inte", against.Output);
        Assert.Contains("0 rows would be loaded, 2 rejected", against.Output);
    }

    [Fact]
    public async Task Migrate_CreatesTheSchema_AndASecondRunChangesNothing()
    {
        var first = await CliRunner.RunAsync("migrate", "--db", Db);
        var second = await CliRunner.RunAsync("migrate", "--db", Db);

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Contains("Applied sqlite/001_initial_schema.sql", first.Output);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Contains("is up to date at schema version", second.Output);
    }

    [Fact]
    public async Task Migrate_SaysItRecreatedTheViews_WhenOnlyAViewNeededIt()
    {
        await CliRunner.RunAsync("migrate", "--db", Db);
        // A view dropped by hand is put back, although no script is pending.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db}"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP VIEW pbi_dim_year;";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var migrate = await CliRunner.RunAsync("migrate", "--db", Db);

        Assert.Equal(ExitCodes.Success, migrate.ExitCode);
        Assert.DoesNotContain("up to date", migrate.Output);
        Assert.Contains("pbi_* views were recreated from sql/views", migrate.Output);
    }

    [Fact]
    public async Task Status_ShowsTheLatestRunItsFilesAndProblems()
    {
        Workbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        Workbook("trasig.xlsx", new RawXlsx()
            .Sheet("Initiativ", ContractWorkbooks.InitiativeRows("DIG-9"))
            .Sheet("Kostnader", [["Kostnadspost", "Kategori", 2023], ["Drift", "Förvaltning", "mycket"]])
            .Sheet("Nyttor", [["Nyttopost", "Typ", 2023]]));
        await CliRunner.RunAsync("refresh", "--source-dir", Source, "--db", Db);

        var result = await CliRunner.RunAsync("status", "--db", Db);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("Lyckad", result.Output);
        Assert.Contains("Inläst", result.Output);
        Assert.Contains("Avvisad", result.Output);
        Assert.Contains("business-cases/trasig.xlsx: Kostnader!C2: \"mycket\" är inte ett belopp", result.Output);
    }

    [Fact]
    public async Task Status_ExitsThree_WhenThereIsNoWarehouseYet()
    {
        var result = await CliRunner.RunAsync("status", "--db", Db);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("There is no warehouse", result.Error);
        Assert.False(File.Exists(Db));
    }
}
