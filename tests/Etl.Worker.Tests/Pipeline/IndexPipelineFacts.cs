using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// The digitaliseringsindex end to end through a source folder, on each database: survey exports, the
/// register, a business case and its actuals in, the three index views out, figures computed by hand.
/// </summary>
public abstract class IndexPipelineFacts : PipelineFacts
{
    private const string ObjectId = "FO-SIGN";
    private const string Manager = "maria.objekt@nacka.se";
    private const string Slk = "Stadsledningskontoret";
    private const string Skola = "Välfärd skola";
    private static readonly DateTime FirstModified = new(2024, 6, 1, 8, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _source = new("nacka-index");
    private int _files;

    // Stadsledningskontoret 2023: maturity (60 + 70) / 2 / 10 = 6,5; no initiative completed (0); realised
    // 10 × (8 000 + 40 000) / (6 400 + 80 000) of the reference case's economic lines.
    private const double Slk2023 = (6.5 + 0 + 10.0 * 48_000 / 86_400) / 3;

    // Välfärd skola 2023: maturity 5, nothing completed, no actuals: (5 + 0) / 2.
    private const double Skola2023 = 2.5;

    // Stadsledningskontoret 2024: maturity 8 (the workbook); the reference case reached Förvaltning in January: 10 × 1 / 5 = 2;
    // no actual for 2024, so Realiserad nytta is left out: (8 + 2) / 2.
    private const double Slk2024 = 5;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Save($"business-cases/{ContractWorkbooks.ReferenceId}.xlsx", new RawXlsx()
            .Sheet("Initiativ", [.. ContractWorkbooks.InitiativeRows(), ["Förvaltningsobjekt", ObjectId]])
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .ToBytes());
        ListFiles.Write(_source.Path, "Forvaltningsobjekt", ListFiles.Object("1", ObjectId, "E-signering", Manager, Slk));
        WriteRegister(dig2Completed: null);
        Save("actuals/FO-SIGN 2023.xlsx", new RawXlsx()
            .Sheet("Utfall",
                ["Initiativ-ID", "Nyttopost", "Typ", "År", "Utfall"],
                [ContractWorkbooks.ReferenceId, "Minskade portokostnader", "Finansiell", 2023, 8_000],
                [ContractWorkbooks.ReferenceId, "Frigjord handläggartid", "Omfördelning", 2023, 40_000],
                // A movement score is not economic benefit: it does not count in Realiserad nytta.
                [ContractWorkbooks.ReferenceId, "Enklare för medborgarna", "Förflyttning", 2024, 0.5])
            .Sheet("Om", ["Förvaltningsobjekt", ObjectId], ["Rapporterad av", Manager])
            .ToBytes());
        SaveText("index/enkat 2023.csv",
            """
            År;Verksamhet;Dimension;Procent;Antal svar
            2023;Stadsledningskontoret;Digital förmåga;60;41
            2023;Stadsledningskontoret;Digitalt arv;70;41
            2023;Välfärd skola;Digital förmåga;50,0;120
            """);
        Save("index/enkat 2024.xlsx", new RawXlsx()
            .Sheet("Index", ["År", "Verksamhet", "Dimension", "Procent"], [2024, Slk, "Digital förmåga", 80])
            .ToBytes());
    }

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task SurveyRegisterBusinessCaseAndActuals_GiveTheThreeIndexViews()
    {
        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        List<(string, int)> loaded = [(FileStatus.Loaded, 3), (FileStatus.Loaded, 1)];
        Assert.Equal(loaded, result.Files.Where(f => f.Kind == SourceKind.Index).Select(f => (f.Status, f.RowsLoaded)));

        var components = await QueryAsync<(string Unit, int Year, string Component, double Score, double Weight)>(
            "SELECT unit, year, component, score, weight FROM pbi_fct_digitalization_index ORDER BY year, unit, component");
        List<(string, int, string, double)> expected =
        [
            (Slk, 2023, "Digital mognad", 6.5), (Slk, 2023, "Genomförda initiativ", 0), (Slk, 2023, "Realiserad nytta", Round(10.0 * 48_000 / 86_400)),
            (Skola, 2023, "Digital mognad", 5), (Skola, 2023, "Genomförda initiativ", 0),
            (Slk, 2024, "Digital mognad", 8), (Slk, 2024, "Genomförda initiativ", 2),
        ];
        Assert.Equal(expected, components.Select(c => (c.Unit, c.Year, c.Component, Round(c.Score))));
        Assert.All(components, c => Assert.Equal(1, c.Weight));

        List<(string, int, double, int)> units = [(Slk, 2023, Round(Slk2023), 3), (Skola, 2023, Skola2023, 2), (Slk, 2024, Slk2024, 2)];
        Assert.Equal(units, await UnitIndexAsync());
        List<(int, double, int)> totals = [(2023, Round((Slk2023 + Skola2023) / 2), 2), (2024, Slk2024, 1)];
        Assert.Equal(totals, await TotalIndexAsync());

        // Every unit and year of the index is in the dimensions Power BI relates it to.
        Assert.Equal(0L, await ScalarAsync<long>(
            "SELECT COUNT(*) FROM pbi_fct_digitalization_index_unit u WHERE NOT EXISTS (SELECT 1 FROM pbi_dim_unit d WHERE d.unit = u.unit)"));
        // A survey value back to its file and cell.
        var traced = await QuerySingleAsync<(string SourceFile, string? Sheet, string Cell, long Respondents)>(
            "SELECT source_file, sheet_name, cell, respondents FROM pbi_fct_survey_result WHERE year = 2023 AND unit = @Skola", new { Skola });
        Assert.Equal(("index/enkat 2023.csv", (string?)null, "D4", 120L), traced);
    }

    [Fact]
    public async Task ALaterExport_ReplacesTheValuesOfItsKeys_ItsBadRowIsRejectedWithItsCell_AndUnchangedFilesAreNotReadAgain()
    {
        Assert.True((await RefreshAsync()).Succeeded);
        SaveText("index/enkat 2024 rättad.csv",
            "År,Verksamhet,Dimension,Procent\r\n" +
            "2024,Stadsledningskontoret,Digital förmåga,\"90,0\"\r\n" +
            "2024,Stadsledningskontoret,Digitalt arv,150\r\n");

        var second = await RefreshAsync();

        Assert.True(second.Succeeded, second.Message);
        List<(string, string)> files =
            [("index/enkat 2023.csv", FileStatus.Unchanged), ("index/enkat 2024.xlsx", FileStatus.Unchanged), ("index/enkat 2024 rättad.csv", FileStatus.PartlyLoaded)];
        Assert.Equal(files, second.Files.Where(f => f.Kind == SourceKind.Index).Select(f => (f.Name, f.Status)));
        var problem = await QuerySingleAsync<(string? Sheet, string Cell, string Message)>(
            "SELECT sheet_name, cell, message FROM pbi_etl_problem WHERE run_id = @Run", new { Run = second.RunId });
        Assert.Equal(((string?)null, "D3", "Procenten 150 ligger utanför 0–100."), problem);

        var replaced = await QuerySingleAsync<(double Percent, string SourceFile, string Cell)>(
            "SELECT percent_value, source_file, cell FROM pbi_fct_survey_result WHERE year = 2024 AND unit = @Slk", new { Slk });
        Assert.Equal((90.0, "index/enkat 2024 rättad.csv", "D2"), replaced);
        // (9 + 2) / 2.
        Assert.Contains((Slk, 2024, 5.5, 2), await UnitIndexAsync());
        Assert.Equal(second.RunId, await ScalarAsync<long>("SELECT run_id FROM pbi_fct_digitalization_index_total WHERE year = 2024"));
    }

    [Fact]
    public async Task APhaseChangeInTheRegister_MovesTheIndex_InTheYearStockholmDatesIt()
    {
        Assert.True((await RefreshAsync()).Succeeded);
        // 23:30 UTC on New Year's Eve 2023 is 00:30 on New Year's Day in Stockholm: completed in 2024.
        WriteRegister(dig2Completed: new DateTimeOffset(2023, 12, 31, 23, 30, 0, TimeSpan.Zero));

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(new DateOnly(2023, 12, 31), await QuerySingleAsync<DateOnly>(
            "SELECT valid_from FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-2' AND is_current = 1"));
        // Välfärd skola has no survey for 2024 and no actuals: Genomförda initiativ alone, 10 × 1 / 5.
        var units = await UnitIndexAsync();
        Assert.Contains((Skola, 2024, 2.0, 1), units);
        Assert.Contains((Skola, 2023, Skola2023, 2), units);
        Assert.Contains((2024, (Slk2024 + 2) / 2, 2), await TotalIndexAsync());
    }

    [Fact]
    public async Task ASurveyRun_ReadsOnlyIndex_AndAChangedWeightIsTakenUpByTheNextRun()
    {
        var survey = await RunAsync(RunSources.SurveyFromFolder(new SourceFolder(_source.Path)));
        Assert.True(survey.Succeeded, survey.Message);
        Assert.All(survey.Files, f => Assert.Equal(SourceKind.Index, f.Kind));
        // Without the register and actuals yet: maturity and a 0 for Genomförda initiativ.
        Assert.Contains((Slk, 2024, 4.0, 2), await UnitIndexAsync());

        Warehouse.Index.DigitalMaturityWeight = 3m;
        var next = await RefreshAsync();

        Assert.True(next.Succeeded, next.Message);
        // (3 × 8 + 1 × 2) / 4.
        Assert.Contains((Slk, 2024, 6.5, 2), await UnitIndexAsync());
        Assert.Equal(3.0, await ScalarAsync<double>(
            "SELECT weight FROM pbi_fct_digitalization_index WHERE unit = @Slk AND year = 2024 AND component = 'Digital mognad'", new { Slk }));
    }

    private static double Round(double value) => Math.Round(value, 9);

    private async Task<List<(string Unit, int Year, double Index, int Components)>> UnitIndexAsync() =>
        (await QueryAsync<(string Unit, int Year, double Index, int Components)>(
            "SELECT unit, year, index_value, components_used FROM pbi_fct_digitalization_index_unit ORDER BY year, unit"))
        .Select(u => (u.Unit, u.Year, Round(u.Index), u.Components)).ToList();

    private async Task<List<(int Year, double Index, int Units)>> TotalIndexAsync() =>
        (await QueryAsync<(int Year, double Index, int Units)>("SELECT year, index_value, units FROM pbi_fct_digitalization_index_total ORDER BY year"))
        .Select(t => (t.Year, Round(t.Index), t.Units)).ToList();

    /// <summary>The register: the reference case in Förvaltning since January 2024; DIG-2 of Välfärd skola a project, or completed when given.</summary>
    private void WriteRegister(DateTimeOffset? dig2Completed) =>
        ListFiles.Write(_source.Path, "Initiativ",
            ListFiles.Initiative("1", ContractWorkbooks.ReferenceId, "Förvaltning", new DateTimeOffset(2024, 1, 15, 9, 0, 0, TimeSpan.Zero), unit: Slk, objectId: ObjectId),
            ListFiles.Initiative("2", "DIG-2", dig2Completed is null ? "Projekt" : "Förvaltning", dig2Completed ?? new DateTimeOffset(2023, 3, 1, 9, 0, 0, TimeSpan.Zero), unit: Skola));

    private void Save(string relativePath, byte[] bytes)
    {
        var path = _source.File(relativePath);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, FirstModified.AddMinutes(++_files));
    }

    private void SaveText(string relativePath, string text) => Save(relativePath, System.Text.Encoding.UTF8.GetBytes(text));

    private Task<RunResult> RefreshAsync() => RunAsync(RunSources.FromFolder(new SourceFolder(_source.Path)));
}

public sealed class SqliteIndexPipelineFacts : IndexPipelineFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresIndexPipelineFacts(PostgresCluster cluster) : IndexPipelineFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
