namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>The full topics of one MQTT device, its profile's topic map with the device id filled in.</summary>
/// <param name="Prefix">The resolved topic prefix.</param>
/// <param name="Telemetry">Full telemetry topic → the profile's relative topic.</param>
/// <param name="Command">Full command topic, when the device takes setpoints.</param>
/// <param name="Ack">Full acknowledgement topic.</param>
/// <param name="Heartbeat">Full heartbeat topic, when the profile has one.</param>
public sealed record MqttDeviceTopics(
    string Prefix,
    IReadOnlyDictionary<string, string> Telemetry,
    string? Command,
    string? Ack,
    string? Heartbeat);
