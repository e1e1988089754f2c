using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Testing.Fabric;

/// <summary>Settings of a <see cref="TestPeer"/>.</summary>
public sealed record TestPeerSettings
{
    /// <summary>The channels the peer has joined, each with its chaincode and endorsement policy.</summary>
    public IReadOnlyList<TestChannel> Channels { get; init; } = [TestChannel.Settlements()];

    /// <summary>
    /// Further organisations whose peers this one stands in for: they endorse where a channel's policy names them, and their
    /// clients are members of the channels.
    /// </summary>
    public IReadOnlyList<TestPki> OtherOrganizations { get; init; } = [];

    /// <summary>Serve TLS with <see cref="TestPki.PeerTls"/> (else plaintext h2c).</summary>
    public bool UseTls { get; init; }

    /// <summary>Port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>How long the orderer waits after the first transaction of a block before cutting it (Fabric's BatchTimeout).</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Most transactions per block: a block is cut as soon as this many are pending (Fabric's MaxMessageCount).</summary>
    public int MaxTransactionsPerBlock { get; init; } = 500;
}

/// <summary>
/// A Fabric peer at the protocol level: the Gateway service as a real gRPC service (Grpc.AspNetCore on Kestrel, HTTP/2,
/// h2c or TLS) on 127.0.0.1. It checks what a peer checks, runs the contracts in memory (settlements, matching,
/// electricity) on several channels, endorses for the organisations a channel's policy names, and orders transactions
/// into blocks with a batch timeout and a block size, validating endorsement policy and MVCC reads; ChaincodeEvents
/// streams what it commits.
/// </summary>
public sealed class TestPeer : IAsyncDisposable
{
    private readonly PeerState _state;
    private readonly SemaphoreSlim _serving = new(1, 1);
    private WebApplication? _app;

    private TestPeer(WebApplication app, PeerState state, Uri endpoint)
    {
        _app = app;
        _state = state;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint to give the client (http:// or https://127.0.0.1:port).</summary>
    public Uri Endpoint { get; }

    /// <summary>Switchable failure modes.</summary>
    public PeerFaults Faults => _state.Faults;

    /// <summary>Events of committed valid transactions on the first channel, in block order.</summary>
    public IReadOnlyList<(string Name, string Payload, ulong Block)> CommittedEvents => EventsOf(_state.Settings.Channels[0].Name);

    /// <summary>Number of blocks cut so far on the first channel.</summary>
    public ulong BlockHeight => BlockHeightOf(_state.Settings.Channels[0].Name);

    /// <summary>Requests the peer received, per method name (Evaluate, Endorse, Submit, CommitStatus, ChaincodeEvents).</summary>
    public IReadOnlyDictionary<string, int> CallCounts => _state.CallCounts;

    /// <summary>Deadlines the clients sent, as time left when each call arrived.</summary>
    public IReadOnlyList<ObservedDeadline> ObservedDeadlines => _state.Deadlines;

    /// <summary>The timestamps of every proposal the peer checked (the client's clock as it reached the chain).</summary>
    public IReadOnlyList<DateTimeOffset> ProposalTimestamps => _state.ProposalTimestamps;

    /// <summary>Blocks cut so far on <paramref name="channel"/>.</summary>
    public ulong BlockHeightOf(string channel) => _state.Channels[channel].Orderer.BlockHeight;

    /// <summary>Transactions (valid or not) in each block of <paramref name="channel"/>, in block order.</summary>
    public IReadOnlyList<int> TransactionsPerBlock(string channel) => _state.Channels[channel].Orderer.Blocks.Select(b => b.TransactionCount).ToList();

    /// <summary>Events of committed valid transactions on <paramref name="channel"/>, in block order.</summary>
    public IReadOnlyList<(string Name, string Payload, ulong Block)> EventsOf(string channel) =>
        _state.Channels[channel].Orderer.Blocks.SelectMany(b => b.Events.Select(e => (e.Name, System.Text.Encoding.UTF8.GetString(e.Payload), b.Number))).ToList();

    /// <summary>Starts a peer for <paramref name="pki"/>'s organisation.</summary>
    public static async Task<TestPeer> StartAsync(TestPki pki, TestPeerSettings? settings = null, CancellationToken cancellationToken = default)
    {
        settings ??= new TestPeerSettings();
        if (settings.Channels.Count == 0) throw new ArgumentException("a test peer needs at least one channel", nameof(settings));
        var state = new PeerState(pki, settings);
        var unknown = settings.Channels.SelectMany(c => c.EndorsingOrganizations ?? []).Where(o => !state.Organizations.ContainsKey(o)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"endorsement policies name organisations the peer has no PKI for: {string.Join(", ", unknown)}", nameof(settings));

        var app = await ServeAsync(state, settings.Port, cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        state.Address = $"127.0.0.1:{port}";
        foreach (var channel in state.Channels.Values) channel.Orderer.Start();
        return new TestPeer(app, state, new Uri($"{(settings.UseTls ? "https" : "http")}://127.0.0.1:{port}"));
    }

    /// <summary>
    /// The peer goes down as a killed peer process does: its server stops at once, calls in flight are cut and new
    /// connections are refused. What it committed stays (world state, blocks, the transactions it endorsed), as a peer's
    /// ledger stays on its disk; the orderer keeps ordering, since on a network it is a node of its own.
    /// </summary>
    public async Task GoDownAsync()
    {
        await _serving.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_app is not { } app) return;
            _app = null;
            await StopAsync(app, TimeSpan.Zero).ConfigureAwait(false);
        }
        finally
        {
            _serving.Release();
        }
    }

    /// <summary>
    /// The peer restarts on the port it had, with the ledger it had (<see cref="GoDownAsync"/>), so a client configured with
    /// its address reconnects to the same chain.
    /// </summary>
    public async Task ComeBackAsync(CancellationToken cancellationToken = default)
    {
        await _serving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null) return;
            _app = await ServeAsync(_state, Endpoint.Port, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _serving.Release();
        }
    }

    private static async Task<WebApplication> ServeAsync(PeerState state, int port, CancellationToken cancellationToken)
    {
        var settings = state.Settings;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(state);
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = 16 * 1024 * 1024;
            options.MaxSendMessageSize = 16 * 1024 * 1024;
        });
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (settings.UseTls)
                {
                    listen.UseHttps(state.Pki.PeerTls.Certificate);
                }
            });
        });
        var app = builder.Build();
        app.MapGrpcService<GatewayService>();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return app;
    }

    // A grace of zero aborts the connections at once, as a dying process does; a longer one lets calls in flight end.
    private static async Task StopAsync(WebApplication app, TimeSpan grace)
    {
        using var stop = new CancellationTokenSource(grace);
        try
        {
            await app.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The grace ran out: Kestrel has aborted what was still open, which is what a stop after the grace means.
        }
        await app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops listening; connections are closed, so clients see the peer as down.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _state.Channels.Values) await channel.Orderer.StopAsync().ConfigureAwait(false);
        await _serving.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_app is { } app)
            {
                _app = null;
                await StopAsync(app, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
        finally
        {
            _serving.Release();
        }
    }
}
