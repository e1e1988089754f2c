using Gateway.Market.Decision;
using Gateway.Market.Grid;
using Gateway.Market.Model;

namespace Gateway.Market.Storage;

/// <summary>
/// SMES fallback (Li et al. §II.C, step 4): failed buyers are served by the SMES and failed sellers' surplus is absorbed
/// by it, requests taken in the given order, each as much as all limits allow:
/// stored energy between ½·L·I_min² and ½·L·I_max², counted conservatively as if all discharge came before all charge
/// (and vice versa), so every intra-interval order is safe; the converter's net power |discharge − charge|/Δt ≤ P_max;
/// the one-way efficiency η (delivering q draws q/η, absorbing q stores q·η); and the window of every feeder line on the
/// path between the SMES and the counterparty, on top of the flows already planned.
/// <para>
/// Settlement and revenue follow <see cref="MarketRules.SmesSettlement"/>: by default eq. (1) as written,
/// R_sm = C_ep·P_sm·Δt − k_sm·|P_sm|·Δt on the converter's net power P_sm, every action settled at C_ep; or each
/// counterparty keeps its failed trade's price and maintenance is paid on the gross energy through the converter.
/// </para>
/// </summary>
internal static class SmesFallback
{
    private const double MinimumActionKwh = 1e-9;

    /// <summary>Applies the fallback; <paramref name="flowsKw"/> is updated in place with the SMES's flows.</summary>
    public static (List<SmesAction> Actions, SmesOutcome Outcome) Run(SmesUnit smes, FeederTopology topology, IReadOnlyList<LineWindow> windows,
        double intervalHours, double gridPricePerKwh, MarketRules rules, double[] flowsKw, IEnumerable<SmesRequest> requests)
    {
        var lines = topology.Feeder.Lines;
        var stored = smes.StoredEnergyKwh;
        var minEnergy = smes.MinEnergyKwh;
        var maxEnergy = smes.MaxEnergyKwh;
        var powerBudgetKwh = smes.MaxPowerKw * intervalHours;
        var atGridPrice = rules.SmesSettlement == SmesSettlementRule.GridPriceOnNetPower;
        double discharged = 0, charged = 0, grossRevenue = 0;
        var actions = new List<SmesAction>();
        foreach (var r in requests)
        {
            var discharge = r.Direction == SmesDirection.Discharge;
            var path = discharge ? topology.Path(smes.NodeId, r.CounterpartyNodeId) : topology.Path(r.CounterpartyNodeId, smes.NodeId);
            double energyCap, powerCap;
            if (discharge)
            {
                energyCap = Math.Max(0, (stored - minEnergy) * smes.Efficiency - discharged);
                powerCap = Math.Max(0, powerBudgetKwh + charged - discharged);
            }
            else
            {
                energyCap = Math.Max(0, (maxEnergy - stored) / smes.Efficiency - charged);
                powerCap = Math.Max(0, powerBudgetKwh + discharged - charged);
            }

            var amount = r.EnergyKwh;
            string? limitedBy = null;
            if (energyCap < amount) { amount = energyCap; limitedBy = "energy"; }
            if (powerCap < amount) { amount = powerCap; limitedBy = "power"; }
            foreach (var (line, sign) in path)
            {
                var w = windows[line];
                var headroomKw = sign > 0 ? w.HighKw - flowsKw[line] : flowsKw[line] - w.LowKw;
                var headroomKwh = Math.Max(0, headroomKw) * intervalHours;
                if (headroomKwh < amount) { amount = headroomKwh; limitedBy = "line:" + lines[line].Id; }
            }

            if (amount < MinimumActionKwh) amount = 0;
            var price = atGridPrice ? gridPricePerKwh : r.PricePerKwh;
            if (amount > 0)
            {
                foreach (var (line, sign) in path) flowsKw[line] += sign * amount / intervalHours;
                if (discharge) { discharged += amount; grossRevenue += price * amount; }
                else { charged += amount; grossRevenue -= price * amount; }
            }

            actions.Add(new SmesAction(r.CounterpartyId, r.Direction, amount, r.EnergyKwh, price, r.BuyerId, r.SellerId, limitedBy));
        }

        var netKwh = discharged - charged;
        var revenue = atGridPrice
            ? gridPricePerKwh * netKwh - smes.MaintenancePerKwh * Math.Abs(netKwh)
            : grossRevenue - smes.MaintenancePerKwh * (discharged + charged);
        // The converter runs at the net power for the interval: the coil gives net/η or takes |net|·η.
        var after = stored - (netKwh > 0 ? netKwh / smes.Efficiency : netKwh * smes.Efficiency);
        var outcome = new SmesOutcome(smes.Id, discharged, charged, netKwh / intervalHours, stored, after, smes.CurrentForEnergyA(after), revenue);
        return (actions, outcome);
    }
}
