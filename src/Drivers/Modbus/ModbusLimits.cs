namespace Gateway.Drivers.Modbus;

/// <summary>Quantity and size limits of the Modbus Application Protocol v1.1b3.</summary>
internal static class ModbusLimits
{
    /// <summary>Largest PDU (function code + data), §4.1.</summary>
    public const int MaxPduLength = 253;

    /// <summary>FC1/FC2: most bits per read, §6.1–6.2.</summary>
    public const int MaxReadBits = 2000;

    /// <summary>FC3/FC4: most registers per read, §6.3–6.4.</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>FC15: most coils per write, §6.11.</summary>
    public const int MaxWriteBits = 1968;

    /// <summary>FC16: most registers per write, §6.12.</summary>
    public const int MaxWriteRegisters = 123;

    /// <summary>FC23: most registers in the read half, §6.17.</summary>
    public const int MaxReadWriteReadRegisters = 125;

    /// <summary>FC23: most registers in the write half, §6.17.</summary>
    public const int MaxReadWriteWriteRegisters = 121;

    /// <summary>Largest unicast address on a serial line (Modbus over Serial Line v1.02, §2.2).</summary>
    public const byte MaxSerialUnitId = 247;

    /// <summary>Checks a quantity against its limit before anything is sent.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The quantity is 0 or above <paramref name="max"/>.</exception>
    public static void CheckQuantity(int quantity, int max, string what, string paramName)
    {
        if (quantity < 1 || quantity > max)
        {
            throw new ArgumentOutOfRangeException(paramName, quantity, $"{what}: quantity must be 1–{max} (Modbus Application Protocol v1.1b3), got {quantity}.");
        }
    }

    /// <summary>Checks that address + quantity stays inside the 16-bit address space.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range runs past 0xFFFF.</exception>
    public static void CheckRange(ushort address, int quantity, string paramName)
    {
        if (address + quantity > 0x10000)
        {
            throw new ArgumentOutOfRangeException(paramName, address, $"Address {address} + quantity {quantity} runs past 65535.");
        }
    }
}
