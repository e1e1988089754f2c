namespace Gateway.Drivers.Modbus;

// Placeholder for the modbus-stack branch's exception, with the API it announced; removed in the
// merge that brings the real one.
/// <summary>A Modbus exception response.</summary>
public sealed class ModbusDeviceException(ModbusExceptionCode code, byte functionCode, byte unitId)
    : Exception($"unit {unitId} answered function {functionCode} with exception {(byte)code:X2} ({code})")
{
    /// <summary>The exception code.</summary>
    public ModbusExceptionCode Code { get; } = code;
    /// <summary>The function code of the request.</summary>
    public byte FunctionCode { get; } = functionCode;
    /// <summary>The unit that answered.</summary>
    public byte UnitId { get; } = unitId;
}
