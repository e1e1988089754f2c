namespace Gateway.Drivers.Modbus;

/// <summary>The device answered with a Modbus exception response (function code | 0x80).</summary>
internal sealed class ModbusDeviceException : ModbusException
{
    /// <summary>Creates the exception.</summary>
    public ModbusDeviceException(byte unitId, byte functionCode, ModbusExceptionCode code)
        : base($"Unit {unitId} answered function 0x{functionCode:X2} with exception 0x{(byte)code:X2} ({code}).")
    {
        UnitId = unitId;
        FunctionCode = functionCode;
        Code = code;
    }

    /// <summary>The unit that answered.</summary>
    public byte UnitId { get; }

    /// <summary>The function code of the request (without the 0x80 flag).</summary>
    public byte FunctionCode { get; }

    /// <summary>The exception code the device sent.</summary>
    public ModbusExceptionCode Code { get; }
}
