namespace Gateway.Drivers.Devices;

/// <summary>
/// One device, reached through its profile over some transport (Modbus today, MQTT later).
/// Values are in the gateway's sign convention: positive power is delivered to the grid.
/// </summary>
/// <remarks>Transport failures surface as the transport's own exceptions; the caller decides about retries.</remarks>
public interface IDeviceDriver : IAsyncDisposable
{
    /// <summary>The profile the device is read through.</summary>
    DeviceProfile Profile { get; }

    /// <summary>Reads every point of the device.</summary>
    Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an active-power setpoint, clamped to the profile's and the device's limits, valid for
    /// <paramref name="validFor"/> (the device falls back by itself afterwards), then reads it back.
    /// </summary>
    Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default);

    /// <summary>Proves the gateway is alive so the device keeps its setpoint (heartbeat or re-arm).</summary>
    Task RefreshWatchdogAsync(CancellationToken cancellationToken = default);
}
