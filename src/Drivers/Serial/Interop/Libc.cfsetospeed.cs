using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>cfsetospeed(3).</summary>
    [LibraryImport(Name, EntryPoint = "cfsetospeed", SetLastError = true)]
    public static unsafe partial int cfsetospeed(Termios* termios, uint speed);
}
