namespace Gateway.Market.DayAhead;

/// <summary>
/// One choice the paper leaves open, switched to an alternative: the assumption table (docs/day-ahead-model.md)
/// measures the effect of each on Table 6 by solving the switched scenario.
/// </summary>
/// <param name="Key">Short name, e.g. "pv-physical".</param>
/// <param name="Assumption">The choice our scenarios make.</param>
/// <param name="Alternative">What the switch changes it to.</param>
/// <param name="Apply">The switched scenario.</param>
/// <param name="MetaheuristicsApply">False when the metaheuristics' repair cannot honour the switched rule (only the exact reference then plans with it).</param>
public sealed record AssumptionSwitch(string Key, string Assumption, string Alternative, Func<DayAheadScenario, DayAheadScenario> Apply, bool MetaheuristicsApply = true)
{
    /// <summary>The switches, one assumption each.</summary>
    public static IReadOnlyList<AssumptionSwitch> All { get; } =
    [
        new("pv-physical", "PV shaped to the text: 2.1–5.6 kW per user at 17–21 h", "a physical winter day: no PV after 18 h",
            s => s with { IrradianceWPerM2 = s.IrradianceWPerM2.Select((v, t) => t >= 18 ? 0.0 : v).ToArray() }),
        new("no-v2g", "EVs are V2G batteries (7 kW piles, 50 kWh, 20–90 %)", "no EV batteries: PV surplus is sold, stored or curtailed in its hour",
            s => s with { Classes = s.Classes.Select(c => c with { Ev = c.Ev with { ChargePowerKw = 0, V2gPowerKw = 0 } }).ToArray() }),
        new("no-own-use", "a buyer may cover its need from its own EV and stored energy", "own use forbidden: residual energy can only be sold",
            s => s with { Rules = s.Rules with { OwnUse = false } }),
        new("needs-6.6kW", "per-class needs 2.0 / 3.0 / 5.0 kW per charging hour (from the text)", "every class needs 6.6 kW (a 7 kW wallbox) per charging hour",
            s => s with { Classes = s.Classes.Select(c => c with { ChargingPowerKw = 6.6 }).ToArray() }),
        new("carry-over", "EVs start at their 20 % reserve; nothing carried over", "EVs start at 50 % and must end the day with as much (a repeating day)",
            s => s with
            {
                Classes = s.Classes.Select(c => c with { Ev = c.Ev with { InitialSoc = Math.Clamp(0.5, c.Ev.MinSoc, c.Ev.MaxSoc) } }).ToArray(),
                Rules = s.Rules with { EndOfDayEnergy = true },
            },
            MetaheuristicsApply: false),
        new("no-trips", "EVs are away on trips (A 15–16 h, B 6–7 and 16–17 h, C 6, 14–15 and 18 h)", "EVs never leave their piles",
            s => s with { Classes = s.Classes.Select(c => c with { Away = new bool[c.Away.Count] }).ToArray() }),
        new("company-any-time", "buyers use the company only where it is cheaper than the grid", "buyers may use the company in any period",
            s => s with { Rules = s.Rules with { CompanyOnlyWhenCheaper = false } }),
        new("battery-100kWh", "50 kWh batteries", "100 kWh batteries",
            s => s with { Classes = s.Classes.Select(c => c with { Ev = c.Ev with { BatteryKwh = 100 } }).ToArray() }),
        new("pricing-rule", "prices are strategies chosen by the entropy ranking", "prices by eqs. (8)–(9) with a profit share of 0.5",
            s => s with { Rules = s.Rules with { Pricing = PricingMode.Rule } }),
    ];
}
