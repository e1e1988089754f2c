using Gateway.LedgerClient;
using Gateway.Market.Decision;

namespace Gateway.Host.Trading;

/// <summary>
/// Settles a round on metered, not planned, energy. Each participant's metered net export over
/// the interval gives it a delivery ratio against what it planned to sell (or buy); a trade is
/// settled on its planned energy times the smaller ratio of its two sides, at the trade's price.
/// A device that missed its setpoint is thereby settled on what it really delivered.
/// </summary>
internal static class MeteredSettlements
{
    /// <summary>Id of the grid as a counterparty (never on the P2P ledger, shown in energy balances).</summary>
    public const string Grid = "grid";

    /// <summary>
    /// The settlements of <paramref name="decision"/> given each participant's metered net export
    /// (kWh over the interval, positive = delivered to the grid) in <paramref name="meteredNetExportKwh"/>.
    /// Participants without a metered value are settled at ratio 0 (nothing proven delivered).
    /// With an <paramref name="epoch"/> (the journal's), ids are <see cref="LedgerIds.SettlementId"/>: unique per deployment.
    /// </summary>
    public static IReadOnlyList<SettlementRecord> Compute(
        string roundId,
        RoundDecision decision,
        IReadOnlyDictionary<string, double> meteredNetExportKwh,
        DateTimeOffset intervalStartUtc,
        DateTimeOffset intervalEndUtc,
        string? epoch = null)
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

        var records = new List<SettlementRecord>();
        var index = 0;
        foreach (var t in executed)
        {
            var energy = t.EnergyKwh * Math.Min(SellRatio(t.SellerId), BuyRatio(t.BuyerId));
            records.Add(Record(roundId, epoch, index++, t.BuyerId, t.SellerId, energy, t.PricePerKwh, intervalStartUtc, intervalEndUtc));
        }
        if (decision.Smes is { } smes)
        {
            var smesRatio = SmesRatio();
            foreach (var a in decision.SmesActions)
            {
                if (a.Direction == SmesDirection.Discharge)
                {
                    var energy = a.EnergyKwh * Math.Min(smesRatio, BuyRatio(a.CounterpartyId));
                    records.Add(Record(roundId, epoch, index++, a.CounterpartyId, smes.SmesId, energy, a.PricePerKwh, intervalStartUtc, intervalEndUtc));
                }
                else
                {
                    var energy = a.EnergyKwh * Math.Min(smesRatio, SellRatio(a.CounterpartyId));
                    records.Add(Record(roundId, epoch, index++, smes.SmesId, a.CounterpartyId, energy, a.PricePerKwh, intervalStartUtc, intervalEndUtc));
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

    private static SettlementRecord Record(string roundId, string? epoch, int index, string payer, string payee, double energyKwh, double pricePerKwh, DateTimeOffset start, DateTimeOffset end)
    {
        var energy = decimal.Round((decimal)Math.Max(0, energyKwh), 4, MidpointRounding.AwayFromZero);
        var price = decimal.Round((decimal)pricePerKwh, 4, MidpointRounding.AwayFromZero);
        var amount = decimal.Round(energy * price, 4, MidpointRounding.AwayFromZero);
        var id = epoch is null ? $"{roundId}/{index:D3}/{payer}->{payee}" : LedgerIds.SettlementId(roundId, epoch, index, payer, payee);
        return new SettlementRecord(id, roundId, payer, payee, energy, price, amount, start, end);
    }
}
