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
public sealed class SimulatedCharger : SimulatedConverter
{
    private readonly EvScenario _ev;

    /// <summary>Creates the charger; the vehicle is plugged in between arrival and departure.</summary>
    public SimulatedCharger(RigDevice definition, DeviceProfile profile, DateTimeOffset start) : base(definition, profile, start)
    {
        _ev = definition.Ev ?? throw new ArgumentException($"device '{definition.Id}' has no EV scenario", nameof(definition));
        Battery = new EvBattery(_ev.BatteryKwh, _ev.SocAtArrivalPercent, _ev.ChargeEfficiency, _ev.DischargeEfficiency, _ev.MinSocPercent, _ev.MaxSocPercent);
        Image.Set("ControlMode", 1);
        Image.Set("ErrorCode", 0);
        Publish();
    }

    /// <summary>The vehicle's battery.</summary>
    public EvBattery Battery { get; }

    /// <summary>Whether a vehicle is plugged in at the device's current time.</summary>
    public bool Plugged => Time >= _ev.Arrival && Time < _ev.Departure;

    /// <inheritdoc />
    protected internal override void Step(DateTimeOffset at, double seconds)
    {
        if (at < _ev.Arrival || at >= _ev.Departure)
        {
            ConverterPowerKw = 0;
            return;
        }
        var setpoint = SetpointInForceKw(at);
        var lo = Battery.CanCharge ? -_ev.MaxChargeKw : 0;
        var hi = Battery.CanDischarge ? _ev.MaxDischargeKw : 0;
        ConverterPowerKw = Math.Clamp(PowerRamp.Step(ConverterPowerKw, Math.Clamp(setpoint, lo, hi), _ev.RampKwPerSecond, seconds), lo, hi);
        var exchanged = Battery.Apply(ConverterPowerKw, seconds);
        if (exchanged != ConverterPowerKw && !(Battery.CanCharge && Battery.CanDischarge)) ConverterPowerKw = 0;
        Meter(exchanged, seconds);
    }

    /// <inheritdoc />
    protected internal override void Publish()
    {
        var plugged = Plugged;
        Image.Set("PowerKw", ConverterPowerKw);
        Image.Set("PlugState", !plugged ? 0 : ConverterPowerKw < -0.05 ? 1 : ConverterPowerKw > 0.05 ? 11 : 2);
        Image.Set("SocPercent", plugged ? Math.Round(Battery.SocPercent) : null);
        Image.Set("MinPowerKw", plugged && Battery.CanCharge ? -_ev.MaxChargeKw : 0);
        Image.Set("MaxPowerKw", plugged && Battery.CanDischarge ? _ev.MaxDischargeKw : 0);
        Image.Set("EvCapacityKwh", plugged ? _ev.BatteryKwh : null);
        Image.Set("EvTargetSocPercent", plugged ? _ev.TargetSocPercent : null);
        Image.Set("MinutesToDeparture", plugged ? Math.Floor((_ev.Departure - Time).TotalMinutes) : null);
        Image.Set("EnergyImportedKwh", ImportedKwh);
        Image.Set("EnergyExportedKwh", ExportedKwh);
    }

    /// <inheritdoc />
    protected override ModbusExceptionCode ValidateWrite(string point, double? value) => point switch
    {
        "SetpointKw" when value is not { } kw || kw < -_ev.MaxChargeKw - 1e-6 || kw > _ev.MaxDischargeKw + 1e-6 => ModbusExceptionCode.IllegalDataValue,
        _ => base.ValidateWrite(point, value),
    };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Id}: charger {(Plugged ? "plugged" : "empty")}, {ConverterPowerKw:0.###} kW, SoC {Battery.SocPercent:0.##} %, setpoint {Written("SetpointKw"):0.###} kW, watchdog fallbacks {WatchdogFallbacks}");
}
