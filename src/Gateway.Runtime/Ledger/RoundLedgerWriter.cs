using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Outbox;
using Gateway.Market.Decision;
using Gateway.Market.Model;
using Microsoft.Data.Sqlite;

namespace Gateway.Runtime.Ledger;

/// <summary>
/// What settling a round queues for the three streams, inside the journal transaction that marks it settled: its
/// settlements as one batch (one transaction on the main chain), its decision for the matching side chain and its
/// delivery (setpoints, read-backs, meter readings) for the electricity side chain.
/// </summary>
internal sealed class RoundLedgerWriter
{
    private readonly RigDefinition _rig;
    private readonly SettlementOutbox _settlements;
    private readonly RoundRecordOutbox _records;

    /// <param name="rig">The site.</param>
    /// <param name="epoch">The journal's epoch (<see cref="RoundJournal.Epoch"/>).</param>
    /// <param name="wallClock">Wall time for the outbox's enqueue times.</param>
    public RoundLedgerWriter(RigDefinition rig, string epoch, TimeProvider wallClock)
    {
        _rig = rig;
        Epoch = epoch;
        _settlements = new SettlementOutbox(wallClock);
        _records = new RoundRecordOutbox(wallClock);
    }

    /// <summary>The journal's epoch, part of every id this site puts on a ledger.</summary>
    public string Epoch { get; }

    /// <summary>The side-chain records of a round, from what the journal holds (built before the settle transaction takes the journal).</summary>
    public IReadOnlyList<RoundRecord> Records(string roundId, DateTimeOffset intervalStartUtc, DateTimeOffset intervalEndUtc, MarketRound round, RoundDecision decision,
        IReadOnlyList<JournaledSetpoint> setpoints, IReadOnlyDictionary<string, double> meterStart, IReadOnlyDictionary<string, double> meterEnd) =>
    [
        RoundLedgerRecords.Decision(_rig.SiteId, Epoch, roundId, intervalStartUtc, intervalEndUtc, round, decision),
        RoundLedgerRecords.Delivery(_rig.SiteId, Epoch, roundId, intervalStartUtc, intervalEndUtc, _rig.Devices, setpoints, meterStart, meterEnd),
    ];

    /// <summary>Queues the round's settlements (one batch) and records in the caller's (the journal's) transaction.</summary>
    public async Task EnqueueAsync(SqliteTransaction transaction, string roundId, IReadOnlyList<SettlementRecord> settlements, IReadOnlyList<RoundRecord> records,
        CancellationToken cancellationToken)
    {
        await _settlements.EnqueueAsync(transaction, settlements, LedgerIds.BatchKey(roundId, Epoch), cancellationToken).ConfigureAwait(false);
        await _records.EnqueueAsync(transaction, records, cancellationToken).ConfigureAwait(false);
    }
}
