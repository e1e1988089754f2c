using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial;

/// <summary>The one shape of a serial failure message: what failed, the system's words, the errno, and a hint.</summary>
internal static class SerialError
{
    /// <summary>An <see cref="IOException"/> carrying <paramref name="errno"/> in its HResult.</summary>
    public static IOException Create(string what, int errno, string? hint) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}){(hint is null ? "." : $" — {hint}.")}") { HResult = errno };
}
