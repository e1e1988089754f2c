using Gateway.Drivers.Devices;
using Gateway.Rigs;
using Gateway.Runtime.Status;

namespace Gateway.Runtime.Devices;

/// <summary>
/// The gateway's live connection to one device: its driver, the last reading, its link state
/// and the lock that gives the poller and the dispatcher the driver one at a time.
/// </summary>
internal sealed class DeviceLink : IAsyncDisposable
{
    private readonly SemaphoreSlim _driverLock = new(1, 1);
    private readonly object _gate = new();
    private DeviceReading? _lastReading;
    private DeviceLinkState _state = DeviceLinkState.Unknown;
    private string? _lastError;
    private int _consecutiveFailures;
    private DateTimeOffset? _lastGoodAt;

    /// <summary>Wrap <paramref name="driver"/> for the rig's <paramref name="device"/>.</summary>
    public DeviceLink(RigDevice device, IDeviceDriver driver)
    {
        Device = device;
        Driver = driver;
    }

    /// <summary>The device as the rig describes it.</summary>
    public RigDevice Device { get; }

    /// <summary>The driver (use through <see cref="UseDriverAsync{T}"/>).</summary>
    public IDeviceDriver Driver { get; }

    /// <summary>Link state now.</summary>
    public DeviceLinkState State { get { lock (_gate) return _state; } }

    /// <summary>The last error in plain words.</summary>
    public string? LastError { get { lock (_gate) return _lastError; } }

    /// <summary>When the last good reading arrived.</summary>
    public DateTimeOffset? LastGoodAt { get { lock (_gate) return _lastGoodAt; } }

    /// <summary>Polls that failed in a row.</summary>
    public int ConsecutiveFailures { get { lock (_gate) return _consecutiveFailures; } }

    /// <summary>The last reading, whatever its age (judge its age with <see cref="DeviceReading.AsOf"/>).</summary>
    public DeviceReading? LastReading { get { lock (_gate) return _lastReading; } }

    /// <summary>Run <paramref name="action"/> with exclusive use of the driver.</summary>
    public async Task<T> UseDriverAsync<T>(Func<IDeviceDriver, CancellationToken, Task<T>> action, CancellationToken cancellationToken = default)
    {
        await _driverLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await action(Driver, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _driverLock.Release();
        }
    }

    /// <summary>Record a good poll.</summary>
    public void RecordReading(DeviceReading reading)
    {
        lock (_gate)
        {
            _lastReading = reading;
            _lastGoodAt = reading.Timestamp;
            _consecutiveFailures = 0;
            _lastError = null;
            var outOfRange = reading.Measurements.Any(m => m.Quality == MeasurementQuality.OutOfRange);
            _state = outOfRange ? DeviceLinkState.Degraded : DeviceLinkState.Healthy;
            if (outOfRange)
            {
                var bad = reading.Measurements.First(m => m.Quality == MeasurementQuality.OutOfRange);
                _lastError = $"{bad.Point} = {bad.Value} {bad.Unit} is out of the profile's range";
            }
        }
    }

    /// <summary>Record a failed poll; after <paramref name="isolateAfter"/> failures in a row the device is isolated.</summary>
    public void RecordFailure(string error, int isolateAfter)
    {
        lock (_gate)
        {
            _consecutiveFailures++;
            _lastError = error;
            _state = _consecutiveFailures >= isolateAfter ? DeviceLinkState.Isolated : DeviceLinkState.Degraded;
        }
    }

    /// <summary>
    /// What operators see of this device now. Values are stale when the last good reading is older than two poll periods
    /// at <paramref name="now"/> (plant time), or the last poll failed: they are then the last known, not current.
    /// </summary>
    public DeviceHealth ToHealth(double? setpointKw, DateTimeOffset? validUntil, DateTimeOffset? now = null)
    {
        lock (_gate)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            var states = new Dictionary<string, string>(StringComparer.Ordinal);
            if (_lastReading is not null)
            {
                foreach (var m in _lastReading.Measurements)
                {
                    if (m.Value is not { } v || m.Role == PointRole.Info) continue;
                    values[m.Point] = v;
                    if (Driver.Profile.Points.FirstOrDefault(p => p.Name == m.Point) is { States.Count: > 0 } point)
                        states[m.Point] = double.IsFinite(v) && point.States.TryGetValue((long)Math.Round(v), out var name) ? name : $"unknown ({v:0.##})";
                }
            }
            var stale = _state == DeviceLinkState.Isolated || _consecutiveFailures > 0
                || (_lastGoodAt is { } at && now is { } n && n - at > Device.PollPeriod * 2);
            return new DeviceHealth(Device.Id, Device.Kind, Device.ParticipantId, _state, _lastGoodAt, _lastError, values, setpointKw, validUntil,
                states, Device.PollPeriod, _lastReading is not null && stale, Device.NodeId);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Driver.DisposeAsync().ConfigureAwait(false);
        _driverLock.Dispose();
    }
}
