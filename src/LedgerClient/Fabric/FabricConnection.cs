using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// One gRPC channel to a peer's Gateway service and one client identity, shared by the ledgers of the three streams
/// (each on its own Fabric channel and chaincode). Disposing it closes the connection and forgets the key.
/// </summary>
public sealed class FabricConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Protos.Gateway.GatewayClient _gateway;
    private readonly FabricTimeouts _timeouts;
    private readonly TimeProvider _wallClock;
    private readonly ILoggerFactory _loggers;

    private FabricConnection(GrpcChannel channel, FabricIdentity identity, FabricTimeouts timeouts, TimeProvider wallClock, ILoggerFactory loggers)
    {
        _channel = channel;
        _gateway = new Protos.Gateway.GatewayClient(channel);
        Identity = identity;
        _timeouts = timeouts;
        _wallClock = wallClock;
        _loggers = loggers;
    }

    /// <summary>Who signs.</summary>
    public FabricIdentity Identity { get; }

    /// <summary>The wall clock proposals and deadlines are taken from.</summary>
    public TimeProvider WallClock => _wallClock;

    /// <summary>
    /// Validates the options, loads the identity and the TLS trust, and opens the channel (it connects on the first call).
    /// </summary>
    /// <param name="options">Peer, TLS, identity and deadlines (the channel and chaincode names are not used here).</param>
    /// <param name="wallClock">Wall time, never a simulated clock: proposal timestamps and call deadlines reach the peer.</param>
    /// <param name="loggers">Where warnings go.</param>
    public static FabricConnection Open(FabricLedgerOptions options, TimeProvider? wallClock = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        var identity = FabricIdentity.FromPemFiles(options.MspId, options.CertificatePath, options.PrivateKeyPath);
        try
        {
            var endpoint = new Uri(options.PeerEndpoint);
            var roots = endpoint.Scheme == Uri.UriSchemeHttps ? CaTrust.LoadPemBundle(options.TlsCaCertificatePath!) : null;
            var channel = FabricGrpcChannel.Create(endpoint, roots, options.TlsServerName);
            var timeouts = new FabricTimeouts(options.EvaluateTimeout, options.EndorseTimeout, options.SubmitTimeout, options.CommitStatusTimeout);
            return new FabricConnection(channel, identity, timeouts, wallClock ?? TimeProvider.System, loggers ?? NullLoggerFactory.Instance);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the connection (TCP and TLS handshake) now rather than with the first call, so the first round a gateway
    /// settles does not pay for it. Does not throw: a peer that is not there yet is the outbox's business.
    /// </summary>
    public async Task<bool> TryConnectAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _channel.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Tries once to open the connection: false as soon as the attempt fails (refused, no route, TLS refused) instead of
    /// waiting through the channel's reconnect backoff as <see cref="TryConnectAsync"/> does. For verbs that should name
    /// an unreachable peer at once.
    /// </summary>
    public async Task<bool> ConnectsOnceAsync(CancellationToken cancellationToken = default)
    {
        var connecting = TryConnectAsync(cancellationToken);
        for (var state = _channel.State; !connecting.IsCompleted; state = _channel.State)
        {
            if (state == Grpc.Core.ConnectivityState.TransientFailure) return false;
            var changed = _channel.WaitForStateChangedAsync(state, cancellationToken);
            if (await Task.WhenAny(changed, connecting).ConfigureAwait(false) == changed) await changed.ConfigureAwait(false);
        }
        return await connecting.ConfigureAwait(false);
    }

    internal FabricContract Contract(string channel, string chaincode, string loggerName) =>
        new(new FabricGatewayClient(_gateway, Identity, channel, chaincode, _timeouts, _wallClock), _loggers.CreateLogger(loggerName));

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Dispose();
        Identity.Dispose();
    }
}
