using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;

namespace NackaInsights.Etl.SharePoint;

/// <summary>Makes the Azure.Identity credential that <see cref="GraphOptions.Authentication"/> asks for.</summary>
public static class GraphCredentials
{
    /// <exception cref="InvalidOperationException">The settings are not usable; the message names the setting.</exception>
    public static TokenCredential Create(GraphOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }
        return options.Authentication switch
        {
            GraphAuthentication.ClientSecret => new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret),
            GraphAuthentication.Certificate => new ClientCertificateCredential(options.TenantId, options.ClientId, LoadCertificate(options)),
            GraphAuthentication.ManagedIdentity => new ManagedIdentityCredential(string.IsNullOrWhiteSpace(options.ClientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(options.ClientId.Trim())),
            _ => throw new InvalidOperationException($"GraphOptions:Authentication {options.Authentication} is not supported"),
        };
    }

    private static X509Certificate2 LoadCertificate(GraphOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            var path = options.CertificatePath.Trim();
            return Path.GetExtension(path).Equals(".pem", StringComparison.OrdinalIgnoreCase)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        }
        var thumbprint = options.CertificateThumbprint!.Replace(" ", string.Empty, StringComparison.Ordinal).Trim();
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                // A store that does not exist here (LocalMachine on Linux) holds no certificate.
                continue;
            }
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
            var withKey = found.FirstOrDefault(c => c.HasPrivateKey);
            if (withKey is not null)
            {
                return withKey;
            }
        }
        throw new InvalidOperationException(
            $"GraphOptions:CertificateThumbprint {thumbprint} names no certificate with a private key in the CurrentUser or LocalMachine \"My\" store");
    }
}
