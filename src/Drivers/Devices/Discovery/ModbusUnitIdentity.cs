using Gateway.Drivers.Devices.SunSpec;

namespace Gateway.Drivers.Devices.Discovery;

/// <summary>What one Modbus unit id answered during a scan.</summary>
/// <param name="UnitId">The unit id.</param>
/// <param name="Answer">What it answered, in plain words ("SunSpec", "answers, not SunSpec", "exception 01 …", "a garbled frame …").</param>
/// <param name="SunSpec">Its SunSpec model chain, when it has one.</param>
/// <param name="Manufacturer">SunSpec common model Mn, when present.</param>
/// <param name="Model">SunSpec common model Md.</param>
/// <param name="Version">SunSpec common model Vr.</param>
/// <param name="SerialNumber">SunSpec common model SN.</param>
/// <param name="Profile">The shipped profile its models fit, or null.</param>
public sealed record ModbusUnitIdentity(
    byte UnitId,
    string Answer,
    SunSpecMap? SunSpec = null,
    string? Manufacturer = null,
    string? Model = null,
    string? Version = null,
    string? SerialNumber = null,
    string? Profile = null);
