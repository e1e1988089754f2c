using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Fabric.Protos;
using Gateway.Testing.Fabric;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>
/// The test peer must refuse what a real peer refuses, or the client tests would prove nothing: each case
/// sends a proposal the client would never send, next to an untampered control that the peer accepts.
/// </summary>
public sealed class TestPeerChecksTests : IClassFixture<FabricPeerFixture>, IDisposable
{
    private readonly TestPki _pki;
    private readonly GrpcChannel _channel;
    private readonly Gateway.LedgerClient.Fabric.Protos.Gateway.GatewayClient _gateway;
    private readonly FabricIdentity _identity;

    public TestPeerChecksTests(FabricPeerFixture fixture)
    {
        _pki = fixture.Pki;
        _channel = FabricGrpcChannel.Create(fixture.Peer.Endpoint);
        _gateway = new Gateway.LedgerClient.Fabric.Protos.Gateway.GatewayClient(_channel);
        _identity = FabricIdentity.FromPemFiles(_pki.MspId, _pki.Client.CertificatePath, _pki.Client.PrivateKeyPath);
    }

    public void Dispose()
    {
        _channel.Dispose();
        _identity.Dispose();
    }

    private FabricProposal Proposal(string channel = "settlement-channel", string chaincode = "settlement") =>
        FabricProposal.Create(_identity, channel, chaincode, "GetSettlement", ["x"], DateTimeOffset.UtcNow, FabricTransactionId.NewNonce());

    // Only a bound against a hung call: these tests assert the peer's status codes, never its speed, and a 5 s bound
    // ran out on a loaded 2-core machine (DeadlineExceeded in place of PermissionDenied).
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(60);

    private async Task<EvaluateResponse> EvaluateAsync(SignedProposal proposal, string transactionId, string channel = "settlement-channel") =>
        await _gateway.EvaluateAsync(new EvaluateRequest { TransactionId = transactionId, ChannelId = channel, ProposedTransaction = proposal }, deadline: Deadline);

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

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(tampered, proposal.TransactionId));

        Assert.Contains("low-S", Assert.Single(FabricRpcError.Details(error)).Message);
    }

    [Fact]
    public async Task Signature_over_other_bytes_is_refused()
    {
        var proposal = Proposal();
        var tampered = proposal.SignedProposal.Clone();
        tampered.Signature = ByteString.CopyFrom(_identity.Sign("something else"u8));

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(tampered, proposal.TransactionId));

        Assert.Contains("signature is invalid", Assert.Single(FabricRpcError.Details(error)).Message);
    }

    [Fact]
    public async Task Transaction_id_not_derived_from_nonce_and_creator_is_refused()
    {
        var proposal = Proposal();
        var wrongId = new string('0', 64);

        var error = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(proposal.SignedProposal, wrongId));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("invalid txID", error.Status.Detail);
    }

    [Fact]
    public async Task Unknown_channel_and_chaincode_are_refused()
    {
        var otherChannel = Proposal(channel: "other-channel");
        var channelError = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(otherChannel.SignedProposal, otherChannel.TransactionId, "other-channel"));
        Assert.Equal(StatusCode.NotFound, channelError.StatusCode);
        Assert.Contains("other-channel", channelError.Status.Detail);

        var otherChaincode = Proposal(chaincode: "basic");
        var chaincodeError = await Assert.ThrowsAsync<RpcException>(() => EvaluateAsync(otherChaincode.SignedProposal, otherChaincode.TransactionId));
        Assert.Equal(StatusCode.NotFound, chaincodeError.StatusCode);
        Assert.Contains("basic", chaincodeError.Status.Detail);
    }

    [Fact]
    public async Task Envelope_signed_by_another_key_is_refused_at_submit()
    {
        var proposal = FabricProposal.Create(_identity, "settlement-channel", "settlement", "CommitSettlement",
            [SettlementJson.Serialize(FabricTestSupport.Settlement())], DateTimeOffset.UtcNow, FabricTransactionId.NewNonce());
        var endorsed = await _gateway.EndorseAsync(
            new EndorseRequest { TransactionId = proposal.TransactionId, ChannelId = "settlement-channel", ProposedTransaction = proposal.SignedProposal }, deadline: Deadline);
        using var other = FabricIdentity.FromPemFiles(_pki.MspId, _pki.Peer.CertificatePath, _pki.Peer.PrivateKeyPath);
        var envelope = endorsed.PreparedTransaction;
        envelope.Signature = ByteString.CopyFrom(other.Sign(envelope.Payload.Span));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _gateway.SubmitAsync(
            new SubmitRequest { TransactionId = proposal.TransactionId, ChannelId = "settlement-channel", PreparedTransaction = envelope }, deadline: Deadline));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Contains("BAD_REQUEST", error.Status.Detail);
    }

    [Fact]
    public async Task Commit_status_request_from_an_untrusted_identity_is_refused()
    {
        using var rogue = FabricIdentity.FromPemFiles(_pki.MspId, _pki.RogueClient.CertificatePath, _pki.RogueClient.PrivateKeyPath);
        var request = new CommitStatusRequest { TransactionId = "ab", ChannelId = "settlement-channel", Identity = ByteString.CopyFrom(rogue.Creator) }.ToByteArray();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _gateway.CommitStatusAsync(
            new SignedCommitStatusRequest { Request = ByteString.CopyFrom(request), Signature = ByteString.CopyFrom(rogue.Sign(request)) }, deadline: Deadline));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Unknown_method_is_unimplemented()
    {
        var method = new Method<EvaluateRequest, EvaluateResponse>(MethodType.Unary, "gateway.Gateway", "ChaincodeEventsUnary",
            Marshallers.Create(r => r.ToByteArray(), EvaluateRequest.Parser.ParseFrom), Marshallers.Create(r => r.ToByteArray(), EvaluateResponse.Parser.ParseFrom));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(deadline: Deadline), new EvaluateRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }
}
