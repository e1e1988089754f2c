using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>close(2).</summary>
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);
}
