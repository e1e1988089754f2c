using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>write(2).</summary>
    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint write(int fd, byte* buffer, nint count);
}
