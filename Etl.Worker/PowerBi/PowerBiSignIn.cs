using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using NackaInsights.Etl.SharePoint;

namespace NackaInsights.Etl.PowerBi;

/// <summary>
/// The HTTP transport of everything the worker says to the Power BI service and to Microsoft Entra ID for it: the
/// system's by default; tests give a handler that trusts their local https fake.
/// </summary>
public sealed class PowerBiTransport(Func<HttpMessageHandler>? createHandler = null)
{
    /// <summary>A new handler; the HTTP client made over it owns it.</summary>
    public HttpMessageHandler CreateHandler() => createHandler?.Invoke() ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
}

/// <summary>The service principal sign-in of <see cref="PowerBiOptions"/>, shared by the refresh and (later) the deploy.</summary>
public static class PowerBiSignIn
{
    /// <summary>An Azure.Identity credential for the app registration: its client secret, or its certificate.</summary>
    /// <exception cref="InvalidOperationException">The settings are not usable; the message names the setting.</exception>
    public static TokenCredential Create(PowerBiOptions options, PowerBiTransport transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }
        return CreateCredential(options, transport);
    }

    /// <summary>The same credential for <c>powerbi deploy</c>, checked by <see cref="PowerBiOptions.ValidateForDeploy"/>.</summary>
    /// <exception cref="InvalidOperationException">The settings are not usable; the message names the setting.</exception>
    public static TokenCredential CreateForDeploy(PowerBiOptions options, PowerBiTransport transport)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.ValidateForDeploy();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }
        return CreateCredential(options, transport);
    }

    private static TokenCredential CreateCredential(PowerBiOptions options, PowerBiTransport transport)
    {
        var http = new HttpClient(transport.CreateHandler());
        if (options.UsesCertificate)
        {
            var certificate = GraphCredentials.LoadCertificate(
                options.CertificatePath, options.CertificatePassword, options.CertificateThumbprint, PowerBiOptions.Section);
            return new ClientCertificateCredential(options.TenantId, options.ClientId, certificate, Configure(new ClientCertificateCredentialOptions(), options, http));
        }
        return new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret, Configure(new ClientSecretCredentialOptions(), options, http));
    }

    private static T Configure<T>(T credential, PowerBiOptions options, HttpClient http)
        where T : TokenCredentialOptions
    {
        credential.AuthorityHost = new Uri(options.AuthorityHost.Trim());
        credential.Transport = new HttpClientTransport(http);
        // Another cloud or a local fake is not among the hosts Entra's instance discovery knows: take the authority as given.
        if (credential is ClientSecretCredentialOptions secret)
        {
            secret.DisableInstanceDiscovery = !IsPublicCloud(options);
        }
        else if (credential is ClientCertificateCredentialOptions certificate)
        {
            certificate.DisableInstanceDiscovery = !IsPublicCloud(options);
        }
        return credential;
    }

    private static bool IsPublicCloud(PowerBiOptions options) =>
        new Uri(options.AuthorityHost.Trim()).Host.Equals(new Uri(PowerBiOptions.DefaultAuthorityHost).Host, StringComparison.OrdinalIgnoreCase);
}
