namespace Gateway.Market.DayAhead;

/// <summary>
/// A scenario with everything the solvers need derived once: PV output per user (eqs. 1–2), each class's surplus or
/// need per period (the buyer/seller split of section 3.2), the EV batteries' limits per class and period, and the
/// band every period's buyer price must stay in (eqs. 3–6, 8).
/// </summary>
public sealed class DayAheadMarket
{
    private readonly double[,] _surplusKwh;
    private readonly double[,] _demandKwh;
    private readonly double[,] _evChargeLimitKwh;
    private readonly double[,] _evDischargeLimitKwh;

    private DayAheadMarket(DayAheadScenario scenario)
    {
        Scenario = scenario;
        int periods = scenario.PeriodCount;
        int classes = scenario.Classes.Count;
        double dt = scenario.PeriodHours;
        PvPowerPerUserKw = new double[periods];
        _surplusKwh = new double[periods, classes];
        _demandKwh = new double[periods, classes];
        _evChargeLimitKwh = new double[periods, classes];
        _evDischargeLimitKwh = new double[periods, classes];
        BuyerPriceFloor = new double[periods];
        BuyerPriceCeiling = new double[periods];
        RulePrices = new PeriodPrices[periods];
        EvMinKwh = new double[classes];
        EvMaxKwh = new double[classes];
        EvInitialKwh = new double[classes];

        for (int k = 0; k < classes; k++)
        {
            var c = scenario.Classes[k];
            EvMinKwh[k] = c.UserCount * c.Ev.BatteryKwh * c.Ev.MinSoc;
            EvMaxKwh[k] = c.UserCount * c.Ev.BatteryKwh * c.Ev.MaxSoc;
            EvInitialKwh[k] = c.UserCount * c.Ev.BatteryKwh * c.Ev.InitialSoc;
        }

        for (int t = 0; t < periods; t++)
        {
            double pv = PvModel.PowerKw(scenario.Pv, scenario.IrradianceWPerM2[t], scenario.TemperatureK[t]);
            PvPowerPerUserKw[t] = pv;
            for (int k = 0; k < classes; k++)
            {
                var c = scenario.Classes[k];
                double needKw = c.Charging[t] ? c.ChargingPowerKw : 0.0;
                double netKwh = c.UserCount * (pv - needKw) * dt;
                _surplusKwh[t, k] = Math.Max(0.0, netKwh);
                _demandKwh[t, k] = Math.Max(0.0, -netKwh);
                bool home = !c.Away[t];
                _evChargeLimitKwh[t, k] = home ? c.UserCount * c.Ev.ChargePowerKw * dt : 0.0;
                _evDischargeLimitKwh[t, k] = home ? c.UserCount * c.Ev.V2gPowerKw * dt : 0.0;
            }

            double fees = scenario.GridFeePerKwh[t] + scenario.PlatformFeePerKwh[t];
            double cost = scenario.SellerPricing.PvLossCostPerKwh + scenario.SellerPricing.EvLossCostPerKwh;
            double tick = scenario.Rules.PriceTickPerKwh;
            BuyerPriceFloor[t] = Math.Max(scenario.PriceFloorPerKwh[t], cost + fees);
            BuyerPriceCeiling[t] = Math.Min(scenario.PriceCeilingPerKwh[t], AlternativePricePerKwh(t) - tick);
            RulePrices[t] = PricesAt(t, scenario.SellerPricing.ExpectedProfitShare);
        }
    }

    /// <summary>The scenario this market was derived from.</summary>
    public DayAheadScenario Scenario { get; }

    /// <summary>T.</summary>
    public int PeriodCount => Scenario.PeriodCount;

    /// <summary>Number of user classes.</summary>
    public int ClassCount => Scenario.Classes.Count;

    /// <summary>PV output of one user per period (eq. 2).</summary>
    public double[] PvPowerPerUserKw { get; }

    /// <summary>Lowest buyer price per period: Φ^min, and the seller's cost plus fees (eqs. 5, 6, 8 with a profit ≥ 0).</summary>
    public double[] BuyerPriceFloor { get; }

    /// <summary>Highest buyer price per period: Φ^max, and one tick below the cheaper of grid and company (eqs. 3–5).</summary>
    public double[] BuyerPriceCeiling { get; }

    /// <summary>Prices by the rule of eqs. (8)–(9) with the scenario's expected-profit share.</summary>
    public PeriodPrices[] RulePrices { get; }

    /// <summary>Lowest energy the class's EVs may hold together (reserve), kWh.</summary>
    public double[] EvMinKwh { get; }

    /// <summary>Highest energy the class's EVs may hold together, kWh.</summary>
    public double[] EvMaxKwh { get; }

    /// <summary>Energy the class's EVs hold at the start of the day, kWh.</summary>
    public double[] EvInitialKwh { get; }

    /// <summary>Class <paramref name="classIndex"/>'s PV energy left after its own charging in period <paramref name="period"/> (0 when it is a buyer).</summary>
    internal double SurplusKwh(int period, int classIndex) => _surplusKwh[period, classIndex];

    /// <summary>Class <paramref name="classIndex"/>'s charging need its PV cannot cover in period <paramref name="period"/> (0 when it is not a buyer).</summary>
    internal double DemandKwh(int period, int classIndex) => _demandKwh[period, classIndex];

    /// <summary>True when the class is a buyer in the period; otherwise it is on the seller side (PV surplus, EV and stored energy).</summary>
    internal bool IsBuyer(int period, int classIndex) => _demandKwh[period, classIndex] > 0;

    /// <summary>True while the class's EVs are at their piles (not on a trip).</summary>
    internal bool IsHome(int period, int classIndex) => !Scenario.Classes[classIndex].Away[period];

    /// <summary>Most energy the class's EVs can take in during the period (0 while away).</summary>
    internal double EvChargeLimitKwh(int period, int classIndex) => _evChargeLimitKwh[period, classIndex];

    /// <summary>Most energy the class's EVs can give out during the period (0 while away).</summary>
    internal double EvDischargeLimitKwh(int period, int classIndex) => _evDischargeLimitKwh[period, classIndex];

    /// <summary>The cheaper of grid and company in the period (the buyer's alternative).</summary>
    internal double AlternativePricePerKwh(int period) =>
        CompanyAllowed(period) ? Math.Min(Scenario.GridPricePerKwh[period], Scenario.CompanyPricePerKwh[period]) : Scenario.GridPricePerKwh[period];

    /// <summary>Whether a buyer may buy from the company in the period (always, unless the rule says only when it is cheaper than the grid).</summary>
    internal bool CompanyAllowed(int period) =>
        !Scenario.Rules.CompanyOnlyWhenCheaper || Scenario.CompanyPricePerKwh[period] < Scenario.GridPricePerKwh[period];

    /// <summary>The prices at position <paramref name="share"/> ∈ [0, 1] of period <paramref name="period"/>'s band (0 = floor, 1 = ceiling); Q_s = Q_b − fees (eq. 6).</summary>
    internal PeriodPrices PricesAt(int period, double share)
    {
        double fees = Scenario.GridFeePerKwh[period] + Scenario.PlatformFeePerKwh[period];
        double s = double.IsNaN(share) ? 0.0 : Math.Clamp(share, 0.0, 1.0);
        double buyer = BuyerPriceFloor[period] + s * (BuyerPriceCeiling[period] - BuyerPriceFloor[period]);
        return new PeriodPrices(buyer - fees, buyer);
    }

    /// <summary>Derives the market; throws <see cref="ArgumentException"/> listing every problem of an invalid scenario.</summary>
    public static DayAheadMarket Create(DayAheadScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var problems = DayAheadScenarioValidator.Validate(scenario);
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid day-ahead scenario: " + string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}")), nameof(scenario));
        }
        return new DayAheadMarket(scenario);
    }
}
