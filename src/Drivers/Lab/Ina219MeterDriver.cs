using System.Device.I2c;
using Gateway.Drivers.Devices;
using Iot.Device.Adc;

namespace Gateway.Drivers.Lab;

/// <summary>
/// A small DC bench's meter: an INA219 current/power monitor on I²C, read through the Iot.Device.Bindings Ina219
/// binding. Reports bus voltage, current, power in the gateway's sign convention (positive = delivered to the grid) and
/// exported/imported energy integrated from the power between reads (the chip has no energy counter).
/// </summary>
/// <remarks>
/// Read-only: a meter takes no setpoint. The energy counters start at 0 when the driver is created and integrate
/// trapezoidally between good reads; a gap longer than <see cref="MaxIntegrationGap"/> (a device that stopped answering)
/// is not bridged, so energy is never invented for time nobody measured.
/// </remarks>
public sealed class Ina219MeterDriver : IDeviceDriver
{
    /// <summary>Point names, as operators and journals see them.</summary>
    public const string BusVoltagePoint = "BusVoltageV", CurrentPoint = "CurrentA", ShuntVoltagePoint = "ShuntVoltageMv",
        PowerPoint = "PowerKw", ExportedPoint = "EnergyExportedKwh", ImportedPoint = "EnergyImportedKwh";

    private readonly Func<I2cDevice> _open;
    private I2cDevice? _device;
    private Ina219? _chip;
    private readonly Ina219MeterOptions _options;
    private readonly TimeProvider _clock;
    private readonly bool _ownsDevice;
    private readonly object _gate = new();
    private (DateTimeOffset At, double PowerKw)? _last;
    private double _exportedKwh;
    private double _importedKwh;
    private bool _configured;

    /// <summary>Create a meter on <paramref name="device"/>; the chip is reset and calibrated on the first read.</summary>
    /// <param name="device">The I²C device at the INA219's address.</param>
    /// <param name="options">Shunt, maximum current, sign and bus range.</param>
    /// <param name="clock">Stamps readings and integrates energy (the plant clock).</param>
    /// <param name="ownsDevice">Dispose <paramref name="device"/> with the driver.</param>
    /// <exception cref="ArgumentException">The shunt and current cannot be calibrated (the message says why).</exception>
    public Ina219MeterDriver(I2cDevice device, Ina219MeterOptions options, TimeProvider clock, bool ownsDevice = false)
        : this(() => device, options, clock, ownsDevice)
    {
    }

    /// <summary>
    /// Create a meter that opens its I²C device on the first read (and again after a failed open), so a gateway starts
    /// even when the bus is missing and reports the meter unreachable instead.
    /// </summary>
    /// <param name="open">Opens the I²C device at the INA219's address.</param>
    /// <param name="options">Shunt, maximum current, sign and bus range.</param>
    /// <param name="clock">Stamps readings and integrates energy (the plant clock).</param>
    /// <param name="ownsDevice">Dispose the device with the driver.</param>
    /// <exception cref="ArgumentException">The shunt and current cannot be calibrated (the message says why).</exception>
    public Ina219MeterDriver(Func<I2cDevice> open, Ina219MeterOptions options, TimeProvider clock, bool ownsDevice = true)
    {
        if (options.ExportSign is not (1 or -1)) throw new ArgumentException($"export sign must be +1 or -1, not {options.ExportSign}");
        if (options.BusVoltageRangeV is not (16 or 32)) throw new ArgumentException($"bus voltage range must be 16 or 32 V, not {options.BusVoltageRangeV}");
        Calibration = Ina219Calibration.Compute(options.ShuntOhms, options.MaxCurrentA);
        _open = open;
        _options = options;
        _clock = clock;
        _ownsDevice = ownsDevice;
        var maxKw = options.BusVoltageRangeV * options.MaxCurrentA / 1000;
        Profile = new DeviceProfile
        {
            Name = "ina219",
            Description = $"INA219 DC power monitor ({options.ShuntOhms} Ω shunt, ±{options.MaxCurrentA} A, {options.BusVoltageRangeV} V range)",
            Kind = "meter",
            Points =
            [
                new ProfilePoint { Name = BusVoltagePoint, Role = PointRole.Info, Unit = "V", Limits = new PointLimits(0, options.BusVoltageRangeV) },
                new ProfilePoint { Name = ShuntVoltagePoint, Role = PointRole.Info, Unit = "mV" },
                new ProfilePoint { Name = CurrentPoint, Role = PointRole.Info, Unit = "A", Description = "positive = delivered to the grid" },
                new ProfilePoint { Name = PowerPoint, Role = PointRole.MeasuredPower, Unit = "kW", Limits = new PointLimits(-maxKw * 1.05, maxKw * 1.05), Description = "positive = delivered to the grid" },
                new ProfilePoint { Name = ExportedPoint, Role = PointRole.EnergyExported, Unit = "kWh" },
                new ProfilePoint { Name = ImportedPoint, Role = PointRole.EnergyImported, Unit = "kWh" },
            ],
        };
    }

    /// <summary>The calibration written to the chip.</summary>
    public Ina219Calibration Calibration { get; }

    /// <summary>Longest time between two good reads that the energy counters bridge.</summary>
    public TimeSpan MaxIntegrationGap { get; init; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc />
    public DeviceProfile Profile { get; }

    /// <inheritdoc />
    /// <remarks>Always true: a meter takes no setpoint.</remarks>
    public bool ReadOnly => true;

    /// <inheritdoc />
    public Task<DeviceReading> ReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            double busV, shuntV, currentA, powerW;
            try
            {
                if (!_configured) Configure();
                var chip = _chip!;
                busV = (double)chip.ReadBusVoltage().Volts;
                shuntV = Signed((double)chip.ReadShuntVoltage().Volts, 10e-6);
                currentA = Signed((double)chip.ReadCurrent().Amperes, Calibration.CurrentLsbA);
                powerW = (double)chip.ReadPower().Watts;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException or PlatformNotSupportedException or DllNotFoundException)
            {
                // The chip may have browned out and lost its calibration: write it again on the next read.
                _configured = false;
                throw new DeviceException(DeviceErrorKind.Unreachable, _options.Name, $"{_options.Name}: I²C transfer failed: {e.Message}", isTransient: true, e);
            }
            var now = _clock.GetUtcNow();
            var saturated = Math.Abs(shuntV) >= Calibration.PgaFullScaleV * 0.999;
            // The power register holds a magnitude; the direction is the current's.
            var signedCurrent = _options.ExportSign * currentA;
            var powerKw = Math.Sign(signedCurrent) * Math.Abs(powerW) / 1000;
            var quality = saturated ? MeasurementQuality.OutOfRange : MeasurementQuality.Good;
            if (!saturated) Integrate(now, powerKw);
            var measurements = new List<Measurement>
            {
                Value(BusVoltagePoint, PointRole.Info, busV, "V", now, Profile.Points[0].Limits.Contains(busV) ? MeasurementQuality.Good : MeasurementQuality.OutOfRange),
                Value(ShuntVoltagePoint, PointRole.Info, shuntV * 1000, "mV", now, quality),
                Value(CurrentPoint, PointRole.Info, signedCurrent, "A", now, quality),
                Value(PowerPoint, PointRole.MeasuredPower, powerKw, "kW", now, quality),
                Value(ExportedPoint, PointRole.EnergyExported, _exportedKwh, "kWh", now, MeasurementQuality.Good),
                Value(ImportedPoint, PointRole.EnergyImported, _importedKwh, "kWh", now, MeasurementQuality.Good),
            };
            return Task.FromResult(new DeviceReading(Profile.Name, now, measurements));
        }
    }

    /// <summary>
    /// The shunt and current registers are two's complement (the chip is bidirectional), but the 4.2.0 binding scales
    /// them as unsigned: −1 count comes back as 65535 counts. Fold the upper half back to negative.
    /// </summary>
    private static double Signed(double value, double lsb)
    {
        var counts = Math.Round(value / lsb);
        return counts > short.MaxValue ? (counts - 65536) * lsb : value;
    }

    private static Measurement Value(string point, PointRole role, double value, string unit, DateTimeOffset at, MeasurementQuality quality) =>
        new(point, role, value, unit, at, quality);

    private void Integrate(DateTimeOffset now, double powerKw)
    {
        if (_last is { } last && now > last.At && now - last.At <= MaxIntegrationGap)
        {
            var kwh = (last.PowerKw + powerKw) / 2 * (now - last.At).TotalHours;
            // A sign change inside the interval splits the trapezoid at the zero crossing.
            if (Math.Sign(last.PowerKw) * Math.Sign(powerKw) < 0)
            {
                var hours = (now - last.At).TotalHours;
                var cross = hours * Math.Abs(last.PowerKw) / (Math.Abs(last.PowerKw) + Math.Abs(powerKw));
                Add(last.PowerKw / 2 * cross);
                Add(powerKw / 2 * (hours - cross));
            }
            else
            {
                Add(kwh);
            }
        }
        _last = (now, powerKw);
    }

    private void Add(double kwh)
    {
        if (kwh >= 0) _exportedKwh += kwh;
        else _importedKwh -= kwh;
    }

    private void Configure()
    {
        if (_chip is null)
        {
            _device = _open();
            _chip = new Ina219(_device);
        }
        _chip.Reset();
        _chip.BusVoltageRange = _options.BusVoltageRangeV == 16 ? Ina219BusVoltageRange.Range16v : Ina219BusVoltageRange.Range32v;
        _chip.PgaSensitivity = Calibration.Pga;
        _chip.SetCalibration(Calibration.CalibrationRegister, (float)Calibration.CurrentLsbA);
        _configured = true;
    }

    /// <inheritdoc />
    public Task<SetpointResult> WriteSetpointAsync(double powerKw, TimeSpan validFor, CancellationToken cancellationToken = default) =>
        throw new DeviceException(DeviceErrorKind.ReadOnly, _options.Name, $"{_options.Name} is a meter (INA219): it takes no setpoint", isTransient: false);

    /// <inheritdoc />
    public Task RefreshWatchdogAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _chip?.Dispose();
        if (_ownsDevice) _device?.Dispose();
        return ValueTask.CompletedTask;
    }
}
