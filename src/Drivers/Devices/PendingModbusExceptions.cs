namespace Gateway.Drivers.Modbus;

// Placeholders for the modbus-stack branch's exceptions, with the API it announced; removed in
// the merge that brings the real ones.
/// <summary>A Modbus exception response.</summary>
public sealed class ModbusDeviceException(byte unitId, byte functionCode, ModbusExceptionCode code)
    : Exception($"Unit {unitId} answered function 0x{functionCode:X2} with exception 0x{(byte)code:X2} ({code}).")
{
    /// <summary>The unit that answered.</summary>
    public byte UnitId { get; } = unitId;
    /// <summary>The function code of the request.</summary>
    public byte FunctionCode { get; } = functionCode;
    /// <summary>The exception code.</summary>
    public ModbusExceptionCode Code { get; } = code;
}

/// <summary>I/O failure.</summary>
public class ModbusCommunicationException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>No answer in time.</summary>
public sealed class ModbusTimeoutException(string message, TimeSpan timeout) : ModbusCommunicationException(message)
{
    /// <summary>How long was waited.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
