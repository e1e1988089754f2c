using System.Runtime.InteropServices;
using Gateway.Drivers.Serial.Interop;
using static Gateway.Drivers.Serial.Interop.TermiosConstants;

namespace Gateway.Drivers.Serial;

/// <summary>
/// Switches a UART into the kernel's RS-485 mode (TIOCSRS485), the one thing of a serial port that
/// <see cref="System.IO.Ports.SerialPort"/> cannot do on Linux: it exposes no file descriptor and no ioctl.
/// </summary>
internal static class KernelRs485
{
    /// <summary>Applies <see cref="SerialLineSettings.Rs485"/> to the open <paramref name="fd"/> and returns what the driver applied.</summary>
    /// <exception cref="IOException">The driver has no RS-485 mode or refuses the settings; the message carries the errno and a hint.</exception>
    public static unsafe SerialRs485 Apply(int fd, string devicePath, SerialLineSettings settings)
    {
        var request = SerialRs485.From(settings.Rs485 ?? throw new ArgumentException("No RS-485 settings to apply.", nameof(settings)));
        if (Libc.ioctl(fd, TIOCSRS485, &request) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw SerialError.Create($"Cannot switch {devicePath} to kernel RS-485 mode (TIOCSRS485, {settings.Rs485})", errno,
                SerialErrorHint.For(errno, "TIOCSRS485", devicePath, settings));
        }

        // The serial core writes back what the driver made of the request (it may clamp delays or fix the RTS levels).
        if ((request.Flags & SerialRs485.Enabled) == 0)
        {
            throw new IOException($"Cannot switch {devicePath} to kernel RS-485 mode: its driver accepted TIOCSRS485 but left RS-485 off.");
        }

        return request;
    }

    /// <summary>Reads the RS-485 settings of the UART behind <paramref name="fd"/> (TIOCGRS485).</summary>
    /// <exception cref="IOException">The device is no UART with RS-485 support in its driver's core.</exception>
    public static unsafe SerialRs485 Read(int fd, string devicePath)
    {
        SerialRs485 current;
        if (Libc.ioctl(fd, TIOCGRS485, &current) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw SerialError.Create($"Cannot read the RS-485 settings of {devicePath} (TIOCGRS485)", errno, null);
        }

        return current;
    }
}
