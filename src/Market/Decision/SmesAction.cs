namespace Gateway.Market.Decision;

/// <summary>One SMES fallback action for one side of a failed trade.</summary>
/// <param name="CounterpartyId">The failed buyer served or the failed seller absorbed.</param>
/// <param name="Direction">Discharge (to a buyer) or charge (from a seller).</param>
/// <param name="EnergyKwh">Energy at the counterparty's meter.</param>
/// <param name="RequestedKwh">The failed trade's energy on that side.</param>
/// <param name="PricePerKwh">The settlement price: C_ep under eq. (1) (default), the failed trade's price under the trade-price rule.</param>
/// <param name="BuyerId">Buyer of the failed trade this action replaces.</param>
/// <param name="SellerId">Seller of the failed trade this action replaces.</param>
/// <param name="LimitedBy">What stopped it short of <paramref name="RequestedKwh"/> ("energy", "power", "line:ID"), or null.</param>
public sealed record SmesAction(
    string CounterpartyId,
    SmesDirection Direction,
    double EnergyKwh,
    double RequestedKwh,
    double PricePerKwh,
    string BuyerId,
    string SellerId,
    string? LimitedBy);
