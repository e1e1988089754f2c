namespace Gateway.Market.Decision;

/// <summary>The SMES after the round's fallback actions.</summary>
/// <param name="SmesId">Id of the unit.</param>
/// <param name="DischargedKwh">Total delivered to failed buyers.</param>
/// <param name="ChargedKwh">Total absorbed from failed sellers.</param>
/// <param name="NetPowerKw">Converter setpoint for the interval (+ = discharge).</param>
/// <param name="StoredEnergyBeforeKwh">½·L·I² before the round.</param>
/// <param name="StoredEnergyAfterKwh">Stored energy after the round: the converter runs at the net power, so the coil gives net/η or takes |net|·η.</param>
/// <param name="CurrentAfterA">Coil current after the round.</param>
/// <param name="Revenue">R_sm: eq. (1) on the net power by default (see <see cref="Model.SmesSettlementRule"/>).</param>
public sealed record SmesOutcome(
    string SmesId,
    double DischargedKwh,
    double ChargedKwh,
    double NetPowerKw,
    double StoredEnergyBeforeKwh,
    double StoredEnergyAfterKwh,
    double CurrentAfterA,
    double Revenue);
