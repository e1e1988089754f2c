namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>How a setpoint command tells the device how long the setpoint holds.</summary>
public enum MqttSetpointValidity
{
    /// <summary>Seconds from receipt (robust against clock skew between gateway and device).</summary>
    ValidFor,
    /// <summary>An absolute ISO-8601 time on the gateway's clock (needs synchronised clocks).</summary>
    ValidUntil,
    /// <summary>Both; a device should honour the earlier end.</summary>
    Both,
}
