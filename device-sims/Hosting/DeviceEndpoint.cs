namespace Gateway.DeviceSims.Hosting;

/// <summary>Where one simulated device actually listens (written to the --endpoints-out file).</summary>
/// <param name="Id">Device id.</param>
/// <param name="Kind">charger, pv-inverter, meter or smes.</param>
/// <param name="Protocol">modbus-tcp, modbus-rtu or mqtt.</param>
/// <param name="Uri">What the gateway and the probe take: modbus-tcp://127.0.0.1:PORT, modbus-rtu:///dev/pts/N?baud=… or the broker, mqtt://HOST:PORT.</param>
/// <param name="UnitId">Modbus unit id (1 for MQTT devices, which have none).</param>
/// <param name="Profile">Profile name or path.</param>
/// <param name="TopicPrefix">For MQTT devices: the device's topic prefix (the profile's, with the device id filled in).</param>
public sealed record DeviceEndpoint(string Id, string Kind, string Protocol, string Uri, byte UnitId, string Profile, string? TopicPrefix = null);
