namespace Gateway.Drivers.Modbus;

/// <summary>
/// Lets a server misbehave on purpose, so the gateway's handling of sick devices can be
/// tested over a real connection. A server asks the plan once per decoded request,
/// before it calls the <see cref="IModbusServerUnit"/>.
/// </summary>
public interface IModbusFaultPlan
{
    /// <summary>What to do with this request to <paramref name="unitId"/>.</summary>
    ModbusFault Next(byte unitId, byte functionCode);
}

/// <summary>The kinds of misbehaviour a server can be told to show.</summary>
public enum ModbusFaultKind
{
    /// <summary>Answer normally.</summary>
    None,
    /// <summary>Swallow the request and send nothing.</summary>
    NoAnswer,
    /// <summary>Answer normally after <see cref="ModbusFault.Delay"/>.</summary>
    SlowAnswer,
    /// <summary>Answer with the exception <see cref="ModbusFault.ExceptionCode"/> instead.</summary>
    Exception,
    /// <summary>Answer with a corrupted frame (bad CRC on RTU, a garbled header or PDU on TCP).</summary>
    CorruptFrame,
    /// <summary>Close the connection (TCP) or go silent (RTU) without answering.</summary>
    Disconnect,
}

/// <summary>One fault decision.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Delay">For <see cref="ModbusFaultKind.SlowAnswer"/>: how long to wait before answering.</param>
/// <param name="ExceptionCode">For <see cref="ModbusFaultKind.Exception"/>: the code to answer with.</param>
public readonly record struct ModbusFault(ModbusFaultKind Kind, TimeSpan Delay = default, ModbusExceptionCode ExceptionCode = ModbusExceptionCode.None)
{
    /// <summary>Answer normally.</summary>
    public static ModbusFault None => default;
}
