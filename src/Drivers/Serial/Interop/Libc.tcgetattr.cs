using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>tcgetattr(3).</summary>
    [LibraryImport(Name, EntryPoint = "tcgetattr", SetLastError = true)]
    public static unsafe partial int tcgetattr(int fd, Termios* termios);
}
