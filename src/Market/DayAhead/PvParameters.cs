namespace Gateway.Market.DayAhead;

/// <summary>Rooftop PV system of one user (eqs. 1–2).</summary>
/// <param name="PanelAreaM2">A, area of the PV panels.</param>
/// <param name="ReferenceEfficiency">η₀, conversion efficiency at the reference temperature (0–1).</param>
/// <param name="TemperatureCoefficientPerK">γ, efficiency loss per kelvin above the reference temperature.</param>
/// <param name="ReferenceTemperatureK">T_r, the reference temperature (298 K in the paper).</param>
public sealed record PvParameters(
    double PanelAreaM2,
    double ReferenceEfficiency,
    double TemperatureCoefficientPerK,
    double ReferenceTemperatureK);
