namespace Gateway.Market.DayAhead;

/// <summary>
/// Turns a decision vector of genes in [0, 1] into a schedule that satisfies every constraint
/// by construction (the metaheuristics' repair step). Three genes per period and class, at
/// <c>(t · K + k) · 3 + g</c>; their meaning depends on the class's role in the period, which the
/// scenario fixes:
/// <list type="bullet">
/// <item>seller side (no demand): g0 = share of PV surplus offered peer-to-peer, g1 = share of the
/// unsold surplus sent to storage (the rest is curtailed), g2 = share of the class's storage
/// account offered peer-to-peer;</item>
/// <item>buyer: g0 = share of demand asked from peers, g1 = share of the rest drawn from the
/// class's own storage account, g2 ≥ 0.5 buys the remainder from the company, else from the grid.</item>
/// </list>
/// Offers and requests are matched by scaling the longer side down to the shorter (eq. 7);
/// discharges are scaled into the discharge power and the accounts, charges into the charge
/// power and the remaining capacity (eqs. 30–31).
/// </summary>
public static class ScheduleDecoder
{
    /// <summary>Genes per period and class.</summary>
    public const int GenesPerCell = 3;

    /// <summary>Length of the decision vector for <paramref name="market"/>.</summary>
    public static int Dimension(DayAheadMarket market)
    {
        ArgumentNullException.ThrowIfNull(market);
        return market.PeriodCount * market.ClassCount * GenesPerCell;
    }

    /// <summary>Decodes <paramref name="genes"/> (values outside [0, 1] are clamped).</summary>
    public static DayAheadSchedule Decode(DayAheadMarket market, ReadOnlySpan<double> genes)
    {
        ArgumentNullException.ThrowIfNull(market);
        if (genes.Length != Dimension(market))
        {
            throw new ArgumentException($"expected {Dimension(market)} genes, got {genes.Length}", nameof(genes));
        }
        var sc = market.Scenario;
        int periods = market.PeriodCount;
        int classes = market.ClassCount;
        double dt = sc.PeriodHours;
        var flows = new ClassPeriodFlows[periods, classes];
        var levels = new double[periods];
        var accounts = new double[classes];
        var pvOffer = new double[classes];
        var storageOffer = new double[classes];
        var request = new double[classes];
        var ownUse = new double[classes];
        var store = new double[classes];
        double level = sc.Storage.InitialEnergyKwh;

        for (int t = 0; t < periods; t++)
        {
            double dischargeBudget = sc.Storage.MaxDischargePowerKw * dt;
            double offered = 0, storageOffered = 0, requested = 0;
            for (int k = 0; k < classes; k++)
            {
                int g = (t * classes + k) * GenesPerCell;
                pvOffer[k] = storageOffer[k] = request[k] = ownUse[k] = store[k] = 0;
                if (market.IsBuyer(t, k))
                {
                    request[k] = Gene(genes[g]) * market.DemandKwh(t, k);
                    requested += request[k];
                }
                else
                {
                    pvOffer[k] = Gene(genes[g]) * market.SurplusKwh(t, k);
                    storageOffer[k] = Gene(genes[g + 2]) * accounts[k];
                    offered += pvOffer[k];
                    storageOffered += storageOffer[k];
                }
            }

            // Stored energy offered for sale must fit the discharge power (eq. 31).
            double storageScale = storageOffered > dischargeBudget ? dischargeBudget / storageOffered : 1.0;
            storageOffered = 0;
            for (int k = 0; k < classes; k++)
            {
                storageOffer[k] *= storageScale;
                storageOffered += storageOffer[k];
            }
            offered += storageOffered;

            // Eq. 7: trade the smaller of supply and demand; the longer side is scaled down.
            double traded = Math.Min(offered, requested);
            double supplyScale = offered > 0 ? traded / offered : 0.0;
            double demandScale = requested > 0 ? traded / requested : 0.0;
            double discharged = 0;
            for (int k = 0; k < classes; k++)
            {
                pvOffer[k] *= supplyScale;
                storageOffer[k] *= supplyScale;
                request[k] *= demandScale;
                discharged += storageOffer[k];
            }

            // Buyers' own stored energy, within what is left of the discharge power.
            double ownWanted = 0;
            for (int k = 0; k < classes; k++)
            {
                if (market.IsBuyer(t, k))
                {
                    int g = (t * classes + k) * GenesPerCell;
                    double rest = market.DemandKwh(t, k) - request[k];
                    ownUse[k] = Gene(genes[g + 1]) * Math.Min(Math.Max(rest, 0.0), accounts[k]);
                    ownWanted += ownUse[k];
                }
            }
            double ownBudget = Math.Max(0.0, dischargeBudget - discharged);
            double ownScale = ownWanted > ownBudget ? ownBudget / ownWanted : 1.0;
            for (int k = 0; k < classes; k++)
            {
                ownUse[k] *= ownScale;
                discharged += ownUse[k];
            }

            // Sellers' unsold surplus into storage, within the charge power and the room left (eqs. 30–31).
            double storeWanted = 0;
            for (int k = 0; k < classes; k++)
            {
                if (!market.IsBuyer(t, k))
                {
                    int g = (t * classes + k) * GenesPerCell;
                    double unsold = Math.Max(0.0, market.SurplusKwh(t, k) - pvOffer[k]);
                    store[k] = Gene(genes[g + 1]) * unsold;
                    storeWanted += store[k];
                }
            }
            double room = Math.Max(0.0, sc.Storage.MaxEnergyKwh - (level - discharged));
            double storeBudget = Math.Min(sc.Storage.MaxChargePowerKw * dt, room);
            double storeScale = storeWanted > storeBudget ? storeBudget / storeWanted : 1.0;

            for (int k = 0; k < classes; k++)
            {
                int g = (t * classes + k) * GenesPerCell;
                if (market.IsBuyer(t, k))
                {
                    double demand = market.DemandKwh(t, k);
                    double rest = Math.Max(0.0, demand - request[k] - ownUse[k]);
                    bool company = Gene(genes[g + 2]) >= 0.5;
                    flows[t, k] = new ClassPeriodFlows(0, 0, 0, 0, ownUse[k], request[k],
                        company ? 0 : rest, company ? rest : 0, company);
                    accounts[k] -= ownUse[k];
                }
                else
                {
                    double surplus = market.SurplusKwh(t, k);
                    double stored = store[k] * storeScale;
                    double curtailed = Math.Max(0.0, surplus - pvOffer[k] - stored);
                    flows[t, k] = new ClassPeriodFlows(pvOffer[k], stored, curtailed, storageOffer[k], 0, 0, 0, 0, false);
                    accounts[k] += stored - storageOffer[k];
                }
                if (accounts[k] < 0)
                {
                    accounts[k] = 0; // rounding dust only: every draw above is capped by the account
                }
            }
            level = sc.Storage.InitialEnergyKwh + accounts.Sum();
            levels[t] = level;
        }
        return new DayAheadSchedule(flows, market.Prices, levels);
    }

    private static double Gene(double value) => double.IsNaN(value) ? 0.0 : Math.Clamp(value, 0.0, 1.0);
}
