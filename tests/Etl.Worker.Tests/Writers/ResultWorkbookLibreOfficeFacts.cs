using System.Diagnostics;
using System.Text;
using NackaInsights.Etl.Writers;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using static NackaInsights.Etl.Tests.Writers.ResultWorkbookWriterFacts;

namespace NackaInsights.Etl.Tests.Writers;

/// <summary>
/// Result workbooks opened by LibreOffice, a reader written by others than the project and EPPlus: converted to
/// CSV with <c>soffice --headless</c>, every sheet, and the cells checked. Where LibreOffice is not installed the
/// tests are reported as skipped, naming how to get it.
/// </summary>
public sealed class ResultWorkbookLibreOfficeFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-result-lo");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AnActualsResult_OpensInLibreOffice_WithEveryCellAsWritten()
    {
        var upload = ReadUpload(_dir);
        var bytes = ResultWorkbookWriter.WriteActuals(new ResultSummary(FileName, ProcessedAt, FileStatus.PartlyLoaded, "1 rad inläst, 2 avvisade."), upload, Judge(upload));

        var sheets = LibreOffice.ToCsv(_dir, "FO-ETJANST.resultat.xlsx", bytes);

        Assert.Equal([ResultWorkbookWriter.SummarySheet, "Utfall"], sheets.Keys.Order(StringComparer.Ordinal));
        var summary = sheets[ResultWorkbookWriter.SummarySheet].Where(r => r.Count >= 2 && r[0].Length > 0).ToDictionary(r => r[0], r => r[1]);
        Assert.Equal("Resultat av inläsningen: Nyttouppföljning", sheets[ResultWorkbookWriter.SummarySheet][0][0]);
        Assert.Equal(FileName, summary["Fil"]);
        Assert.Equal("2024-06-14 10:30 (svensk tid)", summary["Behandlad"]);
        Assert.Equal(FileStatus.PartlyLoaded, summary["Status"]);
        Assert.Equal("=cmd|' /C calc'!A0", summary["Rapporterad av"]);
        Assert.Equal("\"ca 40 000\" är inte ett tal.", summary["Utfall!E3"]);

        var rows = sheets["Utfall"];
        Assert.Equal(["Initiativ-ID", "Nyttopost", "Typ", "År", "Utfall", "Kommentar", "Planerat", "Resultat"], rows[0]);
        Assert.Equal(["DIG-2023-014", "Frigjord handläggartid", "Omfördelning", "2024", "72500", Hyperlink, "80000", "Inläst"], rows[1]);
        Assert.Equal("ca 40 000", rows[2][4]);
        Assert.Equal("Utfall!A3: Initiativet \"DIG-2099-999\" finns inte. Utfall!E3: \"ca 40 000\" är inte ett tal.", rows[2][7]);
        Assert.Equal(["DIG-2023-014", "Minskade porto- och papperskostnader", "Finansiell", "2024", "", "-inget än", "6400", "Inget utfall angivet"], rows[3]);
        Assert.Equal(["@DIG-2023-014", "=1+1"], rows[4][..2]);
    }

    [Fact]
    public void HostileText_OpensInLibreOffice_AsSent_LessWhatXmlCannotHold()
    {
        var sheets = LibreOffice.ToCsv(_dir, "DIG-2024-031.resultat.xlsx", HostileBusinessCase());

        var problems = sheets[ResultWorkbookWriter.SummarySheet].Where(r => r.Count >= 2 && r[0].StartsWith("Kostnader!", StringComparison.Ordinal)).Select(r => r[1]).ToList();
        // LibreOffice reads a line break as written: "\n".
        Assert.Equal(HostileTexts.Select(t => t.Shown), problems);
    }
}

/// <summary>LibreOffice on this machine (<c>soffice</c> on the PATH, or <c>NACKA_SOFFICE</c>); never downloaded.</summary>
public static class LibreOffice
{
    public const string Variable = "NACKA_SOFFICE";

    public static string? Path { get; } = Find();

    // Every sheet, UTF-8 (76), values not as shown, to <name>-<sheet>.csv (the 12th token, -1: LibreOffice 7.2 and later).
    private const string CsvFilter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";

    /// <summary>Converts the workbook to CSV, one file a sheet, and reads them back: sheet name → rows → cells.</summary>
    public static Dictionary<string, List<List<string>>> ToCsv(TempDirectory dir, string name, byte[] workbook)
    {
        Assert.SkipWhen(Path is null,
            $"No LibreOffice on this machine: install Debian's package 'libreoffice-calc-nogui' (apt-get install --no-install-recommends libreoffice-calc-nogui) or set {Variable} to soffice.");
        var input = dir.File(name);
        File.WriteAllBytes(input, workbook);
        var output = dir.File("csv/");
        var start = new ProcessStartInfo(Path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // A profile of its own: two soffice processes sharing one wait for each other or fail.
        foreach (var argument in new[] { $"-env:UserInstallation=file://{dir.File("profile/")}", "--headless", "--norestore", "--convert-to", CsvFilter, "--outdir", output, input })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("soffice did not finish converting within 3 minutes.");
        }
        Assert.True(process.ExitCode == 0, $"soffice exited with {process.ExitCode}: {stdout.Result} {stderr.Result}");
        var prefix = System.IO.Path.GetFileNameWithoutExtension(name) + "-";
        var sheets = Directory.GetFiles(output, "*.csv").ToDictionary(
            f => System.IO.Path.GetFileNameWithoutExtension(f)[prefix.Length..],
            f => ParseCsv(File.ReadAllText(f, Encoding.UTF8)));
        Assert.True(sheets.Count > 0, $"soffice wrote no CSV: {stdout.Result} {stderr.Result}");
        return sheets;
    }

    /// <summary>RFC 4180: fields separated by commas, quoted with doubled quotes inside, line breaks inside quotes kept.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => System.IO.Path.Combine(d, "soffice"))
            .FirstOrDefault(File.Exists);
    }
}
