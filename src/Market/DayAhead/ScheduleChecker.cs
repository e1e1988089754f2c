using System.Globalization;

namespace Gateway.Market.DayAhead;

/// <summary>
/// Verifies a schedule against the model from scratch — it recomputes the EV energies, storage accounts and levels
/// from the flows instead of trusting any solver's (or file's) bookkeeping: role consistency, PV and need balances,
/// own use, the grid-or-company choice (17) and the company rule, the EV batteries (window, pile power, trips, end of
/// day), energy balance (7), price bounds (3)–(6) and (8), storage capacity (30) and power (31).
/// </summary>
public static class ScheduleChecker
{
    /// <summary>Absolute tolerance in kWh (and Yuan/kWh for prices) for equalities and bounds.</summary>
    public const double ToleranceKwh = 1e-6;

    /// <summary>Every violated constraint, each naming the equation, period and class; empty when feasible.</summary>
    public static IReadOnlyList<string> Check(DayAheadMarket market, DayAheadSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(schedule);
        var v = new List<string>();
        var sc = market.Scenario;
        if (schedule.PeriodCount != market.PeriodCount || schedule.ClassCount != market.ClassCount)
        {
            v.Add($"shape: schedule has {schedule.PeriodCount}×{schedule.ClassCount}, market {market.PeriodCount}×{market.ClassCount}");
            return v;
        }
        const double tol = ToleranceKwh;
        var accounts = new double[market.ClassCount];
        var ev = (double[])market.EvInitialKwh.Clone();
        double previousLevel = sc.Storage.InitialEnergyKwh;
        double dt = sc.PeriodHours;

        for (int t = 0; t < market.PeriodCount; t++)
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"period {t + 1}");
            double sold = 0, bought = 0, charged = 0, discharged = 0;
            for (int k = 0; k < market.ClassCount; k++)
            {
                var f = schedule[t, k];
                string who = $"{at}, class {sc.Classes[k].Name}";
                foreach (var (name, value) in f.Energies())
                {
                    if (!double.IsFinite(value) || value < -tol)
                    {
                        v.Add($"{who}: {name} = {F(value)} must be a finite non-negative energy");
                    }
                }
                if (market.IsBuyer(t, k))
                {
                    CheckBuyer(market, f, t, k, who, v);
                }
                else
                {
                    if (f.EvOwnUseKwh + f.StorageOwnUseKwh + f.BoughtPeerKwh + f.BoughtGridKwh + f.BoughtCompanyKwh > tol)
                    {
                        v.Add($"{who}: the class has no unmet need in this period, so it neither buys nor draws for own use");
                    }
                    double used = f.PvSoldKwh + f.PvToEvKwh + f.PvStoredKwh + f.PvCurtailedKwh;
                    if (Math.Abs(used - market.SurplusKwh(t, k)) > tol)
                    {
                        v.Add($"{who}: PV surplus {F(market.SurplusKwh(t, k))} kWh split into {F(used)} kWh");
                    }
                }

                CheckEv(market, schedule, f, t, k, who, ref ev[k], v);

                accounts[k] += f.ChargedKwh - f.DischargedKwh;
                if (accounts[k] < -tol)
                {
                    v.Add($"{who}: storage account {F(accounts[k])} kWh below zero (drew energy it never stored)");
                }
                if (Math.Abs(accounts[k] - schedule.AccountKwh(t, k)) > tol)
                {
                    v.Add($"{who}: reported storage account {F(schedule.AccountKwh(t, k))} kWh, flows give {F(accounts[k])} kWh");
                }
                sold += f.SoldKwh;
                bought += f.BoughtPeerKwh;
                charged += f.ChargedKwh;
                discharged += f.DischargedKwh;
            }

            if (Math.Abs(sold - bought) > tol)
            {
                v.Add($"{at}: eq. (7) sellers sold {F(sold)} kWh but buyers bought {F(bought)} kWh");
            }

            double level = sc.Storage.InitialEnergyKwh + accounts.Sum();
            if (Math.Abs(level - schedule.StorageEnergyKwh[t]) > tol)
            {
                v.Add($"{at}: reported storage level {F(schedule.StorageEnergyKwh[t])} kWh, flows give {F(level)} kWh");
            }
            if (level < sc.Storage.MinEnergyKwh - tol || level > sc.Storage.MaxEnergyKwh + tol)
            {
                v.Add($"{at}: eq. (30) storage level {F(level)} kWh outside [{F(sc.Storage.MinEnergyKwh)}, {F(sc.Storage.MaxEnergyKwh)}]");
            }
            if (charged / dt > sc.Storage.MaxChargePowerKw + tol || discharged / dt > sc.Storage.MaxDischargePowerKw + tol)
            {
                v.Add($"{at}: eq. (31) charge {F(charged / dt)} kW / discharge {F(discharged / dt)} kW over the limits {F(sc.Storage.MaxChargePowerKw)}/{F(sc.Storage.MaxDischargePowerKw)} kW");
            }
            double netPowerKw = (level - previousLevel) / dt;
            if (netPowerKw > sc.Storage.MaxChargePowerKw + tol || -netPowerKw > sc.Storage.MaxDischargePowerKw + tol)
            {
                v.Add($"{at}: eq. (31) level change {F(netPowerKw)} kW over the power limits");
            }
            previousLevel = level;

            CheckPrices(market, schedule.Prices[t], t, at, v);
        }

        if (sc.Rules.EndOfDayEnergy)
        {
            for (int k = 0; k < market.ClassCount; k++)
            {
                if (ev[k] < market.EvInitialKwh[k] - tol)
                {
                    v.Add($"end of day, class {sc.Classes[k].Name}: EV energy {F(ev[k])} kWh below the {F(market.EvInitialKwh[k])} kWh it started with (rule endOfDayEnergy)");
                }
            }
        }
        return v;
    }

    private static void CheckBuyer(DayAheadMarket market, ClassPeriodFlows f, int t, int k, string who, List<string> v)
    {
        const double tol = ToleranceKwh;
        var rules = market.Scenario.Rules;
        if (f.PvSoldKwh + f.PvToEvKwh + f.PvStoredKwh + f.PvCurtailedKwh + f.EvSoldKwh + f.StorageSoldKwh > tol)
        {
            v.Add($"{who}: a buyer cannot sell, store or curtail PV or sell EV or stored energy");
        }
        double covered = f.EvOwnUseKwh + f.StorageOwnUseKwh + f.BoughtPeerKwh + f.BoughtGridKwh + f.BoughtCompanyKwh;
        if (Math.Abs(covered - market.DemandKwh(t, k)) > tol)
        {
            v.Add($"{who}: need {F(market.DemandKwh(t, k))} kWh covered by {F(covered)} kWh");
        }
        if (!rules.OwnUse && f.EvOwnUseKwh + f.StorageOwnUseKwh > tol)
        {
            v.Add($"{who}: own use of EV or stored energy, which the rule ownUse: false forbids");
        }
        if (f.UsesCompany ? f.BoughtGridKwh > tol : f.BoughtCompanyKwh > tol)
        {
            v.Add($"{who}: eq. (17) buys from both grid and company (γ₁ = {(f.UsesCompany ? 1 : 0)})");
        }
        if (f.BoughtCompanyKwh > tol && !market.CompanyAllowed(t))
        {
            v.Add($"{who}: buys from the company although its price is not below the grid's (rule companyOnlyWhenCheaper)");
        }
    }

    private static void CheckEv(DayAheadMarket market, DayAheadSchedule schedule, ClassPeriodFlows f, int t, int k, string who, ref double ev, List<string> v)
    {
        const double tol = ToleranceKwh;
        double charged = f.EvChargedKwh, discharged = f.EvDischargedKwh;
        if (!market.IsHome(t, k) && charged + discharged > tol)
        {
            v.Add($"{who}: the EVs are away (trip) but charge {F(charged)} / discharge {F(discharged)} kWh");
        }
        if (charged > market.EvChargeLimitKwh(t, k) + tol)
        {
            v.Add($"{who}: EV charging {F(charged)} kWh over the piles' limit {F(market.EvChargeLimitKwh(t, k))} kWh");
        }
        if (discharged > market.EvDischargeLimitKwh(t, k) + tol)
        {
            v.Add($"{who}: EV discharge {F(discharged)} kWh over the V2G limit {F(market.EvDischargeLimitKwh(t, k))} kWh");
        }
        ev += charged - discharged;
        if (ev < market.EvMinKwh[k] - tol || ev > market.EvMaxKwh[k] + tol)
        {
            v.Add($"{who}: EV energy {F(ev)} kWh outside the battery window [{F(market.EvMinKwh[k])}, {F(market.EvMaxKwh[k])}] kWh");
        }
        if (Math.Abs(ev - schedule.EvEnergyKwh(t, k)) > tol)
        {
            v.Add($"{who}: reported EV energy {F(schedule.EvEnergyKwh(t, k))} kWh, flows give {F(ev)} kWh");
        }
    }

    private static void CheckPrices(DayAheadMarket market, PeriodPrices p, int t, string at, List<string> v)
    {
        const double tol = 1e-9;
        var sc = market.Scenario;
        double fees = sc.GridFeePerKwh[t] + sc.PlatformFeePerKwh[t];
        if (!double.IsFinite(p.SellerPricePerKwh) || !double.IsFinite(p.BuyerPricePerKwh))
        {
            v.Add($"{at}: prices must be finite numbers");
            return;
        }
        if (!(p.SellerPricePerKwh <= p.BuyerPricePerKwh) || (fees > 0 && !(p.SellerPricePerKwh < p.BuyerPricePerKwh)))
        {
            v.Add($"{at}: eqs. (3)–(4) seller price {F(p.SellerPricePerKwh)} not below buyer price {F(p.BuyerPricePerKwh)}");
        }
        if (!(p.BuyerPricePerKwh < sc.GridPricePerKwh[t]))
        {
            v.Add($"{at}: eq. (3) buyer price {F(p.BuyerPricePerKwh)} not below the grid price {F(sc.GridPricePerKwh[t])}");
        }
        if (market.CompanyAllowed(t) && !(p.BuyerPricePerKwh < sc.CompanyPricePerKwh[t]))
        {
            v.Add($"{at}: eq. (4) buyer price {F(p.BuyerPricePerKwh)} not below the company price {F(sc.CompanyPricePerKwh[t])}");
        }
        if (p.BuyerPricePerKwh < market.BuyerPriceFloor[t] - tol || p.BuyerPricePerKwh > market.BuyerPriceCeiling[t] + tol)
        {
            v.Add($"{at}: eqs. (5), (8) buyer price {F(p.BuyerPricePerKwh)} outside [{F(market.BuyerPriceFloor[t])}, {F(market.BuyerPriceCeiling[t])}] (Φ band, seller cost plus fees, one tick below the alternative)");
        }
        if (Math.Abs(p.BuyerPricePerKwh - p.SellerPricePerKwh - fees) > tol)
        {
            v.Add($"{at}: eq. (6) price gap {F(p.BuyerPricePerKwh - p.SellerPricePerKwh)} differs from the fees {F(fees)}");
        }
        if (sc.Rules.Pricing == PricingMode.Rule && Math.Abs(p.BuyerPricePerKwh - market.RulePrices[t].BuyerPricePerKwh) > tol)
        {
            v.Add($"{at}: pricing rule: buyer price {F(p.BuyerPricePerKwh)} differs from eqs. (8)–(9)'s {F(market.RulePrices[t].BuyerPricePerKwh)}");
        }
    }

    private static string F(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
