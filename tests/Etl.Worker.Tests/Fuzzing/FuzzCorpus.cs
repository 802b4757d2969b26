using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Pipeline;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// The valid sources mutants are made from: the demo's source folder (business cases in each of its writer's styles,
/// actuals from the template writer, the four list exports, the survey exports) and the contract's reference
/// workbook written part by part with shared strings, inline strings and without cell addresses. Written once per
/// test process, into a folder of its own; the files are read into memory and the folder removed.
/// </summary>
public sealed class FuzzCorpus
{
    private static readonly Lazy<FuzzCorpus> Shared = new(() => new FuzzCorpus());

    public static FuzzCorpus Instance => Shared.Value;

    private FuzzCorpus()
    {
        using var folder = new TempDirectory("nacka-fuzz-corpus");
        DemoSourceWriter.Write(folder.Path);
        DemoListWriter.Write(folder.Path, DemoListWriter.Snapshot.June);
        DemoActualsWriter.Write(folder.Path);

        byte[] Read(string path) => File.ReadAllBytes(path);
        IEnumerable<(string, byte[])> Files(string sub, string pattern) =>
            Directory.EnumerateFiles(Path.Combine(folder.Path, sub), pattern)
                .Order(StringComparer.Ordinal)
                .Select(p => ($"{sub}/{Path.GetFileName(p)}", Read(p)));

        BusinessCases =
        [
            .. Files(SourceFolder.BusinessCases, "*.xlsx").Where(f => !f.Item1.EndsWith(DemoSourceWriter.BrokenFileName, StringComparison.Ordinal)),
            ("business-cases/contract shared strings.xlsx", Typed(ContractWorkbooks.Reference())),
            ("business-cases/contract inline strings.xlsx", Typed(ContractWorkbooks.Reference(new RawXlsx { InlineStrings = true }))),
            ("business-cases/contract no addresses.xlsx", Typed(ContractWorkbooks.Reference(new RawXlsx { OmitCellReferences = true }))),
        ];
        Actuals = [.. Files(SourceFolder.Actuals, "*.xlsx")];
        Surveys = [.. Files("index", "*.*")];
        Lists = Directory.EnumerateFiles(Path.Combine(folder.Path, "lists"), "*.json")
            .Where(p => !Path.GetFileName(p).Contains('.', StringComparison.Ordinal) || Path.GetFileName(p).Split('.').Length == 2)
            .Order(StringComparer.Ordinal)
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), Read);
        foreach (var (name, bytes) in Directory.EnumerateFiles(folder.Path, "*", SearchOption.AllDirectories)
                     .Select(p => (Path.GetRelativePath(folder.Path, p).Replace('\\', '/'), Read(p))))
        {
            DemoFolder[name] = bytes;
        }
    }

    /// <summary>
    /// RawXlsx declares no content types for the shared strings and styles parts, and writes a style sheet of number
    /// formats and cellXfs only; our reader needs no more, but EPPlus, the reference decoder, throws a
    /// NullReferenceException without fonts, fills, borders and cell styles. Completed here as Excel writes them (the
    /// cellXfs unchanged), so that the reference can read the base.
    /// </summary>
    private static byte[] Typed(RawXlsx workbook)
    {
        var package = XlsxPackage.Load(workbook.ToBytes());
        const string types = "[Content_Types].xml";
        package.SetText(types, package.Text(types).Replace("</Types>",
            "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>" +
            "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/></Types>",
            StringComparison.Ordinal));
        var styles = package.Text("xl/styles.xml");
        var cellXfs = styles[styles.IndexOf("<cellXfs", StringComparison.Ordinal)..(styles.IndexOf("</cellXfs>", StringComparison.Ordinal) + "</cellXfs>".Length)];
        var ns = RawXlsx.TransitionalNamespace;
        package.SetText("xl/styles.xml",
            $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><styleSheet xmlns=\"{ns}\">" +
            "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/></numFmts>" +
            "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>" +
            "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>" +
            "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>" +
            "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>" +
            cellXfs.Replace("<xf ", "<xf fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" ", StringComparison.Ordinal) +
            "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>");
        return package.ToBytes();
    }

    public IReadOnlyList<(string Name, byte[] Bytes)> BusinessCases { get; }

    public IReadOnlyList<(string Name, byte[] Bytes)> Actuals { get; }

    public IReadOnlyList<(string Name, byte[] Bytes)> Surveys { get; }

    /// <summary>The four list exports, by list name.</summary>
    public IReadOnlyDictionary<string, byte[]> Lists { get; }

    /// <summary>Every file of the demo source folder by its path in the folder, to write a run's good files from.</summary>
    public Dictionary<string, byte[]> DemoFolder { get; } = [];
}
