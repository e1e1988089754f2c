using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>cfmakeraw(3): no echo, no line editing, no character translation, 8 data bits, no parity.</summary>
    [LibraryImport(Name, EntryPoint = "cfmakeraw")]
    public static unsafe partial void cfmakeraw(Termios* termios);
}
