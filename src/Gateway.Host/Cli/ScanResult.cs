using Gateway.Drivers.Devices.Discovery;
using Gateway.Drivers.Devices.Mqtt;

namespace Gateway.Host.Cli;

/// <summary>What one scan found, for printing as tables or JSON.</summary>
internal sealed class ScanResult
{
    public required ScanRequest Request { get; init; }
    public IReadOnlyList<ModbusUnitIdentity> Units { get; set; } = [];
    public IReadOnlyList<string> ProfilesListened { get; set; } = [];
    public IReadOnlyList<MqttDeviceSighting> MqttDevices { get; set; } = [];
    public IReadOnlyList<string> RefusedFilters { get; set; } = [];
    public TimeSpan Elapsed { get; set; }
    public int ExitCode { get; set; }
    public string? Error { get; set; }
}
