using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;

namespace Gateway.Runtime.Ledger;

/// <summary>Where a piece of a trace was found.</summary>
/// <param name="Where">The ledger (e.g. "Fabric settlement@txmain", "embedded ledger.db") or "journal only".</param>
/// <param name="OnChain">True when read from the chain, false when only the journal has it (pending or dead-lettered).</param>
/// <param name="Block">Block (Fabric) or block / entry number (embedded), when known.</param>
/// <param name="TransactionId">Fabric transaction id, or the embedded leaf / entry hash.</param>
/// <param name="CommittedAtUtc">When it was committed, when known.</param>
/// <remarks>Public: part of <see cref="SettlementTrace"/>, which <c>gateway trace</c> prints.</remarks>
public sealed record TraceSource(string Where, bool OnChain, long? Block, string? TransactionId, DateTimeOffset? CommittedAtUtc);

/// <summary>
/// A settlement walked back across the three streams: the payment on the main chain, the round's decision on the
/// matching side chain (the trade or SMES action it pays for, the two parties' quotations) and what the parties' devices
/// were told and delivered on the electricity side chain (setpoints, read-backs, meter readings).
/// </summary>
/// <remarks>Public: <c>gateway trace</c> prints it (table or JSON).</remarks>
public sealed record SettlementTrace(
    SettlementRecord Settlement,
    TraceSource MainChain,
    string? JournalState,
    string? JournalDetail,
    string RoundKey,
    TraceSource? DecisionSource,
    TradePayload? Trade,
    IReadOnlyList<SmesActionPayload> SmesActions,
    IReadOnlyList<QuotationPayload> Quotations,
    KpiPayload? RoundKpis,
    TraceSource? DeliverySource,
    IReadOnlyList<DevicePayload> Devices,
    IReadOnlyList<string> Findings);

/// <summary>Builds <see cref="SettlementTrace"/>s from a rig's ledgers and, when at hand, its journal.</summary>
/// <remarks>Public: <c>gateway trace</c> runs it; the walk lives with the records it reads.</remarks>
public static class SettlementTracer
{
    /// <summary>The trace of <paramref name="settlementId"/>, or null when neither the ledger nor the journal knows it.</summary>
    /// <exception cref="FabricLedgerException">A Fabric peer could not be asked.</exception>
    public static async Task<SettlementTrace?> TraceAsync(string settlementId, LedgerSet ledgers, JournalLedgerView? journal, CancellationToken cancellationToken = default)
    {
        var journaled = journal?.Settlements.FirstOrDefault(e => e.Settlement.SettlementId == settlementId);
        var (settlement, main) = await FindSettlementAsync(settlementId, ledgers, journaled, cancellationToken).ConfigureAwait(false);
        if (settlement is null) return null;
        var findings = new List<string>();
        if (journaled is not null && main.OnChain && journaled.Settlement != settlement)
            findings.Add("the journal holds this settlement with other content than the chain");

        var key = LedgerIds.TryParseSettlementId(settlementId, out var roundId, out var epoch) ? LedgerIds.BatchKey(roundId, epoch) : journaled?.BatchKey ?? settlement.RoundId;
        var (decisionRecord, decisionSource) = await FindRecordAsync(LedgerStream.Matching, key, ledgers, journal, cancellationToken).ConfigureAwait(false);
        var (deliveryRecord, deliverySource) = await FindRecordAsync(LedgerStream.Electricity, key, ledgers, journal, cancellationToken).ConfigureAwait(false);

        var parties = new[] { settlement.PayerId, settlement.PayeeId };
        TradePayload? trade = null;
        IReadOnlyList<SmesActionPayload> smes = [];
        IReadOnlyList<QuotationPayload> quotations = [];
        KpiPayload? kpis = null;
        if (decisionRecord is not null)
        {
            var decision = RoundLedgerRecords.ReadDecision(decisionRecord);
            trade = decision.Trades.FirstOrDefault(t => t.BuyerId == settlement.PayerId && t.SellerId == settlement.PayeeId);
            smes = decision.SmesActions.Where(a => parties.Contains(a.CounterpartyId) && (decision.Smes is null || parties.Contains(decision.Smes.SmesId))).ToList();
            quotations = decision.Quotations.Where(q => parties.Contains(q.ParticipantId)).ToList();
            kpis = decision.Kpis;
            if (trade is null && smes.Count == 0) findings.Add("the round's decision has no trade or SMES action between these two parties");
            if (trade is { } t && (double)settlement.EnergyKwh > t.EnergyKwh + 1e-4)
                findings.Add($"settled {settlement.EnergyKwh} kWh exceeds the {t.EnergyKwh} kWh the decision planned");
        }
        else
        {
            findings.Add($"no decision recorded for round {key}");
        }

        IReadOnlyList<DevicePayload> devices = [];
        if (deliveryRecord is not null)
        {
            devices = RoundLedgerRecords.ReadDelivery(deliveryRecord).Devices.Where(d => parties.Contains(d.ParticipantId)).ToList();
            foreach (var d in devices.Where(d => d.SetpointStatus is "missed" or "skipped"))
                findings.Add($"device {d.DeviceId} ({d.ParticipantId}) {d.SetpointStatus} its setpoint{(d.Detail is null ? "" : ": " + d.Detail)}");
        }
        else
        {
            findings.Add($"no delivery recorded for round {key}");
        }
        return new SettlementTrace(settlement, main, journaled?.State.ToString(), journaled?.LastError, key, decisionSource, trade, smes, quotations, kpis,
            deliverySource, devices, findings);
    }

    private static async Task<(SettlementRecord? Settlement, TraceSource Source)> FindSettlementAsync(string id, LedgerSet ledgers, OutboxEntry? journaled, CancellationToken cancellationToken)
    {
        switch (ledgers.Settlements)
        {
            case FabricLedger fabric when await fabric.FindAsync(id, cancellationToken).ConfigureAwait(false) is { } found:
                return (found.Settlement, new TraceSource($"Fabric {fabric.Chaincode}@{fabric.Channel}", true,
                    journaled?.BlockNumber is > 0 ? journaled.BlockNumber : null, found.TransactionId, null));
            case EmbeddedLedger embedded when await embedded.FindEntryAsync(id, cancellationToken).ConfigureAwait(false) is { } entry:
                return (entry.Settlement, new TraceSource($"embedded {embedded.DatabasePath}", true, entry.BlockNumber, entry.TransactionId, entry.CommittedAtUtc));
        }
        return journaled is null
            ? (null, new TraceSource("", false, null, null, null))
            : (journaled.Settlement, new TraceSource("journal only", false, null, null, null));
    }

    private static async Task<(RoundRecord? Record, TraceSource? Source)> FindRecordAsync(LedgerStream stream, string key, LedgerSet ledgers, JournalLedgerView? journal,
        CancellationToken cancellationToken)
    {
        var ledger = ledgers.SideChain(stream);
        if (await ledger.GetRecordAsync(stream, key, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            var where = ledger switch
            {
                FabricRoundRecordLedger f => $"Fabric {f.Chaincode}@{f.Channel}",
                EmbeddedLedger e => $"embedded {e.DatabasePath} ({stream.Name()} chain)",
                _ => stream.Name(),
            };
            var entry = journal?.Records.FirstOrDefault(r => r.Record.Stream == stream && r.Record.Key == key);
            var block = stored.BlockNumber > 0 ? stored.BlockNumber : entry?.BlockNumber is > 0 ? entry.BlockNumber : null;
            return (stored.Record, new TraceSource(where, true, block, stored.TransactionId, stored.CommittedAtUtc));
        }
        var pending = journal?.Records.FirstOrDefault(r => r.Record.Stream == stream && r.Record.Key == key);
        return pending is null ? (null, null) : (pending.Record, new TraceSource($"journal only ({pending.State})", false, null, null, null));
    }
}
