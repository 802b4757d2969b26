using System.Diagnostics;
using System.IO.Compression;
using System.Xml;

namespace NackaInsights.Bench;

/// <summary>
/// The limit: each workbook's worksheet and shared-string parts merely unzipped and scanned with
/// <see cref="XmlReader"/> (<c>Read()</c> to the end), no value converted, no cell looked at.
/// </summary>
public static class RawScan
{
    private static readonly XmlReaderSettings Settings = new() { DtdProcessing = DtdProcessing.Prohibit, IgnoreWhitespace = true, CloseInput = true };

    /// <summary>The nodes read from one workbook (returned so the work cannot be optimised away).</summary>
    public static long Scan(string path)
    {
        long nodes = 0;
        using var zip = ZipFile.OpenRead(path);
        foreach (var entry in zip.Entries)
        {
            var name = entry.FullName;
            if (!(name.StartsWith("xl/worksheets/", StringComparison.Ordinal) && name.EndsWith(".xml", StringComparison.Ordinal)) && name != "xl/sharedStrings.xml")
            {
                continue;
            }
            using var reader = XmlReader.Create(entry.Open(), Settings);
            while (reader.Read())
            {
                nodes++;
            }
        }
        return nodes;
    }

    /// <summary>Seconds to scan every file on <paramref name="threads"/> threads.</summary>
    public static double Once(IReadOnlyList<string> files, int threads)
    {
        var watch = Stopwatch.StartNew();
        long total = 0;
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => 0L, (file, _, sum) => sum + Scan(file),
            sum => Interlocked.Add(ref total, sum));
        GC.KeepAlive(total);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>The best of three timed passes after one warm-up pass (files in the page cache, code jitted).</summary>
    public static double Best(IReadOnlyList<string> files, int threads)
    {
        Once(files, threads);
        return Enumerable.Range(0, 3).Min(_ => Once(files, threads));
    }
}
