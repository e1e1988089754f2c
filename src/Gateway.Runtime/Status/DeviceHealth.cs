namespace Gateway.Runtime.Status;

/// <summary>What operators see of one device.</summary>
/// <param name="DeviceId">Device id from the rig.</param>
/// <param name="Kind">charger, pv-inverter, meter or smes.</param>
/// <param name="ParticipantId">Market participant the device belongs to.</param>
/// <param name="State">Link state.</param>
/// <param name="LastGoodReadingUtc">When the last good reading arrived.</param>
/// <param name="LastError">The last error in plain words, when the link is not healthy.</param>
/// <param name="Measurements">Latest values by point name (units in the names, e.g. PowerKw, SocPercent).</param>
/// <param name="SetpointKw">The setpoint in force, when any.</param>
/// <param name="SetpointValidUntilUtc">When that setpoint expires and the device falls back to 0 kW.</param>
/// <param name="States">Enumerated points by name with the profile's name of their value (e.g. PlugState = charging); the raw codes stay in <paramref name="Measurements"/>.</param>
/// <param name="PollPeriod">How often the device is read (plant time).</param>
/// <param name="Stale">True when the values shown are older than two poll periods, the device is isolated, or its broker is unreachable: they are the last known, not current.</param>
/// <param name="NodeId">The feeder node the device is connected at.</param>
/// <remarks>Public: <c>gateway run</c>'s device table reads it through <see cref="Gateway.Runtime.Worker.GatewayRuntime.DeviceHealth"/>; the status board stays internal.</remarks>
public sealed record DeviceHealth(
    string DeviceId,
    string Kind,
    string ParticipantId,
    DeviceLinkState State,
    DateTimeOffset? LastGoodReadingUtc,
    string? LastError,
    IReadOnlyDictionary<string, double> Measurements,
    double? SetpointKw,
    DateTimeOffset? SetpointValidUntilUtc,
    IReadOnlyDictionary<string, string>? States = null,
    TimeSpan? PollPeriod = null,
    bool Stale = false,
    string? NodeId = null);
