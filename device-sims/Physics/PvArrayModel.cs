namespace Gateway.DeviceSims.Physics;

/// <summary>
/// PV output per Energies 2023 (multi-seller multi-buyer V2G), eqs. (1)–(2):
/// η = η₀·[1 − γ·(T_p − T_r)] with T_r = 298 K, and P = I·A·η, where I is the irradiance on the
/// panel plane and A the panel area. The cell temperature T_p follows the NOCT model
/// T_p = T_a + (NOCT − 20 °C)/800·I. The area follows from the rating: A = P_STC / (η₀ · 1000 W/m²).
/// </summary>
public sealed class PvArrayModel(double ratedKwp, double referenceEfficiency, double temperatureCoefficientPerK, double noctC)
{
    /// <summary>The reference temperature T_r of eq. (1), K.</summary>
    public const double ReferenceTemperatureK = 298.0;

    /// <summary>Panel area A, m².</summary>
    public double AreaM2 { get; } = ratedKwp * 1000 / (referenceEfficiency * 1000);

    /// <summary>Rated power, kWp.</summary>
    public double RatedKwp { get; } = ratedKwp;

    /// <summary>Cell temperature, °C, at ambient <paramref name="ambientC"/> and irradiance <paramref name="irradianceWPerM2"/>.</summary>
    public double CellTemperatureC(double ambientC, double irradianceWPerM2) => ambientC + (noctC - 20) / 800 * irradianceWPerM2;

    /// <summary>Eq. (1): conversion efficiency at cell temperature <paramref name="cellTemperatureC"/>.</summary>
    public double Efficiency(double cellTemperatureC) =>
        referenceEfficiency * (1 - temperatureCoefficientPerK * (cellTemperatureC + 273.15 - ReferenceTemperatureK));

    /// <summary>Eq. (2): P = I·A·η, in kW, never negative.</summary>
    public double PowerKw(double irradianceWPerM2, double ambientC)
    {
        if (irradianceWPerM2 <= 0) return 0;
        var eta = Efficiency(CellTemperatureC(ambientC, irradianceWPerM2));
        return Math.Max(0, irradianceWPerM2 * AreaM2 * eta / 1000);
    }
}
