namespace Gateway.LedgerClient;

/// <summary>
/// One settled trade as committed to a ledger: who pays whom, for how much metered energy.
/// Money and energy are <see cref="decimal"/> so that the canonical form hashed and signed
/// is exact and identical on every backend.
/// </summary>
/// <param name="SettlementId">Deterministic id (derived from round id, payer, payee, trade index) so a retry after an unknown outcome is recognised as the same settlement.</param>
/// <param name="RoundId">The market round (interval) this settlement belongs to.</param>
/// <param name="PayerId">Participant who pays (the buyer, or the SMES/grid when it buys).</param>
/// <param name="PayeeId">Participant who is paid.</param>
/// <param name="EnergyKwh">Metered energy delivered, kWh (not the planned energy).</param>
/// <param name="PricePerKwh">Trade price, currency units per kWh.</param>
/// <param name="Amount">Amount paid, currency units; equals EnergyKwh × PricePerKwh rounded to 4 decimals.</param>
/// <param name="IntervalStartUtc">Start of the market interval.</param>
/// <param name="IntervalEndUtc">End of the market interval.</param>
public sealed record SettlementRecord(
    string SettlementId,
    string RoundId,
    string PayerId,
    string PayeeId,
    decimal EnergyKwh,
    decimal PricePerKwh,
    decimal Amount,
    DateTimeOffset IntervalStartUtc,
    DateTimeOffset IntervalEndUtc);
