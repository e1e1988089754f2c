using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>poll(2).</summary>
    [LibraryImport(Name, EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}
