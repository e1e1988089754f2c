namespace Gateway.Market.DayAhead;

/// <summary>
/// Turns a decision vector of genes in [0, 1] into a schedule that satisfies every constraint by construction (the
/// metaheuristics' repair step). <see cref="GenesPerCell"/> genes per period and class, at <c>(t · K + k) · 5 + g</c>,
/// whose meaning depends on the class's role in the period (the scenario fixes it), then one price gene per period:
/// <list type="bullet">
/// <item>seller side: g0 = share of the PV surplus offered peer-to-peer, g1 = share of the EV residual energy (above
/// the reserve, within the V2G power) offered, g2 = share of the storage account offered, g3 = share of the unsold
/// surplus charged into the own EVs, g4 = share of what is still left sent to the shared storage (the rest is curtailed);</item>
/// <item>buyer: g0 = share of the need covered from its own EVs' residual energy, g1 = share of the rest from its own
/// storage account (both only when own use is allowed), g2 ≥ 0.5 buys what peers cannot supply from the company (when
/// allowed), else from the grid; g3, g4 unused;</item>
/// <item>price gene of period t: the buyer price's position in the period's band (0 = floor, 1 = ceiling) when prices
/// are strategies; ignored under the rule.</item>
/// </list>
/// Buyers take peer energy before the grid or company (section 3.2: they buy there what sellers cannot provide);
/// offers and requests meet by scaling the longer side down to the shorter (eq. 7); storage draws are scaled into the
/// discharge power, storage charging into the charge power and the room left (eqs. 30–31); EV flows stay within each
/// class's battery window and pile power, and are 0 while the EVs are away.
/// </summary>
internal static class ScheduleDecoder
{
    /// <summary>Genes per period and class.</summary>
    public const int GenesPerCell = 5;

    /// <summary>Length of the decision vector for <paramref name="market"/>.</summary>
    public static int Dimension(DayAheadMarket market)
    {
        ArgumentNullException.ThrowIfNull(market);
        return market.PeriodCount * (market.ClassCount * GenesPerCell + 1);
    }

    /// <summary>Decodes <paramref name="genes"/> (values outside [0, 1] are clamped, NaN reads as 0).</summary>
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
        bool ownUse = sc.Rules.OwnUse;
        var flows = new ClassPeriodFlows[periods, classes];
        var levels = new double[periods];
        var evEnergy = new double[periods, classes];
        var accountLog = new double[periods, classes];
        var prices = new PeriodPrices[periods];
        var ev = (double[])market.EvInitialKwh.Clone();
        var accounts = new double[classes];
        var pvOffer = new double[classes];
        var evOffer = new double[classes];
        var storageOffer = new double[classes];
        var evOwn = new double[classes];
        var storageOwn = new double[classes];
        var request = new double[classes];
        double level = sc.Storage.InitialEnergyKwh;
        int priceBase = periods * classes * GenesPerCell;

        for (int t = 0; t < periods; t++)
        {
            prices[t] = sc.Rules.Pricing == PricingMode.Strategy ? market.PricesAt(t, genes[priceBase + t]) : market.RulePrices[t];
            double storageDraw = 0;
            for (int k = 0; k < classes; k++)
            {
                int g = (t * classes + k) * GenesPerCell;
                pvOffer[k] = evOffer[k] = storageOffer[k] = evOwn[k] = storageOwn[k] = request[k] = 0;
                double evAvailable = Math.Min(Math.Max(0.0, ev[k] - market.EvMinKwh[k]), market.EvDischargeLimitKwh(t, k));
                if (market.IsBuyer(t, k))
                {
                    double need = market.DemandKwh(t, k);
                    if (ownUse)
                    {
                        evOwn[k] = Gene(genes[g]) * Math.Min(need, evAvailable);
                        storageOwn[k] = Gene(genes[g + 1]) * Math.Min(need - evOwn[k], accounts[k]);
                    }
                }
                else
                {
                    pvOffer[k] = Gene(genes[g]) * market.SurplusKwh(t, k);
                    evOffer[k] = Gene(genes[g + 1]) * evAvailable;
                    storageOffer[k] = Gene(genes[g + 2]) * accounts[k];
                }
                storageDraw += storageOffer[k] + storageOwn[k];
            }

            // Every draw on the shared storage must fit its discharge power (eq. 31).
            double dischargeBudget = sc.Storage.MaxDischargePowerKw * dt;
            double drawScale = storageDraw > dischargeBudget ? dischargeBudget / storageDraw : 1.0;
            double offered = 0, requested = 0;
            for (int k = 0; k < classes; k++)
            {
                storageOffer[k] *= drawScale;
                storageOwn[k] *= drawScale;
                if (market.IsBuyer(t, k))
                {
                    request[k] = Math.Max(0.0, market.DemandKwh(t, k) - evOwn[k] - storageOwn[k]);
                    requested += request[k];
                }
                else
                {
                    offered += pvOffer[k] + evOffer[k] + storageOffer[k];
                }
            }

            // Eq. 7: trade the smaller of supply and demand; the longer side is scaled down.
            double traded = Math.Min(offered, requested);
            double supplyScale = offered > 0 ? traded / offered : 0.0;
            double demandScale = requested > 0 ? traded / requested : 0.0;
            double discharged = 0;
            for (int k = 0; k < classes; k++)
            {
                pvOffer[k] *= supplyScale;
                evOffer[k] *= supplyScale;
                storageOffer[k] *= supplyScale;
                discharged += storageOffer[k] + storageOwn[k];
            }

            // Sellers' unsold surplus: into their own EVs first (gene share), then into the shared storage (gene share),
            // within the charge power and the room left (eqs. 30–31); the rest is curtailed.
            var toEv = new double[classes];
            var toStorage = new double[classes];
            double storeWanted = 0;
            for (int k = 0; k < classes; k++)
            {
                if (market.IsBuyer(t, k))
                {
                    continue;
                }
                int g = (t * classes + k) * GenesPerCell;
                double unsold = Math.Max(0.0, market.SurplusKwh(t, k) - pvOffer[k]);
                double evRoom = Math.Max(0.0, market.EvMaxKwh[k] - (ev[k] - evOffer[k]));
                toEv[k] = Gene(genes[g + 3]) * Math.Min(unsold, Math.Min(evRoom, market.EvChargeLimitKwh(t, k)));
                toStorage[k] = Gene(genes[g + 4]) * Math.Max(0.0, unsold - toEv[k]);
                storeWanted += toStorage[k];
            }
            double room = Math.Max(0.0, sc.Storage.MaxEnergyKwh - (level - discharged));
            double storeBudget = Math.Min(sc.Storage.MaxChargePowerKw * dt, room);
            double storeScale = storeWanted > storeBudget ? storeBudget / storeWanted : 1.0;

            for (int k = 0; k < classes; k++)
            {
                int g = (t * classes + k) * GenesPerCell;
                if (market.IsBuyer(t, k))
                {
                    double bought = request[k] * demandScale;
                    double rest = Math.Max(0.0, market.DemandKwh(t, k) - evOwn[k] - storageOwn[k] - bought);
                    bool company = market.CompanyAllowed(t) && Gene(genes[g + 2]) >= 0.5;
                    flows[t, k] = new ClassPeriodFlows(0, 0, 0, 0, 0, 0, evOwn[k], storageOwn[k], bought,
                        company ? 0 : rest, company ? rest : 0, company);
                    ev[k] -= evOwn[k];
                    accounts[k] -= storageOwn[k];
                }
                else
                {
                    double surplus = market.SurplusKwh(t, k);
                    double stored = toStorage[k] * storeScale;
                    double curtailed = Math.Max(0.0, surplus - pvOffer[k] - toEv[k] - stored);
                    flows[t, k] = new ClassPeriodFlows(pvOffer[k], toEv[k], stored, curtailed, evOffer[k], storageOffer[k], 0, 0, 0, 0, 0, false);
                    ev[k] += toEv[k] - evOffer[k];
                    accounts[k] += stored - storageOffer[k];
                }
                // Rounding dust only: every draw above is capped by what is there.
                accounts[k] = Math.Max(0.0, accounts[k]);
                ev[k] = Math.Clamp(ev[k], market.EvMinKwh[k], Math.Max(market.EvMinKwh[k], market.EvMaxKwh[k]));
                evEnergy[t, k] = ev[k];
                accountLog[t, k] = accounts[k];
            }
            level = sc.Storage.InitialEnergyKwh + accounts.Sum();
            levels[t] = level;
        }
        return new DayAheadSchedule(flows, prices, levels, evEnergy, accountLog);
    }

    private static double Gene(double value) => double.IsNaN(value) ? 0.0 : Math.Clamp(value, 0.0, 1.0);
}
