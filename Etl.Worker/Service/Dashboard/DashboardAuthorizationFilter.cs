using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;

namespace NackaInsights.Etl.Service.Dashboard;

/// <summary>
/// Lets a request into the Hangfire dashboard: from loopback without credentials (when allowed), otherwise
/// only with the HTTP Basic credentials of a configured user, over HTTPS (when required). Everything else is
/// refused and logged: a missing or wrong password with 401 and a Basic challenge, so a browser asks; plain
/// HTTP from another machine, or a dashboard with no users, with 403.
/// </summary>
public sealed class DashboardAuthorizationFilter(DashboardOptions options, ILogger<DashboardAuthorizationFilter> logger, TimeProvider time) : IDashboardAuthorizationFilter
{
    public const string Realm = "NackaInsights";

    /// <summary>The <see cref="HttpContext.Items"/> key of the <see cref="DashboardUser"/> a request was let in as.</summary>
    internal const string UserItem = "NackaInsights.DashboardUser";

    private const int MaxRemembered = 1024;
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, DashboardUser> _users = options.Users.ToDictionary(u => u.UserName, StringComparer.Ordinal);

    // Basic authentication sends the password with every request, and the dashboard polls; a verification costs
    // hundreds of thousands of PBKDF2 iterations. Recently verified credentials are remembered for a few minutes,
    // by a keyed hash that exists only in this process's memory.
    private readonly byte[] _rememberKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTime> _remembered = new(StringComparer.Ordinal);

    public bool Authorize(DashboardContext context) => Authorize(context.GetHttpContext());

    /// <summary>
    /// The same decision for any request: what else the service serves under the dashboard's protection (<c>/rapport</c>).
    /// On refusal the response carries the challenge, or turns into 403, as for the dashboard; the caller answers 401.
    /// </summary>
    public bool Authorize(HttpContext http)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (options.AllowAnonymousLoopback && remote is not null && IsLoopback(remote))
        {
            return true;
        }
        var where = $"{remote?.ToString() ?? "an unknown address"} ({http.Request.Method} {http.Request.Path})";
        var credentials = ReadCredentials(http.Request);
        if (options.RequireHttps && !http.Request.IsHttps)
        {
            logger.LogWarning(
                "Dashboard request from {Remote} refused: only loopback is served over plain HTTP; use HTTPS{Credentials}",
                where, credentials is null ? "" : " (the credentials sent in the clear were ignored)");
            Forbid(http);
            return false;
        }
        if (_users.Count == 0)
        {
            logger.LogWarning("Dashboard request from {Remote} refused: no dashboard users are configured (DashboardOptions:Users)", where);
            Forbid(http);
            return false;
        }
        if (credentials is not { } given)
        {
            logger.LogInformation("Dashboard request from {Remote} refused: no credentials; asking for them", where);
            Challenge(http);
            return false;
        }
        if (!_users.TryGetValue(given.UserName, out var user))
        {
            PasswordHasher.VerifyNothing(given.Password);
            logger.LogWarning("Dashboard request from {Remote} refused: unknown user {User}", where, given.UserName);
            Challenge(http);
            return false;
        }
        if (!IsRemembered(user, given.Password))
        {
            if (!PasswordHasher.Verify(given.Password, user.PasswordHash))
            {
                logger.LogWarning("Dashboard request from {Remote} refused: wrong password for user {User}", where, user.UserName);
                Challenge(http);
                return false;
            }
            Remember(user, given.Password);
            logger.LogInformation("Dashboard user {User} signed in from {Remote}{ReadOnly}", user.UserName, remote, user.ReadOnly ? ", read-only" : "");
        }
        http.Items[UserItem] = user;
        return true;
    }

    /// <summary>Whether the dashboard is read-only for this request: for everyone, or for the user it was let in as.</summary>
    public bool IsReadOnly(DashboardContext context) =>
        options.ReadOnly || context.GetHttpContext().Items[UserItem] is DashboardUser { ReadOnly: true };

    private static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static (string UserName, string Password)? ReadCredentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) ||
            !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        return colon <= 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
    }

    private static void Challenge(HttpContext http) =>
        http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";

    // Hangfire answers a refusal with 401 itself, after this filter; the status is turned into 403 just before
    // the response starts, for refusals that no credentials could mend.
    private static void Forbid(HttpContext http) =>
        http.Response.OnStarting(() =>
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        });

    private string RememberKey(DashboardUser user, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_rememberKey, Encoding.UTF8.GetBytes($"{user.UserName}\0{password}\0{user.PasswordHash}")));

    private bool IsRemembered(DashboardUser user, string password) =>
        _remembered.TryGetValue(RememberKey(user, password), out var until) && until > time.GetUtcNow().UtcDateTime;

    private void Remember(DashboardUser user, string password)
    {
        if (_remembered.Count >= MaxRemembered)
        {
            _remembered.Clear();
        }
        _remembered[RememberKey(user, password)] = time.GetUtcNow().UtcDateTime + RememberFor;
    }
}
