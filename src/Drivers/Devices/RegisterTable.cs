namespace Gateway.Drivers.Devices;

/// <summary>The Modbus data table a register lives in.</summary>
public enum RegisterTable
{
    /// <summary>Holding registers (FC3 read, FC6/FC16 write).</summary>
    Holding,
    /// <summary>Input registers (FC4 read, never written).</summary>
    Input,
}
