using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

/// <summary>
/// The kernel's <c>struct serial_rs485</c> (include/uapi/linux/serial.h): flags, two RTS delays in milliseconds, then
/// five words of address/padding we leave zero; 32 bytes on every Linux architecture.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SerialRs485
{
    public const uint Enabled = 1 << 0;
    public const uint RtsOnSend = 1 << 1;
    public const uint RtsAfterSend = 1 << 2;
    public const uint RxDuringTx = 1 << 4;

    public uint Flags;
    public uint DelayRtsBeforeSendMilliseconds;
    public uint DelayRtsAfterSendMilliseconds;
    public fixed uint Padding[5];

    /// <summary>The request that switches a UART into the RS-485 mode <paramref name="settings"/> describe.</summary>
    public static SerialRs485 From(Rs485Settings settings) => new()
    {
        // RTS_ON_SEND and RTS_AFTER_SEND are the logical levels during and after a frame; exactly one of them is set.
        Flags = Enabled | (settings.RtsHighOnSend ? RtsOnSend : RtsAfterSend) | (settings.ReceiveDuringTransmit ? RxDuringTx : 0),
        DelayRtsBeforeSendMilliseconds = (uint)settings.DelayBeforeSendMilliseconds,
        DelayRtsAfterSendMilliseconds = (uint)settings.DelayAfterSendMilliseconds,
    };
}
