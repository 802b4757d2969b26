using System.Net;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Report;

/// <summary>
/// The follow-up report (report.md): one self-contained HTML page in Swedish, made from the <c>pbi_*</c> views only.
/// Every figure carries a stable <c>data-figure</c> attribute so that it can be traced and tested.
/// </summary>
public static class FollowUpReport
{
    /// <summary>Writes the report of <paramref name="request"/> from <paramref name="database"/>, which it only reads.</summary>
    public static async Task WriteHtmlAsync(WarehouseDatabase database, ReportRequest request, TextWriter output, CancellationToken ct)
    {
        // A skeleton until the sections are written (issue 18): the page and its sections, in order.
        await using var connection = await database.OpenAsync(ct);
        await output.WriteAsync("<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Uppföljningsrapport</title></head><body>\n");
        foreach (var id in ReportSections.All)
        {
            await output.WriteAsync($"<section id=\"{WebUtility.HtmlEncode(id)}\"><h2>{WebUtility.HtmlEncode(id)}</h2></section>\n");
        }
        await output.WriteAsync("</body></html>\n");
    }
}
