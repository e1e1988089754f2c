using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Mqtt;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Runtime.Devices;

/// <summary>
/// Opens a driver for each device of a rig. Devices behind the same TCP endpoint (a TCP-to-RTU
/// gateway, or a simulator serving several units) share one Modbus connection; MQTT devices on the
/// same broker share one MQTT connection.
/// </summary>
internal sealed class DeviceConnector : IAsyncDisposable
{
    private readonly TimeProvider _clock;
    private readonly ModbusClientOptions _modbusOptions;
    private readonly Dictionary<string, IModbusClient> _tcpClients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MqttDeviceConnection> _mqttConnections = new(StringComparer.Ordinal);
    private readonly MqttDeviceDriverOptions _mqttOptions;
    private readonly string? _siteId;
    private readonly Func<string, (MqttBrokerAddress Address, MqttBrokerSecurity Security)>? _brokers;
    private readonly Action<BrokerLink>? _brokerChanged;
    private readonly ILogger _logger;
    private readonly TimeProvider _wallClock;
    private readonly Dictionary<string, List<string>> _devicesByBroker = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Gateway.Runtime.Ocpp.OcppEndpoint Endpoint, HashSet<string> Stations)> _ocppEndpoints = new(StringComparer.Ordinal);

    /// <summary>
    /// Create a connector whose drivers stamp readings with <paramref name="clock"/>. With <paramref name="siteId"/>, each
    /// device broker connection announces the gateway on <see cref="MqttGatewayPresence.Topic"/> (online at connect,
    /// offline as its last will and on a clean stop).
    /// </summary>
    /// <param name="clock">The plant clock readings are stamped with.</param>
    /// <param name="modbusOptions">Modbus client settings (default: 16 pipelined requests, real-time timeouts).</param>
    /// <param name="mqttOptions">MQTT driver waits.</param>
    /// <param name="siteId">Announces the gateway's presence on device brokers when set.</param>
    /// <param name="brokers">Resolves a device endpoint to its broker and the security the rig gives it (TLS, user, password source).</param>
    /// <param name="brokerChanged">Told when a device broker connection goes up or down.</param>
    /// <param name="logger">Logs broker loss and reconnects.</param>
    /// <param name="wallClock">Stamps broker events (default: the system's).</param>
    public DeviceConnector(TimeProvider clock, ModbusClientOptions? modbusOptions = null, MqttDeviceDriverOptions? mqttOptions = null,
        string? siteId = null, Func<string, (MqttBrokerAddress Address, MqttBrokerSecurity Security)>? brokers = null, Action<BrokerLink>? brokerChanged = null,
        ILogger? logger = null, TimeProvider? wallClock = null)
    {
        _clock = clock;
        _siteId = siteId;
        _brokers = brokers;
        _brokerChanged = brokerChanged;
        _logger = logger ?? NullLogger.Instance;
        _wallClock = wallClock ?? TimeProvider.System;
        // Waits for telemetry and acknowledgements are network waits: real time, not market time.
        _mqttOptions = (mqttOptions ?? new MqttDeviceDriverOptions()).Validate();
        // Several devices behind one TCP endpoint are polled concurrently: let their requests pipeline.
        _modbusOptions = modbusOptions ?? new ModbusClientOptions { MaxConcurrentRequests = 16, TimeProvider = TimeProvider.System };
    }

    /// <summary>Opens the I²C device of an INA219 meter (tests: a simulated chip; default: the kernel's /dev/i2c-N).</summary>
    public Func<RigDevice, System.Device.I2c.I2cDevice>? I2cDevices { get; init; }

    /// <summary>Open the driver of <paramref name="device"/>, reaching it at <paramref name="endpoint"/> (the rig's, or an override).</summary>
    public DeviceLink Open(RigDevice device, string? endpoint = null)
    {
        if (device.Protocol == "i2c" && device.Ina219 is { } ina)
        {
            // The bus is opened on the first read: a missing /dev/i2c-N makes the meter unreachable, not the gateway fail.
            var name = $"i2c-{ina.Bus}@0x{ina.Address:X2}";
            var open = I2cDevices is { } factory ? () => factory(device) : (Func<System.Device.I2c.I2cDevice>)(() => System.Device.I2c.I2cDevice.Create(new System.Device.I2c.I2cConnectionSettings(ina.Bus, ina.Address)));
            return new DeviceLink(device, new Gateway.Drivers.Lab.Ina219MeterDriver(open, new Gateway.Drivers.Lab.Ina219MeterOptions
            {
                ShuntOhms = ina.ShuntOhms, MaxCurrentA = ina.MaxCurrentA, ExportSign = ina.ExportSign, BusVoltageRangeV = ina.BusVoltageRangeV, Name = $"{device.Id} ({name})",
            }, _clock));
        }
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
                // An override without a scheme (host:port from device-sims) keeps the rig's: mqtts:// stays TLS.
                var scheme = device.Endpoint.StartsWith("mqtts://", StringComparison.OrdinalIgnoreCase) ? "mqtts://" : "mqtt://";
                var text = endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : scheme + endpoint;
                var (broker, security) = _brokers?.Invoke(text) ?? Plain(text);
                // One connection per broker and identity: devices behind the same broker with other credentials get their own.
                var key = broker.ToString() + "|" + security.Describe() + "|" + (security.Password is { } pw
                    ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(pw)))[..12] : "");
                if (!_mqttConnections.TryGetValue(key, out var connection))
                {
                    var options = security.Apply(new MqttClientOptions
                    {
                        Host = broker.Host,
                        Port = broker.Port,
                        ClientId = $"gateway-devices-{Environment.ProcessId}-{_mqttConnections.Count + 1}",
                        ConnectTimeout = TimeSpan.FromSeconds(5),
                        OperationTimeout = TimeSpan.FromSeconds(5),
                        Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(10) },
                        Will = _siteId is null ? null : MqttGatewayPresence.Will(_siteId),
                        BirthMessage = _siteId is null ? null : MqttGatewayPresence.Birth(_siteId),
                    });
                    var client = new MqttClient(options, TimeProvider.System);
                    var devices = new List<string>();
                    _devicesByBroker[key] = devices;
                    var address = broker.ToString();
                    client.ConnectionStateChanged += (_, e) => OnBrokerStateChanged(address, security, devices, e);
                    connection = new MqttDeviceConnection(client, address);
                    _mqttConnections[key] = connection;
                    _logger.LogInformation("device broker {Broker}: {Security}", address, security.Describe());
                }
                _devicesByBroker[key].Add(device.Id);
                return new DeviceLink(device, new MqttDeviceDriver(connection, device.Id, profile, _clock, _mqttOptions) { ReadOnly = device.ReadOnly });
            }
            case "ocpp":
            {
                // One endpoint per HOST:PORT, started on first use; stations dial in to it. An override without a scheme (host:port
                // from device-sims) says nothing the station URL does not: the rig's URL stands.
                if (!endpoint.Contains("://", StringComparison.Ordinal)) endpoint = device.Endpoint;
                if (!Gateway.Drivers.Devices.Ocpp.OcppStationUrl.TryParse(endpoint, out var url, out var problem)) throw new FormatException($"device '{device.Id}': {problem}");
                if (!_ocppEndpoints.TryGetValue(url.Authority, out var entry))
                {
                    var security = device.Ocpp ?? Gateway.Rigs.OcppRigSection.None;
                    var stations = new HashSet<string>(StringComparer.Ordinal);
                    var address = url.Host == "localhost" ? System.Net.IPAddress.Loopback : System.Net.IPAddress.Parse(url.Host);
                    var options = new Gateway.Runtime.Ocpp.OcppEndpointOptions
                    {
                        Address = address, Port = url.Port, SecurityProfile = security.SecurityProfile, CertificatePath = security.CertificatePath,
                        KeyPath = security.KeyPath, PasswordHashes = security.PasswordHashes, Stations = stations,
                    };
                    entry = (new Gateway.Runtime.Ocpp.OcppEndpoint(new Gateway.Drivers.Devices.Ocpp.OcppStationRegistry(_clock, _wallClock), options, logger: _logger), stations);
                    _ocppEndpoints[url.Authority] = entry;
                }
                entry.Stations.Add(url.StationId);
                var ocppEndpoint = entry.Endpoint;
                return new DeviceLink(device, new Gateway.Drivers.Devices.Ocpp.OcppChargerDriver(ocppEndpoint.Registry.GetOrAdd(url.StationId), profile, _clock,
                    ensureEndpoint: ocppEndpoint.EnsureStartedAsync)
                {
                    ReadOnly = device.ReadOnly, WallClock = _wallClock,
                    TimeScale = _clock is Gateway.Runtime.Scheduling.AcceleratedTimeProvider accelerated ? accelerated.TimeScale : 1,
                });
            }
            default:
                throw new NotSupportedException($"device '{device.Id}': protocol '{device.Protocol}' is not supported by this gateway build");
        }
    }

    private static (MqttBrokerAddress, MqttBrokerSecurity) Plain(string text)
    {
        var address = MqttBrokerAddress.Parse(text);
        return (address.WithoutCredentials(), new MqttBrokerSecurity { Tls = address.UseTls, UserName = address.UserName, Password = address.Password });
    }

    private void OnBrokerStateChanged(string address, MqttBrokerSecurity security, List<string> devices, MqttConnectionStateChangedEventArgs e)
    {
        var ids = devices.ToArray();
        switch (e.State)
        {
            case MqttConnectionState.Connected:
                _logger.LogWarning("device broker {Broker} connected ({Security}); devices {Devices}", address, security.Describe(), string.Join(", ", ids));
                _brokerChanged?.Invoke(new BrokerLink("devices", address, true, _wallClock.GetUtcNow(), null, ids));
                break;
            case MqttConnectionState.Reconnecting:
            case MqttConnectionState.Disconnected:
                var why = e.Reason?.Message ?? (e.State == MqttConnectionState.Disconnected ? "disconnected" : "connection lost");
                if (e.Reason is not null || e.State == MqttConnectionState.Reconnecting)
                    _logger.LogWarning("device broker {Broker} lost: {Reason}; devices {Devices} are stale until it is back (reconnecting)", address, why, string.Join(", ", ids));
                _brokerChanged?.Invoke(new BrokerLink("devices", address, false, _wallClock.GetUtcNow(), why, ids));
                break;
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
                catch (Exception e) when (e is OperationCanceledException || DeviceException.FromTransport(e, "the device broker") is not null)
                {
                    // Best effort: the devices' setpoint validity covers a broker that did not take it.
                }
            }

            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _mqttConnections.Clear();
        foreach (var (endpoint, _) in _ocppEndpoints.Values) await endpoint.DisposeAsync().ConfigureAwait(false);
        _ocppEndpoints.Clear();
    }
}
