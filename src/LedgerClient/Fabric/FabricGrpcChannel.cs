using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// Builds the <see cref="GrpcChannel"/> to a peer's Gateway service: h2c with prior knowledge for <c>http://</c>
/// endpoints (labs only), TLS 1.2/1.3 trusting only the organisation's TLS CA for <c>https://</c> endpoints. Calls
/// are multiplexed as HTTP/2 streams, over more than one connection when a window of transactions fills one.
/// </summary>
internal static class FabricGrpcChannel
{
    /// <summary>Largest message accepted from the peer (a round's settlements, a QueryRound answer).</summary>
    public const int MaxReceiveMessageBytes = 16 * 1024 * 1024;

    /// <summary>Creates a channel for <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint"><c>http://host:port</c> (plaintext) or <c>https://host:port</c> (TLS).</param>
    /// <param name="trustedCaCertificates">The only roots a TLS server certificate may chain to (required for https).</param>
    /// <param name="tlsServerName">Name to expect in the server certificate instead of the endpoint's host (Fabric's "ssl target name override").</param>
    public static GrpcChannel Create(Uri endpoint, X509Certificate2Collection? trustedCaCertificates = null, string? tlsServerName = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"gRPC endpoint must be http:// (plaintext) or https:// (TLS), got '{endpoint}'", nameof(endpoint));
        }
        var useTls = endpoint.Scheme == Uri.UriSchemeHttps;
        if (useTls && (trustedCaCertificates is null || trustedCaCertificates.Count == 0))
        {
            throw new ArgumentException("a TLS endpoint needs the CA certificate(s) that issued the peer's TLS certificate", nameof(trustedCaCertificates));
        }
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (useTls)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                TargetHost = tlsServerName,
                RemoteCertificateValidationCallback = CaTrust.CreateValidator(trustedCaCertificates!, tlsServerName),
            };
        }
        return GrpcChannel.ForAddress(new Uri(endpoint.GetLeftPart(UriPartial.Authority)), new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReceiveMessageBytes,
            MaxSendMessageSize = MaxReceiveMessageBytes,
            // A restarted peer is found again quickly; calls meanwhile fail fast as Unavailable, which the outbox retries.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(5),
        });
    }
}
