using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;

namespace Gateway.Bench.MultiSite;

/// <summary>
/// Where the bench commits: the protocol-level test peer started in this process (with an orderer's batch timeout and
/// block size), or a real Fabric network built by hil-rigs/fabric-lab (its crypto material found under the lab's work
/// folder). Every site gets its own connection, as separate gateways would.
/// </summary>
internal sealed class FabricTarget : IAsyncDisposable
{
    private readonly TestPki? _pki;
    private readonly TestPeer? _peer;

    private FabricTarget(string description, Func<FabricLedgerOptions> options, TestPki? pki, TestPeer? peer)
    {
        Description = description;
        NewOptions = options;
        _pki = pki;
        _peer = peer;
    }

    public string Description { get; }

    /// <summary>Options for one more connection (one site).</summary>
    public Func<FabricLedgerOptions> NewOptions { get; }

    /// <summary>Blocks cut so far (test peer only).</summary>
    public ulong? TestPeerBlocks => _peer?.BlockHeight;

    public static async Task<FabricTarget> TestPeerAsync(TimeSpan batchTimeout, int maxPerBlock)
    {
        var pki = new TestPki();
        var peer = await TestPeer.StartAsync(pki, new TestPeerSettings { BatchTimeout = batchTimeout, MaxTransactionsPerBlock = maxPerBlock, UseTls = true });
        return new FabricTarget($"test peer (TLS, BatchTimeout {batchTimeout.TotalMilliseconds} ms, MaxMessageCount {maxPerBlock})", () => new FabricLedgerOptions
        {
            PeerEndpoint = peer.Endpoint.ToString(),
            TlsCaCertificatePath = pki.TlsCa.CertificatePath,
            Channel = "settlement-channel",
            Chaincode = "settlement",
            MspId = pki.MspId,
            CertificatePath = pki.Client.CertificatePath,
            PrivateKeyPath = pki.Client.PrivateKeyPath,
        }, pki, peer);
    }

    /// <summary>A lab network: <paramref name="work"/> is the lab's work folder (its net/crypto), org1's User1 on <paramref name="channel"/>.</summary>
    public static FabricTarget Lab(string work, string channel, string chaincode, int peerPort = 7051)
    {
        var org = Path.Combine(work, "net", "crypto", "peerOrganizations", "org1.example.com");
        var user = Path.Combine(org, "users", "User1@org1.example.com", "msp");
        var options = new FabricLedgerOptions
        {
            PeerEndpoint = $"https://127.0.0.1:{peerPort}",
            TlsCaCertificatePath = Path.Combine(org, "tlsca", "tlsca.org1.example.com-cert.pem"),
            Channel = channel,
            Chaincode = chaincode,
            MspId = "Org1MSP",
            CertificatePath = Path.Combine(user, "signcerts", "User1@org1.example.com-cert.pem"),
            PrivateKeyPath = Path.Combine(user, "keystore", "priv_sk"),
        };
        options.EnsureValid();
        return new FabricTarget($"lab network {work} ({channel}/{chaincode})", () => options, null, null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_peer is not null) await _peer.DisposeAsync();
        _pki?.Dispose();
    }
}
