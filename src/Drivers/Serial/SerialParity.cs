namespace Gateway.Drivers.Serial;

/// <summary>Parity bit of a serial line.</summary>
public enum SerialParity
{
    /// <summary>No parity bit (Modbus then wants two stop bits, though many devices use one).</summary>
    None,
    /// <summary>Even parity, the Modbus RTU default.</summary>
    Even,
    /// <summary>Odd parity.</summary>
    Odd,
}
