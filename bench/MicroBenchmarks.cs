using BenchmarkDotNet.Attributes;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Calculations;
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

    [Benchmark(Description = "ResultWorkbookWriter.WriteBusinessCase (EPPlus)")]
    public byte[] WriteResult() => ResultWorkbookWriter.WriteBusinessCase(new ResultSummary("micro.xlsx", DateTime.UnixEpoch, "Inläst", null), [], 12);

    [Benchmark(Description = "BusinessCaseCalculator.Calculate")]
    public BusinessCaseFigures Calculate() => BusinessCaseCalculator.Calculate(_businessCase, 0.035m);
}
