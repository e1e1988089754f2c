using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// Settlements on a Hyperledger Fabric channel through the peer's Gateway service and the settlement
/// chaincode (src/LedgerClient/chaincode). Commits are idempotent on the settlement id: the chaincode refuses a
/// second copy, and this class turns that refusal into <see cref="LedgerCommitOutcome.AlreadyCommitted"/> when the
/// stored settlement is identical. Failures are <see cref="FabricLedgerException"/>s that say whether a retry can
/// help. Any number of commits may run concurrently (each awaits its own commit status), which is how throughput
/// is reached: one block carries many of them.
/// </summary>
public sealed class FabricLedger : ISettlementLedger, IDisposable
{
    /// <summary>Block number reported when a settlement was found already committed (Fabric does not tell which block).</summary>
    public const long UnknownBlockNumber = -1;

    private readonly FabricGatewayClient _client;
    private readonly IDisposable[] _owned;
    private readonly ILogger _logger;

    private FabricLedger(FabricGatewayClient client, ILogger logger, params IDisposable[] owned)
    {
        _client = client;
        _logger = logger;
        _owned = owned;
    }

    /// <summary>Validates the options, loads the identity and TLS trust, and connects lazily on the first call.</summary>
    public static FabricLedger Create(FabricLedgerOptions options, TimeProvider? timeProvider = null, ILogger<FabricLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        var clock = timeProvider ?? TimeProvider.System;
        var identity = FabricIdentity.FromPemFiles(options.MspId, options.CertificatePath, options.PrivateKeyPath);
        try
        {
            var endpoint = new Uri(options.PeerEndpoint);
            var roots = endpoint.Scheme == Uri.UriSchemeHttps ? CaTrust.LoadPemBundle(options.TlsCaCertificatePath!) : null;
            var caller = new HttpGrpcUnaryCaller(endpoint, roots, options.TlsServerName, timeProvider: clock);
            return Create(caller, identity, options, clock, logger, caller, identity);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    /// <summary>Builds a ledger over any <see cref="IGrpcUnaryCaller"/> (the seam a Grpc.Net.Client adapter would plug into).</summary>
    public static FabricLedger Create(IGrpcUnaryCaller caller, FabricIdentity identity, FabricLedgerOptions options,
        TimeProvider? timeProvider = null, ILogger<FabricLedger>? logger = null, params IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        var timeouts = new FabricTimeouts(options.EvaluateTimeout, options.EndorseTimeout, options.SubmitTimeout, options.CommitStatusTimeout);
        var client = new FabricGatewayClient(caller, identity, options.Channel, options.Chaincode, timeouts, timeProvider ?? TimeProvider.System);
        return new FabricLedger(client, (ILogger?)logger ?? NullLogger.Instance, owned);
    }

    /// <inheritdoc />
    public async Task<LedgerCommitResult> CommitAsync(SettlementRecord settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        if (string.IsNullOrWhiteSpace(settlement.SettlementId))
        {
            throw new ArgumentException("settlement id must not be empty", nameof(settlement));
        }
        string? submittedTransactionId = null;
        FabricCommitOutcome outcome;
        try
        {
            outcome = await _client.SubmitAsync("CommitSettlement", [SettlementJson.Serialize(settlement)],
                transactionId => submittedTransactionId = transactionId, cancellationToken).ConfigureAwait(false);
        }
        catch (GrpcCallException e) when (FabricFailureClassifier.IsDuplicateSettlement(e))
        {
            return await ResolveDuplicateAsync(settlement, cancellationToken).ConfigureAwait(false);
        }
        catch (GrpcCallException e)
        {
            var kind = FabricFailureClassifier.Classify(e);
            var stage = submittedTransactionId is null ? "not committed" : $"outcome of transaction {submittedTransactionId} unknown";
            _logger.LogWarning("Fabric commit of settlement {SettlementId} failed ({Kind}, {Stage}): {Error}", settlement.SettlementId, kind, stage, e.Message);
            throw new FabricLedgerException(kind, $"settlement {settlement.SettlementId} {stage}: {e.Message}", submittedTransactionId, e);
        }

        if (outcome.ValidationCode == TxValidationCode.Valid)
        {
            return new LedgerCommitResult(LedgerCommitOutcome.Committed, (long)outcome.BlockNumber, outcome.TransactionId);
        }
        var failure = FabricFailureClassifier.Classify(outcome.ValidationCode);
        if (failure == FabricFailureKind.ReadConflict)
        {
            // A concurrent commit of the very same settlement is the usual cause: if it is now there, this one is done.
            var stored = await TryGetStoredAsync(settlement.SettlementId, cancellationToken).ConfigureAwait(false);
            if (stored is { } existing && SettlementJson.SameContent(existing.Settlement, settlement))
            {
                return new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, UnknownBlockNumber, existing.TransactionId ?? outcome.TransactionId);
            }
        }
        _logger.LogWarning("Fabric transaction {TransactionId} for settlement {SettlementId} was invalidated: {Code}", outcome.TransactionId, settlement.SettlementId, outcome.ValidationCode);
        throw new FabricLedgerException(failure,
            $"settlement {settlement.SettlementId}: transaction {outcome.TransactionId} was committed in block {outcome.BlockNumber} as invalid ({outcome.ValidationCode})",
            outcome.TransactionId);
    }

    /// <inheritdoc />
    public async Task<SettlementRecord?> GetAsync(string settlementId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settlementId);
        return (await GetStoredAsync(settlementId, cancellationToken).ConfigureAwait(false))?.Settlement;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SettlementRecord>> QueryRoundAsync(string roundId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roundId);
        var payload = await EvaluateAsync("QueryRound", roundId, cancellationToken).ConfigureAwait(false);
        return Decode(() => SettlementJson.DeserializeList(payload), "QueryRound", roundId);
    }

    private async Task<LedgerCommitResult> ResolveDuplicateAsync(SettlementRecord settlement, CancellationToken cancellationToken)
    {
        var stored = await GetStoredAsync(settlement.SettlementId, cancellationToken).ConfigureAwait(false)
            ?? throw new FabricLedgerException(FabricFailureKind.ProtocolError,
                $"the chaincode reports settlement {settlement.SettlementId} as already committed, but GetSettlement does not find it");
        if (!SettlementJson.SameContent(stored.Settlement, settlement))
        {
            throw new FabricLedgerException(FabricFailureKind.ConflictingDuplicate,
                $"settlement {settlement.SettlementId} is already on the ledger with different content (stored: {stored.Settlement}; offered: {settlement})",
                stored.TransactionId);
        }
        return new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, UnknownBlockNumber, stored.TransactionId ?? "");
    }

    private async Task<(SettlementRecord Settlement, string? TransactionId)?> GetStoredAsync(string settlementId, CancellationToken cancellationToken)
    {
        var payload = await EvaluateAsync("GetSettlement", settlementId, cancellationToken).ConfigureAwait(false);
        if (payload.Length == 0)
        {
            return null;
        }
        return Decode(() => SettlementJson.Deserialize(payload), "GetSettlement", settlementId);
    }

    private async Task<(SettlementRecord Settlement, string? TransactionId)?> TryGetStoredAsync(string settlementId, CancellationToken cancellationToken)
    {
        try
        {
            return await GetStoredAsync(settlementId, cancellationToken).ConfigureAwait(false);
        }
        catch (FabricLedgerException e)
        {
            _logger.LogDebug("could not check whether settlement {SettlementId} is on the ledger: {Error}", settlementId, e.Message);
            return null;
        }
    }

    private async Task<byte[]> EvaluateAsync(string function, string argument, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.EvaluateAsync(function, [argument], cancellationToken).ConfigureAwait(false);
        }
        catch (GrpcCallException e)
        {
            throw new FabricLedgerException(FabricFailureClassifier.Classify(e), $"{function}({argument}) failed: {e.Message}", innerException: e);
        }
    }

    private static T Decode<T>(Func<T> decode, string function, string argument)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw new FabricLedgerException(FabricFailureKind.ProtocolError, $"{function}({argument}) returned data that is not a settlement: {e.Message}", innerException: e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
