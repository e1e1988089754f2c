namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// The MQTT part of a <see cref="DeviceProfile"/>, beside (or instead of) its Modbus register map:
/// the telemetry topics and the JSON field of each point, the setpoint command and its
/// acknowledgement, and an optional heartbeat. Topics are relative to <see cref="TopicPrefix"/>,
/// whose <c>{device}</c> placeholder is filled with the device id (<see cref="For"/>).
/// </summary>
public sealed record MqttTopicMap
{
    /// <summary>The placeholder in <see cref="TopicPrefix"/> that the device id replaces.</summary>
    public const string DevicePlaceholder = "{device}";

    /// <summary>Prefix of every topic of the device, e.g. <c>site/chargers/{device}</c>.</summary>
    public required string TopicPrefix { get; init; }

    /// <summary>Topics the device publishes JSON telemetry on (relative to the prefix).</summary>
    public required IReadOnlyList<string> TelemetryTopics { get; init; }

    /// <summary>Location of each point, by point name. Every point of the profile has one.</summary>
    public required IReadOnlyDictionary<string, MqttPointLocation> Locations { get; init; }

    /// <summary>The setpoint command, when the device takes setpoints.</summary>
    public MqttCommandFormat? Command { get; init; }

    /// <summary>The acknowledgement of a command (required with <see cref="Command"/>).</summary>
    public MqttAckFormat? Ack { get; init; }

    /// <summary>
    /// A topic any message on which proves the gateway alive and re-arms the setpoint's validity; without
    /// one, the driver re-sends the last command instead.
    /// </summary>
    public string? HeartbeatTopic { get; init; }

    /// <summary>
    /// Real time without any telemetry after which a read fails (the device went silent). A device publishing
    /// every 10 s wants at least 30 s here.
    /// </summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The topics of the device called <paramref name="deviceId"/>.</summary>
    /// <exception cref="ArgumentException">The prefix needs a device id and none was given.</exception>
    public MqttDeviceTopics For(string? deviceId)
    {
        var prefix = TopicPrefix;
        if (prefix.Contains(DevicePlaceholder, StringComparison.Ordinal))
        {
            if (string.IsNullOrEmpty(deviceId))
                throw new ArgumentException($"the topic prefix '{TopicPrefix}' needs a device id for {DevicePlaceholder}", nameof(deviceId));
            prefix = prefix.Replace(DevicePlaceholder, MqttTopicLevel.Escape(deviceId), StringComparison.Ordinal);
        }
        string Full(string relative) => prefix.Length == 0 ? relative : prefix + "/" + relative;
        return new MqttDeviceTopics(
            prefix,
            TelemetryTopics.ToDictionary(t => Full(t), t => t, StringComparer.Ordinal),
            Command is null ? null : Full(Command.Topic),
            Ack is null ? null : Full(Ack.Topic),
            HeartbeatTopic is null ? null : Full(HeartbeatTopic));
    }
}
