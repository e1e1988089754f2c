using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;
using Gateway.Testing.Fabric;
using Google.Protobuf;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>
/// The test peer must refuse what a real peer refuses, or the client tests would prove nothing: each case
/// sends a proposal the client would never send, next to an untampered control that the peer accepts.
/// </summary>
public sealed class TestPeerChecksTests : IClassFixture<FabricPeerFixture>, IDisposable
{
    private readonly TestPki _pki;
    private readonly HttpGrpcUnaryCaller _caller;
    private readonly FabricIdentity _identity;

    public TestPeerChecksTests(FabricPeerFixture fixture)
    {
        _pki = fixture.Pki;
        _caller = new HttpGrpcUnaryCaller(fixture.Peer.Endpoint);
        _identity = FabricIdentity.FromPemFiles(_pki.MspId, _pki.Client.CertificatePath, _pki.Client.PrivateKeyPath);
    }

    public void Dispose()
    {
        _caller.Dispose();
        _identity.Dispose();
    }

    private FabricProposal Proposal(string channel = "settlement-channel", string chaincode = "settlement") =>
        FabricProposal.Create(_identity, channel, chaincode, "GetSettlement", ["x"], DateTimeOffset.UtcNow, FabricTransactionId.NewNonce());

    private Task<EvaluateResponse> EvaluateAsync(SignedProposal proposal, string transactionId, string channel = "settlement-channel") =>
        _caller.CallAsync("/gateway.Gateway/Evaluate",
            new EvaluateRequest { TransactionId = transactionId, ChannelId = channel, ProposedTransaction = proposal },
            EvaluateResponse.Parser, TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Untampered_proposal_is_accepted()
    {
        var proposal = Proposal();
        var response = await EvaluateAsync(proposal.SignedProposal, proposal.TransactionId);
        Assert.Equal(200, response.Result.Status);
    }

    [Fact]
    public async Task High_S_signature_is_refused_although_it_is_mathematically_valid()
    {
        var proposal = Proposal();
        var (r, s) = EcdsaSignatureEncoding.DecodeDer(proposal.SignedProposal.Signature.Span);
        var highS = EcdsaSignatureEncoding.EncodeDer(r, EcdsaSignatureEncoding.P256Order - s);
        using var key = _identity.Certificate.GetECDsaPublicKey()!;
        Assert.True(key.VerifyData(proposal.SignedProposal.ProposalBytes.Span, highS, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var tampered = proposal.SignedProposal.Clone();
        tampered.Signature = ByteString.CopyFrom(highS);

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => EvaluateAsync(tampered, proposal.TransactionId));

        Assert.Contains("low-S", Assert.Single(error.Details).Message);
    }

    [Fact]
    public async Task Signature_over_other_bytes_is_refused()
    {
        var proposal = Proposal();
        var tampered = proposal.SignedProposal.Clone();
        tampered.Signature = ByteString.CopyFrom(_identity.Sign("something else"u8));

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => EvaluateAsync(tampered, proposal.TransactionId));

        Assert.Contains("signature is invalid", Assert.Single(error.Details).Message);
    }

    [Fact]
    public async Task Transaction_id_not_derived_from_nonce_and_creator_is_refused()
    {
        var proposal = Proposal();
        var wrongId = new string('0', 64);

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => EvaluateAsync(proposal.SignedProposal, wrongId));

        Assert.Equal(GrpcStatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("invalid txID", error.StatusMessage);
    }

    [Fact]
    public async Task Unknown_channel_and_chaincode_are_refused()
    {
        var otherChannel = Proposal(channel: "other-channel");
        var channelError = await Assert.ThrowsAsync<GrpcCallException>(() => EvaluateAsync(otherChannel.SignedProposal, otherChannel.TransactionId, "other-channel"));
        Assert.Equal(GrpcStatusCode.NotFound, channelError.StatusCode);
        Assert.Contains("other-channel", channelError.StatusMessage);

        var otherChaincode = Proposal(chaincode: "basic");
        var chaincodeError = await Assert.ThrowsAsync<GrpcCallException>(() => EvaluateAsync(otherChaincode.SignedProposal, otherChaincode.TransactionId));
        Assert.Equal(GrpcStatusCode.NotFound, chaincodeError.StatusCode);
        Assert.Contains("basic", chaincodeError.StatusMessage);
    }

    [Fact]
    public async Task Envelope_signed_by_another_key_is_refused_at_submit()
    {
        var proposal = FabricProposal.Create(_identity, "settlement-channel", "settlement", "CommitSettlement",
            [SettlementJson.Serialize(FabricTestSupport.Settlement())], DateTimeOffset.UtcNow, FabricTransactionId.NewNonce());
        var endorsed = await _caller.CallAsync("/gateway.Gateway/Endorse",
            new EndorseRequest { TransactionId = proposal.TransactionId, ChannelId = "settlement-channel", ProposedTransaction = proposal.SignedProposal },
            EndorseResponse.Parser, TimeSpan.FromSeconds(5));
        using var other = FabricIdentity.FromPemFiles(_pki.MspId, _pki.Peer.CertificatePath, _pki.Peer.PrivateKeyPath);
        var envelope = endorsed.PreparedTransaction;
        envelope.Signature = ByteString.CopyFrom(other.Sign(envelope.Payload.Span));

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _caller.CallAsync("/gateway.Gateway/Submit",
            new SubmitRequest { TransactionId = proposal.TransactionId, ChannelId = "settlement-channel", PreparedTransaction = envelope },
            SubmitResponse.Parser, TimeSpan.FromSeconds(5)));

        Assert.Equal(GrpcStatusCode.Aborted, error.StatusCode);
        Assert.Contains("BAD_REQUEST", error.StatusMessage);
    }

    [Fact]
    public async Task Commit_status_request_from_an_untrusted_identity_is_refused()
    {
        using var rogue = FabricIdentity.FromPemFiles(_pki.MspId, _pki.RogueClient.CertificatePath, _pki.RogueClient.PrivateKeyPath);
        var request = new CommitStatusRequest { TransactionId = "ab", ChannelId = "settlement-channel", Identity = ByteString.CopyFrom(rogue.Creator) }.ToByteArray();

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _caller.CallAsync("/gateway.Gateway/CommitStatus",
            new SignedCommitStatusRequest { Request = ByteString.CopyFrom(request), Signature = ByteString.CopyFrom(rogue.Sign(request)) },
            CommitStatusResponse.Parser, TimeSpan.FromSeconds(5)));

        Assert.Equal(GrpcStatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _caller.CallAsync("/gateway.Gateway/ChaincodeEventsUnary",
            new EvaluateRequest(), EvaluateResponse.Parser, TimeSpan.FromSeconds(5)));
        Assert.Equal(GrpcStatusCode.Unimplemented, error.StatusCode);
    }
}
