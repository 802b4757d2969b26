using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NackaInsights.Etl.Service.Dashboard;

/// <summary>
/// The dashboard users' password hashes: PBKDF2 with HMAC-SHA256, a random salt per hash, written as
/// <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt, base64&gt;$&lt;hash, base64&gt;</c>, e.g.
/// <c>pbkdf2-sha256$600000$3q2+7w...==$c2VjcmV0...=</c>. <c>nacka-insights hash-password</c> makes one.
/// </summary>
public static class PasswordHasher
{
    public const string Scheme = "pbkdf2-sha256";

    public const string Format = Scheme + "$<iterations>$<salt-base64>$<hash-base64>";

    /// <summary>OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023).</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Fewer iterations than this are refused: such a hash is too cheap to guess against.</summary>
    public const int MinIterations = 100_000;

    public const int MaxIterations = 10_000_000;

    public const int SaltBytes = 16;

    public const int HashBytes = 32;

    /// <summary>A new hash of <paramref name="password"/> with a fresh random salt.</summary>
    public static string Hash(string password, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Whether <paramref name="encoded"/> is a hash in <see cref="Format"/>; <paramref name="problem"/> says why not.</summary>
    public static bool IsWellFormed(string? encoded, out string problem) => TryParse(encoded, out _, out problem);

    /// <summary>
    /// Whether <paramref name="password"/> is the one <paramref name="encoded"/> was made from, compared in
    /// constant time. A malformed hash verifies nothing.
    /// </summary>
    public static bool Verify(string password, string? encoded)
    {
        if (!TryParse(encoded, out var parsed, out _))
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), parsed.Salt, parsed.Iterations, HashAlgorithmName.SHA256, parsed.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }

    /// <summary>Spends the time of one verification, so that an unknown user name is not told apart by how fast it is refused.</summary>
    internal static void VerifyNothing(string password) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), new byte[SaltBytes], DefaultIterations, HashAlgorithmName.SHA256, HashBytes);

    private readonly record struct Parsed(int Iterations, byte[] Salt, byte[] Hash);

    private static bool TryParse(string? encoded, out Parsed parsed, out string problem)
    {
        parsed = default;
        if (string.IsNullOrWhiteSpace(encoded))
        {
            problem = "is empty";
            return false;
        }
        var parts = encoded.Trim().Split('$');
        if (parts.Length != 4 || parts[0] != Scheme)
        {
            problem = $"is not in the format {Format}";
            return false;
        }
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < MinIterations || iterations > MaxIterations)
        {
            problem = $"has '{parts[1]}' iterations; use {MinIterations:N0} to {MaxIterations:N0} (nacka-insights hash-password uses {DefaultIterations:N0})";
            return false;
        }
        var salt = FromBase64(parts[2]);
        if (salt is null || salt.Length < SaltBytes)
        {
            problem = $"has a salt that is not base64 of at least {SaltBytes} bytes";
            return false;
        }
        var hash = FromBase64(parts[3]);
        if (hash is null || hash.Length != HashBytes)
        {
            problem = $"has a hash that is not base64 of {HashBytes} bytes";
            return false;
        }
        parsed = new Parsed(iterations, salt, hash);
        problem = string.Empty;
        return true;
    }

    private static byte[]? FromBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
