namespace Gateway.Drivers.Devices;

/// <summary>Order of the two registers of a 32-bit value (bytes inside a register are always big-endian).</summary>
public enum WordOrder
{
    /// <summary>High word at the lower address (Modbus and SunSpec convention).</summary>
    HighFirst,
    /// <summary>Low word at the lower address (some vendors' "word swap").</summary>
    LowFirst,
}
