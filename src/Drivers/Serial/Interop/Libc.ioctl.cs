using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>ioctl(2) with a <c>struct serial_rs485</c> argument (TIOCGRS485, TIOCSRS485).</summary>
    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    public static unsafe partial int ioctl(int fd, nuint request, SerialRs485* argument);
}
