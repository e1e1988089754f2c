namespace Gateway.Market.DayAhead;

/// <summary>Computes every stakeholder's money from a schedule (eqs. 10–29) and the users' revenue the solvers maximise.</summary>
internal static class DayAheadEconomics
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
        double rent = 0, storageCost = 0, preferenceWeighted = 0, demandTotal = 0, traded = 0;
        var tradedByPeriod = new double[periods];

        for (int t = 0; t < periods; t++)
        {
            sellerByPc[t] = new double[classes];
            buyerByPc[t] = new double[classes];
            var prices = schedule.Prices[t];
            for (int k = 0; k < classes; k++)
            {
                var f = schedule[t, k];
                tradedByPeriod[t] += f.SoldKwh;
                sellerByPc[t][k] = prices.SellerPricePerKwh * f.SoldKwh;
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
                    // Eq. 19 with ΔC = the share of the need the users could not cover among themselves.
                    double deviation = (f.BoughtGridKwh + f.BoughtCompanyKwh) / demand;
                    double cmax = sc.Rules.MaxIntolerableDeviation;
                    double g = deviation >= cmax ? 0.0 : Math.Clamp(Math.Cos(Math.PI / 2 * deviation / cmax), 0.0, 1.0);
                    preferenceWeighted += g * demand;
                    demandTotal += demand;
                }
            }
            platform += sc.PlatformFeePerKwh[t] * tradedByPeriod[t];
            grid += sc.GridFeePerKwh[t] * tradedByPeriod[t];
            traded += tradedByPeriod[t];
        }

        var satisfaction = PriceSatisfaction(market, schedule.Prices);
        double satisfactionKwh = 0;
        for (int t = 0; t < periods; t++)
        {
            satisfactionKwh += satisfaction[t] * tradedByPeriod[t];
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
            PeerTradeKwh = traded,
            DemandKwh = demandTotal,
            PriceSatisfaction = traded > 0 ? satisfactionKwh / traded : 0.0,
            PreferenceSatisfaction = demandTotal > 0 ? preferenceWeighted / demandTotal : 1.0,
            GridOnlyCostPerKwh = demandTotal > 0 ? baseline / demandTotal : 0.0,
            Objective = sellerRevenue + indirect - rent,
        };
    }

    /// <summary>
    /// Gra_t of eqs. (20)–(23) for the given prices: the price difference to the alternative the buyer would otherwise
    /// use (α₁ = 1 for the grid when it is the cheaper one, else α₂ = 1), mapped through the cosine between the day's
    /// smallest and largest difference; 0 when the difference is not positive.
    /// </summary>
    public static double[] PriceSatisfaction(DayAheadMarket market, IReadOnlyList<PeriodPrices> prices)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(prices);
        var sc = market.Scenario;
        int periods = market.PeriodCount;
        var toGrid = new double[periods];
        var toCompany = new double[periods];
        for (int t = 0; t < periods; t++)
        {
            toGrid[t] = sc.GridPricePerKwh[t] - prices[t].SellerPricePerKwh;
            toCompany[t] = sc.CompanyPricePerKwh[t] - prices[t].SellerPricePerKwh;
        }
        double gMin = toGrid.Min(), gMax = toGrid.Max(), cMin = toCompany.Min(), cMax = toCompany.Max();
        var result = new double[periods];
        for (int t = 0; t < periods; t++)
        {
            bool gridIsAlternative = sc.GridPricePerKwh[t] <= sc.CompanyPricePerKwh[t] || !market.CompanyAllowed(t);
            result[t] = gridIsAlternative ? Satisfaction(toGrid[t], gMin, gMax) : Satisfaction(toCompany[t], cMin, cMax);
        }
        return result;
    }

    private static double Satisfaction(double difference, double min, double max)
    {
        if (difference <= 0)
        {
            return 0.0;
        }
        if (max - min <= 1e-12)
        {
            return 1.0;
        }
        // cos(π/2) is −1.6e-16 in floating point; satisfaction is defined on [0, 1].
        return Math.Clamp(Math.Cos(Math.PI / 2 * (max - difference) / (max - min)), 0.0, 1.0);
    }
}
