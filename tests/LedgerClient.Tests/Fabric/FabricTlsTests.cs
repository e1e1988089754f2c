using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;
using static Gateway.LedgerClient.Tests.Fabric.FabricTestSupport;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>TLS to the peer, trusting only the configured CA.</summary>
public sealed class FabricTlsTests(TlsPeerFixture fixture) : IClassFixture<TlsPeerFixture>
{
    private readonly TestPki _pki = fixture.Pki;
    private readonly TestPeer _peer = fixture.Peer;

    [Fact]
    public async Task Commits_over_TLS_with_the_peer_CA()
    {
        Assert.Equal("https", _peer.Endpoint.Scheme);
        using var ledger = Ledger(_pki, _peer);
        var settlement = Settlement();

        Assert.Equal(LedgerCommitOutcome.Committed, (await ledger.CommitAsync(settlement)).Outcome);
        Assert.Equal(settlement, await ledger.GetAsync(settlement.SettlementId));
    }

    [Fact]
    public async Task Server_name_override_matches_the_certificate_name()
    {
        using var ledger = Ledger(_pki, _peer, tweak: o => o.TlsServerName = "peer0.org1.example.com");
        Assert.Null(await ledger.GetAsync("nothing"));
    }

    [Fact]
    public async Task A_peer_certificate_from_another_CA_is_not_trusted()
    {
        using var ledger = Ledger(_pki, _peer, tweak: o => o.TlsCaCertificatePath = _pki.MspCa.CertificatePath);

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.GetAsync("anything"));

        Assert.Equal(FabricFailureKind.Unavailable, error.Kind);
        Assert.Contains("SSL connection could not be established", error.Message);
    }

    [Fact]
    public async Task A_name_the_certificate_does_not_carry_is_refused()
    {
        using var ledger = Ledger(_pki, _peer, tweak: o => o.TlsServerName = "peer9.elsewhere.example.com");

        var error = await Assert.ThrowsAsync<FabricLedgerException>(() => ledger.GetAsync("anything"));

        Assert.Contains("SSL connection could not be established", error.Message);
    }
}
