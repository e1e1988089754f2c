namespace Gateway.DeviceSims.Hosting;

/// <summary>Where one simulated device actually listens (written to the --endpoints-out file).</summary>
/// <param name="Id">Device id.</param>
/// <param name="Kind">charger, pv-inverter, meter or smes.</param>
/// <param name="Protocol">modbus-tcp or modbus-rtu.</param>
/// <param name="Uri">What the gateway and the probe take: modbus-tcp://127.0.0.1:PORT or modbus-rtu:///dev/pts/N?baud=…</param>
/// <param name="UnitId">Modbus unit id.</param>
/// <param name="Profile">Profile name or path.</param>
public sealed record DeviceEndpoint(string Id, string Kind, string Protocol, string Uri, byte UnitId, string Profile);
