using Iot.Device.Adc;

namespace Gateway.Drivers.Lab;

/// <summary>
/// INA219 calibration from the shunt and the largest expected current (TI SBOS448, section 8.5.1): the current LSB is
/// the maximum current over 2^15, the calibration register trunc(0.04096 / (current LSB × shunt)), and the PGA the
/// smallest range that holds the largest shunt voltage.
/// </summary>
/// <param name="ShuntOhms">Shunt resistance, Ω.</param>
/// <param name="MaxCurrentA">Largest current expected through the shunt, A (either direction).</param>
/// <param name="CalibrationRegister">Value for the calibration register (bit 0 is always 0 on the chip).</param>
/// <param name="CurrentLsbA">Amperes per count of the current register, recomputed from the truncated register value.</param>
/// <param name="Pga">The shunt voltage range chosen.</param>
public sealed record Ina219Calibration(double ShuntOhms, double MaxCurrentA, ushort CalibrationRegister, double CurrentLsbA, Ina219PgaSensitivity Pga)
{
    /// <summary>Watts per count of the power register: 20 current LSBs (datasheet).</summary>
    public double PowerLsbW => 20 * CurrentLsbA;

    /// <summary>Full-scale shunt voltage of <see cref="Pga"/>, V.</summary>
    public double PgaFullScaleV => Pga switch
    {
        Ina219PgaSensitivity.PlusOrMinus40mv => 0.04,
        Ina219PgaSensitivity.PlusOrMinus80mv => 0.08,
        Ina219PgaSensitivity.PlusOrMinus160mv => 0.16,
        _ => 0.32,
    };

    /// <summary>Compute the calibration; throws <see cref="ArgumentException"/> naming what cannot be measured.</summary>
    public static Ina219Calibration Compute(double shuntOhms, double maxCurrentA)
    {
        if (!double.IsFinite(shuntOhms) || shuntOhms <= 0 || shuntOhms > 10)
            throw new ArgumentException($"shunt resistance {shuntOhms} Ω is outside (0, 10] Ω");
        if (!double.IsFinite(maxCurrentA) || maxCurrentA <= 0)
            throw new ArgumentException($"maximum current {maxCurrentA} A must be positive");
        // Rounded to the nanovolt so that 3.2 A × 0.1 Ω is 320 mV, not a hair above it.
        var shuntV = Math.Round(shuntOhms * maxCurrentA, 9);
        if (shuntV > 0.32)
            throw new ArgumentException($"{maxCurrentA} A through {shuntOhms} Ω drops {shuntV * 1000:0.#} mV, beyond the INA219's ±320 mV: use a smaller shunt");
        var pga = shuntV <= 0.04 ? Ina219PgaSensitivity.PlusOrMinus40mv
            : shuntV <= 0.08 ? Ina219PgaSensitivity.PlusOrMinus80mv
            : shuntV <= 0.16 ? Ina219PgaSensitivity.PlusOrMinus160mv
            : Ina219PgaSensitivity.PlusOrMinus320mv;
        var lsb = maxCurrentA / 32768.0;
        var cal = Math.Floor(0.04096 / (lsb * shuntOhms));
        if (cal > 0xFFFE)
            throw new ArgumentException($"{maxCurrentA} A through {shuntOhms} Ω needs a calibration register of {cal}, beyond 65534: the current resolution would exceed the shunt ADC's (raise maxCurrentA or the shunt)");
        var register = (ushort)((ushort)cal & 0xFFFE);
        if (register == 0) throw new ArgumentException($"{maxCurrentA} A through {shuntOhms} Ω gives a calibration register of 0");
        // The register is truncated: the LSB that it really gives is what scales the readings.
        var realLsb = 0.04096 / (register * shuntOhms);
        return new Ina219Calibration(shuntOhms, maxCurrentA, register, realLsb, pga);
    }
}
