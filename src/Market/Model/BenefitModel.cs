namespace Gateway.Market.Model;

/// <summary>
/// The benefit functions of Li et al. (eqs. 2–4) in the separable form the matching needs, each participant's income
/// counted relative to its outside option (see docs/market-model.md §2). A trade of q kWh at price p gives
/// <list type="bullet">
/// <item>the buyer x_b = (v − p)·q − π·e_b: it saves the grid price v = C_ep on q kWh and spends its travel energy
/// e_b = λ_i·D_ip valued at π (eq. 2: π = p, the trade's own price; the <see cref="BuyerTravelPricing.GridPrice"/>
/// deviation: π = C_ep);</item>
/// <item>the seller x_s = (p − c)·q − F_s (eq. 3 for an EV: c = p₀/η, F_s = p₀·λ_j·D_jp + B_j; eq. 4 for PV: c = its
/// reservation price, F_s = 0).</item>
/// </list>
/// The pair's weight Q = x_b + x_s = (v − c)·q − π·e_b − F_s (eq. 5) depends on p only through π.
/// </summary>
internal static class BenefitModel
{
    /// <summary>v: what a kWh is worth to a buyer: its outside option, the grid's time-of-use price C_ep (eq. 2).</summary>
    public static double BuyerValuePerKwh(Quotation buyer, MarketRound round) => round.GridPricePerKwh;

    /// <summary>
    /// c: the least a seller accepts per kWh. Discharging EV (eq. 3): p₀/η, plus <see cref="Quotation.BatteryWearPerKwh"/>
    /// when a rig adds wear per kWh (an extension; eq. 3's B_j is per trade, in <see cref="SellerFixedCost"/>). PV (eq. 4):
    /// its O&amp;M cost k_pv, but never less than the retailer's feed-in price, its outside option.
    /// </summary>
    public static double SellerCostPerKwh(Quotation seller, MarketRound round) => seller.Kind switch
    {
        ParticipantKind.Ev => seller.ChargingPricePerKwh / seller.Efficiency + seller.BatteryWearPerKwh,
        _ => Math.Max(seller.MaintenancePerKwh, round.FeedInPricePerKwh),
    };

    /// <summary>
    /// e_b: the energy an EV buyer spends driving to the charging point, λ_i·D_ip (eq. 2), per trade: whole under
    /// <see cref="TravelCostSharing.PerTrade"/>, 1/Lᵃ of it under <see cref="TravelCostSharing.SharedOverLots"/>. 0 for PV.
    /// </summary>
    public static double BuyerTravelEnergyKwh(Quotation buyer, MarketRules rules)
    {
        if (buyer.Kind != ParticipantKind.Ev) return 0;
        var kwh = buyer.ConsumptionKwhPerKm * buyer.DistanceKm;
        return rules.TravelCost == TravelCostSharing.SharedOverLots ? kwh / buyer.MaxTrades : kwh;
    }

    /// <summary>
    /// F_s: a seller's fixed cost per trade. A discharging EV (eq. 3): its travel energy valued at p₀, p₀·λ_j·D_jp (whole,
    /// or 1/L of it under <see cref="TravelCostSharing.SharedOverLots"/>), plus the battery depreciation B_j. PV has none.
    /// </summary>
    public static double SellerFixedCost(Quotation seller, MarketRules rules)
    {
        if (seller.Kind != ParticipantKind.Ev) return 0;
        var travel = seller.ChargingPricePerKwh * seller.ConsumptionKwhPerKm * seller.DistanceKm;
        if (rules.TravelCost == TravelCostSharing.SharedOverLots) travel /= seller.MaxTrades;
        return travel + seller.BatteryWearPerTrade;
    }

    /// <summary>The price π at which the buyer's travel energy is valued before its trade price is known: C_ep.</summary>
    public static double InitialTravelPrice(MarketRound round) => round.GridPricePerKwh;

    /// <summary>Lot size: a participant's energy is split evenly over its Lᵃ / L possible trades.</summary>
    public static double LotEnergyKwh(Quotation participant) => participant.EnergyKwh / participant.MaxTrades;

    /// <summary>Energy of one trade between a buyer and a seller: the smaller of their lots.</summary>
    public static double TradeEnergyKwh(Quotation buyer, Quotation seller) => Math.Min(LotEnergyKwh(buyer), LotEnergyKwh(seller));

    /// <summary>Q[i,j] = x_b + x_s (eq. 5) with the buyer's travel energy valued at <paramref name="travelPricePerKwh"/>; not rounded.</summary>
    public static double PairWeight(Quotation buyer, Quotation seller, MarketRound round, double travelPricePerKwh)
    {
        var q = TradeEnergyKwh(buyer, seller);
        return (BuyerValuePerKwh(buyer, round) - SellerCostPerKwh(seller, round)) * q
               - travelPricePerKwh * BuyerTravelEnergyKwh(buyer, round.Rules) - SellerFixedCost(seller, round.Rules);
    }

    /// <summary>
    /// The price that gives the buyer the share <paramref name="buyerShare"/> of its trade: solves
    /// x_b = (v − p)·q − π(p)·e_b for p, with π(p) = p under <see cref="BuyerTravelPricing.TradePrice"/>
    /// (p = (v·q − x_b)/(q + e_b)) and π = C_ep under <see cref="BuyerTravelPricing.GridPrice"/>.
    /// </summary>
    public static double PriceForBuyerShare(Quotation buyer, MarketRound round, double energyKwh, double buyerShare)
    {
        var v = BuyerValuePerKwh(buyer, round);
        var e = BuyerTravelEnergyKwh(buyer, round.Rules);
        return round.Rules.BuyerTravel == BuyerTravelPricing.TradePrice
            ? (v * energyKwh - buyerShare) / (energyKwh + e)
            : v - (buyerShare + round.GridPricePerKwh * e) / energyKwh;
    }

    /// <summary>π: the price the buyer's travel energy is valued at once its trade clears at <paramref name="tradePricePerKwh"/>.</summary>
    public static double TravelPrice(MarketRound round, double tradePricePerKwh) =>
        round.Rules.BuyerTravel == BuyerTravelPricing.TradePrice ? tradePricePerKwh : round.GridPricePerKwh;
}
