using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;

namespace Gateway.Runtime.Ledger;

/// <summary>One thing the journal and a ledger disagree on.</summary>
/// <param name="Stream">settlements, matching or electricity.</param>
/// <param name="Key">The settlement id or record key.</param>
/// <param name="Problem">What is wrong, for an operator.</param>
/// <remarks>Public: part of <see cref="JournalLedgerReport"/>, which <c>gateway ledger verify</c> prints.</remarks>
public sealed record LedgerDisagreement(string Stream, string Key, string Problem);

/// <summary>The outcome of checking a journal against its ledgers.</summary>
/// <param name="Settlements">Committed settlements checked on the main chain.</param>
/// <param name="Decisions">Committed matching records checked.</param>
/// <param name="Deliveries">Committed electricity records checked.</param>
/// <param name="Pending">Rows (all streams) still waiting for their ledger.</param>
/// <param name="Dead">Rows (all streams) dead-lettered.</param>
/// <param name="Disagreements">Every disagreement found.</param>
/// <param name="EmbeddedChain">The embedded file's own chain check, when a stream lives there.</param>
/// <remarks>Public: <c>gateway ledger verify</c> prints it.</remarks>
public sealed record JournalLedgerReport(int Settlements, int Decisions, int Deliveries, int Pending, int Dead, IReadOnlyList<LedgerDisagreement> Disagreements,
    LedgerVerification? EmbeddedChain)
{
    /// <summary>Everything journaled is on its ledger exactly once with identical content, nothing is pending or dead, and the embedded chain is intact.</summary>
    public bool IsConsistent => Disagreements.Count == 0 && Pending == 0 && Dead == 0 && (EmbeddedChain?.IsIntact ?? true);
}

/// <summary>
/// Checks a gateway's journal against its ledgers (embedded or Fabric): every settlement the journal says is committed
/// is on the main chain exactly once with identical content, none of this journal's epoch is there that the journal does
/// not know, every committed side-chain record is there with the same content hash; pending and dead rows are counted.
/// </summary>
/// <remarks>Public: <c>gateway ledger verify</c> runs it; the rule lives with the journal and the records it checks.</remarks>
public static class JournalLedgerVerifier
{
    /// <summary>Runs the check.</summary>
    /// <exception cref="FabricLedgerException">A Fabric peer could not be asked (the caller reports it as unreachable).</exception>
    public static async Task<JournalLedgerReport> VerifyAsync(JournalLedgerView journal, LedgerSet ledgers, CancellationToken cancellationToken = default)
    {
        var problems = new List<LedgerDisagreement>();
        var settlementsStream = LedgerStream.Settlements.Name();
        var committed = journal.Settlements.Where(e => e.State == OutboxEntryState.Committed).ToList();
        foreach (var round in committed.GroupBy(e => e.Settlement.RoundId, StringComparer.Ordinal))
        {
            var onChain = await RoundOnChainAsync(ledgers.Settlements, round.Key, cancellationToken).ConfigureAwait(false);
            var byId = onChain.GroupBy(s => s.SettlementId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            foreach (var entry in round)
            {
                var id = entry.Settlement.SettlementId;
                if (!byId.TryGetValue(id, out var copies))
                    problems.Add(new LedgerDisagreement(settlementsStream, id, "journaled as committed but not on the chain"));
                else if (copies.Count > 1)
                    problems.Add(new LedgerDisagreement(settlementsStream, id, $"on the chain {copies.Count} times"));
                else if (copies[0] != entry.Settlement)
                    problems.Add(new LedgerDisagreement(settlementsStream, id, $"on the chain with other content: {Differences(entry.Settlement, copies[0])}"));
            }
            if (journal.Epoch is { } epoch)
            {
                var known = journal.Settlements.Select(e => e.Settlement.SettlementId).ToHashSet(StringComparer.Ordinal);
                foreach (var extra in onChain.Where(s => LedgerIds.TryParseSettlementId(s.SettlementId, out _, out var e) && e == epoch && !known.Contains(s.SettlementId)))
                    problems.Add(new LedgerDisagreement(settlementsStream, extra.SettlementId, "on the chain under this journal's epoch but not in the journal"));
            }
        }

        var counts = new Dictionary<LedgerStream, int> { [LedgerStream.Matching] = 0, [LedgerStream.Electricity] = 0 };
        foreach (var entry in journal.Records.Where(r => r.State == OutboxEntryState.Committed))
        {
            counts[entry.Record.Stream]++;
            var stored = await ledgers.SideChain(entry.Record.Stream).GetRecordAsync(entry.Record.Stream, entry.Record.Key, cancellationToken).ConfigureAwait(false);
            if (stored is null)
                problems.Add(new LedgerDisagreement(entry.Record.Stream.Name(), entry.Record.Key, "journaled as committed but not on the chain"));
            else if (stored.Record.ContentHash() != entry.Record.ContentHash())
                problems.Add(new LedgerDisagreement(entry.Record.Stream.Name(), entry.Record.Key, "on the chain with other content (content hashes differ)"));
        }

        var pending = journal.Settlements.Count(e => e.State == OutboxEntryState.Pending) + journal.Records.Count(e => e.State == OutboxEntryState.Pending);
        var dead = journal.Settlements.Count(e => e.State == OutboxEntryState.DeadLettered) + journal.Records.Count(e => e.State == OutboxEntryState.DeadLettered);
        var chain = ledgers.Embedded is { } embedded ? await EmbeddedLedgerVerifier.VerifyAsync(embedded.DatabasePath, cancellationToken).ConfigureAwait(false) : null;
        return new JournalLedgerReport(committed.Count, counts[LedgerStream.Matching], counts[LedgerStream.Electricity], pending, dead, problems, chain);
    }

    private static async Task<IReadOnlyList<SettlementRecord>> RoundOnChainAsync(ISettlementLedger ledger, string roundId, CancellationToken cancellationToken) =>
        ledger switch
        {
            FabricLedger fabric => (await fabric.QueryRoundEntriesAsync(roundId, cancellationToken).ConfigureAwait(false)).Select(e => e.Settlement).ToList(),
            _ => await ledger.QueryRoundAsync(roundId, cancellationToken).ConfigureAwait(false),
        };

    private static string Differences(SettlementRecord journaled, SettlementRecord chain)
    {
        var differences = new List<string>();
        void Compare(string name, object a, object b)
        {
            if (!Equals(a, b)) differences.Add($"{name} {a} (journal) ≠ {b} (chain)");
        }
        Compare(nameof(SettlementRecord.RoundId), journaled.RoundId, chain.RoundId);
        Compare(nameof(SettlementRecord.PayerId), journaled.PayerId, chain.PayerId);
        Compare(nameof(SettlementRecord.PayeeId), journaled.PayeeId, chain.PayeeId);
        Compare(nameof(SettlementRecord.EnergyKwh), journaled.EnergyKwh, chain.EnergyKwh);
        Compare(nameof(SettlementRecord.PricePerKwh), journaled.PricePerKwh, chain.PricePerKwh);
        Compare(nameof(SettlementRecord.Amount), journaled.Amount, chain.Amount);
        Compare(nameof(SettlementRecord.IntervalStartUtc), journaled.IntervalStartUtc, chain.IntervalStartUtc);
        Compare(nameof(SettlementRecord.IntervalEndUtc), journaled.IntervalEndUtc, chain.IntervalEndUtc);
        return string.Join(", ", differences);
    }
}
