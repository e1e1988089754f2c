namespace Gateway.Drivers.Serial;

/// <summary>Facts about a serial device path that both drivers need.</summary>
internal static class SerialDevicePath
{
    /// <summary>Whether <paramref name="devicePath"/> (or the file a link at it points to) is a pseudo-terminal.</summary>
    /// <remarks>
    /// A pseudo-terminal has no line to put parity bits on: Linux drops PARENB when it is first set and refuses it (EINVAL)
    /// once the pty holds other settings, so a second open of the same pty with parity E would fail. Both drivers therefore
    /// open a pty without parity; it carries the bytes exactly as with it, which is all a simulator on the other end sees,
    /// and the frame timing still follows the settings asked for.
    /// </remarks>
    public static bool IsPseudoTerminal(string devicePath)
    {
        string target;
        try
        {
            target = new FileInfo(devicePath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(devicePath);
        }
        catch (IOException)
        {
            return false;
        }

        return target.StartsWith("/dev/pts/", StringComparison.Ordinal) || target == "/dev/ptmx";
    }
}
