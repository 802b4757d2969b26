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
            GraphAuthentication.Certificate => new ClientCertificateCredential(options.TenantId, options.ClientId,
                LoadCertificate(options.CertificatePath, options.CertificatePassword, options.CertificateThumbprint, GraphOptions.Section)),
            GraphAuthentication.ManagedIdentity => new ManagedIdentityCredential(string.IsNullOrWhiteSpace(options.ClientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(options.ClientId.Trim())),
            _ => throw new InvalidOperationException($"GraphOptions:Authentication {options.Authentication} is not supported"),
        };
    }

    /// <summary>
    /// An app registration's certificate with its private key: from a PFX/PKCS#12 file (with its password) or a PEM
    /// file, else by thumbprint from the CurrentUser or LocalMachine "My" store. Shared by every service principal
    /// sign-in (Graph, Power BI), each naming its own settings in <paramref name="section"/>.
    /// </summary>
    public static X509Certificate2 LoadCertificate(string? path, string? password, string? thumbprint, string section)
    {
        if (!string.IsNullOrWhiteSpace(path))
        {
            path = path.Trim();
            return Path.GetExtension(path).Equals(".pem", StringComparison.OrdinalIgnoreCase)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        if (string.IsNullOrWhiteSpace(thumbprint))
        {
            throw new InvalidOperationException($"{section}:CertificatePath or {section}:CertificateThumbprint is required for a certificate");
        }
        thumbprint = thumbprint.Replace(" ", string.Empty, StringComparison.Ordinal).Trim();
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
            $"{section}:CertificateThumbprint {thumbprint} names no certificate with a private key in the CurrentUser or LocalMachine \"My\" store");
    }
}
