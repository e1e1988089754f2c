using Gateway.Market.Model;

namespace Gateway.Market.Quotes;

/// <summary>
/// Turns measured device state into quotations (Li et al. §II.C, "user quotation"). Pure: the caller supplies the time
/// left until departure and the interval length.
/// </summary>
public static class QuotationBuilder
{
    /// <summary>Energy below which a participant sits the interval out.</summary>
    public const double MinimumEnergyKwh = 0.01;

    /// <summary>
    /// An EV below its target SoC buys what it still needs, at most its charge power × the time it stays in the interval;
    /// above its target it offers the surplus above that reserve, at most its discharge power × that time; unplugged, already
    /// gone, or at its target it does not trade (null).
    /// </summary>
    public static Quotation? ForEv(EvState ev, double intervalHours)
    {
        if (!ev.PluggedIn || ev.HoursUntilDeparture <= 0 || intervalHours <= 0) return null;
        var hours = Math.Min(intervalHours, ev.HoursUntilDeparture);
        var soc = Math.Clamp(ev.StateOfChargePercent, 0, 100);
        var target = Math.Clamp(ev.TargetStateOfChargePercent, 0, 100);
        var deficitKwh = (target - soc) / 100 * ev.BatteryCapacityKwh;
        var p = ev.Parameters;
        if (deficitKwh >= MinimumEnergyKwh && ev.MaxChargePowerKw > 0)
        {
            var energy = Math.Min(deficitKwh, ev.MaxChargePowerKw * hours);
            return new Quotation(ev.Id, ParticipantKind.Ev, TradeRole.Buyer, ev.NodeId, energy, ev.MaxChargePowerKw, p.MaxTrades, p.ConsumptionKwhPerKm, p.DistanceKm);
        }

        if (-deficitKwh >= MinimumEnergyKwh && ev.MaxDischargePowerKw > 0)
        {
            var energy = Math.Min(-deficitKwh, ev.MaxDischargePowerKw * hours);
            return new Quotation(ev.Id, ParticipantKind.Ev, TradeRole.Seller, ev.NodeId, energy, ev.MaxDischargePowerKw, p.MaxTrades,
                p.ConsumptionKwhPerKm, p.DistanceKm, p.ChargingPricePerKwh, p.Efficiency, p.BatteryWearPerKwh, BatteryWearPerTrade: p.BatteryWearPerTrade);
        }

        return null;
    }

    /// <summary>PV offers its output (capped at its rating) × the interval; nothing when it produces (almost) nothing.</summary>
    public static Quotation? ForPv(PvState pv, double intervalHours)
    {
        var powerKw = Math.Clamp(pv.OutputPowerKw, 0, pv.RatedPowerKw);
        var energy = powerKw * intervalHours;
        if (energy < MinimumEnergyKwh || pv.RatedPowerKw <= 0) return null;
        return new Quotation(pv.Id, ParticipantKind.Pv, TradeRole.Seller, pv.NodeId, energy, pv.RatedPowerKw, pv.MaxTrades, MaintenancePerKwh: pv.MaintenancePerKwh);
    }

    /// <summary>
    /// The SMES's fallback capacity for the interval from its measured coil current: how much it can deliver
    /// (down to the minimum current, after efficiency) and absorb (up to the maximum current), each capped by the converter.
    /// </summary>
    internal static SmesCapacity ForSmes(SmesUnit smes, double intervalHours)
    {
        var stored = smes.StoredEnergyKwh;
        var powerKwh = smes.MaxPowerKw * intervalHours;
        var deliver = Math.Min(Math.Max(0, stored - smes.MinEnergyKwh) * smes.Efficiency, powerKwh);
        var absorb = Math.Min(Math.Max(0, smes.MaxEnergyKwh - stored) / smes.Efficiency, powerKwh);
        return new SmesCapacity(stored, deliver, absorb);
    }
}
