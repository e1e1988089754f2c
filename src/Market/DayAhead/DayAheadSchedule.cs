namespace Gateway.Market.DayAhead;

/// <summary>
/// A day plan: every class's flows in every period, the prices, and the state at the end of every period (shared
/// storage level, each class's EV energy and storage account). Produced by a solver or read from a schedule file;
/// verified by <see cref="ScheduleChecker"/>, which recomputes every state from the flows.
/// </summary>
public sealed class DayAheadSchedule
{
    private readonly ClassPeriodFlows[,] _flows;
    private readonly double[,] _evEnergyKwh;
    private readonly double[,] _accountKwh;

    /// <summary>Creates a schedule; arrays are copied.</summary>
    public DayAheadSchedule(ClassPeriodFlows[,] flows, PeriodPrices[] prices, double[] storageEnergyKwh, double[,] evEnergyKwh, double[,] accountKwh)
    {
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(storageEnergyKwh);
        ArgumentNullException.ThrowIfNull(evEnergyKwh);
        ArgumentNullException.ThrowIfNull(accountKwh);
        int periods = flows.GetLength(0), classes = flows.GetLength(1);
        if (prices.Length != periods || storageEnergyKwh.Length != periods
            || evEnergyKwh.GetLength(0) != periods || evEnergyKwh.GetLength(1) != classes
            || accountKwh.GetLength(0) != periods || accountKwh.GetLength(1) != classes)
        {
            throw new ArgumentException("flows, prices, storage levels, EV energies and accounts must cover the same periods and classes");
        }
        _flows = (ClassPeriodFlows[,])flows.Clone();
        Prices = (PeriodPrices[])prices.Clone();
        StorageEnergyKwh = (double[])storageEnergyKwh.Clone();
        _evEnergyKwh = (double[,])evEnergyKwh.Clone();
        _accountKwh = (double[,])accountKwh.Clone();
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

    /// <summary>Energy in the class's EV batteries at the end of the period.</summary>
    public double EvEnergyKwh(int period, int classIndex) => _evEnergyKwh[period, classIndex];

    /// <summary>The class's storage account at the end of the period.</summary>
    internal double AccountKwh(int period, int classIndex) => _accountKwh[period, classIndex];

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
