namespace Gateway.Host.Cli;

/// <summary>What a field engineer asked the probe to do.</summary>
/// <param name="Endpoint">modbus-tcp://HOST:PORT or modbus-rtu:///dev/ttyX?baud=…&amp;parity=…</param>
/// <param name="UnitId">Modbus unit id.</param>
/// <param name="Profile">Profile name or path.</param>
/// <param name="Json">Print JSON instead of tables.</param>
/// <param name="SunSpec">List the SunSpec models found.</param>
/// <param name="SetpointKw">Write this setpoint (kW, positive = delivered to the grid) and read it back.</param>
/// <param name="ValidFor">Validity time given with the setpoint.</param>
/// <param name="Timeout">How long to wait for each answer.</param>
internal sealed record ProbeRequest(
    string Endpoint,
    byte UnitId,
    string Profile,
    bool Json,
    bool SunSpec,
    double? SetpointKw,
    TimeSpan ValidFor,
    TimeSpan Timeout);
