using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>read(2).</summary>
    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint read(int fd, byte* buffer, nint count);
}
