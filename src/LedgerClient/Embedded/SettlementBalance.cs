namespace Gateway.LedgerClient.Embedded;

/// <summary>
/// The arithmetic rule every settlement must satisfy before it is committed:
/// Amount = round(EnergyKwh × PricePerKwh, 4), midpoints rounded away from zero
/// (commercial rounding, the same as JavaScript's <c>Math.round</c> for positive amounts).
/// Energy is metered and never negative; the interval must not be empty; payer and payee differ.
/// </summary>
public static class SettlementBalance
{
    /// <summary>Number of decimal places an amount carries.</summary>
    public const int AmountDecimals = 4;

    /// <summary>The amount a settlement of this energy at this price must carry.</summary>
    /// <exception cref="OverflowException">The product does not fit in a decimal.</exception>
    public static decimal ExpectedAmount(decimal energyKwh, decimal pricePerKwh) =>
        decimal.Round(energyKwh * pricePerKwh, AmountDecimals, MidpointRounding.AwayFromZero);

    /// <summary>Throws unless the settlement is well-formed and balanced; the message names what is wrong.</summary>
    /// <returns>The settlement's canonical bytes (built while checking its text fields), for the caller to hash.</returns>
    /// <exception cref="InvalidSettlementException">Malformed or unbalanced.</exception>
    public static byte[] EnsureValid(SettlementRecord settlement)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        // The canonical form checks the text fields, so the rules live in one place.
        var canonical = SettlementCanonicalForm.ToBytes(settlement);
        var id = settlement.SettlementId;
        if (settlement.PayerId == settlement.PayeeId)
            throw new InvalidSettlementException(id, $"settlement '{id}': payer and payee are both '{settlement.PayerId}'");
        if (settlement.EnergyKwh < 0m)
            throw new InvalidSettlementException(id, $"settlement '{id}': EnergyKwh is {SettlementCanonicalForm.FormatDecimal(settlement.EnergyKwh)}, metered energy cannot be negative");
        if (settlement.IntervalEndUtc <= settlement.IntervalStartUtc)
            throw new InvalidSettlementException(id,
                $"settlement '{id}': interval ends at {SettlementCanonicalForm.FormatInstant(settlement.IntervalEndUtc)}, not after its start {SettlementCanonicalForm.FormatInstant(settlement.IntervalStartUtc)}");
        decimal expected;
        try
        {
            expected = ExpectedAmount(settlement.EnergyKwh, settlement.PricePerKwh);
        }
        catch (OverflowException)
        {
            throw new InvalidSettlementException(id, $"settlement '{id}': EnergyKwh × PricePerKwh overflows a decimal");
        }
        if (settlement.Amount != expected)
        {
            throw new InvalidSettlementException(id,
                $"settlement '{id}' is unbalanced: Amount is {SettlementCanonicalForm.FormatDecimal(settlement.Amount)} but " +
                $"round(EnergyKwh {SettlementCanonicalForm.FormatDecimal(settlement.EnergyKwh)} × PricePerKwh {SettlementCanonicalForm.FormatDecimal(settlement.PricePerKwh)}, {AmountDecimals}) = {SettlementCanonicalForm.FormatDecimal(expected)}");
        }
        return canonical;
    }
}
