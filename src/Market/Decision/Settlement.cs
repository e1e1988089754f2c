namespace Gateway.Market.Decision;

/// <summary>A settlement record: the payer pays the payee <paramref name="Amount"/> = energy × price for energy delivered.</summary>
public sealed record Settlement(string PayerId, string PayeeId, double EnergyKwh, double PricePerKwh, double Amount);
