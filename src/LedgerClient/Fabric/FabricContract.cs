using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.LedgerClient.Fabric.Protos;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Gateway.LedgerClient.Fabric;

/// <summary>A transaction that is valid in a block.</summary>
/// <param name="TransactionId">Its Fabric transaction id.</param>
/// <param name="BlockNumber">The block it was committed in.</param>
internal sealed record FabricCommit(string TransactionId, ulong BlockNumber);

/// <summary>
/// One chaincode on one channel as the ledgers use it: every failure becomes a <see cref="FabricLedgerException"/>
/// that says whether a retry can help and, for a batch, which item the chaincode refused.
/// </summary>
internal sealed class FabricContract
{
    private readonly FabricGatewayClient _client;
    private readonly ILogger _logger;

    public FabricContract(FabricGatewayClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    public string Channel => _client.Channel;

    public string Chaincode => _client.Chaincode;

    public async Task<byte[]> EvaluateAsync(string function, string argument, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.EvaluateAsync(function, [argument], cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the caller cancelled the call", e, cancellationToken);
        }
        catch (RpcException e)
        {
            throw new FabricLedgerException(FabricFailureClassifier.Classify(e), $"{Where} {function}({argument}) failed: {FabricRpcError.Describe(e)}", innerException: e);
        }
    }

    /// <summary>
    /// Endorses <paramref name="function"/>(<paramref name="argument"/>). A refusal is permanent or not as the
    /// classifier says; when the peer's message quotes one of <paramref name="itemKeys"/> (as "key"), the failure names it.
    /// </summary>
    public async Task<EndorsedTransaction> EndorseAsync(string function, string argument, IReadOnlyList<string> itemKeys, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.EndorseAsync(function, [argument], cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the caller cancelled the call", e, cancellationToken);
        }
        catch (RpcException e)
        {
            var kind = FabricFailureClassifier.Classify(e);
            var text = FabricRpcError.AllText(e);
            var item = kind is FabricFailureKind.Rejected or FabricFailureKind.ConflictingDuplicate ? NamedItem(text, itemKeys) : null;
            _logger.LogWarning("Fabric endorsement of {Function} on {Channel} failed ({Kind}): {Error}", function, Channel, kind, FabricRpcError.Describe(e));
            throw new FabricLedgerException(kind, $"{Where} {function} not endorsed: {FabricRpcError.Describe(e)}", innerException: e, itemKey: item);
        }
    }

    public async Task SubmitAsync(EndorsedTransaction transaction, CancellationToken cancellationToken)
    {
        try
        {
            await _client.SubmitAsync(transaction, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the caller cancelled the call", e, cancellationToken);
        }
        catch (RpcException e)
        {
            // A submit that failed may still have reached the orderer: the outcome is unknown, so it is never permanent
            // unless the peer refused the envelope outright (a bad signature, an unknown channel).
            var kind = FabricFailureClassifier.Classify(e);
            throw new FabricLedgerException(kind, $"{Where} transaction {transaction.TransactionId} not accepted by the orderers: {FabricRpcError.Describe(e)}", transaction.TransactionId, e);
        }
    }

    /// <summary>Waits for the commit status; an invalidated transaction throws (MVCC conflicts are retryable, the rest permanent).</summary>
    public async Task<FabricCommit> WaitForCommitAsync(string transactionId, CancellationToken cancellationToken)
    {
        CommitStatusResponse status;
        try
        {
            status = await _client.CommitStatusAsync(transactionId, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the caller cancelled the call", e, cancellationToken);
        }
        catch (RpcException e)
        {
            var kind = FabricFailureClassifier.Classify(e);
            // Whatever the peer says here, the transaction itself may still commit: its outcome is unknown, never permanent.
            if (kind is not (FabricFailureKind.Unavailable or FabricFailureKind.Timeout)) kind = FabricFailureKind.Timeout;
            throw new FabricLedgerException(kind, $"{Where} outcome of transaction {transactionId} unknown: {FabricRpcError.Describe(e)}", transactionId, e);
        }
        if (status.Result == TxValidationCode.Valid)
        {
            return new FabricCommit(transactionId, status.BlockNumber);
        }
        var failure = FabricFailureClassifier.Classify(status.Result);
        _logger.LogWarning("Fabric transaction {TransactionId} on {Channel} was invalidated in block {Block}: {Code}", transactionId, Channel, status.BlockNumber, status.Result);
        throw new FabricLedgerException(failure,
            $"{Where} transaction {transactionId} was committed in block {status.BlockNumber} as invalid ({status.Result})", transactionId);
    }

    /// <summary>The chaincode's events block by block, from <paramref name="startBlock"/> (null: the next block) on.</summary>
    public async IAsyncEnumerable<ChaincodeEventsResponse> EventsAsync(ulong? startBlock, string? afterTransactionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = _client.ChaincodeEventsAsync(startBlock, afterTransactionId, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false)) yield break;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("the caller cancelled the event stream", e, cancellationToken);
                }
                catch (RpcException e)
                {
                    throw new FabricLedgerException(FabricFailureClassifier.Classify(e), $"{Where} event stream ended: {FabricRpcError.Describe(e)}", innerException: e);
                }
                yield return stream.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Parses a chaincode answer; a malformed one is a protocol error.</summary>
    public T Decode<T>(ReadOnlySpan<byte> payload, string function, Func<JsonElement, T> read)
    {
        try
        {
            return read(JsonSerializer.Deserialize<JsonElement>(payload));
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FabricLedgerException(FabricFailureKind.ProtocolError, $"{Where} {function} returned data this client does not understand: {e.Message}", innerException: e);
        }
    }

    private string Where => $"{Chaincode}@{Channel}:";

    private static string? NamedItem(string text, IReadOnlyList<string> itemKeys)
    {
        foreach (var key in itemKeys)
        {
            // The chaincode quotes the id it refuses; ids carry no quote characters.
            if (text.Contains('"' + key + '"', StringComparison.Ordinal)) return key;
        }
        return null;
    }
}
