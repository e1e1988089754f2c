namespace Gateway.Market.DayAhead;

/// <summary>PV output from irradiance and temperature (the paper's eqs. 1–2).</summary>
internal static class PvModel
{
    /// <summary>Eq. 1: η = η₀ [1 − γ (T_p − T_r)], clamped at 0 (a panel never consumes).</summary>
    public static double Efficiency(PvParameters pv, double temperatureK)
    {
        ArgumentNullException.ThrowIfNull(pv);
        return Math.Max(0.0, pv.ReferenceEfficiency * (1.0 - pv.TemperatureCoefficientPerK * (temperatureK - pv.ReferenceTemperatureK)));
    }

    /// <summary>Eq. 2: P = I · A · η, in kW for an irradiance in W/m².</summary>
    public static double PowerKw(PvParameters pv, double irradianceWPerM2, double temperatureK)
    {
        ArgumentNullException.ThrowIfNull(pv);
        return Math.Max(0.0, irradianceWPerM2) * pv.PanelAreaM2 * Efficiency(pv, temperatureK) / 1000.0;
    }
}
