namespace Gateway.Market.DayAhead;

/// <summary>
/// Money and satisfaction of a schedule for every stakeholder (eqs. 10–29), all in Yuan, plus the users' revenue the
/// solvers maximise (Table 6's "revenue situation", docs/day-ahead-model.md).
/// </summary>
public sealed record DayAheadOutcome
{
    /// <summary>Seller revenue per period and class, Q_s,t · E (eqs. 10–12); rows are periods (Tables 2–4).</summary>
    public required double[][] SellerRevenueByPeriodAndClass { get; init; }

    /// <summary>Buyer cost per period and class (eqs. 13–16).</summary>
    public required double[][] BuyerCostByPeriodAndClass { get; init; }

    /// <summary>R_s, sellers' revenue over the day (eq. 12).</summary>
    public required double SellerRevenue { get; init; }

    /// <summary>C_b, buyers' cost over the day (eq. 16).</summary>
    public required double BuyerCost { get; init; }

    /// <summary>R_b, buyers' indirect income: what their charging need would cost at grid prices minus C_b (eq. 18).</summary>
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

    /// <summary>Energy traded peer-to-peer over the day, kWh.</summary>
    public required double PeerTradeKwh { get; init; }

    /// <summary>The buyers' charging need over the day, kWh.</summary>
    public required double DemandKwh { get; init; }

    /// <summary>Peer-to-peer energy weighted mean of the charging-price satisfaction Gra_t (eqs. 20–23), in [0, 1].</summary>
    public required double PriceSatisfaction { get; init; }

    /// <summary>Need-weighted mean of the buyer preference satisfaction (eq. 19) over the day, in [0, 1].</summary>
    public required double PreferenceSatisfaction { get; init; }

    /// <summary>What the buyers' charging need cost per kWh in this market, C_b / need (Table 5, "using blockchain").</summary>
    public double AverageCostPerKwh => DemandKwh > 0 ? BuyerCost / DemandKwh : 0;

    /// <summary>What the same need would cost per kWh bought from the grid alone (Table 5, "no blockchain").</summary>
    public required double GridOnlyCostPerKwh { get; init; }

    /// <summary>The users' revenue R_s + R_b − F^ES: sellers earn, buyers save against the grid, both pay the storage rent. Every solver maximises it; Table 6 reports it.</summary>
    public required double Objective { get; init; }
}
