namespace Gateway.Drivers.Devices;

/// <summary>
/// One device, reached through its profile over some transport (Modbus TCP/RTU, MQTT).
/// Values are in the gateway's sign convention: positive power is delivered to the grid.
/// </summary>
/// <remarks>
/// Every failure surfaces as a <see cref="DeviceException"/> whose <see cref="DeviceException.Kind"/> and
/// <see cref="DeviceException.IsTransient"/> say what went wrong and whether to try again (the transport's own exception
/// is inside); the caller decides about retries. Cancellation the caller asked for surfaces as itself.
/// </remarks>
public interface IDeviceDriver : IAsyncDisposable
{
    /// <summary>The profile the device is read through.</summary>
    DeviceProfile Profile { get; }

    /// <summary>
    /// Whether the driver may only read: every write (setpoint, watchdog, enable point, heartbeat, any point, any command
    /// topic) then fails with <see cref="DeviceErrorKind.ReadOnly"/> before anything reaches the device.
    /// </summary>
    bool ReadOnly { get; }

    /// <summary>Reads every point of the device.</summary>
    Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an active-power setpoint, clamped to the profile's and the device's limits, valid for
    /// <paramref name="validFor"/> (the device falls back by itself afterwards), then reads it back.
    /// </summary>
    Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default);

    /// <summary>Proves the gateway is alive so the device keeps its setpoint (heartbeat or re-arm), now.</summary>
    Task RefreshWatchdogAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The poller's keep-alive: re-arms the device's watchdog only when the driver judges it due (a driver that cannot
    /// judge re-arms every time). A driver that skips a re-arm must still re-arm early enough that one missed poll never
    /// costs the device a setpoint of ours that is still valid.
    /// </summary>
    Task RefreshWatchdogIfDueAsync(CancellationToken cancellationToken = default) => RefreshWatchdogAsync(cancellationToken);
}
