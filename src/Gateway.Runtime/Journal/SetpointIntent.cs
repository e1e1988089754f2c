namespace Gateway.Runtime.Journal;

/// <summary>A setpoint about to be written to a device, as the journal records it before the write.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="SetpointKw">The setpoint, kW (positive = delivered to the grid).</param>
/// <param name="ValidUntilUtc">Until when the device holds it without a refresh (plant time).</param>
internal sealed record SetpointIntent(string DeviceId, double SetpointKw, DateTimeOffset ValidUntilUtc);
