using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;

namespace Gateway.LedgerClient.Fabric;

/// <summary>What a submitted transaction came to: its id, the block it landed in and the peer's validation code.</summary>
internal sealed record FabricCommitOutcome(string TransactionId, TxValidationCode ValidationCode, ulong BlockNumber, byte[] Result);

/// <summary>
/// The Fabric Gateway protocol for one identity, channel and chaincode: Evaluate for reads; Endorse, sign,
/// Submit and CommitStatus for writes. Thread-safe: any number of calls may be in flight at once.
/// </summary>
internal sealed class FabricGatewayClient
{
    private const string Service = "/gateway.Gateway/";

    private readonly IGrpcUnaryCaller _caller;
    private readonly FabricIdentity _identity;
    private readonly TimeProvider _timeProvider;
    private readonly FabricTimeouts _timeouts;

    public FabricGatewayClient(IGrpcUnaryCaller caller, FabricIdentity identity, string channel, string chaincode, FabricTimeouts timeouts, TimeProvider timeProvider)
    {
        _caller = caller;
        _identity = identity;
        Channel = channel;
        Chaincode = chaincode;
        _timeouts = timeouts;
        _timeProvider = timeProvider;
    }

    public string Channel { get; }

    public string Chaincode { get; }

    /// <summary>Runs a read-only transaction function on a peer and returns its result payload.</summary>
    public async Task<byte[]> EvaluateAsync(string function, IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var proposal = NewProposal(function, args);
        var request = new EvaluateRequest
        {
            TransactionId = proposal.TransactionId,
            ChannelId = Channel,
            ProposedTransaction = proposal.SignedProposal,
        };
        var response = await _caller.CallAsync(Service + "Evaluate", request, EvaluateResponse.Parser, _timeouts.Evaluate, cancellationToken).ConfigureAwait(false);
        if (response.Result is null)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"Evaluate {function}: response has no result");
        }
        if (response.Result.Status >= 400)
        {
            throw new GrpcCallException(GrpcStatusCode.Aborted, $"Evaluate {function}: chaincode response {response.Result.Status}, {response.Result.Message}");
        }
        return response.Result.Payload.ToByteArray();
    }

    /// <summary>Endorses, signs and submits a transaction, then waits for its commit status.</summary>
    /// <param name="function">Transaction function name.</param>
    /// <param name="args">String arguments.</param>
    /// <param name="onSubmitted">Told the transaction id once the orderer accepted it (the outcome is unknown from then until the status arrives).</param>
    /// <param name="cancellationToken">Cancels waiting; a transaction already submitted may still commit.</param>
    public async Task<FabricCommitOutcome> SubmitAsync(string function, IReadOnlyList<string> args, Action<string>? onSubmitted = null, CancellationToken cancellationToken = default)
    {
        var proposal = NewProposal(function, args);
        var endorsement = await _caller.CallAsync(Service + "Endorse", new EndorseRequest
        {
            TransactionId = proposal.TransactionId,
            ChannelId = Channel,
            ProposedTransaction = proposal.SignedProposal,
        }, EndorseResponse.Parser, _timeouts.Endorse, cancellationToken).ConfigureAwait(false);

        var envelope = endorsement.PreparedTransaction
            ?? throw new GrpcCallException(GrpcStatusCode.Internal, $"Endorse {function}: response has no prepared transaction");
        var result = ReadPreparedTransaction(envelope, proposal.TransactionId, function);
        envelope.Signature = ByteString.CopyFrom(_identity.Sign(envelope.Payload.Span));

        await _caller.CallAsync(Service + "Submit", new SubmitRequest
        {
            TransactionId = proposal.TransactionId,
            ChannelId = Channel,
            PreparedTransaction = envelope,
        }, SubmitResponse.Parser, _timeouts.Submit, cancellationToken).ConfigureAwait(false);
        onSubmitted?.Invoke(proposal.TransactionId);

        var status = await CommitStatusAsync(proposal.TransactionId, cancellationToken).ConfigureAwait(false);
        return new FabricCommitOutcome(proposal.TransactionId, status.Result, status.BlockNumber, result);
    }

    /// <summary>Waits until the transaction is committed (validly or not) and returns its status.</summary>
    public Task<CommitStatusResponse> CommitStatusAsync(string transactionId, CancellationToken cancellationToken = default)
    {
        var request = new CommitStatusRequest
        {
            TransactionId = transactionId,
            ChannelId = Channel,
            Identity = ByteString.CopyFrom(_identity.Creator),
        }.ToByteArray();
        var signed = new SignedCommitStatusRequest
        {
            Request = ByteString.CopyFrom(request),
            Signature = ByteString.CopyFrom(_identity.Sign(request)),
        };
        return _caller.CallAsync(Service + "CommitStatus", signed, CommitStatusResponse.Parser, _timeouts.CommitStatus, cancellationToken);
    }

    private FabricProposal NewProposal(string function, IReadOnlyList<string> args) =>
        FabricProposal.Create(_identity, Channel, Chaincode, function, args, _timeProvider.GetUtcNow(), FabricTransactionId.NewNonce());

    // The client signs what the gateway prepared, so it first checks that the envelope is its own transaction,
    // and takes the chaincode's result from the endorsed action.
    private static byte[] ReadPreparedTransaction(Envelope envelope, string transactionId, string function)
    {
        try
        {
            var payload = Payload.Parser.ParseFrom(envelope.Payload);
            var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header?.ChannelHeader ?? ByteString.Empty);
            if (channelHeader.TxId != transactionId)
            {
                throw new GrpcCallException(GrpcStatusCode.Internal,
                    $"Endorse {function}: prepared transaction is for transaction id {channelHeader.TxId}, not {transactionId}");
            }
            var transaction = Transaction.Parser.ParseFrom(payload.Data);
            if (transaction.Actions.Count == 0)
            {
                throw new GrpcCallException(GrpcStatusCode.Internal, $"Endorse {function}: prepared transaction has no action");
            }
            var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
            var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action?.ProposalResponsePayload ?? ByteString.Empty);
            var action = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
            return action.Response?.Payload.ToByteArray() ?? [];
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, $"Endorse {function}: prepared transaction is malformed: {e.Message}", innerException: e);
        }
    }
}

/// <summary>Deadlines of the four Gateway calls.</summary>
internal sealed record FabricTimeouts(TimeSpan Evaluate, TimeSpan Endorse, TimeSpan Submit, TimeSpan CommitStatus);
