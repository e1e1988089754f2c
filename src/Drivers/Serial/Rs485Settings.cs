namespace Gateway.Drivers.Serial;

/// <summary>
/// Kernel RS-485 mode of a UART (Linux <c>TIOCSRS485</c>): the driver raises RTS, which keys the transceiver's driver
/// enable, for exactly as long as a frame is on the wire, so the half-duplex bus is released the moment the last stop
/// bit is out. A user-space toggle of RTS after <c>tcdrain</c> is late by a scheduler tick and can collide with a fast
/// slave's answer; the kernel's is not.
/// </summary>
/// <param name="RtsHighOnSend">RTS level while sending: true (the usual wiring, RTS → DE) drives it high while a frame goes out
/// and low after; false inverts both, for transceivers with an active-low enable.</param>
/// <param name="DelayBeforeSendMilliseconds">Delay between raising RTS and the first bit (0–100 ms; transceivers that need
/// time to switch, or long repeaters).</param>
/// <param name="DelayAfterSendMilliseconds">Delay between the last bit and dropping RTS (0–100 ms).</param>
/// <param name="ReceiveDuringTransmit">Keep the receiver on while sending (SER_RS485_RX_DURING_TX): the port then reads back
/// its own frames, which a Modbus master would take for an answer, so leave it off unless the wiring needs it.</param>
public sealed record Rs485Settings(bool RtsHighOnSend = true, int DelayBeforeSendMilliseconds = 0, int DelayAfterSendMilliseconds = 0, bool ReceiveDuringTransmit = false)
{
    /// <summary>The largest RTS delay accepted (the kernel clamps larger values to 100 ms).</summary>
    public const int MaxDelayMilliseconds = 100;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A delay outside 0–100 ms.</exception>
    public Rs485Settings Validate()
    {
        if (DelayBeforeSendMilliseconds is < 0 or > MaxDelayMilliseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(DelayBeforeSendMilliseconds), DelayBeforeSendMilliseconds, $"The RS-485 delay before send must be 0–{MaxDelayMilliseconds} ms.");
        }

        if (DelayAfterSendMilliseconds is < 0 or > MaxDelayMilliseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(DelayAfterSendMilliseconds), DelayAfterSendMilliseconds, $"The RS-485 delay after send must be 0–{MaxDelayMilliseconds} ms.");
        }

        return this;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"RS-485 RTS {(RtsHighOnSend ? "high" : "low")} on send, {DelayBeforeSendMilliseconds}/{DelayAfterSendMilliseconds} ms delays{(ReceiveDuringTransmit ? ", receive during transmit" : "")}";
}
