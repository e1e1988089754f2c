using System.Globalization;
using Gateway.Rigs;
using Gateway.Drivers.Devices;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// The site meter: the sum of its devices' power less the base load (positive = the site
/// delivers to the grid), with import and export energy counters. Stepped after the devices
/// it sums, so it sees their power of the same instant.
/// </summary>
public sealed class SimulatedMeter : SimulatedDevice
{
    private readonly IReadOnlyList<SimulatedDevice> _summed;
    private readonly double _baseLoadKw;
    private double _powerKw;

    /// <summary>Starting value of both energy counters, kWh (a SunSpec accumulator of 0 reads as "not accumulated").</summary>
    public const double InitialCounterKwh = 100;

    /// <summary>Creates the meter over <paramref name="summed"/>.</summary>
    public SimulatedMeter(RigDevice definition, DeviceProfile profile, DateTimeOffset start, IReadOnlyList<SimulatedDevice> summed) : base(definition, profile)
    {
        _summed = summed;
        _baseLoadKw = definition.Meter?.BaseLoadKw ?? 0;
        ExportedKwh = ImportedKwh = InitialCounterKwh;
        Time = start;
        Image.SetText("Manufacturer", "Gateway Sims");
        Image.SetText("Model", "SIM-METER");
        Image.SetText("SerialNumber", definition.Id);
        Image.Set("CurrentScale", -1);
        Image.Set("FrequencyScale", -2);
        Image.Set("PowerScale", 1);
        Image.Set("EnergyScale", 0);
        Step(start, 0);
        Publish();
    }

    /// <inheritdoc />
    public override double PowerKw => _powerKw;

    /// <summary>Energy delivered to the grid, kWh.</summary>
    public double ExportedKwh { get; private set; }

    /// <summary>Energy taken from the grid, kWh.</summary>
    public double ImportedKwh { get; private set; }

    /// <inheritdoc />
    protected internal override void Step(DateTimeOffset at, double seconds)
    {
        _powerKw = _summed.Sum(d => d.PowerKw) - _baseLoadKw;
        if (_powerKw > 0) ExportedKwh += _powerKw * seconds / 3600;
        else ImportedKwh += -_powerKw * seconds / 3600;
    }

    /// <inheritdoc />
    protected internal override void Publish()
    {
        Image.Set("PowerKw", _powerKw);
        Image.Set("PowerPhaseAKw", _powerKw / 3);
        Image.Set("PowerPhaseBKw", _powerKw / 3);
        Image.Set("PowerPhaseCKw", _powerKw / 3);
        Image.Set("CurrentA", Math.Abs(_powerKw) * 1000 / (3 * 230));
        Image.Set("FrequencyHz", 50);
        Image.Set("EnergyExportedKwh", ExportedKwh);
        Image.Set("EnergyImportedKwh", ImportedKwh);
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Id}: meter {_powerKw:0.###} kW (sums {string.Join(", ", _summed.Select(d => d.Id))}), export {ExportedKwh:0.###} kWh, import {ImportedKwh:0.###} kWh");
}
