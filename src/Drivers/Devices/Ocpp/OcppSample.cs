namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>One value a station reported, in the gateway's units, stamped when it arrived.</summary>
/// <param name="Value">The value (kW, kWh, % or minutes).</param>
/// <param name="Received">When it arrived (plant clock).</param>
/// <param name="Version">The station's message count when it arrived: later messages have higher versions.</param>
public readonly record struct OcppSample(double Value, DateTimeOffset Received, long Version);
