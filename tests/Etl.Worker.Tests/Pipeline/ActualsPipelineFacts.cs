using System.IO.Compression;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using OfficeOpenXml;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// Benefit actuals from the objektsförvaltare's workbook to the realisation facts and back to the
/// result workbook beside the upload, through a source folder, on each database.
/// </summary>
public abstract class ActualsPipelineFacts : PipelineFacts
{
    private const string ObjectId = "FO-SIGN";
    private const string Manager = "maria.objekt@nacka.se";
    private static readonly DateTime FirstModified = new(2024, 6, 1, 8, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _source = new("nacka-actuals");
    private int _files;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        // Nacka's reference case, run in the förvaltningsobjekt FO-SIGN whose objektsförvaltare is Maria.
        var businessCase = new RawXlsx()
            .Sheet("Initiativ", [.. ContractWorkbooks.InitiativeRows(), ["Förvaltningsobjekt", ObjectId]])
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows());
        Save($"business-cases/{ContractWorkbooks.ReferenceId}.xlsx", businessCase.ToBytes());
        ListFiles.Write(_source.Path, "Forvaltningsobjekt", ListFiles.Object("1", ObjectId, "E-signering", Manager, "Stadsledningskontoret"));
        var first = await RefreshAsync();
        Assert.True(first.Succeeded, first.Message);
    }

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Template_FilledAsAUserWould_GivesTheRealisationFigures_AndAResultWorkbookBesideIt()
    {
        var template = await TemplateAsync();
        Assert.Equal(3 * ContractWorkbooks.ReferenceYears.Length, template.Rows.Count);

        var upload = Fill(ActualsTemplateWriter.Write(template), new()
        {
            [("Minskade portokostnader", 2023)] = (8_000m, "Fler digitala utskick än väntat"),
            [("Minskade portokostnader", 2024)] = (3_200m, null),
            [("Frigjord handläggartid", 2023)] = (0m, "Införandet försenat"),
            [("Enklare för medborgarna", 2024)] = (0.4m, "=HYPERLINK(\"http://example.invalid\",\"klicka\")"),
        });
        Save("actuals/FO-SIGN 2024.xlsx", upload);

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var file = Assert.Single(result.Files, f => f.Kind == SourceKind.Actuals);
        Assert.Equal((FileStatus.Loaded, 4, 0), (file.Status, file.RowsLoaded, file.RowsRejected));

        var porto = await RealisationAsync("Minskade portokostnader");
        Assert.Equal(ContractWorkbooks.ReferenceYears, porto.Select(r => r.Year));
        Assert.Equal((6_400m, 8_000m, 1_600m, 1.25m, 6_400m, 8_000m), Figures(porto[0]));
        Assert.Equal((6_400m, 3_200m, -3_200m, 0.5m, 12_800m, 11_200m), Figures(porto[1]));
        // A year nobody reported keeps its plan, and nothing else.
        Assert.Equal((6_400m, (decimal?)null, (decimal?)null, (decimal?)null), (porto[2].Planned, porto[2].Actual, porto[2].Variance, porto[2].Rate));
        Assert.Equal(51_200m, porto[^1].PlannedAcc);

        // An explicit 0 is a reported zero; an empty Utfall is not reported at all.
        var time = await RealisationAsync("Frigjord handläggartid");
        Assert.Equal((80_000m, 0m, -80_000m, 0m), (time[0].Planned, time[0].Actual, time[0].Variance, time[0].Rate));
        Assert.Null(time[1].Actual);
        Assert.Equal(Manager, time[0].ReportedBy);
        Assert.Equal("Införandet försenat", time[0].Comment);

        var movement = await RealisationAsync("Enklare för medborgarna");
        Assert.Equal((0.5m, 0.4m), (movement[1].Planned, movement[1].Actual!.Value));
        Assert.Equal(0.8m, Math.Round(movement[1].Rate!.Value, 6));
        // Planned 0 in 2023: there is no rate to give.
        Assert.Null(movement[0].Rate);

        // The result workbook: every uploaded row with its outcome, the comment as text, never a formula.
        var resultPath = Path.Combine(_source.Path, "actuals", "FO-SIGN 2024.resultat.xlsx");
        Assert.True(File.Exists(resultPath));
        using var package = new ExcelPackage(new FileInfo(resultPath));
        var sheet = package.Workbook.Worksheets["Utfall"];
        var resultColumn = Column(sheet, "Resultat");
        var commentColumn = Column(sheet, "Kommentar");
        var hyperlinkRow = Row(sheet, "Enklare för medborgarna", 2024);
        Assert.Equal("Inläst", sheet.Cells[hyperlinkRow, resultColumn].Text);
        Assert.Equal("=HYPERLINK(\"http://example.invalid\",\"klicka\")", sheet.Cells[hyperlinkRow, commentColumn].Value);
        Assert.True(string.IsNullOrEmpty(sheet.Cells[hyperlinkRow, commentColumn].Formula));
        Assert.DoesNotContain("<f>", SheetXml(resultPath, "Utfall"));
        Assert.Equal("Inget utfall angivet", sheet.Cells[Row(sheet, "Frigjord handläggartid", 2024), resultColumn].Text);

        // The result workbook is feedback, never an upload: the next run finds only the unchanged upload.
        var again = await RefreshAsync();
        Assert.Equal([FileStatus.Unchanged], again.Files.Where(f => f.Kind == SourceKind.Actuals).Select(f => f.Status));
    }

    [Fact]
    public async Task EveryRejectionRule_ComesBackWithItsReasonAndCell_AndTheGoodRowsLoad()
    {
        var rows = new List<object?[]>
        {
            new object?[] { "Initiativ-ID", "Nyttopost", "Typ", "År", "Planerat", "Utfall", "Kommentar" },
            new object?[] { ContractWorkbooks.ReferenceId, "Minskade portokostnader", "Finansiell", 2024, 6_400, 6_000, "Bra" },
            new object?[] { "DIG-1999-001", "Minskade portokostnader", "Finansiell", 2024, null, 100, null },
            new object?[] { ContractWorkbooks.ReferenceId, "Kaffeautomat", "Finansiell", 2024, null, 100, null },
            new object?[] { ContractWorkbooks.ReferenceId, "Frigjord handläggartid", "Finansiell", 2024, null, 100, null },
            new object?[] { ContractWorkbooks.ReferenceId, "Frigjord handläggartid", "Omfördelning", 2031, null, 100, null },
            new object?[] { ContractWorkbooks.ReferenceId, "Frigjord handläggartid", "Omfördelning", 2025, null, "ca 5 000", null },
            new object?[] { ContractWorkbooks.ReferenceId, "Frigjord handläggartid", "Omfördelning", 2026, null, -10, null },
            new object?[] { ContractWorkbooks.ReferenceId, "Enklare för medborgarna", "Förflyttning", 2024, null, 12, null },
            new object?[] { ContractWorkbooks.ReferenceId, "Minskade portokostnader", "Finansiell", 2027, null, 1_000, null },
            new object?[] { ContractWorkbooks.ReferenceId, "minskade portokostnader ", "Finansiell", 2027, null, 2_000, null },
        };
        Save("actuals/med fel.xlsx", new RawXlsx()
            .Sheet("Utfall", [.. rows])
            .Sheet("Om", ["Förvaltningsobjekt", ObjectId], ["Rapporterad av", Manager])
            .ToBytes());

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var file = Assert.Single(result.Files, f => f.Kind == SourceKind.Actuals);
        Assert.Equal((FileStatus.PartlyLoaded, 1, 9), (file.Status, file.RowsLoaded, file.RowsRejected));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_realization WHERE actual_value IS NOT NULL"));

        using var package = new ExcelPackage(new FileInfo(Path.Combine(_source.Path, "actuals", "med fel.resultat.xlsx")));
        var sheet = package.Workbook.Worksheets["Utfall"];
        var column = Column(sheet, "Resultat");
        string Result(int row) => sheet.Cells[row, column].Text;
        Assert.Equal("Inläst", Result(2));
        Assert.Contains("A3", Result(3));
        Assert.Contains("\"DIG-1999-001\" finns inte", Result(3));
        Assert.Contains("B4", Result(4));
        Assert.Contains("\"Kaffeautomat\" är ingen nyttopost", Result(4));
        Assert.Contains("C5", Result(5));
        Assert.Contains("Omfördelning", Result(5));
        Assert.Contains("D6", Result(6));
        Assert.Contains("2031 ligger utanför nyttokalkylens år 2023–2030", Result(6));
        Assert.Contains("F7", Result(7));
        Assert.Contains("\"ca 5 000\" är inte ett tal", Result(7));
        Assert.Contains("F8", Result(8));
        Assert.Contains("negativt", Result(8));
        Assert.Contains("F9", Result(9));
        Assert.Contains("0–10", Result(9));
        // Both rows of a duplicate are rejected, each naming the other.
        Assert.Contains("rad 11", Result(10));
        Assert.Contains("rad 10", Result(11));
        Assert.All(Enumerable.Range(3, 9), row => Assert.NotEqual("Inläst", Result(row)));

        var problems = await QueryAsync<(string Sheet, string Cell)>("SELECT sheet_name, cell FROM pbi_etl_problem WHERE source_kind = 'actuals' ORDER BY problem_id");
        Assert.Contains(("Utfall", "A3"), problems);
        Assert.Contains(("Utfall", "D6"), problems);
    }

    [Fact]
    public async Task RowsFromSomeoneWhoIsNotTheObjektsforvaltare_AreRejectedAsNotAuthorised()
    {
        var template = (await TemplateAsync()) with { ReportedBy = "praktikant@nacka.se" };
        Save("actuals/obehorig.xlsx", Fill(ActualsTemplateWriter.Write(template), new() { [("Minskade portokostnader", 2023)] = (6_400m, null) }));

        var result = await RefreshAsync();

        var file = Assert.Single(result.Files, f => f.Kind == SourceKind.Actuals);
        Assert.Equal((FileStatus.Rejected, 0, 1), (file.Status, file.RowsLoaded, file.RowsRejected));
        Assert.Contains("praktikant@nacka.se är inte objektsförvaltare för förvaltningsobjektet FO-SIGN", file.Problems.Single().Message);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual"));
    }

    [Fact]
    public async Task ALaterReport_ReplacesTheEarlierOne_AndTheHistoryKeepsWhoReportedWhatAndWhen()
    {
        Save("actuals/mars.xlsx", Fill(ActualsTemplateWriter.Write(await TemplateAsync()), new() { [("Minskade portokostnader", 2023)] = (5_000m, "Preliminärt") }));
        await RefreshAsync();

        // The second report comes from an administrator, on the template as it now stands.
        var later = (await TemplateAsync()) with { ReportedBy = "admin@nacka.se" };
        Assert.Equal(5_000m, later.Rows.Single(r => r.BenefitLine == "Minskade portokostnader" && r.Year == 2023).Reported);
        Save("actuals/juni.xlsx", Fill(ActualsTemplateWriter.Write(later), new() { [("Minskade portokostnader", 2023)] = (7_000m, "Slutligt") }));
        var result = await RefreshAsync(administrators: ["admin@nacka.se"]);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(7_000m, (await RealisationAsync("Minskade portokostnader"))[0].Actual);
        var history = await QueryAsync<(double Value, int IsCurrent, string ReportedBy, string Comment, string SourceFile)>(
            """
            SELECT value, is_current, reported_by, comment, source_file FROM pbi_fct_benefit_actual
            WHERE benefit_line = 'Minskade portokostnader' AND year = 2023 ORDER BY actual_id
            """);
        Assert.Equal(
            [(5_000d, 0, Manager, "Preliminärt", "actuals/mars.xlsx"), (7_000d, 1, "admin@nacka.se", "Slutligt", "actuals/juni.xlsx")],
            history);
        var reportedAt = await QueryAsync<DateTime>("SELECT reported_at_utc FROM pbi_fct_benefit_actual WHERE year = 2023 ORDER BY actual_id");
        Assert.True(reportedAt[0] < reportedAt[1]);
    }

    [Fact]
    public async Task AFailedRun_WritesNoResultWorkbook_AndTheNextRunLoadsTheUpload()
    {
        Save("actuals/juni.xlsx", Fill(ActualsTemplateWriter.Write(await TemplateAsync()), new() { [("Minskade portokostnader", 2023)] = (6_000m, null) }));
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

        var failed = await RefreshAsync(observer: new FailingRunObserver(PhaseTimings.Checks));

        Assert.False(failed.Succeeded);
        Assert.False(File.Exists(Path.Combine(_source.Path, "actuals", "juni.resultat.xlsx")));
        Assert.Equal(before, await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal)));

        var next = await RefreshAsync();
        Assert.True(next.Succeeded, next.Message);
        Assert.Equal(6_000m, (await RealisationAsync("Minskade portokostnader"))[0].Actual);
        Assert.True(File.Exists(Path.Combine(_source.Path, "actuals", "juni.resultat.xlsx")));
    }

    private sealed record RealisationRow(int Year, decimal Planned, decimal? Actual, decimal? Variance, decimal? Rate, decimal PlannedAcc, decimal? ActualAcc, string? ReportedBy, string? Comment);

    private static (decimal, decimal, decimal, decimal, decimal, decimal) Figures(RealisationRow r) =>
        (r.Planned, r.Actual!.Value, r.Variance!.Value, Math.Round(r.Rate!.Value, 6), r.PlannedAcc, r.ActualAcc!.Value);

    private async Task<List<RealisationRow>> RealisationAsync(string line)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        var rows = await connection.QueryAsync(
            """
            SELECT year, planned_value, actual_value, variance_value, realization_rate, planned_acc_value, actual_acc_value, reported_by, comment
            FROM pbi_fct_benefit_realization WHERE initiative_id = @Id AND benefit_line = @Line ORDER BY year
            """,
            new { Id = ContractWorkbooks.ReferenceId, Line = line });
        static decimal? D(object? v) => v is null or DBNull ? null : Math.Round(Convert.ToDecimal(v), 6);
        return rows.Select(r => new RealisationRow(
            Convert.ToInt32(r.year), D(r.planned_value)!.Value, D(r.actual_value), D(r.variance_value), D(r.realization_rate),
            D(r.planned_acc_value)!.Value, D(r.actual_acc_value), (string?)r.reported_by, (string?)r.comment)).ToList();
    }

    private async Task<ActualsTemplate> TemplateAsync()
    {
        var data = await new WarehouseQueries(Warehouse.Database).GetActualsTemplateAsync(ObjectId, Ct);
        Assert.NotNull(data);
        return ActualsTemplate.From(data);
    }

    /// <summary>What an objektsförvaltare does in Excel: types values and comments into the open cells of the template.</summary>
    private static byte[] Fill(byte[] template, Dictionary<(string Line, int Year), (decimal Value, string? Comment)> values)
    {
        using var package = new ExcelPackage(new MemoryStream(template));
        var sheet = package.Workbook.Worksheets["Utfall"];
        var value = Column(sheet, "Utfall");
        var comment = Column(sheet, "Kommentar");
        foreach (var ((line, year), (v, c)) in values)
        {
            var row = Row(sheet, line, year);
            Assert.False(sheet.Cells[row, value].Style.Locked, "Utfall is open for input");
            sheet.Cells[row, value].Value = v;
            if (c is not null)
            {
                sheet.Cells[row, comment].Value = c;
            }
        }
        var output = new MemoryStream();
        package.SaveAs(output);
        return output.ToArray();
    }

    private static int Column(ExcelWorksheet sheet, string header) =>
        Enumerable.Range(1, sheet.Dimension.End.Column).Single(c => sheet.Cells[1, c].Text == header);

    private static int Row(ExcelWorksheet sheet, string line, int year)
    {
        var lineColumn = Column(sheet, "Nyttopost");
        var yearColumn = Column(sheet, "År");
        return Enumerable.Range(2, sheet.Dimension.End.Row - 1)
            .Single(r => sheet.Cells[r, lineColumn].Text == line && Convert.ToInt32(sheet.Cells[r, yearColumn].Value) == year);
    }

    private static string SheetXml(string path, string sheetName)
    {
        using var package = new ExcelPackage(new FileInfo(path));
        var index = package.Workbook.Worksheets[sheetName].Index;
        using var zip = ZipFile.OpenRead(path);
        using var reader = new StreamReader(zip.GetEntry($"xl/worksheets/sheet{index}.xml")!.Open());
        return reader.ReadToEnd();
    }

    private void Save(string relativePath, byte[] bytes)
    {
        var path = _source.File(relativePath);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, FirstModified.AddMinutes(++_files));
    }

    private Task<RunResult> RefreshAsync(IRunObserver? observer = null, IReadOnlyList<string>? administrators = null)
    {
        Warehouse.Actuals.Administrators = [.. administrators ?? []];
        return RunAsync(_source.Path, observer);
    }
}

public sealed class SqliteActualsPipelineFacts : ActualsPipelineFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresActualsPipelineFacts(PostgresCluster cluster) : ActualsPipelineFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
