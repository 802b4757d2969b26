using Microsoft.Extensions.Options;

namespace NackaInsights.Etl.Service.Dashboard;

/// <summary>
/// Who may see and steer the Hangfire dashboard. Bound from the configuration section <c>DashboardOptions</c>.
/// Loopback requests are let in without credentials (as Hangfire's default); any other request needs the
/// HTTP Basic credentials of one of <see cref="Users"/>, over HTTPS. Before any of this, the request must name one of
/// the host names of <see cref="AllowedHosts"/> (ASP.NET Core's setting <c>AllowedHosts</c>; loopback names by default).
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>Where the dashboard answers.</summary>
    public string Path { get; set; } = "/hangfire";

    /// <summary>The whole dashboard is read-only: jobs can be looked at, never triggered, requeued or deleted.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>The people who may use the dashboard from another machine.</summary>
    public List<DashboardUser> Users { get; set; } = [];

    /// <summary>Basic credentials are only accepted over HTTPS, where they are not sent in the clear.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>
    /// A request from loopback needs no credentials. Turn this off behind a reverse proxy on the same
    /// machine, where every request comes from loopback.
    /// </summary>
    public bool AllowAnonymousLoopback { get; set; } = true;
}

/// <summary>One dashboard user: a name and a password hash from <c>nacka-insights hash-password</c>.</summary>
public sealed class DashboardUser
{
    public string UserName { get; set; } = string.Empty;

    /// <summary>In the format of <see cref="PasswordHasher.Format"/>.</summary>
    public string PasswordHash { get; set; } = string.Empty;

    /// <summary>This user sees the dashboard read-only, whatever <see cref="DashboardOptions.ReadOnly"/> says.</summary>
    public bool ReadOnly { get; set; }
}

/// <summary>Checks the dashboard settings at start, naming each wrong one.</summary>
internal static class DashboardOptionsValidation
{
    public static IReadOnlyList<string> Problems(DashboardOptions options)
    {
        const string section = nameof(DashboardOptions);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path) || !options.Path.StartsWith('/') || options.Path.Length < 2 || options.Path.EndsWith('/'))
        {
            problems.Add($"{section}:{nameof(DashboardOptions.Path)} '{options.Path}' must start with '/' and name a path, e.g. /hangfire.");
        }
        else if (options.Path.StartsWith("/health", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{section}:{nameof(DashboardOptions.Path)} '{options.Path}' would hide the health endpoints under /health.");
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var key = $"{section}:{nameof(DashboardOptions.Users)}:{i}";
            if (string.IsNullOrWhiteSpace(user.UserName))
            {
                problems.Add($"{key}:{nameof(DashboardUser.UserName)} is empty.");
            }
            else if (user.UserName.Contains(':'))
            {
                problems.Add($"{key}:{nameof(DashboardUser.UserName)} '{user.UserName}' contains ':', which HTTP Basic authentication cannot carry.");
            }
            else if (!seen.Add(user.UserName))
            {
                problems.Add($"{key}:{nameof(DashboardUser.UserName)} '{user.UserName}' is configured twice.");
            }
            if (!PasswordHasher.IsWellFormed(user.PasswordHash, out var problem))
            {
                problems.Add($"{key}:{nameof(DashboardUser.PasswordHash)} {problem}; make one with 'nacka-insights hash-password'.");
            }
        }
        return problems;
    }
}
