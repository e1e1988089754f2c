using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.SunSpec;

namespace Gateway.Host.Cli;

/// <summary>Everything one probe run found, for printing as tables or JSON.</summary>
internal sealed class ProbeReport
{
    public required ProbeRequest Request { get; init; }
    public string? ProfileName { get; set; }
    /// <summary>Why this profile, when the probe picked it (from the SunSpec models found).</summary>
    public string? ProfileChosenBecause { get; set; }
    public string? TopicPrefix { get; set; }
    public SunSpecMap? SunSpec { get; set; }
    public DeviceReading? Reading { get; set; }
    public SetpointResult? Setpoint { get; set; }
    public List<string> Warnings { get; } = [];
    /// <summary>ocpp:// without --device: every station that dialed in, with what it reported.</summary>
    public List<ProbeStation> Stations { get; } = [];
    public int ExitCode { get; set; }
    public string? Error { get; set; }
}
