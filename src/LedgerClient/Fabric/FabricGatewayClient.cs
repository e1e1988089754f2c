using System.Runtime.CompilerServices;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Grpc.Core;

namespace Gateway.LedgerClient.Fabric;

/// <summary>A transaction endorsed and signed by this client, ready to be handed to the orderers.</summary>
/// <param name="TransactionId">Fabric transaction id (hex SHA-256 of nonce and creator).</param>
/// <param name="Envelope">The prepared transaction with this client's signature.</param>
/// <param name="Result">The chaincode's result payload, as endorsed.</param>
internal sealed record EndorsedTransaction(string TransactionId, Envelope Envelope, byte[] Result);

/// <summary>
/// The Fabric Gateway protocol for one identity, channel and chaincode, over the client Grpc.Tools generated from
/// the Gateway service definition: Evaluate for reads; Endorse, sign, Submit and CommitStatus for writes;
/// ChaincodeEvents to follow what the peer commits. Thread-safe: any number of calls may be in flight at once.
/// Failures surface as <see cref="RpcException"/> (the peer's status) or <see cref="FabricLedgerException"/> (an
/// answer this client cannot accept).
/// </summary>
internal sealed class FabricGatewayClient
{
    private readonly Protos.Gateway.GatewayClient _gateway;
    private readonly FabricIdentity _identity;
    private readonly TimeProvider _wallClock;
    private readonly FabricTimeouts _timeouts;

    /// <param name="gateway">The generated Gateway client over a channel to the peer.</param>
    /// <param name="identity">Who signs.</param>
    /// <param name="channel">Fabric channel name.</param>
    /// <param name="chaincode">Chaincode name on that channel.</param>
    /// <param name="timeouts">Deadlines of the calls.</param>
    /// <param name="wallClock">Wall time: proposal timestamps and call deadlines reach the peer, so never a simulated clock.</param>
    public FabricGatewayClient(Protos.Gateway.GatewayClient gateway, FabricIdentity identity, string channel, string chaincode, FabricTimeouts timeouts, TimeProvider wallClock)
    {
        _gateway = gateway;
        _identity = identity;
        Channel = channel;
        Chaincode = chaincode;
        _timeouts = timeouts;
        _wallClock = wallClock;
    }

    public string Channel { get; }

    public string Chaincode { get; }

    /// <summary>Runs a read-only transaction function on a peer and returns its result payload.</summary>
    public async Task<byte[]> EvaluateAsync(string function, IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var proposal = NewProposal(function, args);
        var response = await _gateway.EvaluateAsync(new EvaluateRequest
        {
            TransactionId = proposal.TransactionId,
            ChannelId = Channel,
            ProposedTransaction = proposal.SignedProposal,
        }, deadline: Deadline(_timeouts.Evaluate), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Result is null)
        {
            throw new FabricLedgerException(FabricFailureKind.ProtocolError, $"Evaluate {function}: response has no result");
        }
        if (response.Result.Status >= 400)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Aborted, $"Evaluate {function}: chaincode response {response.Result.Status}, {response.Result.Message}"));
        }
        return response.Result.Payload.ToByteArray();
    }

    /// <summary>Has the transaction endorsed and signs what the gateway prepared (after checking it is this transaction).</summary>
    public async Task<EndorsedTransaction> EndorseAsync(string function, IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var proposal = NewProposal(function, args);
        var endorsement = await _gateway.EndorseAsync(new EndorseRequest
        {
            TransactionId = proposal.TransactionId,
            ChannelId = Channel,
            ProposedTransaction = proposal.SignedProposal,
        }, deadline: Deadline(_timeouts.Endorse), cancellationToken: cancellationToken).ConfigureAwait(false);
        var envelope = endorsement.PreparedTransaction
            ?? throw new FabricLedgerException(FabricFailureKind.ProtocolError, $"Endorse {function}: response has no prepared transaction");
        var result = ReadPreparedTransaction(envelope, proposal.TransactionId, function);
        envelope.Signature = ByteString.CopyFrom(_identity.Sign(envelope.Payload.Span));
        return new EndorsedTransaction(proposal.TransactionId, envelope, result);
    }

    /// <summary>Hands a signed transaction to the orderers (through the peer's gateway); returns once they accepted it.</summary>
    public async Task SubmitAsync(EndorsedTransaction transaction, CancellationToken cancellationToken = default)
    {
        await _gateway.SubmitAsync(new SubmitRequest
        {
            TransactionId = transaction.TransactionId,
            ChannelId = Channel,
            PreparedTransaction = transaction.Envelope,
        }, deadline: Deadline(_timeouts.Submit), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the transaction is committed (validly or not) and returns its status.</summary>
    public async Task<CommitStatusResponse> CommitStatusAsync(string transactionId, CancellationToken cancellationToken = default)
    {
        var request = new CommitStatusRequest
        {
            TransactionId = transactionId,
            ChannelId = Channel,
            Identity = ByteString.CopyFrom(_identity.Creator),
        }.ToByteArray();
        return await _gateway.CommitStatusAsync(new SignedCommitStatusRequest
        {
            Request = ByteString.CopyFrom(request),
            Signature = ByteString.CopyFrom(_identity.Sign(request)),
        }, deadline: Deadline(_timeouts.CommitStatus), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The chaincode's events, one response per block that has any, in block order, from <paramref name="startBlock"/>
    /// (null: the next block the peer commits) on, until cancelled. No deadline: a follower waits as long as it likes.
    /// </summary>
    public async IAsyncEnumerable<ChaincodeEventsResponse> ChaincodeEventsAsync(ulong? startBlock, string? afterTransactionId,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ChaincodeEventsRequest
        {
            ChannelId = Channel,
            ChaincodeId = Chaincode,
            Identity = ByteString.CopyFrom(_identity.Creator),
            StartPosition = startBlock is { } block
                ? new SeekPosition { Specified = new SeekSpecified { Number = block } }
                : new SeekPosition { NextCommit = new SeekNextCommit() },
            AfterTransactionId = afterTransactionId ?? "",
        }.ToByteArray();
        using var call = _gateway.ChaincodeEvents(new SignedChaincodeEventsRequest
        {
            Request = ByteString.CopyFrom(request),
            Signature = ByteString.CopyFrom(_identity.Sign(request)),
        }, cancellationToken: cancellationToken);
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return response;
        }
    }

    private DateTime Deadline(TimeSpan timeout) => (_wallClock.GetUtcNow() + timeout).UtcDateTime;

    private FabricProposal NewProposal(string function, IReadOnlyList<string> args) =>
        FabricProposal.Create(_identity, Channel, Chaincode, function, args, _wallClock.GetUtcNow(), FabricTransactionId.NewNonce());

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
                throw new FabricLedgerException(FabricFailureKind.ProtocolError,
                    $"Endorse {function}: prepared transaction is for transaction id {channelHeader.TxId}, not {transactionId}");
            }
            var transaction = Transaction.Parser.ParseFrom(payload.Data);
            if (transaction.Actions.Count == 0)
            {
                throw new FabricLedgerException(FabricFailureKind.ProtocolError, $"Endorse {function}: prepared transaction has no action");
            }
            var actionPayload = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload);
            var responsePayload = ProposalResponsePayload.Parser.ParseFrom(actionPayload.Action?.ProposalResponsePayload ?? ByteString.Empty);
            var action = ChaincodeAction.Parser.ParseFrom(responsePayload.Extension);
            return action.Response?.Payload.ToByteArray() ?? [];
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FabricLedgerException(FabricFailureKind.ProtocolError, $"Endorse {function}: prepared transaction is malformed: {e.Message}", innerException: e);
        }
    }
}

/// <summary>Deadlines of the four unary Gateway calls.</summary>
internal sealed record FabricTimeouts(TimeSpan Evaluate, TimeSpan Endorse, TimeSpan Submit, TimeSpan CommitStatus);
