namespace Gateway.Drivers.Serial.Interop;

/// <summary>The C library; each function it exports that we call lives in its own file.</summary>
internal static partial class Libc
{
    public const string Name = "libc";
}
