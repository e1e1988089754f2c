namespace Gateway.Drivers.Modbus;

/// <summary>
/// What a Modbus server asks of the device behind one unit id: the four data tables.
/// The server decodes and validates the request frame, then calls exactly one of these;
/// the unit answers with <see cref="ModbusExceptionCode.None"/> or the exception to send back.
/// A simulated device (device-sims) or a test double implements this; the server never
/// knows what is behind it.
/// </summary>
/// <remarks>
/// Calls may arrive concurrently from several connections; implementations synchronise
/// their own state. A call must not block on I/O.
/// </remarks>
public interface IModbusServerUnit
{
    /// <summary>Fill <paramref name="values"/> with coils starting at <paramref name="address"/>.</summary>
    ModbusExceptionCode ReadCoils(ushort address, Span<bool> values);

    /// <summary>Fill <paramref name="values"/> with discrete inputs.</summary>
    ModbusExceptionCode ReadDiscreteInputs(ushort address, Span<bool> values);

    /// <summary>Fill <paramref name="values"/> with holding registers.</summary>
    ModbusExceptionCode ReadHoldingRegisters(ushort address, Span<ushort> values);

    /// <summary>Fill <paramref name="values"/> with input registers.</summary>
    ModbusExceptionCode ReadInputRegisters(ushort address, Span<ushort> values);

    /// <summary>Write coils (FC5 and FC15).</summary>
    ModbusExceptionCode WriteCoils(ushort address, ReadOnlySpan<bool> values);

    /// <summary>Write holding registers (FC6, FC16 and the write half of FC23).</summary>
    ModbusExceptionCode WriteHoldingRegisters(ushort address, ReadOnlySpan<ushort> values);
}
