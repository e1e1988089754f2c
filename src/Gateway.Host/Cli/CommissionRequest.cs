namespace Gateway.Host.Cli;

/// <summary>What a field engineer asked the commissioning session to do.</summary>
/// <param name="Endpoint">modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?…, or mqtt://HOST:PORT.</param>
/// <param name="UnitId">Modbus unit id.</param>
/// <param name="Profile">Profile name or path; null to pick it from the device's SunSpec models.</param>
/// <param name="DeviceId">MQTT: the device id in the profile's topics.</param>
/// <param name="AllowWrite">Whether the session may write at all (the step and the fail-safe test).</param>
/// <param name="Yes">Confirmation given up front (scripts); otherwise the session asks at the terminal.</param>
/// <param name="Step">The setpoint step: kW or % of the rating.</param>
/// <param name="RatingKw">The device's rating from its nameplate, when it does not report one.</param>
/// <param name="RevertTime">The validity given with the step: the device must fall back within it once the heartbeat stops.</param>
/// <param name="Hold">How long the step is held (heartbeat running) before the heartbeat stops.</param>
/// <param name="SampleEvery">Time between two readings of the device during the step and the fall-back.</param>
/// <param name="Timeout">How long each request waits for an answer.</param>
/// <param name="ReportDir">Where the report goes (null: out/commission/NAME-TIME).</param>
/// <param name="RigId">The device id for the rig entry (null: derived).</param>
/// <param name="Node">The feeder node for the rig entry (null: a placeholder to fill in).</param>
/// <param name="Json">Print the result as JSON.</param>
/// <param name="Broker">MQTT: TLS files and credentials from the command line (null: the URL alone says how to connect).</param>
internal sealed record CommissionRequest(
    string Endpoint,
    byte UnitId,
    string? Profile,
    string? DeviceId,
    bool AllowWrite,
    bool Yes,
    ProbeSetpoint Step,
    double? RatingKw,
    TimeSpan RevertTime,
    TimeSpan Hold,
    TimeSpan SampleEvery,
    TimeSpan Timeout,
    string? ReportDir,
    string? RigId,
    string? Node,
    bool Json,
    Gateway.Drivers.Mqtt.MqttBrokerSecurity? Broker = null)
{
    /// <summary>Whether the endpoint is an MQTT broker.</summary>
    public bool IsMqtt => BrokerSecurityOptions.IsMqtt(Endpoint);

    /// <summary>Whether the session listens as the CSMS of an OCPP station (ocpp://HOST:PORT).</summary>
    public bool IsOcpp => Endpoint.StartsWith("ocpp://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The device in plain words, for messages.</summary>
    public string Who => IsOcpp ? $"{Endpoint} station {DeviceId ?? "(none)"}" : IsMqtt ? $"{Endpoint} device {DeviceId ?? "(none)"}" : $"{Endpoint} unit {UnitId}";

    /// <summary>The same device as a read-only probe request (for opening it the probe's way).</summary>
    public ProbeRequest AsProbe() => new(Endpoint, UnitId, Profile, Json, SunSpec: true, null, RevertTime, Timeout, DeviceId, null, RatingKw, Broker);
}
