using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Rigs;

/// <summary>
/// Who may act on the dashboard: bearer tokens (kept as SHA-256 hashes in the rig, or given in clear through an environment
/// variable) and users with PBKDF2-SHA256 password hashes (in the rig, or through an environment variable). There is no
/// default user and no default password: without credentials nobody can acknowledge.
/// </summary>
internal sealed class OperatorCredentials
{
    /// <summary>Iterations of new password hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).</summary>
    public const int Iterations = 600_000;

    private readonly Dictionary<string, string> _tokenHashes; // hex sha256 → operator
    private readonly Dictionary<string, string> _passwordHashes; // user → hash

    private OperatorCredentials(Dictionary<string, string> tokenHashes, Dictionary<string, string> passwordHashes)
    {
        _tokenHashes = tokenHashes;
        _passwordHashes = passwordHashes;
    }

    /// <summary>No credentials: reads may be open on loopback, but nobody can acknowledge.</summary>
    public static OperatorCredentials None { get; } = new(new(StringComparer.Ordinal), new(StringComparer.Ordinal));

    /// <summary>True when at least one token or user is configured.</summary>
    public bool Any => _tokenHashes.Count > 0 || _passwordHashes.Count > 0;

    /// <summary>Operators known (token holders and users), for start-up messages; never a secret.</summary>
    public IReadOnlyList<string> OperatorNames => _tokenHashes.Values.Concat(_passwordHashes.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Build from the rig's entries and environment variables.</summary>
    /// <param name="tokenHashes">Operator → <c>sha256:HEX</c> of the token.</param>
    /// <param name="users">User → password hash.</param>
    /// <param name="tokensVariable">A variable holding <c>operator=TOKEN</c> pairs separated by <c>;</c> or new lines.</param>
    /// <param name="usersVariable">A variable holding <c>user=HASH</c> pairs likewise.</param>
    /// <param name="environment">Reads a variable.</param>
    /// <param name="problems">Receives what is wrong (never the secret itself).</param>
    public static OperatorCredentials Create(IEnumerable<(string Operator, string TokenHash)> tokenHashes, IEnumerable<(string User, string PasswordHash)> users,
        string? tokensVariable, string? usersVariable, Func<string, string?> environment, List<string> problems)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (op, hash) in tokenHashes)
        {
            var hex = hash.StartsWith("sha256:", StringComparison.Ordinal) ? hash[7..].ToLowerInvariant() : null;
            if (hex is null || hex.Length != 64 || !hex.All(Uri.IsHexDigit)) { problems.Add($"token of '{op}': expected sha256:<64 hex digits> (gateway operator new-token prints one)"); continue; }
            tokens[hex] = op;
        }
        foreach (var (user, hash) in users)
        {
            if (!PasswordHash.TryParse(hash, out _)) { problems.Add($"user '{user}': the password hash is not {PasswordHash.Scheme}$ITERATIONS$SALT$HASH (gateway operator hash-password prints one)"); continue; }
            passwords[user] = hash;
        }
        if (tokensVariable is not null)
        {
            var text = environment(tokensVariable);
            if (string.IsNullOrWhiteSpace(text)) problems.Add($"the operator tokens variable ${tokensVariable} is not set");
            else foreach (var (op, token) in Pairs(text, tokensVariable, problems))
            {
                if (token.Length < 16) { problems.Add($"${tokensVariable}: the token of '{op}' is shorter than 16 characters"); continue; }
                tokens[Sha256Hex(token)] = op;
            }
        }
        if (usersVariable is not null)
        {
            var text = environment(usersVariable);
            if (string.IsNullOrWhiteSpace(text)) problems.Add($"the operator users variable ${usersVariable} is not set");
            else foreach (var (user, hash) in Pairs(text, usersVariable, problems))
            {
                if (!PasswordHash.TryParse(hash, out _)) { problems.Add($"${usersVariable}: the password hash of '{user}' is not {PasswordHash.Scheme}$ITERATIONS$SALT$HASH"); continue; }
                passwords[user] = hash;
            }
        }
        return new OperatorCredentials(tokens, passwords);
    }

    /// <summary>The operator an <c>Authorization</c> header proves (<c>Bearer TOKEN</c> or <c>Basic</c> user:password), or null.</summary>
    public string? Authenticate(string? authorization)
    {
        if (string.IsNullOrEmpty(authorization)) return null;
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[7..].Trim();
            return token.Length == 0 ? null : _tokenHashes.GetValueOrDefault(Sha256Hex(token));
        }
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            }
            catch (FormatException)
            {
                return null;
            }
            var colon = decoded.IndexOf(':');
            if (colon <= 0) return null;
            var user = decoded[..colon];
            return _passwordHashes.TryGetValue(user, out var hash) && PasswordHash.Verify(decoded[(colon + 1)..], hash) ? user : null;
        }
        return null;
    }

    /// <summary>A new PBKDF2-SHA256 hash of <paramref name="password"/> with a random salt, at <see cref="Iterations"/>.</summary>
    public static string HashPassword(string password, int iterations = Iterations) => PasswordHash.Create(password, iterations);

    /// <summary>A new random bearer token (URL-safe, 32 bytes of entropy).</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>What the rig keeps of a token: <c>sha256:HEX</c>.</summary>
    public static string TokenHash(string token) => "sha256:" + Sha256Hex(token);

    private static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static IEnumerable<(string Name, string Secret)> Pairs(string text, string variable, List<string> problems)
    {
        foreach (var raw in text.Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=');
            if (eq <= 0 || eq == raw.Length - 1) { problems.Add($"${variable}: an entry is not NAME=SECRET"); continue; }
            yield return (raw[..eq], raw[(eq + 1)..]);
        }
    }
}
