using System.Security.Cryptography;

namespace Gateway.Drivers.Mqtt;

/// <summary>
/// How to authenticate to a broker and protect the connection: TLS with a CA, a client certificate and its key, and a
/// user name with a password taken from an environment variable or a file (never from a log line, never printed).
/// Rigs name files and variables; <see cref="Apply"/> reads them when the connection is built.
/// </summary>
public sealed record MqttBrokerSecurity
{
    /// <summary>Speak TLS (also implied by <see cref="CaFile"/> or a client certificate).</summary>
    public bool Tls { get; init; }

    /// <summary>PEM file with the CA(s) trusted for the broker's certificate; null: the system store.</summary>
    public string? CaFile { get; init; }

    /// <summary>PEM client certificate, for brokers that require one (with <see cref="ClientKeyFile"/>).</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>PEM private key of the client certificate.</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary>Name expected in the broker's certificate (default: the host).</summary>
    public string? ServerName { get; init; }

    /// <summary>User name.</summary>
    public string? UserName { get; init; }

    /// <summary>Environment variable holding the password.</summary>
    public string? PasswordEnvironmentVariable { get; init; }

    /// <summary>File holding the password (its first line; the file should be readable by the service account only).</summary>
    public string? PasswordFile { get; init; }

    /// <summary>A password given inline (from an address <c>mqtt://user:password@host</c>); discouraged, never printed.</summary>
    public string? Password { get; init; }

    /// <summary>True when TLS is to be used.</summary>
    public bool UsesTls => Tls || CaFile is not null || ClientCertificateFile is not null;

    /// <summary>What the connection uses, for logs: never a password, only where it comes from.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (UsesTls) parts.Add(CaFile is null ? "TLS (system CAs)" : $"TLS (CA {Path.GetFileName(CaFile)})");
        if (ClientCertificateFile is not null) parts.Add($"client certificate {Path.GetFileName(ClientCertificateFile)}");
        if (UserName is not null)
            parts.Add($"user {UserName}" + (PasswordEnvironmentVariable is not null ? $", password from ${PasswordEnvironmentVariable}"
                : PasswordFile is not null ? $", password from {PasswordFile}" : Password is not null ? ", password from the address" : ", no password"));
        return parts.Count == 0 ? "plain TCP, anonymous" : string.Join(", ", parts);
    }

    /// <summary>
    /// The problems that keep this from working now (a file missing, a variable unset, a key that does not match its certificate),
    /// in plain words; empty when it can be used. <paramref name="environment"/> reads variables (default: the process's).
    /// </summary>
    public IReadOnlyList<string> Check(Func<string, string?>? environment = null)
    {
        var problems = new List<string>();
        try
        {
            Resolve(environment);
        }
        catch (MqttBrokerSecurityException e)
        {
            problems.AddRange(e.Problems);
        }
        return problems;
    }

    /// <summary>Copy <paramref name="options"/> with this security applied (TLS, user name, password).</summary>
    /// <exception cref="MqttBrokerSecurityException">A file cannot be read, a variable is unset, a certificate does not load.</exception>
    public MqttClientOptions Apply(MqttClientOptions options, Func<string, string?>? environment = null)
    {
        var (tls, password) = Resolve(environment);
        return options.With(UserName, password, tls);
    }

    private (MqttTlsOptions? Tls, string? Password) Resolve(Func<string, string?>? environment)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var problems = new List<string>();
        string? password = Password;
        if (PasswordEnvironmentVariable is { } variable)
        {
            password = environment(variable);
            if (string.IsNullOrEmpty(password)) problems.Add($"the broker password variable ${variable} is not set");
        }
        else if (PasswordFile is { } file)
        {
            try
            {
                password = File.ReadLines(file).FirstOrDefault()?.TrimEnd('\r');
                if (string.IsNullOrEmpty(password)) problems.Add($"the broker password file {file} is empty");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"the broker password file {file} cannot be read: {e.Message}");
            }
        }
        if (password is not null && UserName is null) problems.Add("a broker password needs a user name [MQTT-3.1.2-22]");
        if (ClientCertificateFile is not null != ClientKeyFile is not null) problems.Add("a client certificate needs its key, and a key its certificate");
        MqttTlsOptions? tls = null;
        if (UsesTls)
        {
            foreach (var f in new[] { CaFile, ClientCertificateFile, ClientKeyFile })
                if (f is not null && !File.Exists(f)) problems.Add($"TLS file {f} not found");
            if (problems.Count == 0)
            {
                try
                {
                    tls = CaFile is not null
                        ? MqttTlsOptions.FromPemFiles(CaFile, ClientCertificateFile, ClientKeyFile, ServerName)
                        : new MqttTlsOptions
                        {
                            ServerName = ServerName,
                            ClientCertificate = ClientCertificateFile is null ? null
                                : System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(ClientCertificateFile, ClientKeyFile),
                        };
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
                {
                    problems.Add($"the TLS files do not load ({CaFile ?? "system CAs"}, {ClientCertificateFile ?? "no client certificate"}): {e.Message}");
                }
            }
        }
        if (problems.Count > 0) throw new MqttBrokerSecurityException(problems);
        return (tls, password);
    }
}

/// <summary>Broker security settings that cannot be used (each problem in plain words, never a secret).</summary>
public sealed class MqttBrokerSecurityException : Exception
{
    /// <summary>Create with the problems found.</summary>
    public MqttBrokerSecurityException(IReadOnlyList<string> problems) : base(string.Join("; ", problems)) => Problems = problems;

    /// <summary>Each problem.</summary>
    public IReadOnlyList<string> Problems { get; }
}
