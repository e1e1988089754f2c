namespace Gateway.Market.Model;

/// <summary>Side of the market a quotation is on for this interval.</summary>
public enum TradeRole
{
    /// <summary>Wants energy (a charging EV).</summary>
    Buyer,
    /// <summary>Offers energy (a discharging EV or rooftop PV).</summary>
    Seller,
}
