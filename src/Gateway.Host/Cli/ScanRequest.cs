namespace Gateway.Host.Cli;

/// <summary>What a field engineer asked the scan to look for.</summary>
/// <param name="Endpoint">modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?…, or mqtt://HOST:PORT.</param>
/// <param name="Units">Modbus: the unit ids to ask.</param>
/// <param name="Timeout">Modbus: how long each request waits for an answer.</param>
/// <param name="Parallel">Modbus TCP: how many connections ask at once (a serial line always asks one unit at a time).</param>
/// <param name="Listen">MQTT: how long to listen for telemetry.</param>
/// <param name="Profiles">MQTT: the profiles whose topic maps to listen for (null: every shipped MQTT profile).</param>
/// <param name="Json">Print JSON instead of tables.</param>
/// <param name="Broker">MQTT: TLS files and credentials from the command line (null: the URL alone says how to connect).</param>
internal sealed record ScanRequest(
    string Endpoint,
    IReadOnlyList<byte> Units,
    TimeSpan Timeout,
    int Parallel,
    TimeSpan Listen,
    IReadOnlyList<string>? Profiles,
    bool Json,
    Gateway.Drivers.Mqtt.MqttBrokerSecurity? Broker = null)
{
    /// <summary>Whether the endpoint is an MQTT broker.</summary>
    public bool IsMqtt => BrokerSecurityOptions.IsMqtt(Endpoint);

    /// <summary>Most time one unit may take, its SunSpec walk and nameplate included.</summary>
    public TimeSpan PerUnitLimit => Timeout * 12 > TimeSpan.FromSeconds(3) ? Timeout * 12 : TimeSpan.FromSeconds(3);
}
