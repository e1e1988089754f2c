using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;

namespace Gateway.LedgerClient.Tests.Fabric;

public sealed class FabricLedgerOptionsTests(PkiFixture fixture) : IClassFixture<PkiFixture>
{
    private readonly TestPki _pki = fixture.Pki;

    [Fact]
    public void Complete_options_are_valid()
    {
        var options = new FabricLedgerOptions
        {
            PeerEndpoint = "https://peer0.org1.example.com:7051",
            TlsCaCertificatePath = _pki.TlsCa.CertificatePath,
            Channel = "settlement-channel",
            Chaincode = "settlement",
            MspId = "Org1MSP",
            CertificatePath = _pki.Client.CertificatePath,
            PrivateKeyPath = _pki.Client.PrivateKeyPath,
        };
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        var options = new FabricLedgerOptions
        {
            PeerEndpoint = "https://peer0:7051",
            CertificatePath = "/nonexistent/cert.pem",
            CommitStatusTimeout = TimeSpan.Zero,
        };
        var problems = options.Validate();
        Assert.Contains(problems, p => p.Contains("tlsCaCertificatePath is required"));
        Assert.Contains(problems, p => p.Contains("channel is required"));
        Assert.Contains(problems, p => p.Contains("chaincode is required"));
        Assert.Contains(problems, p => p.Contains("mspId is required"));
        Assert.Contains(problems, p => p.Contains("certificatePath '/nonexistent/cert.pem' does not exist"));
        Assert.Contains(problems, p => p.Contains("privateKeyPath is required"));
        Assert.Contains(problems, p => p.Contains("commitStatusTimeout"));
        var error = Assert.Throws<ArgumentException>(options.EnsureValid);
        Assert.Contains("invalid Fabric ledger configuration", error.Message);
    }

    [Theory]
    [InlineData("peer0:7051")]
    [InlineData("grpcs://peer0:7051")]
    [InlineData("")]
    public void Endpoint_must_be_an_http_or_https_url(string endpoint)
    {
        var options = new FabricLedgerOptions { PeerEndpoint = endpoint };
        Assert.Contains(options.Validate(), p => p.Contains("peerEndpoint"));
    }

    [Fact]
    public void Create_refuses_invalid_options_before_touching_the_network()
    {
        var error = Assert.Throws<ArgumentException>(() => FabricLedger.Create(new FabricLedgerOptions()));
        Assert.Contains("peerEndpoint", error.Message);
    }
}
