using System.Globalization;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>Actuals uploads built in code, loaded with business cases and the object list, read back through the pbi_* views.</summary>
public abstract class BenefitActualsFacts : WarehouseFacts
{
    private const string Manager = "anna@nacka.se";
    private const string OtherManager = "bo@nacka.se";
    private static readonly DateTime Listed = new(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly ActualsColumns Columns = new("A", "B", "C", "D", "E", "F", "G");

    private static BenefitLine Benefit(int row, string name, BenefitType type, params (int Year, decimal Value)[] values) =>
        new(row, name, type, values.Select(v => new YearValue(v.Year, v.Value, $"{(char)('C' + v.Year - 2020)}{row}", v.Value.ToString(CultureInfo.InvariantCulture))).ToList());

    private static BusinessCase Case(string id, string objectId, int firstYear, int lastYear, string version, params BenefitLine[] benefits) => new(
        new InitiativeCard(id, $"Initiativ {id}", "Välfärd skola", "agare@nacka.se", objectId, [], version),
        Enumerable.Range(firstYear, lastYear - firstYear + 1).ToList(),
        [new CostLine(2, "Införande", CostCategory.Investment, [new YearValue(firstYear, 100_000, "C2", "100000")])],
        benefits,
        [new SourceAttribute("Initiativ-ID", id, "B1")]);

    /// <summary>DIG-1 of OBJ-1, 2023–2025: one line partly planned, one fully, one score, one all empty.</summary>
    private static BusinessCase Dig1() => Case("DIG-1", "OBJ-1", 2023, 2025, "v1",
        Benefit(2, "Minskad administration", BenefitType.Financial, (2023, 100_000), (2024, 200_000)),
        Benefit(3, "Frigjord tid", BenefitType.Redistribution, (2023, 50_000), (2024, 50_000), (2025, 50_000)),
        Benefit(4, "Nöjdare medarbetare", BenefitType.Movement, (2025, 6)),
        Benefit(5, "Porto", BenefitType.Financial));

    private static BusinessCase Dig2() => Case("DIG-2", "OBJ-2", 2024, 2025, "v1",
        Benefit(2, "Digital post", BenefitType.Financial, (2024, 10_000)));

    private static SourceFile BusinessCaseFile(string name) => new(SourceKind.BusinessCase, name, WarehouseBuilders.Sha(name), 1_000, Listed);

    private static SourceFile ActualsFile(string name, DateTime modifiedUtc, string? author = null) =>
        new(SourceKind.Actuals, name, WarehouseBuilders.Sha(name + modifiedUtc.Ticks + author), 1_000, modifiedUtc)
        {
            AuthorEmail = author,
            SourceUrl = author is null ? null : $"https://nacka.sharepoint.com/sites/digitalisering/Utfall/{Uri.EscapeDataString(name)}",
        };

    private static ActualRow Row(int row, string id, string line, string type, int year, string? value, string? comment = null) =>
        new(row, id, line, type, year.ToString(CultureInfo.InvariantCulture), "0", value, comment)
        {
            Year = year,
            Value = decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null,
        };

    private static ActualsUpload Upload(string? reportedBy, params ActualRow[] rows) => new("Utfall", "OBJ-1", reportedBy, Columns, rows);

    private static ListItemChange ObjectItem(string itemId, string objectId, string manager) =>
        new(itemId, Listed, $$"""{"ObjektId":"{{objectId}}","ForvaltareEpost":"{{manager}}"}""", false,
            new ObjectItem(new ListItemOrigin(RefreshRun.Lists.Objects, itemId, Listed), objectId, $"Objekt {objectId}", manager, "Välfärd skola"), []);

    private Task<RefreshRun> StartAsync() => Warehouse.Loader().StartRunAsync("test", null, ct: Ct);

    private static async Task AddModelAsync(RefreshRun run, BusinessCase? dig1 = null)
    {
        await run.AddListAsync(new ListReadInfo(RefreshRun.Lists.Objects, ListReadModes.File, true, null, WarehouseBuilders.Sha("objects")),
            [ObjectItem("1", "OBJ-1", Manager), ObjectItem("2", "OBJ-2", OtherManager)], Ct);
        await run.AddBusinessCaseAsync(BusinessCaseFile("business-cases/DIG-1.xlsx"), dig1 ?? Dig1(), Ct);
        await run.AddBusinessCaseAsync(BusinessCaseFile("business-cases/DIG-2.xlsx"), Dig2(), Ct);
    }

    private async Task<RunResult> RunAsync(Func<RefreshRun, Task> work)
    {
        await using var run = await StartAsync();
        await work(run);
        var result = await run.CompleteAsync(Ct);
        Assert.True(result.Succeeded, result.Message);
        return result;
    }

    private async Task<List<RealizationRow>> RealizationAsync(string initiativeId = "DIG-1") => await QueryAsync<RealizationRow>(
        """
        SELECT initiative_id AS InitiativeId, benefit_line AS BenefitLine, benefit_type AS BenefitType, year AS Year,
               planned_value AS Planned, actual_value AS Actual, variance_value AS Variance, realization_rate AS Rate,
               planned_acc_value AS PlannedAcc, actual_acc_value AS ActualAcc, reported_by AS ReportedBy,
               reported_at_utc AS ReportedAtUtc, comment AS Comment, is_reported AS IsReported
        FROM pbi_fct_benefit_realization
        WHERE initiative_id = @initiativeId
        ORDER BY line_row, year
        """, new { initiativeId });

    private static RealizationRow Find(List<RealizationRow> rows, string line, int year) => rows.Single(r => r.BenefitLine == line && r.Year == year);

    private async Task<List<ActualHistoryRow>> ActualsAsync() => await QueryAsync<ActualHistoryRow>(
        """
        SELECT actual_id AS ActualId, initiative_id AS InitiativeId, benefit_line AS BenefitLine, year AS Year, value AS Value, comment AS Comment,
               is_current AS IsCurrent, reported_by AS ReportedBy, uploaded_by AS UploadedBy, reported_at_utc AS ReportedAtUtc,
               source_file AS SourceFile, sheet_name AS SheetName, cell AS Cell, run_id AS RunId
        FROM pbi_fct_benefit_actual
        ORDER BY actual_id
        """);

    [Fact]
    public async Task Realization_SetsEveryPlannedLineAndYear_AgainstTheReportedValues()
    {
        var reportedAt = new DateTime(2026, 1, 15, 9, 30, 0, DateTimeKind.Utc);
        // Business cases, the object list and actuals in one run: the actuals are judged by what the run loaded before them.
        await RunAsync(async run =>
        {
            await AddModelAsync(run);
            var validation = await run.AddActualsAsync(ActualsFile("actuals/OBJ-1.xlsx", reportedAt), Upload(Manager,
                Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "80000", "Färre blanketter"),
                Row(3, "DIG-1", "Minskad administration", "Finansiell", 2024, null),
                Row(4, "DIG-1", "Minskad administration", "Finansiell", 2025, "10000"),
                Row(5, "DIG-1", "Frigjord tid", "Omfördelning", 2023, "60000"),
                Row(6, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "40000"),
                Row(7, "DIG-1", "Porto", "Finansiell", 2023, "0")), Ct);
            Assert.Equal((5, 0, 1), (validation.Accepted, validation.Rejected, validation.NotReported));
        });

        var rows = await RealizationAsync();
        Assert.Equal(12, rows.Count);
        Assert.Equal(["Minskad administration", "Frigjord tid", "Nöjdare medarbetare", "Porto"], rows.Select(r => r.BenefitLine).Distinct());

        var first = Find(rows, "Minskad administration", 2023);
        Assert.Equal((100_000m, 80_000m, -20_000m, 0.8, 100_000m, 80_000m), (first.Planned, first.Actual, first.Variance, first.Rate, first.PlannedAcc, first.ActualAcc));
        Assert.Equal((Manager, "Färre blanketter", 1L), (first.ReportedBy, first.Comment, first.IsReported));
        Assert.Equal(reportedAt, DateTime.SpecifyKind(first.ReportedAtUtc!.Value, DateTimeKind.Utc));

        // An empty Utfall is not reported, not 0.
        var unreported = Find(rows, "Minskad administration", 2024);
        Assert.Equal((200_000m, (decimal?)null, (decimal?)null, (double?)null, 300_000m, (decimal?)null, 0L),
            (unreported.Planned, unreported.Actual, unreported.Variance, unreported.Rate, unreported.PlannedAcc, unreported.ActualAcc, unreported.IsReported));

        // Planned 0 (an empty cell): no rate; the accumulation continues over the unreported year.
        var unplanned = Find(rows, "Minskad administration", 2025);
        Assert.Equal((0m, 10_000m, 10_000m, (double?)null, 300_000m, 90_000m), (unplanned.Planned, unplanned.Actual, unplanned.Variance, unplanned.Rate, unplanned.PlannedAcc, unplanned.ActualAcc));

        // Over-achievement.
        var over = Find(rows, "Frigjord tid", 2023);
        Assert.Equal((60_000m, 10_000m, 1.2), (over.Actual!.Value, over.Variance!.Value, over.Rate!.Value));
        var under = Find(rows, "Frigjord tid", 2024);
        Assert.Equal((40_000m, 0.8, 100_000m, 100_000m), (under.Actual!.Value, under.Rate!.Value, under.PlannedAcc, under.ActualAcc!.Value));

        // A line without actuals still shows its plan.
        var score = Find(rows, "Nöjdare medarbetare", 2025);
        Assert.Equal(("Förflyttning", 6m, 6m, (decimal?)null, 0L), (score.BenefitType, score.Planned, score.PlannedAcc, score.Actual, score.IsReported));

        // An explicit 0 is a reported zero.
        var zero = Find(rows, "Porto", 2023);
        Assert.Equal((0m, 0m, 0m, (double?)null, 1L), (zero.Planned, zero.Actual!.Value, zero.ActualAcc!.Value, zero.Rate, zero.IsReported));

        Assert.Equal([(2024, 10_000m, 0L), (2025, 0m, 0L)], (await RealizationAsync("DIG-2")).Select(r => (r.Year, r.Planned, r.IsReported)));
        var file = (await QueryAsync<(string Status, long Loaded, long Rejected, string Message)>(
            "SELECT status, rows_loaded, rows_rejected, message FROM pbi_etl_file WHERE source_kind = 'actuals'")).Single();
        Assert.Equal(("Inläst", 5L, 0L, "Utfall för OBJ-1: 5 rader inlästa, 0 avvisade, 1 utan utfall."), file);
    }

    [Fact]
    public async Task Upload_LoadsTheGoodRows_AndRejectsEachBadOne_WithItsCell()
    {
        await RunAsync(run => AddModelAsync(run));

        var result = await RunAsync(async run =>
        {
            await run.AddActualsAsync(ActualsFile("actuals/OBJ-1.xlsx", Listed), Upload(Manager,
                Row(2, "DIG-1", "Frigjord tid", "Omfördelning", 2023, "45000"),
                Row(3, "DIG-9", "Frigjord tid", "Omfördelning", 2023, "1"),
                Row(4, "DIG-1", "Okänd post", "Finansiell", 2023, "1"),
                Row(5, "DIG-1", "Frigjord tid", "Finansiell", 2024, "1"),
                Row(6, "DIG-1", "Frigjord tid", "Omfördelning", 2031, "1"),
                Row(7, "DIG-1", "Minskad administration", "Finansiell", 2023, "ca 5 000"),
                Row(8, "DIG-1", "Minskad administration", "Finansiell", 2024, "-3"),
                Row(9, "DIG-1", "Nöjdare medarbetare", "Förflyttning", 2025, "12"),
                Row(10, "DIG-1", "Porto", "Finansiell", 2024, "5"),
                Row(11, "DIG-1", "porto", "Finansiell", 2024, "6"),
                Row(12, "DIG-2", "Digital post", "Finansiell", 2024, "9000"),
                Row(13, "DIG-1", "Nöjdare medarbetare", "Förflyttning", 2024, null)), Ct);
        });

        var file = result.Files.Single();
        Assert.Equal((FileStatus.PartlyLoaded, 1, 10), (file.Status, file.RowsLoaded, file.RowsRejected));
        Assert.Equal("Utfall för OBJ-1: 1 rad inläst, 10 avvisade, 1 utan utfall.", file.Message);
        Assert.True(result.HasRejections);

        var problems = await QueryAsync<(string Sheet, string Cell, string Message)>(
            "SELECT sheet_name, cell, message FROM pbi_etl_problem WHERE run_id = @RunId ORDER BY problem_id", new { result.RunId });
        Assert.Equal(
        [
            ("Utfall", "A3", "Initiativet \"DIG-9\" finns inte."),
            ("Utfall", "B4", "\"Okänd post\" är ingen nyttopost i den gällande nyttokalkylen för DIG-1."),
            ("Utfall", "C5", "Typen \"Finansiell\" stämmer inte med nyttoposten, som är Omfördelning."),
            ("Utfall", "D6", "Året 2031 ligger utanför nyttokalkylens år 2023–2025."),
            ("Utfall", "F7", "\"ca 5 000\" är inte ett tal."),
            ("Utfall", "F8", "Utfallet får inte vara negativt."),
            ("Utfall", "F9", "Förflyttning är ett betyg 0–10, inte 12."),
            ("Utfall", "B10", "Samma initiativ, nyttopost och år som rad 11."),
            ("Utfall", "B11", "Samma initiativ, nyttopost och år som rad 10."),
            ("Utfall", "A12", "anna@nacka.se är inte objektsförvaltare för förvaltningsobjektet OBJ-2 och inte administratör."),
        ], problems);

        var raw = await QueryAsync<(long Row, string Status, string? Message)>("SELECT row_number, status, message FROM raw_actual_row ORDER BY row_number");
        Assert.Equal(12, raw.Count);
        Assert.Equal(("Inläst", (string?)null), (raw[0].Status, raw[0].Message));
        Assert.Equal(("Avvisad", "Initiativet \"DIG-9\" finns inte."), (raw[1].Status, raw[1].Message));
        Assert.Equal(("Ej rapporterad", (string?)null), (raw[11].Status, raw[11].Message));

        var loaded = Assert.Single(await ActualsAsync());
        Assert.Equal(("DIG-1", "Frigjord tid", 2023, 45_000m, "Utfall", "F2"), (loaded.InitiativeId, loaded.BenefitLine, loaded.Year, loaded.Value, loaded.SheetName, loaded.Cell));
        Assert.Equal(45_000m, Find(await RealizationAsync(), "Frigjord tid", 2023).Actual);
    }

    [Fact]
    public async Task Authorisation_AcceptsTheManagerAndAdministrators_AndRejectsOthers_UploaderIncluded()
    {
        Warehouse.Actuals.Administrators.Add("Controller@Nacka.se");
        await RunAsync(run => AddModelAsync(run));
        static ActualsUpload OneRow(string? reportedBy, int year) => Upload(reportedBy, Row(2, "DIG-1", "Frigjord tid", "Omfördelning", year, "1000"));

        var result = await RunAsync(async run =>
        {
            await run.AddActualsAsync(ActualsFile("actuals/manager.xlsx", Listed), OneRow(Manager, 2023), Ct);
            await run.AddActualsAsync(ActualsFile("actuals/admin.xlsx", Listed, author: "controller@nacka.se"), OneRow(null, 2024), Ct);
            await run.AddActualsAsync(ActualsFile("actuals/other.xlsx", Listed), OneRow("eva@nacka.se", 2025), Ct);
            await run.AddActualsAsync(ActualsFile("actuals/uploaded-by-other.xlsx", Listed, author: "eva@nacka.se"), OneRow(Manager, 2025), Ct);
        });

        Assert.Equal(
            [("actuals/manager.xlsx", FileStatus.Loaded), ("actuals/admin.xlsx", FileStatus.Loaded), ("actuals/other.xlsx", FileStatus.Rejected), ("actuals/uploaded-by-other.xlsx", FileStatus.Rejected)],
            result.Files.Select(f => (f.Name, f.Status)));
        Assert.All(result.Files.Skip(2), f => Assert.Equal(
            "eva@nacka.se är inte objektsförvaltare för förvaltningsobjektet OBJ-1 och inte administratör.", Assert.Single(f.Problems).Message));
        Assert.Equal("Utfall för OBJ-1: 0 rader inlästa, 1 avvisad.", result.Files[2].Message);

        var actuals = await ActualsAsync();
        Assert.Equal([(2023, Manager, (string?)null), (2024, "controller@nacka.se", "controller@nacka.se")], actuals.Select(a => (a.Year, a.ReportedBy, a.UploadedBy)));
        var files = await QueryAsync<(string Name, string? Author, string? Url)>("SELECT file_name, author_email, source_url FROM pbi_etl_file WHERE file_name = 'actuals/admin.xlsx'");
        Assert.Equal(("actuals/admin.xlsx", "controller@nacka.se", "https://nacka.sharepoint.com/sites/digitalisering/Utfall/actuals%2Fadmin.xlsx"), files.Single());
    }

    [Fact]
    public async Task AFileWithNothingReported_IsLoaded_WithZeroRows_AndSaysSo()
    {
        var result = await RunAsync(async run =>
        {
            await AddModelAsync(run);
            await run.AddActualsAsync(ActualsFile("actuals/empty.xlsx", Listed), Upload(Manager,
                Row(2, "DIG-1", "Frigjord tid", "Omfördelning", 2023, null), Row(3, "DIG-1", "Frigjord tid", "Omfördelning", 2024, null)), Ct);
        });

        var file = result.Files.Single(f => f.Kind == SourceKind.Actuals);
        Assert.Equal((FileStatus.Loaded, 0, 0, "Utfall för OBJ-1: inget utfall angivet; 2 rader utan utfall."), (file.Status, file.RowsLoaded, file.RowsRejected, file.Message));
        Assert.Empty(await ActualsAsync());
        Assert.All(await RealizationAsync(), r => Assert.Equal(0L, r.IsReported));
    }

    [Fact]
    public async Task ActualsUploads_AreWrittenTogether_NotEachBeforeTheNextIsJudged()
    {
        var sent = new List<int>();
        await RunAsync(async run =>
        {
            await AddModelAsync(run);
            foreach (var (name, year) in new[] { ("actuals/a.xlsx", 2023), ("actuals/b.xlsx", 2024), ("actuals/c.xlsx", 2025) })
            {
                await run.AddActualsAsync(ActualsFile(name, Listed), Upload(Manager,
                    Row(2, "DIG-1", "Frigjord tid", "Omfördelning", year, "10000"),
                    Row(3, "DIG-1", "Nöjdare medarbetare", "Förflyttning", year, "x")), Ct);
                sent.Add(run.BulkInserts);
            }
        });

        // The first upload's catalogue needs the business cases written; the uploads after it need nothing of each other.
        Assert.Equal(sent[0], sent[2]);
        Assert.Equal([(2023, 10_000m), (2024, 10_000m), (2025, 10_000m)], (await ActualsAsync()).Select(a => (a.Year, a.Value)));
        var files = await QueryAsync<(string, string)>("SELECT file_name, status FROM pbi_etl_file WHERE source_kind = 'actuals' ORDER BY file_name");
        Assert.Equal([("actuals/a.xlsx", FileStatus.PartlyLoaded), ("actuals/b.xlsx", FileStatus.PartlyLoaded), ("actuals/c.xlsx", FileStatus.PartlyLoaded)], files);
        Assert.Equal(3, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_etl_problem WHERE source_kind = 'actuals'"));
    }

    [Fact]
    public async Task ALaterReport_ReplacesTheEarlier_AndTheHistoryKeepsWhoAndWhen()
    {
        var january = new DateTime(2025, 1, 10, 8, 0, 0, DateTimeKind.Utc);
        var february = new DateTime(2025, 2, 10, 8, 0, 0, DateTimeKind.Utc);
        var march = new DateTime(2025, 3, 10, 8, 0, 0, DateTimeKind.Utc);
        Warehouse.Actuals.Administrators.Add("controller@nacka.se");
        await RunAsync(async run =>
        {
            await AddModelAsync(run);
            await run.AddActualsAsync(ActualsFile("actuals/jan.xlsx", january), Upload(Manager,
                Row(2, "DIG-1", "Frigjord tid", "Omfördelning", 2023, "30000", "Första"),
                Row(3, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "20000")), Ct);
        });

        // The next run: two files, processed in their order; the later one wins.
        await RunAsync(async run =>
        {
            await run.AddActualsAsync(ActualsFile("actuals/feb.xlsx", february, author: "controller@nacka.se"), Upload(null,
                Row(2, "DIG-1", "frigjord TID", "Omfördelning", 2023, "35000", "Andra")), Ct);
            await run.AddActualsAsync(ActualsFile("actuals/mar.xlsx", march), Upload(Manager,
                Row(2, "DIG-1", "Frigjord tid", "Omfördelning", 2023, "40000", "Tredje")), Ct);
        });

        var history = await ActualsAsync();
        Assert.Equal(
        [
            (2023, 30_000m, 0L, Manager, january, "Första", "actuals/jan.xlsx"),
            (2024, 20_000m, 1L, Manager, january, (string?)null, "actuals/jan.xlsx"),
            (2023, 35_000m, 0L, "controller@nacka.se", february, "Andra", "actuals/feb.xlsx"),
            (2023, 40_000m, 1L, Manager, march, "Tredje", "actuals/mar.xlsx"),
        ],
        history.Select(a => (a.Year, a.Value, a.IsCurrent, a.ReportedBy!, DateTime.SpecifyKind(a.ReportedAtUtc, DateTimeKind.Utc), a.Comment, a.SourceFile)));
        Assert.Equal("Frigjord tid", history[2].BenefitLine);

        var rows = await RealizationAsync();
        var replaced = Find(rows, "Frigjord tid", 2023);
        Assert.Equal((40_000m, Manager, march, "Tredje"), (replaced.Actual!.Value, replaced.ReportedBy, DateTime.SpecifyKind(replaced.ReportedAtUtc!.Value, DateTimeKind.Utc), replaced.Comment));
        Assert.Equal(60_000m, Find(rows, "Frigjord tid", 2024).ActualAcc);
    }

    [Fact]
    public async Task ARevisedBusinessCase_KeepsTheActualsOfSurvivingLines_AndListsTheOthersAsUnmatched()
    {
        await RunAsync(async run =>
        {
            await AddModelAsync(run);
            await run.AddActualsAsync(ActualsFile("actuals/OBJ-1.xlsx", Listed), Upload(Manager,
                Row(2, "DIG-1", "Minskad administration", "Finansiell", 2023, "90000"),
                Row(3, "DIG-1", "Minskad administration", "Finansiell", 2024, "150000"),
                Row(4, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "50000"),
                Row(5, "DIG-1", "Porto", "Finansiell", 2024, "3000")), Ct);
        });

        // v2: years 2024–2026, Frigjord tid gone, Porto now a redistribution, a new line.
        var revised = Case("DIG-1", "OBJ-1", 2024, 2026, "v2",
            Benefit(2, "Minskad administration", BenefitType.Financial, (2024, 120_000), (2025, 120_000)),
            Benefit(3, "Porto", BenefitType.Redistribution, (2024, 2_000)),
            Benefit(4, "Ny e-tjänst", BenefitType.Financial, (2026, 10_000)));
        await RunAsync(run => run.AddBusinessCaseAsync(BusinessCaseFile("business-cases/DIG-1 v2.xlsx"), revised, Ct));

        var rows = await RealizationAsync();
        Assert.Equal(9, rows.Count);
        var kept = Find(rows, "Minskad administration", 2024);
        Assert.Equal((120_000m, 150_000m, 1.25, 1L), (kept.Planned, kept.Actual!.Value, kept.Rate!.Value, kept.IsReported));
        Assert.Equal(1, rows.Count(r => r.IsReported == 1));
        Assert.DoesNotContain(rows, r => r.BenefitLine == "Frigjord tid" || r.Year == 2023);

        var unmatched = await QueryAsync<(string Line, long Year, string Reason)>(
            "SELECT benefit_line, year, reason FROM pbi_fct_benefit_actual_unmatched WHERE initiative_id = 'DIG-1' ORDER BY benefit_line, year");
        Assert.Equal(
        [
            ("Frigjord tid", 2024L, "Nyttoposten finns inte längre i den gällande nyttokalkylen."),
            ("Minskad administration", 2023L, "Året 2023 ligger utanför nyttokalkylens år 2024–2026."),
            ("Porto", 2024L, "Nyttoposten är nu Omfördelning; utfallet rapporterades som Finansiell."),
        ], unmatched);
        // History is untouched: all four stay current for their key.
        Assert.All(await ActualsAsync(), a => Assert.Equal(1L, a.IsCurrent));
    }

    [Fact]
    public async Task AWarehouseUpgradedWithBusinessCasesInIt_BuildsItsRealisation_OnTheNextRun()
    {
        await RunAsync(run => AddModelAsync(run));
        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        {
            // As migration 003 leaves a warehouse that already held business cases.
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM fct_benefit_realization", cancellationToken: Ct));
        }

        await RunAsync(_ => Task.CompletedTask);

        Assert.Equal(12, (await RealizationAsync()).Count);
        Assert.Equal(2, (await RealizationAsync("DIG-2")).Count);
    }

    [Fact]
    public async Task AFailure_AfterActualsWereAdded_LeavesEveryViewAsItWas()
    {
        await RunAsync(async run =>
        {
            await AddModelAsync(run);
            await run.AddActualsAsync(ActualsFile("actuals/jan.xlsx", Listed), Upload(Manager, Row(2, "DIG-1", "Frigjord tid", "Omfördelning", 2023, "30000")), Ct);
        });
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => v != "pbi_etl_run" && v != "pbi_etl_check");

        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, new FailingRunObserver(PhaseTimings.Checks), Ct))
        {
            await run.AddBusinessCaseAsync(BusinessCaseFile("business-cases/DIG-1 v2.xlsx"), Case("DIG-1", "OBJ-1", 2024, 2025, "v2", Benefit(2, "Frigjord tid", BenefitType.Redistribution, (2024, 1))), Ct);
            await run.AddActualsAsync(ActualsFile("actuals/feb.xlsx", Listed.AddDays(30)), Upload(Manager, Row(2, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "40000")), Ct);
            run.SetUploadDeltaLink("actuals-library", "https://graph.invalid/delta?token=2");
            await Assert.ThrowsAsync<IOException>(() => run.CompleteAsync(Ct));
        }

        var after = await ViewSnapshot.ReadAsync(Warehouse.Database, v => v != "pbi_etl_run" && v != "pbi_etl_check");
        Assert.True(before.SequenceEqual(after, new SnapshotComparer()), ViewSnapshot.Diff(before, after));
        Assert.Equal(0L, (await QueryAsync<long>("SELECT COUNT(*) FROM etl_upload_state")).Single());
        Assert.Equal("Misslyckad", (await QueryAsync<string>("SELECT status FROM pbi_etl_run ORDER BY run_id DESC")).First());
    }

    [Fact]
    public async Task TheUploadDeltaLink_OnlyAdvances_WhenTheRunPublishes()
    {
        const string key = "actuals:Utfall";
        await RunAsync(async run =>
        {
            Assert.Null(await run.GetUploadDeltaLinkAsync(key, Ct));
            run.SetUploadDeltaLink(key, "https://graph.invalid/delta?token=1");
            Assert.Equal("https://graph.invalid/delta?token=1", await run.GetUploadDeltaLinkAsync(key, Ct));
        });

        await using (var failing = await StartAsync())
        {
            Assert.Equal("https://graph.invalid/delta?token=1", await failing.GetUploadDeltaLinkAsync(key, Ct));
            failing.SetUploadDeltaLink(key, "https://graph.invalid/delta?token=2");
            await failing.FailAsync(new InvalidOperationException("Graph went away"));
        }

        await RunAsync(async run =>
        {
            Assert.Equal("https://graph.invalid/delta?token=1", await run.GetUploadDeltaLinkAsync(key, Ct));
            Assert.Null(await run.GetUploadDeltaLinkAsync("business-cases:Nyttokalkyler", Ct));
            run.SetUploadDeltaLink(key, "https://graph.invalid/delta?token=3");
        });
        var state = (await QueryAsync<(string Key, string Link, long RunId)>("SELECT source_key, delta_link, last_run_id FROM etl_upload_state")).Single();
        var lastRun = (await QueryAsync<long>("SELECT MAX(run_id) FROM pbi_etl_run")).Single();
        Assert.Equal((key, "https://graph.invalid/delta?token=3", lastRun), state);
    }

    [Fact]
    public async Task TheTemplate_HoldsEveryLineAndYearOfTheObjectsInitiatives_WithWhatWasReported()
    {
        await RunAsync(async run =>
        {
            await AddModelAsync(run);
            await run.AddActualsAsync(ActualsFile("actuals/OBJ-1.xlsx", Listed), Upload(Manager,
                Row(2, "DIG-1", "Frigjord tid", "Omfördelning", 2024, "45000", "Enligt tidrapport")), Ct);
        });
        var queries = new WarehouseQueries(Warehouse.Database);

        var template = await queries.GetActualsTemplateAsync("obj-1", Ct);

        Assert.NotNull(template);
        Assert.Equal(("OBJ-1", "Objekt OBJ-1", Manager), (template.ObjectId, template.ObjectName, template.ManagerEmail));
        Assert.Equal(12, template.Rows.Count);
        Assert.Equal(
            ["Minskad administration", "Minskad administration", "Minskad administration", "Frigjord tid", "Frigjord tid", "Frigjord tid"],
            template.Rows.Take(6).Select(r => r.BenefitLine));
        Assert.Equal([2023, 2024, 2025], template.Rows.Take(3).Select(r => r.Year));
        Assert.Equal(new ActualsTemplateRow("DIG-1", "Initiativ DIG-1", "Minskad administration", "Finansiell", 2025, 0m, null, null), template.Rows[2]);
        Assert.Equal(new ActualsTemplateRow("DIG-1", "Initiativ DIG-1", "Frigjord tid", "Omfördelning", 2024, 50_000m, 45_000m, "Enligt tidrapport"), template.Rows[4]);
        Assert.Equal(("Nöjdare medarbetare", "Förflyttning", 6m), (template.Rows[8].BenefitLine, template.Rows[8].BenefitType, template.Rows[8].Planned));

        Assert.Null(await queries.GetActualsTemplateAsync("OBJ-9", Ct));
    }

    [Fact]
    public async Task TheTemplate_OfAnObjectKnownOnlyFromItsInitiatives_HasNoName()
    {
        await RunAsync(run => run.AddBusinessCaseAsync(BusinessCaseFile("business-cases/DIG-2.xlsx"), Dig2(), Ct));

        var template = await new WarehouseQueries(Warehouse.Database).GetActualsTemplateAsync("OBJ-2", Ct);

        Assert.NotNull(template);
        Assert.Equal(("OBJ-2", (string?)null, (string?)null), (template.ObjectId, template.ObjectName, template.ManagerEmail));
        Assert.Equal([(2024, 10_000m), (2025, 0m)], template.Rows.Select(r => (r.Year, r.Planned)));
    }

    public sealed class RealizationRow
    {
        public string InitiativeId { get; init; } = "";
        public string BenefitLine { get; init; } = "";
        public string BenefitType { get; init; } = "";
        public int Year { get; init; }
        public decimal Planned { get; init; }
        public decimal? Actual { get; init; }
        public decimal? Variance { get; init; }
        public double? Rate { get; init; }
        public decimal PlannedAcc { get; init; }
        public decimal? ActualAcc { get; init; }
        public string? ReportedBy { get; init; }
        public DateTime? ReportedAtUtc { get; init; }
        public string? Comment { get; init; }
        public long IsReported { get; init; }
    }

    public sealed class ActualHistoryRow
    {
        public long ActualId { get; init; }
        public string InitiativeId { get; init; } = "";
        public string BenefitLine { get; init; } = "";
        public int Year { get; init; }
        public decimal Value { get; init; }
        public string? Comment { get; init; }
        public long IsCurrent { get; init; }
        public string? ReportedBy { get; init; }
        public string? UploadedBy { get; init; }
        public DateTime ReportedAtUtc { get; init; }
        public string SourceFile { get; init; } = "";
        public string SheetName { get; init; } = "";
        public string Cell { get; init; } = "";
        public long RunId { get; init; }
    }

    private sealed class SnapshotComparer : IEqualityComparer<KeyValuePair<string, List<string>>>
    {
        public bool Equals(KeyValuePair<string, List<string>> x, KeyValuePair<string, List<string>> y) => x.Key == y.Key && x.Value.SequenceEqual(y.Value);

        public int GetHashCode(KeyValuePair<string, List<string>> obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }
}

public sealed class SqliteBenefitActualsFacts : BenefitActualsFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresBenefitActualsFacts(PostgresCluster cluster) : BenefitActualsFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
