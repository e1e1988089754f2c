namespace Gateway.Market.DayAhead;

/// <summary>
/// Money and satisfaction of a schedule for every stakeholder (eqs. 10–29), all in Yuan, plus the
/// scalar objective the solvers maximise.
/// </summary>
public sealed record DayAheadOutcome
{
    /// <summary>Seller revenue per period and class, Q_s,t · E (eqs. 10–12); rows are periods.</summary>
    public required double[][] SellerRevenueByPeriodAndClass { get; init; }

    /// <summary>Buyer cost per period and class (eqs. 13–16).</summary>
    public required double[][] BuyerCostByPeriodAndClass { get; init; }

    /// <summary>R_s, sellers' revenue over the day (eq. 12).</summary>
    public required double SellerRevenue { get; init; }

    /// <summary>C_b, buyers' cost over the day (eq. 16).</summary>
    public required double BuyerCost { get; init; }

    /// <summary>R_b, buyers' indirect income: what the demand would cost at grid prices minus C_b (eq. 18).</summary>
    public required double BuyerIndirectIncome { get; init; }

    /// <summary>R_block, the platform's fee revenue (eq. 24).</summary>
    public required double PlatformRevenue { get; init; }

    /// <summary>R_G, the grid's service fees plus its energy sales (eq. 25).</summary>
    public required double GridRevenue { get; init; }

    /// <summary>R_C, the company's energy sales (eq. 26).</summary>
    public required double CompanyRevenue { get; init; }

    /// <summary>F^ES, the rent users pay the storage operator (eq. 27).</summary>
    public required double StorageRent { get; init; }

    /// <summary>F, the storage operator's charge/discharge cost (eq. 28).</summary>
    public required double StorageCost { get; init; }

    /// <summary>R_ES = F^ES − F (eq. 29).</summary>
    public double StorageRevenue => StorageRent - StorageCost;

    /// <summary>Σ_t Gra_t · E^p2p_t: peer-to-peer energy weighted by the price satisfaction (eqs. 20–23), kWh.</summary>
    public required double SatisfactionWeightedPeerKwh { get; init; }

    /// <summary>Demand-weighted mean of the buyer preference satisfaction (eq. 19) over the day, in [0, 1].</summary>
    public required double PreferenceSatisfaction { get; init; }

    /// <summary>J = R_s + R_b − F^ES + w_sat · Σ_t Gra_t E^p2p_t, the users' welfare every solver maximises.</summary>
    public required double Objective { get; init; }
}
