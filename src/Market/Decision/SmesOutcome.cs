namespace Gateway.Market.Decision;

/// <summary>The SMES after the round's fallback actions.</summary>
/// <param name="SmesId">Id of the unit.</param>
/// <param name="DischargedKwh">Total delivered to failed buyers.</param>
/// <param name="ChargedKwh">Total absorbed from failed sellers.</param>
/// <param name="NetPowerKw">Converter setpoint for the interval (+ = discharge).</param>
/// <param name="StoredEnergyBeforeKwh">½·L·I² before the round.</param>
/// <param name="StoredEnergyAfterKwh">Stored energy after the round (efficiency applied both ways).</param>
/// <param name="CurrentAfterA">Coil current after the round.</param>
/// <param name="Revenue">R_sm of eq. 1.</param>
public sealed record SmesOutcome(
    string SmesId,
    double DischargedKwh,
    double ChargedKwh,
    double NetPowerKw,
    double StoredEnergyBeforeKwh,
    double StoredEnergyAfterKwh,
    double CurrentAfterA,
    double Revenue);
