namespace Gateway.Drivers.Modbus;

/// <summary>
/// The client (master) side of Modbus, independent of the transport (TCP, RTU over a
/// serial line, or in-memory). One instance talks to one connection; the unit id selects
/// the device behind it, so a TCP-to-RTU gateway is reached through one client.
/// </summary>
/// <remarks>
/// Implementations throw <c>ModbusDeviceException</c> (carrying the <see cref="ModbusExceptionCode"/>)
/// for an exception response, a communication exception for I/O failures and timeouts,
/// and a protocol-violation exception for a malformed or mismatched response.
/// Quantities outside the limits of the spec are rejected before anything is sent.
/// </remarks>
public interface IModbusClient : IAsyncDisposable
{
    /// <summary>FC1: read 1–2000 coils starting at <paramref name="address"/>.</summary>
    Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC2: read 1–2000 discrete inputs.</summary>
    Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC3: read 1–125 holding registers.</summary>
    Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC4: read 1–125 input registers.</summary>
    Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>FC5: write one coil.</summary>
    Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default);

    /// <summary>FC6: write one holding register.</summary>
    Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default);

    /// <summary>FC15: write 1–1968 coils.</summary>
    Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default);

    /// <summary>FC16: write 1–123 holding registers.</summary>
    Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default);

    /// <summary>FC23: write 1–121 registers, then read 1–125 registers, in one transaction (the write happens first).</summary>
    Task<ushort[]> ReadWriteMultipleRegistersAsync(byte unitId, ushort readAddress, ushort readCount, ushort writeAddress, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default);
}
