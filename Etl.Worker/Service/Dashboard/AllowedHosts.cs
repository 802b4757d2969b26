using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace NackaInsights.Etl.Service.Dashboard;

/// <summary>
/// The host names the web host answers to: ASP.NET Core's own setting <c>AllowedHosts</c> (names separated by
/// <c>;</c>, without port; <c>*.nacka.se</c> for every subdomain), checked by ASP.NET Core's own
/// <see cref="HostFilteringMiddleware"/>, which the web host puts first in the pipeline, before the dashboard and the
/// health endpoints. Any other <c>Host</c>, or none, gets 400: a page in a browser on the server whose own name
/// resolves to loopback (DNS rebinding) cannot read or drive the dashboard. Unlike ASP.NET Core, whose default is
/// <c>*</c>, only the loopback names are allowed when nothing is configured, and <c>*</c> is refused at start.
/// </summary>
public static class AllowedHosts
{
    public const string Key = "AllowedHosts";

    /// <summary>The default: what a browser on the server itself names when it opens the dashboard over loopback.</summary>
    public static readonly IReadOnlyList<string> Loopback = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>The entries of the setting, trimmed; the loopback names when it names none.</summary>
    public static IReadOnlyList<string> Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Key);
        // ASP.NET Core's form is one string; a JSON array is taken as well rather than silently ignored.
        var entries = (section.Value is { } value ? value.Split(';') : section.GetChildren().Select(c => c.Value ?? ""))
            .Select(e => e.Trim())
            .Where(e => e.Length > 0)
            .ToList();
        return entries.Count == 0 ? Loopback : entries;
    }

    /// <summary>Why <paramref name="entry"/> cannot be an allowed host, or null.</summary>
    public static string? Problem(string entry)
    {
        if (entry == "*")
        {
            return $"{Key} '*' would allow every host, and with it a web page whose own name resolves to this machine " +
                "(DNS rebinding); list the names the dashboard is served under instead.";
        }
        var name = entry.StartsWith("*.", StringComparison.Ordinal) ? entry[2..] : entry;
        return Uri.CheckHostName(name) switch
        {
            UriHostNameType.Dns or UriHostNameType.IPv4 => null,
            UriHostNameType.IPv6 when name.StartsWith('[') => null,
            UriHostNameType.IPv6 => $"{Key}: '{entry}' is an IPv6 address; write it in brackets as a Host header carries it, e.g. [::1].",
            _ => $"{Key}: '{entry}' is not a host name; give a name or address without scheme, port or path, e.g. insights.nacka.se, *.nacka.se, 10.0.0.5 or [::1].",
        };
    }
}

/// <summary>Sets ASP.NET Core's <see cref="HostFilteringOptions"/> from <see cref="AllowedHosts"/>.</summary>
internal sealed class ConfigureHostFiltering(IConfiguration configuration) : IConfigureOptions<HostFilteringOptions>
{
    public void Configure(HostFilteringOptions options)
    {
        options.AllowedHosts = [.. AllowedHosts.Read(configuration)];
        // Only HTTP/1.0 may leave Host out, and no browser does; a request that names no host is not let past the check.
        options.AllowEmptyHosts = false;
    }
}

/// <summary>Checks <see cref="AllowedHosts"/> at start, naming each wrong entry.</summary>
internal sealed class AllowedHostsValidation : IValidateOptions<HostFilteringOptions>
{
    public ValidateOptionsResult Validate(string? name, HostFilteringOptions options)
    {
        var problems = options.AllowedHosts.Select(AllowedHosts.Problem).OfType<string>().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
