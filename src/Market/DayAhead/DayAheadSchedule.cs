namespace Gateway.Market.DayAhead;

/// <summary>
/// A day plan: every class's flows in every period, the prices, and the storage energy at the
/// end of every period. Produced by a solver; verified by <see cref="ScheduleChecker"/>.
/// </summary>
public sealed class DayAheadSchedule
{
    private readonly ClassPeriodFlows[,] _flows;

    /// <summary>Creates a schedule; arrays are copied.</summary>
    public DayAheadSchedule(ClassPeriodFlows[,] flows, PeriodPrices[] prices, double[] storageEnergyKwh)
    {
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(storageEnergyKwh);
        if (prices.Length != flows.GetLength(0) || storageEnergyKwh.Length != flows.GetLength(0))
        {
            throw new ArgumentException("flows, prices and storage levels must cover the same periods");
        }
        _flows = (ClassPeriodFlows[,])flows.Clone();
        Prices = (PeriodPrices[])prices.Clone();
        StorageEnergyKwh = (double[])storageEnergyKwh.Clone();
    }

    /// <summary>T.</summary>
    public int PeriodCount => _flows.GetLength(0);

    /// <summary>Number of classes.</summary>
    public int ClassCount => _flows.GetLength(1);

    /// <summary>Prices per period.</summary>
    public IReadOnlyList<PeriodPrices> Prices { get; }

    /// <summary>E^ES_t: stored energy at the end of each period, operator reserve included.</summary>
    public IReadOnlyList<double> StorageEnergyKwh { get; }

    /// <summary>Flows of one class in one period.</summary>
    public ClassPeriodFlows this[int period, int classIndex] => _flows[period, classIndex];

    /// <summary>Total energy traded peer-to-peer in the period (seller side).</summary>
    public double PeerTradeKwh(int period)
    {
        double sum = 0;
        for (int k = 0; k < ClassCount; k++)
        {
            sum += _flows[period, k].SoldKwh;
        }
        return sum;
    }
}
