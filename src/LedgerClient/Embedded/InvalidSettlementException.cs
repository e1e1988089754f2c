using Gateway.LedgerClient.Outbox;

namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// A settlement that is malformed (an empty or unprintable id, negative energy, an empty
/// interval) or unbalanced (its amount is not round(EnergyKwh × PricePerKwh, 4)).
/// The message names the field and the values.
/// </summary>
internal sealed class InvalidSettlementException(string settlementId, string message)
    : SettlementRejectedException(settlementId, message);
