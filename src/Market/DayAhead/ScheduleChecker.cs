using System.Globalization;

namespace Gateway.Market.DayAhead;

/// <summary>
/// Verifies a schedule against the model from scratch — it recomputes the storage accounts and
/// levels from the flows instead of trusting any solver's bookkeeping: role consistency, PV and
/// demand balances, the grid-or-company choice (17), energy balance (7), price bounds (3)–(6),
/// storage capacity (30) and power (31).
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
                foreach (var (name, value) in Fields(f))
                {
                    if (!double.IsFinite(value) || value < -tol)
                    {
                        v.Add($"{who}: {name} = {value} must be a finite non-negative energy");
                    }
                }
                if (market.IsBuyer(t, k))
                {
                    if (f.PvSoldKwh + f.PvStoredKwh + f.PvCurtailedKwh + f.StorageSoldKwh > tol)
                    {
                        v.Add($"{who}: a buyer cannot sell, store or curtail PV or sell stored energy");
                    }
                    double covered = f.BoughtPeerKwh + f.StorageOwnUseKwh + f.BoughtGridKwh + f.BoughtCompanyKwh;
                    if (Math.Abs(covered - market.DemandKwh(t, k)) > tol)
                    {
                        v.Add($"{who}: demand {market.DemandKwh(t, k):0.######} kWh covered by {covered:0.######} kWh");
                    }
                    if (f.UsesCompany ? f.BoughtGridKwh > tol : f.BoughtCompanyKwh > tol)
                    {
                        v.Add($"{who}: eq. (17) buys from both grid and company");
                    }
                }
                else
                {
                    if (f.BoughtPeerKwh + f.BoughtGridKwh + f.BoughtCompanyKwh + f.StorageOwnUseKwh > tol)
                    {
                        v.Add($"{who}: a class with no demand cannot buy or draw for own use");
                    }
                    double used = f.PvSoldKwh + f.PvStoredKwh + f.PvCurtailedKwh;
                    if (Math.Abs(used - market.SurplusKwh(t, k)) > tol)
                    {
                        v.Add($"{who}: PV surplus {market.SurplusKwh(t, k):0.######} kWh split into {used:0.######} kWh");
                    }
                }
                accounts[k] += f.ChargedKwh - f.DischargedKwh;
                if (accounts[k] < -tol)
                {
                    v.Add($"{who}: storage account {accounts[k]:0.######} kWh below zero (drew energy it never stored)");
                }
                sold += f.SoldKwh;
                bought += f.BoughtPeerKwh;
                charged += f.ChargedKwh;
                discharged += f.DischargedKwh;
            }

            if (Math.Abs(sold - bought) > tol)
            {
                v.Add($"{at}: eq. (7) sellers sold {sold:0.######} kWh but buyers bought {bought:0.######} kWh");
            }

            double level = sc.Storage.InitialEnergyKwh + accounts.Sum();
            if (Math.Abs(level - schedule.StorageEnergyKwh[t]) > tol)
            {
                v.Add($"{at}: reported storage level {schedule.StorageEnergyKwh[t]:0.######} kWh, flows give {level:0.######} kWh");
            }
            if (level < sc.Storage.MinEnergyKwh - tol || level > sc.Storage.MaxEnergyKwh + tol)
            {
                v.Add($"{at}: eq. (30) storage level {level:0.######} kWh outside [{sc.Storage.MinEnergyKwh}, {sc.Storage.MaxEnergyKwh}]");
            }
            if (charged / dt > sc.Storage.MaxChargePowerKw + tol || discharged / dt > sc.Storage.MaxDischargePowerKw + tol)
            {
                v.Add($"{at}: eq. (31) charge {charged / dt:0.######} kW / discharge {discharged / dt:0.######} kW over the limits {sc.Storage.MaxChargePowerKw}/{sc.Storage.MaxDischargePowerKw} kW");
            }
            double netPowerKw = (level - previousLevel) / dt;
            if (netPowerKw > sc.Storage.MaxChargePowerKw + tol || -netPowerKw > sc.Storage.MaxDischargePowerKw + tol)
            {
                v.Add($"{at}: eq. (31) level change {netPowerKw:0.######} kW over the power limits");
            }
            previousLevel = level;

            CheckPrices(sc, schedule.Prices[t], t, at, v);
        }
        return v;
    }

    private static void CheckPrices(DayAheadScenario sc, PeriodPrices p, int t, string at, List<string> v)
    {
        const double tol = 1e-9;
        double fees = sc.GridFeePerKwh[t] + sc.PlatformFeePerKwh[t];
        if (!(p.SellerPricePerKwh <= p.BuyerPricePerKwh) || (fees > 0 && !(p.SellerPricePerKwh < p.BuyerPricePerKwh)))
        {
            v.Add($"{at}: eqs. (3)–(4) seller price {p.SellerPricePerKwh} not below buyer price {p.BuyerPricePerKwh}");
        }
        if (!(p.BuyerPricePerKwh < sc.GridPricePerKwh[t]))
        {
            v.Add($"{at}: eq. (3) buyer price {p.BuyerPricePerKwh} not below the grid price {sc.GridPricePerKwh[t]}");
        }
        if (!(p.BuyerPricePerKwh < sc.CompanyPricePerKwh[t]))
        {
            v.Add($"{at}: eq. (4) buyer price {p.BuyerPricePerKwh} not below the company price {sc.CompanyPricePerKwh[t]}");
        }
        if (p.BuyerPricePerKwh < sc.PriceFloorPerKwh[t] - tol || p.BuyerPricePerKwh > sc.PriceCeilingPerKwh[t] + tol)
        {
            v.Add($"{at}: eq. (5) buyer price {p.BuyerPricePerKwh} outside [{sc.PriceFloorPerKwh[t]}, {sc.PriceCeilingPerKwh[t]}]");
        }
        if (Math.Abs(p.BuyerPricePerKwh - p.SellerPricePerKwh - fees) > tol)
        {
            v.Add($"{at}: eq. (6) price gap {p.BuyerPricePerKwh - p.SellerPricePerKwh} differs from the fees {fees}");
        }
    }

    private static IEnumerable<(string Name, double Value)> Fields(ClassPeriodFlows f)
    {
        yield return (nameof(f.PvSoldKwh), f.PvSoldKwh);
        yield return (nameof(f.PvStoredKwh), f.PvStoredKwh);
        yield return (nameof(f.PvCurtailedKwh), f.PvCurtailedKwh);
        yield return (nameof(f.StorageSoldKwh), f.StorageSoldKwh);
        yield return (nameof(f.StorageOwnUseKwh), f.StorageOwnUseKwh);
        yield return (nameof(f.BoughtPeerKwh), f.BoughtPeerKwh);
        yield return (nameof(f.BoughtGridKwh), f.BoughtGridKwh);
        yield return (nameof(f.BoughtCompanyKwh), f.BoughtCompanyKwh);
    }
}
