using Gateway.Drivers.Modbus.Codec;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Modbus.Rtu;

/// <summary>
/// Client side of an RTU line: one request at a time; the receive buffer is flushed before
/// each request so nothing stale (a late reply to a timed-out request) is taken as the answer;
/// the answer's length is predicted from its function code and byte count, so the frame is
/// complete as soon as its last byte is in, whatever gaps a USB adapter puts in between.
/// A request goes out only after the line has been silent for 3.5 characters (t3.5, fixed 1.75 ms
/// above 19200 baud) since the previous frame ended, counting the time a written frame still
/// spends on the wire; each frame is written in one piece, so no gap opens inside it (t1.5).
/// </summary>
internal sealed class ModbusRtuTransport(ISerialChannel channel, SerialLineSettings settings, ModbusClientOptions options, string name) : IModbusTransport
{
    private readonly SemaphoreSlim _line = new(1, 1);
    private readonly InterFrameGap _gap = new(settings, options.TimeProvider);

    public async ValueTask<ReadOnlyMemory<byte>> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken)
    {
        byte functionCode = requestPdu.Span[0];
        if (unitId > ModbusLimits.MaxSerialUnitId)
        {
            throw new ArgumentOutOfRangeException(nameof(unitId), unitId, $"RTU unit ids are 0 (broadcast) and 1–247 (Modbus over Serial Line v1.02 §2.2), got {unitId}.");
        }

        if (unitId == 0 && functionCode is not ((byte)ModbusFunctionCode.WriteSingleCoil or (byte)ModbusFunctionCode.WriteSingleRegister or (byte)ModbusFunctionCode.WriteMultipleCoils or (byte)ModbusFunctionCode.WriteMultipleRegisters))
        {
            throw new ArgumentException($"Function 0x{functionCode:X2} reads, so it cannot be broadcast to unit 0 (Modbus over Serial Line v1.02 §2.1).", nameof(unitId));
        }

        var frame = new byte[RtuFrame.MaxLength];
        int frameLength = RtuFrame.Write(frame, unitId, requestPdu.Span);
        await _line.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _gap.WaitAsync(cancellationToken).ConfigureAwait(false);
            channel.DiscardInput();
            try
            {
                await channel.WriteAsync(frame.AsMemory(0, frameLength), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                _gap.FrameEndedNow();
                throw new ModbusCommunicationException($"Writing to {name} failed: {ex.Message}", ex);
            }

            _gap.FrameSent(frameLength);
            if (unitId == 0)
            {
                // Broadcast: nobody answers; the next request waits for the frame to leave the wire and t3.5 after it.
                return ReadOnlyMemory<byte>.Empty;
            }

            try
            {
                return await ReadResponseAsync(unitId, functionCode, frameLength, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // The answer's last byte (or the give-up) is where the silence before the next request starts.
                _gap.FrameEndedNow();
            }
        }
        finally
        {
            _line.Release();
        }
    }

    public ValueTask DisposeAsync() => channel.DisposeAsync();

    private async Task<ReadOnlyMemory<byte>> ReadResponseAsync(byte unitId, byte functionCode, int requestLength, CancellationToken cancellationToken)
    {
        var time = options.TimeProvider;
        // The request still has to leave the wire before the timeout starts to mean anything.
        var budget = options.RequestTimeout + settings.TransmitTime(requestLength);
        long started = time.GetTimestamp();
        var buffer = new byte[RtuFrame.MaxLength];
        while (true)
        {
            int have = 0;
            int need = 3;
            while (have < need)
            {
                var remaining = budget - time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw Timeout(unitId, functionCode, have);
                }

                int read;
                try
                {
                    read = await channel.ReadAsync(buffer.AsMemory(have, need - have), remaining, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw new ModbusCommunicationException($"Reading from {name} failed: {ex.Message}", ex);
                }

                if (read == 0)
                {
                    throw Timeout(unitId, functionCode, have);
                }

                have += read;
                if (have >= 2)
                {
                    // Another slave's frame is framed by its own function code: it is read whole, then skipped (below).
                    var framedAs = buffer[0] == unitId ? functionCode : (byte)(buffer[1] & ~ModbusPdu.ExceptionFlag);
                    if (buffer[0] != unitId && ModbusFunctions.Find(framedAs) is null) throw FromOtherAddress(buffer[0], unitId);
                    need = 1 + PredictPduLength(buffer.AsSpan(1, have - 1), framedAs) + 2;
                    if (need < 3)
                    {
                        need = 3;
                    }
                }
            }

            var frame = buffer.AsSpan(0, have);
            if (!ModbusCrc16.IsValid(frame))
            {
                throw new ModbusProtocolException($"CRC mismatch in the {have}-byte answer from unit {unitId} on {name} (Modbus over Serial Line v1.02 §2.5.1.2).");
            }

            if (frame[0] != unitId)
            {
                // A late answer of another slave, to a request whose caller gave up after the frame had left (the input was
                // flushed before this request went out, so it arrived after): the master ignores it (Modbus over Serial
                // Line v1.02 §2.3: only the addressed slave replies) and waits out its budget for the addressed one.
                continue;
            }

            return buffer.AsMemory(1, have - 3);
        }
    }

    private ModbusProtocolException FromOtherAddress(byte from, byte unitId) =>
        new($"Answer on {name} comes from address {from}, the request went to {unitId} (Modbus over Serial Line v1.02 §2.3: only the addressed slave replies).");

    private static int PredictPduLength(ReadOnlySpan<byte> pduPrefix, byte requestFunctionCode)
    {
        byte functionCode = pduPrefix[0];
        if (functionCode == (requestFunctionCode | ModbusPdu.ExceptionFlag))
        {
            return 2;
        }

        if (functionCode != requestFunctionCode)
        {
            throw new ModbusProtocolException($"Answer carries function code 0x{functionCode:X2} to a request 0x{requestFunctionCode:X2}; its length cannot be known (Modbus Application Protocol v1.1b3 §4.1).");
        }

        int length = ModbusFunctions.Find(functionCode)!.PredictResponseLength(pduPrefix);
        return length == 0 ? pduPrefix.Length + 1 : length;
    }

    private ModbusTimeoutException Timeout(byte unitId, byte functionCode, int received) => new(
        received == 0
            ? $"No answer from unit {unitId} on {name} to function 0x{functionCode:X2} within {options.RequestTimeout.TotalMilliseconds:0} ms."
            : $"Answer from unit {unitId} on {name} to function 0x{functionCode:X2} stopped after {received} bytes (truncated frame).",
        options.RequestTimeout);
}
