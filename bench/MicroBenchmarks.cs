using BenchmarkDotNet.Attributes;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Bench;

/// <summary>
/// The hot parts of a refresh, one business case at a time: the streaming reader over a workbook, the business
/// case reader on top of it, and the calculator; beside them the raw XmlReader scan of the same workbook.
/// <c>dotnet run -c Release --project bench -- micro</c>. In process: the benchmark's assembly is not named like its
/// project, so BenchmarkDotNet could not build a separate one, and the code measured is the same Release build.
/// </summary>
[MemoryDiagnoser]
[InProcess]
public class MicroBenchmarks
{
    private string _path = "";
    private BusinessCase _businessCase = null!;
    private readonly WorkbookLimits _limits = new();
    private ActualsUpload _actuals = null!;
    private ActualsValidation _actualsValidation = null!;

    [GlobalSetup]
    public void Setup()
    {
        // A large business case of the synthetic municipality: the one with the most lines.
        var draft = MunicipalityGenerator.Catalogue(42, 1).Take(200).MaxBy(i => i.Draft.Costs.Count + i.Draft.Benefits.Count)!.Draft;
        _path = Path.Combine(Path.GetTempPath(), $"nacka-micro-{Environment.ProcessId}.xlsx");
        using (var buffer = new MemoryStream())
        {
            BusinessCaseWorkbookWriter.Write(buffer, draft);
            File.WriteAllBytes(_path, DeterministicZip.Normalize(buffer.ToArray()));
        }
        _businessCase = new BusinessCaseWorkbookReader(_limits).Read(_path, "micro.xlsx").BusinessCase
            ?? throw new InvalidOperationException("The micro benchmark's workbook does not read cleanly.");
        (_actuals, _actualsValidation) = ActualsResult(50);
    }

    /// <summary>
    /// An actuals upload of <paramref name="rows"/> rows as the validator leaves it: most accepted, every eighth
    /// rejected with two problems (its row and two cells highlighted), every tenth not reported.
    /// </summary>
    public static (ActualsUpload Upload, ActualsValidation Validation) ActualsResult(int rows)
    {
        var lines = new List<ActualRow>();
        var outcomes = new List<ActualRowOutcome>();
        for (var i = 0; i < rows; i++)
        {
            var r = i + 2;
            var reported = i % 10 != 9;
            var value = 10_000m + 1_250.5m * i;
            var row = new ActualRow(r, $"DIG-2023-{i % 17:000}", $"Frigjord handläggartid {i % 5}", i % 3 == 0 ? "Finansiell" : "Omfördelning",
                "2024", "80 000", reported ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, i % 4 == 0 ? "Enligt tidsstudien i mars, se bilaga." : null)
            {
                Year = 2024,
                Value = reported ? value : null,
            };
            lines.Add(row);
            outcomes.Add(!reported
                ? new ActualRowOutcome(row, ActualRowStatus.NotReported, [], null)
                : i % 8 == 7
                    ? new ActualRowOutcome(row, ActualRowStatus.Rejected,
                    [
                        SourceProblem.ForCell("micro.xlsx", "Utfall", $"A{r}", $"Initiativet \"DIG-2023-{i % 17:000}\" finns inte."),
                        SourceProblem.ForCell("micro.xlsx", "Utfall", $"F{r}", "Utfallet är större än planerat gånger tio; kontrollera beloppet."),
                    ], null)
                    : new ActualRowOutcome(row, ActualRowStatus.Accepted, [], new CatalogueLine(row.BenefitLine!, BenefitType.Redistribution)));
        }
        var upload = new ActualsUpload("Utfall", "FO-ETJANST", "anna.andersson@nacka.se", new ActualsColumns("A", "B", "C", "D", "E", "F", "G"), lines);
        return (upload, new ActualsValidation(outcomes, []));
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Baseline = true, Description = "raw XmlReader scan of one workbook")]
    public long RawScanOne() => RawScan.Scan(_path);

    [Benchmark(Description = "XlsxWorkbook: every row of the three sheets")]
    public int XlsxWorkbookRows()
    {
        using var workbook = XlsxWorkbook.Open(_path, _limits);
        var cells = 0;
        foreach (var sheet in BusinessCaseWorkbookReader.RequiredSheets)
        {
            foreach (var row in workbook.ReadRows(workbook.FindSheet(sheet)!))
            {
                cells += row.Cells.Count;
            }
        }
        return cells;
    }

    [Benchmark(Description = "BusinessCaseWorkbookReader.Read")]
    public BusinessCaseReadResult ReadBusinessCase() => new BusinessCaseWorkbookReader(_limits).Read(_path, "micro.xlsx");

    [Benchmark(Description = "ResultWorkbookWriter.WriteBusinessCase")]
    public byte[] WriteResult() => ResultWorkbookWriter.WriteBusinessCase(new ResultSummary("micro.xlsx", DateTime.UnixEpoch, FileStatus.Loaded, null), [], 12);

    [Benchmark(Description = "ResultWorkbookWriter.WriteActuals, 50 rows")]
    public byte[] WriteActualsResult() => ResultWorkbookWriter.WriteActuals(
        new ResultSummary("micro.xlsx", DateTime.UnixEpoch, FileStatus.PartlyLoaded, "40 rader inlästa, 5 avvisade."), _actuals, _actualsValidation);

    [Benchmark(Description = "BusinessCaseCalculator.Calculate")]
    public BusinessCaseFigures Calculate() => BusinessCaseCalculator.Calculate(_businessCase, 0.035m);
}
