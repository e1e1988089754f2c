using System.Runtime.InteropServices;
using Gateway.Drivers.Serial.Interop;
using static Gateway.Drivers.Serial.Interop.TermiosConstants;

namespace Gateway.Drivers.Serial;

/// <summary>
/// Finds the errno behind a failed <see cref="System.IO.Ports.SerialPort.Open"/>. On Linux that call reports a missing
/// device, a missing permission and a non-terminal alike as "Access to the port is denied" (its inner error carries the
/// runtime's own error number, not errno), which sends a field engineer the wrong way; opening the device once more the
/// way the port does (open, then tcgetattr) tells the cases apart.
/// </summary>
internal static class SerialOpenDiagnosis
{
    /// <summary>The errno and the call that fail on <paramref name="devicePath"/>, or null when the device opens as a terminal.</summary>
    public static unsafe (int Errno, string Call)? Probe(string devicePath)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        int fd = Libc.open(devicePath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
        {
            return (Marshal.GetLastPInvokeError(), "open");
        }

        try
        {
            Termios termios;
            return Libc.tcgetattr(fd, &termios) != 0 ? (Marshal.GetLastPInvokeError(), "tcgetattr") : null;
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
