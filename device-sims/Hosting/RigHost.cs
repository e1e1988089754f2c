using System.Globalization;
using System.Net;
using Gateway.DeviceSims.Devices;
using Gateway.Rigs;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// Serves a <see cref="SimulatedRig"/> over Modbus: one TCP server per distinct endpoint on the
/// loopback interface (devices sharing an endpoint are told apart by unit id, like devices behind
/// a TCP gateway), one RTU server per tty path on a socat pseudo-terminal pair, each with the
/// fault plans of its devices, and an MQTT client per <c>mqtt</c> device connected to the broker
/// its endpoint names.
/// </summary>
public sealed class RigHost : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly List<DeviceEndpoint> _endpoints = [];
    private readonly Dictionary<SimulatedDevice, MqttDeviceAdapter> _mqtt = [];
    private readonly Dictionary<SimulatedDevice, OcppStationSimulator> _ocpp = [];

    /// <summary>Real time between two telemetry messages of an MQTT device, unless the caller picks another.</summary>
    public static readonly TimeSpan DefaultMqttPublishPeriod = TimeSpan.FromMilliseconds(250);

    private RigHost(SimulatedRig rig) => Rig = rig;

    /// <summary>The devices being served.</summary>
    public SimulatedRig Rig { get; }

    /// <summary>Where each device actually listens, in rig order.</summary>
    public IReadOnlyList<DeviceEndpoint> Endpoints => _endpoints;

    /// <summary>The MQTT face of an <c>mqtt</c> device, or null for a Modbus device.</summary>
    public MqttDeviceAdapter? MqttOf(string deviceId) => Rig.Find(deviceId) is { } d ? _mqtt.GetValueOrDefault(d) : null;

    /// <summary>The OCPP face of an <c>ocpp</c> charger, or null.</summary>
    public OcppStationSimulator? OcppOf(string deviceId) => Rig.Find(deviceId) is { } d ? _ocpp.GetValueOrDefault(d) : null;

    /// <summary>Starts a server for every Modbus device of <paramref name="rig"/> and connects every MQTT device to its broker.</summary>
    /// <param name="rig">The simulated devices.</param>
    /// <param name="portBase">When set, TCP endpoints get ports portBase, portBase+1, … in order of first appearance (0 = any free port).</param>
    /// <param name="mqttPublishPeriod">Real time between two telemetry messages of an MQTT device (default <see cref="DefaultMqttPublishPeriod"/>).</param>
    /// <param name="cancellationToken">Stops the start-up.</param>
    public static async Task<RigHost> StartAsync(SimulatedRig rig, int? portBase = null, TimeSpan? mqttPublishPeriod = null, CancellationToken cancellationToken = default)
    {
        var host = new RigHost(rig);
        try
        {
            var started = await host.StartTcpAsync(portBase, cancellationToken).ConfigureAwait(false);
            await host.StartRtuAsync(started, cancellationToken).ConfigureAwait(false);
            await host.StartMqttAsync(started, mqttPublishPeriod ?? DefaultMqttPublishPeriod, cancellationToken).ConfigureAwait(false);
            host.StartOcpp(started, mqttPublishPeriod ?? DefaultMqttPublishPeriod);
            host.ListEndpoints(started);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return host;
    }

    private async Task<Dictionary<SimulatedDevice, string>> StartTcpAsync(int? portBase, CancellationToken cancellationToken)
    {
        var groups = Rig.Devices.Where(d => d.Definition.Protocol == "modbus-tcp").GroupBy(d => d.Definition.Endpoint).ToList();
        var index = 0;
        var started = new Dictionary<SimulatedDevice, string>();
        foreach (var group in groups)
        {
            var devices = group.ToList();
            // Port 0 means "any free port": each such device gets its own server.
            var sets = Port(group.Key) == 0 && portBase is null ? devices.Select(d => new List<SimulatedDevice> { d }).ToList() : [devices];
            foreach (var set in sets)
            {
                var port = portBase is { } b ? (b == 0 ? 0 : b + index) : Port(group.Key);
                index++;
                var units = set.ToDictionary(d => d.Definition.UnitId, d => Rig.UnitOf(d));
                var plans = set.ToDictionary(d => d.Definition.UnitId, d => (IModbusFaultPlan)d.Faults);
                var server = new ModbusTcpServer(new IPEndPoint(Address(group.Key), port), id => units.GetValueOrDefault(id), new UnitFaultRouter(plans));
                _servers.Add(server);
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
                var local = server.LocalEndpoint;
                var text = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local.Address}]:{local.Port}" : $"{local.Address}:{local.Port}";
                foreach (var d in set) started[d] = $"modbus-tcp://{text}";
            }
        }
        return started;
    }

    // RTU devices sharing a tty path share one bus (one server), told apart by unit id.
    private async Task StartRtuAsync(Dictionary<SimulatedDevice, string> started, CancellationToken cancellationToken)
    {
        foreach (var bus in Rig.Devices.Where(d => d.Definition.Protocol == "modbus-rtu").GroupBy(d => d.Definition.Endpoint))
        {
            var endpoint = ModbusEndpoint.Parse("modbus-rtu://" + bus.Key);
            var pty = await PseudoTerminalPair.StartAsync(endpoint.DevicePath!, cancellationToken).ConfigureAwait(false);
            _servers.Add(pty);
            var units = bus.ToDictionary(d => d.Definition.UnitId, d => Rig.UnitOf(d));
            var plans = bus.ToDictionary(d => d.Definition.UnitId, d => (IModbusFaultPlan)d.Faults);
            var server = new ModbusRtuServer(pty.SimulatorPath, endpoint.Serial!, id => units.GetValueOrDefault(id), new UnitFaultRouter(plans));
            _servers.Add(server);
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            foreach (var d in bus) started[d] = "modbus-rtu://" + bus.Key;
        }
    }

    // Each MQTT device is its own client, as each real device holds its own connection to the broker.
    private async Task StartMqttAsync(Dictionary<SimulatedDevice, string> started, TimeSpan publishPeriod, CancellationToken cancellationToken)
    {
        foreach (var device in Rig.Devices.Where(d => d.Definition.Protocol == "mqtt"))
        {
            var (broker, security) = Rig.Definition.SimulatorBroker(device.Definition.Endpoint);
            var adapter = new MqttDeviceAdapter(Rig, device, broker, publishPeriod, security: security);
            _servers.Add(adapter);
            _mqtt[device] = adapter;
            await adapter.StartAsync(cancellationToken).ConfigureAwait(false);
            started[device] = broker.ToString();
        }
    }

    // Each OCPP charger is a station that dials the gateway's endpoint (and redials until it answers): nothing to wait for here.
    private void StartOcpp(Dictionary<SimulatedDevice, string> started, TimeSpan meterPeriod)
    {
        foreach (var device in Rig.Devices.Where(d => d.Definition.Protocol == "ocpp"))
        {
            if (!Gateway.Drivers.Devices.Ocpp.OcppStationUrl.TryParse(device.Definition.Endpoint, out var url, out var problem))
                throw new ArgumentException($"device '{device.Id}': {problem}");
            var station = new OcppStationSimulator(Rig, device, url, meterPeriod, device.Definition.Ev?.OcppVersion);
            _servers.Add(station);
            _ocpp[device] = station;
            station.Start();
            started[device] = url.ToString();
        }
    }

    private void ListEndpoints(Dictionary<SimulatedDevice, string> started)
    {
        foreach (var d in Rig.Definition.Devices)
        {
            var device = Rig.Find(d.Id)!;
            if (started.TryGetValue(device, out var uri))
                _endpoints.Add(new DeviceEndpoint(d.Id, Kind(d.DeviceKind), d.Protocol, uri, d.UnitId, d.Profile, _mqtt.GetValueOrDefault(device)?.Topics.Prefix));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Servers first, then the pseudo-terminals they use.
        for (var i = _servers.Count - 1; i >= 0; i--) await _servers[i].DisposeAsync().ConfigureAwait(false);
        _servers.Clear();
    }

    internal static string Kind(DeviceKind kind) => kind switch
    {
        DeviceKind.Charger => "charger",
        DeviceKind.PvInverter => "pv-inverter",
        DeviceKind.Smes => "smes",
        _ => "meter",
    };

    private static int Port(string endpoint) => int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);

    private static IPAddress Address(string endpoint)
    {
        var host = endpoint[..endpoint.LastIndexOf(':')].Trim('[', ']');
        return host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
    }
}
