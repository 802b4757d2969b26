namespace NackaInsights.Etl.Report.Pdf;

/// <summary>
/// The follow-up report's settings (section <c>Report</c>): which Chromium prints the PDF, how long it may take, and
/// where the service keeps the municipality's report that it serves at <c>/rapport</c>.
/// </summary>
public sealed class ReportOptions
{
    public const string Section = "Report";

    /// <summary>
    /// The Chromium (or Chrome) program that prints <c>--pdf</c>; empty to look for <c>chromium</c>, <c>chromium-browser</c>,
    /// <c>google-chrome</c> and <c>google-chrome-stable</c> on the PATH. A path that does not exist is not looked past.
    /// </summary>
    public string ChromiumPath { get; set; } = "";

    /// <summary>How long Chromium may take to print one report before it is stopped.</summary>
    public int PdfTimeoutSeconds { get; set; } = 120;

    /// <summary>
    /// The folder where the service writes <c>rapport.html</c> after each run that published; empty for beside the SQLite
    /// warehouse file, or the program's folder for a server database.
    /// </summary>
    public string Directory { get; set; } = "";

    /// <summary>Every wrong setting, each naming its key.</summary>
    public IEnumerable<string> Validate()
    {
        if (PdfTimeoutSeconds is < 5 or > 3_600)
        {
            yield return $"{Section}:{nameof(PdfTimeoutSeconds)} must be between 5 and 3600 (was {PdfTimeoutSeconds}).";
        }
    }
}
