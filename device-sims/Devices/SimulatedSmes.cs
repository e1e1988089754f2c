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
public sealed class SimulatedSmes : SimulatedDevice
{
    private readonly SmesScenario _smes;
    private readonly SetpointWatchdog _watchdog;
    private double _powerKw;
    private double _importedKwh;
    private double _exportedKwh;

    /// <summary>Creates the converter with its coil at the initial current.</summary>
    public SimulatedSmes(RigDevice definition, DeviceProfile profile, DateTimeOffset start) : base(definition, profile)
    {
        _smes = definition.Smes ?? throw new ArgumentException($"device '{definition.Id}' has no SMES scenario", nameof(definition));
        Coil = new SmesCoil(_smes.InductanceH, _smes.MinCurrentA, _smes.MaxCurrentA, _smes.InitialCurrentA, _smes.Efficiency);
        _watchdog = new SetpointWatchdog(start);
        Time = start;
        Image.Set("InductanceH", _smes.InductanceH);
        Image.Set("MinCoilCurrentA", _smes.MinCurrentA);
        Image.Set("MaxCoilCurrentA", _smes.MaxCurrentA);
        Image.Set("WatchdogSeconds", 60);
        Image.Set("Heartbeat", 0);
        Image.Set("SetpointKw", 0);
        Publish();
    }

    /// <summary>The superconducting coil.</summary>
    public SmesCoil Coil { get; }

    /// <inheritdoc />
    public override double PowerKw => _powerKw;

    /// <inheritdoc />
    protected internal override void Step(DateTimeOffset at, double seconds)
    {
        var setpoint = Written("SetpointKw");
        if (setpoint != 0 && _watchdog.IsExpired(at, Written("WatchdogSeconds")))
        {
            Image.Set("SetpointKw", 0);
            setpoint = 0;
            WatchdogFallbacks++;
        }
        var lo = Coil.CanCharge ? -_smes.MaxPowerKw : 0;
        var hi = Coil.CanDischarge ? _smes.MaxPowerKw : 0;
        _powerKw = Math.Clamp(PowerRamp.Step(_powerKw, Math.Clamp(setpoint, lo, hi), _smes.RampKwPerSecond, seconds), lo, hi);
        var exchanged = Coil.Apply(_powerKw, seconds);
        if (exchanged != _powerKw) _powerKw = 0;
        if (exchanged < 0) _importedKwh += -exchanged * seconds / 3600;
        else _exportedKwh += exchanged * seconds / 3600;
    }

    /// <summary>A power setpoint with no gateway behind it is dropped: the converter goes to 0 kW at once.</summary>
    protected override bool FallBackOnGatewayLoss() => DropToZero("SetpointKw");

    /// <inheritdoc />
    protected internal override void Publish()
    {
        Image.Set("PowerKw", _powerKw);
        Image.Set("CoilCurrentA", Coil.CurrentA);
        Image.Set("EnergyImportedKwh", _importedKwh);
        Image.Set("EnergyExportedKwh", _exportedKwh);
        Image.Set("StoredEnergyKwh", Coil.EnergyKwh);
        Image.Set("MinPowerKw", Coil.CanCharge ? -_smes.MaxPowerKw : 0);
        Image.Set("MaxPowerKw", Coil.CanDischarge ? _smes.MaxPowerKw : 0);
        Image.Set("Status", _powerKw < -0.005 ? 1 : _powerKw > 0.005 ? 2 : !Coil.CanCharge ? 3 : !Coil.CanDischarge ? 4 : 0);
    }

    /// <inheritdoc />
    protected override ModbusExceptionCode ValidateWrite(string point, double? value) => point switch
    {
        "SetpointKw" when value is not { } kw || Math.Abs(kw) > _smes.MaxPowerKw + 1e-6 => ModbusExceptionCode.IllegalDataValue,
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
        $"{Id}: smes {_powerKw:0.###} kW, I {Coil.CurrentA:0.#} A, E {Coil.EnergyKwh:0.####} kWh, setpoint {Written("SetpointKw"):0.###} kW, watchdog fallbacks {WatchdogFallbacks}");
}
