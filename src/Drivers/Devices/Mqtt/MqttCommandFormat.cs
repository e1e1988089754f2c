namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// The setpoint command an MQTT device takes: a JSON object published at QoS 1 on <see cref="Topic"/>,
/// e.g. <c>{"id":"7f3a…","powerW":-7400,"validForSeconds":600,"validUntil":"2026-06-01T12:10:00+00:00"}</c>.
/// The value is in the device's own units and sign (the setpoint point's scale and negate).
/// </summary>
public sealed record MqttCommandFormat
{
    /// <summary>Command topic, relative to the profile's topic prefix.</summary>
    public required string Topic { get; init; }

    /// <summary>Field carrying the correlation id the acknowledgement echoes.</summary>
    public MqttJsonPath IdField { get; init; } = MqttJsonPath.Parse("id");

    /// <summary>Field carrying the setpoint in device units.</summary>
    public required MqttJsonPath ValueField { get; init; }

    /// <summary>Which validity fields the command carries.</summary>
    public MqttSetpointValidity Validity { get; init; } = MqttSetpointValidity.Both;

    /// <summary>Field carrying the validity in seconds from receipt.</summary>
    public MqttJsonPath ValidForField { get; init; } = MqttJsonPath.Parse("validForSeconds");

    /// <summary>Field carrying the end of validity as an ISO-8601 time.</summary>
    public MqttJsonPath ValidUntilField { get; init; } = MqttJsonPath.Parse("validUntil");
}
