using System.Text;
using NackaInsights.Etl.Service.Dashboard;

namespace NackaInsights.Etl.Service.Report;

/// <summary>
/// <c>GET /rapport</c>: the municipality's follow-up report (<see cref="ServiceReport"/>), let in exactly as the dashboard
/// is, by the dashboard's own <see cref="DashboardAuthorizationFilter"/> (loopback, or a dashboard user's Basic
/// credentials over HTTPS), behind the same host check.
/// </summary>
public static class ReportEndpoint
{
    public const string Path = "/rapport";

    /// <summary>
    /// What the page may do in a browser: show its own inline styles and images, and nothing else (no script, no
    /// request). The report needs no more; a name that slipped past the escaping could still run nothing.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The page before the first run has published: 404, in Swedish, for the reader who followed a link.</summary>
    internal const string NotYetMade =
        "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        "<title>Uppföljningsrapport</title></head><body><h1>Ingen uppföljningsrapport ännu</h1>" +
        "<p>Rapporten görs efter nästa körning som publicerar data. Försök igen senare.</p></body></html>\n";

    internal static void Map(WebApplication app, DashboardAuthorizationFilter filter, ServiceReport report) =>
        app.MapGet(Path, async (HttpContext http) =>
        {
            if (!filter.Authorize(http))
            {
                // As the dashboard answers: 401 with the filter's Basic challenge, or 403 where no credentials could help.
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.ContentType = "text/html; charset=utf-8";
            FileStream file;
            try
            {
                // Opened once: a report remade meanwhile replaces the name, not what this request already reads.
                file = new FileStream(report.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
            }
            catch (FileNotFoundException)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                await http.Response.WriteAsync(NotYetMade, Encoding.UTF8, http.RequestAborted);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                await http.Response.WriteAsync(NotYetMade, Encoding.UTF8, http.RequestAborted);
                return;
            }
            await using (file)
            {
                http.Response.ContentLength = file.Length;
                await file.CopyToAsync(http.Response.Body, http.RequestAborted);
            }
        });
}
