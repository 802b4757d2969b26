using System.Text;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Xlsx;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// The workbook read with <see cref="Utf8XmlReader"/> where it can, and with .NET's reader only: the same sheets, the
/// same rows and cells to the bit, and the same errors with the same messages, for every base workbook and thousands of
/// mutants (damaged tags, entities, DTDs, deep nesting, huge texts, other namespaces, truncated and flipped parts). The
/// bases must be read by the UTF-8 reader alone, and the mutants must reach both readers, so that neither side of the
/// comparison is empty.
/// </summary>
public sealed class Utf8XmlReaderFuzzFacts
{
    [Fact]
    public void EveryBaseWorkbook_IsReadWhollyByTheUtf8Reader_AsDotNetsReaderReadsIt()
    {
        foreach (var (name, bytes) in FuzzCorpus.Instance.BusinessCases.Concat(FuzzCorpus.Instance.Actuals).Concat(FuzzCorpus.Instance.Surveys.Where(s => s.Name.EndsWith(".xlsx", StringComparison.Ordinal))))
        {
            var (utf8, parts) = Read(bytes, utf8Reader: true);
            var (plain, _) = Read(bytes, utf8Reader: false);
            Assert.Equal(plain, utf8);
            Assert.True(parts.Utf8 > 0 && parts.Plain == 0, $"{name}: {parts.Utf8} parts by the UTF-8 reader, {parts.Plain} by .NET's");
            Assert.False(utf8.StartsWith("!!", StringComparison.Ordinal), utf8);
        }
    }

    [Fact]
    public void Mutants_AreReadTheSame_ByEitherReader()
    {
        var findings = new FuzzFindings(nameof(Utf8XmlReaderFuzzFacts));
        var fallbacks = 0;
        var wholly = 0;
        foreach (var (harness, sheets, corpus, cases) in new[]
                 {
                     ("business-case", (string[])[BusinessCaseWorkbookReader.InitiativeSheet, BusinessCaseWorkbookReader.CostSheet, BusinessCaseWorkbookReader.BenefitSheet],
                         FuzzCorpus.Instance.BusinessCases, 800),
                     ("actuals", [ActualsWorkbookReader.ValuesSheet, ActualsWorkbookReader.AboutSheet], FuzzCorpus.Instance.Actuals, 400),
                 })
        {
            var mutator = new XlsxMutator(sheets);
            var bases = corpus.Select(b => (b.Name, Package: XlsxPackage.Load(b.Bytes))).ToList();
            foreach (var number in FuzzSettings.CaseNumbers(cases))
            {
                var random = FuzzSettings.ForCase("utf8-" + harness, number);
                var (name, package) = bases[random.Next(bases.Count)];
                var mutant = mutator.Mutate(package, random);
                findings.CaseRun();
                var (utf8, parts) = Read(mutant.Bytes, utf8Reader: true);
                var (plain, _) = Read(mutant.Bytes, utf8Reader: false);
                if (utf8 != plain)
                {
                    findings.Violation("the readers differ", number, $"{harness} {name}: {mutant.Describe()}", $"UTF-8:\n{utf8}\n.NET:\n{plain}");
                }
                fallbacks += parts.Plain > 0 ? 1 : 0;
                wholly += parts.Utf8 > 0 && parts.Plain == 0 ? 1 : 0;
            }
        }
        findings.AssertNone();
        if (FuzzSettings.OnlyCase is null)
        {
            Assert.True(fallbacks > 50, $"only {fallbacks} mutants had a part read by .NET's reader");
            Assert.True(wholly > 200, $"only {wholly} mutants were read by the UTF-8 reader alone");
        }
    }

    /// <summary>What a workbook reads as: its sheets, each sheet's rows and cells (numbers to the bit), and every error with its sheet and message.</summary>
    private static (string Text, (int Utf8, int Plain) Parts) Read(byte[] bytes, bool utf8Reader)
    {
        var text = new StringBuilder();
        try
        {
            using var workbook = XlsxWorkbook.Open(new MemoryStream(bytes, writable: false), WorkbookReaderFuzzFacts.Limits, null, utf8Reader);
            text.Append("sheets ").AppendJoin(" | ", workbook.SheetNames).Append('\n');
            foreach (var sheet in workbook.SheetNames)
            {
                text.Append("sheet ").Append(sheet).Append('\n');
                try
                {
                    foreach (var row in workbook.ReadRows(sheet))
                    {
                        text.Append(row.Index);
                        foreach (var cell in row.Cells)
                        {
                            text.Append($" {cell.Column}:{cell.Kind}:{cell.Text}:{BitConverter.DoubleToInt64Bits(cell.Number):X}:{cell.IsPercent}");
                        }
                        text.Append('\n');
                    }
                }
                catch (UnreadableWorkbookException e)
                {
                    text.Append($"! {e.Sheet}: {e.Message}\n");
                }
            }
            return (text.ToString(), workbook.PartsRead);
        }
        catch (UnreadableWorkbookException e)
        {
            text.Append($"!! {e.Sheet}: {e.Message}\n");
            return (text.ToString(), (0, 0));
        }
    }
}
