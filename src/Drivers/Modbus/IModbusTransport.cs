namespace Gateway.Drivers.Modbus;

/// <summary>
/// Carries one request PDU to a unit and brings back its response PDU: the seam between the
/// function codecs (shared) and the framing (MBAP over TCP, address + CRC over a serial line).
/// </summary>
internal interface IModbusTransport : IAsyncDisposable
{
    /// <summary>
    /// Sends <paramref name="requestPdu"/> to <paramref name="unitId"/> and returns the response PDU,
    /// or an empty PDU for a broadcast that gets no answer.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken);
}
