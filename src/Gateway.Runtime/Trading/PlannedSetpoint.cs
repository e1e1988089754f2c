namespace Gateway.Runtime.Trading;

/// <summary>A setpoint the round wants a device to follow for the interval.</summary>
/// <param name="DeviceId">Device to write it to.</param>
/// <param name="SetpointKw">Power, kW, positive = delivered to the grid (the drivers' convention).</param>
/// <param name="Why">What in the decision asks for it (trades, SMES fallback, idle, curtailment).</param>
internal sealed record PlannedSetpoint(string DeviceId, double SetpointKw, string Why);
