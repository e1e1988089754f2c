namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// The acknowledgement an MQTT device publishes for each command, e.g.
/// <c>{"id":"7f3a…","accepted":true,"appliedW":-7400}</c> or
/// <c>{"id":"7f3a…","accepted":false,"reason":"beyond the charger's 7.4 kW"}</c>.
/// </summary>
public sealed record MqttAckFormat
{
    /// <summary>Acknowledgement topic, relative to the profile's topic prefix.</summary>
    public required string Topic { get; init; }

    /// <summary>Field echoing the command's correlation id.</summary>
    public MqttJsonPath IdField { get; init; } = MqttJsonPath.Parse("id");

    /// <summary>Boolean field: true = accepted, false = rejected.</summary>
    public MqttJsonPath AcceptedField { get; init; } = MqttJsonPath.Parse("accepted");

    /// <summary>Text field saying why a command was rejected.</summary>
    public MqttJsonPath ReasonField { get; init; } = MqttJsonPath.Parse("reason");

    /// <summary>Field with the setpoint the device applied, in device units; null when the device reports it in telemetry only.</summary>
    public MqttJsonPath? AppliedField { get; init; }
}
