using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using static NackaInsights.TestSupport.ListFiles;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>
/// Initiative ids, units and object ids as Power BI compares them: regardless of letter case. One key spelled three ways
/// across the lists, the business cases, an actuals workbook and a survey export is one key in the warehouse, spelled
/// one way, with the figures of the same data spelled consistently.
/// </summary>
public abstract class KeyLetterCaseFacts() : SourceFolderFacts("nacka-keycase")
{
    private const string Manager = "maria.objekt@nacka.se";
    private static readonly DateTimeOffset January = new(2024, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTime FirstModified = new(2024, 6, 1, 8, 0, 0, DateTimeKind.Utc);

    /// <summary>How each source spells the keys it names.</summary>
    private sealed record Spellings(
        string ObjectListUnit, string ObjectListObject,
        string RegisterId, string RegisterUnit, string RegisterObject, string AssessmentId, string StatusId,
        string CaseId, string CaseUnit, string CaseObject,
        string SecondCaseFirstId, string SecondCaseRevisedId, string SecondCaseUnit,
        string ActualsId, string ActualsObject, string SurveyUnit);

    /// <summary>
    /// Every source spells each key as the first source to name it does: the list Forvaltningsobjekt (read first) for
    /// the unit and the object, the list Initiativ for its initiative, the first business case for the initiative only
    /// business cases name.
    /// </summary>
    private static readonly Spellings Consistent = new(
        "Välfärd skola", "FO-SIGN",
        "DIG-2023-014", "Välfärd skola", "FO-SIGN", "DIG-2023-014", "DIG-2023-014",
        "DIG-2023-014", "Välfärd skola", "FO-SIGN",
        "dig-2024-001", "dig-2024-001", "Välfärd skola",
        "DIG-2023-014", "FO-SIGN", "Välfärd skola");

    /// <summary>The same data, each later source spelling the keys otherwise: the issue's <c>VÄLFÄRD SKOLA</c> and <c>dig-2023-014</c> among them.</summary>
    private static readonly Spellings Variants = new(
        "Välfärd skola", "FO-SIGN",
        "DIG-2023-014", "välfärd skola", "fo-sign", "dig-2023-014", "Dig-2023-014",
        "dig-2023-014", "VÄLFÄRD SKOLA", "Fo-Sign",
        "dig-2024-001", "DIG-2024-001", "VÄLFÄRD SKOLA",
        "dig-2023-014", "fo-sign", "VÄLFÄRD SKOLA");

    /// <summary>What two warehouses loaded alike differ in by design: when a row was written, and the bytes of a file spelled otherwise.</summary>
    private static readonly HashSet<string> Lineage = new(StringComparer.Ordinal) { "loaded_at_utc", "source_sha256" };

    private static readonly string[] ComparedViews =
    [
        "pbi_dim_unit", "pbi_dim_initiative", "pbi_dim_initiative_history", "pbi_dim_object", "pbi_bridge_initiative_goal",
        "pbi_fct_business_case", "pbi_fct_business_case_year", "pbi_fct_benefit_realization", "pbi_fct_benefit_actual",
        "pbi_fct_evaluation", "pbi_fct_evaluation_score", "pbi_fct_project_status", "pbi_fct_survey_result",
        "pbi_fct_digitalization_index", "pbi_fct_digitalization_index_unit", "pbi_fct_digitalization_index_total", "pbi_sec_unit_access",
    ];

    /// <summary>The key columns of the views Power BI relates on, which it compares regardless of letter case.</summary>
    private static readonly (string View, string Column)[] KeyColumns =
    [
        ("pbi_dim_unit", "unit"), ("pbi_dim_initiative", "initiative_id"), ("pbi_dim_initiative", "unit"), ("pbi_dim_initiative", "object_id"),
        ("pbi_dim_object", "object_id"), ("pbi_dim_object", "unit"), ("pbi_dim_initiative_history", "initiative_id"), ("pbi_dim_initiative_history", "unit"),
        ("pbi_fct_business_case", "initiative_id"), ("pbi_fct_business_case_year", "initiative_id"), ("pbi_fct_benefit_realization", "initiative_id"),
        ("pbi_fct_benefit_actual", "initiative_id"), ("pbi_fct_evaluation_score", "initiative_id"), ("pbi_fct_project_status", "initiative_id"),
        ("pbi_fct_survey_result", "unit"), ("pbi_fct_digitalization_index_unit", "unit"), ("pbi_sec_unit_access", "unit"),
    ];

    private int _saved;

    [Fact]
    public async Task CaseVariants_FromEverySource_AreOneKey_WithTheFiguresOfConsistentSpelling()
    {
        WriteSources(Source, Variants);

        var result = await RefreshAsync(Warehouse, Source);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT unit FROM pbi_dim_unit"));
        Assert.Equal(["DIG-2023-014", "dig-2024-001"], (await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative")).Order(StringComparer.Ordinal));
        Assert.Equal(["FO-SIGN"], await QueryAsync<string>("SELECT object_id FROM pbi_dim_object"));
        foreach (var (view, column) in KeyColumns)
        {
            var spellings = (await QueryAsync<string>($"SELECT DISTINCT {column} FROM {view} WHERE {column} IS NOT NULL"))
                .GroupBy(k => k, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() > 1)
                .Select(g => string.Join(" / ", g));
            Assert.True(!spellings.Any(), $"{view}.{column} spells one key several ways: {string.Join("; ", spellings)}");
        }
        // The actuals row was taken as the register's initiative, in the object whose manager reported it.
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_fct_benefit_actual WHERE initiative_id = 'DIG-2023-014'"));
        // The revised business case of the initiative only business cases name is its current one: one initiative, two versions.
        Assert.Equal(2L, await ScalarAsync<long>("SELECT COUNT(*) FROM fct_business_case_version WHERE initiative_id = 'dig-2024-001'"));

        using var consistentSource = new TempDirectory("nacka-keycase-consistent");
        using var consistent = await (await CreateWarehouseAsync()).MigratedAsync();
        WriteSources(consistentSource, Consistent);
        var consistentResult = await RefreshAsync(consistent, consistentSource);
        Assert.True(consistentResult.Succeeded, consistentResult.Message);

        var expected = await ViewSnapshot.ReadAsync(consistent.Database, ComparedViews.Contains, Lineage);
        var actual = await ViewSnapshot.ReadAsync(Warehouse.Database, ComparedViews.Contains, Lineage);
        Assert.Equal(ComparedViews.Length, expected.Count);
        Assert.True(expected.Keys.All(v => expected[v].Count > 0), "every compared view has rows: " + string.Join(", ", expected.Where(v => v.Value.Count == 0).Select(v => v.Key)));
        Assert.True(ViewSnapshot.Diff(expected, actual).Length == 0, ViewSnapshot.Diff(expected, actual));
    }

    [Fact]
    public async Task CaseVariants_AreReportedNamingWhereAndHowTheyWereRead_WithoutRejectingAnything()
    {
        WriteSources(Source, Variants);

        var result = await RefreshAsync(Warehouse, Source);

        Assert.True(result.Succeeded, result.Message);
        Assert.False(result.HasRejections);
        // Read as another source spells the key: the file is still loaded whole.
        Assert.All(await QueryAsync<string>("SELECT status FROM pbi_etl_file"), s => Assert.Equal(FileStatus.Loaded, s));
        var problems = await QueryAsync<(string Source, string? Sheet, string? Cell, string? Item, string Message)>(
            "SELECT source_name, sheet_name, cell, item_id, message FROM pbi_etl_problem WHERE run_id = @RunId", new { result.RunId });
        Assert.Contains(problems, p => p is { Source: "business-cases/DIG-2023-014.xlsx", Sheet: "Initiativ", Cell: "B1" }
            && p.Message.Contains("\"dig-2023-014\"", StringComparison.Ordinal) && p.Message.Contains("\"DIG-2023-014\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p is { Source: "business-cases/DIG-2023-014.xlsx", Sheet: "Initiativ", Cell: "B3" }
            && p.Message.Contains("\"VÄLFÄRD SKOLA\"", StringComparison.Ordinal) && p.Message.Contains("\"Välfärd skola\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p is { Source: "Initiativ", Item: "10" }
            && p.Message.Contains("\"fo-sign\"", StringComparison.Ordinal) && p.Message.Contains("\"FO-SIGN\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p is { Source: "Projektstatus", Item: "1" } && p.Message.Contains("\"Dig-2023-014\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p is { Source: "index/enkat.csv", Cell: "B2" } && p.Message.Contains("\"VÄLFÄRD SKOLA\"", StringComparison.Ordinal));
        // Each spelling is quoted once, as every quoted value is.
        Assert.DoesNotContain(problems, p => p.Message.Contains("\"\"", StringComparison.Ordinal));
        // Whoever uploaded the business case is told in its result workbook too.
        using (var package = new OfficeOpenXml.ExcelPackage(new FileInfo(Source.File("business-cases/DIG-2023-014.resultat.xlsx"))))
        {
            var cells = package.Workbook.Worksheets.SelectMany(w => w.Cells.Select(c => c.Text)).ToList();
            Assert.True(cells.Any(c => c.StartsWith("Initiativ-ID", StringComparison.Ordinal) && c.Contains("dig-2023-014", StringComparison.Ordinal)
                && c.Contains("läses som", StringComparison.Ordinal) && c.Contains("DIG-2023-014", StringComparison.Ordinal)), string.Join(" | ", cells));
        }
        // The first spelling of a key is no variant of anything; the revision's is.
        Assert.DoesNotContain(problems, p => p.Source == "business-cases/dig-2024-001 v1.xlsx" && p.Message.StartsWith("Initiativ-ID", StringComparison.Ordinal));
        Assert.Contains(problems, p => p is { Source: "business-cases/dig-2024-001 v2.xlsx", Cell: "B1" } && p.Message.Contains("\"DIG-2024-001\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALaterUpload_SpelledOtherwise_DoesNotRenameTheStoredKey()
    {
        WriteSources(Source, Consistent);
        var first = await RefreshAsync(Warehouse, Source);
        Assert.True(first.Succeeded, first.Message);

        Save(Source, "business-cases/DIG-2023-014 rev.xlsx", BusinessCase("Dig-2023-014", "VÄLFÄRD SKOLA", "fo-SIGN", "2024-01-15"));
        var second = await RefreshAsync(Warehouse, Source);
        var third = await RefreshAsync(Warehouse, Source);

        Assert.True(second.Succeeded, second.Message);
        Assert.True(third.Succeeded, third.Message);
        Assert.Equal(["DIG-2023-014", "dig-2024-001"], (await QueryAsync<string>("SELECT initiative_id FROM pbi_dim_initiative")).Order(StringComparer.Ordinal));
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT unit FROM pbi_dim_unit"));
        // The upload is the initiative's current business case, under the key as first stored.
        Assert.Equal("2024-01-15", await ScalarAsync<string>("SELECT version_label FROM fct_business_case_version WHERE is_current = 1 AND initiative_id = 'DIG-2023-014'"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM fct_business_case_version WHERE initiative_id <> 'DIG-2023-014' AND initiative_id <> 'dig-2024-001'"));
    }

    [Fact]
    public async Task AWarehouseLoadedBeforeKeysWereFolded_GetsOneSpellingOfEachKey()
    {
        WriteSources(Source, Consistent);
        var first = await RefreshAsync(Warehouse, Source);
        Assert.True(first.Succeeded, first.Message);
        // What such a load left before keys were folded: the business cases' and the survey's spelling of the unit beside
        // the list's, in the facts, the dimension and its history; and, upgraded to schema version 21, no record of a fold.
        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO dim_unit (unit) VALUES ('VÄLFÄRD SKOLA');
                UPDATE fct_business_case_version SET unit = 'VÄLFÄRD SKOLA' WHERE initiative_id = 'dig-2024-001';
                UPDATE dim_initiative SET unit = 'VÄLFÄRD SKOLA' WHERE initiative_id = 'dig-2024-001';
                UPDATE dim_initiative_history SET unit = 'VÄLFÄRD SKOLA' WHERE initiative_id = 'dig-2024-001';
                UPDATE fct_survey_result SET unit = 'VÄLFÄRD SKOLA';
                DELETE FROM etl_key_fold;
                """, cancellationToken: Ct));
        }

        var next = await RefreshAsync(Warehouse, Source);

        Assert.True(next.Succeeded, next.Message);
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT unit FROM pbi_dim_unit"));
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT DISTINCT unit FROM pbi_dim_initiative"));
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT DISTINCT unit FROM pbi_fct_survey_result"));
        Assert.Equal(["Välfärd skola"], await QueryAsync<string>("SELECT DISTINCT unit FROM pbi_fct_digitalization_index_unit"));
    }

    [Fact]
    public async Task TwoItemsOfOneList_WhoseKeysDifferOnlyInCase_ShareAKey()
    {
        Write(Source.Path, "Initiativ",
            Initiative("10", "DIG-2023-014", "Projekt", January),
            Initiative("11", "dig-2023-014", "Idé", January.AddDays(1)));

        var result = await RefreshAsync(Warehouse, Source);

        Assert.True(result.Succeeded, result.Message);
        // Neither speaks for the initiative (issue 13's rule for a key two items share).
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM pbi_dim_initiative"));
        var shared = await QueryAsync<string>("SELECT item_id FROM pbi_etl_problem WHERE source_name = 'Initiativ' AND message LIKE '%finns i 2 objekt%'");
        Assert.Equal(["10", "11"], shared.Order(StringComparer.Ordinal));
        // Withheld, the second spelling is no "read as … Inget avvisades" note: that would contradict the withholding.
        Assert.Empty(await QueryAsync<string>("SELECT item_id FROM pbi_etl_problem WHERE source_name = 'Initiativ' AND message LIKE '%läses som%'"));
    }

    private void WriteSources(TempDirectory source, Spellings s)
    {
        // Both folders' files modified alike: an actual is reported as of its file's time.
        _saved = 0;
        Write(source.Path, "Forvaltningsobjekt", Object("1", s.ObjectListObject, "E-signering", Manager, s.ObjectListUnit));
        Write(source.Path, "Initiativ", Initiative("10", s.RegisterId, "Projekt", January, unit: s.RegisterUnit, objectId: s.RegisterObject));
        Write(source.Path, "Bedomningar", Assessment("100", s.AssessmentId, "2023-04-01", [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3]));
        Write(source.Path, "Projektstatus", Status("1", s.StatusId, "2024-01-31", "Grön", 10, 50_000));
        Save(source, "business-cases/DIG-2023-014.xlsx", BusinessCase(s.CaseId, s.CaseUnit, s.CaseObject, "2023-05-09"));
        Save(source, "business-cases/dig-2024-001 v1.xlsx", BusinessCase(s.SecondCaseFirstId, s.SecondCaseUnit, null, "1"));
        Save(source, "business-cases/dig-2024-001 v2.xlsx", BusinessCase(s.SecondCaseRevisedId, s.SecondCaseUnit, null, "2"));
        Save(source, "actuals/FO-SIGN 2023.xlsx", new RawXlsx()
            .Sheet("Utfall",
                ["Initiativ-ID", "Nyttopost", "Typ", "År", "Utfall"],
                [s.ActualsId, "Minskade portokostnader", "Finansiell", 2023, 8_000])
            .Sheet("Om", ["Förvaltningsobjekt", s.ActualsObject], ["Rapporterad av", Manager])
            .ToBytes());
        var survey = source.File("index/enkat.csv");
        File.WriteAllText(survey, $"År;Verksamhet;Dimension;Procent;Antal svar\r\n2023;{s.SurveyUnit};Digital förmåga;60;41\r\n");
        File.SetLastWriteTimeUtc(survey, FirstModified);
    }

    private static byte[] BusinessCase(string id, string unit, string? objectId, string version)
    {
        object?[][] card = ContractWorkbooks.InitiativeRows(id, unit: unit, version: version);
        return new RawXlsx()
            .Sheet("Initiativ", objectId is null ? card : [.. card, ["Förvaltningsobjekt", objectId]])
            .Sheet("Kostnader", ContractWorkbooks.ReferenceCostRows())
            .Sheet("Nyttor", ContractWorkbooks.ReferenceBenefitRows())
            .ToBytes();
    }

    /// <summary>Saves a file modified a minute after the last one, so that both folders are taken in the same order.</summary>
    private void Save(TempDirectory source, string relativePath, byte[] bytes)
    {
        var path = source.File(relativePath);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, FirstModified.AddMinutes(++_saved));
    }

    private static Task<RunResult> RefreshAsync(TestWarehouse warehouse, TempDirectory source) =>
        new RefreshPipeline(warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance).RunAsync(source.Path, "test", null, Ct);
}

public sealed class SqliteKeyLetterCaseFacts : KeyLetterCaseFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresKeyLetterCaseFacts(PostgresCluster cluster) : KeyLetterCaseFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
