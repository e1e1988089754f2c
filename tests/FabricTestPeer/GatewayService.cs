using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Grpc.Core;

namespace Gateway.Testing.Fabric;

/// <summary>A proposal that passed the peer's checks, taken apart.</summary>
internal sealed record CheckedProposal(string TxId, ChannelLedger Channel, Proposal Proposal, Header Header, ChannelHeader ChannelHeader, SignatureHeader SignatureHeader,
    string Function, IReadOnlyList<string> Args);

/// <summary>
/// gateway.Gateway as a real gRPC service on Grpc.AspNetCore, implementing the server base Grpc.Tools generated from
/// the same service definition the client uses. It checks what a peer checks (creator certificate chain, low-S
/// signatures, transaction id, channel and chaincode names, endorsement policy, envelope and request signatures) and
/// answers errors as a Fabric gateway does (status, message, gateway.ErrorDetail).
/// </summary>
internal sealed class GatewayService(PeerState state) : Gateway.LedgerClient.Fabric.Protos.Gateway.GatewayBase
{
    public override async Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context)
    {
        await EnterAsync("Evaluate", context);
        var proposal = CheckProposal(request.ProposedTransaction, request.TransactionId, request.ChannelId, "evaluate");
        try
        {
            var simulation = proposal.Channel.Execute(proposal.Function, proposal.Args, proposal.TxId, proposal.ChannelHeader.Timestamp.ToDateTimeOffset());
            return new EvaluateResponse { Result = new Response { Status = 200, Payload = ByteString.CopyFrom(simulation.Result) } };
        }
        catch (ChaincodeRejection e)
        {
            throw Error(StatusCode.Aborted, "evaluate call to endorser returned error: chaincode response 500, " + e.Message, "chaincode response 500, " + e.Message);
        }
    }

    public override async Task<EndorseResponse> Endorse(EndorseRequest request, ServerCallContext context)
    {
        await EnterAsync("Endorse", context);
        var proposal = CheckProposal(request.ProposedTransaction, request.TransactionId, request.ChannelId, "endorse");
        var channel = proposal.Channel;
        var down = channel.Policy.Where(state.Faults.IsDown).ToList();
        if (down.Count > 0)
        {
            throw Error(StatusCode.FailedPrecondition,
                $"no combination of peers can be derived which satisfy the endorsement policy: no peers of {string.Join(", ", down)} available on channel {channel.Channel.Name}");
        }
        if (state.Faults.EndorsementJitter > TimeSpan.Zero)
        {
            int millis;
            lock (state.Jitter) millis = state.Jitter.Next((int)state.Faults.EndorsementJitter.TotalMilliseconds + 1);
            await Task.Delay(millis, context.CancellationToken);
        }
        if (!state.Endorsed.TryAdd(proposal.TxId, (ByteString.Empty, new Simulation(), new HashSet<string>(), channel)))
        {
            throw Error(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", $"duplicate transaction found [{proposal.TxId}]");
        }
        Simulation simulation;
        try
        {
            if (state.Faults.EndorsementFailure is { } failure)
            {
                throw new ChaincodeRejection(failure);
            }
            simulation = channel.Execute(proposal.Function, proposal.Args, proposal.TxId, proposal.ChannelHeader.Timestamp.ToDateTimeOffset());
        }
        catch (ChaincodeRejection e)
        {
            state.Endorsed.TryRemove(proposal.TxId, out _);
            throw Error(StatusCode.Aborted, "failed to endorse transaction, see attached details for more info", "chaincode response 500, " + e.Message);
        }

        var chaincodeId = new ChaincodeID { Name = channel.Channel.Chaincode, Version = "1.0" };
        var action = new ChaincodeAction
        {
            Results = ByteString.CopyFromUtf8($"{simulation.Reads.Count} reads, {simulation.Writes.Count} writes"),
            Response = new Response { Status = 200, Payload = ByteString.CopyFrom(simulation.Result) },
            ChaincodeId = chaincodeId,
        };
        if (simulation.Event is { } e2)
        {
            action.Events = new ChaincodeEvent { ChaincodeId = channel.Channel.Chaincode, TxId = proposal.TxId, EventName = e2.Name, Payload = ByteString.CopyFrom(e2.Payload) }.ToByteString();
        }
        var responsePayload = new ProposalResponsePayload
        {
            ProposalHash = ByteString.CopyFrom(SHA256.HashData([.. proposal.Proposal.Header.Span, .. proposal.Proposal.Payload.Span])),
            Extension = action.ToByteString(),
        }.ToByteArray();
        // One endorsement per organisation the policy names, each signed by that organisation's peer, unless a fault
        // makes this gateway leave one out.
        var endorsers = channel.Policy.Where(org => !state.Faults.IsWithheld(org)).ToHashSet(StringComparer.Ordinal);
        var endorsed = new ChaincodeEndorsedAction { ProposalResponsePayload = ByteString.CopyFrom(responsePayload) };
        foreach (var org in endorsers)
        {
            var pki = state.Organizations[org];
            var identity = new SerializedIdentity { Mspid = org, IdBytes = ByteString.CopyFromUtf8(pki.Peer.CertificatePem) }.ToByteArray();
            using var peerKey = pki.Peer.Certificate.GetECDsaPrivateKey()!;
            endorsed.Endorsements.Add(new Endorsement
            {
                Endorser = ByteString.CopyFrom(identity),
                Signature = ByteString.CopyFrom(peerKey.SignData([.. responsePayload, .. identity], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            });
        }
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction
        {
            Header = proposal.Header.SignatureHeader,
            Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = proposal.Proposal.Payload, Action = endorsed }.ToByteString(),
        });
        var payload = new Payload { Header = proposal.Header, Data = transaction.ToByteString() }.ToByteString();
        state.Endorsed[proposal.TxId] = (payload, simulation, endorsers, channel);
        return new EndorseResponse { PreparedTransaction = new Envelope { Payload = payload } };
    }

    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        await EnterAsync("Submit", context);
        var envelope = request.PreparedTransaction ?? throw Error(StatusCode.InvalidArgument, "a prepared transaction must be supplied");
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
        if (channelHeader.TxId != request.TransactionId || channelHeader.ChannelId != request.ChannelId || !state.Channels.TryGetValue(request.ChannelId, out var channel))
        {
            throw Error(StatusCode.InvalidArgument, $"submit: transaction id or channel of the request ({request.TransactionId}, {request.ChannelId}) do not match the envelope ({channelHeader.TxId}, {channelHeader.ChannelId}) or a joined channel");
        }
        try
        {
            state.Verifier.Verify(signatureHeader.Creator, envelope.Payload.Span, envelope.Signature, "submit");
        }
        catch (CreatorRejected e)
        {
            throw Error(StatusCode.Aborted, $"received unsuccessful response from orderer: status=BAD_REQUEST, info={e.Message}", e.Message);
        }
        if (!state.Endorsed.TryGetValue(channelHeader.TxId, out var endorsed) || endorsed.Payload != envelope.Payload || endorsed.Channel != channel)
        {
            throw Error(StatusCode.Aborted, "received unsuccessful response from orderer: status=BAD_REQUEST, info=transaction does not match an endorsed proposal", "endorsement mismatch");
        }
        if (state.Faults.OrderersUnavailable)
        {
            throw Error(StatusCode.Unavailable, "no orderers could successfully process transaction", "rpc error: code = Unavailable desc = no Raft leader");
        }
        if (!channel.Orderer.Enqueue(new OrderedTransaction(channelHeader.TxId, endorsed.Simulation, endorsed.Endorsers)))
        {
            throw Error(StatusCode.Aborted, $"transaction {channelHeader.TxId} was already submitted");
        }
        return new SubmitResponse();
    }

    public override async Task<CommitStatusResponse> CommitStatus(SignedCommitStatusRequest signed, ServerCallContext context)
    {
        await EnterAsync("CommitStatus", context);
        var request = CommitStatusRequest.Parser.ParseFrom(signed.Request);
        try
        {
            state.Verifier.Verify(request.Identity, signed.Request.Span, signed.Signature, "commit status");
        }
        catch (CreatorRejected e)
        {
            throw Error(StatusCode.PermissionDenied, e.Message);
        }
        if (!state.Channels.TryGetValue(request.ChannelId, out var channel))
        {
            throw Error(StatusCode.NotFound, $"channel '{request.ChannelId}' not found");
        }
        var (code, block) = await channel.Orderer.WaitForStatusAsync(request.TransactionId, context.CancellationToken);
        return new CommitStatusResponse { Result = code, BlockNumber = block };
    }

    public override async Task ChaincodeEvents(SignedChaincodeEventsRequest signed, IServerStreamWriter<ChaincodeEventsResponse> responseStream, ServerCallContext context)
    {
        await EnterAsync("ChaincodeEvents", context);
        ChaincodeEventsRequest request;
        try
        {
            request = ChaincodeEventsRequest.Parser.ParseFrom(signed.Request);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Error(StatusCode.InvalidArgument, $"invalid chaincode events request: {e.Message}");
        }
        try
        {
            state.Verifier.Verify(request.Identity, signed.Request.Span, signed.Signature, "chaincode events");
        }
        catch (CreatorRejected e)
        {
            throw Error(StatusCode.PermissionDenied, e.Message);
        }
        if (!state.Channels.TryGetValue(request.ChannelId, out var channel))
        {
            throw Error(StatusCode.NotFound, $"channel '{request.ChannelId}' not found");
        }
        var orderer = channel.Orderer;
        // Like Fabric: a specified block, or (next commit, or no position) the block after the current height.
        var next = request.StartPosition?.TypeCase switch
        {
            SeekPosition.TypeOneofCase.Specified => Math.Max(1, request.StartPosition.Specified.Number),
            null or SeekPosition.TypeOneofCase.None or SeekPosition.TypeOneofCase.NextCommit => orderer.BlockHeight + 1,
            var other => throw Error(StatusCode.InvalidArgument, $"invalid start position type: {other}"),
        };
        var passedAfter = string.IsNullOrEmpty(request.AfterTransactionId);
        while (!context.CancellationToken.IsCancellationRequested)
        {
            foreach (var block in orderer.Blocks.Where(b => b.Number >= next))
            {
                var response = new ChaincodeEventsResponse { BlockNumber = block.Number };
                foreach (var e in block.Events)
                {
                    if (!passedAfter)
                    {
                        passedAfter = e.TxId == request.AfterTransactionId;
                        continue;
                    }
                    response.Events.Add(new ChaincodeEvent { ChaincodeId = channel.Channel.Chaincode, TxId = e.TxId, EventName = e.Name, Payload = ByteString.CopyFrom(e.Payload) });
                }
                next = block.Number + 1;
                if (response.Events.Count > 0 && request.ChaincodeId == channel.Channel.Chaincode)
                {
                    await responseStream.WriteAsync(response, context.CancellationToken);
                }
            }
            try
            {
                await orderer.WaitForBlockAfterAsync(next - 1, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task EnterAsync(string method, ServerCallContext context)
    {
        state.Count(method);
        state.ObserveDeadline(method, context.Deadline, DateTimeOffset.UtcNow);
        if (state.Faults.ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(state.Faults.ResponseDelay, context.CancellationToken);
        }
    }

    private CheckedProposal CheckProposal(SignedProposal? signed, string requestTxId, string requestChannel, string context)
    {
        if (signed is null)
        {
            throw Error(StatusCode.InvalidArgument, "a signed proposal must be supplied");
        }
        Proposal proposal;
        Header header;
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        try
        {
            proposal = Proposal.Parser.ParseFrom(signed.ProposalBytes);
            header = Header.Parser.ParseFrom(proposal.Header);
            channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
            signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Error(StatusCode.InvalidArgument, $"malformed proposal: {e.Message}");
        }
        if (channelHeader.Type != (int)HeaderType.EndorserTransaction)
        {
            throw Error(StatusCode.InvalidArgument, $"invalid header type {channelHeader.Type}");
        }
        if (channelHeader.ChannelId != requestChannel || !state.Channels.TryGetValue(channelHeader.ChannelId, out var channel))
        {
            throw Error(StatusCode.NotFound, $"channel '{channelHeader.ChannelId}' not found");
        }
        try
        {
            state.Verifier.Verify(signatureHeader.Creator, signed.ProposalBytes.Span, signed.Signature, context);
        }
        catch (CreatorRejected e)
        {
            throw Error(StatusCode.Aborted, $"{context}: access denied", e.Message);
        }

        // Recomputed here rather than through the client library, so a wrong derivation cannot agree with itself.
        var expectedTxId = Convert.ToHexStringLower(SHA256.HashData([.. signatureHeader.Nonce.Span, .. signatureHeader.Creator.Span]));
        if (channelHeader.TxId != expectedTxId || requestTxId != expectedTxId)
        {
            throw Error(StatusCode.InvalidArgument, $"invalid txID. It must be {expectedTxId}, got {channelHeader.TxId} (request: {requestTxId})");
        }
        var extension = ChaincodeHeaderExtension.Parser.ParseFrom(channelHeader.Extension);
        var invocation = ChaincodeInvocationSpec.Parser.ParseFrom(ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload).Input);
        var name = extension.ChaincodeId?.Name;
        if (name != channel.Channel.Chaincode || invocation.ChaincodeSpec?.ChaincodeId?.Name != name)
        {
            throw Error(StatusCode.NotFound, $"chaincode '{name}' (invocation: '{invocation.ChaincodeSpec?.ChaincodeId?.Name}') is not defined on channel '{channel.Channel.Name}'");
        }
        var args = invocation.ChaincodeSpec.Input?.Args.Select(a => a.ToStringUtf8()).ToList() ?? [];
        if (args.Count == 0)
        {
            throw Error(StatusCode.InvalidArgument, "chaincode invocation has no function name");
        }
        if (channelHeader.Timestamp is null)
        {
            throw Error(StatusCode.InvalidArgument, "channel header has no timestamp");
        }
        state.ObserveProposal(channelHeader.Timestamp);
        return new CheckedProposal(expectedTxId, channel, proposal, header, channelHeader, signatureHeader, args[0], args.Skip(1).ToList());
    }

    private RpcException Error(StatusCode code, string message, string? detailMessage = null) =>
        PeerErrors.Create(code, message, detailMessage, state.Address, state.Pki.MspId);
}
