using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Testing.Fabric;

/// <summary>Settings of a <see cref="TestPeer"/>.</summary>
public sealed record TestPeerSettings
{
    public string Channel { get; init; } = "settlement-channel";

    public string Chaincode { get; init; } = "settlement";

    /// <summary>Serve TLS with <see cref="TestPki.PeerTls"/> (else plaintext h2c).</summary>
    public bool UseTls { get; init; }

    /// <summary>Port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>How long the orderer waits after the first transaction before cutting a block.</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Most transactions per block.</summary>
    public int MaxTransactionsPerBlock { get; init; } = 500;
}

/// <summary>
/// A Fabric peer at the protocol level: Kestrel over HTTP/2 on 127.0.0.1 serving gateway.Gateway's Evaluate,
/// Endorse, Submit and CommitStatus as unary gRPC written by hand. It checks what a peer checks (creator certificate
/// chain, low-S signatures, transaction id, channel and chaincode names, envelope and commit-status signatures),
/// runs the settlement contract in memory, and orders transactions into blocks with MVCC validation.
/// </summary>
public sealed class TestPeer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GatewayService _service;

    private TestPeer(WebApplication app, GatewayService service, Uri endpoint)
    {
        _app = app;
        _service = service;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint to give the client (http:// or https://127.0.0.1:port).</summary>
    public Uri Endpoint { get; }

    /// <summary>Switchable failure modes.</summary>
    public PeerFaults Faults => _service.Faults;

    /// <summary>Events of committed valid transactions, in block order.</summary>
    public IReadOnlyList<(string Name, string Payload, ulong Block)> CommittedEvents => _service.Orderer.CommittedEvents;

    /// <summary>Number of blocks cut so far.</summary>
    public ulong BlockHeight => _service.Orderer.BlockHeight;

    /// <summary>Requests the peer received, per method name (Evaluate, Endorse, Submit, CommitStatus).</summary>
    public IReadOnlyDictionary<string, int> CallCounts => _service.CallCounts;

    /// <summary>Starts a peer for <paramref name="pki"/>'s organisation.</summary>
    public static async Task<TestPeer> StartAsync(TestPki pki, TestPeerSettings? settings = null, CancellationToken cancellationToken = default)
    {
        settings ??= new TestPeerSettings();
        var service = new GatewayService(pki, settings);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Limits.MaxRequestBodySize = 8 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, settings.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (settings.UseTls)
                {
                    listen.UseHttps(pki.PeerTls.Certificate);
                }
            });
        });
        var app = builder.Build();
        app.Run(service.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        service.Address = $"127.0.0.1:{port}";
        service.Orderer.Start();
        return new TestPeer(app, service, new Uri($"{(settings.UseTls ? "https" : "http")}://127.0.0.1:{port}"));
    }

    /// <summary>Stops listening; connections are closed, so clients see the peer as down.</summary>
    public async ValueTask DisposeAsync()
    {
        await _service.Orderer.StopAsync().ConfigureAwait(false);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
