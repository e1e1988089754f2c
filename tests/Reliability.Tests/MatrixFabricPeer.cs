using System.Text.Json;
using Gateway.Testing.Fabric;

namespace Gateway.Reliability.Tests;

/// <summary>
/// The matrix site's ledger peer when it settles on Fabric: the test peer (a real gRPC Gateway service) with the paper's
/// three channels and organisations — settlements on <c>txmain</c> endorsed by operator and DSO, decisions on
/// <c>matching</c> by operator and regulator, deliveries on <c>electricity</c> by operator and DSO — and blocks cut after
/// 500 ms or 10 transactions, as on the lab network. It runs in the test process; the gateway reaches it over TLS like
/// any peer. What it committed is read from its blocks, never from the gateway.
/// </summary>
internal sealed class MatrixFabricPeer : IAsyncDisposable
{
    public const string SettlementChannel = "txmain";

    private readonly TestPki _operator;
    private readonly TestPki _dso;
    private readonly TestPki _regulator;

    private MatrixFabricPeer(TestPki @operator, TestPki dso, TestPki regulator, TestPeer peer)
    {
        _operator = @operator;
        _dso = dso;
        _regulator = regulator;
        Peer = peer;
    }

    public TestPeer Peer { get; }

    public static async Task<MatrixFabricPeer> StartAsync()
    {
        TestPki @operator = new("Org1MSP"), dso = new("Org2MSP"), regulator = new("Org3MSP");
        // Port 0: the OS picks a port nobody holds, and the peer keeps it for its restart (TestPeer.ComeBackAsync).
        var peer = await TestPeer.StartAsync(@operator, new TestPeerSettings
        {
            UseTls = true,
            BatchTimeout = TimeSpan.FromMilliseconds(500),
            MaxTransactionsPerBlock = 10,
            OtherOrganizations = [dso, regulator],
            Channels = TestChannel.ThreeChannels,
        });
        return new MatrixFabricPeer(@operator, dso, regulator, peer);
    }

    /// <summary>
    /// The rig's <c>ledger:</c> section, one line (flow style) like the embedded one it replaces. The side-chain file is
    /// named although all three streams go to the peer, so nothing is created outside the rig's folder.
    /// </summary>
    public string RigLedgerYaml() =>
        "ledger: { kind: fabric, path: side-chains.db, fabric: { "
        + $"peer: \"{Peer.Endpoint}\", tlsCa: \"{_operator.TlsCa.CertificatePath}\", mspId: Org1MSP, "
        + $"certificate: \"{_operator.Client.CertificatePath}\", privateKey: \"{_operator.Client.PrivateKeyPath}\", "
        + $"channel: {SettlementChannel}, chaincode: settlement, "
        + "matching: { channel: matching, chaincode: matching }, electricity: { channel: electricity, chaincode: electricity }, "
        + "roundsInFlight: 8 } }";

    /// <summary>
    /// Every settlement in a valid transaction of the main chain, once per commit: the settlement contract's
    /// <c>SettlementsCommitted</c> event lists what a transaction wrote (a settlement already on the chain is answered,
    /// not written again), so a settlement that reached the chain twice appears twice.
    /// </summary>
    public IReadOnlyList<SettlementRow> CommittedSettlements()
    {
        var rows = new List<SettlementRow>();
        foreach (var (name, payload, _) in Peer.EventsOf(SettlementChannel))
        {
            if (name != "SettlementsCommitted") continue;
            using var doc = JsonDocument.Parse(payload);
            foreach (var s in doc.RootElement.GetProperty("settlements").EnumerateArray())
                rows.Add(new SettlementRow(Text(s, "settlementId"), Text(s, "roundId"), Text(s, "payerId"), Text(s, "payeeId")));
        }
        return rows;

        static string Text(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync();
        _operator.Dispose();
        _dso.Dispose();
        _regulator.Dispose();
    }
}
