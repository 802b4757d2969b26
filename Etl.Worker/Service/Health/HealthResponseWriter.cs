using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NackaInsights.Etl.Service.Health;

/// <summary>
/// The health endpoints' body: the overall status and, per check, its status and why, e.g.
/// <c>{"status":"Unhealthy","checks":{"database":{"status":"Healthy","description":"..."},"freshness":{...}}}</c>.
/// </summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description ?? Describe(entry));
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(http.RequestAborted);
    }

    private static string Describe(HealthReportEntry entry) => entry.Exception switch
    {
        OperationCanceledException => "did not answer in time",
        { } e => HealthText.Reason(e),
        null => entry.Status.ToString(),
    };
}
