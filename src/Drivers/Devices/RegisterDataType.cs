namespace Gateway.Drivers.Devices;

/// <summary>How a value is encoded in one or more 16-bit registers.</summary>
public enum RegisterDataType
{
    /// <summary>Signed 16-bit.</summary>
    Int16,
    /// <summary>Unsigned 16-bit (also SunSpec enum16 and bitfield16).</summary>
    UInt16,
    /// <summary>Signed 32-bit in two registers.</summary>
    Int32,
    /// <summary>Unsigned 32-bit in two registers.</summary>
    UInt32,
    /// <summary>SunSpec accumulator: unsigned 32-bit, 0 = not accumulated.</summary>
    Acc32,
    /// <summary>IEEE 754 single precision in two registers.</summary>
    Float32,
    /// <summary>ASCII text, two characters per register, NUL padded.</summary>
    String,
}

/// <summary>Helpers on <see cref="RegisterDataType"/>.</summary>
internal static class RegisterDataTypeExtensions
{
    /// <summary>How many registers a value of this type occupies (strings: <paramref name="stringRegisters"/>).</summary>
    public static int RegisterCount(this RegisterDataType type, int stringRegisters = 0) => type switch
    {
        RegisterDataType.Int16 or RegisterDataType.UInt16 => 1,
        RegisterDataType.String => stringRegisters,
        _ => 2,
    };
}
