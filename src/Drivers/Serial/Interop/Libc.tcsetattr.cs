using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>tcsetattr(3).</summary>
    [LibraryImport(Name, EntryPoint = "tcsetattr", SetLastError = true)]
    public static unsafe partial int tcsetattr(int fd, int optionalActions, Termios* termios);
}
