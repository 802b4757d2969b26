using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using static NackaInsights.TestSupport.ListFiles;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>The four SharePoint lists, from their offline files, into the register, the history and the facts, on each database.</summary>
public abstract class SharePointListFacts : PipelineFacts
{
    private static readonly DateTimeOffset January = new(2024, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _source = new("nacka-lists");

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Lists_FillTheRegisterObjectsEvaluationsAndProjectStatus()
    {
        Write(_source.Path, "Forvaltningsobjekt", Object("1", "FO-1", "E-tjänsteplattformen", "forvaltare@nacka.se", "Stadsledningskontoret"));
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-2023-014", "projekt", January, objectId: "FO-1",
                more: [("Typ", "Verksamhetsutveckling"), ("Behov", "Kommungemensamt"), ("StrategiskaMal", new[] { "Maximalt värde för skattepengarna" }),
                       ("Hypotes", "Som handläggare vill jag signera digitalt för att slippa papper"), ("Beslutsdatum", "2023-05-08T22:00:00Z")]),
            Initiative("11", "DIG-2024-001", "Idé", January, unit: "Välfärd skola"));
        Write(_source.Path, "Bedomningar",
        [
            .. Assessment("100", "DIG-2023-014", "2023-04-01", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3]),
            .. Assessment("200", "DIG-2023-014", "2023-04-20", [4, 3, 3, 2, 3, 3, 2, 3, 3, 3, 4]),
            .. Assessment("300", "DIG-2024-001", "2024-02-01", [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]).Take(10),
        ]);
        Write(_source.Path, "Projektstatus",
            Status("1", "DIG-2023-014", "2024-01-31", "Grön", 10, 50_000),
            Status("2", "DIG-2023-014", "2024-02-29", "Gul", 35, 180_000),
            Status("3", "DIG-2023-014", "2024-03-31", "Röd", 40, 320_000.5));
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        Assert.False(result.HasRejections);
        var initiative = await SingleAsync("SELECT * FROM pbi_dim_initiative WHERE initiative_id = 'DIG-2023-014'");
        Assert.Equal("Projekt", (string)initiative.phase);
        Assert.Equal("Verksamhetsutveckling", (string)initiative.initiative_type);
        Assert.Equal("Kommungemensamt", (string)initiative.need_type);
        Assert.Equal("FO-1", (string)initiative.object_id);
        Assert.Equal("2023-05-09", ViewSnapshot.Normalize(initiative.decision_date));
        Assert.Equal("Initiativlistan", (string)initiative.source);
        Assert.Equal(["MAXIMALT_VARDE"], await QueryAsync<string>("SELECT goal_code FROM pbi_bridge_initiative_goal WHERE initiative_id = 'DIG-2023-014'"));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative"));

        var manager = await ScalarAsync<string>("SELECT manager_email FROM pbi_dim_object WHERE object_id = 'FO-1'");
        Assert.Equal("forvaltare@nacka.se", manager);
        Assert.Equal(11L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_criterion"));

        // The latest assessment counts: Nytta (4+3+3+2)/4 = 3, Genomförbarhet (3+3+2+3+3+3+4)/7 = 3, Regelefterlevnad 4.
        var evaluation = await SingleAsync("SELECT * FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-2023-014'");
        Assert.Equal("2023-04-20", ViewSnapshot.Normalize(evaluation.assessed_on));
        Assert.Equal(3.0, Convert.ToDouble(evaluation.benefit_score), 6);
        Assert.Equal(3.0, Convert.ToDouble(evaluation.feasibility_score), 6);
        Assert.Equal(1L, Convert.ToInt64(evaluation.compliance_ok));
        Assert.Equal("Genomför", (string)evaluation.priority_class);
        var incomplete = await SingleAsync("SELECT * FROM pbi_fct_evaluation WHERE initiative_id = 'DIG-2024-001'");
        Assert.Equal("Ofullständig bedömning", (string)incomplete.priority_class);
        Assert.Null(incomplete.benefit_score);
        Assert.Equal(32L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_evaluation_score"));

        var status = (await QueryAsync<dynamic>("SELECT * FROM pbi_fct_project_status ORDER BY report_date")).ToList();
        Assert.Equal(["Grön", "Gul", "Röd"], status.Select(s => (string)s.status));
        Assert.Equal([0L, 0L, 1L], status.Select(s => Convert.ToInt64(s.is_latest)));
        Assert.Equal(320_000.5m, Math.Round(Convert.ToDecimal(status[2].budget_spent_sek), 2));
        Assert.Equal(40.0, Convert.ToDouble(status[2].percent_complete));
    }

    [Fact]
    public async Task TheListIsMaster_AndABusinessCaseFillsInOnlyWhatItLacks()
    {
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-2023-014", "Projekt", January, unit: "Välfärd skola", name: "Från listan", owner: null));
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());

        await RefreshAsync();

        var initiative = await SingleAsync("SELECT * FROM pbi_dim_initiative");
        Assert.Equal("Välfärd skola", (string)initiative.unit);
        Assert.Equal("Från listan", (string)initiative.name);
        Assert.Equal("agare@nacka.se", (string)initiative.owner_email);
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT unit FROM pbi_dim_unit"));
    }

    [Fact]
    public async Task AListFileOfTheSizeAndModificationTimeItWasHashedAt_IsNotHashedAgain_UntilEitherDiffers()
    {
        var path = Path.Combine(_source.Path, "lists", "Initiativ.json");
        var modified = DateTime.UtcNow.AddHours(-1);
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Idé", January, name: "Namn A"));
        File.SetLastWriteTimeUtc(path, modified);
        await RefreshAsync();
        Assert.Equal(new FileInfo(path).Length, await ScalarAsync<long>("SELECT size_bytes FROM etl_list_file WHERE file_name = 'lists/Initiativ.json'"));

        // Another content of the same size under the same time is taken for the content hashed, as git and rsync take a file.
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Idé", January, name: "Namn B"));
        File.SetLastWriteTimeUtc(path, modified);
        var sameTimes = await RefreshAsync();
        Assert.Equal(ListReadModes.Unchanged, Assert.Single(sameTimes.Lists).Mode);
        Assert.Equal("Namn A", await ScalarAsync<string>("SELECT name FROM pbi_dim_initiative"));

        // Another time: SHA-256 decides, and the file is read; its new time is then trusted.
        File.SetLastWriteTimeUtc(path, modified.AddMinutes(1));
        var touched = await RefreshAsync();
        var again = await RefreshAsync();

        Assert.Equal(1, Assert.Single(touched.Lists).ItemsChanged);
        Assert.Equal("Namn B", await ScalarAsync<string>("SELECT name FROM pbi_dim_initiative"));
        Assert.Equal(ListReadModes.Unchanged, Assert.Single(again.Lists).Mode);
        Assert.Equal(touched.RunId, await ScalarAsync<long>("SELECT run_id FROM etl_list_file WHERE file_name = 'lists/Initiativ.json'"));
    }

    [Fact]
    public async Task APhaseChangedTwice_GivesThreeContiguousVersions_AndRunsWithoutChangesAddNone()
    {
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Idé", January));
        await RefreshAsync();
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Beredning", new DateTimeOffset(2024, 3, 5, 14, 0, 0, TimeSpan.Zero)));
        await RefreshAsync();
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Projekt", new DateTimeOffset(2024, 6, 1, 7, 30, 0, TimeSpan.Zero)));
        await RefreshAsync();
        var unchanged = await RefreshAsync();
        // A new name is no new version: it updates the open one.
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Projekt", new DateTimeOffset(2024, 7, 1, 7, 30, 0, TimeSpan.Zero), name: "Nytt namn"));
        var renamed = await RefreshAsync();

        Assert.Equal(ListReadModes.Unchanged, Assert.Single(unchanged.Lists).Mode);
        Assert.Equal(1, Assert.Single(renamed.Lists).ItemsChanged);
        var versions = (await QueryAsync<dynamic>("SELECT * FROM pbi_dim_initiative_history ORDER BY version_no")).ToList();
        Assert.Equal(["Idé", "Beredning", "Projekt"], versions.Select(v => (string)v.phase));
        Assert.Equal(["2024-01-10", "2024-03-05", "2024-06-01"], versions.Select(v => ViewSnapshot.Normalize(v.valid_from)));
        Assert.Equal(["2024-03-05", "2024-06-01", "9999-12-31"], versions.Select(v => ViewSnapshot.Normalize(v.valid_to)));
        Assert.Equal([0L, 0L, 1L], versions.Select(v => Convert.ToInt64(v.is_current)));
        Assert.Equal("Nytt namn", (string)versions[2].name);
        Assert.Equal("Initiativ DIG-1", (string)versions[1].name);
    }

    [Fact]
    public async Task AnItemsCreatedDateTime_IsKeptOnTheCurrentVersion_AndNeitherANewlyGivenNorAChangedOneOpensAVersion()
    {
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-1", "Idé", January),
            Initiative("11", "DIG-2", "Idé", January) with { Created = "2023-11-20T08:00:00Z" });
        await RefreshAsync();
        var first = await CreatedAsync();

        // The export begins to give item 10's, and item 11's differs (a restored item): neither is a change of the initiative.
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-1", "Idé", January) with { Created = "2023-12-01T07:00:00Z" },
            Initiative("11", "DIG-2", "Idé", January) with { Created = "2023-11-21T08:00:00Z" });
        var given = await RefreshAsync();
        var second = await CreatedAsync();

        // A new phase opens a version; an export that no longer gives the creation time keeps the one known.
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-1", "Beredning", new DateTimeOffset(2024, 3, 5, 14, 0, 0, TimeSpan.Zero)),
            Initiative("11", "DIG-2", "Idé", January) with { Created = "2023-11-21T08:00:00Z" });
        await RefreshAsync();
        var third = await CreatedAsync();

        Assert.Equal(["10 ∅", "11 2023-11-20 08:00:00.000"], first.Staged);
        Assert.Equal(["DIG-1 1 ∅", "DIG-2 1 2023-11-20 08:00:00.000"], first.Versions);
        Assert.Equal(2, Assert.Single(given.Lists).ItemsChanged);
        Assert.Equal(["10 2023-12-01 07:00:00.000", "11 2023-11-21 08:00:00.000"], second.Staged);
        Assert.Equal(["DIG-1 1 2023-12-01 07:00:00.000", "DIG-2 1 2023-11-21 08:00:00.000"], second.Versions);
        Assert.Equal(["10 ∅", "11 2023-11-21 08:00:00.000"], third.Staged);
        Assert.Equal(["DIG-1 1 2023-12-01 07:00:00.000", "DIG-1 2 2023-12-01 07:00:00.000", "DIG-2 1 2023-11-21 08:00:00.000"], third.Versions);
        Assert.Equal(["Idé", "Beredning"], await QueryAsync<string>("SELECT phase FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-1' ORDER BY version_no"));
    }

    [Fact]
    public async Task ACreatedDateTimeThatIsNoTimeOrOutsideTheWindow_RejectsItsItemNamingListAndItem_AndTheRestLoads()
    {
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-1", "Projekt", January) with { Created = "2023-11-20T08:00:00Z" },
            Initiative("11", "DIG-2", "Idé", January) with { Created = "igår" },
            Initiative("12", "DIG-3", "Idé", January) with { Created = "0001-01-01T00:00:00Z" });
        Write(_source.Path, "Projektstatus", Status("1", "DIG-1", "2024-01-31", "Grön") with { Created = "9999-12-31T23:59:59Z" });

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var problems = await QueryAsync<(string SourceName, string ItemId, string Message)>(
            "SELECT source_name, item_id, message FROM pbi_etl_problem WHERE run_id = @RunId ORDER BY source_name, item_id", new { result.RunId });
        Assert.Equal(
            [
                ("Initiativ", "11", "createdDateTime: \"igår\" är ingen tidpunkt."),
                ("Initiativ", "12", "createdDateTime: 0001-01-01 ligger utanför de tillåtna åren 2000–2100."),
                ("Projektstatus", "1", "createdDateTime: 9999-12-31 ligger utanför de tillåtna åren 2000–2100."),
            ],
            problems);
        Assert.Equal(["DIG-1"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_project_status"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT rows_rejected FROM pbi_etl_run WHERE run_id = @RunId", new { result.RunId }));
    }

    /// <summary>Each staged item's and each version's created_at_utc, as text.</summary>
    private async Task<(List<string> Staged, List<string> Versions)> CreatedAsync()
    {
        var staged = await QueryAsync<(string ItemId, object? Created)>("SELECT item_id, created_at_utc FROM stg_list_initiative ORDER BY item_id");
        var versions = await QueryAsync<(string InitiativeId, int VersionNo, object? Created)>(
            "SELECT initiative_id, version_no, created_at_utc FROM dim_initiative_version ORDER BY initiative_id, version_no");
        return (staged.Select(s => $"{s.ItemId} {ViewSnapshot.Normalize(s.Created)}").ToList(),
            versions.Select(v => $"{v.InitiativeId} {v.VersionNo} {ViewSnapshot.Normalize(v.Created)}").ToList());
    }

    [Fact]
    public async Task AnInitiativeGoneFromTheList_HasItsVersionClosed_AndLivesOnFromItsBusinessCase()
    {
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-2023-014", "Projekt", January),
            Initiative("11", "DIG-9", "Idé", January));
        Write(_source.Path, "Projektstatus", Status("1", "DIG-9", "2024-01-31", "Grön"));
        AddWorkbook("DIG-2023-014.xlsx", ContractWorkbooks.Reference());
        await RefreshAsync();

        Write(_source.Path, "Initiativ");
        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(2, result.Lists.Single(l => l.ListName == "Initiativ").ItemsRemoved);
        Assert.Equal(["DIG-2023-014"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative"));
        Assert.Equal("Nyttokalkyl", await ScalarAsync<string>("SELECT source FROM pbi_dim_initiative"));
        var history = (await QueryAsync<dynamic>("SELECT * FROM pbi_dim_initiative_history WHERE initiative_id = 'DIG-2023-014' ORDER BY version_no")).ToList();
        Assert.Equal(["Initiativlistan", "Nyttokalkyl"], history.Select(h => (string)h.source));
        Assert.Equal(ViewSnapshot.Normalize(history[0].valid_to), ViewSnapshot.Normalize(history[1].valid_from));
        // The gone initiative's status reports no longer count, and say why.
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_project_status"));
        Assert.Contains(await ProblemsAsync(result.RunId), p => p.Contains("DIG-9"));
    }

    [Fact]
    public async Task BadItems_AreSkippedWithReasonsNamingListAndItem_AndTheRestLoads()
    {
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-1", "Projekt", January),
            Initiative("11", "DIG-2", "Pågående", January),
            new ListItem("12", January, new Dictionary<string, object?> { ["Title"] = "Utan nyckel", ["Fas"] = "Idé" }));
        Write(_source.Path, "Bedomningar", [.. Assessment("100", "DIG-1", "2024-01-15", [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 5])]);
        Write(_source.Path, "Projektstatus", Status("1", "DIG-1", "2024-01-31", "Grön", 120), Status("2", "DIG-1", "2024-02-29", "Gul", 40));

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        Assert.True(result.HasRejections);
        Assert.Equal(4, result.RowsRejected);
        var problems = result.Lists.SelectMany(l => l.Problems).ToList();
        Assert.Contains(problems, p => p.Source == "Initiativ" && p.ItemId == "11" && p.Message.Contains("\"Pågående\""));
        Assert.Contains(problems, p => p.Source == "Initiativ" && p.ItemId == "12" && p.Message.Contains("InitiativId saknas"));
        Assert.Contains(problems, p => p.Source == "Bedomningar" && p.ItemId == "110" && p.Message.Contains("1–4"));
        Assert.Contains(problems, p => p.Source == "Projektstatus" && p.ItemId == "1" && p.Message.Contains("0–100"));
        Assert.Equal(["DIG-1"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative"));
        // The assessment lacks its rejected Regelefterlevnad score, so it is incomplete.
        Assert.Equal("Ofullständig bedömning", await ScalarAsync<string>("SELECT priority_class FROM pbi_fct_evaluation"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_project_status"));
        var recorded = await QueryAsync<dynamic>("SELECT source_name, item_id, message FROM pbi_etl_problem WHERE run_id = @RunId", new { result.RunId });
        Assert.Equal(4, recorded.Count());
        Assert.Contains(recorded, r => (string)r.source_name == "Initiativ" && (string)r.item_id == "11");
        Assert.Equal(4L, await ScalarAsync<long>("SELECT rows_rejected FROM pbi_etl_run WHERE run_id = @RunId", new { result.RunId }));
    }

    [Fact]
    public async Task AnItemThatTurnsBad_KeepsItsLastValidContent()
    {
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Projekt", January));
        await RefreshAsync();

        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Okänd fas", January.AddDays(30)));
        var result = await RefreshAsync();

        Assert.True(result.HasRejections);
        Assert.Equal("Projekt", await ScalarAsync<string>("SELECT phase FROM pbi_dim_initiative"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative_history"));
    }

    [Fact]
    public async Task AListThatCannotBeRead_FailsTheRun_AndChangesNothing()
    {
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Projekt", January));
        await RefreshAsync();
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal));

        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Förvaltning", January.AddDays(60)));
        await File.WriteAllTextAsync(Path.Combine(_source.Path, "lists", "Projektstatus.json"), "{\"value\": [ {\"id\": ", Ct);
        var result = await RefreshAsync();

        Assert.False(result.Succeeded);
        Assert.Contains("Projektstatus", result.Message);
        Assert.Equal(before, await ViewSnapshot.ReadAsync(Warehouse.Database, v => !v.StartsWith("pbi_etl_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ItemsDatedOutsideTheWindow_AreRejectedNamingTheField_AndTheRunGoesOn()
    {
        Write(_source.Path, "Initiativ",
            Initiative("10", "DIG-1", "Projekt", January),
            Initiative("11", "DIG-2", "Idé", new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Write(_source.Path, "Projektstatus",
            Status("1", "DIG-1", "9999-12-31", "Grön"), Status("2", "DIG-1", "0001-01-01", "Gul"), Status("3", "DIG-1", "2024-02-29", "Gul"));

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var problems = await QueryAsync<(string SourceName, string ItemId, string Message)>(
            "SELECT source_name, item_id, message FROM pbi_etl_problem WHERE run_id = @RunId", new { result.RunId });
        Assert.Contains(("Projektstatus", "1", "Rapportdatum: 9999-12-31 ligger utanför de tillåtna åren 2000–2100."), problems);
        Assert.Contains(("Projektstatus", "2", "Rapportdatum: 0001-01-01 ligger utanför de tillåtna åren 2000–2100."), problems);
        Assert.Contains(("Initiativ", "11", "lastModifiedDateTime: 0001-01-01 ligger utanför de tillåtna åren 2000–2100."), problems);
        Assert.Equal(["DIG-1"], await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative"));
        Assert.Equal(["3"], await QueryAsync<string>("SELECT item_id FROM pbi_fct_project_status"));
        Assert.InRange(await ScalarAsync<long>("SELECT MIN(year) FROM pbi_dim_date"), 2000, 2100);
        Assert.InRange(await ScalarAsync<long>("SELECT MAX(year) FROM pbi_dim_date"), 2000, 2100);
    }

    [Fact]
    public async Task AListFileDatedOutsideTheWindow_DatesItsUndatedItemsAsOfTheRun_NotOutsideTheCalendar()
    {
        // Items without lastModifiedDateTime are dated by the file; one unpacked from an old archive is dated 1980.
        Write(_source.Path, "Initiativ", Initiative("10", "DIG-1", "Förvaltning", January));
        var path = Path.Combine(_source.Path, "lists", "Initiativ.json");
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), "\"lastModifiedDateTime\": \"[^\"]*\",", ""));
        File.SetLastWriteTimeUtc(path, new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var result = await RefreshAsync();

        Assert.True(result.Succeeded, result.Message);
        var version = Assert.Single(await QueryAsync<dynamic>("SELECT valid_from FROM pbi_dim_initiative_history"));
        Assert.StartsWith(DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-", (string)ViewSnapshot.Normalize(version.valid_from));
    }

    [Fact]
    public async Task ASecondForvaltningsobjektItemWithTheKey_ChangesNoObjektsforvaltare_AndIsReportedEveryRunUntilRemoved()
    {
        Write(_source.Path, "Forvaltningsobjekt", Object("1", "FO-1", "E-tjänsteplattformen", "forvaltare@nacka.se", "Stadsledningskontoret"));
        await RefreshAsync();

        Write(_source.Path, "Forvaltningsobjekt",
            Object("1", "FO-1", "E-tjänsteplattformen", "forvaltare@nacka.se", "Stadsledningskontoret"),
            Object("2", "FO-1", "E-tjänsteplattformen", "mallory@example.com", "Stadsledningskontoret"));
        var duplicated = await RefreshAsync();
        var unchanged = await RefreshAsync();

        Assert.True(duplicated.Succeeded, duplicated.Message);
        Assert.Equal(ListReadModes.Unchanged, Assert.Single(unchanged.Lists).Mode);
        foreach (var run in new[] { duplicated, unchanged })
        {
            var problems = await QueryAsync<(string SourceName, string ItemId, string Message)>(
                "SELECT source_name, item_id, message FROM pbi_etl_problem WHERE run_id = @RunId ORDER BY item_id", new { run.RunId });
            Assert.Equal(["1", "2"], problems.Select(p => p.ItemId));
            Assert.All(problems, p => Assert.StartsWith("ObjektId \"FO-1\" finns i 2 objekt (1, 2).", p.Message));
            Assert.Equal(problems.Count, Assert.Single(run.Lists).Problems.Count);
        }
        Assert.Equal(["forvaltare@nacka.se"], await QueryAsync<string>("SELECT manager_email FROM pbi_dim_object"));
        Assert.Equal(["forvaltare@nacka.se"], await QueryAsync<string>("SELECT user_principal_name FROM pbi_sec_unit_access"));

        Write(_source.Path, "Forvaltningsobjekt", Object("1", "FO-1", "E-tjänsteplattformen", "forvaltare@nacka.se", "Stadsledningskontoret"));
        var resolved = await RefreshAsync();

        Assert.Empty(await ProblemsAsync(resolved.RunId));
    }

    private void AddWorkbook(string name, RawXlsx workbook) => workbook.Save(_source.File($"business-cases/{name}"));

    private Task<RunResult> RefreshAsync() =>
        RunAsync(_source.Path);

    private async Task<dynamic> SingleAsync(string sql)
    {
        await using var connection = await Warehouse.Database.OpenAsync(Ct);
        return await connection.QuerySingleAsync(sql);
    }

    private async Task<List<string>> ProblemsAsync(long runId) =>
        await QueryAsync<string>("SELECT message FROM pbi_etl_problem WHERE run_id = @runId", new { runId });
}

public sealed class SqliteSharePointListFacts : SharePointListFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresSharePointListFacts(PostgresCluster cluster) : SharePointListFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
