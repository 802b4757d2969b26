using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Writers;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// Mutants among the demo's good files in real runs of the pipeline on SQLite, the schema installed by the production
/// scripts. A run never fails for them; every good file comes out as it does in a run without mutants; every mutant is
/// either loaded with the figures the reference decoder reads from it, or recorded Avvisad with problems naming where;
/// a mutated list item is either taken or recorded as a problem naming its list and item.
/// </summary>
public sealed partial class RefreshRunFuzzFacts
{
    private const int MutantsPerRun = 50;

    private static readonly DateTime GoodFilesFrom = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // Mutants are older than every good file: the good files are loaded after them, so that a mutant with a good file's
    // Initiativ-ID or actuals keys never becomes current over it, and the good files' outcomes stay comparable.
    private static readonly DateTime MutantsFrom = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private sealed record PlacedMutant(string FileName, string Kind, string Description, int Number, XlsxMutant Mutant);

    [Fact]
    public async Task RefreshRuns_NeverFail_AndTakeEachMutantWithTheReferenceFigures_OrRecordItAvvisadNamingWhere()
    {
        var findings = new FuzzFindings(nameof(RefreshRunFuzzFacts));
        var corpus = FuzzCorpus.Instance;

        var total = FuzzSettings.OnlyCase is { } only ? only + 1 : FuzzSettings.RunMutants(150);
        var first = FuzzSettings.OnlyCase ?? 0;
        for (var runStart = first - first % MutantsPerRun; runStart < total; runStart += MutantsPerRun)
        {
            var runNumber = runStart / MutantsPerRun;
            if (FuzzSettings.OnlyRun is { } onlyRun && onlyRun != runNumber)
            {
                continue;
            }
            var numbers = Enumerable.Range(Math.Max(runStart, first), Math.Max(0, Math.Min(runStart + MutantsPerRun, total) - Math.Max(runStart, first))).ToList();
            var list = ListMutantFor(corpus, runNumber);
            // The good files as they come out with this run's list mutant and no workbook mutant: a list item may rightly
            // change a good file's outcome (a förvaltningsobjekt held back for a shared key makes its actuals unauthorised),
            // a workbook mutant never may.
            var baseline = await BaselineAsync(corpus, list);
            using var source = new TempDirectory("nacka-fuzz-run");
            var placed = Place(source, corpus, numbers, list);
            using var warehouse = await new SqliteTestWarehouse().MigratedAsync();
            var result = await RunAsync(warehouse, source);
            findings.CaseRun();
            var runDescription = $"seed {FuzzSettings.Seed} run {runNumber} (cases {runStart}–{runStart + MutantsPerRun - 1}; list: {list.Describe}): "
                + string.Join(" | ", placed.Select(p => $"case {p.Number}: {p.Description}"));
            if (!result.Succeeded)
            {
                // Which mutant fails the run: halved until one is left, each half in a run of its own with the good files.
                var culprit = await BisectAsync(corpus, numbers, list);
                var reproduce = culprit is { } c
                    ? FuzzSettings.Reproduce(nameof(RefreshRunFuzzFacts), c)
                    : $"NACKA_FUZZ_SEED={FuzzSettings.Seed} NACKA_FUZZ_RUN={runNumber} dotnet test tests/Etl.Worker.Tests --filter \"FullyQualifiedName~{nameof(RefreshRunFuzzFacts)}\"";
                var culpritText = culprit is { } n ? placed.First(p => p.Number == n).Description
                    : await FailsAsync(corpus, [], list) ? $"seed {FuzzSettings.Seed} run {runNumber}: the list mutant alone: {list.Describe}"
                    : $"no one mutant alone, a combination: {runDescription}";
                findings.Violation($"the run failed ({FirstLine(result.Message)})", culprit ?? runStart, culpritText, result.Message ?? "", reproduce);
                continue;
            }
            await using var connection = await warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);
            var files = (await connection.QueryAsync<(long FileId, string FileName, string Status)>(
                "SELECT file_id, file_name, status FROM pbi_etl_file WHERE run_id = @RunId", new { result.RunId })).ToList();
            foreach (var (name, status) in baseline)
            {
                var now = files.FirstOrDefault(f => f.FileName == name);
                if (now.Status != status)
                {
                    findings.Violation("a good file came out otherwise among mutants", runStart, runDescription, $"{name}: {now.Status ?? "not recorded"}, alone {status}");
                }
            }
            foreach (var mutant in placed)
            {
                var file = files.FirstOrDefault(f => f.FileName == mutant.FileName);
                if (file.FileName is null)
                {
                    findings.Violation("a mutant not recorded in pbi_etl_file", mutant.Number, mutant.Description, mutant.FileName);
                    continue;
                }
                await CheckMutantAsync(findings, connection, result.RunId, file.FileId, file.Status, mutant);
            }
            await CheckListMutantAsync(findings, connection, result.RunId, list, runStart, runDescription);
        }
        findings.AssertNone();
    }

    private static List<PlacedMutant> Place(TempDirectory source, FuzzCorpus corpus, IEnumerable<int> numbers, PlacedList list)
    {
        WriteGoodFiles(source, corpus);
        var placed = numbers.Select(n => PlaceMutant(source, corpus, n)).ToList();
        File.WriteAllBytes(source.File($"{SourceFolder.Lists}/{list.ListName}.json"), list.Json);
        return placed;
    }

    private static Task<RunResult> RunAsync(TestWarehouse warehouse, TempDirectory source) =>
        new RefreshPipeline(warehouse.Loader(), WorkbookReaderFuzzFacts.Limits, NullLogger<RefreshPipeline>.Instance)
            .RunAsync(source.Path, "fuzz", ct: TestContext.Current.CancellationToken);

    private static async Task<bool> FailsAsync(FuzzCorpus corpus, IEnumerable<int> numbers, PlacedList list)
    {
        using var source = new TempDirectory("nacka-fuzz-bisect");
        Place(source, corpus, numbers, list);
        using var warehouse = await new SqliteTestWarehouse().MigratedAsync();
        return !(await RunAsync(warehouse, source)).Succeeded;
    }

    /// <summary>The one mutant that fails a run by itself, or null when none does alone.</summary>
    private static async Task<int?> BisectAsync(FuzzCorpus corpus, List<int> numbers, PlacedList list)
    {
        var candidates = numbers;
        while (candidates.Count > 1)
        {
            var half = candidates.Take(candidates.Count / 2).ToList();
            candidates = await FailsAsync(corpus, half, list) ? half : candidates.Skip(half.Count).ToList();
        }
        return candidates.Count == 1 && await FailsAsync(corpus, candidates, list) ? candidates[0] : null;
    }

    /// <summary>Every good file's outcome in a run of the demo folder alone.</summary>
    private static async Task<Dictionary<string, string>> BaselineAsync(FuzzCorpus corpus, PlacedList list)
    {
        using var source = new TempDirectory("nacka-fuzz-baseline");
        Place(source, corpus, [], list);
        using var warehouse = await new SqliteTestWarehouse().MigratedAsync();
        var result = await new RefreshPipeline(warehouse.Loader(), WorkbookReaderFuzzFacts.Limits, NullLogger<RefreshPipeline>.Instance)
            .RunAsync(source.Path, "fuzz-baseline", ct: TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Message);
        await using var connection = await warehouse.Database.OpenAsync(TestContext.Current.CancellationToken);
        var files = await connection.QueryAsync<(string FileName, string Status)>("SELECT file_name, status FROM pbi_etl_file WHERE run_id = @RunId", new { result.RunId });
        var baseline = files.ToDictionary(f => f.FileName, f => f.Status);
        Assert.Contains(FileStatus.Loaded, baseline.Values);
        return baseline;
    }

    private static void WriteGoodFiles(TempDirectory source, FuzzCorpus corpus)
    {
        var minute = 0;
        foreach (var (name, bytes) in corpus.DemoFolder.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var path = source.File(name);
            File.WriteAllBytes(path, bytes);
            File.SetLastWriteTimeUtc(path, GoodFilesFrom.AddMinutes(++minute));
        }
    }

    private static PlacedMutant PlaceMutant(TempDirectory source, FuzzCorpus corpus, int number)
    {
        var random = FuzzSettings.ForCase("run", number);
        var pick = random.Next(10);
        var (folder, bases, sheets) = pick switch
        {
            < 6 => (SourceFolder.BusinessCases, corpus.BusinessCases, (IReadOnlyList<string>)[BusinessCaseWorkbookReader.InitiativeSheet, BusinessCaseWorkbookReader.CostSheet, BusinessCaseWorkbookReader.BenefitSheet]),
            < 9 => (SourceFolder.Actuals, corpus.Actuals, [ActualsWorkbookReader.ValuesSheet, ActualsWorkbookReader.AboutSheet]),
            _ => ("index", corpus.Surveys.Where(s => s.Name.EndsWith(".xlsx", StringComparison.Ordinal)).ToList(), [SurveyReader.SheetName]),
        };
        var (baseName, bytes) = bases[random.Next(bases.Count)];
        var mutant = new XlsxMutator(sheets).Mutate(XlsxPackage.Load(bytes), random);
        var fileName = $"{folder}/fuzz {number:0000} {Path.GetFileName(baseName)}";
        var path = source.File(fileName);
        File.WriteAllBytes(path, mutant.Bytes);
        File.SetLastWriteTimeUtc(path, MutantsFrom.AddMinutes(number));
        return new PlacedMutant(fileName, folder, $"seed {FuzzSettings.Seed} case {number}: {baseName}: {mutant.Describe()}", number, mutant);
    }

    private static async Task CheckMutantAsync(FuzzFindings findings, System.Data.Common.DbConnection connection, long runId, long fileId, string status, PlacedMutant placed)
    {
        var (mutant, number, description) = (placed.Mutant, placed.Number, placed.Description);
        var problems = (await connection.QueryAsync<(string? Sheet, string? Cell, string Message, string SourceName)>(
            "SELECT sheet_name, cell, message, source_name FROM pbi_etl_problem WHERE run_id = @RunId AND file_id = @FileId", new { RunId = runId, FileId = fileId })).ToList();
        foreach (var problem in problems)
        {
            if (!mutant.FileScope && problem.Sheet is null && problem.Cell is null)
            {
                findings.Violation($"{placed.Kind}: a recorded problem names no sheet or cell", number, description, problem.Message.Length > 200 ? problem.Message[..200] : problem.Message);
            }
            if (problem.Message.Length > WorkbookReaderFuzzFacts.MaxMessageLength)
            {
                findings.Violation($"{placed.Kind}: a recorded problem quotes a whole value", number, description, $"{problem.Message.Length:N0} characters");
            }
        }
        if (status == FileStatus.Rejected)
        {
            if (problems.Count == 0)
            {
                findings.Violation($"{placed.Kind}: Avvisad without a problem", number, description, "");
            }
            return;
        }
        if (mutant.MustReject && problems.Count == 0)
        {
            findings.Violation($"{placed.Kind}: loaded a malformed sheet ({string.Join(", ", mutant.Rejecting ?? [])})", number, description, status);
            return;
        }
        if (mutant.NoReference || placed.Kind == "index")
        {
            return;
        }
        using var package = ReferenceReading.Open(mutant.Bytes, out var failure) ?? (mutant.Original is { } original ? ReferenceReading.Open(original, out _) : null);
        if (package is null)
        {
            findings.Violation($"{placed.Kind}: loaded what the reference decoder cannot open", number, description, failure ?? "");
            return;
        }
        if (placed.Kind == SourceFolder.BusinessCases)
        {
            var reference = ReferenceReading.BusinessCase(package);
            if (reference.MustReject.Count > 0)
            {
                findings.Violation($"{placed.Kind}: loaded what the contract rejects", number, description, string.Join("; ", reference.MustReject.Take(3)));
                return;
            }
            var loaded = await connection.QueryAsync<(string Sheet, string Cell, double Value)>(
                "SELECT sheet_name, cell, value FROM raw_business_case_value WHERE file_id = @FileId", new { FileId = fileId });
            var ours = loaded.Select(l => ($"{Contract(l.Sheet)}!{l.Cell}", (decimal)Math.Abs(l.Value))).ToList();
            // SQLite keeps a REAL: compared as doubles are, the reference's amounts rounded as SQLite holds them.
            var expected = reference.Amounts.ToDictionary(a => a.Key, a => (decimal)(double)a.Value);
            var differences = WorkbookReaderFuzzFacts.Compare(ours, expected);
            if (differences.Count > 0)
            {
                findings.Violation($"{placed.Kind}: loaded a figure other than the reference's", number, description, string.Join("; ", differences.Take(4)));
            }
        }
        else
        {
            var reference = ReferenceReading.Actuals(package);
            var loaded = await connection.QueryAsync<(string Cell, double Value)>(
                "SELECT cell, value FROM pbi_fct_benefit_actual WHERE file_id = @FileId", new { FileId = fileId });
            foreach (var (cell, value) in loaded)
            {
                var row = int.Parse(RowDigits().Match(cell).Value, System.Globalization.CultureInfo.InvariantCulture);
                if (!reference.Values.TryGetValue(row, out var expected) || expected is null || (double)expected.Value != value)
                {
                    findings.Violation($"{placed.Kind}: loaded an Utfall other than the reference's", number, description, $"{cell} = {value}, the reference {expected?.ToString() ?? "none"}");
                }
            }
        }
    }

    private static string Contract(string sheet)
    {
        foreach (var name in new[] { BusinessCaseWorkbookReader.CostSheet, BusinessCaseWorkbookReader.BenefitSheet })
        {
            if (string.Equals(sheet.Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }
        return sheet;
    }

    private static string FirstLine(string? message)
    {
        var line = (message ?? "").Split('\n')[0];
        // The class of a failure, without the numbers that differ from run to run.
        line = Regex.Replace(line, "[0-9]+", "N");
        return line.Length > 120 ? line[..120] + "…" : line;
    }

    private sealed record PlacedList(string ListName, string ItemId, string Describe, JsonObject Fields, string? DuplicateOf, string? Key, byte[] Json);

    /// <summary>
    /// One list per run with one item mutated, field by field as <see cref="ListMutator"/> does (never the page itself:
    /// a list that cannot be read at all fails its run by contract), or an item copied under another id with the same key
    /// and another value: issue 13's duplicate key, which may not change what is published.
    /// </summary>
    private static PlacedList ListMutantFor(FuzzCorpus corpus, int run)
    {
        var random = FuzzSettings.ForCase("run-list", run);
        var listName = ListNames.All[random.Next(ListNames.All.Count)];
        var page = JsonNode.Parse(corpus.Lists[listName])!.AsObject();
        var items = page["value"]!.AsArray();
        if (random.Next(3) == 0)
        {
            var original = items[random.Next(items.Count)]!.AsObject();
            var copy = original.DeepClone().AsObject();
            var id = "9" + original["id"]!.ToString();
            copy["id"] = id;
            var fields = copy["fields"]!.AsObject();
            var (keyField, field, value) = listName switch
            {
                ListNames.Objects => ("ObjektId", "ForvaltareEpost", (JsonNode)"inkraktare@example.org"),
                ListNames.Initiatives => ("InitiativId", "Fas", "Avslagen"),
                ListNames.Assessments => ("InitiativId", "Poang", 1),
                _ => ("InitiativId", "Status", "Röd"),
            };
            fields[field] = value;
            items.Add(copy);
            return new PlacedList(listName, id, $"{listName} item {original["id"]} copied as {id} with {field} = {value.ToJsonString()}",
                fields, original["id"]!.ToString(), fields[keyField]?.ToString(), System.Text.Encoding.UTF8.GetBytes(page.ToJsonString()));
        }
        while (true)
        {
            var mutant = ListMutator.Mutate(listName, items, random);
            if (mutant.Structural || mutant.Variants.Count > 1 || mutant.Mutations.Any(m => m.StartsWith("[id-type]", StringComparison.Ordinal)))
            {
                continue;
            }
            var index = items.Select((item, i) => (item, i)).First(x => x.item!["id"]!.ToString() == mutant.ItemId).i;
            items[index] = mutant.Item.DeepClone();
            return new PlacedList(listName, mutant.ItemId, mutant.Describe(), mutant.Variants[0], null, null, System.Text.Encoding.UTF8.GetBytes(page.ToJsonString()));
        }
    }

    private static async Task CheckListMutantAsync(FuzzFindings findings, System.Data.Common.DbConnection connection, long runId, PlacedList list, int number, string description)
    {
        var problems = (await connection.QueryAsync<(string SourceName, string? ItemId, string Message)>(
            "SELECT source_name, item_id, message FROM pbi_etl_problem WHERE run_id = @RunId AND item_id IS NOT NULL", new { RunId = runId })).ToList();
        foreach (var problem in problems.Where(p => p.Message.Length > WorkbookReaderFuzzFacts.MaxMessageLength))
        {
            findings.Violation("lists: a recorded problem quotes a whole value", number, description, $"{problem.SourceName} item {problem.ItemId}: {problem.Message.Length:N0} characters");
        }
        var named = problems.Any(p => p.SourceName == list.ListName && (p.ItemId == list.ItemId || p.ItemId == list.DuplicateOf));
        if (list.DuplicateOf is not null)
        {
            if (!named)
            {
                findings.Violation($"lists: a duplicate key in {list.ListName} recorded as no problem", number, description, $"key {list.Key}, items {list.DuplicateOf} and {list.ItemId}");
            }
            if (list.ListName == ListNames.Objects)
            {
                var manager = await connection.ExecuteScalarAsync<string?>("SELECT manager_email FROM pbi_dim_object WHERE object_id = @Key", new { list.Key });
                if (manager == "inkraktare@example.org")
                {
                    findings.Violation("lists: a duplicate Forvaltningsobjekt changed who is objektsförvaltare", number, description, $"{list.Key}: {manager}");
                }
            }
            return;
        }
        if (named)
        {
            return;
        }
        var expected = ListReference.For(list.ListName, list.Fields, null);
        if (expected.MustReject.Count > 0)
        {
            findings.Violation($"lists: took an item the contract rejects ({list.ListName})", number, description, string.Join("; ", expected.MustReject.Take(3)));
        }
    }

    [GeneratedRegex("[0-9]+$")]
    private static partial Regex RowDigits();
}
