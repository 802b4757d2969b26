using System.Text.RegularExpressions;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>What the tests read of a PDF that Chromium printed.</summary>
public static partial class PdfFile
{
    /// <summary>
    /// Its pages. Chromium's PDF writer (Skia's) keeps each page's dictionary uncompressed, so the pages can be counted
    /// by their <c>/Type /Page</c> (checked against the <c>/Count</c> of its page tree); a PDF library would be a
    /// dependency for one number.
    /// </summary>
    public static int Pages(string pdf) => PageObject().Count(System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(pdf)));

    /// <summary>Whether it starts as every PDF does.</summary>
    public static bool StartsAsAPdf(string pdf) => File.ReadAllBytes(pdf).AsSpan().StartsWith("%PDF-"u8);

    [GeneratedRegex(@"/Type\s*/Page(?![A-Za-z])")]
    private static partial Regex PageObject();
}
