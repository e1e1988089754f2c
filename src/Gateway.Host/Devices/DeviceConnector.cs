using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;
using Gateway.Host.Rigs;

namespace Gateway.Host.Devices;

/// <summary>
/// Opens a driver for each device of a rig. Devices behind the same TCP endpoint (a TCP-to-RTU
/// gateway, or a simulator serving several units) share one Modbus connection; MQTT devices on the
/// same broker share one MQTT connection.
/// </summary>
public sealed class DeviceConnector : IAsyncDisposable
{
    private readonly TimeProvider _clock;
    private readonly ModbusClientOptions _modbusOptions;
    private readonly Dictionary<string, IModbusClient> _tcpClients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MqttDeviceConnection> _mqttConnections = new(StringComparer.Ordinal);
    private readonly MqttDeviceDriverOptions _mqttOptions;
    private readonly string? _siteId;

    /// <summary>
    /// Create a connector whose drivers stamp readings with <paramref name="clock"/>. With <paramref name="siteId"/>, each
    /// device broker connection announces the gateway on <see cref="MqttGatewayPresence.Topic"/> (online at connect,
    /// offline as its last will and on a clean stop).
    /// </summary>
    public DeviceConnector(TimeProvider clock, ModbusClientOptions? modbusOptions = null, MqttDeviceDriverOptions? mqttOptions = null,
        string? siteId = null)
    {
        _clock = clock;
        _siteId = siteId;
        // Waits for telemetry and acknowledgements are network waits: real time, not market time.
        _mqttOptions = (mqttOptions ?? new MqttDeviceDriverOptions()).Validate();
        // Several devices behind one TCP endpoint are polled concurrently: let their requests pipeline.
        _modbusOptions = modbusOptions ?? new ModbusClientOptions { MaxConcurrentRequests = 16, TimeProvider = TimeProvider.System };
    }

    /// <summary>Open the driver of <paramref name="device"/>, reaching it at <paramref name="endpoint"/> (the rig's, or an override).</summary>
    public DeviceLink Open(RigDevice device, string? endpoint = null)
    {
        var profile = ProfileLoader.Load(device.Profile);
        endpoint ??= device.Endpoint;
        switch (device.Protocol)
        {
            case "modbus-tcp":
            {
                var (host, port) = SplitHostPort(endpoint);
                var key = $"{host}:{port}";
                if (!_tcpClients.TryGetValue(key, out var client))
                {
                    client = new ModbusTcpClient(host, port, _modbusOptions);
                    _tcpClients[key] = client;
                }
                return new DeviceLink(device, new ModbusDeviceDriver(client, device.UnitId, profile, _clock) { ReadOnly = device.ReadOnly });
            }
            case "modbus-rtu":
            {
                // One serial line carries several unit ids: share the client per tty.
                var uri = endpoint.StartsWith("modbus-rtu://", StringComparison.Ordinal) ? endpoint : "modbus-rtu://" + endpoint;
                var key = uri.Split('?')[0];
                if (!_tcpClients.TryGetValue(key, out var client))
                {
                    client = ModbusEndpoint.Parse(uri).CreateClient(_modbusOptions);
                    _tcpClients[key] = client;
                }
                return new DeviceLink(device, new ModbusDeviceDriver(client, device.UnitId, profile, _clock) { ReadOnly = device.ReadOnly });
            }
            case "mqtt":
            {
                var broker = MqttBrokerAddress.Parse(endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "mqtt://" + endpoint);
                var key = broker.ToString();
                if (!_mqttConnections.TryGetValue(key, out var connection))
                {
                    var client = new MqttClient(new MqttClientOptions
                    {
                        Host = broker.Host,
                        Port = broker.Port,
                        ClientId = $"gateway-devices-{Environment.ProcessId}-{_mqttConnections.Count + 1}",
                        ConnectTimeout = TimeSpan.FromSeconds(5),
                        OperationTimeout = TimeSpan.FromSeconds(5),
                        Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(10) },
                        Will = _siteId is null ? null : MqttGatewayPresence.Will(_siteId),
                        BirthMessage = _siteId is null ? null : MqttGatewayPresence.Birth(_siteId),
                    }, TimeProvider.System);
                    connection = new MqttDeviceConnection(client, key);
                    _mqttConnections[key] = connection;
                }
                return new DeviceLink(device, new MqttDeviceDriver(connection, device.Id, profile, _clock, _mqttOptions) { ReadOnly = device.ReadOnly });
            }
            default:
                throw new NotSupportedException($"device '{device.Id}': protocol '{device.Protocol}' is not supported by this gateway build");
        }
    }

    /// <summary>Split "host:port" or "modbus-tcp://host:port".</summary>
    public static (string Host, int Port) SplitHostPort(string endpoint)
    {
        var (host, port) = SplitHostPortAllowingZero(endpoint);
        if (port == 0) throw new FormatException($"'{endpoint}' has no port");
        return (host, port);
    }

    /// <summary>Split "host:port" where port 0 means "any free port" (listeners).</summary>
    public static (string Host, int Port) SplitHostPortAllowingZero(string endpoint)
    {
        var text = endpoint.Contains("://", StringComparison.Ordinal) ? new Uri(endpoint).Authority : endpoint;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 0 or > 65535)
            throw new FormatException($"'{endpoint}' is not host:port");
        return (text[..colon], port);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _tcpClients.Values) await client.DisposeAsync().ConfigureAwait(false);
        _tcpClients.Clear();
        foreach (var connection in _mqttConnections.Values)
        {
            // A clean DISCONNECT makes the broker discard the will, so say "offline" first (best effort: the devices'
            // setpoint validity still covers a broker that is already gone).
            if (_siteId is not null && connection.Client.State == MqttConnectionState.Connected)
            {
                var offline = MqttGatewayPresence.Will(_siteId);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await connection.Client.PublishAsync(offline.Topic, offline.Payload, offline.Qos, offline.Retain, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException)
                {
                }
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _mqttConnections.Clear();
    }
}
