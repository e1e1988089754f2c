namespace Gateway.Runtime.Status;

/// <summary>The gateway's connection to one MQTT broker, as operators see it.</summary>
/// <param name="Name">What the broker is for: <c>devices</c> (a device broker) or <c>operators</c>.</param>
/// <param name="Address">The broker, e.g. <c>mqtts://10.0.0.5:8883</c> (never with a password).</param>
/// <param name="Connected">True while the connection is up.</param>
/// <param name="SinceUtc">When the connection last went up or down (wall time).</param>
/// <param name="LastError">Why it went down, when it did.</param>
/// <param name="DeviceIds">Devices reached through this broker (none for the operators' broker).</param>
internal sealed record BrokerLink(string Name, string Address, bool Connected, DateTimeOffset SinceUtc, string? LastError, IReadOnlyList<string> DeviceIds);
