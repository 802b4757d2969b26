using System.ComponentModel.DataAnnotations;

namespace NackaInsights.Etl.SharePoint;

/// <summary>How the worker signs in to Microsoft Entra ID for Microsoft Graph.</summary>
public enum GraphAuthentication
{
    /// <summary>An app registration's client secret: <c>TenantId</c>, <c>ClientId</c>, <c>ClientSecret</c>.</summary>
    ClientSecret,

    /// <summary>An app registration's certificate: <c>TenantId</c>, <c>ClientId</c>, and a file or a store thumbprint.</summary>
    Certificate,

    /// <summary>The host's managed identity: system-assigned, or user-assigned when <c>ClientId</c> is set.</summary>
    ManagedIdentity,
}

/// <summary>
/// The tenant, site and lists the Graph list reader reads. Bound from the configuration section
/// <c>GraphOptions</c>; <see cref="Validate"/> names every wrong setting at once.
/// </summary>
public sealed class GraphOptions
{
    public const string Section = "GraphOptions";

    public const string DefaultBaseUrl = "https://graph.microsoft.com/v1.0";

    /// <summary>Whether a tenant is configured. When false the lists are read from the source folder's offline files.</summary>
    public bool Enabled { get; set; }

    /// <summary>The Graph endpoint with its version; another cloud's endpoint, or a local fake in tests.</summary>
    [Required(ErrorMessage = "GraphOptions:BaseUrl is required")]
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    public string? TenantId { get; set; }

    /// <summary>The app registration's client id; with a managed identity, the client id of a user-assigned one.</summary>
    public string? ClientId { get; set; }

    public GraphAuthentication Authentication { get; set; } = GraphAuthentication.ClientSecret;

    public string? ClientSecret { get; set; }

    /// <summary>A PFX/PKCS#12 file (with <see cref="CertificatePassword"/> if it has one) or a PEM file holding certificate and key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>A certificate with its private key in the CurrentUser or LocalMachine "My" store, by thumbprint.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>The site's Graph id (<c>hostname,site-guid,web-guid</c>); or leave it empty and give hostname and path.</summary>
    public string? SiteId { get; set; }

    /// <summary>The SharePoint host, e.g. <c>nacka.sharepoint.com</c>.</summary>
    public string? SiteHostname { get; set; }

    /// <summary>The site's server-relative path, e.g. <c>/sites/digitalisering</c>.</summary>
    public string? SitePath { get; set; }

    /// <summary>
    /// Each of our lists (<see cref="ListNames"/>) as the site has it: the SharePoint list's title or id, and its own columns and
    /// choice values (<see cref="GraphListOptions"/>). A list not named is the list of its own name, with the contract's
    /// columns and values. The mapping applies to the offline files as well, so it is checked with no tenant enabled too.
    /// </summary>
    public Dictionary<string, GraphListOptions> Lists { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The document library business case workbooks are uploaded to, and their result workbooks written
    /// back to. Defaults to the library <c>Nyttokalkyler</c>, all of it; an empty <c>Library</c> turns this source off.
    /// </summary>
    public GraphLibraryOptions BusinessCaseLibrary { get; set; } = new() { Library = DefaultBusinessCaseLibrary };

    /// <summary>
    /// The document library actuals workbooks (nyttouppföljning) are uploaded to, and their result workbooks
    /// written back to. Defaults to the library <c>Nyttouppföljning</c>, all of it; an empty <c>Library</c> turns this source off.
    /// </summary>
    public GraphLibraryOptions ActualsLibrary { get; set; } = new() { Library = DefaultActualsLibrary };

    /// <summary>
    /// The document library the maturity survey exports (<c>.csv</c> or <c>.xlsx</c>) are uploaded to. Off by
    /// default (no library named): the survey is commonly exported by hand a few times a year.
    /// </summary>
    public GraphLibraryOptions SurveyLibrary { get; set; } = new();

    public const string DefaultBusinessCaseLibrary = "Nyttokalkyler";

    public const string DefaultActualsLibrary = "Nyttouppföljning";

    /// <summary>How often a throttled request (429, 503, 504) is retried after waiting out its <c>Retry-After</c>. Graph's retry handler allows at most 10.</summary>
    [Range(0, 10, ErrorMessage = "GraphOptions:MaxRetries must be between 0 and 10")]
    public int MaxRetries { get; set; } = 5;

    /// <summary>The SharePoint list (title or id) that one of our lists is read from.</summary>
    public string SharePointList(string listName) =>
        Lists.TryGetValue(listName, out var list) && !string.IsNullOrWhiteSpace(list?.List) ? list.List.Trim() : listName;

    /// <summary>One of our lists as the site has it: configured, or the contract's own.</summary>
    public GraphListOptions ListOptions(string listName) =>
        Lists.TryGetValue(listName, out var list) && list is not null ? list : new GraphListOptions();

    /// <summary>The library settings for uploads of <paramref name="kind"/> (<see cref="Warehouse.Loading.SourceKind"/>), with their setting name.</summary>
    /// <exception cref="ArgumentException">Not a kind that is uploaded to a library.</exception>
    public (string Setting, GraphLibraryOptions Library) LibraryFor(string kind) => kind switch
    {
        Warehouse.Loading.SourceKind.BusinessCase => ($"{Section}:{nameof(BusinessCaseLibrary)}", BusinessCaseLibrary),
        Warehouse.Loading.SourceKind.Actuals => ($"{Section}:{nameof(ActualsLibrary)}", ActualsLibrary),
        Warehouse.Loading.SourceKind.Index => ($"{Section}:{nameof(SurveyLibrary)}", SurveyLibrary),
        _ => throw new ArgumentException($"No document library holds uploads of the kind \"{kind}\"", nameof(kind)),
    };

    /// <summary>
    /// Every problem of these settings, each naming its setting, for an operator to fix; empty when they
    /// are usable. With no tenant configured (<see cref="Enabled"/> false) only the lists' mapping is checked: it applies
    /// to the offline files too.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var (name, list) in Lists)
        {
            if (!ListNames.All.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"GraphOptions:Lists:{name} is not one of the lists read ({string.Join(", ", ListNames.All)})");
            }
            else if (list is not null)
            {
                problems.AddRange(list.Validate(ListNames.All.First(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))));
            }
        }
        if (!Enabled)
        {
            return problems;
        }
        var annotations = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), annotations, validateAllProperties: true);
        problems.AddRange(annotations.Select(r => r.ErrorMessage ?? string.Join(", ", r.MemberNames)));

        if (!string.IsNullOrWhiteSpace(BaseUrl))
        {
            if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp))
            {
                problems.Add($"GraphOptions:BaseUrl must be an absolute https URL such as {DefaultBaseUrl}, not \"{BaseUrl}\"");
            }
            else if (baseUri.Scheme == Uri.UriSchemeHttp && !PlainHttpHosts.Contains(baseUri.Host))
            {
                problems.Add($"GraphOptions:BaseUrl must use https (plain http is only for a local test server), not \"{BaseUrl}\"");
            }
        }

        if (!Enum.IsDefined(Authentication))
        {
            problems.Add($"GraphOptions:Authentication must be ClientSecret, Certificate or ManagedIdentity, not \"{Authentication}\"");
        }
        if (Authentication is GraphAuthentication.ClientSecret or GraphAuthentication.Certificate)
        {
            RequireSetting(problems, nameof(TenantId), TenantId);
            RequireSetting(problems, nameof(ClientId), ClientId);
        }
        if (Authentication == GraphAuthentication.ClientSecret)
        {
            RequireSetting(problems, nameof(ClientSecret), ClientSecret);
        }
        if (Authentication == GraphAuthentication.Certificate)
        {
            var hasPath = !string.IsNullOrWhiteSpace(CertificatePath);
            var hasThumbprint = !string.IsNullOrWhiteSpace(CertificateThumbprint);
            if (hasPath == hasThumbprint)
            {
                problems.Add("GraphOptions:CertificatePath or GraphOptions:CertificateThumbprint (one of them) is required when Authentication is Certificate");
            }
            else if (hasPath && !File.Exists(CertificatePath))
            {
                problems.Add($"GraphOptions:CertificatePath names a file that does not exist: {CertificatePath}");
            }
        }

        var hasSiteId = !string.IsNullOrWhiteSpace(SiteId);
        var hasHostname = !string.IsNullOrWhiteSpace(SiteHostname);
        var hasPathOfSite = !string.IsNullOrWhiteSpace(SitePath);
        if (hasSiteId && (hasHostname || hasPathOfSite))
        {
            problems.Add("GraphOptions:SiteId and GraphOptions:SiteHostname/SitePath name the site twice; give one or the other");
        }
        else if (!hasSiteId && !(hasHostname && hasPathOfSite))
        {
            problems.Add("GraphOptions:SiteId, or GraphOptions:SiteHostname together with GraphOptions:SitePath, is required to name the SharePoint site");
        }
        if (hasHostname && Uri.CheckHostName(SiteHostname!.Trim()) == UriHostNameType.Unknown)
        {
            problems.Add($"GraphOptions:SiteHostname must be a host name such as nacka.sharepoint.com, not \"{SiteHostname}\"");
        }

        foreach (var (name, list) in Lists)
        {
            if (ListNames.All.Contains(name, StringComparer.OrdinalIgnoreCase) && list?.List is { } title && string.IsNullOrWhiteSpace(title))
            {
                problems.Add($"GraphOptions:Lists:{name}:List must name the SharePoint list (its title or id), or be left out for the list named {name}");
            }
        }
        var libraries = new (string Name, GraphLibraryOptions? Library)[]
        {
            (nameof(BusinessCaseLibrary), BusinessCaseLibrary), (nameof(ActualsLibrary), ActualsLibrary), (nameof(SurveyLibrary), SurveyLibrary),
        };
        foreach (var (name, library) in libraries)
        {
            ValidateLibrary(problems, name, library);
        }
        for (var i = 0; i < libraries.Length; i++)
        {
            for (var j = i + 1; j < libraries.Length; j++)
            {
                if (libraries[i].Library is { IsEnabled: true } b && libraries[j].Library is { IsEnabled: true } a
                    && b.Library.Trim().Equals(a.Library.Trim(), StringComparison.OrdinalIgnoreCase)
                    && GraphLibraryOptions.IsValidFolder(b.Folder) && GraphLibraryOptions.IsValidFolder(a.Folder)
                    && (GraphLibraryOptions.Contains(b.NormalizedFolder, a.NormalizedFolder) || GraphLibraryOptions.Contains(a.NormalizedFolder, b.NormalizedFolder)))
                {
                    problems.Add(
                        $"GraphOptions:{libraries[i].Name} and GraphOptions:{libraries[j].Name} share the folder \"{a.Library.Trim()}/{(a.NormalizedFolder.Length <= b.NormalizedFolder.Length ? a.NormalizedFolder : b.NormalizedFolder)}\"; " +
                        "each kind of file needs a folder of its own, or one would be read as the other");
                }
            }
        }
        return problems;
    }

    private static void ValidateLibrary(List<string> problems, string name, GraphLibraryOptions? library)
    {
        if (library is null || !library.IsEnabled)
        {
            return;
        }
        if (library.Library.IndexOfAny(['/', '\\']) >= 0 || library.Library.Any(char.IsControl))
        {
            problems.Add($"GraphOptions:{name}:Library must be the library's name as SharePoint shows it, or its drive id, not a path: \"{library.Library}\"");
        }
        if (!GraphLibraryOptions.IsValidFolder(library.Folder))
        {
            problems.Add($"GraphOptions:{name}:Folder must be a folder path inside the library such as \"Inkommande/2024\", each folder a plain name without \"..\", not \"{library.Folder}\"");
        }
    }

    // The only hosts Graph's authentication provider sends a token to over plain http (Kiota's
    // AzureIdentityAccessTokenProvider); any other http URL fails at the first request.
    private static readonly HashSet<string> PlainHttpHosts = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };

    /// <summary>The base URL without a trailing slash, as Graph's request adapter wants it.</summary>
    internal string NormalizedBaseUrl => BaseUrl.Trim().TrimEnd('/');

    /// <summary>The site path with exactly one leading slash.</summary>
    internal string NormalizedSitePath => "/" + (SitePath ?? string.Empty).Trim().Trim('/');

    private void RequireSetting(List<string> problems, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"GraphOptions:{name} is required when Authentication is {Authentication}");
        }
    }
}

/// <summary>
/// A SharePoint document library that workbooks are uploaded to: bound from <c>GraphOptions:BusinessCaseLibrary</c>
/// or <c>GraphOptions:ActualsLibrary</c>.
/// </summary>
public sealed class GraphLibraryOptions
{
    /// <summary>The library's name as SharePoint shows it (matched case-insensitively), or its Graph drive id; empty turns the source off.</summary>
    public string Library { get; set; } = string.Empty;

    /// <summary>A folder inside the library, e.g. <c>Inkommande/2024</c>; only it and its subfolders are read. Empty: the whole library.</summary>
    public string? Folder { get; set; }

    /// <summary>Whether this source is on: a library is named.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Library);

    /// <summary>The folder with '/' between its parts and none at either end; empty for the whole library.</summary>
    public string NormalizedFolder => string.Join('/', Parts(Folder));

    internal static bool IsValidFolder(string? folder) =>
        Parts(folder).All(Pipeline.Upload.IsSafeFileName)
        && (string.IsNullOrWhiteSpace(folder) || !folder.Trim().Trim('/').Split('/').Any(p => p.Trim().Length == 0));

    /// <summary>Whether <paramref name="inner"/> is <paramref name="outer"/> or a folder below it (SharePoint folder names ignore case).</summary>
    internal static bool Contains(string outer, string inner) =>
        outer.Length == 0
        || inner.Equals(outer, StringComparison.OrdinalIgnoreCase)
        || inner.StartsWith(outer + "/", StringComparison.OrdinalIgnoreCase);

    private static string[] Parts(string? folder) =>
        string.IsNullOrWhiteSpace(folder) ? [] : folder.Trim().Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
