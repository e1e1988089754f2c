using System.Globalization;
using Gateway.DeviceSims.Physics;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// A SunSpec PV inverter whose output follows irradiance and cell temperature (Energies 2023
/// eqs. (1)–(2)) over the day, capped by WMaxLimPct when enabled. The cap follows a new limit at
/// the ramp rate and is dropped when WMaxLimPct_RvrtTms runs out (SunSpec's revert). When the
/// gateway is gone the cap stays until then: it protects the feeder, and lifting it could overload a line.
/// </summary>
public sealed class SimulatedPvInverter : SimulatedDevice
{
    private readonly PvScenario _pv;
    private readonly PvArrayModel _array;
    private readonly IrradianceCurve _irradiance;
    private DateTimeOffset _lastLimitWrite;
    private double _powerKw;
    private double _energyKwh;
    private double _availableKw;
    private double _irradianceWPerM2;

    /// <summary>Creates the inverter with its array.</summary>
    public SimulatedPvInverter(RigDevice definition, DeviceProfile profile, DateTimeOffset start) : base(definition, profile)
    {
        _pv = definition.Pv ?? throw new ArgumentException($"device '{definition.Id}' has no PV scenario", nameof(definition));
        _array = new PvArrayModel(_pv.RatedKwp, _pv.ReferenceEfficiency, _pv.TemperatureCoefficientPerK, _pv.NoctC);
        _irradiance = new IrradianceCurve(_pv.Irradiance);
        _energyKwh = _pv.InitialEnergyKwh;
        _lastLimitWrite = start;
        Time = start;
        Image.SetText("Manufacturer", "Gateway Sims");
        Image.SetText("Model", "SIM-PV");
        Image.SetText("SerialNumber", definition.Id);
        if (Image.Has("DeviceAddress")) Image.Set("DeviceAddress", definition.UnitId);
        Image.Set("CurrentScale", -2);
        Image.Set("VoltageScale", -1);
        Image.Set("FrequencyScale", -2);
        Image.Set("EnergyScale", 0);
        Image.Set("PowerScale", PowersOfTen(_pv.RatedKwp * 1000, short.MaxValue));
        Image.Set("RatedPowerScale", PowersOfTen(_pv.RatedKwp * 1000, ushort.MaxValue - 1));
        Image.Set("PowerLimitScale", -1);
        Image.Set("RatedPowerKw", _pv.RatedKwp);
        Image.Set("PowerLimitPercent", 100);
        Image.Set("PowerLimitEnable", 0);
        Image.Set("LimitRevertSeconds", 0);
        Step(start, 0);
        Publish();
    }

    /// <inheritdoc />
    public override double PowerKw => _powerKw;

    /// <summary>What the array could deliver now without a limit, kW.</summary>
    public double AvailableKw => _availableKw;

    /// <summary>Energy delivered since commissioning, kWh.</summary>
    public double EnergyKwh => _energyKwh;

    /// <summary>How often a limit was dropped because its revert time ran out.</summary>
    public int LimitReverts { get; private set; }

    /// <summary>Ambient temperature at <paramref name="at"/>, °C (warmest at 15:00).</summary>
    public double AmbientC(DateTimeOffset at) =>
        _pv.AmbientC + _pv.AmbientSwingC * Math.Cos(2 * Math.PI * (at.UtcDateTime.TimeOfDay.TotalHours - 15) / 24);

    /// <inheritdoc />
    protected internal override void Step(DateTimeOffset at, double seconds)
    {
        _irradianceWPerM2 = _irradiance.WPerM2(at);
        _availableKw = Math.Min(_array.PowerKw(_irradianceWPerM2, AmbientC(at)), _pv.RatedKwp);
        var enabled = Written("PowerLimitEnable") == 1;
        var revert = Written("LimitRevertSeconds");
        if (enabled && revert > 0 && (at - _lastLimitWrite).TotalSeconds > revert)
        {
            Image.Set("PowerLimitEnable", 0);
            enabled = false;
            LimitReverts++;
        }
        var capKw = enabled ? Written("PowerLimitPercent", 100) / 100 * _pv.RatedKwp : _pv.RatedKwp;
        var desired = Math.Min(_availableKw, capKw);
        _powerKw = Math.Min(PowerRamp.Step(_powerKw, desired, _pv.RampKwPerSecond, seconds), _availableKw);
        _energyKwh += _powerKw * seconds / 3600;
    }

    /// <inheritdoc />
    protected internal override void Publish()
    {
        Image.Set("PowerKw", _powerKw);
        Image.Set("CurrentA", _powerKw * 1000 / (3 * 230));
        Image.Set("VoltageAnV", 230);
        Image.Set("FrequencyHz", 50);
        Image.Set("EnergyExportedKwh", _energyKwh);
        // The irradiance sensor reads the sun, not the inverter: it shows what the array could give under any limit.
        if (Image.Has("IrradianceWPerM2")) Image.Set("IrradianceWPerM2", Math.Round(_irradianceWPerM2));
        var throttled = Written("PowerLimitEnable") == 1 && _powerKw < _availableKw - 1e-3;
        Image.Set("OperatingState", _availableKw <= 0 ? 2 : throttled ? 5 : 4);
    }

    /// <inheritdoc />
    protected override ModbusExceptionCode ValidateWrite(string point, double? value) => point switch
    {
        "PowerLimitPercent" when value is not (>= 0 and <= 100) => ModbusExceptionCode.IllegalDataValue,
        "PowerLimitEnable" when value is not (0 or 1) => ModbusExceptionCode.IllegalDataValue,
        _ => ModbusExceptionCode.None,
    };

    /// <inheritdoc />
    protected override void OnPointWritten(string point, DateTimeOffset now)
    {
        if (point is "PowerLimitPercent" or "PowerLimitEnable" or "LimitRevertSeconds") _lastLimitWrite = now;
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Id}: pv {_powerKw:0.###} kW of {_availableKw:0.###} kW available, limit {(Written("PowerLimitEnable") == 1 ? $"{Written("PowerLimitPercent", 100):0.#} %" : "off")}, {_energyKwh:0.###} kWh");

    // The smallest scale factor ≥ 0 that makes `magnitude` fit `max` raw counts.
    private static int PowersOfTen(double magnitude, double max)
    {
        var sf = 0;
        while (magnitude / Math.Pow(10, sf) > max) sf++;
        return sf;
    }
}
