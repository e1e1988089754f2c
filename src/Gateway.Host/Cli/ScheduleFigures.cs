using System.Globalization;
using Gateway.Reporting;
using Gateway.Market.DayAhead;

namespace Gateway.Host.Cli;

/// <summary>The charts of a schedule report (the paper's Figs. 5, 7, 8, 10, 11, 12).</summary>
internal static class ScheduleFigures
{
    private static readonly string[] Hours = Enumerable.Range(1, 24).Select(h => h.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static IReadOnlyList<string> PeriodLabels(int periods) =>
        periods == 24 ? Hours : Enumerable.Range(1, periods).Select(h => h.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Figs. 5/7/8: where one class's charging energy comes from, hour by hour.</summary>
    public static SvgChart PurchaseStrategy(DayAheadMarket market, DayAheadSolverResult run, int buyer)
    {
        var sc = market.Scenario;
        int periods = market.PeriodCount;
        var chart = new SvgChart($"Scenario {sc.Name}: energy purchase strategy of class {sc.Classes[buyer].Name} users ({run.Solver})", PeriodLabels(periods))
        {
            XAxisLabel = "Hour of day (period ending at) [h]",
            YAxisLabel = "Energy bought [kWh]",
        };
        string[] peerColors = ["#4e79a7", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f"];
        for (int seller = 0; seller < market.ClassCount; seller++)
        {
            var values = new double[periods];
            for (int t = 0; t < periods; t++)
            {
                double sold = run.Schedule.PeerTradeKwh(t);
                values[t] = sold > 0 ? run.Schedule[t, buyer].BoughtPeerKwh * run.Schedule[t, seller].SoldKwh / sold : 0;
            }
            if (values.Any(v => v > 1e-9))
            {
                chart.Add(new ChartSeries($"from class {sc.Classes[seller].Name} users", values, ChartSeriesKind.StackedBar, peerColors[seller % peerColors.Length]));
            }
        }
        chart.Add(new ChartSeries("own EV energy", Column(run, periods, buyer, f => f.EvOwnUseKwh), ChartSeriesKind.StackedBar, "#bab0ac"));
        chart.Add(new ChartSeries("own stored energy", Column(run, periods, buyer, f => f.StorageOwnUseKwh), ChartSeriesKind.StackedBar, "#edc948"));
        chart.Add(new ChartSeries("state grid", Column(run, periods, buyer, f => f.BoughtGridKwh), ChartSeriesKind.StackedBar, "#e15759"));
        chart.Add(new ChartSeries("electricity-selling company", Column(run, periods, buyer, f => f.BoughtCompanyKwh), ChartSeriesKind.StackedBar, "#f28e2b"));
        return chart;
    }

    /// <summary>Fig. 12: stored energy at the end of each hour, one line per solver.</summary>
    public static SvgChart StorageLevel(DayAheadMarket market, IReadOnlyList<DayAheadSolverResult> runs)
    {
        var sc = market.Scenario;
        var chart = new SvgChart($"Scenario {sc.Name}: shared energy storage level over the day", PeriodLabels(market.PeriodCount))
        {
            XAxisLabel = "Hour of day (end of period) [h]",
            YAxisLabel = "Stored energy [kWh]",
        };
        foreach (var run in runs)
        {
            chart.Add(new ChartSeries(run.Solver, run.Schedule.StorageEnergyKwh.ToArray()));
        }
        chart.Add(new ChartSeries("capacity limit", Enumerable.Repeat(sc.Storage.MaxEnergyKwh, market.PeriodCount).ToArray(), Color: "#888888", Dashed: true));
        return chart;
    }

    /// <summary>The class's EV batteries over the day (what V2G sells from), one line per class.</summary>
    public static SvgChart EvEnergy(DayAheadMarket market, DayAheadSolverResult run)
    {
        var sc = market.Scenario;
        var chart = new SvgChart($"Scenario {sc.Name}: energy in each class's EV batteries ({run.Solver})", PeriodLabels(market.PeriodCount))
        {
            XAxisLabel = "Hour of day (end of period) [h]",
            YAxisLabel = "EV energy, class total [kWh]",
        };
        for (int k = 0; k < market.ClassCount; k++)
        {
            var values = new double[market.PeriodCount];
            for (int t = 0; t < market.PeriodCount; t++)
            {
                values[t] = run.Schedule.EvEnergyKwh(t, k);
            }
            chart.Add(new ChartSeries($"class {sc.Classes[k].Name}", values));
        }
        return chart;
    }

    /// <summary>Fig. 10: each operator's revenue per hour for one schedule.</summary>
    public static SvgChart OperatorRevenue(DayAheadMarket market, DayAheadSolverResult run)
    {
        var sc = market.Scenario;
        int periods = market.PeriodCount;
        var grid = new double[periods];
        var company = new double[periods];
        var platform = new double[periods];
        var storage = new double[periods];
        for (int t = 0; t < periods; t++)
        {
            double traded = run.Schedule.PeerTradeKwh(t);
            for (int k = 0; k < market.ClassCount; k++)
            {
                var f = run.Schedule[t, k];
                grid[t] += sc.GridPricePerKwh[t] * f.BoughtGridKwh;
                company[t] += sc.CompanyPricePerKwh[t] * f.BoughtCompanyKwh;
                storage[t] += (sc.Storage.RentPerKwh - sc.Storage.ChargeCostPerKwh) * f.ChargedKwh
                    + (sc.Storage.RentPerKwh - sc.Storage.DischargeCostPerKwh) * f.DischargedKwh;
            }
            grid[t] += sc.GridFeePerKwh[t] * traded;
            platform[t] = sc.PlatformFeePerKwh[t] * traded;
        }
        return new SvgChart($"Scenario {sc.Name}: revenue of the operators per hour ({run.Solver})", PeriodLabels(periods))
        {
            XAxisLabel = "Hour of day (period ending at) [h]",
            YAxisLabel = "Revenue [Yuan]",
        }
        .Add(new ChartSeries("state grid (eq. 25)", grid, Color: "#e15759"))
        .Add(new ChartSeries("electricity-selling company (eq. 26)", company, Color: "#f28e2b"))
        .Add(new ChartSeries("trading platform (eq. 24)", platform, Color: "#4e79a7"))
        .Add(new ChartSeries("shared storage (eq. 29)", storage, Color: "#59a14f"));
    }

    /// <summary>Fig. 11: best objective per iteration of each metaheuristic, with the exact optimum as a reference line.</summary>
    public static SvgChart Convergence(DayAheadMarket market, IReadOnlyList<DayAheadSolverResult> runs)
    {
        int iterations = runs.Max(r => r.BestObjectiveByIteration.Count);
        var labels = Enumerable.Range(1, iterations).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var chart = new SvgChart($"Scenario {market.Scenario.Name}: convergence of the objective J", labels)
        {
            XAxisLabel = "Iteration",
            YAxisLabel = "Best objective J [Yuan]",
            YFromZero = false,
            LabelEvery = Math.Max(1, iterations / 10),
        };
        foreach (var run in runs)
        {
            var curve = run.BestObjectiveByIteration;
            if (curve.Count == 1)
            {
                chart.Add(new ChartSeries($"{run.Solver} optimum", Enumerable.Repeat(curve[0], iterations).ToArray(), Color: "#333333", Dashed: true));
            }
            else
            {
                chart.Add(new ChartSeries(run.Solver, Enumerable.Range(0, iterations).Select(i => i < curve.Count ? curve[i] : double.NaN).ToArray()));
            }
        }
        return chart;
    }

    private static double[] Column(DayAheadSolverResult run, int periods, int classIndex, Func<ClassPeriodFlows, double> pick)
    {
        var values = new double[periods];
        for (int t = 0; t < periods; t++)
        {
            values[t] = pick(run.Schedule[t, classIndex]);
        }
        return values;
    }
}
