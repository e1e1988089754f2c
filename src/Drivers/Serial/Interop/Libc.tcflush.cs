using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>tcflush(3): discard received-not-read and/or written-not-sent data.</summary>
    [LibraryImport(Name, EntryPoint = "tcflush", SetLastError = true)]
    public static partial int tcflush(int fd, int queueSelector);
}
