namespace NackaInsights.Etl.PowerBi;

/// <summary>
/// The service principal the worker signs in as to the Power BI service, and the semantic models it refreshes after a
/// run that published. Bound from the section <c>PowerBiOptions</c>; off by default. The sign-in settings (tenant,
/// client, secret or certificate, authority) are also those of the later <c>powerbi deploy</c> (Fabric REST API).
/// </summary>
public sealed class PowerBiOptions
{
    public const string Section = "PowerBiOptions";

    public const string DefaultApiBaseUrl = "https://api.powerbi.com/v1.0/myorg";

    public const string DefaultFabricBaseUrl = "https://api.fabric.microsoft.com/v1";

    /// <summary>Microsoft Entra ID of the public cloud (Azure.Identity's AzureAuthorityHosts.AzurePublicCloud).</summary>
    public const string DefaultAuthorityHost = "https://login.microsoftonline.com/";

    /// <summary>The Power BI REST API's resource; <c>.default</c> asks for the app's granted permissions.</summary>
    public const string PowerBiScope = "https://analysis.windows.net/powerbi/api/.default";

    /// <summary>Whether the Power BI service is refreshed after a run that published.</summary>
    public bool Enabled { get; set; }

    public string? TenantId { get; set; }

    /// <summary>The Entra app registration's client (application) id.</summary>
    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>A PFX/PKCS#12 file (with <see cref="CertificatePassword"/> if it has one) or a PEM file holding certificate and key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>A certificate with its private key in the CurrentUser or LocalMachine "My" store, by thumbprint.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>Microsoft Entra ID's host: another cloud's (e.g. https://login.microsoftonline.us/), or a local fake in tests.</summary>
    public string AuthorityHost { get; set; } = DefaultAuthorityHost;

    /// <summary>The Power BI REST API with its version and <c>myorg</c>; another cloud's, or a local fake in tests.</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>The Fabric REST API, for <c>powerbi deploy</c> (not used by the refresh).</summary>
    public string FabricBaseUrl { get; set; } = DefaultFabricBaseUrl;

    /// <summary>The semantic models to refresh, each in its workspace.</summary>
    public List<PowerBiSemanticModel> SemanticModels { get; set; } = [];

    /// <summary>How long to wait between two looks at a running refresh.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one semantic model's refresh may take, from its request to its end, before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often a throttled request (429) is sent again after waiting out its <c>Retry-After</c>.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>
    /// The enhanced refresh's own <c>retryCount</c>: how often the service retries a failed refresh before it reports
    /// it failed (https://learn.microsoft.com/power-bi/connect-data/asynchronous-refresh, "Parameters").
    /// </summary>
    public int ServiceRetryCount { get; set; } = 1;

    /// <summary>Which credential the settings give: a certificate when a certificate setting is given, else the client secret.</summary>
    public bool UsesCertificate => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(CertificateThumbprint);

    /// <summary>The Fabric REST API's resource, for <c>powerbi deploy</c>.</summary>
    public const string FabricScope = "https://api.fabric.microsoft.com/.default";

    /// <summary>The API base URL without a trailing slash.</summary>
    internal string NormalizedApiBaseUrl => ApiBaseUrl.Trim().TrimEnd('/');

    /// <summary>Every problem of these settings, each naming its setting; empty when usable or when off.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enabled)
        {
            return problems;
        }
        ValidateSignIn(problems, "when Enabled is true");
        RequireHttps(problems, nameof(ApiBaseUrl), ApiBaseUrl);
        RequireHttps(problems, nameof(FabricBaseUrl), FabricBaseUrl);
        if (SemanticModels.Count == 0)
        {
            problems.Add($"{Section}:SemanticModels must name at least one semantic model (WorkspaceId and SemanticModelId)");
        }
        for (var i = 0; i < SemanticModels.Count; i++)
        {
            if (!Guid.TryParse(SemanticModels[i].WorkspaceId, out _))
            {
                problems.Add($"{Section}:SemanticModels:{i}:WorkspaceId must be the workspace's id (a GUID), not \"{SemanticModels[i].WorkspaceId}\"");
            }
            if (!Guid.TryParse(SemanticModels[i].SemanticModelId, out _))
            {
                problems.Add($"{Section}:SemanticModels:{i}:SemanticModelId must be the semantic model's id (a GUID), not \"{SemanticModels[i].SemanticModelId}\"");
            }
        }
        if (Timeout <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:Timeout must be positive, e.g. 02:00:00");
        }
        if (ServiceRetryCount is < 0 or > 10)
        {
            problems.Add($"{Section}:ServiceRetryCount must be between 0 and 10");
        }
        return problems;
    }

    /// <summary>
    /// Every problem of the settings <c>powerbi deploy</c> needs: the sign-in (tenant, client, one credential, the
    /// authority) and the Fabric REST API. Unlike <see cref="Validate"/> it needs neither <see cref="Enabled"/> (that
    /// switches the refresh after a run) nor <see cref="SemanticModels"/>; each problem names its setting.
    /// </summary>
    public IReadOnlyList<string> ValidateForDeploy()
    {
        var problems = new List<string>();
        ValidateSignIn(problems, "to deploy");
        RequireHttps(problems, nameof(FabricBaseUrl), FabricBaseUrl);
        return problems;
    }

    /// <summary>What both the refresh and the deploy need: who signs in, with which one credential, where, and how patiently.</summary>
    private void ValidateSignIn(List<string> problems, string requiredWhen)
    {
        foreach (var (name, value) in new[] { (nameof(TenantId), TenantId), (nameof(ClientId), ClientId) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add($"{Section}:{name} is required {requiredWhen}");
            }
        }
        var secret = !string.IsNullOrWhiteSpace(ClientSecret);
        var path = !string.IsNullOrWhiteSpace(CertificatePath);
        var thumbprint = !string.IsNullOrWhiteSpace(CertificateThumbprint);
        if ((secret ? 1 : 0) + (path ? 1 : 0) + (thumbprint ? 1 : 0) != 1)
        {
            problems.Add($"{Section}: exactly one of ClientSecret, CertificatePath and CertificateThumbprint is required {requiredWhen}");
        }
        else if (path && !File.Exists(CertificatePath))
        {
            problems.Add($"{Section}:CertificatePath names a file that does not exist: {CertificatePath}");
        }
        // Azure.Identity accepts only an https authority; the APIs get a bearer token, which must not travel in clear.
        RequireHttps(problems, nameof(AuthorityHost), AuthorityHost);
        if (PollInterval <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:PollInterval must be positive, e.g. 00:00:30");
        }
        if (MaxRetries is < 0 or > 20)
        {
            problems.Add($"{Section}:MaxRetries must be between 0 and 20");
        }
    }

    private static void RequireHttps(List<string> problems, string name, string? value)
    {
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"{Section}:{name} must be an absolute https URL, not \"{value}\"");
        }
    }
}

/// <summary>One semantic model (dataset) in its workspace (group), by their ids as the Power BI service shows them.</summary>
public sealed class PowerBiSemanticModel
{
    public string WorkspaceId { get; set; } = string.Empty;

    public string SemanticModelId { get; set; } = string.Empty;

    public override string ToString() => $"semantic model {SemanticModelId} in workspace {WorkspaceId}";
}
