using System.Globalization;
using Gateway.DeviceSims.Physics;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// A V2G charger with a vehicle that arrives and leaves: the battery's SoC integrates the power
/// with charge/discharge efficiency, the power follows the setpoint at the ramp rate within the
/// charger's and the battery's limits, and falls back to 0 kW when the watchdog runs out.
/// </summary>
public sealed class SimulatedCharger : SimulatedDevice
{
    private readonly EvScenario _ev;
    private readonly SetpointWatchdog _watchdog;
    private double _powerKw;
    private double _importedKwh;
    private double _exportedKwh;

    /// <summary>Creates the charger; the vehicle is plugged in between arrival and departure.</summary>
    public SimulatedCharger(RigDevice definition, DeviceProfile profile, DateTimeOffset start) : base(definition, profile)
    {
        _ev = definition.Ev ?? throw new ArgumentException($"device '{definition.Id}' has no EV scenario", nameof(definition));
        Battery = new EvBattery(_ev.BatteryKwh, _ev.SocAtArrivalPercent, _ev.ChargeEfficiency, _ev.DischargeEfficiency, _ev.MinSocPercent, _ev.MaxSocPercent);
        _watchdog = new SetpointWatchdog(start);
        Time = start;
        Image.Set("ControlMode", 1);
        Image.Set("WatchdogSeconds", 60);
        Image.Set("Heartbeat", 0);
        Image.Set("SetpointKw", 0);
        Image.Set("ErrorCode", 0);
        Publish();
    }

    /// <summary>The vehicle's battery.</summary>
    public EvBattery Battery { get; }

    /// <summary>Whether a vehicle is plugged in at the device's current time.</summary>
    public bool Plugged => Time >= _ev.Arrival && Time < _ev.Departure;

    /// <inheritdoc />
    public override double PowerKw => _powerKw;

    /// <inheritdoc />
    protected internal override void Step(DateTimeOffset at, double seconds)
    {
        if (at < _ev.Arrival || at >= _ev.Departure)
        {
            _powerKw = 0;
            return;
        }
        var setpoint = Written("SetpointKw");
        if (setpoint != 0 && _watchdog.IsExpired(at, Written("WatchdogSeconds")))
        {
            Image.Set("SetpointKw", 0);
            setpoint = 0;
            WatchdogFallbacks++;
        }
        var lo = Battery.CanCharge ? -_ev.MaxChargeKw : 0;
        var hi = Battery.CanDischarge ? _ev.MaxDischargeKw : 0;
        _powerKw = Math.Clamp(PowerRamp.Step(_powerKw, Math.Clamp(setpoint, lo, hi), _ev.RampKwPerSecond, seconds), lo, hi);
        var exchanged = Battery.Apply(_powerKw, seconds);
        if (exchanged != _powerKw && !(Battery.CanCharge && Battery.CanDischarge)) _powerKw = 0;
        // The counters meter what crossed the grid connection, the quantity settlements are paid on.
        if (exchanged < 0) _importedKwh += -exchanged * seconds / 3600;
        else _exportedKwh += exchanged * seconds / 3600;
    }

    /// <summary>A power setpoint with no gateway behind it is dropped: the charger goes to 0 kW at once.</summary>
    protected override bool FallBackOnGatewayLoss() => DropToZero("SetpointKw");

    /// <inheritdoc />
    protected internal override void Publish()
    {
        var plugged = Plugged;
        Image.Set("PowerKw", _powerKw);
        Image.Set("PlugState", !plugged ? 0 : _powerKw < -0.05 ? 1 : _powerKw > 0.05 ? 11 : 2);
        Image.Set("SocPercent", plugged ? Math.Round(Battery.SocPercent) : null);
        Image.Set("MinPowerKw", plugged && Battery.CanCharge ? -_ev.MaxChargeKw : 0);
        Image.Set("MaxPowerKw", plugged && Battery.CanDischarge ? _ev.MaxDischargeKw : 0);
        Image.Set("EvCapacityKwh", plugged ? _ev.BatteryKwh : null);
        Image.Set("EvTargetSocPercent", plugged ? _ev.TargetSocPercent : null);
        Image.Set("MinutesToDeparture", plugged ? Math.Floor((_ev.Departure - Time).TotalMinutes) : null);
        Image.Set("EnergyImportedKwh", _importedKwh);
        Image.Set("EnergyExportedKwh", _exportedKwh);
    }

    /// <inheritdoc />
    protected override ModbusExceptionCode ValidateWrite(string point, double? value) => point switch
    {
        "SetpointKw" when value is not { } kw || kw < -_ev.MaxChargeKw - 1e-6 || kw > _ev.MaxDischargeKw + 1e-6 => ModbusExceptionCode.IllegalDataValue,
        "WatchdogSeconds" when value is not (>= 1 and <= 600) => ModbusExceptionCode.IllegalDataValue,
        _ => ModbusExceptionCode.None,
    };

    /// <inheritdoc />
    protected override void OnPointWritten(string point, DateTimeOffset now)
    {
        if (point is "SetpointKw" or "Heartbeat" or "WatchdogSeconds") _watchdog.Refresh(now);
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Id}: charger {(Plugged ? "plugged" : "empty")}, {_powerKw:0.###} kW, SoC {Battery.SocPercent:0.##} %, setpoint {Written("SetpointKw"):0.###} kW, watchdog fallbacks {WatchdogFallbacks}");
}
