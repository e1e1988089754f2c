using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Outbox;

/// <summary>One queued item of a lane: its row and its key (settlement id or record key).</summary>
internal sealed record LaneRow(long Sequence, string Key, object Item);

/// <summary>Rows the dispatcher commits as one ledger transaction (a round's settlements, or one round record).</summary>
internal sealed record LaneBatch(IReadOnlyList<LaneRow> Rows)
{
    public LaneBatch Without(string key) => new(Rows.Where(r => r.Key != key).ToList());
}

/// <summary>
/// One stream's way from its outbox table to its ledger: which rows are pending, grouped into batches, and how a
/// batch is prepared. The dispatcher runs the same window logic over every lane.
/// </summary>
internal abstract class OutboxLane
{
    /// <summary>Stream name, for logs and results.</summary>
    public abstract string Name { get; }

    /// <summary>The outbox table.</summary>
    public abstract string Table { get; }

    /// <summary>True when batches can be prepared concurrently and submitted in order (Fabric); false when preparing commits (embedded).</summary>
    public abstract bool Pipelined { get; }

    /// <summary>Pending rows in queue order, grouped into at most <paramref name="maxBatches"/> batches of at most <paramref name="maxRows"/> rows.</summary>
    public abstract Task<IReadOnlyList<LaneBatch>> ReadPendingAsync(SqliteConnection journal, int maxBatches, int maxRows, CancellationToken cancellationToken);

    public abstract Task<IPreparedLedgerBatch> PrepareAsync(LaneBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Groups rows in queue order: rows of the same batch key together (split when larger than <paramref name="maxRows"/>),
    /// rows without a key in runs of up to <paramref name="maxRows"/>. When the read was cut at its limit, the last group may
    /// be incomplete and is left for the next tick (unless it is the only one).
    /// </summary>
    protected static IReadOnlyList<LaneBatch> Group(IReadOnlyList<(LaneRow Row, string? BatchKey)> rows, int maxBatches, int maxRows, bool readWasCut)
    {
        var groups = new List<(string? Key, List<LaneRow> Rows)>();
        foreach (var (row, key) in rows)
        {
            var last = groups.Count > 0 ? groups[^1] : default;
            if (groups.Count > 0 && last.Key == key && last.Rows.Count < maxRows) last.Rows.Add(row);
            else groups.Add((key, [row]));
        }
        if (readWasCut && groups.Count > 1) groups.RemoveAt(groups.Count - 1);
        return groups.Take(maxBatches).Select(g => new LaneBatch(g.Rows)).ToList();
    }
}

/// <summary>The settlement lane: <see cref="SettlementOutbox"/> rows to the main chain.</summary>
internal sealed class SettlementLane(ILedgerBatchWriter<SettlementRecord> writer, bool pipelined) : OutboxLane
{
    public override string Name => LedgerStream.Settlements.Name();

    public override string Table => SettlementOutbox.TableName;

    public override bool Pipelined => pipelined;

    public override async Task<IReadOnlyList<LaneBatch>> ReadPendingAsync(SqliteConnection journal, int maxBatches, int maxRows, CancellationToken cancellationToken)
    {
        var limit = Math.Max(maxRows, maxBatches * maxRows);
        var entries = await SettlementOutbox.ReadEntriesAsync(journal, OutboxEntryState.Pending, limit, cancellationToken).ConfigureAwait(false);
        return Group(entries.Select(e => (new LaneRow(e.Sequence, e.Settlement.SettlementId, e.Settlement), e.BatchKey)).ToList(), maxBatches, maxRows, entries.Count == limit);
    }

    public override Task<IPreparedLedgerBatch> PrepareAsync(LaneBatch batch, CancellationToken cancellationToken) =>
        writer.PrepareAsync(batch.Rows.Select(r => (SettlementRecord)r.Item).ToList(), cancellationToken);
}

/// <summary>A side-chain lane: one stream's <see cref="RoundRecordOutbox"/> rows to its ledger, each record its own batch.</summary>
internal sealed class RoundRecordLane(LedgerStream stream, ILedgerBatchWriter<RoundRecord> writer, bool pipelined) : OutboxLane
{
    public override string Name => stream.Name();

    public override string Table => RoundRecordOutbox.TableName;

    public override bool Pipelined => pipelined;

    public override async Task<IReadOnlyList<LaneBatch>> ReadPendingAsync(SqliteConnection journal, int maxBatches, int maxRows, CancellationToken cancellationToken)
    {
        var entries = await RoundRecordOutbox.ReadEntriesAsync(journal, stream, OutboxEntryState.Pending, maxBatches, cancellationToken).ConfigureAwait(false);
        return entries.Select(e => new LaneBatch([new LaneRow(e.Sequence, e.Record.Key, e.Record)])).ToList();
    }

    public override Task<IPreparedLedgerBatch> PrepareAsync(LaneBatch batch, CancellationToken cancellationToken) =>
        writer.PrepareAsync(batch.Rows.Select(r => (RoundRecord)r.Item).ToList(), cancellationToken);
}
