using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Rigs;

/// <summary>
/// A password as the rig stores it: <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> (salt and hash in base64), never the password
/// itself — an OCPP station's Basic-auth password (<c>gateway ocpp-password</c> makes one) and a dashboard user's
/// (<c>gateway operator hash-password</c>).
/// </summary>
internal static class PasswordHash
{
    /// <summary>The scheme a hash starts with.</summary>
    public const string Scheme = "pbkdf2-sha256";

    private const int DefaultIterations = 100_000;

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>Whether <paramref name="text"/> is a hash this class can check; else why not.</summary>
    public static bool TryParse(string text, out string? problem)
    {
        problem = Parse(text, out _, out _, out _);
        return problem is null;
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="stored"/> (constant time; false for a malformed hash).</summary>
    public static bool Verify(string password, string stored)
    {
        if (Parse(stored, out var iterations, out var salt, out var hash) is not null) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, hash);
    }

    private static string? Parse(string text, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = text.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme) return $"a password hash looks like {Scheme}$ITERATIONS$SALT$HASH";
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations is < 10_000 or > 10_000_000)
            return "the hash's iteration count must be 10000–10000000";
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return "the hash's salt or hash is not base64";
        }
        return salt.Length >= 8 && hash.Length >= 16 ? null : "the hash's salt or hash is too short";
    }
}
