using Gateway.LedgerClient.Outbox;

namespace Gateway.LedgerClient.Fabric;

/// <summary>
/// A side chain on Fabric: the matching contract (<c>RecordDecisions</c>, <c>GetDecision</c>) or the electricity contract
/// (<c>RecordDeliveries</c>, <c>GetDelivery</c>) on its own channel. A batch of records is one transaction, all or nothing,
/// idempotent per key like the settlements.
/// </summary>
public sealed class FabricRoundRecordLedger : IRoundRecordLedger, ILedgerBatchWriter<RoundRecord>
{
    private readonly FabricContract _contract;
    private readonly string _recordFunction;
    private readonly string _getFunction;

    private FabricRoundRecordLedger(LedgerStream stream, FabricContract contract)
    {
        Stream = stream;
        _contract = contract;
        (_recordFunction, _getFunction) = stream switch
        {
            LedgerStream.Matching => ("RecordDecisions", "GetDecision"),
            LedgerStream.Electricity => ("RecordDeliveries", "GetDelivery"),
            _ => throw new ArgumentException("settlements go to a FabricLedger, not a round record ledger", nameof(stream)),
        };
    }

    /// <summary>Which side chain.</summary>
    public LedgerStream Stream { get; }

    /// <summary>The Fabric channel.</summary>
    public string Channel => _contract.Channel;

    /// <summary>The chaincode name.</summary>
    public string Chaincode => _contract.Chaincode;

    /// <summary>The ledger of <paramref name="stream"/> on <paramref name="channel"/>/<paramref name="chaincode"/> over a shared connection.</summary>
    public static FabricRoundRecordLedger Create(FabricConnection connection, LedgerStream stream, string channel, string chaincode)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        ArgumentException.ThrowIfNullOrWhiteSpace(chaincode);
        return new FabricRoundRecordLedger(stream, connection.Contract(channel, chaincode, typeof(FabricRoundRecordLedger).FullName!));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LedgerCommitResult>> CommitRecordsAsync(IReadOnlyList<RoundRecord> records, CancellationToken cancellationToken = default)
    {
        var prepared = await PrepareAsync(records, cancellationToken).ConfigureAwait(false);
        if (prepared.AlreadyOnLedger is { } known) return known;
        await prepared.SubmitAsync(cancellationToken).ConfigureAwait(false);
        return await prepared.WaitForCommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IPreparedLedgerBatch> PrepareAsync(IReadOnlyList<RoundRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0) throw new ArgumentException("a batch needs at least one record", nameof(records));
        var keys = new List<string>(records.Count);
        foreach (var record in records)
        {
            if (record.Stream != Stream) throw new ArgumentException($"record '{record.Key}' belongs to the {record.Stream.Name()} stream, not {Stream.Name()}", nameof(records));
            try
            {
                record.ToCanonicalBytes();
            }
            catch (ArgumentException e)
            {
                throw new LedgerRecordRejectedException(record.Key, e.Message);
            }
            if (keys.Contains(record.Key, StringComparer.Ordinal)) throw new LedgerRecordRejectedException(record.Key, $"record '{record.Key}' appears twice in one batch");
            keys.Add(record.Key);
        }
        var transaction = await _contract.EndorseAsync(_recordFunction, RoundRecordJson.SerializeBatch(records), keys, cancellationToken).ConfigureAwait(false);
        var results = _contract.Decode(transaction.Result, _recordFunction, _ => RoundRecordJson.DeserializeBatchResult(transaction.Result));
        if (results.Count != records.Count || results.Where((r, i) => r.Key != keys[i]).Any())
        {
            throw new FabricLedgerException(FabricFailureKind.ProtocolError,
                $"{_recordFunction} answered for {results.Count} records in another order than the {records.Count} sent", transaction.TransactionId);
        }
        return new PreparedRecords(_contract, transaction, results);
    }

    /// <inheritdoc />
    public async Task<StoredRoundRecord?> GetRecordAsync(LedgerStream stream, string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (stream != Stream) throw new ArgumentException($"this ledger holds the {Stream.Name()} stream, not {stream.Name()}", nameof(stream));
        var payload = await _contract.EvaluateAsync(_getFunction, key, cancellationToken).ConfigureAwait(false);
        if (payload.Length == 0) return null;
        return _contract.Decode(payload, _getFunction, _ => RoundRecordJson.Deserialize(stream, payload));
    }

    private sealed class PreparedRecords(FabricContract contract, EndorsedTransaction transaction, IReadOnlyList<(string Key, bool Already, string? TransactionId)> results)
        : IPreparedLedgerBatch
    {
        public string? TransactionId => AlreadyOnLedger is null ? transaction.TransactionId : null;

        public IReadOnlyList<LedgerCommitResult>? AlreadyOnLedger { get; } = results.All(r => r.Already)
            ? results.Select(r => new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, FabricLedger.UnknownBlockNumber, r.TransactionId ?? "")).ToList()
            : null;

        public Task SubmitAsync(CancellationToken cancellationToken = default) => contract.SubmitAsync(transaction, cancellationToken);

        public async Task<IReadOnlyList<LedgerCommitResult>> WaitForCommitAsync(CancellationToken cancellationToken = default)
        {
            var commit = await contract.WaitForCommitAsync(transaction.TransactionId, cancellationToken).ConfigureAwait(false);
            return results.Select(r => r.Already
                ? new LedgerCommitResult(LedgerCommitOutcome.AlreadyCommitted, FabricLedger.UnknownBlockNumber, r.TransactionId ?? "")
                : new LedgerCommitResult(LedgerCommitOutcome.Committed, (long)commit.BlockNumber, commit.TransactionId)).ToList();
        }
    }
}
