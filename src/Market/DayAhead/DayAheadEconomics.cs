namespace Gateway.Market.DayAhead;

/// <summary>Computes every stakeholder's money from a schedule (eqs. 10–29) and the objective J.</summary>
public static class DayAheadEconomics
{
    /// <summary>Evaluates <paramref name="schedule"/> on <paramref name="market"/>.</summary>
    public static DayAheadOutcome Evaluate(DayAheadMarket market, DayAheadSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(schedule);
        var sc = market.Scenario;
        int periods = market.PeriodCount;
        int classes = market.ClassCount;
        var sellerByPc = new double[periods][];
        var buyerByPc = new double[periods][];
        double sellerRevenue = 0, buyerCost = 0, baseline = 0, platform = 0, grid = 0, company = 0;
        double rent = 0, storageCost = 0, satisfactionKwh = 0, preferenceWeighted = 0, demandTotal = 0;

        for (int t = 0; t < periods; t++)
        {
            sellerByPc[t] = new double[classes];
            buyerByPc[t] = new double[classes];
            var prices = schedule.Prices[t];
            double traded = 0;
            for (int k = 0; k < classes; k++)
            {
                var f = schedule[t, k];
                double sold = f.SoldKwh;
                traded += sold;
                sellerByPc[t][k] = prices.SellerPricePerKwh * sold;
                double cost = prices.BuyerPricePerKwh * f.BoughtPeerKwh
                    + sc.GridPricePerKwh[t] * f.BoughtGridKwh
                    + sc.CompanyPricePerKwh[t] * f.BoughtCompanyKwh;
                buyerByPc[t][k] = cost;
                sellerRevenue += sellerByPc[t][k];
                buyerCost += cost;
                double demand = market.DemandKwh(t, k);
                baseline += sc.GridPricePerKwh[t] * demand;
                grid += sc.GridPricePerKwh[t] * f.BoughtGridKwh;
                company += sc.CompanyPricePerKwh[t] * f.BoughtCompanyKwh;
                rent += sc.Storage.RentPerKwh * (f.ChargedKwh + f.DischargedKwh);
                storageCost += sc.Storage.ChargeCostPerKwh * f.ChargedKwh + sc.Storage.DischargeCostPerKwh * f.DischargedKwh;
                if (demand > 0)
                {
                    // Eq. 19 with ΔC = the share of demand users could not cover themselves.
                    double deviation = (f.BoughtGridKwh + f.BoughtCompanyKwh) / demand;
                    double cmax = sc.Weights.MaxIntolerableDeviation;
                    double g = deviation >= cmax ? 0.0 : Math.Clamp(Math.Cos(Math.PI / 2 * deviation / cmax), 0.0, 1.0);
                    preferenceWeighted += g * demand;
                    demandTotal += demand;
                }
            }
            platform += sc.PlatformFeePerKwh[t] * traded;
            grid += sc.GridFeePerKwh[t] * traded;
            satisfactionKwh += market.PriceSatisfaction[t] * traded;
        }

        double indirect = baseline - buyerCost;
        return new DayAheadOutcome
        {
            SellerRevenueByPeriodAndClass = sellerByPc,
            BuyerCostByPeriodAndClass = buyerByPc,
            SellerRevenue = sellerRevenue,
            BuyerCost = buyerCost,
            BuyerIndirectIncome = indirect,
            PlatformRevenue = platform,
            GridRevenue = grid,
            CompanyRevenue = company,
            StorageRent = rent,
            StorageCost = storageCost,
            SatisfactionWeightedPeerKwh = satisfactionKwh,
            PreferenceSatisfaction = demandTotal > 0 ? preferenceWeighted / demandTotal : 1.0,
            Objective = sellerRevenue + indirect - rent + sc.Weights.SatisfactionYuanPerKwh * satisfactionKwh,
        };
    }
}
