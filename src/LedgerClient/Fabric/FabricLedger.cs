using System.Runtime.CompilerServices;
using Gateway.LedgerClient.Outbox;
using Microsoft.Extensions.Logging;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// Settlements on a Hyperledger Fabric channel (the transaction main chain) through the peer's Gateway service and
/// the settlement chaincode (src/LedgerClient/chaincode). A batch of settlements — a round's — is one transaction,
/// <c>CommitSettlements</c>: all or nothing, idempotent per settlement (one already on the chain with identical content
/// is reported <see cref="LedgerCommitOutcome.AlreadyCommitted"/>, one with other content refuses the batch and is
/// named), amounts and the batch's totals checked by the chaincode. Failures are <see cref="FabricLedgerException"/>s
/// that say whether a retry can help. Any number of batches may be in flight; the outbox decides their order by the
/// order in which it submits them (<see cref="ILedgerBatchWriter{T}"/>).
/// </summary>
public sealed class FabricLedger : ISettlementBatchLedger, ILedgerBatchWriter<SettlementRecord>, ISettlementFeed, IDisposable
{
    /// <summary>Block number reported when a settlement was found already committed (the chaincode cannot know its block).</summary>
    public const long UnknownBlockNumber = -1;

    /// <summary>Name of the event the chaincode emits for every transaction that commits settlements.</summary>
    public const string CommittedEventName = "SettlementsCommitted";

    private readonly FabricContract _contract;
    private readonly FabricConnection? _ownedConnection;

    private FabricLedger(FabricContract contract, FabricConnection? ownedConnection)
    {
        _contract = contract;
        _ownedConnection = ownedConnection;
    }

    /// <summary>The Fabric channel.</summary>
    public string Channel => _contract.Channel;

    /// <summary>The chaincode name.</summary>
    public string Chaincode => _contract.Chaincode;

    /// <summary>Validates the options, loads the identity and TLS trust, and connects lazily on the first call.</summary>
    /// <param name="options">Peer, identity, channel and chaincode.</param>
    /// <param name="wallClock">Wall time (never the plant's accelerated clock): proposal timestamps and call deadlines.</param>
    /// <param name="loggers">Where warnings go.</param>
    public static FabricLedger Create(FabricLedgerOptions options, TimeProvider? wallClock = null, ILoggerFactory? loggers = null)
    {
        var connection = FabricConnection.Open(options, wallClock, loggers);
        return new FabricLedger(connection.Contract(options.Channel, options.Chaincode, typeof(FabricLedger).FullName!), connection);
    }

    /// <summary>A ledger on <paramref name="channel"/>/<paramref name="chaincode"/> over a shared connection (not disposed with it).</summary>
    public static FabricLedger Create(FabricConnection connection, string channel, string chaincode)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(chaincode);
        return new FabricLedger(connection.Contract(channel, chaincode, typeof(FabricLedger).FullName!), null);
    }

    /// <inheritdoc />
    public async Task<LedgerCommitResult> CommitAsync(SettlementRecord settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        return (await CommitBatchAsync([settlement], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LedgerCommitResult>> CommitBatchAsync(IReadOnlyList<SettlementRecord> settlements, CancellationToken cancellationToken = default)
    {
        var prepared = await PrepareAsync(settlements, cancellationToken).ConfigureAwait(false);
        if (prepared.AlreadyOnLedger is { } known) return known;
        await prepared.SubmitAsync(cancellationToken).ConfigureAwait(false);
        return await prepared.WaitForCommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Has <c>CommitSettlements</c> endorsed: the chaincode checks every settlement's balance, the batch's totals and
    /// each id against the ledger, and names the settlement it refuses.
    /// </summary>
    public async Task<IPreparedLedgerBatch> PrepareAsync(IReadOnlyList<SettlementRecord> settlements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlements);
        if (settlements.Count == 0) throw new ArgumentException("a batch needs at least one settlement", nameof(settlements));
        foreach (var settlement in settlements) ArgumentNullException.ThrowIfNull(settlement, nameof(settlements));
        var keys = settlements.Select(s => s.SettlementId).ToArray();
        var transaction = await _contract.EndorseAsync("CommitSettlements", SettlementJson.SerializeBatch(settlements), keys, cancellationToken).ConfigureAwait(false);
        var results = _contract.Decode(transaction.Result, "CommitSettlements", _ => SettlementJson.DeserializeBatchResult(transaction.Result));
        if (results.Count != settlements.Count || results.Where((r, i) => r.SettlementId != keys[i]).Any())
        {
            throw new FabricLedgerException(FabricFailureKind.ProtocolError,
                $"CommitSettlements answered for {results.Count} settlements in another order than the {settlements.Count} sent", transaction.TransactionId);
        }
        return new PreparedSettlements(this, _contract, transaction, settlements, results);
    }

    /// <inheritdoc />
    public async Task<SettlementRecord?> GetAsync(string settlementId, CancellationToken cancellationToken = default) =>
        (await FindAsync(settlementId, cancellationToken).ConfigureAwait(false))?.Settlement;

    /// <summary>The settlement with this id and the transaction that committed it, or null.</summary>
    public async Task<(SettlementRecord Settlement, string? TransactionId)?> FindAsync(string settlementId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settlementId);
        var payload = await _contract.EvaluateAsync("GetSettlement", settlementId, cancellationToken).ConfigureAwait(false);
        if (payload.Length == 0) return null;
        return _contract.Decode(payload, "GetSettlement", _ => SettlementJson.Deserialize(payload));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SettlementRecord>> QueryRoundAsync(string roundId, CancellationToken cancellationToken = default) =>
        (await QueryRoundEntriesAsync(roundId, cancellationToken).ConfigureAwait(false)).Select(e => e.Settlement).ToList();

    /// <summary>All settlements of one round with the transaction that committed each, in commit order.</summary>
    public async Task<IReadOnlyList<(SettlementRecord Settlement, string? TransactionId)>> QueryRoundEntriesAsync(string roundId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roundId);
        var payload = await _contract.EvaluateAsync("QueryRound", roundId, cancellationToken).ConfigureAwait(false);
        return _contract.Decode(payload, "QueryRound", _ => SettlementJson.DeserializeList(payload));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<CommittedSettlement> FollowAsync(long? fromBlock, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ulong? start = fromBlock is { } b ? (ulong)Math.Max(0, b) : null;
        await foreach (var response in _contract.EventsAsync(start, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var e in response.Events)
            {
                if (e.EventName != CommittedEventName) continue;
                var payload = e.Payload.ToByteArray();
                foreach (var settlement in _contract.Decode(payload, CommittedEventName, _ => SettlementJson.DeserializeEvent(payload)))
                    yield return new CommittedSettlement(settlement, (long)response.BlockNumber, e.TxId);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _ownedConnection?.Dispose();

    private sealed class PreparedSettlements(FabricLedger ledger, FabricContract contract, EndorsedTransaction transaction, IReadOnlyList<SettlementRecord> settlements,
        IReadOnlyList<(string SettlementId, bool Already, string? TransactionId)> results)
        : IPreparedLedgerBatch
    {
        public string? TransactionId => AlreadyOnLedger is null ? transaction.TransactionId : null;

        public IReadOnlyList<LedgerCommitResult>? AlreadyOnLedger { get; } = results.All(r => r.Already)
            ? results.Select(r => new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, UnknownBlockNumber, r.TransactionId ?? "")).ToList()
            : null;

        public Task SubmitAsync(CancellationToken cancellationToken = default) => contract.SubmitAsync(transaction, cancellationToken);

        public async Task<IReadOnlyList<LedgerCommitResult>> WaitForCommitAsync(CancellationToken cancellationToken = default)
        {
            FabricCommit commit;
            try
            {
                commit = await contract.WaitForCommitAsync(transaction.TransactionId, cancellationToken).ConfigureAwait(false);
            }
            catch (FabricLedgerException e) when (e.Kind == FabricFailureKind.ReadConflict)
            {
                // Usually a concurrent commit of the very same settlements (two gateways, or a retry racing a lost answer):
                // if every one is now on the chain with this content, the batch is done.
                return await ResolveReadConflictAsync(e, cancellationToken).ConfigureAwait(false);
            }
            return results.Select(r => r.Already
                ? new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, UnknownBlockNumber, r.TransactionId ?? "")
                : new LedgerCommitResult(LedgerCommitOutcome.Committed, (long)commit.BlockNumber, commit.TransactionId)).ToList();
        }

        private async Task<IReadOnlyList<LedgerCommitResult>> ResolveReadConflictAsync(FabricLedgerException conflict, CancellationToken cancellationToken)
        {
            var resolved = new List<LedgerCommitResult>(settlements.Count);
            foreach (var settlement in settlements)
            {
                (SettlementRecord Settlement, string? TransactionId)? stored;
                try
                {
                    stored = await ledger.FindAsync(settlement.SettlementId, cancellationToken).ConfigureAwait(false);
                }
                catch (FabricLedgerException)
                {
                    throw conflict;
                }
                if (stored is not { } found || !SettlementJson.SameContent(found.Settlement, settlement)) throw conflict;
                resolved.Add(new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, UnknownBlockNumber, found.TransactionId ?? ""));
            }
            return resolved;
        }
    }
}
