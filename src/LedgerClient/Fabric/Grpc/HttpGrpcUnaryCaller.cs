using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;

namespace Gateway.LedgerClient.Fabric.Grpc;

/// <summary>
/// Unary gRPC over <see cref="HttpClient"/> and HTTP/2: h2c with prior knowledge for <c>http://</c> endpoints,
/// TLS (ALPN h2) trusting only the given CA certificates for <c>https://</c> endpoints. Many calls may be in
/// flight at once; they are multiplexed as HTTP/2 streams.
/// </summary>
public sealed class HttpGrpcUnaryCaller : IGrpcUnaryCaller, IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly int _maxReceiveMessageBytes;
    private readonly TimeProvider _timeProvider;

    /// <summary>
    /// Creates a caller for one endpoint.
    /// </summary>
    /// <param name="endpoint">Base address, <c>http://host:port</c> (plaintext h2c) or <c>https://host:port</c> (TLS).</param>
    /// <param name="trustedCaCertificates">The only roots a TLS server certificate may chain to (required for https).</param>
    /// <param name="tlsServerName">Name to expect in the server certificate instead of the endpoint's host (Fabric's "ssl target name override").</param>
    /// <param name="maxReceiveMessageBytes">Largest response message accepted.</param>
    /// <param name="timeProvider">Clock for deadlines.</param>
    public HttpGrpcUnaryCaller(
        Uri endpoint,
        X509Certificate2Collection? trustedCaCertificates = null,
        string? tlsServerName = null,
        int maxReceiveMessageBytes = 4 * 1024 * 1024,
        TimeProvider? timeProvider = null)
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
        _baseAddress = new Uri(endpoint.GetLeftPart(UriPartial.Authority));
        _maxReceiveMessageBytes = maxReceiveMessageBytes;
        _timeProvider = timeProvider ?? TimeProvider.System;

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
                RemoteCertificateValidationCallback = CaTrust.CreateValidator(trustedCaCertificates!, tlsServerName),
            };
        }
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc />
    public async Task<TResponse> CallAsync<TRequest, TResponse>(
        string method,
        TRequest request,
        MessageParser<TResponse> responseParser,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseParser);
        if (string.IsNullOrEmpty(method) || method[0] != '/')
        {
            throw new ArgumentException($"gRPC method must look like /package.Service/Method, got '{method}'", nameof(method));
        }
        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await SendAsync(method, request, responseParser, timeout, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new GrpcCallException(GrpcStatusCode.DeadlineExceeded, $"{method}: no response within {timeout.TotalMilliseconds:0} ms", innerException: e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpRequestException e)
        {
            throw new GrpcCallException(GrpcStatusCode.Unavailable, $"{method}: {DescribeTransportFailure(e)}", innerException: e);
        }
        catch (HttpProtocolException e)
        {
            var code = e.ErrorCode switch
            {
                0x8 => GrpcStatusCode.Cancelled, // CANCEL
                0x7 => GrpcStatusCode.Unavailable, // REFUSED_STREAM: not processed, safe to retry
                0xB => GrpcStatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
                _ => GrpcStatusCode.Internal,
            };
            throw new GrpcCallException(code, $"{method}: HTTP/2 stream reset by the server (error code 0x{e.ErrorCode:X})", innerException: e);
        }
        catch (IOException e)
        {
            throw new GrpcCallException(GrpcStatusCode.Unavailable, $"{method}: connection lost while reading the response ({e.Message})", innerException: e);
        }
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        string method, TRequest request, MessageParser<TResponse> responseParser, TimeSpan timeout, CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        var content = new ByteArrayContent(GrpcMessageFraming.Frame(request.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcHeaders.ContentType);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("grpc-timeout", GrpcHeaders.FormatTimeout(timeout));
        message.Headers.TryAddWithoutValidation("user-agent", "gateway-ledgerclient-grpc/1.0");

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);

        // Trailers-only responses (errors before any message) carry the status in the headers.
        if (TryGetHeader(response.Headers, "grpc-status", out var headerStatus))
        {
            ThrowIfNotOk(method, headerStatus, response.Headers);
            throw new GrpcCallException(GrpcStatusCode.Internal, $"{method}: trailers-only response with status OK carries no message");
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new GrpcCallException(FromHttpStatus(response.StatusCode), $"{method}: HTTP status {(int)response.StatusCode} without a gRPC status");
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null || !mediaType.StartsWith(GrpcHeaders.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"{method}: response content-type is '{mediaType}', not application/grpc");
        }

        var body = await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        if (!TryGetHeader(response.TrailingHeaders, "grpc-status", out var trailerStatus))
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"{method}: response ended without a grpc-status trailer");
        }
        ThrowIfNotOk(method, trailerStatus, response.TrailingHeaders);
        var payload = GrpcMessageFraming.ReadSingleMessage(body, _maxReceiveMessageBytes);
        try
        {
            return responseParser.ParseFrom(payload.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"{method}: response message is not a valid {typeof(TResponse).Name}: {e.Message}", innerException: e);
        }
    }

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var limit = _maxReceiveMessageBytes + GrpcMessageFraming.PrefixLength;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit + GrpcMessageFraming.PrefixLength)
            {
                throw new GrpcCallException(GrpcStatusCode.ResourceExhausted, $"response exceeds the limit of {_maxReceiveMessageBytes} bytes");
            }
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static void ThrowIfNotOk(string method, string statusValue, HttpHeaders headers)
    {
        var code = GrpcHeaders.ParseStatus(statusValue);
        if (code == GrpcStatusCode.OK)
        {
            return;
        }
        TryGetHeader(headers, "grpc-message", out var encodedMessage);
        TryGetHeader(headers, "grpc-status-details-bin", out var details);
        var statusMessage = GrpcHeaders.DecodeMessage(encodedMessage);
        throw new GrpcCallException(code, string.IsNullOrEmpty(statusMessage) ? $"{method} failed" : statusMessage, GrpcHeaders.DecodeDetails(details));
    }

    private static bool TryGetHeader(HttpHeaders headers, string name, out string value)
    {
        if (headers.NonValidated.TryGetValues(name, out var values))
        {
            foreach (var v in values)
            {
                value = v;
                return true;
            }
        }
        value = "";
        return false;
    }

    // The mapping the gRPC HTTP/2 protocol spec gives for responses that carry no grpc-status.
    private static GrpcStatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => GrpcStatusCode.Internal,
        401 => GrpcStatusCode.Unauthenticated,
        403 => GrpcStatusCode.PermissionDenied,
        404 => GrpcStatusCode.Unimplemented,
        429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
        _ => GrpcStatusCode.Unknown,
    };

    private static string DescribeTransportFailure(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException socket:
                    return $"cannot reach the peer ({socket.SocketErrorCode}: {socket.Message})";
                case AuthenticationException auth:
                    return $"TLS handshake failed ({auth.Message}); is the peer's TLS CA the configured one?";
            }
        }
        return e.HttpRequestError == HttpRequestError.VersionNegotiationError
            ? "the server does not speak HTTP/2"
            : e.Message;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
