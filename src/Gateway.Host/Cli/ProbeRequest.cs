namespace Gateway.Host.Cli;

/// <summary>What a field engineer asked the probe to do.</summary>
/// <param name="Endpoint">modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?baud=…&amp;parity=… or mqtt://HOST:PORT (a broker)</param>
/// <param name="UnitId">Modbus unit id.</param>
/// <param name="Profile">Profile name or path; null to pick one from the device's SunSpec models.</param>
/// <param name="Json">Print JSON instead of tables.</param>
/// <param name="SunSpec">List the SunSpec models found.</param>
/// <param name="SetpointKw">Write this setpoint (kW, positive = delivered to the grid) and read it back.</param>
/// <param name="ValidFor">Validity time given with the setpoint.</param>
/// <param name="Timeout">How long to wait for each answer (over MQTT: for telemetry, for an acknowledgement).</param>
/// <param name="DeviceId">Over MQTT: the device id that fills the profile's <c>{device}</c> topic placeholder.</param>
/// <param name="SetpointPercent">Write this setpoint in % of the device's rating (instead of <paramref name="SetpointKw"/>).</param>
/// <param name="RatingKw">The device's rating from its nameplate, for a device that does not report it.</param>
/// <param name="Broker">MQTT: TLS files and credentials from the command line (null: the URL alone says how to connect).</param>
internal sealed record ProbeRequest(
    string Endpoint,
    byte UnitId,
    string? Profile,
    bool Json,
    bool SunSpec,
    double? SetpointKw,
    TimeSpan ValidFor,
    TimeSpan Timeout,
    string? DeviceId = null,
    double? SetpointPercent = null,
    double? RatingKw = null,
    Gateway.Drivers.Mqtt.MqttBrokerSecurity? Broker = null)
{
    /// <summary>Whether the endpoint is an MQTT broker.</summary>
    public bool IsMqtt => BrokerSecurityOptions.IsMqtt(Endpoint);

    /// <summary>Whether the probe plays the CSMS for OCPP stations (ocpp://HOST:PORT, where it listens).</summary>
    public bool IsOcpp => Endpoint.StartsWith("ocpp://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the probe writes anything; otherwise its driver is read-only.</summary>
    public bool Writes => SetpointKw is not null || SetpointPercent is not null;

    /// <summary>The device in plain words, for messages.</summary>
    public string Who => IsOcpp ? $"{Endpoint} station {DeviceId ?? "(any)"}" : IsMqtt ? $"{Endpoint} device {DeviceId ?? "(none)"}" : $"{Endpoint} unit {UnitId}";
}
