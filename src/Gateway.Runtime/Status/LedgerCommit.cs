namespace Gateway.Runtime.Status;

/// <summary>
/// A settlement as the ledger reported it committed (Fabric: the peer's ChaincodeEvents; embedded: a new block) — what the
/// dashboard's ledger card lists live, as opposed to the outbox's own counts in <see cref="LedgerBacklog"/>.
/// </summary>
/// <param name="SettlementId">Settlement id.</param>
/// <param name="RoundId">Round the settlement belongs to.</param>
/// <param name="PayerId">Who pays (the buyer).</param>
/// <param name="PayeeId">Who is paid (the seller).</param>
/// <param name="EnergyKwh">Energy settled.</param>
/// <param name="Amount">Amount paid.</param>
/// <param name="BlockNumber">Block that committed it.</param>
/// <param name="TransactionId">Transaction that committed it.</param>
/// <param name="SeenAtUtc">Wall time the gateway heard of the commit.</param>
internal sealed record LedgerCommit(string SettlementId, string RoundId, string PayerId, string PayeeId, decimal EnergyKwh, decimal Amount, long BlockNumber,
    string TransactionId, DateTimeOffset SeenAtUtc);
