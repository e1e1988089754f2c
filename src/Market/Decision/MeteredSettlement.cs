namespace Gateway.Market.Decision;

/// <summary>
/// One trade (or SMES action) settled on metered energy: the payer pays the payee <paramref name="Amount"/> for
/// <paramref name="EnergyKwh"/> delivered. Decimal and rounded to 4 places, as the ledger's canonical form hashes them.
/// </summary>
/// <param name="PayerId">Who pays: the buyer, or the SMES when it bought a seller's surplus.</param>
/// <param name="PayeeId">Who is paid.</param>
/// <param name="EnergyKwh">Metered energy settled, kWh (not the planned energy).</param>
/// <param name="PricePerKwh">The trade's price.</param>
/// <param name="Amount">EnergyKwh × PricePerKwh, rounded to 4 places.</param>
public sealed record MeteredSettlement(string PayerId, string PayeeId, decimal EnergyKwh, decimal PricePerKwh, decimal Amount);
