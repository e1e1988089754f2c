namespace Gateway.Market.Model;

/// <summary>
/// The benefit functions of Li et al. (eqs. 2–4) in the separable form the matching needs. A trade of q kWh at price p
/// gives the buyer (v − p)·q − F_b and the seller (p − c)·q − F_s, so the pair weight Q = R_b + R_s = (v − c)·q − F_b − F_s
/// does not depend on p (the price only splits Q; eq. 5). See docs/market-model.md.
/// </summary>
public static class BenefitModel
{
    /// <summary>Weights are kept to a micro-currency grid so the matching is exact in integers.</summary>
    public const double WeightResolution = 1e-6;

    /// <summary>v: what a kWh is worth to a buyer: its outside option, the grid's time-of-use price (eq. 2).</summary>
    public static double BuyerValuePerKwh(Quotation buyer, MarketRound round) => round.GridPricePerKwh;

    /// <summary>
    /// c: the least a seller accepts per kWh. Discharging EV (eq. 3): p₀/η + B. PV (eq. 4): its O&amp;M cost k_pv but never
    /// less than the retailer's feed-in price, its outside option.
    /// </summary>
    public static double SellerCostPerKwh(Quotation seller, MarketRound round) => seller.Kind switch
    {
        ParticipantKind.Ev => seller.ChargingPricePerKwh / seller.Efficiency + seller.BatteryWearPerKwh,
        _ => Math.Max(seller.MaintenancePerKwh, round.FeedInPricePerKwh),
    };

    /// <summary>
    /// F: a participant's fixed cost per trade: the energy λ·D an EV spends driving to the charging point, valued at the
    /// grid price for a buyer (eq. 2 with the outside-option price) and at p₀ for a seller (eq. 3), shared over its
    /// Lᵃ / L trades. PV has none.
    /// </summary>
    public static double FixedCostPerTrade(Quotation participant, MarketRound round)
    {
        if (participant.Kind != ParticipantKind.Ev) return 0;
        var travelKwh = participant.ConsumptionKwhPerKm * participant.DistanceKm;
        var price = participant.Role == TradeRole.Buyer ? round.GridPricePerKwh : participant.ChargingPricePerKwh;
        return price * travelKwh / participant.MaxTrades;
    }

    /// <summary>Lot size: a participant's energy is split evenly over its Lᵃ / L possible trades.</summary>
    public static double LotEnergyKwh(Quotation participant) => participant.EnergyKwh / participant.MaxTrades;

    /// <summary>Energy of one trade between a buyer and a seller: the smaller of their lots.</summary>
    public static double TradeEnergyKwh(Quotation buyer, Quotation seller) => Math.Min(LotEnergyKwh(buyer), LotEnergyKwh(seller));

    /// <summary>Q[i,j] = R_i + R_j (eq. 5), rounded to <see cref="WeightResolution"/>.</summary>
    public static double PairWeight(Quotation buyer, Quotation seller, MarketRound round)
    {
        var q = TradeEnergyKwh(buyer, seller);
        var w = (BuyerValuePerKwh(buyer, round) - SellerCostPerKwh(seller, round)) * q
                - FixedCostPerTrade(buyer, round) - FixedCostPerTrade(seller, round);
        return Math.Round(w / WeightResolution) * WeightResolution;
    }
}
