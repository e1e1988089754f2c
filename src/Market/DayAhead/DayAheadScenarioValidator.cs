namespace Gateway.Market.DayAhead;

/// <summary>
/// Checks a scenario for everything the model needs: array lengths, signs, ranges, and that
/// the price bounds (3)–(6) can be met in every period. Returns every problem, not just the first.
/// </summary>
internal static class DayAheadScenarioValidator
{
    /// <summary>All problems of <paramref name="scenario"/>; empty when it can be planned.</summary>
    public static IReadOnlyList<ScenarioProblem> Validate(DayAheadScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var problems = new List<ScenarioProblem>();
        void Add(string path, string message) => problems.Add(new ScenarioProblem(path, message));

        int periods = scenario.PeriodCount;
        if (periods < 1)
        {
            Add("irradianceWPerM2", "needs at least one period");
        }
        if (!(scenario.PeriodHours > 0) || double.IsInfinity(scenario.PeriodHours))
        {
            Add("periodHours", $"must be a positive number of hours, got {scenario.PeriodHours}");
        }

        CheckSeries("temperatureK", scenario.TemperatureK, periods, 150, 400, problems);
        CheckSeries("irradianceWPerM2", scenario.IrradianceWPerM2, periods, 0, 1500, problems);
        CheckSeries("gridPricePerKwh", scenario.GridPricePerKwh, periods, 0, 100, problems);
        CheckSeries("companyPricePerKwh", scenario.CompanyPricePerKwh, periods, 0, 100, problems);
        CheckSeries("gridFeePerKwh", scenario.GridFeePerKwh, periods, 0, 100, problems);
        CheckSeries("platformFeePerKwh", scenario.PlatformFeePerKwh, periods, 0, 100, problems);
        CheckSeries("priceFloorPerKwh", scenario.PriceFloorPerKwh, periods, 0, 100, problems);
        CheckSeries("priceCeilingPerKwh", scenario.PriceCeilingPerKwh, periods, 0, 100, problems);

        if (scenario.Classes.Count == 0)
        {
            Add("classes", "needs at least one user class");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < scenario.Classes.Count; k++)
        {
            var c = scenario.Classes[k];
            string path = $"classes[{k}]";
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                Add($"{path}.name", "must not be empty");
            }
            else if (!names.Add(c.Name))
            {
                Add($"{path}.name", $"duplicate class name '{c.Name}'");
            }
            if (c.UserCount < 0)
            {
                Add($"{path}.users", $"must be ≥ 0, got {c.UserCount}");
            }
            if (!IsFinite(c.ChargingPowerKw) || c.ChargingPowerKw <= 0)
            {
                Add($"{path}.chargingPowerKw", $"must be a positive number, got {c.ChargingPowerKw}");
            }
            if (c.Charging.Count != periods)
            {
                Add($"{path}.charging", $"has {c.Charging.Count} entries but the scenario has {periods} periods");
            }
            if (c.Away.Count != periods)
            {
                Add($"{path}.trips", $"cover {c.Away.Count} periods but the scenario has {periods}");
            }
            else if (c.Charging.Count == periods)
            {
                for (int t = 0; t < periods; t++)
                {
                    if (c.Away[t] && c.Charging[t])
                    {
                        Add($"{path}.trips", $"period {t + 1}: the EV is on a trip but Table 1 has it charging");
                    }
                }
            }
            var ev = c.Ev;
            if (!IsFinite(ev.BatteryKwh) || ev.BatteryKwh < 0)
            {
                Add($"{path}.ev.batteryKwh", $"must be ≥ 0, got {ev.BatteryKwh}");
            }
            if (!IsFinite(ev.MinSoc) || ev.MinSoc < 0 || ev.MinSoc > 1)
            {
                Add($"{path}.ev.minSoc", $"must be in [0, 1], got {ev.MinSoc}");
            }
            if (!IsFinite(ev.MaxSoc) || ev.MaxSoc < ev.MinSoc || ev.MaxSoc > 1)
            {
                Add($"{path}.ev.maxSoc", $"must be in [minSoc, 1] = [{ev.MinSoc}, 1], got {ev.MaxSoc}");
            }
            if (!IsFinite(ev.InitialSoc) || ev.InitialSoc < ev.MinSoc || ev.InitialSoc > ev.MaxSoc)
            {
                Add($"{path}.ev.initialSoc", $"must be in [minSoc, maxSoc] = [{ev.MinSoc}, {ev.MaxSoc}], got {ev.InitialSoc}");
            }
            if (!IsFinite(ev.ChargePowerKw) || ev.ChargePowerKw < 0)
            {
                Add($"{path}.ev.chargePowerKw", $"must be ≥ 0, got {ev.ChargePowerKw}");
            }
            if (!IsFinite(ev.V2gPowerKw) || ev.V2gPowerKw < 0)
            {
                Add($"{path}.ev.v2gPowerKw", $"must be ≥ 0, got {ev.V2gPowerKw}");
            }
        }

        var pv = scenario.Pv;
        if (!IsFinite(pv.PanelAreaM2) || pv.PanelAreaM2 < 0)
        {
            Add("pv.panelAreaM2", $"must be ≥ 0, got {pv.PanelAreaM2}");
        }
        if (!IsFinite(pv.ReferenceEfficiency) || pv.ReferenceEfficiency <= 0 || pv.ReferenceEfficiency > 1)
        {
            Add("pv.referenceEfficiency", $"must be in (0, 1], got {pv.ReferenceEfficiency}");
        }
        if (!IsFinite(pv.TemperatureCoefficientPerK) || pv.TemperatureCoefficientPerK < 0 || pv.TemperatureCoefficientPerK > 0.05)
        {
            Add("pv.temperatureCoefficientPerK", $"must be in [0, 0.05], got {pv.TemperatureCoefficientPerK}");
        }
        if (!IsFinite(pv.ReferenceTemperatureK) || pv.ReferenceTemperatureK < 150 || pv.ReferenceTemperatureK > 400)
        {
            Add("pv.referenceTemperatureK", $"must be a temperature in kelvin (150–400), got {pv.ReferenceTemperatureK}");
        }

        var s = scenario.Storage;
        if (!IsFinite(s.MinEnergyKwh) || s.MinEnergyKwh < 0)
        {
            Add("storage.minEnergyKwh", $"must be ≥ 0, got {s.MinEnergyKwh}");
        }
        if (!IsFinite(s.MaxEnergyKwh) || s.MaxEnergyKwh < s.MinEnergyKwh)
        {
            Add("storage.maxEnergyKwh", $"must be ≥ minEnergyKwh ({s.MinEnergyKwh}), got {s.MaxEnergyKwh}");
        }
        if (!IsFinite(s.InitialEnergyKwh) || s.InitialEnergyKwh < s.MinEnergyKwh || s.InitialEnergyKwh > s.MaxEnergyKwh)
        {
            Add("storage.initialEnergyKwh", $"must lie in [minEnergyKwh, maxEnergyKwh] = [{s.MinEnergyKwh}, {s.MaxEnergyKwh}], got {s.InitialEnergyKwh}");
        }
        if (!IsFinite(s.MaxChargePowerKw) || s.MaxChargePowerKw < 0)
        {
            Add("storage.maxChargePowerKw", $"must be ≥ 0, got {s.MaxChargePowerKw}");
        }
        if (!IsFinite(s.MaxDischargePowerKw) || s.MaxDischargePowerKw < 0)
        {
            Add("storage.maxDischargePowerKw", $"must be ≥ 0, got {s.MaxDischargePowerKw}");
        }
        foreach (var (name, value) in new[] { ("rentPerKwh", s.RentPerKwh), ("chargeCostPerKwh", s.ChargeCostPerKwh), ("dischargeCostPerKwh", s.DischargeCostPerKwh) })
        {
            if (!IsFinite(value) || value < 0)
            {
                Add($"storage.{name}", $"must be ≥ 0, got {value}");
            }
        }

        var sp = scenario.SellerPricing;
        if (!IsFinite(sp.PvLossCostPerKwh) || sp.PvLossCostPerKwh < 0)
        {
            Add("sellerPricing.pvLossCostPerKwh", $"must be ≥ 0, got {sp.PvLossCostPerKwh}");
        }
        if (!IsFinite(sp.EvLossCostPerKwh) || sp.EvLossCostPerKwh < 0)
        {
            Add("sellerPricing.evLossCostPerKwh", $"must be ≥ 0, got {sp.EvLossCostPerKwh}");
        }
        if (!IsFinite(sp.ExpectedProfitShare) || sp.ExpectedProfitShare <= 0 || sp.ExpectedProfitShare >= 1)
        {
            Add("sellerPricing.expectedProfitShare", $"must be in (0, 1), got {sp.ExpectedProfitShare}");
        }

        var rules = scenario.Rules;
        if (!IsFinite(rules.MaxIntolerableDeviation) || rules.MaxIntolerableDeviation <= 0 || rules.MaxIntolerableDeviation > 1)
        {
            Add("rules.maxIntolerableDeviation", $"must be in (0, 1], got {rules.MaxIntolerableDeviation}");
        }
        if (!IsFinite(rules.PriceTickPerKwh) || rules.PriceTickPerKwh <= 0 || rules.PriceTickPerKwh > 0.1)
        {
            Add("rules.priceTickPerKwh", $"must be in (0, 0.1], got {rules.PriceTickPerKwh}");
        }

        if (problems.Count == 0)
        {
            CheckPriceBoundsFeasible(scenario, problems);
        }
        return problems;
    }

    // Eqs. (3)–(6) need a buyer price strictly below both alternatives, at least the fees above
    // the seller price, and inside [Φmin, Φmax]; say which period makes that impossible.
    private static void CheckPriceBoundsFeasible(DayAheadScenario scenario, List<ScenarioProblem> problems)
    {
        for (int t = 0; t < scenario.PeriodCount; t++)
        {
            double fees = scenario.GridFeePerKwh[t] + scenario.PlatformFeePerKwh[t];
            double cost = scenario.SellerPricing.PvLossCostPerKwh + scenario.SellerPricing.EvLossCostPerKwh;
            bool companyAllowed = !scenario.Rules.CompanyOnlyWhenCheaper || scenario.CompanyPricePerKwh[t] < scenario.GridPricePerKwh[t];
            double alternative = (companyAllowed ? Math.Min(scenario.GridPricePerKwh[t], scenario.CompanyPricePerKwh[t]) : scenario.GridPricePerKwh[t])
                - scenario.Rules.PriceTickPerKwh;
            double floor = scenario.PriceFloorPerKwh[t];
            double ceiling = scenario.PriceCeilingPerKwh[t];
            if (ceiling < floor)
            {
                problems.Add(new ScenarioProblem($"priceCeilingPerKwh[{t}]", $"ceiling {ceiling} is below the floor {floor}"));
            }
            else if (cost + fees > alternative)
            {
                problems.Add(new ScenarioProblem($"gridPricePerKwh[{t}]",
                    $"period {t + 1}: seller cost {cost:0.###} + fees {fees:0.###} is above the cheapest alternative less one price tick, {alternative:0.###} Yuan/kWh, so no peer-to-peer price satisfies eqs. (3)–(6)"));
            }
            else if (floor > alternative || ceiling < cost + fees)
            {
                problems.Add(new ScenarioProblem($"priceFloorPerKwh[{t}]",
                    $"period {t + 1}: the band [{floor}, {ceiling}] leaves no buyer price between cost+fees {cost + fees:0.###} and the cheapest alternative {alternative:0.###}"));
            }
        }
    }

    private static void CheckSeries(string path, IReadOnlyList<double> values, int periods, double min, double max, List<ScenarioProblem> problems)
    {
        if (values.Count != periods)
        {
            problems.Add(new ScenarioProblem(path, $"has {values.Count} entries but the scenario has {periods} periods (the length of irradianceWPerM2)"));
            return;
        }
        for (int t = 0; t < values.Count; t++)
        {
            if (!IsFinite(values[t]) || values[t] < min || values[t] > max)
            {
                problems.Add(new ScenarioProblem($"{path}[{t}]", $"must be in [{min}, {max}], got {values[t]}"));
            }
        }
    }

    private static bool IsFinite(double value) => double.IsFinite(value);
}
