using System.IO.Compression;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// Rewrites a zip (an .xlsx) with every entry's time fixed, so that the same content always gives the
/// same bytes and the same SHA-256: generated workbooks are then recognised as unchanged on reload.
/// </summary>
public static class DeterministicZip
{
    private static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Normalize(byte[] zip)
    {
        using var input = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                var copy = archive.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = FixedTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }
        return output.ToArray();
    }
}
