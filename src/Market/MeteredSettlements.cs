using Gateway.Market.Decision;

namespace Gateway.Market;

/// <summary>
/// Settles a round on metered, not planned, energy. Each participant's metered net export over
/// the interval gives it a delivery ratio against what it planned to sell (or buy); a trade is
/// settled on its planned energy times the smaller ratio of its two sides, at the trade's price.
/// A device that missed its setpoint is thereby settled on what it really delivered. Pure: the gateway gives the metered
/// energy and turns the result into ledger records.
/// </summary>
public static class MeteredSettlements
{
    /// <summary>
    /// The settlements of <paramref name="decision"/> given each participant's metered net export
    /// (kWh over the interval, positive = delivered to the grid) in <paramref name="meteredNetExportKwh"/>:
    /// executed trades in the decision's order, then the SMES actions. Participants without a metered value are settled
    /// at ratio 0 (nothing proven delivered); failed trades are not settled.
    /// </summary>
    public static IReadOnlyList<MeteredSettlement> Compute(RoundDecision decision, IReadOnlyDictionary<string, double> meteredNetExportKwh)
    {
        var plannedSell = new Dictionary<string, double>(StringComparer.Ordinal);
        var plannedBuy = new Dictionary<string, double>(StringComparer.Ordinal);
        void Plan(Dictionary<string, double> d, string id, double kwh) => d[id] = d.GetValueOrDefault(id) + kwh;
        var executed = decision.Trades.Where(t => t.Status == TradeStatus.Executed).ToList();
        foreach (var t in executed)
        {
            Plan(plannedSell, t.SellerId, t.EnergyKwh);
            Plan(plannedBuy, t.BuyerId, t.EnergyKwh);
        }
        foreach (var a in decision.SmesActions)
        {
            if (a.Direction == SmesDirection.Discharge) Plan(plannedBuy, a.CounterpartyId, a.EnergyKwh);
            else Plan(plannedSell, a.CounterpartyId, a.EnergyKwh);
        }

        double SellRatio(string id) => Ratio(meteredNetExportKwh.TryGetValue(id, out var m) ? m : (double?)null, plannedSell.GetValueOrDefault(id));
        double BuyRatio(string id) => Ratio(meteredNetExportKwh.TryGetValue(id, out var m) ? -m : (double?)null, plannedBuy.GetValueOrDefault(id));
        double SmesRatio()
        {
            if (decision.Smes is not { } s) return 0;
            var planned = Math.Abs(s.NetPowerKw);
            if (planned < 1e-9) return 1; // charge and discharge netted out inside the SMES
            if (!meteredNetExportKwh.TryGetValue(s.SmesId, out var m)) return 0;
            var plannedKwh = Math.Abs(s.DischargedKwh - s.ChargedKwh);
            return plannedKwh < 1e-9 ? 1 : Math.Clamp(Math.Sign(s.DischargedKwh - s.ChargedKwh) * m / plannedKwh, 0, 1);
        }

        var records = new List<MeteredSettlement>();
        foreach (var t in executed)
        {
            var energy = t.EnergyKwh * Math.Min(SellRatio(t.SellerId), BuyRatio(t.BuyerId));
            records.Add(Record(t.BuyerId, t.SellerId, energy, t.PricePerKwh));
        }
        if (decision.Smes is { } smes)
        {
            var smesRatio = SmesRatio();
            foreach (var a in decision.SmesActions)
            {
                if (a.Direction == SmesDirection.Discharge)
                {
                    var energy = a.EnergyKwh * Math.Min(smesRatio, BuyRatio(a.CounterpartyId));
                    records.Add(Record(a.CounterpartyId, smes.SmesId, energy, a.PricePerKwh));
                }
                else
                {
                    var energy = a.EnergyKwh * Math.Min(smesRatio, SellRatio(a.CounterpartyId));
                    records.Add(Record(smes.SmesId, a.CounterpartyId, energy, a.PricePerKwh));
                }
            }
        }
        return records;
    }

    private static double Ratio(double? metered, double planned)
    {
        if (planned < 1e-9) return 1;
        if (metered is not { } m) return 0;
        return Math.Clamp(m / planned, 0, 1);
    }

    private static MeteredSettlement Record(string payer, string payee, double energyKwh, double pricePerKwh)
    {
        var energy = decimal.Round((decimal)Math.Max(0, energyKwh), 4, MidpointRounding.AwayFromZero);
        var price = decimal.Round((decimal)pricePerKwh, 4, MidpointRounding.AwayFromZero);
        var amount = decimal.Round(energy * price, 4, MidpointRounding.AwayFromZero);
        return new MeteredSettlement(payer, payee, energy, price, amount);
    }
}
