using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Drivers.Mqtt;

/// <summary>TLS settings for the broker connection.</summary>
public sealed class MqttTlsOptions
{
    /// <summary>
    /// CAs trusted for the broker's certificate. When empty the system trust store is used; when set, only these
    /// CAs are trusted (a private or test CA).
    /// </summary>
    public X509Certificate2Collection TrustedCertificateAuthorities { get; init; } = new();

    /// <summary>Optional client certificate (with its private key) for brokers that require one.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Name expected in the broker's certificate; defaults to <see cref="MqttClientOptions.Host"/>.</summary>
    public string? ServerName { get; init; }

    /// <summary>Allowed TLS versions; <see cref="SslProtocols.None"/> lets the OS choose (TLS 1.2/1.3).</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    /// <summary>Build from PEM files: a CA bundle and optionally a client certificate and its key.</summary>
    /// <param name="caFile">PEM file with one or more CA certificates.</param>
    /// <param name="clientCertificateFile">PEM client certificate, or null.</param>
    /// <param name="clientKeyFile">PEM private key of the client certificate; required with <paramref name="clientCertificateFile"/>.</param>
    /// <param name="serverName">Name expected in the broker's certificate, or null for the host.</param>
    public static MqttTlsOptions FromPemFiles(string caFile, string? clientCertificateFile = null, string? clientKeyFile = null, string? serverName = null)
    {
        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(caFile);
        if (cas.Count == 0) throw new ArgumentException($"no certificate found in CA file {caFile}", nameof(caFile));
        X509Certificate2? client = null;
        if (clientCertificateFile is not null)
        {
            if (clientKeyFile is null) throw new ArgumentException("a client certificate needs its key file", nameof(clientKeyFile));
            client = X509Certificate2.CreateFromPemFile(clientCertificateFile, clientKeyFile);
        }
        return new MqttTlsOptions { TrustedCertificateAuthorities = cas, ClientCertificate = client, ServerName = serverName };
    }
}
