namespace Gateway.Market.DayAhead;

/// <summary>
/// A scenario with everything the solvers need derived once: PV output per user (eqs. 1–2),
/// each class's surplus or demand per period (the buyer/seller split), the peer-to-peer prices
/// (eqs. 6, 8, 9 inside the bounds 3–5), and the charging-price satisfaction per period (eqs. 20–23).
/// </summary>
public sealed class DayAheadMarket
{
    private readonly double[,] _surplusKwh;
    private readonly double[,] _demandKwh;

    private DayAheadMarket(DayAheadScenario scenario)
    {
        Scenario = scenario;
        int periods = scenario.PeriodCount;
        int classes = scenario.Classes.Count;
        PvPowerPerUserKw = new double[periods];
        _surplusKwh = new double[periods, classes];
        _demandKwh = new double[periods, classes];
        Prices = new PeriodPrices[periods];
        PriceSatisfaction = new double[periods];

        for (int t = 0; t < periods; t++)
        {
            double pv = PvModel.PowerKw(scenario.Pv, scenario.IrradianceWPerM2[t], scenario.TemperatureK[t]);
            PvPowerPerUserKw[t] = pv;
            for (int k = 0; k < classes; k++)
            {
                var c = scenario.Classes[k];
                double loadKw = c.Charging[t] ? c.ChargingPowerKw : 0.0;
                double netKwh = c.UserCount * (pv - loadKw) * scenario.PeriodHours;
                _surplusKwh[t, k] = Math.Max(0.0, netKwh);
                _demandKwh[t, k] = Math.Max(0.0, -netKwh);
            }
            Prices[t] = PriceFor(scenario, t);
        }
        ComputePriceSatisfaction();
    }

    /// <summary>The scenario this market was derived from.</summary>
    public DayAheadScenario Scenario { get; }

    /// <summary>T.</summary>
    public int PeriodCount => Scenario.PeriodCount;

    /// <summary>Number of user classes.</summary>
    public int ClassCount => Scenario.Classes.Count;

    /// <summary>PV output of one user per period (eq. 2).</summary>
    public double[] PvPowerPerUserKw { get; }

    /// <summary>Peer-to-peer prices per period.</summary>
    public PeriodPrices[] Prices { get; }

    /// <summary>Gra_t, the charging-price satisfaction of buyers in each period (eqs. 20–23), in [0, 1].</summary>
    public double[] PriceSatisfaction { get; }

    /// <summary>Class <paramref name="classIndex"/>'s PV energy left after its own charging in period <paramref name="period"/> (0 when it is a buyer).</summary>
    public double SurplusKwh(int period, int classIndex) => _surplusKwh[period, classIndex];

    /// <summary>Class <paramref name="classIndex"/>'s charging energy its PV cannot cover in period <paramref name="period"/> (0 when it is not a buyer).</summary>
    public double DemandKwh(int period, int classIndex) => _demandKwh[period, classIndex];

    /// <summary>True when the class is a buyer in the period; otherwise it may sell PV surplus and stored energy.</summary>
    public bool IsBuyer(int period, int classIndex) => _demandKwh[period, classIndex] > 0;

    /// <summary>The cheaper of grid and company in the period (the buyer's alternative).</summary>
    public double AlternativePricePerKwh(int period) =>
        Math.Min(Scenario.GridPricePerKwh[period], Scenario.CompanyPricePerKwh[period]);

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

    // Q_s = C_PV + C_EV + profit (eqs. 8–9); the profit is a share of what is left between the
    // buyer's cheapest alternative and cost plus fees, so Q_b stays strictly below Q_G and Q_C.
    private static PeriodPrices PriceFor(DayAheadScenario scenario, int t)
    {
        double fees = scenario.GridFeePerKwh[t] + scenario.PlatformFeePerKwh[t];
        double cost = scenario.SellerPricing.PvLossCostPerKwh + scenario.SellerPricing.EvLossCostPerKwh;
        double alternative = Math.Min(scenario.GridPricePerKwh[t], scenario.CompanyPricePerKwh[t]);
        double buyer = cost + fees + scenario.SellerPricing.ExpectedProfitShare * (alternative - cost - fees);
        buyer = Math.Clamp(buyer, scenario.PriceFloorPerKwh[t], scenario.PriceCeilingPerKwh[t]);
        return new PeriodPrices(buyer - fees, buyer);
    }

    // Eqs. 20–23: the price difference to the alternative the buyer would otherwise use
    // (α₁ = 1 for the grid when it is the cheaper one, else α₂ = 1), mapped through the cosine
    // between the day's smallest and largest difference.
    private void ComputePriceSatisfaction()
    {
        int periods = PeriodCount;
        var toGrid = new double[periods];
        var toCompany = new double[periods];
        for (int t = 0; t < periods; t++)
        {
            toGrid[t] = Scenario.GridPricePerKwh[t] - Prices[t].SellerPricePerKwh;
            toCompany[t] = Scenario.CompanyPricePerKwh[t] - Prices[t].SellerPricePerKwh;
        }
        for (int t = 0; t < periods; t++)
        {
            bool gridIsAlternative = Scenario.GridPricePerKwh[t] <= Scenario.CompanyPricePerKwh[t];
            PriceSatisfaction[t] = gridIsAlternative
                ? Satisfaction(toGrid[t], toGrid.Min(), toGrid.Max())
                : Satisfaction(toCompany[t], toCompany.Min(), toCompany.Max());
        }
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
