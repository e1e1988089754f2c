using Gateway.Market.Solvers;

namespace Gateway.Market.DayAhead;

/// <summary>
/// The day-ahead model as a linear program (docs/day-ahead-model.md, "Exact reference"), and the map from its
/// solution back to a schedule. It is an LP, not a MILP: the grid-or-company choice of eq. (17) needs no binary,
/// because a buyer's objective is linear in both channels, so an optimal vertex buys the rest from the cheaper
/// one alone (a tie leaves the objective unchanged whichever channel <see cref="ToSchedule"/> puts it on).
/// </summary>
internal sealed class DayAheadProgram
{
    private const int None = -1;
    private readonly DayAheadMarket _market;
    private readonly Cell[,] _cells;

    private DayAheadProgram(DayAheadMarket market, LinearProgram program, Cell[,] cells)
    {
        _market = market;
        Program = program;
        _cells = cells;
    }

    public LinearProgram Program { get; }

    /// <summary>Variable indices of one class in one period (<see cref="None"/> when the role excludes them).</summary>
    private readonly record struct Cell(
        int PvSold, int PvToEv, int PvStored, int EvSold, int StorageSold,
        int EvOwnUse, int StorageOwnUse, int BoughtPeer, int BoughtGrid, int BoughtCompany, int Ev, int Account);

    public static DayAheadProgram Build(DayAheadMarket market)
    {
        var sc = market.Scenario;
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        int periods = market.PeriodCount, classes = market.ClassCount;
        var cells = new Cell[periods, classes];
        double inf = double.PositiveInfinity;
        double rent = sc.Storage.RentPerKwh;
        double dt = sc.PeriodHours;
        bool ownUse = sc.Rules.OwnUse;

        for (int t = 0; t < periods; t++)
        {
            var prices = market.RulePrices[t];
            double grid = sc.GridPricePerKwh[t], company = sc.CompanyPricePerKwh[t];
            for (int k = 0; k < classes; k++)
            {
                string id = $"t{t + 1}_{sc.Classes[k].Name}";
                int ev = lp.AddVariable($"ev_{id}", market.EvMinKwh[k], market.EvMaxKwh[k], 0);
                int account = lp.AddVariable($"account_{id}", 0, inf, 0);
                int evIn = None, evOut = None, accountIn = None, accountOut = None;
                Cell cell;
                if (market.IsBuyer(t, k))
                {
                    double need = market.DemandKwh(t, k);
                    // R_b counts each kWh of need against its grid price; a peer kWh saves Q_G − Q_b, own energy saves Q_G.
                    int evOwn = lp.AddVariable($"evOwnUse_{id}", 0, ownUse ? Math.Min(need, market.EvDischargeLimitKwh(t, k)) : 0, grid);
                    int storageOwn = lp.AddVariable($"storageOwnUse_{id}", 0, ownUse ? need : 0, grid - rent);
                    int peer = lp.AddVariable($"buyPeer_{id}", 0, need, grid - prices.BuyerPricePerKwh);
                    int fromGrid = lp.AddVariable($"grid_{id}", 0, need, 0);
                    int fromCompany = lp.AddVariable($"company_{id}", 0, market.CompanyAllowed(t) ? need : 0, grid - company);
                    lp.AddConstraint($"need_{id}", [(evOwn, 1), (storageOwn, 1), (peer, 1), (fromGrid, 1), (fromCompany, 1)], need, need);
                    cell = new Cell(None, None, None, None, None, evOwn, storageOwn, peer, fromGrid, fromCompany, ev, account);
                    evOut = evOwn;
                    accountOut = storageOwn;
                }
                else
                {
                    double surplus = market.SurplusKwh(t, k);
                    int pvSold = lp.AddVariable($"pvSell_{id}", 0, surplus, prices.SellerPricePerKwh);
                    int pvToEv = lp.AddVariable($"pvToEv_{id}", 0, Math.Min(surplus, market.EvChargeLimitKwh(t, k)), 0);
                    int pvStored = lp.AddVariable($"pvStore_{id}", 0, surplus, -rent);
                    int evSold = lp.AddVariable($"evSell_{id}", 0, market.EvDischargeLimitKwh(t, k), prices.SellerPricePerKwh);
                    int storageSold = lp.AddVariable($"storageSell_{id}", 0, inf, prices.SellerPricePerKwh - rent);
                    lp.AddConstraint($"surplus_{id}", [(pvSold, 1), (pvToEv, 1), (pvStored, 1)], double.NegativeInfinity, surplus);
                    cell = new Cell(pvSold, pvToEv, pvStored, evSold, storageSold, None, None, None, None, None, ev, account);
                    evIn = pvToEv;
                    evOut = evSold;
                    accountIn = pvStored;
                    accountOut = storageSold;
                }
                cells[t, k] = cell;

                // ev_t = ev_{t−1} + charged − discharged, ev_0 given; account_t = account_{t−1} + stored − drawn, account_0 = 0.
                double evBefore = t == 0 ? market.EvInitialKwh[k] : 0;
                lp.AddConstraint($"evBalance_{id}", Terms((ev, 1), t > 0 ? (cells[t - 1, k].Ev, -1) : default, evIn == None ? default : (evIn, -1), (evOut, 1)), evBefore, evBefore);
                lp.AddConstraint($"accountBalance_{id}", Terms((account, 1), t > 0 ? (cells[t - 1, k].Account, -1) : default, accountIn == None ? default : (accountIn, -1), (accountOut, 1)), 0, 0);
            }

            var balance = new List<(int, double)>();
            var charge = new List<(int, double)>();
            var discharge = new List<(int, double)>();
            var level = new List<(int, double)>();
            for (int k = 0; k < classes; k++)
            {
                var c = cells[t, k];
                if (c.PvSold != None)
                {
                    balance.AddRange([(c.PvSold, 1), (c.EvSold, 1), (c.StorageSold, 1)]);
                    charge.Add((c.PvStored, 1));
                    discharge.Add((c.StorageSold, 1));
                }
                else
                {
                    balance.Add((c.BoughtPeer, -1));
                    discharge.Add((c.StorageOwnUse, 1));
                }
                level.Add((c.Account, 1));
            }
            lp.AddConstraint($"energyBalance7_t{t + 1}", balance, 0, 0);
            lp.AddConstraint($"chargePower31_t{t + 1}", charge, 0, sc.Storage.MaxChargePowerKw * dt);
            lp.AddConstraint($"dischargePower31_t{t + 1}", discharge, 0, sc.Storage.MaxDischargePowerKw * dt);
            lp.AddConstraint($"capacity30_t{t + 1}", level,
                sc.Storage.MinEnergyKwh - sc.Storage.InitialEnergyKwh, sc.Storage.MaxEnergyKwh - sc.Storage.InitialEnergyKwh);
        }

        if (sc.Rules.EndOfDayEnergy)
        {
            for (int k = 0; k < classes; k++)
            {
                lp.AddConstraint($"endOfDay_{sc.Classes[k].Name}", [(cells[periods - 1, k].Ev, 1)], market.EvInitialKwh[k], double.PositiveInfinity);
            }
        }
        return new DayAheadProgram(market, lp, cells);
    }

    private static List<(int, double)> Terms(params (int Variable, double Coefficient)[] terms) =>
        terms.Where(p => p.Coefficient != 0 && p.Variable != None).ToList();

    /// <summary>Reads a solution into a schedule, removing the solver's round-off (tiny negatives, sums a hair off).</summary>
    public DayAheadSchedule ToSchedule(double[] x)
    {
        var sc = _market.Scenario;
        int periods = _market.PeriodCount, classes = _market.ClassCount;
        var flows = new ClassPeriodFlows[periods, classes];
        var levels = new double[periods];
        var evLog = new double[periods, classes];
        var accountLog = new double[periods, classes];
        var ev = (double[])_market.EvInitialKwh.Clone();
        var accounts = new double[classes];
        double Value(int index) => index == None ? 0.0 : Math.Max(0.0, x[index]);

        for (int t = 0; t < periods; t++)
        {
            for (int k = 0; k < classes; k++)
            {
                var c = _cells[t, k];
                double evFree = Math.Max(0.0, ev[k] - _market.EvMinKwh[k]);
                if (_market.IsBuyer(t, k))
                {
                    double need = _market.DemandKwh(t, k);
                    double evOwn = Math.Min(Math.Min(Value(c.EvOwnUse), need), evFree);
                    double storageOwn = Math.Min(Math.Min(Value(c.StorageOwnUse), need - evOwn), accounts[k]);
                    double peer = Math.Min(Value(c.BoughtPeer), need - evOwn - storageOwn);
                    double rest = Math.Max(0.0, need - evOwn - storageOwn - peer);
                    bool company = _market.CompanyAllowed(t) && Value(c.BoughtCompany) > Value(c.BoughtGrid);
                    flows[t, k] = new ClassPeriodFlows(0, 0, 0, 0, 0, 0, evOwn, storageOwn, peer, company ? 0 : rest, company ? rest : 0, company);
                    ev[k] -= evOwn;
                    accounts[k] -= storageOwn;
                }
                else
                {
                    double surplus = _market.SurplusKwh(t, k);
                    double sold = Math.Min(Value(c.PvSold), surplus);
                    double toEv = Math.Min(Value(c.PvToEv), surplus - sold);
                    double stored = Math.Min(Value(c.PvStored), surplus - sold - toEv);
                    double evSold = Math.Min(Value(c.EvSold), evFree + toEv);
                    double storageSold = Math.Min(Value(c.StorageSold), accounts[k] + stored);
                    flows[t, k] = new ClassPeriodFlows(sold, toEv, stored, Math.Max(0.0, surplus - sold - toEv - stored), evSold, storageSold, 0, 0, 0, 0, 0, false);
                    ev[k] += toEv - evSold;
                    accounts[k] += stored - storageSold;
                }
                evLog[t, k] = ev[k];
                accountLog[t, k] = accounts[k];
            }
            levels[t] = sc.Storage.InitialEnergyKwh + accounts.Sum();
        }
        return new DayAheadSchedule(flows, _market.RulePrices, levels, evLog, accountLog);
    }
}
