namespace Gateway.Drivers.Modbus.Codec;

/// <summary>
/// One function code's wire format, both sides: the server half (decode a request, call the
/// unit, encode the answer) lives here; each subclass adds static client-side encode/decode
/// methods. The length predictions let an RTU reader know where a frame ends without relying
/// on inter-frame silence alone (USB adapters smear the gaps).
/// </summary>
internal abstract class ModbusFunction
{
    /// <summary>The function code.</summary>
    public abstract ModbusFunctionCode Code { get; }

    /// <summary>
    /// Length of the whole request PDU (function code included) given its first bytes,
    /// or 0 when more bytes are needed to tell.
    /// </summary>
    public abstract int PredictRequestLength(ReadOnlySpan<byte> pduPrefix);

    /// <summary>
    /// Length of the whole response PDU given its first bytes (function code first),
    /// or 0 when more bytes are needed. Exception responses are always 2 bytes.
    /// </summary>
    public abstract int PredictResponseLength(ReadOnlySpan<byte> pduPrefix);

    /// <summary>
    /// Decodes <paramref name="request"/>, checks it against the spec's limits, calls
    /// <paramref name="unit"/>, and writes the response (or exception) PDU. Returns its length.
    /// </summary>
    public abstract int Serve(ReadOnlySpan<byte> request, IModbusServerUnit unit, Span<byte> response);

    /// <summary>Answer for a request that does not fit the spec's format for this code: exception 03 (§7).</summary>
    protected int IllegalValue(Span<byte> response) => ModbusPdu.WriteException(response, (byte)Code, ModbusExceptionCode.IllegalDataValue);

    /// <summary>Answer for a unit that returned an exception code.</summary>
    protected int Failed(Span<byte> response, ModbusExceptionCode code) => ModbusPdu.WriteException(response, (byte)Code, code);

    /// <summary>Response length helper for the "function, byte count, data" shape.</summary>
    protected static int ByteCountShape(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length >= 1 && (prefix[0] & ModbusPdu.ExceptionFlag) != 0)
        {
            return 2;
        }

        return prefix.Length < 2 ? 0 : 2 + prefix[1];
    }

    /// <summary>Response length helper for fixed-size answers (echo and write confirmations).</summary>
    protected static int FixedShape(ReadOnlySpan<byte> prefix, int length)
    {
        if (prefix.Length >= 1 && (prefix[0] & ModbusPdu.ExceptionFlag) != 0)
        {
            return 2;
        }

        return prefix.Length < 1 ? 0 : length;
    }
}
