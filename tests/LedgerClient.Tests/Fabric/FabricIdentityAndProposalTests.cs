using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Fabric.Protos;
using Gateway.Testing;
using Gateway.Testing.Fabric;
using Google.Protobuf;

namespace Gateway.LedgerClient.Tests.Fabric;

public sealed class FabricIdentityAndProposalTests(PkiFixture fixture) : IClassFixture<PkiFixture>
{
    private readonly TestPki _pki = fixture.Pki;

    [Fact]
    public void Transaction_id_is_hex_sha256_of_nonce_then_creator()
    {
        // Expected value computed independently (Python hashlib) for nonce 00..17 and these creator bytes.
        var creator = new SerializedIdentity { Mspid = "Org1MSP", IdBytes = Google.Protobuf.ByteString.CopyFromUtf8("cert") }.ToByteArray();
        Assert.Equal("9b509b14e9418ff403128c815509476925771dc21a7c77e2899e7c170e960a45",
            FabricTransactionId.Compute(Enumerable.Range(0, 24).Select(i => (byte)i).ToArray(), creator));
        Assert.Equal(24, FabricTransactionId.NewNonce().Length);
    }

    [Fact]
    public void Creator_is_a_serialized_identity_holding_the_PEM_certificate()
    {
        using var identity = FabricIdentity.FromPemFiles("Org1MSP", _pki.Client.CertificatePath, _pki.Client.PrivateKeyPath);
        var creator = SerializedIdentity.Parser.ParseFrom(identity.Creator);
        Assert.Equal("Org1MSP", creator.Mspid);
        Assert.Equal(_pki.Client.CertificatePem.Trim(), creator.IdBytes.ToStringUtf8().Trim());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", creator.IdBytes.ToStringUtf8());
    }

    [Fact]
    public void SEC1_keys_load_as_well_as_PKCS8()
    {
        using var pkcs8 = ECDsa.Create();
        pkcs8.ImportFromPem(_pki.Client.PrivateKeyPem);
        var sec1Path = _pki.WriteFile("client-sec1.pem", pkcs8.ExportECPrivateKeyPem());
        using var identity = FabricIdentity.FromPemFiles("Org1MSP", _pki.Client.CertificatePath, sec1Path);
        var signature = identity.Sign("hello"u8);
        using var publicKey = identity.Certificate.GetECDsaPublicKey()!;
        Assert.True(publicKey.VerifyData("hello"u8, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(EcdsaSignatureEncoding.IsLowS(signature));
    }

    [Fact]
    public void A_key_that_does_not_belong_to_the_certificate_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            FabricIdentity.FromPemFiles("Org1MSP", _pki.Client.CertificatePath, _pki.Peer.PrivateKeyPath));
        Assert.Contains("does not belong to the certificate", error.Message);
    }

    [Fact]
    public void Keys_off_curve_P256_are_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var error = Assert.Throws<InvalidDataException>(() =>
            FabricIdentity.FromPem("Org1MSP", _pki.Client.CertificatePem, p384.ExportPkcs8PrivateKeyPem()));
        Assert.Contains("P-256", error.Message);
    }

    [Fact]
    public void RSA_certificates_are_refused()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=rsa", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var error = Assert.Throws<InvalidDataException>(() =>
            FabricIdentity.FromPem("Org1MSP", certificate.ExportCertificatePem(), rsa.ExportPkcs8PrivateKeyPem()));
        Assert.Contains("ECDSA", error.Message);
    }

    [Fact]
    public void Missing_and_garbled_files_are_named_in_the_error()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => FabricIdentity.FromPemFiles("Org1MSP", "/nonexistent/cert.pem", _pki.Client.PrivateKeyPath));
        Assert.Contains("/nonexistent/cert.pem", missing.Message);
        var garbage = _pki.WriteFile("garbage.pem", "hello");
        var notPem = Assert.Throws<InvalidDataException>(() => FabricIdentity.FromPemFiles("Org1MSP", garbage, _pki.Client.PrivateKeyPath));
        Assert.Contains("no PEM 'CERTIFICATE' block", notPem.Message);
        var badKey = Assert.Throws<InvalidDataException>(() => FabricIdentity.FromPemFiles("Org1MSP", _pki.Client.CertificatePath, garbage));
        Assert.Contains("not a PEM EC private key", badKey.Message);
    }

    [Fact]
    public void Proposal_carries_what_the_peer_reads_and_a_verifiable_signature()
    {
        using var identity = FabricIdentity.FromPemFiles("Org1MSP", _pki.Client.CertificatePath, _pki.Client.PrivateKeyPath);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        var nonce = Enumerable.Repeat((byte)9, 24).ToArray();

        var proposal = FabricProposal.Create(identity, "settlement-channel", "settlement", "CommitSettlement", ["{\"a\":1}"], clock.GetUtcNow(), nonce);

        var parsed = Proposal.Parser.ParseFrom(proposal.SignedProposal.ProposalBytes);
        var header = Header.Parser.ParseFrom(parsed.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
        Assert.Equal((int)HeaderType.EndorserTransaction, channelHeader.Type);
        Assert.Equal(3, channelHeader.Type);
        Assert.Equal("settlement-channel", channelHeader.ChannelId);
        Assert.Equal(0ul, channelHeader.Epoch);
        Assert.Equal(clock.GetUtcNow(), channelHeader.Timestamp.ToDateTimeOffset());
        Assert.Equal(proposal.TransactionId, channelHeader.TxId);
        Assert.Equal(FabricTransactionId.Compute(nonce, identity.Creator), channelHeader.TxId);
        Assert.Equal("settlement", ChaincodeHeaderExtension.Parser.ParseFrom(channelHeader.Extension).ChaincodeId.Name);
        Assert.Equal(nonce, signatureHeader.Nonce.ToByteArray());
        Assert.Equal(identity.Creator, signatureHeader.Creator.ToByteArray());

        var invocation = ChaincodeInvocationSpec.Parser.ParseFrom(ChaincodeProposalPayload.Parser.ParseFrom(parsed.Payload).Input);
        Assert.Equal("settlement", invocation.ChaincodeSpec.ChaincodeId.Name);
        Assert.Equal(["CommitSettlement", "{\"a\":1}"], invocation.ChaincodeSpec.Input.Args.Select(a => a.ToStringUtf8()));

        using var publicKey = identity.Certificate.GetECDsaPublicKey()!;
        Assert.True(publicKey.VerifyData(proposal.SignedProposal.ProposalBytes.Span, proposal.SignedProposal.Signature.Span,
            HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(EcdsaSignatureEncoding.IsLowS(proposal.SignedProposal.Signature.Span));
    }
}
