using Gateway.Market.Solvers;

namespace Gateway.Market.DayAhead;

/// <summary>
/// The day-ahead model as a mixed-integer linear program (docs/day-ahead-model.md, "Exact
/// formulation"), and the map from its solution back to a schedule.
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
    private readonly record struct Cell(int PvSold, int PvStored, int StorageSold, int StorageOwnUse, int BoughtPeer, int BoughtGrid, int BoughtCompany, int UsesCompany, int Account);

    public static DayAheadProgram Build(DayAheadMarket market)
    {
        var sc = market.Scenario;
        var lp = new LinearProgram { Sense = ObjectiveSense.Maximize };
        int periods = market.PeriodCount, classes = market.ClassCount;
        var cells = new Cell[periods, classes];
        double inf = double.PositiveInfinity;
        double rent = sc.Storage.RentPerKwh;

        for (int t = 0; t < periods; t++)
        {
            var prices = market.Prices[t];
            double grid = sc.GridPricePerKwh[t], company = sc.CompanyPricePerKwh[t];
            double satisfaction = sc.Weights.SatisfactionYuanPerKwh * market.PriceSatisfaction[t];
            for (int k = 0; k < classes; k++)
            {
                string id = $"t{t + 1}_{sc.Classes[k].Name}";
                int account = lp.AddVariable($"account_{id}", 0, inf, 0);
                if (market.IsBuyer(t, k))
                {
                    double demand = market.DemandKwh(t, k);
                    // R_b counts each kWh against its grid price, R_s and C_b cancel for peer kWh except the fees.
                    int peer = lp.AddVariable($"buyPeer_{id}", 0, demand, grid - prices.BuyerPricePerKwh);
                    int own = lp.AddVariable($"ownUse_{id}", 0, demand, grid - rent);
                    int fromGrid = lp.AddVariable($"grid_{id}", 0, demand, 0);
                    int fromCompany = lp.AddVariable($"company_{id}", 0, demand, grid - company);
                    int usesCompany = lp.AddVariable($"gamma_{id}", 0, 1, 0, isInteger: true);
                    lp.AddConstraint($"demand_{id}", [(peer, 1), (own, 1), (fromGrid, 1), (fromCompany, 1)], demand, demand);
                    lp.AddConstraint($"gridOnlyIfChosen_{id}", [(fromGrid, 1), (usesCompany, demand)], double.NegativeInfinity, demand);
                    lp.AddConstraint($"companyOnlyIfChosen_{id}", [(fromCompany, 1), (usesCompany, -demand)], double.NegativeInfinity, 0);
                    cells[t, k] = new Cell(None, None, None, own, peer, fromGrid, fromCompany, usesCompany, account);
                }
                else
                {
                    double surplus = market.SurplusKwh(t, k);
                    int pvSold = lp.AddVariable($"pvSell_{id}", 0, surplus, prices.SellerPricePerKwh + satisfaction);
                    int pvStored = lp.AddVariable($"pvStore_{id}", 0, surplus, -rent);
                    int storageSold = lp.AddVariable($"storageSell_{id}", 0, inf, prices.SellerPricePerKwh + satisfaction - rent);
                    lp.AddConstraint($"surplus_{id}", [(pvSold, 1), (pvStored, 1)], double.NegativeInfinity, surplus);
                    cells[t, k] = new Cell(pvSold, pvStored, storageSold, None, None, None, None, None, account);
                }

                // account_t = account_{t-1} + stored − sold from storage − own use.
                var terms = new List<(int, double)> { (account, 1) };
                if (t > 0)
                {
                    terms.Add((cells[t - 1, k].Account, -1));
                }
                var c = cells[t, k];
                if (c.PvStored != None)
                {
                    terms.Add((c.PvStored, -1));
                }
                if (c.StorageSold != None)
                {
                    terms.Add((c.StorageSold, 1));
                }
                if (c.StorageOwnUse != None)
                {
                    terms.Add((c.StorageOwnUse, 1));
                }
                lp.AddConstraint($"accountBalance_{id}", terms, 0, 0);
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
                    balance.Add((c.PvSold, 1));
                    balance.Add((c.StorageSold, 1));
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
            double dt = sc.PeriodHours;
            lp.AddConstraint($"energyBalance7_t{t + 1}", balance, 0, 0);
            lp.AddConstraint($"chargePower31_t{t + 1}", charge, 0, sc.Storage.MaxChargePowerKw * dt);
            lp.AddConstraint($"dischargePower31_t{t + 1}", discharge, 0, sc.Storage.MaxDischargePowerKw * dt);
            lp.AddConstraint($"capacity30_t{t + 1}", level,
                sc.Storage.MinEnergyKwh - sc.Storage.InitialEnergyKwh, sc.Storage.MaxEnergyKwh - sc.Storage.InitialEnergyKwh);
        }
        return new DayAheadProgram(market, lp, cells);
    }

    /// <summary>Reads a solution into a schedule, removing the solver's round-off (tiny negatives, sums a hair off).</summary>
    public DayAheadSchedule ToSchedule(double[] x)
    {
        var sc = _market.Scenario;
        int periods = _market.PeriodCount, classes = _market.ClassCount;
        var flows = new ClassPeriodFlows[periods, classes];
        var levels = new double[periods];
        var accounts = new double[classes];
        double Value(int index) => index == None ? 0.0 : Math.Max(0.0, x[index]);

        for (int t = 0; t < periods; t++)
        {
            for (int k = 0; k < classes; k++)
            {
                var c = _cells[t, k];
                if (_market.IsBuyer(t, k))
                {
                    double demand = _market.DemandKwh(t, k);
                    double peer = Math.Min(Value(c.BoughtPeer), demand);
                    double own = Math.Min(Math.Min(Value(c.StorageOwnUse), demand - peer), accounts[k]);
                    bool company = Value(c.UsesCompany) >= 0.5;
                    double rest = Math.Max(0.0, demand - peer - own);
                    flows[t, k] = new ClassPeriodFlows(0, 0, 0, 0, own, peer, company ? 0 : rest, company ? rest : 0, company);
                    accounts[k] -= own;
                }
                else
                {
                    double surplus = _market.SurplusKwh(t, k);
                    double sold = Math.Min(Value(c.PvSold), surplus);
                    double stored = Math.Min(Value(c.PvStored), surplus - sold);
                    double fromStorage = Math.Min(Value(c.StorageSold), accounts[k] + stored);
                    flows[t, k] = new ClassPeriodFlows(sold, stored, Math.Max(0.0, surplus - sold - stored), fromStorage, 0, 0, 0, 0, false);
                    accounts[k] += stored - fromStorage;
                }
            }
            levels[t] = sc.Storage.InitialEnergyKwh + accounts.Sum();
        }
        return new DayAheadSchedule(flows, _market.Prices, levels);
    }
}
