using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>cfsetispeed(3).</summary>
    [LibraryImport(Name, EntryPoint = "cfsetispeed", SetLastError = true)]
    public static unsafe partial int cfsetispeed(Termios* termios, uint speed);
}
