namespace Gateway.Drivers.Devices;

/// <summary>
/// Where and how one point is stored on a Modbus device: an absolute register address, or
/// a SunSpec model id plus an offset counted from the model's ID register (resolved after the
/// SunSpec chain has been walked).
/// </summary>
/// <remarks>
/// Engineering value = raw × 10^(<see cref="ScaleExponent"/> + SF), negated when
/// <see cref="Negate"/> is set, where SF is the signed value of <see cref="ScaleFactorRegister"/>
/// (0 when there is none).
/// </remarks>
public sealed record ModbusPointLocation
{
    /// <summary>The data table.</summary>
    public RegisterTable Table { get; init; } = RegisterTable.Holding;

    /// <summary>Absolute register address (0-based), when not SunSpec-addressed.</summary>
    public int? Address { get; init; }

    /// <summary>SunSpec model id the point belongs to, when SunSpec-addressed.</summary>
    public int? SunSpecModel { get; init; }

    /// <summary>Offset from the model's ID register (ID at +0, L at +1), when SunSpec-addressed.</summary>
    public int Offset { get; init; }

    /// <summary>Encoding of the raw value.</summary>
    public RegisterDataType DataType { get; init; } = RegisterDataType.UInt16;

    /// <summary>Register order of 32-bit values.</summary>
    public WordOrder WordOrder { get; init; } = WordOrder.HighFirst;

    /// <summary>Register count of a <see cref="RegisterDataType.String"/> point.</summary>
    public int StringRegisters { get; init; }

    /// <summary>Fixed power-of-ten scale applied to the raw value (e.g. -3 turns W into kW).</summary>
    public int ScaleExponent { get; init; }

    /// <summary>
    /// The register holding a signed power-of-ten scale factor (SunSpec *_SF): a model offset for a
    /// SunSpec-addressed point, an absolute address otherwise.
    /// </summary>
    public int? ScaleFactorRegister { get; init; }

    /// <summary>Flip the sign, for devices whose sign convention is the opposite of the gateway's.</summary>
    public bool Negate { get; init; }

    /// <summary>A raw value the device uses for "not available" (beyond the SunSpec ones).</summary>
    public long? AbsentRaw { get; init; }

    /// <summary>Whether the address is a SunSpec model offset.</summary>
    public bool IsSunSpec => SunSpecModel is not null;

    /// <summary>How many registers the value spans.</summary>
    public int RegisterCount => DataType.RegisterCount(StringRegisters);
}
