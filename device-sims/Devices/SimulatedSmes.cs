using System.Globalization;
using Gateway.DeviceSims.Physics;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// An SMES power converter and its coil: stored energy E = ½·L·I² within the current limits,
/// power following the setpoint at the ramp rate within the converter rating, and a watchdog
/// that brings it back to 0 kW.
/// </summary>
public sealed class SimulatedSmes : SimulatedConverter
{
    private readonly SmesScenario _smes;

    /// <summary>Creates the converter with its coil at the initial current.</summary>
    public SimulatedSmes(RigDevice definition, DeviceProfile profile, DateTimeOffset start) : base(definition, profile, start)
    {
        _smes = definition.Smes ?? throw new ArgumentException($"device '{definition.Id}' has no SMES scenario", nameof(definition));
        Coil = new SmesCoil(_smes.InductanceH, _smes.MinCurrentA, _smes.MaxCurrentA, _smes.InitialCurrentA, _smes.Efficiency);
        Image.Set("InductanceH", _smes.InductanceH);
        Image.Set("MinCoilCurrentA", _smes.MinCurrentA);
        Image.Set("MaxCoilCurrentA", _smes.MaxCurrentA);
        Publish();
    }

    /// <summary>The superconducting coil.</summary>
    public SmesCoil Coil { get; }

    /// <inheritdoc />
    protected internal override void Step(DateTimeOffset at, double seconds)
    {
        var setpoint = SetpointInForceKw(at);
        var lo = Coil.CanCharge ? -_smes.MaxPowerKw : 0;
        var hi = Coil.CanDischarge ? _smes.MaxPowerKw : 0;
        ConverterPowerKw = Math.Clamp(PowerRamp.Step(ConverterPowerKw, Math.Clamp(setpoint, lo, hi), _smes.RampKwPerSecond, seconds), lo, hi);
        var exchanged = Coil.Apply(ConverterPowerKw, seconds);
        if (exchanged != ConverterPowerKw) ConverterPowerKw = 0;
        Meter(exchanged, seconds);
    }

    /// <inheritdoc />
    protected internal override void Publish()
    {
        Image.Set("PowerKw", ConverterPowerKw);
        Image.Set("CoilCurrentA", Coil.CurrentA);
        Image.Set("EnergyImportedKwh", ImportedKwh);
        Image.Set("EnergyExportedKwh", ExportedKwh);
        Image.Set("StoredEnergyKwh", Coil.EnergyKwh);
        Image.Set("MinPowerKw", Coil.CanCharge ? -_smes.MaxPowerKw : 0);
        Image.Set("MaxPowerKw", Coil.CanDischarge ? _smes.MaxPowerKw : 0);
        Image.Set("Status", ConverterPowerKw < -0.005 ? 1 : ConverterPowerKw > 0.005 ? 2 : !Coil.CanCharge ? 3 : !Coil.CanDischarge ? 4 : 0);
    }

    /// <inheritdoc />
    protected override ModbusExceptionCode ValidateWrite(string point, double? value) => point switch
    {
        "SetpointKw" when value is not { } kw || Math.Abs(kw) > _smes.MaxPowerKw + 1e-6 => ModbusExceptionCode.IllegalDataValue,
        _ => base.ValidateWrite(point, value),
    };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Id}: smes {ConverterPowerKw:0.###} kW, I {Coil.CurrentA:0.#} A, E {Coil.EnergyKwh:0.####} kWh, setpoint {Written("SetpointKw"):0.###} kW, watchdog fallbacks {WatchdogFallbacks}");
}
