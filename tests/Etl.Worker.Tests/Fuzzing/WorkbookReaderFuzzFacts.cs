using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// Thousands of mutants of valid workbooks against the readers. Every mutant is either read as valid, with the figures an
/// independent decoder (EPPlus) reads from the same bytes, or rejected with problems that each name where; nothing but
/// <see cref="UnreadableWorkbookException"/> is thrown; and reading one allocates no more than the limits allow for.
/// </summary>
public sealed class WorkbookReaderFuzzFacts
{
    /// <summary>Small limits, so that mutants can reach them; the memory bound is derived from them.</summary>
    internal static readonly WorkbookLimits Limits = new()
    {
        MaxFileBytes = 8L * 1024 * 1024,
        MaxUncompressedBytes = 16L * 1024 * 1024,
    };

    /// <summary>
    /// The most a reader may allocate for one workbook: the inflated parts are limited to
    /// <see cref="WorkbookLimits.MaxUncompressedBytes"/>, and a streaming reader turns each byte into at most a few bytes of
    /// strings (UTF-16 doubles them) that are let go as it goes. Four times the limit allows for that, not for holding a
    /// sheet twice over or for work that grows faster than the input.
    /// </summary>
    internal static long AllocationBound => 4 * Limits.MaxUncompressedBytes;

    /// <summary>The longest problem message accepted: issue 13 has a message quote at most an excerpt of a value.</summary>
    internal const int MaxMessageLength = 1_000;

    private static readonly string[] BusinessCaseSheets = [BusinessCaseWorkbookReader.InitiativeSheet, BusinessCaseWorkbookReader.CostSheet, BusinessCaseWorkbookReader.BenefitSheet];

    private static readonly string[] ActualsSheets = [ActualsWorkbookReader.ValuesSheet, ActualsWorkbookReader.AboutSheet];

    [Fact]
    public void EveryBaseWorkbook_ReadsAsValid_WithTheFiguresOfTheReferenceReading()
    {
        var findings = new FuzzFindings(nameof(WorkbookReaderFuzzFacts));
        foreach (var (name, bytes) in FuzzCorpus.Instance.BusinessCases)
        {
            CheckBusinessCase(findings, -1, $"base {name}", name, new XlsxMutant(bytes, [], false, false, 0));
        }
        foreach (var (name, bytes) in FuzzCorpus.Instance.Actuals)
        {
            CheckActuals(findings, -1, $"base {name}", name, new XlsxMutant(bytes, [], false, false, 0));
        }
        findings.AssertNone();
        Assert.Equal(FuzzCorpus.Instance.BusinessCases.Count + FuzzCorpus.Instance.Actuals.Count, findings.Cases);
    }

    [Fact]
    public void BusinessCaseMutants_AreReadAsTheReferenceReadsThem_OrRejectedNamingWhere()
    {
        var findings = new FuzzFindings(nameof(WorkbookReaderFuzzFacts) + "." + nameof(BusinessCaseMutants_AreReadAsTheReferenceReadsThem_OrRejectedNamingWhere));
        var mutator = new XlsxMutator(BusinessCaseSheets);
        var bases = FuzzCorpus.Instance.BusinessCases.Select(b => (b.Name, Package: XlsxPackage.Load(b.Bytes))).ToList();
        foreach (var number in FuzzSettings.CaseNumbers(800))
        {
            var random = FuzzSettings.ForCase("business-case", number);
            var (name, package) = bases[random.Next(bases.Count)];
            var mutant = mutator.Mutate(package, random);
            CheckBusinessCase(findings, number, $"seed {FuzzSettings.Seed} case {number}: {name}: {mutant.Describe()}", name, mutant);
        }
        findings.AssertNone();
    }

    [Fact]
    public void ActualsMutants_AreReadAsTheReferenceReadsThem_OrRejectedNamingWhere()
    {
        var findings = new FuzzFindings(nameof(WorkbookReaderFuzzFacts) + "." + nameof(ActualsMutants_AreReadAsTheReferenceReadsThem_OrRejectedNamingWhere));
        var mutator = new XlsxMutator(ActualsSheets);
        var bases = FuzzCorpus.Instance.Actuals.Select(b => (b.Name, Package: XlsxPackage.Load(b.Bytes))).ToList();
        foreach (var number in FuzzSettings.CaseNumbers(400))
        {
            var random = FuzzSettings.ForCase("actuals", number);
            var (name, package) = bases[random.Next(bases.Count)];
            var mutant = mutator.Mutate(package, random);
            CheckActuals(findings, number, $"seed {FuzzSettings.Seed} case {number}: {name}: {mutant.Describe()}", name, mutant);
        }
        findings.AssertNone();
    }

    [Fact]
    public void SurveyMutants_AreReadOrRejectedNamingWhere_AndNeverThrow()
    {
        var findings = new FuzzFindings(nameof(WorkbookReaderFuzzFacts) + "." + nameof(SurveyMutants_AreReadOrRejectedNamingWhere_AndNeverThrow));
        var mutator = new XlsxMutator([SurveyReader.SheetName]);
        var bases = FuzzCorpus.Instance.Surveys.Where(s => s.Name.EndsWith(".xlsx", StringComparison.Ordinal))
            .Select(b => (b.Name, Package: XlsxPackage.Load(b.Bytes))).ToList();
        Assert.NotEmpty(bases);
        var reader = new SurveyReader(Limits);
        foreach (var number in FuzzSettings.CaseNumbers(250))
        {
            var random = FuzzSettings.ForCase("survey", number);
            var (name, package) = bases[random.Next(bases.Count)];
            var mutant = mutator.Mutate(package, random);
            var description = $"seed {FuzzSettings.Seed} case {number}: {name}: {mutant.Describe()}";
            FuzzSettings.Trace(description);
            findings.CaseRun();
            var (result, thrown, allocated) = Measure(() => reader.Read(mutant.Bytes, "fuzz.xlsx", name));
            Allocation(findings, number, description, allocated);
            if (thrown is not null)
            {
                findings.Violation(Thrown(thrown), number, description, thrown.ToString().Split('\n')[0]);
                continue;
            }
            var problems = result!.FileProblems.Concat(result.Upload?.Problems ?? []).ToList();
            CheckProblems(findings, number, description, name, problems, mutant.FileScope);
            // A survey is judged row by row: a malformed sheet may cost the rows it makes ambiguous rather than the file.
            if (result.IsReadable && mutant.MustReject && problems.Count == 0)
            {
                findings.Violation($"accepted a malformed sheet ({string.Join(", ", mutant.Rejecting ?? [])})", number, description, "no problem at all");
            }
        }
        findings.AssertNone();
    }

    private static readonly string[] CsvValues =
    [
        "NaN", "INF", "1e309", "-1e308", "123456789012345678901234567890", "1,5", "\"12,5\"", "-0", "", "   ", "\"", "\"\"\"", "a;b", "0001",
        "9999", "-2024", "2024.5", "=1+1", "\u0000", "\u202E", "100,0000000000000000000001", "\r", "\n",
    ];

    [Fact]
    public void SurveyCsvMutants_AreReadOrRejectedNamingWhere_AndNeverThrow()
    {
        var findings = new FuzzFindings(nameof(WorkbookReaderFuzzFacts) + "." + nameof(SurveyCsvMutants_AreReadOrRejectedNamingWhere_AndNeverThrow));
        var bases = FuzzCorpus.Instance.Surveys.Where(s => s.Name.EndsWith(".csv", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(bases);
        var reader = new SurveyReader(Limits);
        foreach (var number in FuzzSettings.CaseNumbers(300))
        {
            var random = FuzzSettings.ForCase("survey-csv", number);
            var (name, original) = bases[random.Next(bases.Count)];
            var (bytes, mutations) = MutateCsv(original, random);
            var description = $"seed {FuzzSettings.Seed} case {number}: {name}: {string.Join("; ", mutations)}";
            FuzzSettings.Trace(description);
            findings.CaseRun();
            var (result, thrown, allocated) = Measure(() => reader.Read(bytes, "fuzz.csv", name));
            Allocation(findings, number, description, allocated);
            if (thrown is not null)
            {
                findings.Violation(Thrown(thrown), number, description, thrown.ToString().Split('\n')[0]);
                continue;
            }
            // Encoding, binary content and size concern the file as a whole; every other problem names its cell.
            var fileScope = mutations.Any(m => m.StartsWith("[bytes]", StringComparison.Ordinal) || m.StartsWith("[header]", StringComparison.Ordinal));
            var problems = result!.FileProblems.Concat(result.Upload?.Problems ?? []).ToList();
            foreach (var problem in problems)
            {
                if (problem.Source != name)
                {
                    findings.Violation("a problem names another source", number, description, problem.ToString());
                }
                else if (!fileScope && problem.Cell is null && result.FileProblems.Count == 0)
                {
                    findings.Violation("a row problem names no cell", number, description, Excerpt(problem.ToString()));
                }
                if (problem.Message.Length > MaxMessageLength)
                {
                    findings.Violation("a problem message quotes a whole value", number, description, $"{problem.Message.Length:N0} characters");
                }
            }
        }
        findings.AssertNone();
    }

    /// <summary>One to three mutations of a survey export's text: a field's value, a huge field, a line repeated or cut, raw bytes.</summary>
    private static (byte[] Bytes, List<string> Mutations) MutateCsv(byte[] original, Random random)
    {
        var text = System.Text.Encoding.UTF8.GetString(original);
        var lines = text.Split('\n').ToList();
        var notes = new List<string>();
        byte[]? raw = null;
        var count = random.Next(10) < 6 ? 1 : random.Next(2, 4);
        for (var i = 0; i < count && lines.Count > 1; i++)
        {
            var line = random.Next(1, lines.Count);
            var separator = lines[0].Contains(';', StringComparison.Ordinal) ? ';' : ',';
            var fields = lines[line].Split(separator);
            var field = random.Next(fields.Length);
            switch (random.Next(7))
            {
                case 0 or 1 or 2:
                    var value = CsvValues[random.Next(CsvValues.Length)];
                    fields[field] = value;
                    lines[line] = string.Join(separator, fields);
                    notes.Add($"[value] line {line + 1} field {field + 1} = {value.Replace("\n", "\\n", StringComparison.Ordinal)}");
                    break;
                case 3:
                    var length = random.Next(2) == 0 ? 100_000 : 2_000_000;
                    fields[field] = new string((char)('a' + random.Next(26)), length);
                    lines[line] = string.Join(separator, fields);
                    notes.Add($"[huge] line {line + 1} field {field + 1}: {length:N0} characters");
                    break;
                case 4:
                    lines.Insert(line, lines[line]);
                    notes.Add($"[repeated] line {line + 1} written twice");
                    break;
                case 5:
                    lines[0] = string.Join(separator, lines[0].Split(separator).Select((h, k) => k == field ? h.ToUpperInvariant() + " " : h));
                    notes.Add($"[header] header field {field + 1} in upper case with a space");
                    break;
                default:
                    var bytes = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines));
                    var at = random.Next(bytes.Length);
                    bytes[at] = (byte)random.Next(2) switch { 0 => 0xFF, _ => 0x00 };
                    raw = bytes;
                    notes.Add($"[bytes] byte {at} set to 0x{bytes[at]:X2}");
                    i = count;
                    break;
            }
        }
        return (raw ?? System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)), notes);
    }

    /// <summary>
    /// The verdicts both workbook readers share: no exception, every rejection located, a malformed mutant rejected, and
    /// the reference decoder able to open what was read. Returns the reference reading to compare figures with, or null
    /// when the case is judged already.
    /// </summary>
    private static TReference? Judge<TReference>(FuzzFindings findings, int number, string description, string name, XlsxMutant mutant,
        Exception? thrown, bool readable, IReadOnlyList<SourceProblem>? problems, Func<OfficeOpenXml.ExcelPackage, TReference> read)
        where TReference : class, IReferenceReading
    {
        if (thrown is not null)
        {
            findings.Violation(Thrown(thrown), number, description, thrown.ToString().Split('\n')[0]);
            return null;
        }
        if (!readable)
        {
            if (problems is not { Count: > 0 })
            {
                findings.Violation("rejected without a problem", number, description, "");
            }
            CheckProblems(findings, number, description, name, problems ?? [], mutant.FileScope);
            return null;
        }
        if (mutant.MustReject)
        {
            findings.Violation($"accepted a malformed sheet ({string.Join(", ", mutant.Rejecting ?? [])})", number, description, "read as valid");
            return null;
        }
        if (mutant.NoReference)
        {
            return null;
        }
        using var package = ReferenceReading.Open(mutant.Bytes, out var failure) ?? (mutant.Original is { } original ? ReferenceReading.Open(original, out _) : null);
        if (package is null)
        {
            findings.Violation($"accepted what the reference decoder cannot open ({Classes(mutant)})", number, description, failure ?? "");
            return null;
        }
        var reference = read(package);
        if (reference.MustReject.Count > 0)
        {
            findings.Violation($"accepted what the contract rejects ({Classes(mutant)})", number, description, string.Join("; ", reference.MustReject.Take(3)));
            return null;
        }
        return reference;
    }

    private static void CheckBusinessCase(FuzzFindings findings, int number, string description, string name, XlsxMutant mutant)
    {
        FuzzSettings.Trace(description);
        findings.CaseRun();
        var reader = new BusinessCaseWorkbookReader(Limits);
        var (result, thrown, allocated) = Measure(() =>
        {
            try
            {
                using var workbook = XlsxWorkbook.Open(new MemoryStream(mutant.Bytes, writable: false), Limits);
                return reader.Read(workbook, name);
            }
            catch (UnreadableWorkbookException e)
            {
                // The documented exception: the pipeline records it as the file's rejection.
                return new BusinessCaseReadResult(null, [new SourceProblem(name, e.Sheet, null, e.Message)], 0);
            }
        });
        Allocation(findings, number, description, allocated);
        FuzzSettings.Trace("  read");
        if (Judge(findings, number, description, name, mutant, thrown, result?.IsValid ?? false, result?.Problems, ReferenceReading.BusinessCase) is not { } reference)
        {
            return;
        }
        var ours = new List<(string Cell, decimal Value)>();
        var business = result!.BusinessCase!;
        ours.AddRange(business.Costs.SelectMany(l => l.Values).Select(v => ($"{BusinessCaseWorkbookReader.CostSheet}!{v.Cell}", v.Value)));
        ours.AddRange(business.Benefits.SelectMany(l => l.Values).Select(v => ($"{BusinessCaseWorkbookReader.BenefitSheet}!{v.Cell}", v.Value)));
        var differences = Compare(ours, reference.Amounts);
        if (differences.Count > 0)
        {
            findings.Violation($"read a figure other than the reference's ({Classes(mutant)})", number, description, string.Join("; ", differences.Take(4)));
        }
    }

    private static void CheckActuals(FuzzFindings findings, int number, string description, string name, XlsxMutant mutant)
    {
        FuzzSettings.Trace(description);
        findings.CaseRun();
        var reader = new ActualsWorkbookReader(Limits);
        var (result, thrown, allocated) = Measure(() => reader.Read(mutant.Bytes, name));
        Allocation(findings, number, description, allocated);
        FuzzSettings.Trace("  read");
        if (Judge(findings, number, description, name, mutant, thrown, result?.IsReadable ?? false, result?.FileProblems, ReferenceReading.Actuals) is not { } reference)
        {
            return;
        }
        var differences = new List<string>();
        var rows = result!.Upload!.Rows;
        foreach (var duplicate in rows.GroupBy(r => r.Row).Where(g => g.Count() > 1))
        {
            differences.Add($"row {duplicate.Key} read {duplicate.Count()} times");
        }
        foreach (var row in rows.DistinctBy(r => r.Row))
        {
            if (!reference.Values.TryGetValue(row.Row, out var expected))
            {
                differences.Add($"row {row.Row} read, the reference has no such row");
            }
            else if (row.Value is { } value && value != expected)
            {
                differences.Add($"row {row.Row}: Utfall {value}, reference {expected?.ToString() ?? "no number"}");
            }
            else if (row.Value is null && row.ValueText is null && expected is not null)
            {
                // A value the validator would take for "not reported": a reported figure lost without a word.
                differences.Add($"row {row.Row}: Utfall read as empty, reference {expected}");
            }
        }
        foreach (var missing in reference.Values.Keys.Except(rows.Select(r => r.Row)))
        {
            differences.Add($"row {missing} not read, the reference has Utfall {reference.Values[missing]?.ToString() ?? "(no number)"}");
        }
        if (differences.Count > 0)
        {
            findings.Violation($"read a row other than the reference's ({Classes(mutant)})", number, description, string.Join("; ", differences.Take(4)));
        }
    }

    /// <summary>Ours against the reference, cell by cell; a cell read twice is a difference of its own.</summary>
    internal static List<string> Compare(IReadOnlyList<(string Cell, decimal Value)> ours, IReadOnlyDictionary<string, decimal> reference)
    {
        var differences = new List<string>();
        foreach (var group in ours.GroupBy(o => o.Cell, StringComparer.OrdinalIgnoreCase))
        {
            if (group.Count() > 1)
            {
                differences.Add($"{group.Key} read {group.Count()} times ({string.Join(", ", group.Select(g => g.Value))})");
            }
            else if (!reference.TryGetValue(group.Key, out var expected))
            {
                differences.Add($"{group.Key} = {group.First().Value}, the reference has none");
            }
            else if (expected != group.First().Value)
            {
                differences.Add($"{group.Key} = {group.First().Value}, the reference {expected}");
            }
        }
        foreach (var (cell, value) in reference)
        {
            if (!ours.Any(o => string.Equals(o.Cell, cell, StringComparison.OrdinalIgnoreCase)))
            {
                differences.Add($"{cell} not read, the reference {value}");
            }
        }
        return differences;
    }

    /// <summary>Each problem names the file, and the sheet or cell unless the mutation was in a part of the package.</summary>
    internal static void CheckProblems(FuzzFindings findings, int number, string description, string name, IEnumerable<SourceProblem> problems, bool fileScope)
    {
        foreach (var problem in problems)
        {
            if (problem.Source != name)
            {
                findings.Violation("a problem names another source", number, description, problem.ToString());
            }
            else if (!fileScope && problem.Sheet is null && problem.Cell is null)
            {
                findings.Violation("a problem names no sheet or cell", number, description, Excerpt(problem.ToString()));
            }
            if (problem.Message.Length > MaxMessageLength)
            {
                findings.Violation("a problem message quotes a whole value", number, description, $"{problem.Message.Length:N0} characters: {Excerpt(problem.Message)}");
            }
        }
    }

    internal static (T? Result, Exception? Thrown, long Allocated) Measure<T>(Func<T> read)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var result = read();
            return (result, null, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        catch (Exception e)
        {
            return (default, e, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    internal static void Allocation(FuzzFindings findings, int number, string description, long allocated)
    {
        findings.Allocated(allocated, description);
        if (allocated > AllocationBound)
        {
            findings.Violation("allocated past the bound", number, description, $"{allocated / (1024.0 * 1024.0):0.0} MiB > {AllocationBound / (1024.0 * 1024.0):0} MiB");
        }
    }

    /// <summary>An exception's class: its type and the frame of our code it came from.</summary>
    internal static string Thrown(Exception e)
    {
        var frame = e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("NackaInsights", StringComparison.Ordinal)) ?? "";
        var at = frame.Length == 0 ? "" : " " + frame.Split(" in ")[0];
        return $"throws {e.GetType().Name}{at}";
    }

    private static string Classes(XlsxMutant mutant) =>
        string.Join(", ", mutant.Mutations.Select(m => m[1..m.IndexOf(']')]).Distinct());

    private static string Excerpt(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
