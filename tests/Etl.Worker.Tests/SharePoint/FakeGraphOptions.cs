using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.SharePoint;

/// <summary>Graph options that reach a <see cref="FakeGraphServer"/>; the facts pass their own credential.</summary>
internal static class FakeGraphOptions
{
    /// <summary>
    /// The fake's site is named by host name and path, as an administrator would write it, or by its
    /// id. Without <paramref name="maxRetries"/> the options keep their default.
    /// </summary>
    internal static GraphOptions For(FakeGraphServer graph, bool siteById = false, int? maxRetries = null)
    {
        var options = new GraphOptions
        {
            Enabled = true,
            BaseUrl = graph.BaseUrl,
            TenantId = "00000000-0000-0000-0000-000000000001",
            ClientId = "00000000-0000-0000-0000-000000000002",
            ClientSecret = "not used: the facts pass their own credential",
        };
        if (siteById)
        {
            options.SiteId = FakeGraphServer.SiteId;
        }
        else
        {
            options.SiteHostname = FakeGraphServer.Hostname;
            options.SitePath = FakeGraphServer.SitePath;
        }
        if (maxRetries is { } retries)
        {
            options.MaxRetries = retries;
        }
        return options;
    }
}
