namespace NackaInsights.Etl.Report;

/// <summary>
/// A report that cannot be made as asked (report.md): a unit the warehouse does not know. A year with no data is a page
/// whose sections say so, not an error. The message is in Swedish, for the person who asked; the <c>report</c> command
/// prints it and exits 2.
/// </summary>
public sealed class ReportException(string message) : Exception(message);
