using System.ComponentModel.DataAnnotations;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// Hard limits for reading an uploaded workbook. Uploads are untrusted: a file past any of these is
/// rejected before it can cost much memory or time. Bound from the configuration section
/// <c>WorkbookLimits</c>.
/// </summary>
public sealed class WorkbookLimits
{
    /// <summary>The largest file accepted, in bytes (default 20 MiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>The most all parts of the zip may inflate to, together, in bytes (default 200 MiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUncompressedBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>
    /// The highest inflation ratio of one part. Real sheets compress 5–30 times; zip bombs thousands
    /// of times. Parts smaller than <see cref="RatioCheckFromBytes"/> are not held to it.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>The size from which a part's compression ratio is checked (default 1 MiB).</summary>
    [Range(0, long.MaxValue)]
    public long RatioCheckFromBytes { get; set; } = 1024 * 1024;

    /// <summary>The most parts (files) in the zip.</summary>
    [Range(1, int.MaxValue)]
    public int MaxEntries { get; set; } = 1_000;

    /// <summary>
    /// The most characters the workbook's shared strings may hold together, each string counted with 16 more for
    /// its own cost in memory (default 20 million, about 40 MB). The table is held whole while sheets are read,
    /// so a small upload whose shared strings inflate to hundreds of MB is rejected instead of read.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxSharedStringCharacters { get; set; } = 20_000_000;

    /// <summary>The most rows with a value in one sheet.</summary>
    [Range(1, 1_048_576)]
    public int MaxRows { get; set; } = 100_000;

    /// <summary>The most columns with a value in one sheet.</summary>
    [Range(1, 16_384)]
    public int MaxColumns { get; set; } = 500;
}
