using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Drivers.Mqtt.Channel;

/// <summary>
/// Opens TCP connections, wrapped in TLS when <see cref="MqttClientOptions.Tls"/> is set. The server certificate is
/// checked against the explicitly trusted CAs in <see cref="MqttTlsOptions"/> (or the system store when none are given),
/// including the host name; there is no switch to accept any certificate.
/// </summary>
public sealed class MqttTcpChannelFactory : IMqttChannelFactory
{
    /// <summary>The shared instance; the factory holds no state.</summary>
    public static readonly MqttTcpChannelFactory Instance = new();

    /// <inheritdoc />
    public async ValueTask<IMqttChannel> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new MqttCommunicationException($"cannot connect to MQTT broker {options.Host}:{options.Port}: {ex.Message}", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var network = new NetworkStream(socket, ownsSocket: true);
        if (options.Tls is not { } tls) return new MqttStreamChannel(network);

        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            var authentication = new SslClientAuthenticationOptions
            {
                TargetHost = tls.ServerName ?? options.Host,
                EnabledSslProtocols = tls.Protocols,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(tls, certificate, errors),
            };
            if (tls.ClientCertificate is { } clientCertificate)
                authentication.ClientCertificates = new X509CertificateCollection { clientCertificate };
            await ssl.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new MqttCommunicationException($"TLS handshake with MQTT broker {options.Host}:{options.Port} failed: {ex.Message}", ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new MqttStreamChannel(ssl);
    }

    private static bool Validate(MqttTlsOptions tls, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        if (tls.TrustedCertificateAuthorities.Count == 0) return errors == SslPolicyErrors.None;
        // Name mismatches stay fatal; only the chain is re-judged, against our CAs instead of the system store.
        if ((errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(tls.TrustedCertificateAuthorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return chain.Build(server);
    }
}
