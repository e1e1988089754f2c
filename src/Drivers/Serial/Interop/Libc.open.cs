using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

internal static partial class Libc
{
    /// <summary>open(2) without O_CREAT, so the variadic mode argument is not passed.</summary>
    [LibraryImport(Name, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int open(string path, int flags);
}
